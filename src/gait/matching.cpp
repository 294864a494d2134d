// Gait matching: a feasibility phase (trust-region Gauss–Newton, minimum-norm steps on the four
// periodicity residuals; NLopt BOBYQA as a fallback when it fails) followed by effort minimization
// under the periodicity equalities (reduced-space quasi-Newton SQP, see effort_descent). Gradients by
// forward finite differences of whole stance simulations, evaluated as batch lanes. Deterministic:
// no randomness, fixed iteration budgets, results depend only on the inputs.
#include "legsim/gait/matching.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>
#include <nlopt.hpp>  // BOBYQA (phase 0)

#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/sim/metrics.hpp"

namespace legsim {
namespace {

/// One progress line to options.log (printf-style), if the caller set one.
[[gnu::format(printf, 2, 3)]] void say(const MatchingOptions& o, const char* format, ...) {
  if (!o.log) return;
  char line[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  o.log(line);
}


/// The matched decision variables, in their (public, gait_variable_names) order. Addressed by name
/// here, never by position, so reordering or adding one cannot silently switch what another does.
enum class Var {
  kTouchdownVerticalVelocity,
  kTouchdownHipFlexion,
  kTouchdownKneeFlexion,
  kTrunkLean,
  kSoleusLevel,
  kGastrocnemiusLevel,
  kQuadricepsLevel,
  kGluteusLevel,
  kCalfOffset,
  kQuadricepsOffset,
  kTouchdownSpeedFactor,
  kCount
};

/// What a variable sets in the stance controller of the muscles carrying its role tag (kNone: a
/// touchdown-state variable, set in setup()).
enum class Acts { kNone, kLevel, kOffset };

struct Variable {
  Var id;
  const char* name;  ///< public name (gait_variable_names; sweep journals store solutions by it)
  double lo, hi;
  Acts acts = Acts::kNone;
  /// The muscles it acts on: those tagged so in the model file (models/runner.toml), so a renamed
  /// muscle keeps its role and a model without one fails with a message (muscle_roles) instead of
  /// leaving the variable without effect. Level roles are one anatomical group each; the calf offset
  /// acts on every "calf" muscle (the Achilles group, as in the stance metrics and calf fatigue).
  const char* tag = nullptr;
  double guess = 0.0;  ///< default start when the model's controller gives none (touchdown variables)
};

// Bounds: touchdown knee flexion 10–25° (physiological at contact, docs/gait_matching.md); the rest wide
// enough that a solution on a bound signals a poor parameterization, not an answer. Starting guesses
// of the touchdown variables: a generic running touchdown at 3.5 m/s (the controller variables start
// from the model file's controller, default_gait_guess).
constexpr Variable kVariables[] = {
    {Var::kTouchdownVerticalVelocity, "touchdown_vertical_velocity", -1.5, 0.0, Acts::kNone, nullptr, -0.5},  // m/s (hip)
    {Var::kTouchdownHipFlexion, "touchdown_hip_flexion", 0.1, 0.9, Acts::kNone, nullptr, 0.45},  // rad
    {Var::kTouchdownKneeFlexion, "touchdown_knee_flexion", 10.0 * kDegToRad, 25.0 * kDegToRad, Acts::kNone, nullptr,
     18.0 * kDegToRad},  // rad
    {Var::kTrunkLean, "trunk_lean", 0.0, 0.4},  // rad, touchdown lean = controller reference
    {Var::kSoleusLevel, "soleus_level", 0.0, 1.0, Acts::kLevel, "uniarticular_plantarflexor"},
    {Var::kGastrocnemiusLevel, "gastrocnemius_level", 0.0, 1.0, Acts::kLevel, "biarticular_plantarflexor"},
    {Var::kQuadricepsLevel, "quadriceps_level", 0.0, 1.0, Acts::kLevel, "knee_extensor"},
    {Var::kGluteusLevel, "gluteus_level", 0.0, 1.0, Acts::kLevel, "uniarticular_hip_extensor"},
    {Var::kCalfOffset, "calf_offset", 0.08, 0.4, Acts::kOffset, "calf"},                  // s
    {Var::kQuadricepsOffset, "quadriceps_offset", 0.03, 0.3, Acts::kOffset, "knee_extensor"},  // s
    {Var::kTouchdownSpeedFactor, "touchdown_speed_factor", 0.85, 1.15, Acts::kNone, nullptr, 1.0},  // hip vx / speed
};
constexpr int kNumVars = static_cast<int>(std::size(kVariables));
static_assert(kNumVars == static_cast<int>(Var::kCount), "one kVariables entry per Var");
static_assert([] {
  for (int i = 0; i < kNumVars; ++i)
    if (static_cast<int>(kVariables[i].id) != i) return false;
  return true;
}(), "kVariables must list the variables in Var order");
constexpr int kNumResiduals = 5;
using VecX = Eigen::Matrix<double, kNumVars, 1>;
using VecR = Eigen::Matrix<double, kNumResiduals, 1>;

/// A variable's value in a physical-unit vector.
double at(const VecX& x, Var v) { return x(static_cast<int>(v)); }

/// For each variable, the model's muscles (indices) it acts on; empty for touchdown variables.
using MuscleRoles = std::array<std::vector<int>, kNumVars>;

/// The muscles each controller variable acts on, by role tag. Throws InputError when a role has no
/// muscle (the variable would silently do nothing) or a muscle has two roles of one kind (two
/// variables would set its one level or offset).
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

/// Everything one evaluation needs, fixed per condition.
struct Problem {
  const Model& model;
  ResolvedCondition cond;
  std::vector<double> caps;
  MatchingOptions options;
  MuscleRoles roles;  // the muscles each controller variable acts on (muscle_roles)
  int evaluations = 0;
  // The derivative-free search (global_phase): points evaluated, the best residual norm so far and
  // at the start of the current round, the last failure, and why the search gave up (if it did).
  int global_evaluations = 0, round_start = 0;
  double best_norm = std::numeric_limits<double>::infinity(), round_best = best_norm;
  std::string last_failure, gave_up;
};

/// Early stop of the derivative-free search far from any periodic gait (issue 18, item 6). Rounds of
/// 2n + 1 evaluations (BOBYQA's interpolation set): when a round ends with no valid stance at all
/// (its quadratic model is flat), or with the scaled residual norm still above kFarResidual and
/// lowered by less than kMinRoundProgress, the condition is beyond the model — before, such a search
/// spent its whole budget (1.5 m/s at 120 steps/min: 650 stances, the residual norm 112 -> 104).
constexpr int kGlobalProbe = 2 * kNumVars + 1;
constexpr double kFarResidual = 10.0;       // tolerances; near-feasible searches are never stopped
constexpr double kMinRoundProgress = 0.05;  // relative decrease of the best residual norm per round

struct Evaluation {
  bool ok = false;
  std::string message;
  double effort = 0.0;
  VecR residual = VecR::Zero();  ///< physical units (see matching.hpp)
  VecR scaled = VecR::Zero();    ///< residual / tolerance: |scaled| < 1 is within tolerance
};

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

/// Periodicity residuals of a stance from the centre of mass at touchdown (a) and toe-off (b).
Evaluation periodicity(const Problem& p, const CentreOfMassState& a, const CentreOfMassState& b, double contact_time,
                       double effort, double trunk_lean_change) {
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
  ++p.evaluations;
  *keep = simulate_stance(p.model, td, ctrl, so);
  const StanceResult& r = *keep;
  if (!r.ok()) {
    Evaluation e;
    e.message = r.message;
    return e;
  }
  const auto com_at = [&](std::size_t i) {
    return CentreOfMassState{r.column("com_x_m")[i], r.column("com_y_m")[i], r.column("com_velocity_x_m_per_s")[i],
                             r.column("com_velocity_y_m_per_s")[i]};
  };
  const std::size_t last = r.column("time_s").size() - 1;
  const auto& lean = r.column("trunk_lean_deg");
  return periodicity(p, com_at(0), com_at(last), r.contact_time, r.metrics.at("effort"),
                     (lean[last] - lean[0]) * kDegToRad);
}

/// Residuals and effort of a stance outcome of the batch engine.
Evaluation from_outcome(const Problem& p, const BatchStanceOutcome& o) {
  if (!o.ok()) {
    Evaluation e;
    e.message = o.message;
    return e;
  }
  return periodicity(p, o.com_touchdown, o.com_toeoff, o.contact_time, o.effort, o.trunk_lean_change);
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

/// Phase 1: minimum-norm Gauss–Newton steps on the scaled residuals, limited to a trust radius in
/// the unit box (the stance is strongly nonlinear in its parameters far from a periodic gait).
bool feasibility(Problem& p, VecX& u, Evaluation& e, std::string& why) {
  double radius = 0.1;
  for (int it = 0; it < 30 && p.evaluations < p.options.max_stances; ++it) {
    if (!e.ok) {
      why = e.message;
      return false;
    }
    if (e.scaled.cwiseAbs().maxCoeff() < 0.5) return true;
    Eigen::Matrix<double, kNumResiduals, kNumVars> J;
    VecX ge;
    if (!jacobian(p, u, e, J, ge)) {
      why = "a finite-difference stance failed";
      return false;
    }
    say(p.options, "it %d |r| %g r = %g %g %g %g effort %g radius %g", it, e.scaled.norm(), e.scaled(0),
                   e.scaled(1), e.scaled(2), e.scaled(3), e.effort, radius);
    const Eigen::Matrix<double, kNumResiduals, kNumResiduals> A =
        J * J.transpose() + 1e-9 * Eigen::Matrix<double, kNumResiduals, kNumResiduals>::Identity();
    const VecX full = -J.transpose() * A.ldlt().solve(e.scaled);
    // Candidate steps along the Gauss–Newton direction at the trust radius and shorter ones, all
    // evaluated in one batch call (lanes are cheap); the best that lowers |r| is taken.
    const double n = full.norm();
    std::vector<VecX> cand_u, cand_x;
    double r = std::min(radius, n);
    for (int k = 0; k < 8; ++k, r /= 2.0) {
      const VecX un = (u + full * (r / std::max(n, 1e-300))).cwiseMax(0.0).cwiseMin(1.0);
      cand_u.push_back(un);
      cand_x.push_back(to_physical(un));
    }
    // The longest steps first, one batch round (batch_lanes() of them); the shorter ones only if none
    // of those lowers |r| (the longest steps usually win: 6 of 6 iterations at the default condition).
    const std::size_t first = std::min(cand_x.size(), batch_lanes());
    std::vector<Evaluation> ce = evaluate_many(p, std::vector<VecX>(cand_x.begin(), cand_x.begin() + first));
    const auto lowers = [&](const Evaluation& c) { return c.ok && c.scaled.norm() < e.scaled.norm(); };
    if (first < cand_x.size() && std::none_of(ce.begin(), ce.end(), lowers)) {
      const std::vector<Evaluation> rest = evaluate_many(p, std::vector<VecX>(cand_x.begin() + first, cand_x.end()));
      ce.insert(ce.end(), rest.begin(), rest.end());
    }
    int best = -1;
    for (int k = 0; k < static_cast<int>(ce.size()); ++k) {
      say(p.options, "  step %g -> ok %d |r| %g %s", (cand_u[k] - u).norm(), ce[k].ok,
                     ce[k].ok ? ce[k].scaled.norm() : -1.0, ce[k].message.c_str());
      if (lowers(ce[k]) && (best < 0 || ce[k].scaled.norm() < ce[best].scaled.norm()))
        best = k;
    }
    const bool improved = best >= 0;
    if (improved) {
      u = cand_u[best];
      e = ce[best];
      radius = best == 0 ? std::min(2.0 * radius, 0.5) : std::max(radius / std::pow(2.0, best), 1e-4);
    }
    if (!improved) {
      why = "periodicity residuals stopped decreasing (largest " + format_value(e.scaled.cwiseAbs().maxCoeff()) +
            " tolerances)";
      return false;
    }
  }
  why = "no periodic gait within the iteration budget";
  return e.scaled.cwiseAbs().maxCoeff() < 1.0;
}

/// Phase 0: derivative-free descent (BOBYQA) on the squared scaled residuals, robust far from a
/// periodic gait where finite-difference Newton steps stall.
double residual_objective(unsigned n, const double* x, double*, void* data) {
  Problem& p = *static_cast<Problem*>(data);
  const Evaluation e = evaluate(p, to_physical(Eigen::Map<const VecX>(x)));
  ++p.global_evaluations;
  if (e.ok) p.best_norm = std::min(p.best_norm, e.scaled.norm());
  else p.last_failure = e.message;
  if (p.global_evaluations - p.round_start >= kGlobalProbe) {
    if (!std::isfinite(p.best_norm))
      p.gave_up = "none of " + std::to_string(p.global_evaluations) + " candidate stances was a valid stance (the last: " +
                  p.last_failure + ")";
    else if (p.best_norm > kFarResidual && p.best_norm > (1.0 - kMinRoundProgress) * p.round_best)
      p.gave_up = "the periodicity residuals stay " + format_value(std::round(p.best_norm)) +
                  " tolerances away (norm), falling by less than 5 % per " + std::to_string(kGlobalProbe) + " stances";
    if (!p.gave_up.empty()) throw nlopt::forced_stop();
    p.round_start = p.global_evaluations;
    p.round_best = p.best_norm;
  }
  if (p.evaluations % 20 == 0)
    say(p.options, "bobyqa %d: ok %d |r| %g", p.evaluations, e.ok, e.ok ? e.scaled.norm() : -1.0);
  return e.ok ? e.scaled.squaredNorm() : 1e8;
}

void global_phase(Problem& p, VecX& u, Evaluation& e, int max_evaluations) {
  nlopt::opt opt(nlopt::LN_BOBYQA, kNumVars);
  opt.set_lower_bounds(std::vector<double>(kNumVars, 0.0));
  opt.set_upper_bounds(std::vector<double>(kNumVars, 1.0));
  opt.set_min_objective(residual_objective, &p);
  opt.set_initial_step(0.05);
  opt.set_stopval(0.25);  // every residual within half a tolerance is enough for phase 1
  opt.set_maxeval(max_evaluations);
  std::vector<double> x(u.data(), u.data() + kNumVars);
  double f = 0.0;
  try {
    opt.optimize(x, f);
  } catch (const std::exception&) {
  }
  const VecX ux = Eigen::Map<const VecX>(x.data());
  const Evaluation ex = evaluate(p, to_physical(ux));
  if (ex.ok && (!e.ok || ex.scaled.norm() < e.scaled.norm())) {
    u = ux;
    e = ex;
  }
}

/// Phase 2: lower the effort while staying periodic — a reduced-space quasi-Newton SQP step on
/// finite-difference gradients. Each iteration:
///  - active set: a variable on a bound whose descent direction points out of the box is held there
///    (its column of the residual Jacobian J removed), so clamping does not spoil the step;
///  - direction d = −P·H·P·g: g the effort gradient, P the projector onto the null space of J (the
///    periodicity residuals do not change to first order), H a BFGS inverse-Hessian estimate of the
///    Lagrangian built from successive Lagrangian gradients with the same multipliers (first step: a
///    short gradient step);
///  - candidates u + s₀ + t·d for three step lengths t and u + s₀ (batch lanes), s₀ the minimum-norm
///    Gauss–Newton step removing the current residual, each re-projected onto the constraints with
///    one Gauss–Newton correction (same J), and a second where the first left more than 0.1
///    tolerance; the lowest-effort candidate within half the tolerance is taken.
/// First-order (projected-gradient) steps zig-zagged along a long, flat effort valley and stopped at
/// different points for neighbouring conditions, which made sweeps jumpy (measured: 8 % neighbour
/// jumps in peak PFJ force). NLopt's SLSQP on the same gradients left the feasible set (measured).
/// Stops when neither the quasi-Newton step nor gradient steps of 0.05, 0.006 and 0.0008 (unit box)
/// lower the effort by more than 1e-5 of itself (the trade-off of time against sweep smoothness
/// that chose it: docs/gait_matching.md, "measured settings").
void effort_descent(Problem& p, VecX& u, Evaluation& e, int max_iterations) {
  using MatX = Eigen::Matrix<double, kNumVars, kNumVars>;
  using MatR = Eigen::Matrix<double, kNumResiduals, kNumResiduals>;
  constexpr double kMaxStep = 0.2;  // unit-box norm
  // Step lengths along d: with s₀ that is 4 candidates, one batch pass on a 4-lane (AVX2) core. The
  // shorter steps 0.25–0.0625 of the earlier set were almost never the best (40 iterations at the
  // default condition: best t = 2, 1 or 0.5 in 37, t = 0.25 in 2, none in 1). With the skipped second
  // corrections below, one-core matching at the default condition takes about 60 % of the time for
  // the same answer within its resolution (docs/gait_matching.md, "measured settings").
  const double kSteps[] = {2.0, 1.0, 0.5};
  constexpr int kCandidates = static_cast<int>(std::size(kSteps)) + 1;
  // A candidate whose residuals are within this many tolerances after its first Gauss–Newton
  // correction skips the second (it is already well inside the 0.5 acceptance bound).
  constexpr double kCorrectedEnough = 0.1;
  constexpr double kConvergedDecrease = 1e-5;  // relative effort decrease that still counts as progress
  MatX H = MatX::Zero();  // zero = not yet initialised
  VecX u_prev, ge_prev;
  Eigen::Matrix<double, kNumResiduals, kNumVars> J_prev;
  bool have_prev = false;
  int failures = 0;
  for (int it = 0; it < max_iterations && p.evaluations + kNumVars + 3 * kCandidates <= p.options.max_stances; ++it) {
    Eigen::Matrix<double, kNumResiduals, kNumVars> J;
    VecX ge;
    if (!jacobian(p, u, e, J, ge)) return;
    VecX free = VecX::Ones();
    Eigen::LDLT<MatR> ldlt;
    Eigen::Matrix<double, kNumResiduals, kNumVars> Jf;
    MatX P;
    VecX pg, d;
    for (int pass = 0; pass < 4; ++pass) {
      Jf = J * free.asDiagonal();
      ldlt.compute(Jf * Jf.transpose() + 1e-9 * MatR::Identity());
      P = MatX(free.asDiagonal()) - Jf.transpose() * ldlt.solve(Jf);
      pg = P * ge;  // gradient of the Lagrangian in the free null space
      if (have_prev) {
        // Change of the Lagrangian gradient g − Jᵀλ between the two points with the same (current)
        // multipliers λ, on the free variables: the curvature BFGS needs, including the constraints'.
        const VecR lam = ldlt.solve(Jf * ge);
        const VecX yv = (ge - J.transpose() * lam - (ge_prev - J_prev.transpose() * lam)).cwiseProduct(free);
        const VecX sv = (u - u_prev).cwiseProduct(free);
        const double sy = sv.dot(yv);
        if (sy > 1e-12 * sv.norm() * yv.norm()) {
          if (H.isZero()) H = MatX::Identity() * (sy / yv.squaredNorm());
          const double rho = 1.0 / sy;
          const MatX V = MatX::Identity() - rho * yv * sv.transpose();
          H = V.transpose() * H * V + rho * sv * sv.transpose();
        }
        have_prev = false;  // one update per accepted step
      }
      const double short_step = 0.05 / std::pow(8.0, failures);  // gradient step length (unit box)
      d = H.isZero() ? VecX(-pg * (short_step / std::max(pg.norm(), 1e-300))) : VecX(-P * H * pg);
      if (d.dot(pg) >= 0.0) d = -pg * (short_step / std::max(pg.norm(), 1e-300));  // not a descent direction
      bool changed = false;
      for (int i = 0; i < kNumVars; ++i)
        if (free(i) > 0.0 && ((u(i) <= 1e-9 && d(i) < 0.0) || (u(i) >= 1.0 - 1e-9 && d(i) > 0.0))) {
          free(i) = 0.0;
          changed = true;
        }
      if (!changed) break;
    }
    if (!(d.norm() > 1e-12)) return;
    if (d.norm() > kMaxStep) d *= kMaxStep / d.norm();
    const auto restore = [&](const VecR& r) -> VecX { return -Jf.transpose() * ldlt.solve(r); };
    const VecX s0 = restore(e.scaled);
    std::vector<VecX> cu;
    for (double t : kSteps) cu.push_back((u + s0 + t * d).cwiseMax(0.0).cwiseMin(1.0));
    cu.push_back((u + s0).cwiseMax(0.0).cwiseMin(1.0));
    const auto run = [&](const std::vector<VecX>& us) {
      std::vector<VecX> xs;
      for (const VecX& v : us) xs.push_back(to_physical(v));
      return evaluate_many(p, xs);
    };
    std::vector<Evaluation> ce = run(cu);
    for (int pass = 0; pass < 2; ++pass) {  // Gauss–Newton corrections with the same J, where needed
      std::vector<std::size_t> idx;
      for (std::size_t k = 0; k < cu.size(); ++k)
        if (ce[k].ok && (pass == 0 || ce[k].scaled.cwiseAbs().maxCoeff() >= kCorrectedEnough)) {
          cu[k] = (cu[k] + restore(ce[k].scaled)).cwiseMax(0.0).cwiseMin(1.0);
          idx.push_back(k);
        }
      if (idx.empty()) break;
      std::vector<VecX> sub;
      for (std::size_t k : idx) sub.push_back(cu[k]);
      const std::vector<Evaluation> se = run(sub);
      for (std::size_t j = 0; j < idx.size(); ++j) ce[idx[j]] = se[j];
    }
    int best = -1;
    for (int k = 0; k < static_cast<int>(ce.size()); ++k) {
      const bool feasible = ce[k].ok && ce[k].scaled.cwiseAbs().maxCoeff() < 0.5;
      if (feasible && ce[k].effort < e.effort && (best < 0 || ce[k].effort < ce[best].effort)) best = k;
    }
    say(p.options, "descent %d: effort %.8g |r| %g |d| %g free %d best %d -> %.8g", it, e.effort,
                   e.scaled.cwiseAbs().maxCoeff(), d.norm(), static_cast<int>(free.sum()), best,
                   best >= 0 ? ce[best].effort : -1.0);
    const Evaluation& restored = ce.back();  // u + s₀ alone
    const bool direction_wins = best >= 0 && best < kCandidates - 1 && e.effort - ce[best].effort >= kConvergedDecrease * e.effort;
    if (!direction_wins) {
      // The step along d did not pay: keep any improvement (a lower effort, or the constraints met
      // more closely by s₀ alone), drop the quasi-Newton estimate and retry from a shorter gradient step.
      if (best >= 0) {
        u = cu[best];
        e = ce[best];
      } else if (restored.ok && restored.scaled.cwiseAbs().maxCoeff() < 0.5 * e.scaled.cwiseAbs().maxCoeff()) {
        u = cu.back();
        e = restored;
      }
      if (++failures > 3) return;
      H.setZero();
      have_prev = false;
      continue;
    }
    failures = 0;
    u_prev = u;
    ge_prev = ge;
    J_prev = J;
    have_prev = true;
    u = cu[best];
    e = ce[best];
  }
}

}  // namespace

std::map<std::string, double> volume_effort_weights(const Model& model) {
  double sum = 0.0;
  for (const MuscleSpec& m : model.muscles()) sum += m.params.max_isometric_force * m.params.optimal_fiber_length;
  const double mean = sum / static_cast<double>(model.muscles().size());
  std::map<std::string, double> w;
  for (const MuscleSpec& m : model.muscles())
    w["controller.muscles." + m.name + ".effort_weight"] = m.params.max_isometric_force * m.params.optimal_fiber_length / mean;
  return w;
}

const std::vector<std::string>& gait_variable_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& var : kVariables) v.emplace_back(var.name);
    return v;
  }();
  return kNames;
}

