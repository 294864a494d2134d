#pragma once
// The Dormand–Prince 5(4) pair of the batch engine, on SIMD vectors: Butcher tableau, error estimate
// and dense output. (The scalar engine's DormandPrinceDense, sim/switching_stepper.hpp, takes its
// tableau from here and runs it in Boost.Odeint's order of operations; the batch engine steps per-lane
// masked SIMD states, which Odeint does not run on.)
//
// Dormand & Prince 1980, J Comput Appl Math 6(1):19–26, doi:10.1016/0771-050X(80)90013-3: nodes c,
// coefficients a, 5th-order weights b (= row 7 of a, first-same-as-last), error weights e = b − b̂.
// Dense output: the 4th-order continuous extension of Hairer, Nørsett & Wanner, Solving ODEs I
// (2nd ed., 1993), sec. II.6, coefficients d.
#include <array>
#include <utility>
#include <vector>

#include "legsim/core/ops.hpp"

namespace legsim::dopri5 {

inline constexpr int kStages = 7;
inline constexpr double kC[kStages] = {0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0};
inline constexpr double kA[kStages][kStages - 1] = {
    {0, 0, 0, 0, 0, 0},
    {1.0 / 5.0, 0, 0, 0, 0, 0},
    {3.0 / 40.0, 9.0 / 40.0, 0, 0, 0, 0},
    {44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0, 0, 0},
    {19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0, 0},
    {9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0},
    {35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0}};
inline constexpr double kE[kStages] = {71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0,
                                       22.0 / 525.0, -1.0 / 40.0};
inline constexpr double kD[kStages] = {-12715105075.0 / 11282082432.0, 0.0, 87487479700.0 / 32700410799.0,
                                       -10690763975.0 / 1880347072.0, 701980252875.0 / 199316789632.0,
                                       -1453857185.0 / 822651844.0, 69997945.0 / 29380423.0};
/// Order of the error estimate and of the propagated solution (the values Odeint's step adjuster
/// is given for this pair).
inline constexpr int kErrorOrder = 4, kStepperOrder = 5;

/// Stage input of stage st (1…6): x + h·Σⱼ a[st][j]·kⱼ.
template <class B>
void stage_input(int st, const B& h, const std::vector<B>& x, const std::array<std::vector<B>, kStages>& k,
                 std::vector<B>& out) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    B acc = B(kA[st][0]) * k[0][i];
    for (int j = 1; j < st; ++j)
      if (kA[st][j] != 0.0) acc = xsimd::fma(B(kA[st][j]), k[j][i], acc);
    out[i] = xsimd::fma(h, acc, x[i]);
  }
}

/// Error norm of Odeint's default error checker with a_x = a_dxdt = 1 (what make_dense_output(atol,
/// rtol, …) builds): max_i |h·Σⱼ eⱼ kⱼ,ᵢ| / (atol + rtol·(|x_i| + h·|ẋ_i|)). Also returns a
/// non-finite detector: Σ 0·xn_i is NaN iff some component of xn is not finite.
template <class B>
std::pair<B, B> error_norm(const B& h, double atol, double rtol, const std::vector<B>& x, const std::vector<B>& xn,
                           const std::array<std::vector<B>, kStages>& k) {
  B err(0.0), probe(0.0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    B e = B(kE[0]) * k[0][i];
    for (int j = 2; j < kStages; ++j) e = xsimd::fma(B(kE[j]), k[j][i], e);
    const B scale = B(atol) + B(rtol) * (xsimd::abs(x[i]) + h * xsimd::abs(k[0][i]));
    err = xsimd::max(err, xsimd::abs(h * e) / scale);
    probe += B(0.0) * xn[i];
  }
  return {err, probe};
}

/// Dense output at θ ∈ [0, 1] of the step x → xn of size h into out (Hairer's contd5 form).
template <class B>
void dense(const B& theta, const B& h, const std::vector<B>& x, const std::vector<B>& xn,
           const std::array<std::vector<B>, kStages>& k, std::vector<B>& out) {
  const B one_minus = B(1.0) - theta;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const B ydiff = xn[i] - x[i];
    const B bspl = h * k[0][i] - ydiff;
    const B r5 = h * (B(kD[0]) * k[0][i] + B(kD[2]) * k[2][i] + B(kD[3]) * k[3][i] + B(kD[4]) * k[4][i] +
                      B(kD[5]) * k[5][i] + B(kD[6]) * k[6][i]);
    const B r4 = ydiff - h * k[6][i] - bspl;
    out[i] = x[i] + theta * (ydiff + one_minus * (bspl + theta * (r4 + one_minus * r5)));
  }
}

}  // namespace legsim::dopri5
