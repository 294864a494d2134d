#pragma once
// Predictive running over one step by direct collocation (DESIGN 3.6; issue 19).
//
// The two-legged planar body (body/biped.hpp: trunk + 2 × thigh, shank, foot, 9 degrees of
// freedom) carries the model file's muscles on each leg and touches the ground through smooth
// contact spheres (body/smooth_contact.hpp). One step — right touchdown to left touchdown, half a
// stride — is optimized with left–right symmetry: the last mesh node is the mirror of the first,
// advanced by the step length, so mean speed and step time are those of the condition. Controls are
// every muscle's excitation at every mesh node; the objective is the muscle effort Σ∫a³ dt per
// metre (or, as an option, the muscles' metabolic energy per metre) plus a small documented
// regularization. The problem is transcribed by trapezoidal
// collocation with implicit skeletal and tendon dynamics and solved by IPOPT with exact derivatives
// from CasADi's algorithmic differentiation; the physics are the library's own templates instantiated
// for casadi::SX (the same equations as the stance simulation and the SIMD batch engine).
//
// This target (legsim::predict) needs CasADi; the core library does not.
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "legsim/gait/condition.hpp"
#include "legsim/model.hpp"

namespace legsim::predict {

/// Settings of the optimal-control problem and of IPOPT (docs/decisions.md records each choice).
struct PredictOptions {
  /// Trapezoidal intervals over one step, [10, 1000]. 150, graded 4:1 over the impact (0.78 ms
  /// intervals over the first 40 ms, 3.2 ms after), passes the forward verification and is
  /// mesh-converged (docs/decisions.md, "Gait prediction: 150 intervals, graded 4:1").
  int mesh_intervals = 150;
  /// Mesh grading at touchdown: the intervals inside the first `impact_window` seconds of the step
  /// (node 0 is the right foot's touchdown, so the impact lies there) are `impact_mesh_ratio` times
  /// shorter than the others; 1 = a uniform mesh. The total number of intervals stays
  /// `mesh_intervals`. Why: the trapezoidal rule's local error concentrates in the impact intervals
  /// (docs/decisions.md, "Gait prediction: 150 intervals, graded 4:1").
  double impact_mesh_ratio = 4.0;
  double impact_window = 0.04;  ///< s
  /// What the solver minimizes, per metre of travel: "effort" (Σ w_i ∫ a_i³ dt, the default) or
  /// "metabolic" (the muscles' metabolic energy per kg of body mass, J/(kg·m), by the smoothed model
  /// of Bhargava, Pandy & Anderson 2004, muscle/metabolics.hpp, plus metabolic_effort_weight × the
  /// effort term). Either way the result reports the metabolic cost (PredictedGait::metabolic_cost).
  std::string objective = "effort";
  /// Weight of the effort term Σ w_i ∫ a_i³ dt per metre (s/m) added to the metabolic objective
  /// (J/(kg·m)), [0, 1000]; unused with "effort". PredSim adds an activation term to its metabolic
  /// cost likewise. 0.1 (about 1 % of the objective at the default condition): with 0 the cold solve
  /// at 30 intervals did not converge in 3000 iterations; with 0.1 it did (docs/decisions.md).
  double metabolic_effort_weight = 0.1;
  /// Effort weights w_i of Σ w_i ∫ a_i³ dt: false = 1 for every muscle; true = volume weights
  /// F_max·l_opt normalized to a mean of 1 (as the stance gait matching offers).
  bool volume_weighted_effort = false;
  /// Regularization weight of the joint accelerations: w·(1/T)∫ Σ (q̈_j / 100 s⁻²)² dt per metre.
  double acceleration_weight = 1e-4;
  /// Regularization weight of the tendon-force rates (implicit tendon controls), same form (scale 10 s⁻¹).
  double tendon_rate_weight = 1e-4;
  /// Regularization weight of the excitation rates, same form (scale 10 s⁻¹), from each interval's
  /// difference (e_{k+1} − e_k)/h_k. Excitations enter the dynamics only through activation, whose
  /// trapezoidal defect leaves an alternating node-to-node pattern of e nearly free; without this term
  /// the exact-Hessian solve ended on excitations zig-zagging by up to 0.48 between nodes at the same
  /// objective, which a forward simulation does not reproduce (docs/decisions.md).
  double excitation_rate_weight = 1e-4;
  /// Reserve joint torques (hip, knee, ankle on each side) and the weight of Σ∫(τ/τ_scale)² dt per
  /// metre; 0 disables them. Reported in the result.
  double reserve_weight = 0.0;
  double reserve_scale = 10.0;  ///< N·m
  /// Weight of the passive joint moments' cost, w·∫ Σ_j τ_passive,j² dt per metre (τ in N·m; the
  /// soft range-of-motion limits of predict/biped_physics.hpp, zero inside the normal ranges).
  /// 0 = passive moments are free. 0.5: PredSim's ratio of passive-torque to activation weight
  /// (Falisse et al. 2019); see docs/decisions.md, "passive joint moments are penalized".
  double passive_moment_weight = 0.5;
  double tolerance = 1e-4;              ///< IPOPT tol
  double constraint_tolerance = 1e-6;   ///< IPOPT constr_viol_tol
  /// IPOPT iterations, all phases together (see hessian). 5000: the metabolic objective's cold solve
  /// needs ≈ 3500 L-BFGS iterations after its effort solve (docs/gait_prediction.md); the effort
  /// objective's about 250.
  int max_iterations = 5000;
  /// Which generic initial guess a cold start uses, [0, 1000]: 0 = the generic running guess; 1 and 2
  /// land with the knee 12° more flexed / 10° straighter and a shorter / longer contact; k ≥ 3 draws
  /// those three shape changes from a fixed pseudo-random sequence seeded with k. The effort optimum
  /// is not unique (docs/gait_prediction.md): solving from several starts and keeping the lowest
  /// objective (Python: `legsim.predict(..., starts=n)`) finds a better one. Ignored with a warm start.
  int start = 0;
  int print_level = 0;                  ///< IPOPT print_level (0 = silent, 5 = IPOPT's default)
  std::string linear_solver = "mumps";
  /// IPOPT's Hessian of the Lagrangian: "auto" (the default), "exact" (algorithmic differentiation)
  /// or "limited-memory" (L-BFGS). "auto": IPOPT with L-BFGS to `quasi_newton_tolerance`, then with
  /// the exact Hessian from there (its multipliers, IPOPT's warm start) to `tolerance`; a warm start
  /// that already satisfies the constraints (a solution of this very condition) skips the L-BFGS
  /// run. The exact run falls back to L-BFGS from the same point if it fails. With objective =
  /// "metabolic", "auto" means L-BFGS alone (its exact run failed at the default condition), and a
  /// cold start begins with the effort optimum of the condition (Predictor::solve). Why
  /// (docs/decisions.md, "exact Hessian near a solution"): far from a solution the exact Hessian
  /// needs large inertia regularization and crawls; near one it converges in tens of iterations where
  /// L-BFGS needs hundreds.
  std::string hessian = "auto";
  /// The L-BFGS run of hessian = "auto" stops at this IPOPT tol (constr_viol_tol 10× smaller), (0, 1].
  /// At or below `tolerance` there is no L-BFGS run.
  double quasi_newton_tolerance = 0.1;
};

/// A solved (or failed) step. Nodes 0..N of the mesh; node 0 = right-foot touchdown.
struct PredictedGait {
  // ---- solver ----
  std::string status;       ///< IPOPT's return status ("Solve_Succeeded", ...)
  bool converged = false;   ///< IPOPT succeeded (or solved to acceptable level) with finite output
  int iterations = 0;       ///< all phases
  double seconds = 0.0;     ///< wall time of the IPOPT runs, all phases (without Phase::setup_seconds)
  /// One IPOPT run each, in order (see PredictOptions::hessian).
  struct Phase {
    std::string hessian;    ///< "exact" or "limited-memory"
    std::string status;
    int iterations = 0;
    double seconds = 0.0;        ///< wall time of IPOPT's run
    /// Wall time of building the solver before the run: CasADi's derivatives of the expanded NLP
    /// (gradient and Jacobian; with the exact Hessian, its second derivatives too).
    double setup_seconds = 0.0;
    /// The objective this run minimized: "effort", or "metabolic" (whose cold solve starts with an
    /// effort solve, see Predictor::solve).
    std::string objective;
  };
  std::vector<Phase> phases;
  double objective = 0.0;
  /// The objective's terms, summing to it: "effort", "metabolic" (0 with the effort objective),
  /// "acceleration", "tendon_rate", "excitation_rate", "reserve", "passive_moment".
  std::map<std::string, double> objective_terms;
  /// Muscle metabolic energy of the step per kg of body mass and metre of travel (J/(kg·m)), both legs,
  /// Bhargava et al. 2004 (muscle/metabolics.hpp), whichever the objective: "total" and its parts
  /// "activation_heat", "maintenance_heat", "shortening_heat" (negative while lengthening),
  /// "heat_floor" (added by the 1 W/kg floor), "work" (positive contractile work) summing to it, and
  /// "negative_work" (the lengthening work, ≤ 0, not counted).
  std::map<std::string, double> metabolic_cost;
  std::vector<std::string> variables_on_bounds;   ///< see the .cpp for the rule
  // ---- trajectories, one entry per node ----
  std::vector<double> time;                         ///< s
  std::vector<std::string> coordinate_names;        ///< the 9 coordinates
  std::vector<std::vector<double>> q, qd, qdd;      ///< [node][coordinate] (m, rad; /s; /s²)
  std::vector<std::string> muscle_names;            ///< "<muscle>_r", "<muscle>_l"
  std::vector<std::vector<double>> excitation, activation, tendon_force;  ///< [node][muscle]; N for force
  std::vector<std::vector<double>> fiber_length_norm;                      ///< [node][muscle]
  std::vector<std::vector<double>> metabolic_rate;  ///< [node][muscle] energy rate Ė (W)
  std::vector<std::vector<double>> joint_moment;    ///< [node][6]: muscle + passive + reserve, hip/knee/ankle r, l, along +q (N·m)
  std::vector<std::vector<double>> reserve;         ///< [node][6] (N·m)
  std::vector<std::vector<double>> grf;             ///< [node][4]: right x, y; left x, y (N)
  std::vector<std::vector<double>> cop_x;           ///< [node][2]: centre of pressure x, right/left (m)
  std::vector<std::vector<double>> quadriceps_force;  ///< [node][2]: knee-extensor tendon force r/l (N)
  std::vector<std::vector<double>> pfj_force, pfj_stress;  ///< [node][2]: r/l (N, Pa; joint_load/pfj.hpp)
  double step_time = 0.0, step_length = 0.0, speed = 0.0;
  double body_mass = 0.0;
  // ---- warm start ----
  std::vector<double> x, lam_x, lam_g;  ///< NLP solution and multipliers (same options and model layout)
};

/// Predicts running steps for one model, building the collocation problem and its exact derivatives
/// (CasADi's algorithmic differentiation) once per problem structure and solving every condition with
/// them. A structure is the model with the condition's body size, whether the foot strike is a band
/// or a given ankle angle, and the options that shape the graph (mesh_intervals, objective and its
/// weights, reserves); the condition's step length, mesh interval lengths and muscle capacities
/// (fatigue) are parameters of the NLP, so a sweep over cadence, speed, step length, foot strike and
/// fatigue builds once. Building costs ≈ 9 s at the default options (≈ 2.6 s for the graph, gradient
/// and Jacobian, ≈ 6.6 s for the Hessian at the first exact-Hessian run), more than a warm solve's
/// IPOPT time (bench/README.md). Keeps the last 4 structures. solve() calls on one Predictor are
/// serialized (a mutex); use one Predictor per thread to solve in parallel.
class Predictor {
 public:
  explicit Predictor(Model model);
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;
  Predictor(const Predictor&) = delete;
  Predictor& operator=(const Predictor&) = delete;

