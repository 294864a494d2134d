#pragma once
// A linearly implicit Rosenbrock–W step for the stance: ROS34PW2 of Rang J & Angermann L (2005),
// "New Rosenbrock W-methods of order 3 for partial differential algebraic equations of index 1",
// BIT Numer Math 45:761–787, doi:10.1007/s10543-005-0035-y (4 stages, order 3, embedded order 2,
// L-stable, stiffly accurate). A W-method keeps its order for ANY matrix in place of the Jacobian
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

namespace legsim::detail {

class RosenbrockW {
 public:
  using State = std::vector<double>;

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
        h_ *= std::clamp(0.9 * std::pow(std::max(err, 1e-10), -1.0 / 3.0), 0.2, 5.0);
        return {t_old_, t_};
      }
      ++rejected_;
      h_ *= std::clamp(0.9 * std::pow(err, -1.0 / 3.0), 0.2, 1.0);
      if (jacobian_age_ > 1) {  // retry with a fresh Jacobian
        jacobian_diagonal(sys);
        jacobian_age_ = 1;
      }
    }
  }

  /// State at t in the last step [t_old, t] (cubic Hermite).
  void calc_state(double t, State& out) const {
    const double h = t_ - t_old_, s = (t - t_old_) / h;
    const double h00 = (1 + 2 * s) * (1 - s) * (1 - s), h10 = s * (1 - s) * (1 - s);
    const double h01 = s * s * (3 - 2 * s), h11 = s * s * (s - 1);
    for (std::size_t i = 0; i < x_.size(); ++i)
      out[i] = h00 * x_old_[i] + h10 * h * f_old_[i] + h01 * x_[i] + h11 * h * f_[i];
  }

  const State& current_state() const { return x_; }
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
  /// (one derivative evaluation).
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
  // ROS34PW2 (Rang & Angermann 2005, Table 4.1): α_ij, γ_ij (j < i), γ, b, b̂.
  static constexpr double kGamma = 4.3586652150845900e-01;
  static constexpr double kA21 = 8.7173304301691801e-01, kA31 = 8.4457060015369423e-01,
                          kA32 = -1.1299064236484185e-01, kA43 = 1.0;
  static constexpr double kG21 = -8.7173304301691801e-01, kG31 = -9.0338057013044082e-01,
                          kG32 = 5.4180672388095326e-02, kG41 = 2.4212380706095346e-01,
                          kG42 = -1.2232505839045147e+00, kG43 = 5.4526025533510214e-01;
  static constexpr double kB[4] = {2.4212380706095346e-01, -1.2232505839045147e+00, 1.5452602553351020e+00,
                                   4.3586652150845900e-01};
  static constexpr double kBHat[4] = {3.7810903145819369e-01, -9.6042292212423178e-02, 5.0e-01,
                                      2.1793326075422950e-01};

  /// jac_[i] = ∂ẋ_i/∂x_i on the stiff states (0 elsewhere), by one forward difference.
  template <class System>
  void jacobian_diagonal(System& sys) {
    jacobian_age_ = 0;
    y_ = x_;
    for (int i : stiff_) y_[i] += step_of(x_[i]);
    sys(y_, fy_, t_);
    for (int i : stiff_) jac_[i] = (fy_[i] - f_[i]) / (y_[i] - x_[i]);
  }
  static double step_of(double x) { return 1.5e-8 * std::max(1.0, std::abs(x)); }  // ≈ √ε

  /// k = (I − hγJ)⁻¹ (h·F + h·J·g), J diagonal on the stiff states.
  void solve_stage(State& k, const State& F, const State& g) const {
    const double h = h_;
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = h * F[i];
    for (int i : stiff_) k[i] = (k[i] + h * jac_[i] * g[i]) / (1.0 - h * kGamma * jac_[i]);
  }

  template <class System>
  double try_step(System& sys) {
    const std::size_t n = x_.size();
    const double h = h_;
    State& g = xnew_;  // scratch for Σ γ_ij k_j until the new state is formed
    std::fill(g.begin(), g.end(), 0.0);
    solve_stage(k1_, f_, g);
    for (std::size_t i = 0; i < n; ++i) y_[i] = x_[i] + kA21 * k1_[i], g[i] = kG21 * k1_[i];
    sys(y_, fy_, t_ + kA21 * h);
    solve_stage(k2_, fy_, g);
    for (std::size_t i = 0; i < n; ++i)
      y_[i] = x_[i] + kA31 * k1_[i] + kA32 * k2_[i], g[i] = kG31 * k1_[i] + kG32 * k2_[i];
    sys(y_, fy_, t_ + (kA31 + kA32) * h);
    solve_stage(k3_, fy_, g);
    for (std::size_t i = 0; i < n; ++i)
      y_[i] = x_[i] + kA43 * k3_[i], g[i] = kG41 * k1_[i] + kG42 * k2_[i] + kG43 * k3_[i];
    sys(y_, fy_, t_ + h);
    solve_stage(k4_, fy_, g);
    double err = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double k[4] = {k1_[i], k2_[i], k3_[i], k4_[i]};
      double dx = 0.0, e = 0.0;
      for (int s = 0; s < 4; ++s) dx += kB[s] * k[s], e += (kB[s] - kBHat[s]) * k[s];
      xnew_[i] = x_[i] + dx;
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
  static constexpr int kJacobianReuse = 3;  ///< steps one Jacobian serves at most
  int jacobian_age_ = 0;                    ///< steps taken with the current Jacobian
};

}  // namespace legsim::detail
