// The stance's default integrator (src/sim/switching_stepper.hpp: Dormand–Prince, switching to the
// linearly implicit Rosenbrock–W step of src/sim/rosenbrock_w.hpp while the tendon states are
// stiff) at the model's default tolerance against a tight Dormand–Prince reference: the stance
// metrics within 0.5 % (issue 22.5), convergence under tolerance refinement, and the W step itself
// on a stiff problem with a closed-form solution.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "../../src/sim/rosenbrock_w.hpp"
#include "../../src/sim/switching_stepper.hpp"
#include "../../tools/stance_accuracy.hpp"
#include "legsim/batch/stance_batch.hpp"
#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_pipeline.hpp"

using namespace legsim;
using namespace legsim::stance_accuracy;

namespace {

constexpr double kBar = 0.005;  // issue 22.5: within 0.5 % of the tight-tolerance reference

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
  // y0' = λ(y0 − cos t) − sin t, y0(0) = 1: y0 = cos t for every λ; y1' = −y1, y1 = e^{−t}.
  // λ = −1e6: an explicit method would need |hλ| < 3.3, i.e. over 6e5 steps to t = 2.
  constexpr double lambda = -1e6;
  long evaluations = 0;
  const auto sys = [&](const std::vector<double>& y, std::vector<double>& f, double t) {
    ++evaluations;
    f[0] = lambda * (y[0] - std::cos(t)) - std::sin(t);
    f[1] = -y[1];
  };
  for (double tol : {1e-5, 1e-7}) {
    detail::RosenbrockW w(tol, tol, {0});
    w.initialize({1.0, 1.0}, 0.0, 1e-4, sys);
    double worst = 0.0, t = 0.0;
    int steps = 0;
    std::vector<double> mid(2);
    while (t < 2.0) {
      const auto [t0, t1] = w.do_step(sys);
      t = t1;
      ++steps;
      worst = std::max({worst, std::abs(w.current_state()[0] - std::cos(t)), std::abs(w.current_state()[1] - std::exp(-t))});
      w.calc_state(0.5 * (t0 + t1), mid);  // dense output, mid-step
      worst = std::max(worst, std::abs(mid[1] - std::exp(-0.5 * (t0 + t1))));
    }
    INFO("tolerance " << tol << ": " << steps << " steps, worst error " << worst);
    CHECK(steps < 2000);
    CHECK(worst < 20 * tol);
    CHECK(w.stiffness() == Approx(-lambda).epsilon(1e-6));
  }
}

TEST_CASE("switching stepper: its Dormand-Prince is Odeint's dense-output stepper, bit for bit", "[stiff]") {
  // DormandPrinceDense exposes the FSAL derivative (the stiffness check reads it instead of
  // evaluating f again) and must otherwise be Odeint's dense_output_runge_kutta: same steps, same
  // states, same dense output, same number of evaluations.
  namespace odeint = boost::numeric::odeint;
  using State = std::vector<double>;
  const Model& model = Model::default_model();
  const ControllerParams ctl = model.controller();
  const StanceConstants<double> c = make_stance_constants(model, nullptr, &ctl);
  const State x0 = touchdown_state_vector(model, c, TouchdownState{});
  long ours = 0, theirs = 0;
  const auto sys_ours = [&](const State& x, State& d, double t) { ++ours, stance_rhs(c, t, x.data(), (const double*)nullptr, d.data()); };
  const auto sys_theirs = [&](const State& x, State& d, double t) { ++theirs, stance_rhs(c, t, x.data(), (const double*)nullptr, d.data()); };
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
