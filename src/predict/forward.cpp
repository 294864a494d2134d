// Forward simulation of a predicted gait (include/legsim/predict/forward.hpp): Boost.Odeint's
// controlled Dormand–Prince 5(4) stepper (the stepper of src/sim/simulate.cpp), stopping at every
// sample so that each step lies within one mesh interval, where the interpolated excitations are smooth.
#include "legsim/predict/forward.hpp"

#include <algorithm>
#include <Eigen/Dense>
#include <boost/numeric/odeint.hpp>
#include <functional>
#include <cmath>
#include <limits>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/joint_load/pfj.hpp"
#include "legsim/predict/biped_physics.hpp"
#include "rosenbrock.hpp"

namespace legsim::predict {

namespace odeint = boost::numeric::odeint;
using detail::RosenbrockStepper;

BipedPhysicsConstants make_biped_physics_constants(const Model& model_in, const GaitCondition& condition) {
  resolve(condition);  // validates
  const Model model = condition_model(model_in, condition);
  const std::vector<double> capacity = capacity_factors(model, condition);
  BipedPhysicsConstants c;
  c.muscles = make_stance_constants(model, capacity.data());
  c.body = biped_params(model.body());
  c.contact = model.foot_contact();
  c.body_weight = model.body_mass() * kGravity;
  c.n_muscles = c.muscles.n_muscles;
  for (int i = 0; i < c.n_muscles; ++i) {
    const bool rigid = c.muscles.muscles[i].rigid_tendon;
    c.compliant_slot.push_back(rigid ? -1 : c.n_compliant);
    if (!rigid) ++c.n_compliant;
  }
  return c;
}

namespace {

constexpr int kNq = kBipedDof;
constexpr double kContactThreshold = 20.0;  // N, as the collocation's touchdown and gait_metrics
constexpr long kMaxSteps = 10'000'000;

using State = std::vector<double>;

/// Piecewise-linear interpolation of rows[k][j] at t on the grid `time` (clamped at its ends).
void interpolate_row(const std::vector<double>& time, const std::vector<std::vector<double>>& rows, double t,
                     double* out, std::size_t n) {
  const auto it = std::upper_bound(time.begin(), time.end(), t);
  if (it == time.begin() || it == time.end()) {
    const std::vector<double>& r = it == time.begin() ? rows.front() : rows.back();
    std::copy(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(n), out);
    return;
  }
  const std::size_t k = static_cast<std::size_t>(it - time.begin()) - 1;
  const double w = (t - time[k]) / (time[k + 1] - time[k]);
  for (std::size_t j = 0; j < n; ++j) out[j] = rows[k][j] + w * (rows[k + 1][j] - rows[k][j]);
}

void check_rows(const char* field, const std::vector<std::vector<double>>& rows, std::size_t n_rows, std::size_t n_cols) {
  if (rows.size() != n_rows)
    throw InputError(std::string("simulate_biped: gait.") + field + ": expected " + std::to_string(n_rows) +
                     " nodes, got " + std::to_string(rows.size()));
  for (const std::vector<double>& r : rows)
    if (r.size() != n_cols)
      throw InputError(std::string("simulate_biped: gait.") + field + ": expected " + std::to_string(n_cols) +
                       " values per node, got " + std::to_string(r.size()));
}

/// The right foot's contact time on (time, fy): first fall to the threshold after sample 0, linearly
/// interpolated; NaN if none.
double contact_time_of(const std::vector<double>& time, const std::vector<double>& fy) {
  for (std::size_t k = 1; k < time.size(); ++k)
    if (!(fy[k] > kContactThreshold)) {
      const double f0 = fy[k - 1], f1 = fy[k];
      const double w = (f0 - kContactThreshold) / std::max(f0 - f1, 1e-12);
      return time[k - 1] + std::clamp(w, 0.0, 1.0) * (time[k] - time[k - 1]);
    }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

BipedSimulation simulate_biped(const Model& model, const GaitCondition& condition, const PredictedGait& g,
                               double duration, const ForwardOptions& options) {
  const BipedPhysicsConstants c = make_biped_physics_constants(model, condition);
  const PfjParams pfj = condition_model(model, condition).pfj();
  const int m = c.n_muscles, nc = c.n_compliant;
  const std::size_t n_nodes = g.time.size();
  // ---- validate the gait against the model and the options ----
  if (n_nodes < 2) throw InputError("simulate_biped: gait.time: expected at least 2 nodes, got " + std::to_string(n_nodes));
  for (std::size_t k = 1; k < n_nodes; ++k)
    if (!(g.time[k] > g.time[k - 1]))
      throw InputError("simulate_biped: gait.time must increase (node " + std::to_string(k) + ")");
  if (g.muscle_names.size() != static_cast<std::size_t>(2 * m))
    throw InputError("simulate_biped: gait.muscle_names: expected " + std::to_string(2 * m) + " muscles, got " +
                     std::to_string(g.muscle_names.size()));
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < m; ++i) {
      const std::string expected = model.muscles()[i].name + (s == 0 ? "_r" : "_l");
      if (g.muscle_names[s * m + i] != expected)
        throw InputError("simulate_biped: gait.muscle_names[" + std::to_string(s * m + i) + "] = " +
                         g.muscle_names[s * m + i] + ", expected " + expected + " (the gait is of another model)");
    }
  check_rows("q", g.q, n_nodes, kNq);
  check_rows("qd", g.qd, n_nodes, kNq);
  check_rows("excitation", g.excitation, n_nodes, 2 * m);
  check_rows("activation", g.activation, n_nodes, 2 * m);
  check_rows("tendon_force", g.tendon_force, n_nodes, 2 * m);
  const bool reserves = !g.reserve.empty() &&
                        std::any_of(g.reserve.begin(), g.reserve.end(), [](const std::vector<double>& r) {
                          return std::any_of(r.begin(), r.end(), [](double v) { return v != 0.0; });
                        });
  if (reserves) check_rows("reserve", g.reserve, n_nodes, 6);
  require(duration > 0.0 && duration <= g.time.back() - g.time.front(), "simulate_biped: duration", duration,
          "(0, the gait's duration " + format_value(g.time.back() - g.time.front()) + " s]");
  const IntegratorSettings& is = model.integrator();
  const double rtol = options.relative_tolerance > 0 ? options.relative_tolerance : is.relative_tolerance;
  const double atol = options.absolute_tolerance > 0 ? options.absolute_tolerance : is.absolute_tolerance;
  require(rtol <= 1e-2, "options.relative_tolerance", rtol, "(0, 0.01]");
  require(atol <= 1e-2, "options.absolute_tolerance", atol, "(0, 0.01]");
  require(options.samples_per_interval >= 1 && options.samples_per_interval <= 1000, "options.samples_per_interval",
          options.samples_per_interval, "[1, 1000]");

  // ---- initial state: node 0 ----
  const int ia = 2 * kNq, ift = 2 * kNq + 2 * m;
  State x0(2 * kNq + 2 * m + 2 * nc);
  for (int j = 0; j < kNq; ++j) {
    x0[j] = g.q[0][j];
    x0[kNq + j] = g.qd[0][j];
  }
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < m; ++i) {
      x0[ia + s * m + i] = g.activation[0][s * m + i];
      const int slot = c.compliant_slot[i];
      if (slot >= 0)  // the gait reports f_T·F_max (N)
        x0[ift + s * nc + slot] = g.tendon_force[0][s * m + i] / c.muscles.muscles[i].mtu.max_isometric_force;
    }

