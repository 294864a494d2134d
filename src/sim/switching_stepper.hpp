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
#include <algorithm>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <utility>
#include <vector>

#include "../batch/dopri5.hpp"
#include "imex_ark4.hpp"
#include "rosenbrock_w.hpp"

namespace legsim::detail {

/// Dormand–Prince 5(4) with dense output: Odeint's dense_output_runge_kutta over controlled_runge_kutta
/// of runge_kutta_dopri5 (Boost 1.74; FSAL, default_error_checker, default_step_adjuster) computed
/// in the same operations in the same order — bit for bit the same steps, states and dense output
/// (tests/cpp/test_stiff_stance.cpp compares them) — with the derivative at the current state
/// exposed (Odeint's stepper keeps it private; the stiffness check needs f there).
///
/// Hand-written rather than Odeint's (issue 22.5): Odeint's stepper makes a pass over the state per
/// stage, then three for the error (weighted sum, scaled error, its maximum), re-checks every
/// temporary's size on every call and goes through its algebra's functors; here a stage is one loop
/// over plain pointers and the error one loop. The same expressions in the same order round alike,
/// also where the compiler contracts a·b + c into an FMA (GCC does for C++ at -ffp-contract=fast,
/// its default even with -std=c++20), as long as each expression has Odeint's shape.
class DormandPrinceDense {
 public:
  using State = std::vector<double>;
  DormandPrinceDense(double atol, double rtol) : atol_(atol), rtol_(rtol) {}

