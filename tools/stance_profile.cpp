// Diagnostic (issue 22 item 5): where the scalar stance's right-hand-side evaluations go.
// Replays Odeint's controlled Dormand–Prince 5(4) (default error checker: max over components of
// |err_i| / (atol + rtol·(|x_i| + h·|ẋ_i|)); default step adjuster) on the default stance and
// prints, per step, t, h, accepted, and the component with the largest scaled error; then the
// eigenvalues of the finite-difference RHS Jacobian at a few instants.
// Usage: stance_profile [rtol atol [v]] (v: per-step lines); JOB=k: stance_tolerance's stance k; SWITCH=1 runs the default
// stiffness-switching integrator instead (steps and evaluations per method; its stiff method is
// ROS34PW2, or with ARK=1 the IMEX ARK4(3)6L[2]SA step of src/sim/imex_ark4.hpp, the default's),
// ROSW=1 the Rosenbrock-W step alone, ARK=1 alone the IMEX ARK step alone.
// Built by `make build` (bench/CMakeLists.txt) as build/bench/stance_profile.
#include <Eigen/Dense>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <cstdlib>
#include <string>
#include <vector>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "../src/sim/imex_ark4.hpp"
#include "../src/sim/switching_stepper.hpp"
#include "stance_accuracy.hpp"

using namespace legsim;
namespace odeint = boost::numeric::odeint;
using State = std::vector<double>;

