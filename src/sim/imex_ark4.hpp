#pragma once
// A 4th-order linearly implicit step for the stiff part of the stance: the additive Runge–Kutta pair
// ARK4(3)6L[2]SA of Kennedy CA & Carpenter MH (2003), "Additive Runge–Kutta schemes for
// convection–diffusion–reaction equations", Appl Numer Math 44:139–181,
// doi:10.1016/S0168-9274(02)00138-1 (the ERK and ESDIRK tableaux of its appendix, ARK4(3)6L[2]SA):
// 6 stages, order 4 with an embedded order 3, the implicit part L-stable and stiffly accurate, both
// parts sharing b, b̂ and c.
//
// The split: within a step from (t_n, x_n), ẋ = f(x) is written as the sum of
//   f_I(x) = J·(x − x_n)        (implicit part: linear, J the Jacobian diagonal on the stiff states)
//   f_E(x) = f(x) − J·(x − x_n) (explicit part: the rest),
// an exact additive split for any J, so the pair's order (its coupling conditions included) holds for
// any J — the property a W-method has (Steihaug & Wolfbrandt 1979), without W-order conditions.
// J is the diagonal of ∂f/∂x over the compliant tendons' force states (exact from one evaluation, as
// in rosenbrock_w.hpp), 0 elsewhere: on every other state the step is the pair's explicit 6-stage
// 4th-order Runge–Kutta method, and on the tendon states the implicit stages are divisions,
//   (1 − hγ J_ii) z_i = h Σ_{j<i} (a^E_ij f_E,j + a^I_ij f_I,j),  Y_i = x_n + z_i.
// What it is for (docs/decisions.md, "a 4th-order stiff step"): ROS34PW2 is a 3rd-order explicit
// method on the non-stiff states (its W-method with J = 0), and the late stance's ankle dynamics held
// its steps to ≈ 0.5 ms against Dormand–Prince's 1.3 ms earlier in the stance.
//
// Cost per step: stages 2–6 (5 evaluations) and the derivative at the new state (the next step's
// first stage and the end slope of the dense output, as in rosenbrock_w.hpp), plus the Jacobian
// diagonal every kJacobianReuse steps. Same interface as RosenbrockW.
#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "stiff_diagonal.hpp"

namespace legsim::detail {

/// The tableau of ARK4(3)6L[2]SA (Kennedy & Carpenter 2003; the coefficients as printed there, as
/// rationals). Checked: every order condition of the pair up to order 4, the coupling ones included,
/// holds to round-off for b, and up to order 3 for b̂ (tests/cpp/test_stiff_stance.cpp).
struct Ark436 {
  static constexpr int kStages = 6;
  static constexpr double kGamma = 0.25;
  // Kennedy & Carpenter (2003), ARK4(3)6L[2]SA: explicit a^E_ij (j < i), implicit a^I_ij (j < i; the
  // diagonal is γ = 1/4, a^I_11 = 0), weights b (= the last row of a^I), embedded weights b̂.
  static constexpr double kAE[kStages][kStages] = {
      {0, 0, 0, 0, 0, 0},
      {1.0 / 2, 0, 0, 0, 0, 0},
      {13861.0 / 62500, 6889.0 / 62500, 0, 0, 0, 0},
      {-116923316275.0 / 2393684061468, -2731218467317.0 / 15368042101831, 9408046702089.0 / 11113171139209, 0, 0, 0},
      {-451086348788.0 / 2902428689909, -2682348792572.0 / 7519795681897, 12662868775082.0 / 11960479115383,
       3355817975965.0 / 11060851509271, 0, 0},
      {647845179188.0 / 3216320057751, 73281519250.0 / 8382639484533, 552539513391.0 / 3454668386233,
       3354512671639.0 / 8306763924573, 4040.0 / 17871, 0}};
  static constexpr double kAI[kStages][kStages] = {
      {0, 0, 0, 0, 0, 0},
      {1.0 / 4, 0, 0, 0, 0, 0},
      {8611.0 / 62500, -1743.0 / 31250, 0, 0, 0, 0},
      {5012029.0 / 34652500, -654441.0 / 2922500, 174375.0 / 388108, 0, 0, 0},
      {15267082809.0 / 155376265600, -71443401.0 / 120774400, 730878875.0 / 902184768, 2285395.0 / 8070912, 0, 0},
      {82889.0 / 524892, 0, 15625.0 / 83664, 69875.0 / 102672, -2260.0 / 8211, 0}};
  static constexpr double kB[kStages] = {82889.0 / 524892, 0, 15625.0 / 83664, 69875.0 / 102672, -2260.0 / 8211, 1.0 / 4};
  static constexpr double kBHat[kStages] = {4586570599.0 / 29645900160, 0, 178811875.0 / 945068544,
                                            814220225.0 / 1159782912, -3700637.0 / 11593932, 61727.0 / 225920};
  static constexpr double kC[kStages] = {0, 1.0 / 2, 83.0 / 250, 31.0 / 50, 17.0 / 20, 1};
  /// Order of the embedded (error) solution: the step-size exponent is −1/(kErrorOrder + 1).
  static constexpr int kErrorOrder = 3;
};

template <class Tableau>
class ImexArk : public StiffStepBase {
 public:
  /// Steps one Jacobian serves at most. Any J keeps the order (the split is exact), so J only has to
  /// keep the tendon modes stable: 6 took fewer evaluations than 3 on the 42 compared stances at the
  /// same accuracy, 12 no fewer (docs/decisions.md, "a 4th-order stiff step").
  static constexpr int kJacobianReuse = 6;
  /// Derivative evaluations per accepted step (the stages after the first, the end derivative, a
  /// share of a Jacobian diagonal): the implicit side of the switching rule's cost comparison.
  static constexpr double kEvaluationsPerStep = Tableau::kStages + 1.0 / kJacobianReuse;

