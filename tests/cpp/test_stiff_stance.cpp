// The stance's default integrator (src/sim/switching_stepper.hpp: Dormand–Prince, switching to the
// linearly implicit Rosenbrock–W step of src/sim/rosenbrock_w.hpp while the tendon states are
// stiff) at the model's default tolerance against a tight Dormand–Prince reference: the stance
// metrics within 0.5 % (issue 22.5), convergence under tolerance refinement, and the W step itself
// on a stiff problem with a closed-form solution.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "../../src/sim/imex_ark4.hpp"
#include "../../src/sim/rosenbrock_w.hpp"
#include "../../src/sim/switching_stepper.hpp"
#include "../../tools/stance_accuracy.hpp"
#include "legsim/batch/stance_batch.hpp"
#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_pipeline.hpp"

using namespace legsim;
using namespace legsim::stance_accuracy;
namespace odeint = boost::numeric::odeint;
using State = std::vector<double>;

namespace {

constexpr double kBar = 0.005;  // issue 22.5: within 0.5 % of the tight-tolerance reference

struct ProtheroRobinsonRun {
  int steps = 0;
  double worst = 0.0;     ///< largest error at step ends and (non-stiff state) mid-step
  double stiffness = 0.0;  ///< the stepper's |λ| estimate at the end
};

/// y0' = λ(y0 − cos t) − sin t, y0(0) = 1: y0 = cos t for every λ; y1' = −y1, y1 = e^{−t}; integrated
/// to t = 2 with the stiff step Stepper (y0 its stiff state) at atol = rtol = tol.
template <class Stepper>
ProtheroRobinsonRun prothero_robinson(double lambda, double tol) {
  const auto sys = [&](const std::vector<double>& y, std::vector<double>& f, double t) {
    f[0] = lambda * (y[0] - std::cos(t)) - std::sin(t);
    f[1] = -y[1];
  };
  Stepper w(tol, tol, {0});
  w.initialize({1.0, 1.0}, 0.0, 1e-4, sys);
  ProtheroRobinsonRun run;
  double t = 0.0;
  std::vector<double> mid(2);
  while (t < 2.0) {
    const auto [t0, t1] = w.do_step(sys);
    t = t1;
    ++run.steps;
    run.worst = std::max({run.worst, std::abs(w.current_state()[0] - std::cos(t)), std::abs(w.current_state()[1] - std::exp(-t))});
    w.calc_state(0.5 * (t0 + t1), mid);  // dense output, mid-step
    run.worst = std::max(run.worst, std::abs(mid[1] - std::exp(-0.5 * (t0 + t1))));
  }
  run.stiffness = w.stiffness();
  return run;
}

/// The default stance's ODE (controller from the model file, no capacity factors): its constants, its
/// touchdown state and its right-hand side, which counts its calls in *evaluations.
struct DefaultStanceOde {
  const Model& model = Model::default_model();
  const ControllerParams ctl = model.controller();
  const StanceConstants<double> c = make_stance_constants(model, nullptr, &ctl);
  const std::vector<double> x0 = touchdown_state_vector(model, c, TouchdownState{});
  auto rhs(long* evaluations) const {
    return [this, evaluations](const std::vector<double>& x, std::vector<double>& d, double t) {
      ++*evaluations;
      stance_rhs(c, t, x.data(), (const double*)nullptr, d.data());
    };
  }
};

}  // namespace

TEST_CASE("stiff stance: the default integrator stays within 0.5 % of a tight reference", "[stance][stiff]") {
  const Model& model = Model::default_model();
  int compared = 0;
  for (const Case& c : cases(model, 5)) {
    const StanceResult ref = reference(model, c);
    if (!ref.ok()) continue;  // a variant without a toe-off has nothing to compare
    const StanceResult r = simulate_stance(model, c.td, c.controller);
    REQUIRE(r.ok());
    std::string worst;
    const double d = deviation(r, ref, &worst);
    INFO("stance " << compared << ": worst " << worst << " deviates " << d);
    CHECK(d < kBar);
    // The impact metrics come from the dense output between steps (measured 2026-12-06: worst 2.6e-3,
    // peak braking GRF, over 42 stances; ≤ 5.9e-4 for 9 in 10).
    std::string worst_impact;
    const double di = impact_deviation(r, ref, &worst_impact);
    INFO("impact metrics: worst " << worst_impact << " deviates " << di);
    CHECK(di < kBar);
    ++compared;
  }
  CHECK(compared >= 4);
}