  // ---- the right-hand side ----
  const BipedConstants<double> b = make_biped_constants<double>(c.body);
  const double t0 = g.time.front();
  std::array<double, 2 * kMaxMuscles> e{};
  std::array<double, 6> r{};
  long evaluations = 0;
  auto forces = [&](const double* x, double t) {
    interpolate_row(g.time, g.excitation, t0 + t, e.data(), 2 * m);
    if (reserves) interpolate_row(g.time, g.reserve, t0 + t, r.data(), 6);
    BipedVector<double> q, qd;
    for (int j = 0; j < kNq; ++j) {
      q[j] = x[j];
      qd[j] = x[kNq + j];
    }
    return biped_applied_forces<double>(c, b, q, qd, x + ia, x + ift, e.data(),
                                        reserves ? r.data() : nullptr);
  };
  const auto rhs = [&](const double* x, double* dxdt, double t) {
    ++evaluations;
    const BipedForces<double> f = forces(x, t);
    BipedVector<double> q, qd;
    for (int j = 0; j < kNq; ++j) {
      q[j] = x[j];
      qd[j] = x[kNq + j];
    }
    const BipedVector<double> qdd = biped_forward_dynamics(b, q, qd, f.Q);
    for (int j = 0; j < kNq; ++j) {
      dxdt[j] = qd[j];
      dxdt[kNq + j] = qdd[j];
    }
    for (int i = 0; i < 2 * m; ++i) dxdt[ia + i] = f.activation_rate[i];
    for (int k = 0; k < 2 * nc; ++k) dxdt[ift + k] = f.tendon_force_rate[k];
  };

