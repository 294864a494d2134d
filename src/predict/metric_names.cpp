// The metric keys of a predicted step, derived from gait_metrics itself (issue 20, item 2): sweeps
// lay out their datasets by this list, so a new metric reaches them without a second list to update.
#include "legsim/predict/biped_physics.hpp"
#include "legsim/predict/predict.hpp"

namespace legsim::predict {

std::vector<std::string> gait_metric_names(const Model& model) {
  // Any valid condition: the keys depend on the model's muscles only.
  GaitCondition condition;
  condition.speed = 3.5;
  condition.cadence = 170.0;
  const ResolvedCondition rc = resolve(condition);
  // A synthetic converged step of three nodes in the layout PredictedGait documents: the right foot
  // loaded throughout (so its stance spans every node), everything else zero. The values do not
  // matter, only the keys gait_metrics then writes.
  constexpr std::size_t kNodes = 3;
  const std::size_t nm = 2 * model.muscles().size();  // right leg, then left
  PredictedGait g;
  g.converged = true;
  g.time = {0.0, 0.5 * rc.step_time, rc.step_time};
  g.step_time = rc.step_time;
  g.step_length = rc.step_length;
  g.speed = rc.speed;
  g.body_mass = model.body_mass();
  const auto rows = [&](std::size_t width) { return std::vector<std::vector<double>>(kNodes, std::vector<double>(width)); };
  g.q = g.qd = g.qdd = rows(kBipedDof);
  g.excitation = g.activation = g.tendon_force = g.fiber_length_norm = g.metabolic_rate = rows(nm);
  g.joint_moment = g.reserve = rows(6);
  g.grf = rows(4);
  for (auto& f : g.grf) f[1] = model.body_weight();
  g.cop_x = g.quadriceps_force = g.pfj_force = g.pfj_stress = rows(2);
  g.objective_terms = {{"effort", 0.0}};
  g.metabolic_cost = {{"total", 0.0}};
  const std::map<std::string, double> m = gait_metrics(model, condition, g);
  std::vector<std::string> names;
  names.reserve(m.size());
  for (const auto& [key, value] : m) names.push_back(key);
  return names;
}

}  // namespace legsim::predict
