#pragma once
// The scalar stance's default integrator: Odeint's explicit Dormand–Prince 5(4) while the stance is
// not stiff, a linearly implicit step while it is — the Rosenbrock–W step ROS34PW2 (rosenbrock_w.hpp;
// SwitchingStepper = BasicSwitchingStepper<RosenbrockW>, as the batch engine's lanes), or, measured
// but not the default, the 4th-order IMEX additive Runge–Kutta step ARK4(3)6L[2]SA (imex_ark4.hpp;
// docs/decisions.md, "A 4th-order stiff step") —, switching
// between them by a stiffness estimate — the scheme of LSODA (Petzold L (1983) SIAM J Sci Stat
// Comput 4(1):136–148: an explicit and a stiff method, switched by comparing the steps each could
// take) with the stiffness test of Hairer & Wanner's DOPRI5 (Hairer E & Wanner G (1996) Solving
// ODEs II, 2nd ed., sec. IV.2, "Automatic stiffness detection": stiff when h·|λ| > 3.25, the edge
// of Dormand–Prince's stability region on the negative real axis).
//
// Measured (tools/stance_profile.cpp, docs/decisions.md "faster stance"): the stance is stiff only
// in its last third, when deactivated muscles with compliant tendons (hamstrings, gluteus) stretch
// and their tendon-force states reach eigenvalues of −9·10³ … −2·10⁴ /s; before that the explicit
// step is limited by accuracy (ankle dynamics), where the 5th-order method takes the larger steps.
//
// |λ| is the largest diagonal entry of the Jacobian over the tendon states (their eigenvalues are
// those diagonal entries to within a few percent at every instant measured). Explicit → implicit
// when the explicit step h satisfies h·|λ| > 3.25 (Dormand–Prince then steps at its stability limit);
// implicit → explicit when the explicit step the stiffness allows, 3.25/|λ|, is larger than the
// implicit step by the ratio of their costs per step (6 derivative evaluations against the implicit
// method's kEvaluationsPerStep: 5 for ROS34PW2, 6⅙ for the ARK step) — the cost comparison of LSODA. Each method runs at least kMinSteps steps before a switch (hysteresis).
#include <boost/numeric/odeint.hpp>
#include <utility>
#include <vector>

#include "imex_ark4.hpp"
#include "rosenbrock_w.hpp"

namespace legsim::detail {

/// Odeint's dense-output Dormand–Prince (dense_output_runge_kutta over controlled_runge_kutta, FSAL),
/// the same calls in the same order, with the derivative at the current state exposed (Boost 1.74's
/// stepper keeps it private): the stiffness check needs f there, and the FSAL stepper already has it.
class DormandPrinceDense {
 public:
  using State = std::vector<double>;
  DormandPrinceDense(double atol, double rtol)
      : stepper_(boost::numeric::odeint::make_controlled(atol, rtol, boost::numeric::odeint::runge_kutta_dopri5<State>())) {}

  void initialize(const State& x0, double t0, double h0) {
    x_ = x0;
    x_old_.resize(x0.size());
    f_.resize(x0.size());
    f_old_.resize(x0.size());
    t_ = t0;
    h_ = h0;
    f_ready_ = false;
  }
  /// As initialize, with the derivative f0 at (x0, t0) known (saves the first step's evaluation).
  void initialize(const State& x0, const State& f0, double t0, double h0) {
    initialize(x0, t0, h0);
    f_ = f0;
    f_ready_ = true;
  }

  template <class System>
  std::pair<double, double> do_step(System& sys) {
    if (!f_ready_) {
      sys(x_, f_, t_);
      f_ready_ = true;
    }
    boost::numeric::odeint::failed_step_checker fail_checker;
    t_old_ = t_;
    boost::numeric::odeint::controlled_step_result res;
    do {
      res = stepper_.try_step(sys, x_, f_, t_, x_old_, f_old_, h_);
      fail_checker();
    } while (res == boost::numeric::odeint::fail);
    x_.swap(x_old_);
    f_.swap(f_old_);
    return {t_old_, t_};
  }

  void calc_state(double t, State& out) const { stepper_.stepper().calc_state(t, out, x_old_, f_old_, t_old_, x_, f_, t_); }
  const State& current_state() const { return x_; }
  /// Derivative at current_state() (the next step's first stage).
  const State& current_deriv() const { return f_; }
  double current_time_step() const { return h_; }