  /// stiff: indices of the states whose Jacobian diagonal enters the implicit part (each state's
  /// derivative must depend on no other listed state).
  ImexArk(double atol, double rtol, std::vector<int> stiff) : StiffStepBase(atol, rtol, std::move(stiff)) {}

  template <class System>
  void initialize(const State& x0, double t0, double h0, System& sys) {
    for (auto& v : F_) v.assign(x0.size(), 0.0);
    for (auto& v : z_) v.assign(x0.size(), 0.0);
    start(x0, t0, h0, sys, kJacobianReuse);
  }

  /// One accepted step (retrying with smaller steps on rejection); returns (t_start, t_end).
  template <class System>
  std::pair<double, double> do_step(System& sys) {
    return controlled_step(
        sys, kJacobianReuse, [&] { return try_step(sys); }, [](double err) { return step_factor(err, 5.0); },
        [](double err) { return step_factor(err, 1.0); });
  }

  /// One step of size h whatever its error estimate, with a fresh Jacobian diagonal (for tests of
  /// the method's order); returns (t_start, t_end).
  template <class System>
  std::pair<double, double> fixed_step(System& sys, double h) {
    jacobian_diagonal(sys);
    h_ = h;
    try_step(sys);
    return accept(sys);
  }

 private:
  /// Step-size factor of the controller (as ros34pw2's: safety 0.9, at most `grow`, at least 0.2).
  static double step_factor(double err, double grow) {
    return std::clamp(0.9 * std::pow(std::max(err, 1e-10), -1.0 / (Tableau::kErrorOrder + 1)), 0.2, grow);
  }

  template <class System>
  double try_step(System& sys) {
    constexpr int kStages = Tableau::kStages;
    constexpr double kGamma = Tableau::kGamma;
    const auto& kAE = Tableau::kAE;
    const auto& kAI = Tableau::kAI;
    const auto& kB = Tableau::kB;
    const auto& kBHat = Tableau::kBHat;
    const auto& kC = Tableau::kC;
    const std::size_t n = x_.size();
    const double h = h_;
    // Stage 1 is explicit (z_1 = 0): its derivative is f at x_n. Stored derivatives F_j = f(Y_j) =
    // f_E,j + f_I,j with f_I,j = J z_j, so on the stiff states f_E,j = F_j − J z_j.
    F_[0] = f_;
    for (int s = 1; s < kStages; ++s) {
      State& z = z_[s];
      for (std::size_t i = 0; i < n; ++i) {
        double r = 0.0;
        for (int j = 0; j < s; ++j) r += kAE[s][j] * F_[j][i];
        z[i] = h * r;
      }
      for (int i : stiff_) {
        const double J = jac_[i];
        double r = 0.0;
        for (int j = 0; j < s; ++j) r += kAE[s][j] * (F_[j][i] - J * z_[j][i]) + kAI[s][j] * J * z_[j][i];
        z[i] = h * r / (1.0 - h * kGamma * J);
      }
      for (std::size_t i = 0; i < n; ++i) y_[i] = x_[i] + z[i];
      sys(y_, F_[s], t_ + kC[s] * h);
    }
    // The new state x + h Σ b_j F_j (both parts share b) and the error h Σ (b_j − b̂_j) F_j.
    double err = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double dx = 0.0, e = 0.0;
      for (int j = 0; j < kStages; ++j) dx += kB[j] * F_[j][i], e += (kB[j] - kBHat[j]) * F_[j][i];
      xnew_[i] = x_[i] + h * dx;
      take_error(i, h * e, err);
    }
    if (!std::isfinite(err)) err = 1e10;
    return err;
  }

  std::array<State, Tableau::kStages> F_, z_;
};

using ImexArk4 = ImexArk<Ark436>;

}  // namespace legsim::detail
