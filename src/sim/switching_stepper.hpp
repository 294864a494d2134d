#pragma once
// The scalar stance's default integrator: Odeint's explicit Dormand–Prince 5(4) while the stance is
// not stiff, the linearly implicit Rosenbrock–W step (rosenbrock_w.hpp) while it is, switching
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
// implicit step by the ratio of their costs per step (6 and 5 derivative evaluations) — the cost
// comparison of LSODA. Each method runs at least kMinSteps steps before a switch (hysteresis).
#include <boost/numeric/odeint.hpp>
#include <utility>
#include <vector>

#include "rosenbrock_w.hpp"

namespace legsim::detail {

class SwitchingStepper {
 public:
  using State = std::vector<double>;
  static constexpr double kStabilityLimit = 3.25;  ///< Hairer & Wanner's DOPRI5 threshold of h·|λ|
  static constexpr double kCostRatio = 6.0 / 5.0;  ///< derivative evaluations per step, explicit / implicit
  static constexpr int kMinSteps = 8;              ///< steps in one method before switching again
  static constexpr int kCheckEvery = 4;            ///< explicit steps between stiffness checks

  SwitchingStepper(double atol, double rtol, std::vector<int> stiff)
      : explicit_(boost::numeric::odeint::make_dense_output(atol, rtol,
                                                            boost::numeric::odeint::runge_kutta_dopri5<State>())),
        implicit_(atol, rtol, std::move(stiff)) {}

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
      if (steps_in_mode_ >= kMinSteps && explicit_step > kCostRatio * implicit_.current_time_step())
        switch_to(false, implicit_.current_state(), span.second, implicit_.current_time_step(), sys);
      last_stiff_ = true;
      return span;
    }
    const auto span = explicit_.do_step(sys);
    last_stiff_ = false;
    if (steps_in_mode_ >= kMinSteps && steps_in_mode_ % kCheckEvery == 0) {
      f_.resize(explicit_.current_state().size());
      sys(explicit_.current_state(), f_, span.second);
      const double lambda = implicit_.stiffness_at(explicit_.current_state(), f_, span.second, sys);
      if (explicit_.current_time_step() * lambda > kStabilityLimit)
        switch_to(true, explicit_.current_state(), span.second, explicit_.current_time_step(), sys);
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
  bool last_step_stiff() const { return last_stiff_; }

 private:
  // Starts the other method at (x, t) with step h. The last step's dense output stays with the
  // method that took it (last_stiff_); x is copied first, as it is that method's own state.
  template <class System>
  void switch_to(bool stiff, const State& x, double t, double h, System& sys) {
    x_ = x;
    if (stiff)
      implicit_.initialize(x_, t, h, sys);
    else
      explicit_.initialize(x_, t, h);
    stiff_ = stiff;
    steps_in_mode_ = 0;
    ++switches_;
  }

  boost::numeric::odeint::dense_output_runge_kutta<
      boost::numeric::odeint::controlled_runge_kutta<boost::numeric::odeint::runge_kutta_dopri5<State>>>
      explicit_;
  RosenbrockW implicit_;
  State f_, x_;
  bool stiff_ = false, last_stiff_ = false;
  int steps_in_mode_ = 0, switches_ = 0;
};

}  // namespace legsim::detail
