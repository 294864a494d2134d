#pragma once
// Gait matching (docs/gait_matching.md): controller parameters and touchdown state such that one stance is one
// step of a periodic running gait at the requested condition, minimizing effort Σ wᵢ ∫ aᵢ³ dt
// (wᵢ = controller.muscles.<name>.effort_weight, 1 by default).
//
// Periodicity (stance from touchdown to toe-off at t_c, then a ballistic flight t_f = T − t_c):
//   r_speed    = (v_x,toe-off − v_x,touchdown) / speed                   |r| < 0.5 %
//   r_vertical =  v_y,toe-off − g·t_f − v_y,touchdown   (m/s)           |r| < 0.02 m/s
//   r_height   =  y_toe-off + v_y,toe-off·t_f − ½g·t_f² − y_touchdown (m)  |r| < 2 mm
//   r_step     = (x_toe-off − x_touchdown + v_x,toe-off·t_f − L) / L      |r| < 0.5 %
// of the whole-body centre of mass, and
//   r_trunk    =  trunk lean at toe-off − at touchdown (rad)             |r| < 1° (option)
// which is always reported but matched only with MatchingOptions::periodic_trunk_lean: gait matching
// has the four centre-of-mass conditions only, and with them the trunk of the default model leans
// 4.5° further forward at toe-off than at touchdown (README, known limitations).
// Solved in phases — trust-region Gauss–Newton to feasibility (derivative-free NLopt BOBYQA on the residuals if that fails), then effort descent in the
// null space of the residual Jacobian (a reduced-space quasi-Newton SQP step with Gauss–Newton
// re-projection, bound constraints by an active set) —
// on finite-difference gradients evaluated as batch lanes; warm-started from a neighbouring solution.
#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "legsim/gait/condition.hpp"
#include "legsim/sim/simulate.hpp"

namespace legsim {

/// Names of the matched decision variables, in order (rad, m/s, dimensionless excitation, s). The
/// controller variables act on muscles by role tag (model file, muscles.NAME.tags), not by name:
/// soleus_level on the muscles tagged "uniarticular_plantarflexor", gastrocnemius_level
/// "biarticular_plantarflexor", quadriceps_level "knee_extensor", gluteus_level
/// "uniarticular_hip_extensor", calf_offset "calf", quadriceps_offset "knee_extensor". match_gait and
/// default_gait_guess throw InputError for a model with no muscle of a role or a muscle with two
/// level (or two offset) roles; muscles without a role keep the model file's controller values.
const std::vector<std::string>& gait_variable_names();

/// Every key of GaitResult::metrics that a converged gait matching of this model gives, sorted. Made
/// by the functions that compute a real result (stance_metrics and matched_gait_metrics) on a
/// synthetic stance, so the list cannot drift from the computed keys (sweeps lay out their datasets
/// by it).
std::vector<std::string> gait_metric_names(const Model& model);

/// GaitResult::metrics of a matched stance: its stance metrics plus the keys that need the gait
/// condition (flight time, step length, cadence, speed, PFJ impulses per km) and periodicity_error
/// (the largest periodicity residual in tolerances).
std::map<std::string, double> matched_gait_metrics(std::map<std::string, double> stance_metrics, double contact_time,
                                                   const ResolvedCondition& condition, double periodicity_error);

/// Effort weights proportional to muscle volume, as model-parameter changes for Model::with_params:
/// {"controller.muscles.<name>.effort_weight": wᵢ} with wᵢ ∝ F_max,i·l_opt,i (PCSA·l_opt, the fiber
/// volume), normalized to a mean of 1. Gait matching then minimizes Σ wᵢ ∫ aᵢ³ dt instead of the
/// plain Σ ∫ a³ (measured: smoother cadence sweeps, e.g. a 2.4 % largest neighbour jump in peak
/// PFJ force at 3.0 m/s against 11 % — see the README's known limitations).
std::map<std::string, double> volume_effort_weights(const Model& model);

struct MatchingOptions {
  double speed_tolerance = 0.005;             ///< relative change of horizontal CoM speed
  double vertical_velocity_tolerance = 0.02;  ///< m/s
  double height_tolerance = 0.002;            ///< m
  double step_length_tolerance = 0.005;       ///< relative
  double trunk_lean_tolerance = 0.0175;       ///< rad (1°), used with periodic_trunk_lean
  /// true: the trunk lean at toe-off must also equal its touchdown value (r_trunk above, a fifth
  /// condition beyond the four on the centre of mass). It treats the flight as leaving the trunk's pitch unchanged,
  /// an assumption: this model lumps the swing leg into the trunk, so the flight's internal motions are
  /// not simulated. r_trunk is reported in `residuals` either way.
  bool periodic_trunk_lean = false;
  int max_evaluations = 40;                   ///< effort-descent iterations (each n + 8–12 stances, as batch lanes)
  int max_stances = 1500;                     ///< total stance simulations for one condition
  /// Integrator tolerance during matching (absolute: 1e-2 of it). 1e-6, the model file's own: 1e-7
  /// costs 1.4× the time for no change in the answer beyond the matching's own resolution
  /// (docs/gait_matching.md, "integrator tolerance").
  double relative_tolerance = 1e-6;
  /// Hip flexion velocity at touchdown (rad/s; < 0 = swing-leg retraction), a model input.
  double touchdown_hip_angular_velocity = -3.0;
  /// Knee flexion velocity at touchdown (rad/s; > 0 = flexing), a model input.
  double touchdown_knee_angular_velocity = 0.0;
  /// Optional swing-leg input in place of the two joint rates above (DESIGN 3.2: the foot's
  /// touchdown velocity as the explicit input): the velocity (m/s; x forward, y up) of the foot point
  /// that lands first. When set, every candidate's hip and knee angular velocities are solved from it
  /// and from the candidate's posture and hip velocity, with the foot not rotating relative to the
  /// shank; the result's `touchdown_foot_velocity_*` metrics then equal it. Components in [−10, 10].
  std::optional<std::array<double, 2>> touchdown_foot_velocity;
  int threads = 0;     ///< batch-engine worker threads (0 = all hardware threads)
  bool record = true;  ///< keep the time series of the solution
  /// Progress lines of the matching's phases (Gauss–Newton steps, BOBYQA, effort descent) for
  /// diagnosing a condition; empty = silent. Called on the calling thread.
  std::function<void(const std::string&)> log;
};

struct GaitResult {
  bool converged = false;
  std::string message;       ///< why not converged (or "converged")
  ResolvedCondition condition{};
  std::map<std::string, double> residuals;  ///< the periodicity residuals (see above), r_trunk included
  std::map<std::string, double> metrics;    ///< every metric key of DESIGN 5 (empty unless converged)
  std::vector<double> solution;             ///< decision variables (gait_variable_names order)
  StanceResult stance;                      ///< the stance at the solution
  int evaluations = 0;                      ///< stance simulations used
};

/// Matches one condition. warm_start: a previous solution (same variable order) to start from.
/// Bad input throws InputError; failure to match is reported in the result (converged = false).
GaitResult match_gait(const Model& model, const GaitCondition& condition, const MatchingOptions& options = {},
                      const std::vector<double>* warm_start = nullptr);

/// The default starting point of the matching for a model: the controller variables from the model
/// file's controller (the first muscle of each role), the touchdown variables generic.
std::vector<double> default_gait_guess(const Model& model);

}  // namespace legsim