  // ---- sample times: every node within the duration and samples_per_interval − 1 between ----
  BipedSimulation out;
  out.muscle_names = g.muscle_names;
  const int sub = options.samples_per_interval;
  for (std::size_t k = 0; k < n_nodes; ++k) {
    const double a = g.time[k] - t0;
    if (a > duration) break;
    out.node_sample.push_back(static_cast<int>(out.time.size()));
    out.time.push_back(a);
    if (k + 1 == n_nodes) break;
    const double bnd = g.time[k + 1] - t0;
    for (int i = 1; i < sub; ++i) {
      const double t = a + (bnd - a) * i / sub;
      if (t >= duration) break;
      out.time.push_back(t);
    }
  }
  if (out.time.back() < duration) out.time.push_back(duration);

  auto record = [&](const State& x, double t) {
    const BipedForces<double> f = forces(x.data(), t);
    out.q.emplace_back(x.begin(), x.begin() + kNq);
    out.qd.emplace_back(x.begin() + kNq, x.begin() + 2 * kNq);
    out.excitation.emplace_back(e.begin(), e.begin() + 2 * m);
    out.activation.emplace_back(x.begin() + ia, x.begin() + ia + 2 * m);
    out.tendon_force.emplace_back(f.tendon_force.begin(), f.tendon_force.begin() + 2 * m);
    out.grf.emplace_back(f.grf.begin(), f.grf.end());
    out.joint_moment.emplace_back(f.joint_moment.begin(), f.joint_moment.end());
    out.quadriceps_force.emplace_back(f.quadriceps_force.begin(), f.quadriceps_force.end());
    std::vector<double> pf(2), ps(2);
    for (int s = 0; s < 2; ++s) {
      const int knee = s == 0 ? knee_index(Side::kRight) : knee_index(Side::kLeft);
      const PfjLoad<double> l = pfj_load(f.quadriceps_force[s], x[knee] * kRadToDeg, pfj);
      pf[s] = l.force;
      ps[s] = l.stress;
    }
    out.pfj_force.push_back(pf);
    out.pfj_stress.push_back(ps);
  };