TEST_CASE("stiff stance: the batch engine's switching lanes stay within 0.5 % of a tight reference",
          "[stance][stiff][batch]") {
  // The batch engine switches each lane between Dormand–Prince and the Rosenbrock–W step by the
  // scalar path's rule (batch/worker.cpp); it reports the per-stance summary, compared here field by
  // field (and the centre of mass's velocity at toe-off) with the reference's. Measured 2026-12-06:
  // worst 3.0e-4 over 6 stances (the other two never leave the ground in the reference).
  const Model& model = Model::default_model();
  const std::vector<Case> cs = cases(model, 7);
  std::vector<StanceJob> jobs;
  for (const Case& c : cs) jobs.push_back({c.td, c.controller, {}});
  const std::vector<BatchStanceOutcome> out = simulate_stances(model, jobs);
  int compared = 0;
  long implicit = 0;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const StanceResult ref = reference(model, cs[i]);
    if (!ref.ok()) continue;
    const BatchStanceOutcome& o = out[i];
    REQUIRE(o.ok());
    const StanceSummary& s = ref.summary;
    const double fields[][2] = {{o.contact_time, s.contact_time},       {o.peak_pfj_force, s.peak_pfj_force},
                                {o.peak_pfj_stress, s.peak_pfj_stress}, {o.pfj_impulse, s.pfj_impulse},
                                {o.peak_vertical_grf, s.peak_vertical_grf}, {o.effort, s.effort},
                                {o.peak_quadriceps_force, s.peak_quadriceps_force},
                                {o.com_toeoff.vx, s.com_toeoff.vx},      {o.com_toeoff.vy, s.com_toeoff.vy}};
    double worst = 0.0;
    for (const auto& f : fields) worst = std::max(worst, std::abs(f[0] - f[1]) / std::abs(f[1]));
    INFO("stance " << i << ": worst relative deviation of the summary " << worst << ", implicit steps "
                   << o.implicit_steps << " of " << o.steps);
    CHECK(worst < kBar);
    implicit += o.implicit_steps;
    ++compared;
  }
  CHECK(compared >= 6);
  CHECK(implicit > 20 * compared);  // the lanes did switch (the default stance: about half its steps)
}

TEST_CASE("stiff stance: the default integrator needs fewer evaluations than Dormand-Prince", "[stance][stiff]") {
  // The reason it is the default (docs/decisions.md, "faster stance"): late in the stance the
  // tendon states are stiff and hold the explicit step at its stability limit.
  const Model& model = Model::default_model();
  StanceOptions o;
  o.record = false;
  const StanceResult sw = simulate_stance(model, TouchdownState{}, model.controller(), o);
  o.integrator = StanceIntegrator::kDormandPrince;
  const StanceResult dp = simulate_stance(model, TouchdownState{}, model.controller(), o);
  REQUIRE((sw.ok() && dp.ok()));
  INFO("switching " << sw.rhs_evaluations << ", Dormand-Prince " << dp.rhs_evaluations);
  CHECK(sw.rhs_evaluations < dp.rhs_evaluations / 2);
}

TEST_CASE("stiff stance: the deviation from the reference falls as the tolerance is refined", "[stance][stiff]") {
  const Model& model = Model::default_model();
  const Case c{TouchdownState{}, model.controller()};
  const StanceResult ref = reference(model, c);
  REQUIRE(ref.ok());
  std::vector<double> dev;
  for (double rtol : {1e-3, 1e-4, 1e-5, 1e-6, 1e-7}) {
    StanceOptions o;
    o.relative_tolerance = rtol;
    o.absolute_tolerance = rtol * 0.1;
    o.event_tolerance = 1e-9;  // the reference's: otherwise the toe-off location sets a floor near 5e-5
    const StanceResult r = simulate_stance(model, c.td, c.controller, o);
    REQUIRE(r.ok());
    std::string worst;
    dev.push_back(deviation(r, ref, &worst));
    INFO("rtol " << rtol << ": " << dev.back() << " (" << worst << ")");
  }
  INFO("deviations at rtol 1e-3 … 1e-7: " << dev[0] << " " << dev[1] << " " << dev[2] << " " << dev[3] << " " << dev[4]);
  // Measured 2026-12-06: 2.2e-3, 2.5e-4, 1.7e-5, 2.3e-6, 8.2e-7 — about a decade per decade.
  CHECK(dev[1] < kBar);
  for (std::size_t k = 0; k + 1 < dev.size(); ++k) CHECK(dev[k + 1] < dev[k]);
  CHECK(dev[3] < dev[1] / 30);  // two decades of tolerance, well over a decade of accuracy
}

