// What a predicted step reports beyond its fields: the time-series table and the outcome message
// (include/legsim/predict/predict.hpp). Python (legsim.predict) and the C API (legsim_predict.h)
// both read them from here, so the column names and the messages are one list.
#include <cmath>

#include "legsim/body/biped_dynamics.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/predict/predict.hpp"

namespace legsim::predict {

namespace {

/// Appends one column of the table, filled from f(node).
template <class F>
void add(GaitTimeseries& t, std::size_t nodes, std::string name, F&& f) {
  std::vector<double> column(nodes);
  for (std::size_t k = 0; k < nodes; ++k) column[k] = f(k);
  t.columns.push_back(std::move(name));
  t.series.push_back(std::move(column));
}

/// What IPOPT's return statuses mean (IPOPT documentation, "Output": ApplicationReturnStatus), in
/// the terms of this problem; empty for a status not listed.
std::string ipopt_reason(const std::string& status, const PredictOptions& o) {
  if (status == "Maximum_Iterations_Exceeded")
    return "the iteration limit, max_iterations = " + std::to_string(o.max_iterations) + ", was reached";
  if (status == "Maximum_CpuTime_Exceeded") return "the CPU-time limit was reached";
  if (status == "Maximum_WallTime_Exceeded") return "the wall-time limit was reached";
  if (status == "Infeasible_Problem_Detected")
    return "the iterates converged to a point of locally minimal constraint violation: no periodic step satisfying "
           "the dynamics was found from this start";
  if (status == "Restoration_Failed") return "the feasibility restoration phase failed to reduce the constraint violation";
  if (status == "Search_Direction_Becomes_Too_Small") return "the steps became too small to make progress";
  if (status == "Diverging_Iterates") return "the iterates diverged";
  if (status == "Error_In_Step_Computation") return "the linear system of a step could not be solved";
  if (status == "Invalid_Number_Detected") return "a model function returned NaN or infinity at an iterate";
  if (status == "Not_Enough_Degrees_Of_Freedom") return "more equality constraints than variables";
  if (status == "User_Requested_Stop") return "the solve was interrupted";
  return "see IPOPT's documentation of this status";
}

}  // namespace

GaitTimeseries gait_timeseries(const PredictedGait& g) {
  GaitTimeseries t;
  const std::size_t n = g.time.size();
  const auto deg = [](double rad) { return rad * kRadToDeg; };
  add(t, n, "time_s", [&](std::size_t k) { return g.time[k]; });
  add(t, n, "pelvis_x_m", [&](std::size_t k) { return g.q[k][0]; });
  add(t, n, "pelvis_y_m", [&](std::size_t k) { return g.q[k][1]; });
  add(t, n, "trunk_lean_deg", [&](std::size_t k) { return deg(g.q[k][2]); });
  constexpr const char* kSide[] = {"r", "l"};
  constexpr const char* kJoint[] = {"hip_flexion", "knee_flexion", "ankle_dorsiflexion"};
  for (int s = 0; s < 2; ++s) {
    const int q0 = hip_index(static_cast<Side>(s));  // hip, knee, ankle follow
    for (int j = 0; j < 3; ++j)
      add(t, n, std::string(kJoint[j]) + "_" + kSide[s] + "_deg", [&](std::size_t k) { return deg(g.q[k][q0 + j]); });
  }
  for (int s = 0; s < 2; ++s) {
    const std::string side = kSide[s];
    add(t, n, "grf_x_" + side + "_n", [&](std::size_t k) { return g.grf[k][2 * s]; });
    add(t, n, "grf_y_" + side + "_n", [&](std::size_t k) { return g.grf[k][2 * s + 1]; });
    add(t, n, "cop_x_" + side + "_m", [&](std::size_t k) { return g.cop_x[k][s]; });
    add(t, n, "stance_" + side, [&](std::size_t k) { return g.grf[k][2 * s + 1] > kStanceForceThreshold ? 1.0 : 0.0; });
    for (int j = 0; j < 3; ++j) {
      add(t, n, std::string(kJoint[j]) + "_moment_" + side + "_nm", [&](std::size_t k) { return g.joint_moment[k][3 * s + j]; });
      add(t, n, std::string(kJoint[j]) + "_reserve_" + side + "_nm", [&](std::size_t k) { return g.reserve[k][3 * s + j]; });
    }
    add(t, n, "quadriceps_force_" + side + "_n", [&](std::size_t k) { return g.quadriceps_force[k][s]; });
    add(t, n, "pfj_force_" + side + "_n", [&](std::size_t k) { return g.pfj_force[k][s]; });
    add(t, n, "pfj_stress_" + side + "_pa", [&](std::size_t k) { return g.pfj_stress[k][s]; });
  }
  for (std::size_t i = 0; i < g.muscle_names.size(); ++i) {
    const std::string& m = g.muscle_names[i];
    add(t, n, m + "_excitation", [&](std::size_t k) { return g.excitation[k][i]; });
    add(t, n, m + "_activation", [&](std::size_t k) { return g.activation[k][i]; });
    add(t, n, m + "_force_n", [&](std::size_t k) { return g.tendon_force[k][i]; });
    add(t, n, m + "_fiber_length_norm", [&](std::size_t k) { return g.fiber_length_norm[k][i]; });
  }
  for (std::size_t i = 0; i < g.muscle_names.size(); ++i)
    add(t, n, g.muscle_names[i] + "_metabolic_rate_w", [&](std::size_t k) { return g.metabolic_rate[k][i]; });
  return t;
}

std::string gait_message(const PredictedGait& g, const PredictOptions& o) {
  if (g.converged) return g.status;
  if (g.status == "Solve_Succeeded" || g.status == "Solved_To_Acceptable_Level")
    return "not converged: IPOPT reported " + g.status + " but the solution is not finite";
  return "not converged: IPOPT stopped with " + g.status + " after " + std::to_string(g.iterations) + " iterations (" +
         ipopt_reason(g.status, o) + ")";
}

}  // namespace legsim::predict
