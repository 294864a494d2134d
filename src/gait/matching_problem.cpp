// Gait matching's decision variables, muscle roles and the evaluation of a candidate as a stance
// (the scalar path for the reported solution, the batch engine for every search step).
#include "matching_problem.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "legsim/core/error.hpp"

namespace legsim::matching_detail {

void say(const MatchingOptions& o, const char* format, ...) {
  if (!o.log) return;
  char line[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  o.log(line);
}

MuscleRoles muscle_roles(const Model& model) {
  MuscleRoles roles;
  const auto& muscles = model.muscles();
  for (const Variable& v : kVariables) {
    if (v.acts == Acts::kNone) continue;
    for (std::size_t i = 0; i < muscles.size(); ++i)
      if (muscles[i].has_tag(v.tag)) roles[static_cast<int>(v.id)].push_back(static_cast<int>(i));
    if (roles[static_cast<int>(v.id)].empty())
      throw InputError(std::string("gait matching: no muscle of the model is tagged \"") + v.tag + "\", the role the variable " +
                       v.name + " acts on; add the tag to the muscle that plays it (models/runner.toml: " +
                       "muscles.<name>.tags)");
  }
  for (std::size_t i = 0; i < muscles.size(); ++i)
    for (const Acts kind : {Acts::kLevel, Acts::kOffset}) {
      std::string first;
      for (const Variable& v : kVariables) {
        if (v.acts != kind || !muscles[i].has_tag(v.tag)) continue;
        if (!first.empty())
          throw InputError("gait matching: muscle '" + muscles[i].name + "' has the tags of two roles, \"" + first +
                           "\" and \"" + v.tag + "\", whose variables would both set its feedforward " +
                           (kind == Acts::kLevel ? "level" : "offset") + "; keep one");
        first = v.tag;
      }
    }
  return roles;
}

VecX to_physical(const VecX& u) {
  VecX x;
  for (int i = 0; i < kNumVars; ++i) x(i) = kVariables[i].lo + u(i) * (kVariables[i].hi - kVariables[i].lo);
  return x;
}
VecX to_unit(const VecX& x) {
  VecX u;
  for (int i = 0; i < kNumVars; ++i) u(i) = std::clamp((x(i) - kVariables[i].lo) / (kVariables[i].hi - kVariables[i].lo), 0.0, 1.0);
  return u;
}

void setup(const Problem& p, const VecX& x, TouchdownState& td, ControllerParams& ctrl) {
  ctrl = p.model.controller();
  for (const Variable& v : kVariables)
    for (int i : p.roles[static_cast<int>(v.id)])
      (v.acts == Acts::kLevel ? ctrl.muscles[i].level : ctrl.muscles[i].offset) = at(x, v.id);
  ctrl.trunk_reference_lean = at(x, Var::kTrunkLean);

  td = TouchdownState{};
  td.trunk_lean = at(x, Var::kTrunkLean);
  td.hip_flexion = at(x, Var::kTouchdownHipFlexion);
  td.knee_flexion = at(x, Var::kTouchdownKneeFlexion);
  const double shank_angle = (td.hip_flexion - td.trunk_lean) - td.knee_flexion;  // from vertical, forward +
  td.ankle_dorsiflexion = p.cond.foot_strike == FootStrike::kAnkleAngle
                              ? p.cond.touchdown_ankle_angle_deg * kDegToRad
                              : foot_strike_angle(p.cond.foot_strike) - shank_angle;
  td.ankle_dorsiflexion = std::clamp(td.ankle_dorsiflexion, -0.8, 0.6);
  td.hip_velocity_x = p.cond.speed * at(x, Var::kTouchdownSpeedFactor);
  td.hip_velocity_y = at(x, Var::kTouchdownVerticalVelocity);
  td.hip_angular_velocity = p.options.touchdown_hip_angular_velocity;
  td.knee_angular_velocity = p.options.touchdown_knee_angular_velocity;
  if (p.options.touchdown_foot_velocity) set_touchdown_foot_velocity(p.model, td, *p.options.touchdown_foot_velocity);
  // Touchdown activation = the controller's feedforward excitation at t = 0 (pre-activation).
  td.activations.resize(ctrl.muscles.size());
  for (std::size_t i = 0; i < ctrl.muscles.size(); ++i) {
    const MuscleControl& m = ctrl.muscles[i];
    td.activations[i] = std::clamp(feedforward_excitation(m.level, m.onset, m.offset, ctrl.ramp_time, 0.0),
                                   p.model.muscles()[i].params.min_activation, 1.0);
  }
}

VecR tolerances(const MatchingOptions& o) {
  VecR t;
  t << o.speed_tolerance, o.vertical_velocity_tolerance, o.height_tolerance, o.step_length_tolerance,
      o.trunk_lean_tolerance;
  return t;
}

/// Periodicity residuals and effort of a stance from its summary (both engines report one): the
/// centre of mass at touchdown (a) and toe-off (b) after a ballistic flight.
Evaluation from_summary(const Problem& p, const StanceSummary& s) {
  const CentreOfMassState &a = s.com_touchdown, &b = s.com_toeoff;
  const double contact_time = s.contact_time, effort = s.effort, trunk_lean_change = s.trunk_lean_change;
  const double g = kGravity;
  const double tf = p.cond.step_time - contact_time;
  const double L = p.cond.step_length;
  Evaluation e;
  e.residual(0) = (b.vx - a.vx) / p.cond.speed;
  e.residual(1) = b.vy - g * tf - a.vy;
  e.residual(2) = b.y + b.vy * tf - 0.5 * g * tf * tf - a.y;
  e.residual(3) = (b.x - a.x + b.vx * tf - L) / L;
  e.residual(4) = trunk_lean_change;
  e.scaled = e.residual.cwiseQuotient(tolerances(p.options));
  if (!p.options.periodic_trunk_lean) e.scaled(4) = 0.0;  // reported, not matched
  e.effort = effort;
  e.ok = true;
  return e;
}

/// The scalar Odeint path with the full recording (the reported solution).
Evaluation evaluate_recorded(Problem& p, const VecX& x, StanceResult* keep) {
  TouchdownState td;
  ControllerParams ctrl;
  setup(p, x, td, ctrl);
  StanceOptions so;
  so.capacity_factors = p.caps;
  so.relative_tolerance = p.options.relative_tolerance;
  so.absolute_tolerance = p.options.relative_tolerance * 1e-2;
  so.event_tolerance = 1e-9;
  // The batch engine's method, so the recorded stance is the one the residuals were computed on.
  so.integrator = StanceIntegrator::kDormandPrince;
  ++p.evaluations;
  *keep = simulate_stance(p.model, td, ctrl, so);
  const StanceResult& r = *keep;
  if (!r.ok()) {
    Evaluation e;
    e.message = r.message;
    return e;
  }
  return from_summary(p, r.summary);
}

/// Residuals and effort of a batch-engine outcome.
Evaluation from_outcome(const Problem& p, const BatchStanceOutcome& o) {
  if (!o.ok()) {
    Evaluation e;
    e.message = o.message;
    return e;
  }
  return from_summary(p, o);
}

/// Evaluates many points at once on the batch engine (SIMD lanes, both cores).
std::vector<Evaluation> evaluate_many(Problem& p, const std::vector<VecX>& xs) {
  std::vector<StanceJob> jobs(xs.size());
  for (std::size_t k = 0; k < xs.size(); ++k) {
    setup(p, xs[k], jobs[k].touchdown, jobs[k].controller);
    jobs[k].capacity_factors = p.caps;
  }
  BatchOptions bo;
  bo.threads = p.options.threads;
  bo.relative_tolerance = p.options.relative_tolerance;
  bo.absolute_tolerance = p.options.relative_tolerance * 1e-2;
  bo.event_tolerance = 1e-9;
  bo.keep_states = false;
  bo.effort_only = true;  // matching reads contact time, centre of mass and effort only
  // Dormand–Prince throughout, as the recorded stance of a match: the finite-difference Jacobian
  // below differences stances whose step sequences must vary smoothly with the variables, which a
  // per-lane method switch (a discrete event) would not.
  bo.integrator = StanceIntegrator::kDormandPrince;
  p.evaluations += static_cast<int>(xs.size());
  const std::vector<BatchStanceOutcome> out = simulate_stances(p.model, jobs, bo);
  std::vector<Evaluation> ev;
  ev.reserve(out.size());
  for (const auto& o : out) ev.push_back(from_outcome(p, o));
  return ev;
}

/// One point on the batch engine (the same integrator as the finite differences, so residual
/// differences are consistent).
Evaluation evaluate(Problem& p, const VecX& x) { return evaluate_many(p, {x})[0]; }

/// Forward-difference Jacobian of the scaled residuals and the effort w.r.t. unit variables.
bool jacobian(Problem& p, const VecX& u, const Evaluation& e0, Eigen::Matrix<double, kNumResiduals, kNumVars>& J,
              VecX& grad_effort) {
  constexpr double kStep = 1e-4;
  std::vector<VecX> xs;
  std::array<double, kNumVars> h;
  for (int i = 0; i < kNumVars; ++i) {
    VecX up = u;
    h[i] = up(i) + kStep <= 1.0 ? kStep : -kStep;
    up(i) += h[i];
    xs.push_back(to_physical(up));
  }
  const std::vector<Evaluation> ev = evaluate_many(p, xs);
  for (int i = 0; i < kNumVars; ++i) {
    if (!ev[i].ok) return false;
    J.col(i) = (ev[i].scaled - e0.scaled) / h[i];
    grad_effort(i) = (ev[i].effort - e0.effort) / h[i];
  }
  return true;
}

}  // namespace legsim::matching_detail
