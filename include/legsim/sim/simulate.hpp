#pragma once
// One stance phase, touchdown to toe-off, integrated with Boost.Odeint's Dormand–Prince and, where the
// stance is stiff, a Rosenbrock–W step (StanceIntegrator below; DESIGN 3, 5).
#include <array>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "legsim/core/error.hpp"  // the exceptions the functions below throw
#include "legsim/model.hpp"
#include "legsim/sim/stance_dynamics.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim {

/// Posture and velocities at touchdown. The hip height is set so that the lowest foot contact
/// point just touches the ground (y = 0); the hip starts at x = 0.
struct TouchdownState {
  double trunk_lean = 0.1;                ///< rad, + = forward, [−0.5, 1]
  double hip_flexion = 0.45;              ///< rad, [−0.5, 1.5]
  double knee_flexion = 0.3;              ///< rad, [0, 1.5]
  double ankle_dorsiflexion = -0.05;      ///< rad, [−0.8, 0.6]; toe-up foot (rearfoot) when the leg is inclined
  double hip_velocity_x = 3.5;            ///< m/s, forward
  double hip_velocity_y = -0.5;           ///< m/s, up
  double trunk_angular_velocity = 0.0;    ///< rad/s (d trunk_lean/dt)
  double hip_angular_velocity = -3.0;     ///< rad/s (d hip_flexion/dt; < 0 = swing-leg retraction)
  double knee_angular_velocity = 0.0;     ///< rad/s
  double ankle_angular_velocity = 0.0;    ///< rad/s
  /// Activation of each muscle at touchdown (model order); empty = each muscle's min_activation.
  std::vector<double> activations;
};

/// Sets the hip and knee angular velocities of a touchdown state (trunk not rotating) so that the
/// ankle moves at (vx, vy) m/s relative to the ground: the swing leg's retraction as an explicit,
/// physiological input (DESIGN 3.2). Throws InputError if the knee is too straight (< 1°) to solve.
void set_touchdown_ankle_velocity(const Model& model, TouchdownState& td, double vx, double vy);
/// The foot point that lands first in a posture: the lower of heel and metatarsal head (the heel
/// on a tie).
inline ContactIndex first_contact(const Kinematics<double>& k) {
  return k.contact[kHeel](1) <= k.contact[kMetatarsalHead](1) ? kHeel : kMetatarsalHead;
}

/// Sets td's hip and knee angular velocities so that the foot point that lands first (the lower of
/// heel and metatarsal head in td's posture) moves at v = (vx, vy) (m/s; x forward, y up), given
/// td's posture and hip velocity; the trunk does not rotate and the foot does not rotate relative to
/// the shank (trunk and ankle angular velocities 0). Throws InputError for a non-finite v or a
/// posture in which the hip and knee rates cannot set both components.
void set_touchdown_foot_velocity(const Model& model, TouchdownState& td, const std::array<double, 2>& v);

/// Excitation u_i(t, x) ∈ [0, 1] of every muscle, written into u (length n_muscles). Called from
/// the right-hand side: it must not throw and should not allocate.
using ExcitationFn = std::function<void(double t, std::span<const double> state, std::span<double> u)>;

/// Piecewise-linear feedforward excitation: per muscle, levels at given times (held constant
/// outside), a simple open-loop pattern for teaching and for tests.
struct FeedforwardExcitation {
  std::vector<std::vector<double>> times;   ///< per muscle, increasing (s)
  std::vector<std::vector<double>> levels;  ///< per muscle, ∈ [0, 1]
  void operator()(double t, std::span<const double> state, std::span<double> u) const;
};
/// Validates a feedforward pattern against a model (sizes, ranges, increasing times).
void validate(const FeedforwardExcitation& e, const Model& model);

/// The scalar stance's integration method. kStiffSwitching: Odeint's explicit Dormand–Prince 5(4)
/// while the stance is not stiff, a linearly implicit Rosenbrock–W step (ROS34PW2, tendon states
/// implicit) while it is (src/sim/switching_stepper.hpp; docs/decisions.md, "faster stance");
/// kDormandPrince: Dormand–Prince throughout. The batch engine offers both (BatchOptions::integrator);
/// with the same method the two engines agree to what the integrators achieve
/// (tests/cpp/test_batch_engine.cpp).
enum class StanceIntegrator { kStiffSwitching, kDormandPrince };

