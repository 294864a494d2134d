#pragma once
// The Rosenbrock–W method ROS34PW2 of Rang J & Angermann L (2005), "New Rosenbrock W-methods of order
// 3 for partial differential algebraic equations of index 1", BIT Numer Math 45:761–787,
// doi:10.1007/s10543-005-0035-y (Table 4.1): 4 stages, order 3, embedded order 2, L-stable, stiffly
// accurate. One tableau and one set of per-component formulas for the scalar stance's step
// (rosenbrock_w.hpp) and the batch engine's implicit lanes (batch/worker.cpp), templated on the
// scalar type (double or an xsimd batch), so the two cannot drift apart.
//
// The stance uses it with W = I − hγJ, J the diagonal of the Jacobian on the compliant tendons'
// force states and 0 elsewhere (rosenbrock_w.hpp says why that is enough); the linear solves are
// then divisions, component by component.
#include <algorithm>
#include <cmath>
#include <utility>

#include "legsim/core/ops.hpp"

namespace legsim::ros34pw2 {

// α_ij, γ_ij (j < i), γ, b, b̂ of Table 4.1.
inline constexpr double kGamma = 4.3586652150845900e-01;
inline constexpr double kA21 = 8.7173304301691801e-01, kA31 = 8.4457060015369423e-01,
                        kA32 = -1.1299064236484185e-01, kA43 = 1.0;
inline constexpr double kG21 = -8.7173304301691801e-01, kG31 = -9.0338057013044082e-01,
                        kG32 = 5.4180672388095326e-02, kG41 = 2.4212380706095346e-01,
                        kG42 = -1.2232505839045147e+00, kG43 = 5.4526025533510214e-01;
inline constexpr double kB[4] = {2.4212380706095346e-01, -1.2232505839045147e+00, 1.5452602553351020e+00,
                                 4.3586652150845900e-01};
inline constexpr double kBHat[4] = {3.7810903145819369e-01, -9.6042292212423178e-02, 5.0e-01,
                                    2.1793326075422950e-01};
/// Nodes of stages 2–4 (α_i = Σ_j α_ij): where their derivatives are evaluated, t + c·h.
inline constexpr double kC2 = kA21, kC3 = kA31 + kA32, kC4 = kA43;
/// Order of the embedded (error) solution: the step-size exponent is −1/(kErrorOrder + 1).
inline constexpr int kErrorOrder = 2;

/// Stage increment k = (I − hγJ)⁻¹ (h·F + h·J·g) of one component with Jacobian diagonal J
/// (J = 0: k = h·F exactly), g = Σ_j γ_ij k_j.
template <class T>
inline T stage_increment(const T& h, const T& F, const T& J, const T& g) {
  return (h * F + h * J * g) / (T(1.0) - h * T(kGamma) * J);
}

/// Input y and Jacobian term g = Σ_j γ_ij k_j of stage i ∈ {2, 3, 4} of one component, from the
/// step's start x and the increments of the stages before it (the later ones are ignored).
template <class T>
struct StageInput {
  T y, g;
};
template <class T>
inline StageInput<T> stage_input(int i, const T& x, const T& k1, const T& k2, const T& k3) {
  if (i == 2) return {x + T(kA21) * k1, T(kG21) * k1};
  if (i == 3) return {x + T(kA31) * k1 + T(kA32) * k2, T(kG31) * k1 + T(kG32) * k2};
  return {x + T(kA43) * k3, T(kG41) * k1 + T(kG42) * k2 + T(kG43) * k3};
}

/// The step's result of one component: the new value x + Σ b_i k_i and the error estimate
/// Σ (b_i − b̂_i) k_i of the embedded solution.
template <class T>
inline std::pair<T, T> solution(const T& x, const T& k1, const T& k2, const T& k3, const T& k4) {
  const T k[4] = {k1, k2, k3, k4};
  T dx(0.0), e(0.0);
  for (int s = 0; s < 4; ++s) dx += T(kB[s]) * k[s], e += T(kB[s] - kBHat[s]) * k[s];
  return {x + dx, e};
}

/// Forward-difference step for the Jacobian diagonal (≈ √ε, scaled by the state's magnitude).
template <class T>
inline T jacobian_step(const T& x) {
  using std::abs;
  return T(1.5e-8) * legsim::max(T(1.0), T(abs(x)));
}

/// Cubic Hermite interpolant at s ∈ [0, 1] of a step of size h from (x0, f0) to (x1, f1): the dense
/// output (the derivative at the end is the next step's first stage, so it costs nothing extra).
template <class T>
inline T hermite(const T& s, const T& h, const T& x0, const T& f0, const T& x1, const T& f1) {
  const T one(1.0), r = one - s;
  const T h00 = (one + T(2.0) * s) * r * r, h10 = s * r * r, h01 = s * s * (T(3.0) - T(2.0) * s), h11 = s * s * (s - one);
  return h00 * x0 + h10 * h * f0 + h01 * x1 + h11 * h * f1;
}

/// Step-size factors of the controller (safety 0.9, growth at most 5 after an accepted step, shrink
/// at least to 0.2 of the step after a rejected one).
inline double accepted_step_factor(double err) {
  return std::clamp(0.9 * std::pow(std::max(err, 1e-10), -1.0 / (kErrorOrder + 1)), 0.2, 5.0);
}
inline double rejected_step_factor(double err) {
  return std::clamp(0.9 * std::pow(err, -1.0 / (kErrorOrder + 1)), 0.2, 1.0);
}

}  // namespace legsim::ros34pw2
