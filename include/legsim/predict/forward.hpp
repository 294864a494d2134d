#pragma once
// Forward simulation of a predicted gait (issue 19, item 5): the two-legged body of the collocation
// (predict/biped_physics.hpp — the same contact, muscle paths, passive moments and muscles) integrated
// by Boost.Odeint from the collocation's touchdown state (node 0) under its excitations, linearly
// interpolated between the nodes (and its reserve torques, if any). Agreement with the prediction
// within the collocation's discretization error verifies the transcription: a mismatch beyond it
// means the collocation's physics and the model's differ, or the mesh is too coarse.
//
// State (18 + 2m + 2c): q (9), q̇ (9), activation (2m, right leg's muscles then the left's),
// normalized tendon force f_T of the compliant tendons (2c, right then left). Dynamics:
//   q̈ = biped_forward_dynamics(Q(q, q̇, a, f_T)),  ȧ = activation_derivative(e(t), a),
//   ḟ_T = evaluate_compliant_mtu(l_MT, v_MT, a, f_T).norm_tendon_force_derivative (explicit form of the
//   collocation's implicit Hill balance).
#include <map>
#include <string>
#include <vector>

#include "legsim/gait/condition.hpp"
#include "legsim/model.hpp"
#include "legsim/predict/predict.hpp"

namespace legsim::predict {

/// Odeint stepper of simulate_biped.
enum class ForwardIntegrator {
  /// Odeint's rosenbrock4 scheme and controller (L-stable, order 4, RMS error norm; ported to Eigen,
  /// see forward.cpp) with a finite-difference Jacobian: the default,
  /// because the explicit tendon dynamics are stiff wherever a·fL is small. Measured on the default
  /// predicted step (N = 50): a slack left gastrocnemius in swing (f_T ≈ 0, short fiber) gave
  /// ∂ḟ_T/∂f_T ≈ −4e8 s⁻¹, and Dormand–Prince crawled at steps of 1e-8 s from t ≈ 0.05 s on.
  kRosenbrock4,
  /// runge_kutta_dopri5 under Odeint's controlled stepper (max error norm), as src/sim/simulate.cpp.
  kDopri5,
};

/// Settings of simulate_biped.
struct ForwardOptions {
  ForwardIntegrator integrator = ForwardIntegrator::kRosenbrock4;
  /// (0, 0.01]; 0 = model.integrator()'s. Defaults: the values the forward check was verified at,
  /// independent of the stance's (looser) model default (docs/decisions.md, "faster stance").
  double relative_tolerance = 1e-6;
  double absolute_tolerance = 1e-8;  ///< (0, 0.01]; 0 = model.integrator().absolute_tolerance
  /// Output samples per mesh interval of the gait, [1, 1000]; the integrator also stops at every node
  /// (the excitations' kinks).
  int samples_per_interval = 10;
};

/// A forward simulation. Samples at every node time of the gait up to the duration and
/// `samples_per_interval` − 1 evenly spaced times between them.
struct BipedSimulation {
  std::vector<double> time;                          ///< s (0 = the gait's node 0)
  std::vector<int> node_sample;                      ///< sample index of node k (nodes within the duration)
  std::vector<std::vector<double>> q, qd;            ///< [sample][9] (m, rad; /s)
  std::vector<std::string> muscle_names;             ///< the gait's: "<muscle>_r", "<muscle>_l"
  std::vector<std::vector<double>> excitation, activation;  ///< [sample][2m]
  std::vector<std::vector<double>> tendon_force;     ///< [sample][2m] applied tendon force (N)
  std::vector<std::vector<double>> grf;              ///< [sample][4]: right x, y; left x, y (N)
  std::vector<std::vector<double>> joint_moment;     ///< [sample][6]: muscle + passive + reserve (N·m), along +q
  std::vector<std::vector<double>> quadriceps_force;  ///< [sample][2]: knee-extensor tendon force r/l (N)
  std::vector<std::vector<double>> pfj_force, pfj_stress;  ///< [sample][2]: r/l (N, Pa; joint_load/pfj.hpp)
  /// Right-foot contact time (s): the first time after t = 0 at which its vertical ground reaction falls
  /// to 20 N (the collocation's touchdown threshold), linearly interpolated between samples; NaN if it
  /// stays above within the duration.
  double contact_time = 0.0;
  /// From the right stance (samples with t ≤ contact_time; the whole run if NaN), in the units and names
  /// of gait_metrics: contact_time_s, peak_pfj_force_bw, peak_pfj_stress_mpa, peak_vertical_grf_bw,
  /// peak_quadriceps_force_bw, peak_knee_flexion_stance_deg; peak_pfj_force_at_nodes_bw (the peak
  /// over the node samples only, as gait_metrics reads it off the mesh).
  std::map<std::string, double> metrics;
  long steps = 0;            ///< accepted integrator steps
  long rhs_evaluations = 0;  ///< derivative evaluations
};

/// Forward-simulates `g` (a result of predict_gait for the same model and condition) from its node 0
/// over [0, duration] s, duration ∈ (0, g.time.back()]. Throws InputError for a gait that does not fit
/// the model (sizes, muscle names), a bad duration or options; SimulationError with the reason if the
/// state becomes non-finite, the step size falls below model.integrator().min_step, or Odeint fails.
BipedSimulation simulate_biped(const Model& model, const GaitCondition& condition, const PredictedGait& g,
                               double duration, const ForwardOptions& options = {});

/// Agreement of a forward simulation with the prediction over the predicted right stance (gait_metrics'
/// rule: node 0 to the last node with the right foot's vertical force above 20 N).
struct StanceAgreement {
  /// Largest |q_sim − q_pred| (degrees) of the six leg joint angles at the stance nodes, and where.
  double max_joint_angle_difference_deg = 0.0;
  int worst_coordinate = -1;  ///< 3..8 (PredictedGait::coordinate_names)
  double worst_time = 0.0;    ///< s
  double max_trunk_lean_difference_deg = 0.0;
  /// Peak PFJ force of the right stance (BW): predicted (gait_metrics), simulated (all samples of the
  /// simulated stance), and their relative difference (sim − pred)/pred.
  double peak_pfj_force_predicted_bw = 0.0, peak_pfj_force_simulated_bw = 0.0, peak_pfj_force_relative_difference = 0.0;
  /// The same with the simulated peak read at the node samples only.
  double peak_pfj_force_simulated_at_nodes_bw = 0.0, peak_pfj_force_relative_difference_at_nodes = 0.0;
  double contact_time_predicted = 0.0, contact_time_simulated = 0.0, contact_time_difference = 0.0;  ///< s
};

/// Compares `sim` (simulate_biped of `g`) with `g`. Throws InputError if `g` did not converge.
StanceAgreement compare_stance(const Model& model, const GaitCondition& condition, const PredictedGait& g,
                               const BipedSimulation& sim);

}  // namespace legsim::predict
