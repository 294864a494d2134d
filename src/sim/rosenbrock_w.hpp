#pragma once
// A linearly implicit Rosenbrock–W step for the stance: ROS34PW2 of Rang & Angermann (2005)
// (ros34pw2.hpp: the tableau and the per-component formulas, shared with the batch engine's implicit
// lanes). A W-method keeps its order for ANY matrix in place of the Jacobian
// (Steihaug T & Wolfbrandt A (1979) Math Comp 33:521–534), which is what lets this step use only
// the diagonal of the Jacobian on the states that make the stance stiff: the compliant tendons'
// force states. Each tendon's df_T/dt depends on its own f_T and on no other tendon's, so one
// derivative evaluation with every tendon state perturbed at once gives that diagonal exactly
// (column compression: Curtis AR, Powell MJD & Reid JK (1974) IMA J Appl Math 13:117–119), and
// the linear systems (I − hγJ)k = r are divisions. Why (docs/decisions.md, "faster stance"): the
// late-stance tendon states of deactivated muscles reach eigenvalues of −2·10⁴/s, which held the
// explicit Dormand–Prince step to ~0.1 ms whatever the tolerance.
//
// Same interface as the part of Odeint's dense-output stepper the stance loop uses (initialize,
// do_step, calc_state, current_state, current_time_step); dense output is the cubic Hermite
// interpolant of the step's end states and derivatives (the derivative at the end is the next
// step's first stage, so it costs nothing extra).
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "ros34pw2.hpp"

namespace legsim::detail {

class RosenbrockW {
 public:
  using State = std::vector<double>;
  static constexpr int kJacobianReuse = 3;  ///< steps one Jacobian serves at most
  /// Derivative evaluations per step as the switching rule counts them (stages 2–4, the end
  /// derivative and about a third of a Jacobian diagonal, rounded).
  static constexpr double kEvaluationsPerStep = 5.0;

  /// stiff: indices of the states whose Jacobian diagonal enters W (each state's derivative must
  /// depend on no other listed state). Error norm and step control as Odeint's controlled
  /// Dormand–Prince (max over components of |e_i| / (atol + rtol·(|x_i| + h·|ẋ_i|))).
  RosenbrockW(double atol, double rtol, std::vector<int> stiff)
      : atol_(atol), rtol_(rtol), stiff_(std::move(stiff)) {}

  template <class System>
  void initialize(const State& x0, double t0, double h0, System& sys) {
    const std::size_t n = x0.size();
    for (State* v : {&x_, &x_old_, &f_, &f_old_, &k1_, &k2_, &k3_, &k4_, &y_, &fy_, &jac_, &xnew_})
      v->assign(n, 0.0);
    x_ = x0;
    t_ = t0;
    h_ = h0;
    sys(x_, f_, t_);
    jacobian_age_ = kJacobianReuse;  // none yet
  }

  /// As initialize, at the state of the last stiffness_at call, whose derivative and Jacobian
  /// diagonal are still valid there (no evaluation).
  void initialize_at_probe(double h0) {
    h_ = h0;
    jacobian_age_ = 0;
  }

  /// One accepted step (retrying with smaller steps on rejection); returns (t_start, t_end).
  template <class System>
  std::pair<double, double> do_step(System& sys) {
    // A W-method keeps its order with a Jacobian from earlier steps (Steihaug & Wolfbrandt 1979), so
    // it is renewed every kJacobianReuse steps and after a rejected step.
    if (jacobian_age_ >= kJacobianReuse) jacobian_diagonal(sys);
    ++jacobian_age_;
    for (int tries = 0;; ++tries) {
      if (!(h_ >= 1e-300) || tries > 1000) throw boost::numeric::odeint::step_adjustment_error("Rosenbrock-W: the step size underflowed");
      const double err = try_step(sys);
      if (err <= 1.0) {
        x_old_.swap(x_);
        x_.swap(xnew_);
        f_old_.swap(f_);
        sys(x_, f_, t_ + h_);  // first stage of the next step and the end slope of the interpolant
        t_old_ = t_;
        t_ += h_;
        last_h_ = h_;
        h_ *= ros34pw2::accepted_step_factor(err);
        return {t_old_, t_};
      }
      ++rejected_;
      h_ *= ros34pw2::rejected_step_factor(err);
      if (jacobian_age_ > 1) {  // retry with a fresh Jacobian
        jacobian_diagonal(sys);
        jacobian_age_ = 1;
      }
    }
  }

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
  /// Diagnostics: the component with the largest scaled error in the last tried step, and its error.
  int worst_component() const { return worst_; }
  int rejected_steps() const { return rejected_; }

 private:
  /// jac_[i] = ∂ẋ_i/∂x_i on the stiff states (0 elsewhere), by one forward difference.
  template <class System>
  void jacobian_diagonal(System& sys) {
    jacobian_age_ = 0;
    y_ = x_;
    for (int i : stiff_) y_[i] += ros34pw2::jacobian_step(x_[i]);
    sys(y_, fy_, t_);
    for (int i : stiff_) jac_[i] = (fy_[i] - f_[i]) / (y_[i] - x_[i]);
  }

  /// k = (I − hγJ)⁻¹ (h·F + h·J·g), J diagonal on the stiff states.
  void solve_stage(State& k, const State& F, const State& g) const {
    const double h = h_;
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = h * F[i];
    for (int i : stiff_) k[i] = ros34pw2::stage_increment(h, F[i], jac_[i], g[i]);
  }

  template <class System>
  double try_step(System& sys) {
    using namespace ros34pw2;
    const std::size_t n = x_.size();
    const double h = h_;
    State& g = xnew_;  // scratch for Σ γ_ij k_j until the new state is formed
    std::fill(g.begin(), g.end(), 0.0);
    solve_stage(k1_, f_, g);
    State* k[3] = {&k2_, &k3_, &k4_};
    const double c[3] = {kC2, kC3, kC4};
    for (int stage = 2; stage <= 4; ++stage) {
      for (std::size_t i = 0; i < n; ++i) {
        const StageInput<double> in = stage_input(stage, x_[i], k1_[i], k2_[i], k3_[i]);
        y_[i] = in.y;
        g[i] = in.g;
      }
      sys(y_, fy_, t_ + c[stage - 2] * h);
      solve_stage(*k[stage - 2], fy_, g);
    }
    double err = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto [xn, e] = solution(x_[i], k1_[i], k2_[i], k3_[i], k4_[i]);
      xnew_[i] = xn;
      const double scale = atol_ + rtol_ * (std::abs(x_[i]) + h * std::abs(f_[i]));
      if (std::abs(e) / scale > err) err = std::abs(e) / scale, worst_ = static_cast<int>(i);
    }
    if (!std::isfinite(err)) err = 1e10;
    return err;
  }

  double atol_, rtol_;
  std::vector<int> stiff_;
  State x_, x_old_, f_, f_old_, k1_, k2_, k3_, k4_, y_, fy_, jac_, xnew_;
  double t_ = 0.0, t_old_ = 0.0, h_ = 0.0, last_h_ = 0.0;
  int worst_ = -1, rejected_ = 0;
  int jacobian_age_ = 0;  ///< steps taken with the current Jacobian
};

}  // namespace legsim::detail