  void initialize(const State& x0, double t0, double h0) {
    x_ = x0;
    for (State* v : {&x_old_, &f_, &f_old_, &x_tmp_, &k2_, &k3_, &k4_, &k5_, &k6_}) v->resize(x0.size());
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

  /// One accepted step (Odeint's dense-output do_step: tries until the error controller accepts,
  /// at most 500 rejections, then step_adjustment_error); returns (t_start, t_end).
  template <class System>
  std::pair<double, double> do_step(System& sys) {
    if (!f_ready_) {
      sys(x_, f_, t_);
      f_ready_ = true;
    }
    boost::numeric::odeint::failed_step_checker fail_checker;
    t_old_ = t_;
    for (bool accepted = false; !accepted;) {
      accepted = try_step(sys);
      fail_checker();  // after every try, as Odeint's (it throws on the 501st)
    }
    x_.swap(x_old_);
    f_.swap(f_old_);
    return {t_old_, t_};
  }

  /// State at t within the last step (Hairer, Nørsett & Wanner, Solving ODEs I, 2nd ed., p. 191–192;
  /// Odeint's runge_kutta_dopri5::calc_state, its constants and order of operations).
  void calc_state(double t, State& out) const {
    const auto& b = dopri5::kA[6];  // the 5th-order weights
    const double b1 = b[0], b3 = b[2], b4 = b[3], b5 = b[4], b6 = b[5];
    const double dt = t_ - t_old_;
    const double theta = (t - t_old_) / dt;
    const double X1 = 5.0 * (2558722523.0 - 31403016.0 * theta) / 11282082432.0;
    const double X3 = 100.0 * (882725551.0 - 15701508.0 * theta) / 32700410799.0;
    const double X4 = 25.0 * (443332067.0 - 31403016.0 * theta) / 1880347072.0;
    const double X5 = 32805.0 * (23143187.0 - 3489224.0 * theta) / 199316789632.0;
    const double X6 = 55.0 * (29972135.0 - 7076736.0 * theta) / 822651844.0;
    const double X7 = 10.0 * (7414447.0 - 829305.0 * theta) / 29380423.0;
    const double theta_m_1 = theta - 1.0;
    const double theta_sq = theta * theta;
    const double A = theta_sq * (3.0 - 2.0 * theta);
    const double B = theta_sq * theta_m_1;
    const double C = theta_sq * theta_m_1 * theta_m_1;
    const double D = theta * theta_m_1 * theta_m_1;
    // The previous step's state and derivative are in x_old_/f_old_ after do_step's swaps.
    combine<6>(out.data(), x_old_.data(),
            {dt * (A * b1 - C * X1 + D), dt * (A * b3 + C * X3), dt * (A * b4 - C * X4), dt * (A * b5 + C * X5),
             dt * (A * b6 - C * X6), dt * (B + C * X7)},
            {f_old_.data(), k3_.data(), k4_.data(), k5_.data(), k6_.data(), f_.data()});
  }
  const State& current_state() const { return x_; }
  /// Derivative at current_state() (the next step's first stage).
  const State& current_deriv() const { return f_; }
  double current_time_step() const { return h_; }

 private:
  /// out[i] = x[i] + a[0]·k[0][i] + a[1]·k[1][i] + …, added left to right: Odeint's scale_sum
  /// (1·x + a0·k0 + …; 1·x is x exactly). __restrict: no state vector overlaps another.
  template <std::size_t N>
  void combine(double* __restrict out, const double* __restrict x, const std::array<double, N>& a,
               const std::array<const double*, N>& k) const {
    for (std::size_t i = 0; i < x_.size(); ++i) {
      double v = x[i];
      for (std::size_t j = 0; j < N; ++j) v = v + a[j] * k[j][i];
      out[i] = v;
    }
  }

  /// Odeint's controlled_runge_kutta<runge_kutta_dopri5>::try_step (FSAL): the step of h_ from
  /// (x_, f_, t_) into (x_old_, f_old_); accepted: t_ advanced, h_ grown; rejected: h_ shrunk.
  template <class System>
  bool try_step(System& sys) {
    // The tableau (dopri5.hpp, shared with the batch engine) under Odeint's names.
    using dopri5::kA, dopri5::kC;
    const double a2 = kC[1], a3 = kC[2], a4 = kC[3], a5 = kC[4];
    const double b21 = kA[1][0];
    const double b31 = kA[2][0], b32 = kA[2][1];
    const double b41 = kA[3][0], b42 = kA[3][1], b43 = kA[3][2];
    const double b51 = kA[4][0], b52 = kA[4][1], b53 = kA[4][2], b54 = kA[4][3];
    const double b61 = kA[5][0], b62 = kA[5][1], b63 = kA[5][2], b64 = kA[5][3], b65 = kA[5][4];
    const double c1 = kA[6][0], c3 = kA[6][2], c4 = kA[6][3], c5 = kA[6][4], c6 = kA[6][5];
    // Odeint's error weights, c − ĉ in its own form (not dopri5::kE, whose rounding differs).
    const double dc1 = c1 - 5179.0 / 57600.0, dc3 = c3 - 7571.0 / 16695.0, dc4 = c4 - 393.0 / 640.0,
                 dc5 = c5 - -92097.0 / 339200.0, dc6 = c6 - 187.0 / 2100.0, dc7 = -1.0 / 40.0;
    const double dt = h_, t = t_;
    const double* x = x_.data();
    const double* f = f_.data();
    combine<1>(x_tmp_.data(), x, {dt * b21}, {f});
    sys(x_tmp_, k2_, t + dt * a2);
    combine<2>(x_tmp_.data(), x, {dt * b31, dt * b32}, {f, k2_.data()});
    sys(x_tmp_, k3_, t + dt * a3);
    combine<3>(x_tmp_.data(), x, {dt * b41, dt * b42, dt * b43}, {f, k2_.data(), k3_.data()});
    sys(x_tmp_, k4_, t + dt * a4);
    combine<4>(x_tmp_.data(), x, {dt * b51, dt * b52, dt * b53, dt * b54}, {f, k2_.data(), k3_.data(), k4_.data()});
    sys(x_tmp_, k5_, t + dt * a5);
    combine<5>(x_tmp_.data(), x, {dt * b61, dt * b62, dt * b63, dt * b64, dt * b65},
               {f, k2_.data(), k3_.data(), k4_.data(), k5_.data()});
    sys(x_tmp_, k6_, t + dt);
    combine<5>(x_old_.data(), x, {dt * c1, dt * c3, dt * c4, dt * c5, dt * c6},
               {f, k3_.data(), k4_.data(), k5_.data(), k6_.data()});
    sys(x_old_, f_old_, t + dt);
    // default_error_checker: max over i of |e_i| / (atol + rtol·(|x_i| + |dt|·|f_i|)), with the error
    // e = dt·(dc1·f + dc3·k3 + dc4·k4 + dc5·k5 + dc6·k6 + dc7·f_new) (runge_kutta_dopri5's xerr).
    const double e1 = dt * dc1, e3 = dt * dc3, e4 = dt * dc4, e5 = dt * dc5, e6 = dt * dc6, e7 = dt * dc7;
    const double adt = a_dxdt_ * std::abs(dt);
    double err = 0.0;
    for (std::size_t i = 0; i < x_.size(); ++i) {
      const double e = e1 * f[i] + e3 * k3_[i] + e4 * k4_[i] + e5 * k5_[i] + e6 * k6_[i] + e7 * f_old_[i];
      err = std::max(err, std::abs(e) / (atol_ + rtol_ * (a_x_ * std::abs(x[i]) + adt * std::abs(f[i]))));
    }
    // default_step_adjuster (no maximum step): error order 4, stepper order 5.
    if (err > 1.0) {
      h_ = dt * std::max(9.0 / 10.0 * std::pow(err, -1.0 / 3.0), 1.0 / 5.0);
      return false;
    }
    t_ = t + dt;
    if (err < 0.5) h_ = dt * (9.0 / 10.0 * std::pow(std::max(std::pow(5.0, -5.0), err), -1.0 / 5.0));
    return true;
  }

  double atol_, rtol_;
  /// Odeint's default_error_checker weights a_x = a_dxdt = 1 of |x| and h·|ẋ| in the error scale,
  /// kept as run-time factors: 1·|x| is exact, but the product changes which addition the compiler
  /// contracts into an FMA, and without it 6 of the 42 stance_tolerance stances differed from
  /// Odeint's in the last bits (measured, issue 22.5).
  double a_x_ = 1.0, a_dxdt_ = 1.0;
  State x_, x_old_, f_, f_old_, x_tmp_, k2_, k3_, k4_, k5_, k6_;
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
