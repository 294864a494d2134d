#pragma once
// Point laws of the foot–ground contact (DESIGN 3.2): Hunt–Crossley normal force and the tangential
// bristle (elasto-plastic anchor) friction. The equations, units and energy argument are documented
// at legsim::ContactParams (body/params.hpp). Templates on the scalar type T (double,
// Eigen::AutoDiffScalar, xsimd::batch<double>); branch-free, every branch finite for every input.
#include <cmath>
#include <cstddef>

#include "legsim/body/params.hpp"
#include "legsim/core/ops.hpp"

namespace legsim {

/// C¹ positive part that is exactly the identity above d0: 0 for d ≤ 0, d²(2·d0 − d)/d0² on (0, d0),
/// d for d ≥ d0. Satisfies 0 ≤ ramp(d) ≤ max(d, 0). d0 ∈ (0, 1].
template <class T>
T hunt_crossley_ramp(const T& d, double d0) {
  const T zero(0.0);
  const T cubic = d * d * (T(2.0 * d0) - d) / T(d0 * d0);
  return legsim::select(d >= T(d0), d, legsim::select(d <= zero, zero, cubic));
}

/// δ₊ⁿ: 0 for δ ≤ 0. Uses δ·√δ for n = 1.5 (exact in every lane) and pow(δ, n) otherwise — lane by
/// lane for SIMD batches, so every lane equals the scalar result (and because xsimd 8.1's batch log
/// does not compile for AVX-512 at -O0).
template <class T>
T positive_power(const T& delta, double n) {
  using std::pow;
  using std::sqrt;
  const T zero(0.0);
  const T d = legsim::max(delta, T(1e-300));  // keeps sqrt and pow finite in the unselected branch
  T p;
  if (n == 1.5) {  // branch on a parameter, not on values of T
    p = d * sqrt(d);
  } else if constexpr (is_batch_v<T>) {
    alignas(T::arch_type::alignment()) double buf[T::size];
    d.store_aligned(buf);
    for (std::size_t l = 0; l < T::size; ++l) buf[l] = std::pow(buf[l], n);
    p = T::load_aligned(buf);
  } else {
    p = pow(d, n);
  }
  return legsim::select(delta > zero, p, zero);
}

/// Hunt–Crossley normal force (N, ≥ 0) from penetration δ (m) and penetration rate δ̇ (m/s).
template <class T>
T contact_normal_force(const T& penetration, const T& penetration_rate, const ContactParams& p) {
  const T elastic = T(p.stiffness) * positive_power(penetration, p.exponent);
  const T damping_factor = T(1.0) + T(1.5 * p.dissipation) * penetration_rate;
  return elastic * hunt_crossley_ramp(damping_factor, p.damping_ramp_width);
}

/// Elastic energy stored in the normal contact spring (J): k·δ₊^(n+1)/(n+1).
template <class T>
T contact_normal_energy(const T& penetration, const ContactParams& p) {
  return T(p.stiffness / (p.exponent + 1.0)) * positive_power(penetration, p.exponent + 1.0);
}

/// C¹ saturation sat_L(x) with blend half-width w·L (see ContactParams): odd, |sat| ≤ L,
/// |sat(x)| ≤ |x| with the sign of x; sat ≡ 0 when L = 0.
template <class T>
T friction_saturation(const T& x, const T& limit, double w) {
  using std::abs;
  const T zero(0.0);
  const T a = abs(x);
  const T lo = T(1.0 - w) * limit;
  const T hi = T(1.0 + w) * limit;
  const T half_width = legsim::max(T(T(w) * limit), T(1e-12));  // finite in the unselected branch when L = 0
  const T excess = a - lo;
  const T blend = a - excess * excess / (T(4.0) * half_width);
  const T s = legsim::select(a <= lo, a, legsim::select(a >= hi, limit, blend));
  return legsim::select(x < zero, T(-s), s);
}

/// Friction of one contact point.
template <class T>
struct BristleFriction {
  T force;           ///< tangential force on the foot, +x forward (N)
  T deflection_rate; ///< ż (m/s)
};

/// Bristle friction for deflection z (m), point tangential velocity ẋ (m/s) and normal force F_n (N).
template <class T>
BristleFriction<T> bristle_friction(const T& deflection, const T& tangential_velocity,
                                    const T& normal_force, const ContactParams& p) {
  const T trial = T(p.bristle_stiffness) * deflection + T(p.bristle_damping) * tangential_velocity;
  const T limit = T(p.friction_coefficient) * normal_force;
  const T f = friction_saturation(trial, limit, p.friction_smoothing);
  BristleFriction<T> out;
  out.force = -f;
  out.deflection_rate = (f - T(p.bristle_stiffness) * deflection) / T(p.bristle_damping);
  return out;
}

/// Elastic energy stored in one bristle (J): ½·k_t·z².
template <class T>
T bristle_energy(const T& deflection, const ContactParams& p) {
  return T(0.5 * p.bristle_stiffness) * deflection * deflection;
}

}  // namespace legsim
