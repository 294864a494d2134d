// Gait matching: a feasibility phase (trust-region Gauss–Newton, minimum-norm steps on the four
// periodicity residuals; NLopt BOBYQA as a fallback when it fails) followed by effort minimization
// under the periodicity equalities (reduced-space quasi-Newton SQP, see effort_descent). Gradients by
// forward finite differences of whole stance simulations, evaluated as batch lanes. Deterministic:
// no randomness, fixed iteration budgets, results depend only on the inputs.
#include "legsim/gait/matching.hpp"

#include "matching_problem.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/sim/metrics.hpp"

namespace legsim {

using namespace matching_detail;

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