std::vector<double> default_gait_guess(const Model& model) {
  const ControllerParams& c = model.controller();
  const MuscleRoles roles = muscle_roles(model);
  std::vector<double> guess(kNumVars);
  for (const Variable& v : kVariables) {
    double& g = guess[static_cast<int>(v.id)];
    // A controller variable starts from the model file's value of the first muscle it acts on (model
    // order: the soleus for the calf offset in the default model).
    const std::vector<int>& acted = roles[static_cast<int>(v.id)];
    if (v.acts == Acts::kLevel) g = c.muscles[acted.front()].level;
    else if (v.acts == Acts::kOffset) g = c.muscles[acted.front()].offset;
    else if (v.id == Var::kTrunkLean) g = c.trunk_reference_lean;
    else g = v.guess;
  }
  return guess;
}

GaitResult match_gait(const Model& base_model, const GaitCondition& condition, const MatchingOptions& options,
                      const std::vector<double>* warm_start) {
  const ResolvedCondition cond = resolve(condition);
  // During matching, a candidate whose stance needs steps below 1e-8 s is rejected as a step-size
  // underflow at once instead of crawling for minutes (such candidates are far from a gait anyway).
  const Model model = condition_model(base_model, condition).with_params({{"integrator.min_step", 1e-8}});
  require(options.speed_tolerance > 0, "options.speed_tolerance", options.speed_tolerance, "(0, inf)");
  require(options.vertical_velocity_tolerance > 0, "options.vertical_velocity_tolerance",
          options.vertical_velocity_tolerance, "(0, inf)");
  require(options.height_tolerance > 0, "options.height_tolerance", options.height_tolerance, "(0, inf)");
  require(options.step_length_tolerance > 0, "options.step_length_tolerance", options.step_length_tolerance, "(0, inf)");
  require(options.trunk_lean_tolerance > 0, "options.trunk_lean_tolerance", options.trunk_lean_tolerance, "(0, inf)");
  require(options.max_evaluations >= 0, "options.max_evaluations", options.max_evaluations, "[0, inf)");
  require(options.max_stances >= 1, "options.max_stances", options.max_stances, "[1, inf)");
  require(options.threads >= 0, "options.threads", options.threads, "[0, inf)");
  require_in_range("options.touchdown_hip_angular_velocity", options.touchdown_hip_angular_velocity, -20.0, 20.0);
  require_in_range("options.touchdown_knee_angular_velocity", options.touchdown_knee_angular_velocity, -20.0, 20.0);
  if (options.touchdown_foot_velocity) {
    require_in_range("options.touchdown_foot_velocity[0]", (*options.touchdown_foot_velocity)[0], -10.0, 10.0);
    require_in_range("options.touchdown_foot_velocity[1]", (*options.touchdown_foot_velocity)[1], -10.0, 10.0);
  }
  if (warm_start && warm_start->size() != static_cast<std::size_t>(kNumVars))
    throw InputError("warm_start: expected " + std::to_string(kNumVars) + " values, got " +
                     std::to_string(warm_start->size()));

  Problem p{model, cond, capacity_factors(model, condition), options, muscle_roles(model), 0, 0, 0,
            std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), {}, {}};

  const std::vector<double> guess = warm_start ? *warm_start : default_gait_guess(model);
  VecX u = to_unit(Eigen::Map<const VecX>(guess.data()));

  GaitResult out;
  out.condition = cond;
  Evaluation e = evaluate(p, to_physical(u));
  std::string why, gave_up;
  // Batched trust-region Gauss–Newton first (from the default guess it reached feasibility in
  // ≈ 115 stances at the default condition, measured); the sequential derivative-free BOBYQA only
  // when that fails, then Gauss–Newton again from BOBYQA's point.
  bool feasible = feasibility(p, u, e, why);
  if (!feasible && p.evaluations < options.max_stances) {
    if (!e.ok) {
      u = to_unit(Eigen::Map<const VecX>(guess.data()));
      e = evaluate(p, to_physical(u));
    }
    global_phase(p, u, e, std::max(0, (options.max_stances - p.evaluations) / 2));
    say(options, "after global phase: evaluations %d |r| %g", p.evaluations, e.ok ? e.scaled.norm() : -1.0);
    why.clear();
    if (!p.gave_up.empty()) gave_up = p.gave_up + ": the condition is beyond what the model can run";
    else feasible = feasibility(p, u, e, why);
  }
  say(options, "after feasibility: %d evaluations %d |r| %g effort %g", feasible, p.evaluations, e.ok ? e.scaled.norm() : -1.0, e.effort);

  if (feasible && options.max_evaluations > 0) {
    effort_descent(p, u, e, options.max_evaluations);
    say(options, "after effort descent: evaluations %d |r| %g effort %g", p.evaluations,
                            e.scaled.norm(), e.effort);
  }

  const VecX xs = to_physical(u);
  out.solution.assign(xs.data(), xs.data() + kNumVars);
  Evaluation final_e = evaluate_recorded(p, xs, &out.stance);
  out.evaluations = p.evaluations;
  if (final_e.ok) {
    out.residuals = {{"speed_change_rel", final_e.residual(0)},
                     {"vertical_velocity_mismatch_m_per_s", final_e.residual(1)},
                     {"height_mismatch_m", final_e.residual(2)},
                     {"step_length_error_rel", final_e.residual(3)},
                     {"trunk_lean_change_rad", final_e.residual(4)}};
  }
  out.converged = final_e.ok && final_e.scaled.cwiseAbs().maxCoeff() < 1.0;
  if (!out.converged) {
    out.message = "not converged: " + (!gave_up.empty() ? gave_up
                                       : final_e.ok ? (why.empty() ? std::string("periodicity residuals above tolerance") : why)
                                                    : final_e.message);
    return out;
  }
  out.message = "converged";
  out.metrics =
      matched_gait_metrics(out.stance.metrics, out.stance.contact_time, cond, final_e.scaled.cwiseAbs().maxCoeff());
  if (!options.record) out.stance.series.clear();
  return out;
}

}  // namespace legsim