TEST_CASE("Rosenbrock-W step: Prothero-Robinson problem, stiff with a closed-form solution", "[stiff]") {
  // λ = −1e6: an explicit method would need |hλ| < 3.3, i.e. over 6e5 steps to t = 2.
  constexpr double lambda = -1e6;
  for (double tol : {1e-5, 1e-7}) {
    const ProtheroRobinsonRun r = prothero_robinson<detail::RosenbrockW>(lambda, tol);
    INFO("tolerance " << tol << ": " << r.steps << " steps, worst error " << r.worst);
    CHECK(r.steps < 2000);
    CHECK(r.worst < 20 * tol);
    CHECK(r.stiffness == Approx(-lambda).epsilon(1e-6));
  }
}

TEST_CASE("switching stepper: its Dormand-Prince is Odeint's dense-output stepper, bit for bit", "[stiff]") {
  // DormandPrinceDense exposes the FSAL derivative (the stiffness check reads it instead of
  // evaluating f again) and must otherwise be Odeint's dense_output_runge_kutta: same steps, same
  // states, same dense output, same number of evaluations.
  const DefaultStanceOde ode;
  const State& x0 = ode.x0;
  long ours = 0, theirs = 0;
  auto sys_ours = ode.rhs(&ours);
  auto sys_theirs = ode.rhs(&theirs);
  detail::DormandPrinceDense a(1e-5, 1e-4);
  auto b = odeint::make_dense_output(1e-5, 1e-4, odeint::runge_kutta_dopri5<State>());
  a.initialize(x0, 0.0, 1e-5);
  b.initialize(x0, 0.0, 1e-5);
  State fa(x0.size()), fb(x0.size()), da(x0.size()), db(x0.size());
  int mismatches = 0;
  for (int step = 0; step < 100; ++step) {
    const auto sa = a.do_step(sys_ours);
    const auto sb = b.do_step(sys_theirs);
    mismatches += sa != sb || a.current_state() != b.current_state() || a.current_time_step() != b.current_time_step();
    a.calc_state(0.3 * sa.first + 0.7 * sa.second, da);
    b.calc_state(0.3 * sb.first + 0.7 * sb.second, db);
    mismatches += da != db;
    sys_theirs(b.current_state(), fb, sb.second);  // what the check evaluated before
    mismatches += a.current_deriv() != fb;
  }
  CHECK(mismatches == 0);
  CHECK(ours == theirs - 100);
}