struct StanceOptions {
  /// Per-muscle capacity factors (fatigue, DESIGN 3.4), model order; empty = the model's own.
  std::vector<double> capacity_factors;
  /// Overrides of the model's integrator tolerances (0 = use the model's).
  double relative_tolerance = 0.0;
  double absolute_tolerance = 0.0;
  bool record = true;  ///< keep the time series (metrics are computed either way)
  double event_tolerance = 0.0;  ///< override of the toe-off location tolerance (s; 0 = the model's)
  StanceIntegrator integrator = StanceIntegrator::kStiffSwitching;
};

/// A stance that needs more accepted steps than this is stopped as a step-size failure (a healthy
/// stance takes a few hundred to a few thousand).
inline constexpr long kMaxStanceSteps = 20000;

/// kInvalidResult: the stance reached toe-off but is not a physiological result (a non-finite metric,
/// or a contact shorter than kMinContactTime) — see stance_result_problem.
enum class StanceStatus {
  kOk,
  kStepSizeUnderflow,
  kNonFiniteState,
  kNoToeOff,
  kNoContact,
  kIntegratorError,
  kInvalidResult
};
const char* to_string(StanceStatus s);

/// Shortest contact accepted as a running stance (s). Published running contact times are
/// >= ~0.08 s even at top sprint speed (Weyand PG et al. (2000) J Appl Physiol 89(5):1991-1999:
/// 0.09-0.12 s at 10-11 m/s); 0.05 s leaves a wide margin below that while rejecting the
/// sub-millisecond "bounces" of a rigid or overpowered model (issue 18, item 5).
inline constexpr double kMinContactTime = 0.05;

/// One named number of a finished stance (a metric, or an outcome field of the batch engine).
struct NamedValue {
  std::string_view name;
  double value;
};
/// Why a stance that reached toe-off is still not a result: its contact is shorter than
/// kMinContactTime or one of `values` is not finite. Empty when it is a result. The scalar path and
/// the batch engine both call this, so both apply the same rule.
std::string stance_result_problem(double contact_time, std::span<const NamedValue> values);

/// The outcome of one stance. When status != kOk, message says why and metrics are empty.
struct StanceResult {
  StanceStatus status = StanceStatus::kOk;
  std::string message;
  bool ok() const { return status == StanceStatus::kOk; }
  double contact_time = 0.0;  ///< s
  std::vector<std::string> columns;         ///< time-series column names (DESIGN 5)
  std::vector<std::vector<double>> series;  ///< column-major, series[c][row]
  std::map<std::string, double> metrics;    ///< metric keys of DESIGN 5 a single stance gives
  std::vector<double> touchdown_state, toeoff_state;
  /// The per-stance summary both engines report (sim/stance_pipeline.hpp); the metrics take their
  /// peaks and integrals of PFJ load, quadriceps force, vertical GRF, knee flexion and effort from it.
  StanceSummary summary;
  long steps = 0;
  long implicit_steps = 0;  ///< accepted steps taken with the Rosenbrock–W step (StanceIntegrator)
  long rhs_evaluations = 0;
  /// The column called name; throws InputError if there is none.
  const std::vector<double>& column(std::string_view name) const;
};

/// The full state vector at touchdown (see stance_dynamics.hpp for the layout): posture placed on
/// the ground, tendon forces at static equilibrium with the touchdown activations.
std::vector<double> touchdown_state_vector(const Model& model, const StanceConstants<double>& c,
                                           const TouchdownState& td);
void validate(const TouchdownState& td, const Model& model);

/// Simulates one stance from touchdown to toe-off. Bad input throws InputError; numerical failure is
/// reported in the result's status and message.
StanceResult simulate_stance(const Model& model, const TouchdownState& touchdown, const ExcitationFn& excitation,
                             const StanceOptions& options = {});
/// The same, with excitations from the stance controller (feedforward + reflexes) evaluated inside
/// the right-hand side (control/controller.hpp); use model.controller() for the model's defaults.
StanceResult simulate_stance(const Model& model, const TouchdownState& touchdown, const ControllerParams& controller,
                             const StanceOptions& options = {});

}  // namespace legsim
