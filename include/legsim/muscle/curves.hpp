#pragma once
// Hill-type muscle curves of De Groote, Kinney, Rao & Fregly (2016), "Evaluation of direct
// collocation optimal control problem formulations for solving the muscle redundancy problem",
// Ann Biomed Eng 44(10):2922–2936, doi:10.1007/s10439-016-1591-9, with the coefficients of OpenSim's
// DeGrooteFregly2016Muscle (opensim-core, OpenSim/Actuators/DeGrooteFregly2016Muscle.h), which refit
// the paper's values slightly so that fL(1) = 1, fV(−1) = 0 and fV(0) = 1 hold to rounding.
//
// Deviations from the paper's supplement (two known typos, corrected as in OpenSim):
//   * the active force–length denominator (b3i + b4i·l̃) is squared;
//   * the inverse force–velocity curve has "− d3" in the numerator.
// Deviations for robustness (only reached outside the physiological domain, documented per
// function): exponent arguments are capped at kMaxExpArgument so every curve is finite for every
// finite input; the squared force–length denominator has a tiny floor; the inverse tendon curve
// floors f + c3 at a tiny positive value.
//
// Every function is a template on the scalar type T (double, Eigen::AutoDiffScalar,
// xsimd::batch<double>, casadi::SX, legsim::Dual), has no branch on values of T, and computes math
// through ADL. The *_derivative functions are their curve evaluated at the dual number {x, 1}
// (core/dual.hpp), not hand-written formulas, so they cannot drift from their curve — except
// force_velocity_derivative, kept by hand for speed (see there). tests/cpp/test_muscle_curves.cpp
// checks every one against the closed forms, the dual numbers and central differences.
// Normalized quantities (all dimensionless):
//   l̃   = fiber length / optimal fiber length
//   ṽ   = fiber velocity / (max_contraction_velocity · optimal fiber length), shortening negative
//   l̃_T = tendon length / tendon slack length
#include <cmath>
#include <type_traits>

#include "legsim/core/dual.hpp"
#include "legsim/core/ops.hpp"