 private:
  boost::numeric::odeint::controlled_runge_kutta<boost::numeric::odeint::runge_kutta_dopri5<State>> stepper_;
  State x_, x_old_, f_, f_old_;
  double t_ = 0.0, t_old_ = 0.0, h_ = 0.0;
  bool f_ready_ = false;
};

/// Implicit: the stiff method (RosenbrockW: ROS34PW2; ImexArk4: Kennedy & Carpenter's ARK4(3)6L[2]SA).
template <class Implicit>
class BasicSwitchingStepper {
 public:
  using State = std::vector<double>;
  static constexpr double kStabilityLimit = 3.25;  ///< Hairer & Wanner's DOPRI5 threshold of h·|λ|
  /// Derivative evaluations per step, explicit / ROS34PW2 (6 and 5): the cost ratio of the
  /// implicit → explicit switch with ROS34PW2 (the batch engine's lanes read it).
  static constexpr double kCostRatio = 6.0 / 5.0;
  static constexpr int kMinSteps = 8;              ///< steps in one method before switching again
  static constexpr int kCheckEvery = 4;            ///< explicit steps between stiffness checks

  BasicSwitchingStepper(double atol, double rtol, std::vector<int> stiff)
      : explicit_(atol, rtol), implicit_(atol, rtol, std::move(stiff)) {}

  template <class System>
  void initialize(const State& x0, double t0, double h0, System& sys) {
    explicit_.initialize(x0, t0, h0);
    implicit_.initialize(x0, t0, h0, sys);  // sizes its work vectors
    stiff_ = false;
    steps_in_mode_ = 0;
  }

  template <class System>
  std::pair<double, double> do_step(System& sys) {
    ++steps_in_mode_;
    if (stiff_) {
      const auto span = implicit_.do_step(sys);
      const double lambda = implicit_.stiffness();
      const double explicit_step = lambda > 0 ? kStabilityLimit / lambda : 1e300;
      if (steps_in_mode_ >= kMinSteps && explicit_step > cost_ratio() * implicit_.current_time_step()) {
        // The implicit step's derivative at its new state starts Dormand–Prince (no evaluation).
        explicit_.initialize(implicit_.current_state(), implicit_.current_deriv(), span.second,
                             implicit_.current_time_step());
        switched(false);
      }
      last_stiff_ = true;
      return span;
    }
    const auto span = explicit_.do_step(sys);
    last_stiff_ = false;
    if (steps_in_mode_ >= kMinSteps && steps_in_mode_ % kCheckEvery == 0) {
      // Dormand–Prince's FSAL derivative at the new state: the check costs the probe's evaluation only.
      const double lambda = implicit_.stiffness_at(explicit_.current_state(), explicit_.current_deriv(), span.second, sys);
      if (explicit_.current_time_step() * lambda > kStabilityLimit) {
        // The probe left the implicit stepper at this state with its derivative and a fresh Jacobian.
        implicit_.initialize_at_probe(explicit_.current_time_step());
        switched(true);
      }
    }
    return span;
  }

  /// State at t within the last step.
  void calc_state(double t, State& out) const {
    if (last_stiff_)
      implicit_.calc_state(t, out);
    else
      explicit_.calc_state(t, out);
  }
  const State& current_state() const { return stiff_ ? implicit_.current_state() : explicit_.current_state(); }
  double current_time_step() const { return stiff_ ? implicit_.current_time_step() : explicit_.current_time_step(); }
  int switches() const { return switches_; }
  Implicit& implicit() { return implicit_; }
  bool last_step_stiff() const { return last_stiff_; }

 private:
  /// LSODA's cost comparison: explicit evaluations per step over the implicit method's.
  static constexpr double cost_ratio() { return 6.0 / Implicit::kEvaluationsPerStep; }
  // The last step's dense output stays with the method that took it (last_stiff_); the other method
  // has been started at the step's end from its own copies of the state and derivative.
  void switched(bool stiff) {
    stiff_ = stiff;
    steps_in_mode_ = 0;
    ++switches_;
  }

  DormandPrinceDense explicit_;
  Implicit implicit_;
  bool stiff_ = false, last_stiff_ = false;
  int steps_in_mode_ = 0, switches_ = 0;
};

/// The scalar stance's default integrator, with ROS34PW2 as its stiff step (docs/decisions.md, "a
/// 4th-order stiff step": the ARK step saves only 1–15 % of the evaluations at equal accuracy and is
/// not robust on very stiff problems).
using SwitchingStepper = BasicSwitchingStepper<RosenbrockW>;

}  // namespace legsim::detail