  /// As predict_gait, for this predictor's model.
  PredictedGait solve(const GaitCondition& condition, const PredictOptions& options = {},
                      const PredictedGait* warm = nullptr);
  const Model& model() const;
  /// Number of problem structures built and kept.
  std::size_t transcriptions() const;

 private:
  PredictedGait solve_locked(const GaitCondition& condition, const PredictOptions& options, const PredictedGait* warm);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Predicts one running step for the condition (a Predictor used once: it builds the problem's
/// derivatives for this call; a sweep should keep one Predictor). `warm` (optional) is a previous solution of the same
/// model layout, used as the initial guess (neighbouring conditions in a sweep): with the same mesh its
/// variables and multipliers are reused; with another mesh (mesh refinement) its converged trajectory
/// is resampled onto this one. Without it a generic running guess is used. Throws InputError for bad options or conditions; a solve that fails
/// returns converged = false with IPOPT's status (never throws for numerical failure).
PredictedGait predict_gait(const Model& model, const GaitCondition& condition, const PredictOptions& options = {},
                           const PredictedGait* warm = nullptr);

void validate(const PredictOptions& o);

/// Node times t_0 = 0 … t_N = step_time of the collocation mesh for these options (uniform, or graded
/// finer over the impact window; see PredictOptions::impact_mesh_ratio). Throws InputError on invalid options.
std::vector<double> mesh_times(double step_time, const PredictOptions& o);

/// Metrics of a predicted step (DESIGN 5 keys, from the right leg's stance: node 0 to the last node
/// where its vertical ground reaction exceeds 20 N), plus stride keys: `flight_time_s`,
/// `swing_peak_knee_flexion_deg`, `hip_flexion_at_contact_deg`, `peak_ankle_dorsiflexion_deg`,
/// `<joint>_{positive,negative}_work_step_j_per_kg` (both legs over the whole step),
/// `peak_reserve_fraction` (largest |reserve torque| over the peak moment of its joint) and
/// `metabolic_cost_j_per_kg_m` (PredictedGait::metabolic_cost's total). Empty when
/// the gait did not converge.
std::map<std::string, double> gait_metrics(const Model& model, const GaitCondition& condition, const PredictedGait& g);

/// Vertical ground reaction (N) above which a foot is in stance: the contact time of gait_metrics
/// and the `stance_<side>` columns of gait_timeseries.
inline constexpr double kStanceForceThreshold = 20.0;

/// A predicted step's time series, one row per mesh node (node 0 = right touchdown): `columns[i]`
/// names `series[i]`, units in the names. time_s; pelvis_x_m, pelvis_y_m, trunk_lean_deg; each
/// leg's (suffix _r, _l) joint angles (deg); per leg GRF (N), centre of pressure (m), stance (1 while
/// the vertical GRF exceeds kStanceForceThreshold, else 0), joint moments and reserves (N·m),
/// quadriceps and PFJ force (N) and PFJ stress (Pa); per muscle and leg excitation, activation,
/// tendon force (N), normalized fiber length, then each one's metabolic rate (W).
struct GaitTimeseries {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> series;  ///< [column][node]
};
GaitTimeseries gait_timeseries(const PredictedGait& g);

/// The outcome of a solve in words: IPOPT's status when it converged; otherwise "not converged: ..."
/// with the status, the iterations and what the status means for this problem (e.g. the
/// iteration limit of `options` reached).
std::string gait_message(const PredictedGait& g, const PredictOptions& options);

/// Every key gait_metrics gives for a converged gait of this model, sorted: the keys gait_metrics
/// writes on a synthetic three-node step, so the list cannot drift from it (sweeps lay out their
/// datasets by it; the stride keys are those not in legsim::gait_metric_names).
std::vector<std::string> gait_metric_names(const Model& model);

}  // namespace legsim::predict