namespace legsim::curves {

namespace detail {
/// clamp(x, lo, hi) = min(max(x, lo), hi) through the qualified legsim::min/max. (core/ops.hpp's
/// legsim::clamp calls min/max unqualified, which is ambiguous with xsimd::min/max found by ADL for
/// xsimd batches; use legsim::clamp here once that is fixed.)
template <class T>
T clamp(const T& x, const T& lo, const T& hi) {
  const T above_lo = legsim::max(x, lo);
  return legsim::min(above_lo, hi);
}
}  // namespace detail

/// Normalized fiber length range over which the curves are evaluated inside the muscle–tendon
/// unit (OpenSim DeGrooteFregly2016Muscle bounds the normalized fiber length to [0.2, 1.8]).
inline constexpr double kMinNormFiberLength = 0.2;
inline constexpr double kMaxNormFiberLength = 1.8;

/// Cap on every exp()/sinh() argument: keeps curves finite (exp(700) ≈ 1e304) for absurd inputs.
inline constexpr double kMaxExpArgument = 700.0;
/// |l̃| and |ṽ| are capped at this before fL and fV are evaluated, so squares cannot overflow
/// (both curves are flat to within 1e-6 of their limits far before).
inline constexpr double kMaxCurveInput = 1e6;

// ---------------------------------------------------------------------------------------------
// Active force–length
// fL(l̃) = Σ_{i=1..3} b1i · exp(−0.5 · (l̃ − b2i)² / (b3i + b4i·l̃)²), l̃ ∈ [0.2, 1.8] in use,
// fL(1) = 1. Coefficients: OpenSim DeGrooteFregly2016Muscle (refit of De Groote et al. 2016).
// Note: the refit's maximum is fL ≈ 1.0011 at l̃ ≈ 1.013, not exactly at l̃ = 1.
// ---------------------------------------------------------------------------------------------
namespace detail {
struct GaussianTerm {
  double b1, b2, b3, b4;
};
inline constexpr GaussianTerm kActiveTerms[3] = {
    {0.8150671134243542, 1.055033428970575, 0.162384573599574, 0.063303448465465},
    {0.433004984392647, 0.716775413397760, -0.029947116970696, 0.200356847296188},
    {0.1, 1.0, 0.353553390593274, 0.0},
};
/// Floor of the squared denominator (b3 + b4·l̃)²: term 2's denominator is zero at l̃ ≈ 0.1495,
/// outside the evaluated range [0.2, 1.8]; the floor keeps value and derivative finite there.
inline constexpr double kMinSquaredWidth = 1e-12;
}  // namespace detail

/// Active force–length multiplier fL(l̃) (dimensionless, in (0, 1]); l̃ normalized fiber length.
template <class T>
T active_force_length(const T& norm_fiber_length) {
  using std::exp;
  const T l = detail::clamp(norm_fiber_length, T(-kMaxCurveInput), T(kMaxCurveInput));
  T sum = T(0.0);
  for (const auto& g : detail::kActiveTerms) {
    const T width = T(g.b3) + T(g.b4) * l;                       // b3 + b4·l̃
    const T width_sq_raw = width * width;
    const T width_sq = legsim::max(width_sq_raw, T(detail::kMinSquaredWidth));
    const T dev = l - T(g.b2);                                   // l̃ − b2
    sum = sum + T(g.b1) * exp(T(-0.5) * dev * dev / width_sq);
  }
  return sum;
}

/// d fL / d l̃ (forward-mode autodiff of active_force_length).
template <class T>
T active_force_length_derivative(const T& norm_fiber_length) {
  return active_force_length(Dual<T>(norm_fiber_length, T(1.0))).d;
}

// ---------------------------------------------------------------------------------------------
// Passive fiber force–length (OpenSim DeGrooteFregly2016Muscle form, zero at l̃ = 0.2):
// off = exp(kPE·(0.2 − 1)/e0),  fPE(l̃) = (exp(kPE·(l̃ − 1)/e0) − off) / (exp(kPE) − off),
// kPE = 4, e0 = passive fiber strain at one normalized force (default 0.6), fPE(1 + e0) = 1.
// ---------------------------------------------------------------------------------------------
inline constexpr double kPassiveShapeFactor = 4.0;  ///< kPE (dimensionless)

/// Precomputed shape of the passive curve for one e0 (per muscle; never shared statically).
template <class T>
struct PassiveCurveShape {
  T exponent;  ///< kPE / e0
  T offset;    ///< off = exp(kPE·(0.2 − 1)/e0)
  T scale;     ///< 1 / (exp(kPE) − off)
};

/// Shape of the passive curve for e0 > 0.
template <class T>
PassiveCurveShape<T> passive_curve_shape(const T& passive_strain_at_one_norm_force) {
  using std::exp;
  const T exponent = T(kPassiveShapeFactor) / passive_strain_at_one_norm_force;
  const T offset = exp(exponent * T(kMinNormFiberLength - 1.0));
  const T scale = T(1.0) / (T(std::exp(kPassiveShapeFactor)) - offset);
  return {exponent, offset, scale};
}

/// Passive force–length multiplier fPE(l̃) with a precomputed shape (dimensionless).
template <class T>
T passive_force_length(const T& norm_fiber_length, const PassiveCurveShape<T>& s) {
  using std::exp;
  const T arg_raw = s.exponent * (norm_fiber_length - T(1.0));  // kPE·(l̃ − 1)/e0
  const T arg = legsim::min(arg_raw, T(kMaxExpArgument));
  return (exp(arg) - s.offset) * s.scale;
}

/// Passive force–length multiplier fPE(l̃; e0) (dimensionless); e0 > 0 (default 0.6).
template <class T>
T passive_force_length(const T& norm_fiber_length,
                       const std::type_identity_t<T>& passive_strain_at_one_norm_force = T(0.6)) {
  return passive_force_length(norm_fiber_length, passive_curve_shape(passive_strain_at_one_norm_force));
}

/// d fPE / d l̃ at fixed e0 (forward-mode autodiff of passive_force_length).
template <class T>
T passive_force_length_derivative(const T& norm_fiber_length,
                                  const std::type_identity_t<T>& passive_strain_at_one_norm_force = T(0.6)) {
  const Dual<T> e0(T(passive_strain_at_one_norm_force), T(0.0));
  return passive_force_length(Dual<T>(norm_fiber_length, T(1.0)), passive_curve_shape(e0)).d;
}

// ---------------------------------------------------------------------------------------------
// Force–velocity (ṽ ∈ [−1, 1] physiologically, shortening negative; defined for every ṽ):
// fV(ṽ) = d1·ln((d2·ṽ + d3) + sqrt((d2·ṽ + d3)² + 1)) + d4 = d1·asinh(d2·ṽ + d3) + d4,
// fV(−1) = 0, fV(0) = 1, fV(1) = 1.7943429635553223.
// Inverse: ṽ = (sinh((fV − d4)/d1) − d3)/d2 (the paper's supplement omits "− d3").
// ---------------------------------------------------------------------------------------------
inline constexpr double kForceVelocityD1 = -0.3211346127989808;
inline constexpr double kForceVelocityD2 = -8.149;
inline constexpr double kForceVelocityD3 = -0.374;
inline constexpr double kForceVelocityD4 = 0.8825327733249912;
/// fV at ṽ = −1 and ṽ = +1 (the curve's range over the physiological domain); fV(1) evaluated in
/// double precision as d1·asinh(d2 + d3) + d4 (checked in tests/cpp/test_muscle_curves.cpp).
inline constexpr double kMinForceVelocity = 0.0;
inline constexpr double kMaxForceVelocity = 1.7943429635553172;

/// Force–velocity multiplier fV(ṽ) (dimensionless).
template <class T>
T force_velocity(const T& norm_fiber_velocity) {
  using std::abs;
  using std::log;
  using std::sqrt;
  const T v = detail::clamp(norm_fiber_velocity, T(-kMaxCurveInput), T(kMaxCurveInput));
  const T z = T(kForceVelocityD2) * v + T(kForceVelocityD3);  // d2·ṽ + d3
  // ln(z + sqrt(z² + 1)) = asinh(z) = sign(z)·ln(|z| + sqrt(z² + 1)): the symmetric form avoids the
  // cancellation of z + sqrt(z² + 1) for z < 0 (ṽ > −0.046), e.g. two digits at ṽ = 1.
  const T abs_z = abs(z);
  const T sign_z = legsim::select(z < T(0.0), T(-1.0), T(1.0));
  const T asinh_z = sign_z * log(abs_z + sqrt(z * z + T(1.0)));
  return T(kForceVelocityD1) * asinh_z + T(kForceVelocityD4);
}

/// d fV / d ṽ = d1·d2 / sqrt((d2·ṽ + d3)² + 1) (> 0). Hand-written, unlike the other curves'
/// derivatives: the damped fiber-velocity Newton (mtu.hpp) evaluates it every iteration, and the
/// dual-number pass through force_velocity made that kernel 25 % slower on doubles and 4 % on
/// batches (bench_muscle BM_MuscleKernel*/n:1024/damping:1, issue 20.4). Checked against the dual
/// number to rounding (tests/cpp/test_muscle_curves.cpp).
template <class T>
T force_velocity_derivative(const T& norm_fiber_velocity) {
  using std::sqrt;
  const T v = detail::clamp(norm_fiber_velocity, T(-kMaxCurveInput), T(kMaxCurveInput));
  const T z = T(kForceVelocityD2) * v + T(kForceVelocityD3);
  return T(kForceVelocityD1 * kForceVelocityD2) / sqrt(z * z + T(1.0));
}

/// Inverse force–velocity: ṽ(fV) = (sinh((fV − d4)/d1) − d3)/d2, for every fV (finite; the sinh
/// argument is capped at ±kMaxExpArgument).
template <class T>
T force_velocity_inverse(const T& force_velocity_multiplier) {
  using std::exp;
  const T arg_raw = (force_velocity_multiplier - T(kForceVelocityD4)) / T(kForceVelocityD1);
  const T arg = detail::clamp(arg_raw, T(-kMaxExpArgument), T(kMaxExpArgument));
  // sinh from one exponential, (e^x − 1/e^x)/2 (the absolute error near x = 0, about 1e-16, is far
  // below the result's scale |d3/d2| ≈ 0.046).
  const T e = exp(arg);
  const T sinh_arg = T(0.5) * (e - T(1.0) / e);
  return (sinh_arg - T(kForceVelocityD3)) / T(kForceVelocityD2);
}

// ---------------------------------------------------------------------------------------------
// Tendon force–length (De Groote et al. 2016, eq. in the supplement; OpenSim constants):
// fT(l̃_T) = c1·exp(kT·(l̃_T − c2)) − c3,  c1 = 0.2, c2 = 1, c3 = 0.2,
// kT = ln((1 + c3)/c1)/(1 + ε0 − c2) = ln(6)/ε0, ε0 = tendon strain at one normalized force
// (default 0.049 → kT ≈ 36.567). fT(1) = 0, fT(1 + ε0) = 1; fT → −c3 as l̃_T → −∞ (the curve is
// negative below slack length, as in OpenSim).
// Inverse (closed form): l̃_T = c2 + ln((fT + c3)/c1)/kT, fT > −c3.
// Derivative: fT'(l̃_T) = c1·kT·exp(kT·(l̃_T − c2)) = kT·(fT + c3).
// ---------------------------------------------------------------------------------------------
inline constexpr double kTendonC1 = 0.2;
inline constexpr double kTendonC2 = 1.0;
inline constexpr double kTendonC3 = 0.2;
/// Floor of (fT + c3)/c1 inside the inverse's logarithm (fT ≥ −c3 + 2e-16 effectively).
inline constexpr double kMinTendonLogArgument = 1e-15;
/// Cap of the same ratio (keeps ln finite for fT near the largest double).
inline constexpr double kMaxTendonLogArgument = 1e300;

/// Precomputed shape of the tendon curve for one ε0 (per muscle).
template <class T>
struct TendonCurveShape {
  T stiffness;  ///< kT = ln((1 + c3)/c1)/(1 + ε0 − c2) (dimensionless)
};

/// Shape of the tendon curve for ε0 > 0.
template <class T>
TendonCurveShape<T> tendon_curve_shape(const T& tendon_strain_at_one_norm_force) {
  const double log_ratio = std::log((1.0 + kTendonC3) / kTendonC1);
  return {T(log_ratio) / (T(1.0 - kTendonC2) + tendon_strain_at_one_norm_force)};
}

/// Tendon force multiplier fT(l̃_T) with a precomputed shape (dimensionless).
template <class T>
T tendon_force_length(const T& norm_tendon_length, const TendonCurveShape<T>& s) {
  using std::exp;
  const T arg_raw = s.stiffness * (norm_tendon_length - T(kTendonC2));  // kT·(l̃_T − c2)
  const T arg = legsim::min(arg_raw, T(kMaxExpArgument));
  return T(kTendonC1) * exp(arg) - T(kTendonC3);
}

/// Tendon force multiplier fT(l̃_T; ε0) (dimensionless); ε0 > 0 (default 0.049).
template <class T>
T tendon_force_length(const T& norm_tendon_length,
                      const std::type_identity_t<T>& tendon_strain_at_one_norm_force = T(0.049)) {
  return tendon_force_length(norm_tendon_length, tendon_curve_shape(T(tendon_strain_at_one_norm_force)));
}

/// Inverse tendon curve l̃_T(fT) with a precomputed shape; fT > −c3 (smaller values are floored).
template <class T>
T tendon_force_length_inverse(const T& norm_tendon_force, const TendonCurveShape<T>& s) {
  using std::log;
  const T ratio_raw = (norm_tendon_force + T(kTendonC3)) / T(kTendonC1);  // (fT + c3)/c1
  const T ratio = detail::clamp(ratio_raw, T(kMinTendonLogArgument), T(kMaxTendonLogArgument));
  return T(kTendonC2) + log(ratio) / s.stiffness;
}

/// Inverse tendon curve l̃_T(fT; ε0) (dimensionless), closed form.
template <class T>
T tendon_force_length_inverse(const T& norm_tendon_force,
                              const std::type_identity_t<T>& tendon_strain_at_one_norm_force = T(0.049)) {
  return tendon_force_length_inverse(norm_tendon_force, tendon_curve_shape(T(tendon_strain_at_one_norm_force)));
}

/// d fT / d l̃_T at fixed ε0 (forward-mode autodiff of tendon_force_length; = c1·kT·exp(kT·(l̃_T − c2))).
template <class T>
T tendon_force_length_derivative(const T& norm_tendon_length,
                                 const std::type_identity_t<T>& tendon_strain_at_one_norm_force = T(0.049)) {
  const Dual<T> eps0(T(tendon_strain_at_one_norm_force), T(0.0));
  return tendon_force_length(Dual<T>(norm_tendon_length, T(1.0)), tendon_curve_shape(eps0)).d;
}

}  // namespace legsim::curves
