#pragma once
// Gait matching's problem (private to src/gait): the named decision variables and the muscles they act
// on by role tag, the per-condition problem, and the evaluation of a candidate as a stance
// (matching_problem.cpp). The searches over it are in matching_search.cpp; the entry point,
// match_gait, in matching.cpp.
#include <Eigen/Dense>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/gait/matching.hpp"

namespace legsim::matching_detail {

/// One progress line to options.log (printf-style), if the caller set one.
[[gnu::format(printf, 2, 3)]] void say(const MatchingOptions& o, const char* format, ...);

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
inline constexpr Variable kVariables[] = {
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
inline constexpr int kNumVars = static_cast<int>(std::size(kVariables));
static_assert(kNumVars == static_cast<int>(Var::kCount), "one kVariables entry per Var");
static_assert([] {
  for (int i = 0; i < kNumVars; ++i)
    if (static_cast<int>(kVariables[i].id) != i) return false;
  return true;
}(), "kVariables must list the variables in Var order");
inline constexpr int kNumResiduals = 5;
using VecX = Eigen::Matrix<double, kNumVars, 1>;
using VecR = Eigen::Matrix<double, kNumResiduals, 1>;

/// A variable's value in a physical-unit vector.
inline double at(const VecX& x, Var v) { return x(static_cast<int>(v)); }

/// For each variable, the model's muscles (indices) it acts on; empty for touchdown variables.
using MuscleRoles = std::array<std::vector<int>, kNumVars>;

/// The muscles each controller variable acts on, by role tag. Throws InputError when a role has no
/// muscle (the variable would silently do nothing) or a muscle has two roles of one kind (two
/// variables would set its one level or offset).
MuscleRoles muscle_roles(const Model& model);

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
inline constexpr int kGlobalProbe = 2 * kNumVars + 1;
inline constexpr double kFarResidual = 10.0;       // tolerances; near-feasible searches are never stopped
inline constexpr double kMinRoundProgress = 0.05;  // relative decrease of the best residual norm per round

struct Evaluation {
  bool ok = false;
  std::string message;
  double effort = 0.0;
  VecR residual = VecR::Zero();  ///< physical units (see matching.hpp)
  VecR scaled = VecR::Zero();    ///< residual / tolerance: |scaled| < 1 is within tolerance
};

VecX to_physical(const VecX& u);
VecX to_unit(const VecX& x);
/// The touchdown state and stance controller of the candidate x (physical units).
void setup(const Problem& p, const VecX& x, TouchdownState& td, ControllerParams& ctrl);
/// The scalar Odeint path with the full recording (the reported solution), kept in *keep.
Evaluation evaluate_recorded(Problem& p, const VecX& x, StanceResult* keep);
/// Evaluates many points at once on the batch engine (SIMD lanes, both cores).
std::vector<Evaluation> evaluate_many(Problem& p, const std::vector<VecX>& xs);
/// One point on the batch engine.
Evaluation evaluate(Problem& p, const VecX& x);
/// Forward-difference Jacobian of the scaled residuals and the effort w.r.t. unit variables.
bool jacobian(Problem& p, const VecX& u, const Evaluation& e0, Eigen::Matrix<double, kNumResiduals, kNumVars>& J,
              VecX& grad_effort);

/// Phase 1: trust-region Gauss–Newton on the scaled residuals (matching_search.cpp).
bool feasibility(Problem& p, VecX& u, Evaluation& e, std::string& why);
/// Phase 0: the derivative-free BOBYQA fallback.
void global_phase(Problem& p, VecX& u, Evaluation& e, int max_evaluations);
/// Phase 2: effort minimization under the periodicity equalities.
void effort_descent(Problem& p, VecX& u, Evaluation& e, int max_iterations);

}  // namespace legsim::matching_detail