  // ---- integrate, stopping at every sample ----
  double t = 0.0;
  const auto fail = [&](const std::string& why) {
    throw SimulationError("simulate_biped: " + why + " at t = " + format_value(t) + " s");
  };
  // One loop for both steppers: try_step to the next sample, shortening the last step to land on it.
  const auto run = [&](auto& stepper, auto system, auto& x) {
    double dt = is.initial_step;
    for (std::size_t i = 1; i < out.time.size(); ++i) {
      const double target = out.time[i];
      while (t < target) {
        const bool last = dt >= target - t;
        const double dt_free = dt;
        double step = last ? target - t : dt;
        const odeint::controlled_step_result res = stepper.try_step(system, x, t, step);
        if (res == odeint::success) {
          ++out.steps;
          if (out.steps > kMaxSteps) fail("more than " + std::to_string(kMaxSteps) + " steps");
          if (!std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); }))
            fail("the state became non-finite");
          if (last) {
            t = target;
            dt = std::max(step, dt_free);  // a step shortened to reach the sample says little
          } else {
            dt = step;
          }
        } else {
          dt = step;
          if (dt < is.min_step)
            fail("the step size fell to " + format_value(dt) + " s (minimum " + format_value(is.min_step) + " s)");
        }
      }
      record(State(x.begin(), x.end()), t);
    }
  };
  record(x0, 0.0);
  try {
    if (options.integrator == ForwardIntegrator::kDopri5) {
      auto stepper = odeint::make_controlled(atol, rtol, odeint::runge_kutta_dopri5<State>());
      State x = x0;
      run(stepper, [&](const State& xs, State& dxdt, double ts) { rhs(xs.data(), dxdt.data(), ts); }, x);
    } else {
      RosenbrockStepper stepper(atol, rtol, x0.size(), rhs);
      State x = x0;
      run(stepper, nullptr, x);
    }
  } catch (const odeint::odeint_error& err) {
    fail(std::string("Odeint failed: ") + err.what());
  }
  out.rhs_evaluations = evaluations;

  // ---- contact time and stance metrics ----
  std::vector<double> fy(out.time.size());
  for (std::size_t k = 0; k < fy.size(); ++k) fy[k] = out.grf[k][1];
  out.contact_time = contact_time_of(out.time, fy);
  const double bw = c.body_weight;
  double peak_pfj = 0.0, peak_pfj_nodes = 0.0, peak_stress = 0.0, peak_fy = 0.0, peak_quad = 0.0, peak_knee = -1e9;
  for (std::size_t k = 0; k < out.time.size(); ++k) {
    if (out.time[k] > out.contact_time) break;  // (NaN: never)
    peak_pfj = std::max(peak_pfj, out.pfj_force[k][0]);
    peak_stress = std::max(peak_stress, out.pfj_stress[k][0]);
    peak_fy = std::max(peak_fy, fy[k]);
    peak_quad = std::max(peak_quad, out.quadriceps_force[k][0]);
    peak_knee = std::max(peak_knee, out.q[k][knee_index(Side::kRight)] * kRadToDeg);
  }
  for (int k : out.node_sample)
    if (k < static_cast<int>(out.time.size()) && !(out.time[k] > out.contact_time))
      peak_pfj_nodes = std::max(peak_pfj_nodes, out.pfj_force[k][0]);
  out.metrics["contact_time_s"] = out.contact_time;
  out.metrics["peak_pfj_force_bw"] = peak_pfj / bw;
  out.metrics["peak_pfj_force_at_nodes_bw"] = peak_pfj_nodes / bw;
  out.metrics["peak_pfj_stress_mpa"] = peak_stress * 1e-6;
  out.metrics["peak_vertical_grf_bw"] = peak_fy / bw;
  out.metrics["peak_quadriceps_force_bw"] = peak_quad / bw;
  out.metrics["peak_knee_flexion_stance_deg"] = peak_knee;
  return out;
}

StanceAgreement compare_stance(const Model& model, const GaitCondition& condition, const PredictedGait& g,
                               const BipedSimulation& sim) {
  if (!g.converged) throw InputError("compare_stance: the gait did not converge (" + g.status + ")");
  const std::map<std::string, double> pm = gait_metrics(model, condition, g);
  StanceAgreement a;
  a.contact_time_predicted = pm.at("contact_time_s");
  a.contact_time_simulated = sim.contact_time;
  a.contact_time_difference = sim.contact_time - a.contact_time_predicted;
  a.peak_pfj_force_predicted_bw = pm.at("peak_pfj_force_bw");
  a.peak_pfj_force_simulated_bw = sim.metrics.at("peak_pfj_force_bw");
  a.peak_pfj_force_simulated_at_nodes_bw = sim.metrics.at("peak_pfj_force_at_nodes_bw");
  a.peak_pfj_force_relative_difference = a.peak_pfj_force_simulated_bw / a.peak_pfj_force_predicted_bw - 1.0;
  a.peak_pfj_force_relative_difference_at_nodes =
      a.peak_pfj_force_simulated_at_nodes_bw / a.peak_pfj_force_predicted_bw - 1.0;
  // Stance nodes as gait_metrics: 0 .. the last node with the right vertical force above 20 N.
  std::size_t last = 0;
  while (last + 1 < g.time.size() && g.grf[last + 1][1] > kContactThreshold) ++last;
  if (last >= sim.node_sample.size())
    throw InputError("compare_stance: the simulation ends at " + format_value(sim.time.back()) +
                     " s, before the predicted stance's last node at " + format_value(g.time[last]) + " s");
  for (std::size_t k = 0; k <= last; ++k) {
    const std::vector<double>& qs = sim.q[sim.node_sample[k]];
    for (int j = 3; j < kNq; ++j) {
      const double d = std::abs(qs[j] - g.q[k][j]) * kRadToDeg;
      if (d > a.max_joint_angle_difference_deg) {
        a.max_joint_angle_difference_deg = d;
        a.worst_coordinate = j;
        a.worst_time = g.time[k];
      }
    }
    a.max_trunk_lean_difference_deg = std::max(a.max_trunk_lean_difference_deg, std::abs(qs[2] - g.q[k][2]) * kRadToDeg);
  }
  return a;
}

}  // namespace legsim::predict