int main(int argc, char** argv) {
  const Model model = Model::default_model();
  const double rtol = argc > 1 ? std::atof(argv[1]) : model.integrator().relative_tolerance;
  const double atol = argc > 2 ? std::atof(argv[2]) : model.integrator().absolute_tolerance;
  // JOB=k: the k-th seeded variant of tools/stance_accuracy.hpp (stance_tolerance's job k) instead.
  const int job = std::getenv("JOB") ? std::atoi(std::getenv("JOB")) : 0;
  const stance_accuracy::Case jc = stance_accuracy::cases(model, job)[job];
  const ControllerParams ctl = jc.controller;
  const StanceConstants<double> c = make_stance_constants(model, nullptr, &ctl);
  const TouchdownState td = jc.td;
  State x = touchdown_state_vector(model, c, td);
  const int n = static_cast<int>(x.size()), nm = c.n_muscles;
  std::vector<std::string> name(n);
  const char* qn[6] = {"x", "y", "lean", "hip", "knee", "ankle"};
  for (int i = 0; i < 6; ++i) name[i] = qn[i], name[6 + i] = std::string("d") + qn[i];
  name[12] = "bristle_heel", name[13] = "bristle_meta";
  for (int i = 0; i < nm; ++i) {
    name[activation_index(i)] = "a_" + model.muscles()[i].name;
    name[tendon_state_index(nm, i)] = "fT_" + model.muscles()[i].name;
  }
  const auto rhs = [&](const State& s, State& d, double t) { stance_rhs(c, t, s.data(), (const double*)nullptr, d.data()); };
  odeint::runge_kutta_dopri5<State> st;
  State dxdt(n), xout(n), dxout(n), xerr(n);
  double t = 0, h = model.integrator().initial_step;
  rhs(x, dxdt, t);
  std::map<std::string, int> limit_acc, limit_rej;
  int acc = 0, rej = 0;
  const bool verbose = argc > 3;
  StanceSignals<double> sig;
  ToeOffRule rule;
  std::vector<double> probe_times = {0.002, 0.02, 0.06, 0.1, 0.14, 0.17, 0.19, 0.21, 0.22};
  std::size_t probe = 0;
  const auto jac_eigs = [&](const State& s, double tt) {
    Eigen::MatrixXd J(n, n);
    State f0(n), f1(n), sp = s;
    rhs(s, f0, tt);
    for (int j = 0; j < n; ++j) {
      const double dj = 1e-7 * std::max(1.0, std::abs(s[j]));
      sp[j] = s[j] + dj;
      rhs(sp, f1, tt);
      sp[j] = s[j];
      for (int i = 0; i < n; ++i) J(i, j) = (f1[i] - f0[i]) / dj;
    }
    Eigen::EigenSolver<Eigen::MatrixXd> es(J);
    std::printf("JACOBIAN t=%.4f eigenvalues (|Re| > 50/s), with the state most in the eigenvector:\n", tt);
    for (int k = 0; k < n; ++k) {
      const auto ev = es.eigenvalues()(k);
      if (std::abs(ev.real()) < 50) continue;
      const auto v = es.eigenvectors().col(k);
      int im = 0;
      for (int i = 0; i < n; ++i) if (std::abs(v(i)) > std::abs(v(im))) im = i;
      std::printf("   %12.1f %+10.1fi   %s\n", ev.real(), ev.imag(), name[im].c_str());
    }
    // Diagonal entries (self-coupling rates) of the fast states.
    std::printf("   diagonal:");
    for (int i = 12; i < n; ++i) std::printf(" %s=%.0f", name[i].c_str(), J(i, i));
    std::printf("\n");
  };
  std::vector<double> hs;
  std::vector<int> stiff;
  for (int i = 0; i < nm; ++i) if (!c.muscles[i].rigid_tendon) stiff.push_back(tendon_state_index(nm, i));
  const auto run_switching = [&](auto& w, const char* what) {
    long evals = 0;
    auto sys = [&](const State& s, State& d, double tt) { ++evals; rhs(s, d, tt); };
    w.initialize(x, 0.0, 1e-5, sys);
    int steps = 0, stiff_steps = 0;
    long stiff_evals = 0;
    double t_stiff = -1;
    while (true) {
      const long e0 = evals;
      auto [t0, t1] = w.do_step(sys);
      ++steps;
      if (w.last_step_stiff()) {
        ++stiff_steps, stiff_evals += evals - e0;
        if (t_stiff < 0) t_stiff = t0;
      }
      if (verbose) std::printf("t=%.5f h=%.3e %s\n", t1, t1 - t0, w.last_step_stiff() ? "W" : "DP");
      State d(n);
      stance_rhs(c, t1, w.current_state().data(), (const double*)nullptr, d.data(), &sig);
      if (rule.toe_off_in_step(sig.grf_y, sig.body_com_vy, model.body_weight())) { t = t1; break; }
    }
    std::printf("switching (%s) rtol %g atol %g: t_end %.4f, %d steps (%d implicit from t=%.4f, %ld evaluations there), %d switches, %ld RHS\n",
                what, rtol, atol, t, steps, stiff_steps, t_stiff, stiff_evals, w.switches(), evals);
  };
  const auto run_alone = [&](auto& w, const char* what) {
    long evals = 0;
    auto sys = [&](const State& s, State& d, double tt) { ++evals; rhs(s, d, tt); };
    w.initialize(x, 0.0, 1e-5, sys);
    int steps = 0;
    std::map<std::string, int> lim;
    while (true) {
      auto [t0, t1] = w.do_step(sys);
      ++steps, ++lim[name[w.worst_component()]];
      if (verbose) std::printf("t=%.5f h=%.3e %s\n", t1, t1 - t0, name[w.worst_component()].c_str());
      State d(n);
      stance_rhs(c, t1, w.current_state().data(), (const double*)nullptr, d.data(), &sig);
      if (rule.toe_off_in_step(sig.grf_y, sig.body_com_vy, model.body_weight())) { t = t1; break; }
    }
    std::printf("%s rtol %g atol %g: t_end %.4f, %d accepted, %d rejected, %ld RHS\n", what, rtol, atol, t, steps,
                w.rejected_steps(), evals);
    for (const auto& [k, v] : lim) std::printf("   %-22s %4d\n", k.c_str(), v);
  };
  if (std::getenv("SWITCH")) {
    if (std::getenv("ARK")) {
      detail::BasicSwitchingStepper<detail::ImexArk4> w(atol, rtol, stiff);
      run_switching(w, "ARK4(3)6L");
    } else {
      detail::BasicSwitchingStepper<detail::RosenbrockW> w(atol, rtol, stiff);
      run_switching(w, "ROS34PW2");
    }
    return 0;
  }
  if (std::getenv("ROSW")) {
    detail::RosenbrockW w(atol, rtol, stiff);
    run_alone(w, "RosW");
    return 0;
  }
  if (std::getenv("ARK")) {
    detail::ImexArk4 w(atol, rtol, stiff);
    run_alone(w, "IMEX ARK4");
    return 0;
  }
  while (t < 0.6) {
    st.do_step(rhs, x, dxdt, t, xout, dxout, h, xerr);
    double err = 0;
    int arg = 0;
    for (int i = 0; i < n; ++i) {
      const double e = std::abs(xerr[i]) / (atol + rtol * (std::abs(x[i]) + h * std::abs(dxdt[i])));
      if (e > err) err = e, arg = i;
    }
    if (verbose) std::printf("t=%.5f h=%.3e err=%.3f %s %s x=%.3e dx=%.3e\n", t, h, err, err > 1 ? "REJ" : "acc", name[arg].c_str(), x[arg], dxdt[arg]);
    if (err > 1) {
      ++rej, ++limit_rej[name[arg]];
      h *= std::max(0.9 * std::pow(err, -1.0 / 3.0), 0.2);
      continue;
    }
    ++acc, ++limit_acc[name[arg]];
    hs.push_back(h);
    t += h;
    x = xout, dxdt = dxout;
    if (probe < probe_times.size() && t >= probe_times[probe]) jac_eigs(x, t), ++probe;
    if (err < 0.5) h *= 0.9 * std::pow(std::max(err, std::pow(5.0, -5.0)), -1.0 / 5.0);
    State d(n);
    stance_rhs(c, t, x.data(), (const double*)nullptr, d.data(), &sig);
    if (rule.toe_off_in_step(sig.grf_y, sig.body_com_vy, model.body_weight())) break;
  }
  std::printf("rtol %g atol %g: t_end %.4f, %d accepted, %d rejected, ~%d RHS (6/step + 1)\n", rtol, atol, t, acc, rej,
              6 * (acc + rej) + 1);
  std::printf("component with the largest scaled error (accepted / rejected steps):\n");
  for (const auto& [k, v] : limit_acc) std::printf("   %-22s %4d / %d\n", k.c_str(), v, limit_rej[k]);
  for (const auto& [k, v] : limit_rej) if (!limit_acc.count(k)) std::printf("   %-22s %4d / %d\n", k.c_str(), 0, v);
  // Step-size histogram over stance time.
  std::printf("step sizes (accepted): ");
  double tt = 0;
  for (std::size_t i = 0; i < hs.size(); ++i) { tt += hs[i]; if (i % 25 == 0) std::printf("[t=%.3f h=%.2e] ", tt, hs[i]); }
  std::printf("\n");
}
