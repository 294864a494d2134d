#pragma once
// One stance advanced in communication steps, the muscle excitations held constant over each step:
// the interface a co-simulation master needs (the FMU, src/fmu/). The same right-hand side
// (stance_rhs), tolerances and toe-off rule as simulate_stance, and its Dormand–Prince 5(4)
// (StanceIntegrator::kDormandPrince; simulate_stance's default switches to a Rosenbrock–W step where
// the stance is stiff), so a run with constant excitations reproduces simulate_stance with the same
// constant feedforward excitation within the integration tolerance (tests/cpp/test_stance_stepper.cpp).
#include <array>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "legsim/core/error.hpp"  // the exceptions the functions below throw
#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim {

class StanceStepper {
 public:
  /// Starts at touchdown (t = 0, state touchdown_state_vector) with every excitation equal to the
  /// muscle's touchdown activation. Throws InputError for an invalid touchdown or options (as
  /// simulate_stance). The stepper copies what it needs from model.
  StanceStepper(const Model& model, const TouchdownState& touchdown, const StanceOptions& options = {});

  /// Excitations (model order, each in [0, 1]) held from now until they are set again. Throws
  /// InputError naming `excitation.<muscle>` and leaves the previous ones.
  void set_excitations(std::span<const double> u);
  std::span<const double> excitations() const { return {u_.data(), static_cast<std::size_t>(c_.n_muscles)}; }

  /// Integrates from time() to t_end (> time(), s). Integration continues past toe-off (the leg
  /// then swings free of the ground). A numerical failure (non-finite state, step-size underflow,
  /// more than kMaxStanceSteps steps in one call) is returned as a status, and the stepper stays
  /// failed (status(), message()); throws InputError for a t_end that is not after time().
  StanceStatus advance_to(double t_end);

  double time() const { return t_; }
  /// The state vector at time() (layout of stance_dynamics.hpp).
  std::span<const double> state() const { return x_; }
  /// The right-hand side's signals (GRF, muscle forces, PFJ force, ...) at time() and state().
  const StanceSignals<double>& signals() const { return signals_; }
  /// The toe-off time located as simulate_stance does (bisection on the dense output to the
  /// event tolerance); NaN before toe-off.
  double toe_off_time() const { return toe_off_; }
  StanceStatus status() const { return status_; }
  const std::string& message() const { return message_; }
  long steps() const { return steps_; }

 private:
  void evaluate(double t, const std::vector<double>& x, std::vector<double>& dxdt, StanceSignals<double>* sig) const;
  StanceStatus fail(StanceStatus status, const std::string& why);

  StanceConstants<double> c_;
  StanceSettings settings_;
  std::vector<std::string> muscle_names_;  ///< for messages
  std::array<double, kMaxMuscles> u_{};
  std::vector<double> x_;
  double t_ = 0.0;
  double step_;  ///< the integrator's last step size, where the next advance_to starts
  double toe_off_ = std::numeric_limits<double>::quiet_NaN();
  ToeOffRule rule_;
  StanceSignals<double> signals_{};
  StanceStatus status_ = StanceStatus::kOk;
  std::string message_;
  long steps_ = 0;
};

}  // namespace legsim