TEST_CASE("IMEX ARK step: the ARK4(3)6L[2]SA tableau satisfies the pair's order conditions", "[stiff]") {
  // Every rooted tree up to order 4 with each edge taken from the explicit or the implicit tableau
  // (the coupling conditions of an additive method): b·Φ(t) = 1/γ(t) for the order-4 weights, up to
  // order 3 for the embedded ones — and the embedded weights do fail order 4 (a mistyped b̂ equal
  // to b would make the error estimate zero).
  using T = detail::Ark436;
  constexpr int s = T::kStages;
  using Vec = std::array<double, s>;
  const auto times = [](const double (&a)[s][s], const Vec& v) {
    Vec r{};
    for (int i = 0; i < s; ++i)
      for (int j = 0; j < s; ++j) r[i] += a[i][j] * v[j];
    return r;
  };
  const auto prod = [](Vec a, const Vec& b) {
    for (int i = 0; i < s; ++i) a[i] *= b[i];
    return a;
  };
  const auto dot = [](const double (&w)[s], const Vec& v) {
    double r = 0.0;
    for (int i = 0; i < s; ++i) r += w[i] * v[i];
    return r;
  };
  Vec one;
  one.fill(1.0);
  double ai[s][s];  // the implicit tableau with its diagonal (kAI holds the part below it)
  for (int i = 0; i < s; ++i)
    for (int j = 0; j < s; ++j) ai[i][j] = T::kAI[i][j] + (i == j && i > 0 ? T::kGamma : 0.0);
  const double(*tab[2])[s][s] = {&T::kAE, &ai};
  for (int x = 0; x < 2; ++x) {  // both tableaux have the nodes c
    const Vec c = times(*tab[x], one);
    for (int i = 0; i < s; ++i) CHECK(c[i] == Approx(T::kC[i]).margin(1e-15));
  }
  // Residuals of the conditions of order 1–4 for weights w, the worst per order.
  const auto residuals = [&](const double (&w)[s]) {
    std::array<double, 5> worst{};
    const auto take = [&](int order, double r) { worst[order] = std::max(worst[order], std::abs(r)); };
    take(1, dot(w, one) - 1.0);
    for (int x = 0; x < 2; ++x) {
      const Vec cx = times(*tab[x], one);
      take(2, dot(w, cx) - 1.0 / 2);
      for (int y = 0; y < 2; ++y) {
        const Vec cy = times(*tab[y], one);
        take(3, dot(w, prod(cx, cy)) - 1.0 / 3);
        take(3, dot(w, times(*tab[x], cy)) - 1.0 / 6);
        for (int z = 0; z < 2; ++z) {
          const Vec cz = times(*tab[z], one);
          take(4, dot(w, prod(prod(cx, cy), cz)) - 1.0 / 4);
          take(4, dot(w, prod(cx, times(*tab[y], cz))) - 1.0 / 8);
          take(4, dot(w, times(*tab[x], prod(cy, cz))) - 1.0 / 12);
          take(4, dot(w, times(*tab[x], times(*tab[y], cz))) - 1.0 / 24);
        }
      }
    }
    return worst;
  };
  const auto b = residuals(T::kB), bhat = residuals(T::kBHat);
  for (int order = 1; order <= 4; ++order) {
    INFO("order " << order << ": b " << b[order] << ", b-hat " << bhat[order]);
    CHECK(b[order] < 1e-14);
    if (order <= 3) CHECK(bhat[order] < 1e-14);
  }
  CHECK(bhat[4] > 1e-4);  // measured 2.9e-3
  for (int j = 0; j < s; ++j) CHECK(T::kAI[s - 1][j] + (j == s - 1 ? T::kGamma : 0.0) == Approx(T::kB[j]).margin(1e-16));
}

TEST_CASE("IMEX ARK step: 4th order with only the stiff state's Jacobian diagonal", "[stiff]") {
  // y0' = λ(y0 − cos t) − sin t (the stiff state, y0 = cos t), y1' = y0·y1 (y1 = e^{sin t}): the
  // diagonal J = ∂f0/∂y0 = λ leaves out the coupling ∂f1/∂y0, as the stance's tendon diagonal leaves
  // out everything but the tendons. Fixed steps to t = 1; the error must fall as h⁴.
  constexpr double lambda = -5.0;
  const auto sys = [&](const std::vector<double>& y, std::vector<double>& f, double t) {
    f[0] = lambda * (y[0] - std::cos(t)) - std::sin(t);
    f[1] = y[0] * y[1];
  };
  std::vector<double> err;
  for (int n : {10, 20, 40}) {
    detail::ImexArk4 w(1e-6, 1e-6, {0});
    w.initialize({1.0, 1.0}, 0.0, 1.0 / n, sys);
    for (int k = 0; k < n; ++k) w.fixed_step(sys, 1.0 / n);
    err.push_back(std::max(std::abs(w.current_state()[0] - std::cos(1.0)), std::abs(w.current_state()[1] - std::exp(std::sin(1.0)))));
  }
  const double order1 = std::log2(err[0] / err[1]), order2 = std::log2(err[1] / err[2]);
  INFO("errors " << err[0] << " " << err[1] << " " << err[2] << ", observed orders " << order1 << " " << order2);
  CHECK(order1 > 3.7);
  CHECK(order2 > 3.8);
  CHECK(err[2] < 1e-7);
}

