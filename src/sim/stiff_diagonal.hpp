#pragma once
// What the scalar stance's two stiff steps (rosenbrock_w.hpp: ROS34PW2; imex_ark4.hpp: ARK4(3)6L[2]SA)
// share: the Jacobian diagonal over the stiff states, the cubic Hermite dense output, and the state
// and interface around them (StiffStepBase).
//
// The diagonal (jacobian_diagonal): each compliant tendon's df_T/dt depends on its own f_T and on no
// other tendon's, so one derivative evaluation with every listed state perturbed at once gives
// ∂ẋ_i/∂x_i on all of them (column compression: Curtis AR, Powell MJD & Reid JK (1974) IMA J Appl Math 13:117–119).
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "ros34pw2.hpp"

namespace legsim::detail {

/// The state of a linearly implicit step with the stiff states' Jacobian diagonal, and the part of
/// Odeint's dense-output interface the stance loop and the switching stepper use. Error norm and step
/// control of the derived steps as Odeint's controlled Dormand–Prince (max over components of
/// |e_i| / (atol + rtol·(|x_i| + h·|ẋ_i|))).
class StiffStepBase {
 public:
  using State = std::vector<double>;

  /// State at t in the last step [t_old, t] (cubic Hermite).
  void calc_state(double t, State& out) const {
    const double h = t_ - t_old_, s = (t - t_old_) / h;
    for (std::size_t i = 0; i < x_.size(); ++i) out[i] = ros34pw2::hermite(s, h, x_old_[i], f_old_[i], x_[i], f_[i]);
  }
  const State& current_state() const { return x_; }
  /// Derivative at current_state() (the next step's first stage).
  const State& current_deriv() const { return f_; }
  double current_time() const { return t_; }
  /// The size of the next step to try (as Odeint's current_time_step after a step).
  double current_time_step() const { return h_; }
  /// Largest |∂ẋ_i/∂x_i| over the stiff states at the start of the last step (1/s).
  double stiffness() const {
    double m = 0.0;
    for (int i : stiff_) m = std::max(m, std::abs(jac_[i]));
    return m;
  }
  /// The same estimate at (x, t) with derivative f, for a caller integrating with another method
  /// (one derivative evaluation); leaves the stepper at (x, t) for initialize_at_probe.
  template <class System>
  double stiffness_at(const State& x, const State& f, double t, System& sys) {
    x_ = x;
    f_ = f;
    t_ = t;
    jacobian_diagonal(sys);
    return stiffness();
  }
  /// Starts at the state of the last stiffness_at call, whose derivative and Jacobian diagonal are
  /// still valid there (no evaluation).
  void initialize_at_probe(double h0) {
    h_ = h0;
    jacobian_age_ = 0;
  }
  /// Diagnostics: the component with the largest scaled error in the last tried step.
  int worst_component() const { return worst_; }
  int rejected_steps() const { return rejected_; }

 protected:
  /// stiff: indices of the states whose Jacobian diagonal is used (each state's derivative must
  /// depend on no other listed state).
  StiffStepBase(double atol, double rtol, std::vector<int> stiff) : atol_(atol), rtol_(rtol), stiff_(std::move(stiff)) {}

  /// One accepted step with error control; returns (t_start, t_end). try_step() tries h_ and returns
  /// the scaled error (≤ 1 accepts); after an acceptance h_ is scaled by grow(err), after a rejection
  /// by shrink(err) and the step retried with a fresh Jacobian diagonal. The diagonal is also renewed
  /// every `reuse` steps (a W-method keeps its order with a Jacobian from earlier steps: Steihaug &
  /// Wolfbrandt 1979).
  template <class System, class Try, class Grow, class Shrink>
  std::pair<double, double> controlled_step(System& sys, int reuse, Try&& try_step, Grow&& grow, Shrink&& shrink) {
    if (jacobian_age_ >= reuse) jacobian_diagonal(sys);
    ++jacobian_age_;
    for (int tries = 0;; ++tries) {
      if (!(h_ >= 1e-300) || tries > 1000)
        throw boost::numeric::odeint::step_adjustment_error("stiff step: the step size underflowed");
      const double err = try_step();
      if (err <= 1.0) {
        const auto span = accept(sys);
        h_ *= grow(err);
        return span;
      }
      ++rejected_;
      h_ *= shrink(err);
      if (jacobian_age_ > 1) {  // retry with a fresh Jacobian
        jacobian_diagonal(sys);
        jacobian_age_ = 1;
      }
    }
  }

  /// Sizes the shared vectors and starts at (x0, t0) with step h0, the Jacobian due (one evaluation).
  template <class System>
  void start(const State& x0, double t0, double h0, System& sys, int jacobian_reuse) {
    for (State* v : {&x_, &x_old_, &f_, &f_old_, &y_, &fy_, &jac_, &xnew_}) v->assign(x0.size(), 0.0);
    x_ = x0;
    t_ = t0;
    h_ = h0;
    sys(x_, f_, t_);
    jacobian_age_ = jacobian_reuse;  // none yet
  }

  /// jac_[i] = ∂ẋ_i/∂x_i on the stiff states (0 elsewhere), by one forward difference.
  template <class System>
  void jacobian_diagonal(System& sys) {
    jacobian_age_ = 0;
    y_ = x_;
    for (int i : stiff_) y_[i] += ros34pw2::jacobian_step(x_[i]);
    sys(y_, fy_, t_);
    for (int i : stiff_) jac_[i] = (fy_[i] - f_[i]) / (y_[i] - x_[i]);
  }

  /// Max over components of |e_i| / (atol + rtol·(|x_i| + h·|ẋ_i|)) for the error e_i of component
  /// i, accumulated by the caller; sets worst_.
  void take_error(std::size_t i, double e, double& err) {
    const double scale = atol_ + rtol_ * (std::abs(x_[i]) + h_ * std::abs(f_[i]));
    if (std::abs(e) / scale > err) err = std::abs(e) / scale, worst_ = static_cast<int>(i);
  }

  /// Takes the tried step (its result in xnew_): the derivative at the new state is the next step's
  /// first stage and the end slope of the interpolant.
  template <class System>
  std::pair<double, double> accept(System& sys) {
    x_old_.swap(x_);
    x_.swap(xnew_);
    f_old_.swap(f_);
    sys(x_, f_, t_ + h_);
    t_old_ = t_;
    t_ += h_;
    return {t_old_, t_};
  }

  double atol_, rtol_;
  std::vector<int> stiff_;
  State x_, x_old_, f_, f_old_, y_, fy_, jac_, xnew_;
  double t_ = 0.0, t_old_ = 0.0, h_ = 0.0;
  int worst_ = -1, rejected_ = 0;
  int jacobian_age_ = 0;  ///< steps taken with the current Jacobian
};

}  // namespace legsim::detail
