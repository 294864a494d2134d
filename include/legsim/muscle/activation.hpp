#pragma once
// Activation dynamics of De Groote, Kinney, Rao & Fregly (2016), Ann Biomed Eng 44(10):2922–2936,
// doi:10.1007/s10439-016-1591-9 (tanh-smoothed first-order model after Raasch et al. 1997):
//
//   f     = 0.5·tanh(b·(e − a))
//   z     = 0.5 + 1.5·a
//   da/dt = [ (f + 0.5)/(τ_act·z) + (0.5 − f)·z/τ_deact ]·(e − a)        (1/s)
//
// e excitation ∈ [0, 1], a activation ∈ [0, 1] (dimensionless), τ_act, τ_deact time constants (s),
// b smoothing (dimensionless). For b·|e − a| ≫ 1 the model is first order with time constant
// τ_act·z when activating (e > a) and τ_deact/z when deactivating (e < a).
// Defaults: τ_act = 15 ms, τ_deact = 60 ms, b = 10 (DESIGN 3.3; OpenSim's default b = 0.1 makes
// activation and deactivation nearly equally fast, opensim-core issue #3990).
//
// Deviation (robustness only): z is computed from a clamped to [0, 1], so z ≥ 0.5 and the rate is
// finite for every input; inside [0, 1] the model is the paper's.
#include <cmath>
#include <type_traits>

#include "legsim/core/ops.hpp"
#include "legsim/muscle/curves.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim {

/// da/dt (1/s) of the tanh-smoothed activation model; e, a dimensionless, τ in s, b > 0.
template <class T>
T activation_derivative(const T& excitation, const T& activation,
                        const std::type_identity_t<T>& activation_time_constant = T(0.015),
                        const std::type_identity_t<T>& deactivation_time_constant = T(0.060),
                        const std::type_identity_t<T>& smoothing = T(10.0)) {
  using std::exp;
  const T diff = excitation - activation;                                    // e − a
  // f + 0.5 = ½(1 + tanh(b·(e − a))) = 1/(1 + e^(−2b·(e − a))): one exponential and one division
  // instead of tanh (an overflowing exponential gives f + 0.5 = 0, tanh's limit).
  const T f_plus_half = T(1.0) / (T(1.0) + exp(T(-2.0) * smoothing * diff));  // ∈ [0, 1]
  const T half_minus_f = T(1.0) - f_plus_half;                               // 0.5 − f
  const T z = T(0.5) + T(1.5) * curves::detail::clamp(activation, T(0.0), T(1.0));   // ∈ [0.5, 2]
  const T rate = f_plus_half / (activation_time_constant * z) +
                 half_minus_f * z / deactivation_time_constant;              // 1/s, > 0
  return rate * diff;
}

/// da/dt with the time constants and smoothing of one muscle (MuscleParams).
template <class T>
T activation_derivative(const MuscleParams& p, const T& excitation, const std::type_identity_t<T>& activation) {
  return activation_derivative<T>(excitation, activation, T(p.activation_time_constant),
                                  T(p.deactivation_time_constant), T(p.activation_smoothing));
}

}  // namespace legsim