TEST_CASE("IMEX ARK step: Prothero-Robinson problem at the stance's stiffness", "[stiff]") {
  // As the Rosenbrock–W test above, at λ = −2e4 /s (the late stance's tendon states; Dormand–Prince
  // would need 12,000 steps to t = 2) and at −1e6. Accurate, but its steps shrink as the stiffness
  // grows, unlike ROS34PW2's: the explicit part carries the stiff state's forcing λ·(x_n − cos t),
  // and the new state x_n + hΣ b_j f(Y_j) takes it undamped (the pair is stiffly accurate in its
  // implicit part only). Measured 2026-12-06 (steps at tolerance 1e-5 / 1e-7): λ = −2e4: 7,136 /
  // 32,123 (ROS34PW2 31 / 123); λ = −1e6: 71,293 / 458,205 (31 / 123) — docs/decisions.md,
  // "a 4th-order stiff step".
  for (double lambda : {-2e4, -1e6}) {
    for (double tol : {1e-5, 1e-7}) {
      const ProtheroRobinsonRun ark = prothero_robinson<detail::ImexArk4>(lambda, tol);
      const ProtheroRobinsonRun ros = prothero_robinson<detail::RosenbrockW>(lambda, tol);
      std::printf("Prothero-Robinson lambda %g tolerance %g: IMEX ARK %d steps (worst error %.2e), ROS34PW2 %d\n",
                  lambda, tol, ark.steps, ark.worst, ros.steps);
      CHECK(ark.worst < 20 * tol);
      CHECK(ark.stiffness == Approx(-lambda).epsilon(1e-6));
    }
  }
}

TEST_CASE("switching stepper with the IMEX ARK step: the default stance's state against a tight reference", "[stiff]") {
  // The ARK step in place of ROS34PW2 (the scalar path keeps ROS34PW2: docs/decisions.md, "a
  // 4th-order stiff step"): the state at t = 0.21 s, in the stiff last third, against Dormand–Prince
  // at 1e-10 / 1e-12, at the model's tolerance; q and q̇ each relative to their group's largest
  // magnitude, the other states to their own magnitude (at least 1).
  const DefaultStanceOde ode;
  const Model& model = ode.model;
  const State& x0 = ode.x0;
  constexpr double kT = 0.21;
  long evaluations = 0;
  auto sys = ode.rhs(&evaluations);
  State ref = x0;
  odeint::integrate_adaptive(odeint::make_controlled(1e-12, 1e-10, odeint::runge_kutta_dopri5<State>()), sys, ref, 0.0, kT, 1e-5);
  const auto deviation_at = [&](auto& stepper, long* used) {
    evaluations = 0;
    stepper.initialize(x0, 0.0, model.integrator().initial_step, sys);
    while (stepper.do_step(sys).second < kT) {
    }
    *used = evaluations;
    State x(x0.size());
    stepper.calc_state(kT, x);
    double qs = 0.0, vs = 0.0, worst = 0.0;
    for (int i = 0; i < 6; ++i) qs = std::max(qs, std::abs(ref[i])), vs = std::max(vs, std::abs(ref[6 + i]));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double scale = i < 6 ? qs : i < 12 ? vs : std::max(1.0, std::abs(ref[i]));
      worst = std::max(worst, std::abs(x[i] - ref[i]) / scale);
    }
    return worst;
  };
  const double rtol = model.integrator().relative_tolerance, atol = model.integrator().absolute_tolerance;
  detail::BasicSwitchingStepper<detail::ImexArk4> ark(atol, rtol, stiff_tendon_states(ode.c));
  detail::BasicSwitchingStepper<detail::RosenbrockW> ros(atol, rtol, stiff_tendon_states(ode.c));
  long ark_evaluations = 0, ros_evaluations = 0;
  const double ark_dev = deviation_at(ark, &ark_evaluations), ros_dev = deviation_at(ros, &ros_evaluations);
  std::printf("default stance to t = %.2f s: ARK4(3)6L %ld evaluations, deviation %.2e; ROS34PW2 %ld, %.2e\n", kT,
              ark_evaluations, ark_dev, ros_evaluations, ros_dev);
  CHECK(ark_dev < 1e-3);
  CHECK(ros_dev < 1e-3);
  CHECK(ark_evaluations < 0.9 * ros_evaluations);
}
