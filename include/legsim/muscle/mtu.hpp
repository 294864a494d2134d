#pragma once
// Hill-type muscle–tendon unit (MTU): curves of De Groote et al. (2016, Ann Biomed Eng
// 44(10):2922–2936, doi:10.1007/s10439-016-1591-9) as refit in OpenSim's DeGrooteFregly2016Muscle
// (see curves.hpp), constant-thickness pennation, compliant or rigid tendon.
//
// Geometry (constant fiber-layer thickness, e.g. Millard et al. 2013, J Biomech Eng 135(2):021005,
// doi:10.1115/1.4023390; Zajac 1989):
//   h   = l_opt·sin α0                          fiber-layer thickness (m), constant
//   l_MT = x + l_T                               x = fiber projection along the tendon (m)
//   l_M = sqrt(x² + h²),  cos α = x / l_M        fiber length (m), pennation angle
//   l_M·dl_M/dt = x·dx/dt  ⇒  v_M = ẋ·cos α      fiber velocity (m/s), shortening negative
// Forces (normalized by the unfatigued F_max = max_isometric_force):
//   fiber (along the fiber):  F̃_M = c·a·fL(l̃)·fV(ṽ) + fPE(l̃) + β·ṽ
// c ∈ (0, 1] is the contractile capacity (MuscleParams::capacity_factor; static fatigue): fatigue
// weakens the cross-bridges only, so it scales the active term and nothing else — the tendon curve,
// the passive fiber curve, the damping and every force normalized by F_max (reflexes) keep the
// unfatigued F_max. Fatigue is a loss of force generation in the fibers (fewer force-producing
// cross-bridges, impaired excitation–contraction coupling); the tendon and the passive fiber are
// connective tissue whose stiffness it does not scale (docs/decisions.md).
//   tendon:                   f_T = fT(l̃_T) = F̃_M·cos α   (force balance along the tendon)
// with l̃ = l_M/l_opt, ṽ = v_M/(v_max·l_opt), l̃_T = l_T/l_s, β the normalized fiber damping.
//
// Compliant tendon (state: normalized tendon force f_T, DeGrooteFregly2016Muscle's
// "tendon force state"): given l_MT, v_MT, a and f_T,
//   l̃_T = fT⁻¹(f_T)                    closed form
//   x   = l_MT − l̃_T·l_s               fiber projection, geometry as above
//   fV* = (f_T/cos α − fPE)/(c·a·fL)    force–velocity multiplier the tendon force demands
//   ṽ   = fV⁻¹(fV*)   (β = 0)  or the root of c·a·fL·fV(ṽ) + fPE + β·ṽ = f_T/cos α (β > 0)
//   ẋ   = v_M / cos α,  v_T = v_MT − ẋ
//   df_T/dt = fT'(l̃_T)·v_T/l_s = kT·(f_T + c3)·v_T/l_s           (1/s)
// Rigid tendon: l_T = l_s, ẋ = v_MT, tendon force = F̃_M·cos α·F_max.
// (Below, "a·fL" stands for the capacity-scaled c·a·fL wherever it enters the force balance.)
//
// Robustness (deviations from the plain equations, each reached only at the domain's edges):
//   * activation is clamped to [min_activation, 1];
//   * the fiber projection is floored at kMinNormFiberProjection·l_opt (> 0), so cos α > 0 and
//     every division by x or l_M is finite;
//   * curves are evaluated at the normalized fiber length clamped to [0.2, 1.8] (OpenSim's bounds);
//   * a·fL is floored at kMinActiveForceMultiplier in the inverse force–velocity step;
//   * fV* is clamped to the curve's range over ṽ ∈ [−1, 1], i.e. [fV(−1), fV(1)] = [0, 1.7943…];
//     the inverse (a sinh) is finite everywhere, so no extra margin is needed: the clamp makes
//     ṽ ∈ [−1, 1] exactly;
//   * wherever fV is evaluated from a velocity, the velocity is clamped to [−1, 1] first (the
//     damping term β·ṽ is not clamped); a damped velocity beyond ±1 (saturated fV) is capped at
//     ±kMaxDampedNormFiberVelocity.
// Every function is a template on T (double, Eigen::AutoDiffScalar, xsimd::batch<double>); no
// branch on values of T; every parameter is per instance (MtuCoefficients holds one muscle's, or
// one muscle per SIMD lane).
#include <cmath>

#include "legsim/core/ops.hpp"
#include "legsim/muscle/curves.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim {

/// Floor of the fiber projection x, in optimal fiber lengths.
inline constexpr double kMinNormFiberProjection = 1e-3;
/// Floor of a·fL in the inverse force–velocity step (dimensionless).
inline constexpr double kMinActiveForceMultiplier = 1e-6;
/// Newton iterations for the damped fiber velocity (fixed count, branch-free). Over 2·10⁶ random
/// cases (a·fL ∈ [1e-6, 1], β ∈ [1e-4, 10]) 5 iterations reached |g| ≤ 2e-15; 6 leaves a margin
/// (tests/cpp/test_muscle_mtu.cpp checks |g| ≤ 1e-12).
inline constexpr int kDampedVelocityIterations = 6;
/// Cap of the damped normalized fiber velocity when fV is saturated (|ṽ| ≤ this).
inline constexpr double kMaxDampedNormFiberVelocity = 100.0;

/// One muscle's parameters in the form the kernels use (T = double for one muscle, or a SIMD batch
/// holding one muscle per lane). Build with make_mtu_coefficients or fill per lane.
template <class T>
struct MtuCoefficients {
  T max_isometric_force;    ///< F_max (N), unfatigued: normalizes tendon, passive and damping forces
  T active_capacity;        ///< c ∈ (0, 1]: scales the active force c·a·fL·fV only (fatigue)
  T optimal_fiber_length;   ///< l_opt (m)
  T tendon_slack_length;    ///< l_s (m)
  T fiber_layer_thickness;  ///< h = l_opt·sin α0 (m)
  T max_fiber_velocity;     ///< v_max·l_opt (m/s)
  T min_activation;         ///< lower bound of activation, [0, 1)
  T fiber_damping;          ///< β (normalized force per normalized velocity), ≥ 0
  curves::PassiveCurveShape<T> passive;  ///< from passive_fiber_strain_at_one_norm_force
  curves::TendonCurveShape<T> tendon;    ///< from tendon_strain_at_one_norm_force
  /// True if β > 0 in any lane (set by make_mtu_coefficients / pack_mtu_coefficients; set it when
  /// filling lanes by hand). When false the damped velocity solve (≈2/3 of the kernel's cost) is
  /// skipped; the result is the same because it would be discarded for β = 0. A plain bool, so this
  /// is not a branch on values of T.
  bool has_damping = true;
};

/// Coefficients of one muscle, broadcast to every lane of T. p should be validated (validate()).
template <class T>
MtuCoefficients<T> make_mtu_coefficients(const MuscleParams& p) {
  MtuCoefficients<T> c;
  c.max_isometric_force = T(p.max_isometric_force);
  c.active_capacity = T(p.capacity_factor);
  c.optimal_fiber_length = T(p.optimal_fiber_length);
  c.tendon_slack_length = T(p.tendon_slack_length);
  c.fiber_layer_thickness = T(p.optimal_fiber_length * std::sin(p.pennation_angle_at_optimal));
  c.max_fiber_velocity = T(p.max_contraction_velocity * p.optimal_fiber_length);
  c.min_activation = T(p.min_activation);
  c.fiber_damping = T(p.fiber_damping);
  c.passive = curves::passive_curve_shape(T(p.passive_fiber_strain_at_one_norm_force));
  c.tendon = curves::tendon_curve_shape(T(p.tendon_strain_at_one_norm_force));
  c.has_damping = p.fiber_damping > 0.0;
  return c;
}

/// Packs one muscle per lane into batch coefficients: lane i takes per_lane[i]
/// (per_lane must hold B::size entries). Structure-of-arrays form for the batch engine.
template <class B>
  requires is_batch_v<B>
MtuCoefficients<B> pack_mtu_coefficients(const MtuCoefficients<double>* per_lane) {
  constexpr std::size_t n = B::size;
  const auto load = [&](auto field) {
    alignas(64) double buf[n];
    for (std::size_t i = 0; i < n; ++i) buf[i] = field(per_lane[i]);
    return B::load_aligned(buf);
  };
  using C = MtuCoefficients<double>;
  MtuCoefficients<B> c;
  c.max_isometric_force = load([](const C& x) { return x.max_isometric_force; });
  c.active_capacity = load([](const C& x) { return x.active_capacity; });
  c.optimal_fiber_length = load([](const C& x) { return x.optimal_fiber_length; });
  c.tendon_slack_length = load([](const C& x) { return x.tendon_slack_length; });
  c.fiber_layer_thickness = load([](const C& x) { return x.fiber_layer_thickness; });
  c.max_fiber_velocity = load([](const C& x) { return x.max_fiber_velocity; });
  c.min_activation = load([](const C& x) { return x.min_activation; });
  c.fiber_damping = load([](const C& x) { return x.fiber_damping; });
  c.passive.exponent = load([](const C& x) { return x.passive.exponent; });
  c.passive.offset = load([](const C& x) { return x.passive.offset; });
  c.passive.scale = load([](const C& x) { return x.passive.scale; });
  c.tendon.stiffness = load([](const C& x) { return x.tendon.stiffness; });
  c.has_damping = false;
  for (std::size_t i = 0; i < n; ++i) c.has_damping = c.has_damping || per_lane[i].has_damping;
  return c;
}

/// Every output of one MTU evaluation (SI units; "norm" = normalized, dimensionless).
template <class T>
struct MtuOutputs {
  T fiber_length;               ///< l_M (m)
  T norm_fiber_length;          ///< l̃ = l_M/l_opt (not clamped)
  T fiber_velocity;             ///< v_M (m/s), shortening negative
  T norm_fiber_velocity;        ///< ṽ = v_M/(v_max·l_opt)
  T cos_pennation;              ///< cos α ∈ (0, 1]
  T tendon_length;              ///< l_T (m)
  T tendon_strain;              ///< (l_T − l_s)/l_s
  T tendon_velocity;            ///< v_T = dl_T/dt (m/s)
  T activation;                 ///< activation used (clamped to [min_activation, 1])
  T active_force_length;        ///< fL(l̃) (curve evaluated at l̃ clamped to [0.2, 1.8])
  T passive_force_length;       ///< fPE(l̃)
  T force_velocity;             ///< fV(ṽ)
  T active_fiber_force;         ///< c·a·fL·fV·F_max (N), along the fiber (c: active_capacity)
  T passive_fiber_force;        ///< fPE·F_max (N), along the fiber
  T damping_fiber_force;        ///< β·ṽ·F_max (N), along the fiber
  T total_fiber_force;          ///< sum of the three (N), along the fiber
  T tendon_force;               ///< N
  T norm_tendon_force;          ///< f_T = tendon force / F_max
  T norm_tendon_force_derivative;  ///< df_T/dt (1/s); 0 for the rigid tendon and the equilibrium
};

namespace detail {

/// Fiber geometry from the fiber projection x (m), with the floor on x.
template <class T>
struct FiberGeometry {
  T length;            ///< l_M (m)
  T norm_length;       ///< l_M/l_opt
  T cos_pennation;     ///< x/l_M
  T curve_length;      ///< l̃ clamped to [0.2, 1.8] for the curves
};

template <class T>
FiberGeometry<T> fiber_geometry(const MtuCoefficients<T>& c, const T& fiber_projection) {
  using std::sqrt;
  const T x_min = T(kMinNormFiberProjection) * c.optimal_fiber_length;  // m
  const T x = legsim::max(fiber_projection, x_min);                        // m, > 0
  // h² named separately: with Eigen::AutoDiffScalar<VectorXd> a sum of two unevaluated products
  // whose derivative vectors differ in size (constants carry none) is not made coherent by Eigen.
  const T h_sq = c.fiber_layer_thickness * c.fiber_layer_thickness;  // m²
  const T length = sqrt(x * x + h_sq);                                // m, ≥ x > 0
  const T norm_length = length / c.optimal_fiber_length;
  const T curve_length =
      curves::detail::clamp(norm_length, T(curves::kMinNormFiberLength), T(curves::kMaxNormFiberLength));
  return {length, norm_length, x / length, curve_length};
}

/// Root ṽ of the damped fiber force balance for β > 0:
///   g(ṽ) = a·fL·fV(clamp(ṽ, −1, 1)) + fPE + β·ṽ − F̃ = 0,
/// g increasing (g' = a·fL·fV' + β ≥ β > 0). With D = F̃ − fPE:
///   * if (D − a·fL·fV(1))/β > 1 the root is that value (fV saturated, g linear beyond ṽ = 1);
///   * if (D − a·fL·fV(−1))/β < −1 the root is that value;
///   * otherwise g(−1) ≤ 0 ≤ g(1) and the root lies between 0 and the undamped inverse ṽ0
///     (g(0) = a·fL·(1 − fV*), g(ṽ0) = β·ṽ0 when ṽ0 is not clamped): a safeguarded Newton iteration
///     with a fixed iteration count, started at ṽ0, keeps a bracket from the sign of g and takes the
///     Newton step when it stays inside the bracket, else the bisection point.
/// Saturated roots are capped at ±kMaxDampedNormFiberVelocity.
/// Hand-written rather than Boost.Math's root finders (which solve_mtu_equilibrium uses): this runs
/// per SIMD lane on xsimd batches (and on casadi::SX), where a data-dependent loop exit or branch
/// cannot exist — every lane takes the same fixed number of steps and chooses by select(). Unlike the
/// equilibrium residual, g is increasing and smooth inside the bracket, so Newton converges.
template <class T>
T damped_fiber_velocity(const T& afl, const T& fpe, const T& demanded, const T& beta, const T& v0) {
  const T beta_safe = legsim::max(beta, T(1e-300));
  const T d = demanded - fpe;                                                    // D = F̃ − fPE
  const T v_lin_hi_raw = (d - afl * T(curves::kMaxForceVelocity)) / beta_safe;  // root if > 1
  const T v_lin_lo_raw = (d - afl * T(curves::kMinForceVelocity)) / beta_safe;  // root if < −1
  const T v_lin_hi = legsim::min(v_lin_hi_raw, T(kMaxDampedNormFiberVelocity));
  const T v_lin_lo = legsim::max(v_lin_lo_raw, T(-kMaxDampedNormFiberVelocity));
  T lo = legsim::min(v0, T(0.0));
  T hi = legsim::max(v0, T(0.0));
  T v = v0;
  for (int it = 0; it < kDampedVelocityIterations; ++it) {
    const T g = afl * curves::force_velocity(v) + fpe + beta * v - demanded;
    const T dg = afl * curves::force_velocity_derivative(v) + beta_safe;  // ≥ β > 0
    lo = legsim::select(g < T(0.0), v, lo);
    hi = legsim::select(g < T(0.0), hi, v);
    const T v_newton = v - g / dg;
    // Accept the Newton step when inside the closed bracket (it equals v itself once g = 0).
    const T inside = (v_newton - lo) * (hi - v_newton);  // ≥ 0 iff lo ≤ v_newton ≤ hi
    const T v_bisect = T(0.5) * (lo + hi);
    v = legsim::select(inside >= T(0.0), v_newton, v_bisect);
  }
  const T v_saturated_lo = legsim::select(v_lin_lo < T(-1.0), v_lin_lo, v);
  return legsim::select(v_lin_hi > T(1.0), v_lin_hi, v_saturated_lo);
}

/// Fills the fiber part of the outputs for a given geometry, activation and normalized velocity.
/// known_fv: fV(ṽ) when the caller already has it (the compliant tendon's undamped inverse), which
/// saves a logarithm and a square root per muscle in the right-hand side.
template <class T>
void fill_fiber_outputs(const MtuCoefficients<T>& c, const FiberGeometry<T>& g, const T& a, const T& fl,
                        const T& fpe, const T& norm_velocity, MtuOutputs<T>& out, const T* known_fv = nullptr) {
  const T fv = known_fv ? *known_fv : curves::force_velocity(curves::detail::clamp(norm_velocity, T(-1.0), T(1.0)));
  out.fiber_length = g.length;
  out.norm_fiber_length = g.norm_length;
  out.norm_fiber_velocity = norm_velocity;
  out.fiber_velocity = norm_velocity * c.max_fiber_velocity;
  out.cos_pennation = g.cos_pennation;
  out.activation = a;
  out.active_force_length = fl;
  out.passive_force_length = fpe;
  out.force_velocity = fv;
  out.active_fiber_force = c.active_capacity * a * fl * fv * c.max_isometric_force;
  out.passive_fiber_force = fpe * c.max_isometric_force;
  out.damping_fiber_force = c.fiber_damping * norm_velocity * c.max_isometric_force;
  out.total_fiber_force = out.active_fiber_force + out.passive_fiber_force + out.damping_fiber_force;
}

/// Fiber outputs when the tendon length l_T (m) and the velocity of the fiber projection ẋ (m/s)
/// are prescribed (rigid tendon: l_T = l_s, ẋ = v_MT; static equilibrium: l_T = l_T(f_T), ẋ = v_MT).
/// Tendon fields are left to the caller.
template <class T>
MtuOutputs<T> prescribed_fiber_outputs(const MtuCoefficients<T>& c, const T& mtu_length, const T& projection_velocity,
                                       const T& activation, const T& tendon_length) {
  const T a = curves::detail::clamp(activation, c.min_activation, T(1.0));
  const T fiber_projection = mtu_length - tendon_length;
  const FiberGeometry<T> g = fiber_geometry(c, fiber_projection);
  const T fl = curves::active_force_length(g.curve_length);
  const T fpe = curves::passive_force_length(g.curve_length, c.passive);
  const T norm_velocity = projection_velocity * g.cos_pennation / c.max_fiber_velocity;  // v_M = ẋ·cos α
  MtuOutputs<T> out;
  fill_fiber_outputs(c, g, a, fl, fpe, norm_velocity, out);
  out.tendon_length = tendon_length;
  out.tendon_strain = tendon_length / c.tendon_slack_length - T(1.0);
  out.tendon_velocity = T(0.0);
  out.norm_tendon_force_derivative = T(0.0);
  return out;
}

}  // namespace detail

namespace detail {

/// The first stage of the compliant-tendon MTU (evaluate_compliant_mtu): clamped activation, tendon
/// length from the tendon state and the fiber geometry it leaves.
template <class T>
struct CompliantFiberState {
  T activation;          ///< clamped to [min_activation, 1]
  T norm_tendon_length;  ///< l̃_T = fT⁻¹(f_T)
  T tendon_length;       ///< l_T (m)
  FiberGeometry<T> geometry;
};

/// The second stage: the force–length curves and the force–velocity multiplier the tendon demands.
template <class T>
struct CompliantForceBalance {
  T active_force_length, passive_force_length;  ///< fL, fPE
  T demanded;   ///< F̃_M = f_T / cos α
  T afl;        ///< c·a·fL, floored
  T fv_target;  ///< fV* clamped to [fV(−1), fV(1)]
};

template <class T>
CompliantFiberState<T> compliant_fiber_state(const MtuCoefficients<T>& c, const T& mtu_length, const T& activation,
                                             const T& norm_tendon_force) {
  const T a = curves::detail::clamp(activation, c.min_activation, T(1.0));
  // Tendon: l̃_T = fT⁻¹(f_T) (closed form), l_T = l̃_T·l_s.
  const T norm_tendon_length = curves::tendon_force_length_inverse(norm_tendon_force, c.tendon);
  const T tendon_length = norm_tendon_length * c.tendon_slack_length;
  // Fiber from constant-thickness geometry: x = l_MT − l_T, l_M = sqrt(x² + h²).
  const T fiber_projection = mtu_length - tendon_length;
  return {a, norm_tendon_length, tendon_length, fiber_geometry(c, fiber_projection)};
}

template <class T>
CompliantForceBalance<T> compliant_force_balance(const MtuCoefficients<T>& c, const CompliantFiberState<T>& s,
                                                 const T& norm_tendon_force) {
  const FiberGeometry<T>& g = s.geometry;
  const T fl = curves::active_force_length(g.curve_length);
  const T fpe = curves::passive_force_length(g.curve_length, c.passive);
  // Force the tendon demands of the fiber, along the fiber: F̃_M = f_T / cos α.
  const T demanded = norm_tendon_force / g.cos_pennation;
  // Undamped inverse: fV* = (F̃_M − fPE)/(c·a·fL), clamped to [fV(−1), fV(1)]; ṽ0 = fV⁻¹(fV*).
  const T afl_raw = c.active_capacity * s.activation * fl;
  const T afl = legsim::max(afl_raw, T(kMinActiveForceMultiplier));
  const T fv_target_raw = (demanded - fpe) / afl;
  const T fv_target = curves::detail::clamp(fv_target_raw, T(curves::kMinForceVelocity), T(curves::kMaxForceVelocity));
  return {fl, fpe, demanded, afl, fv_target};
}

/// The last stage: fiber velocity, forces and df_T/dt from the first two.
template <class T>
MtuOutputs<T> compliant_mtu_outputs(const MtuCoefficients<T>& c, const CompliantFiberState<T>& s,
                                    const CompliantForceBalance<T>& b, const T& mtu_velocity,
                                    const T& norm_tendon_force) {
  const FiberGeometry<T>& g = s.geometry;
  const T v_inverse = curves::force_velocity_inverse(b.fv_target);
  const T v_undamped = curves::detail::clamp(v_inverse, T(-1.0), T(1.0));
  // Damped: root of c·a·fL·fV(ṽ) + fPE + β·ṽ = F̃_M (computed for every lane, chosen where β > 0;
  // skipped when no lane has damping, see MtuCoefficients::has_damping).
  T norm_velocity = v_undamped;
  if (c.has_damping) {
    const T v_damped = damped_fiber_velocity(b.afl, b.passive_force_length, b.demanded, c.fiber_damping, v_undamped);
    norm_velocity = legsim::select(c.fiber_damping > T(0.0), v_damped, v_undamped);
  }
  MtuOutputs<T> out;
  // Without damping fV(ṽ) is the clamped target itself: fV(fV⁻¹(y)) = y on [fV(−1), fV(1)].
  fill_fiber_outputs(c, g, s.activation, b.active_force_length, b.passive_force_length, norm_velocity, out,
                     c.has_damping ? nullptr : &b.fv_target);
  // Kinematics: ẋ = v_M / cos α, v_T = v_MT − ẋ.
  const T projection_velocity = out.fiber_velocity / g.cos_pennation;
  const T tendon_velocity = mtu_velocity - projection_velocity;
  // df_T/dt = fT'(l̃_T)·v_T/l_s, with fT'(l̃_T) = kT·(f_T + c3) at l̃_T = fT⁻¹(f_T) (same floor as
  // the inverse, so the slope stays > 0).
  const T force_plus_c3 = norm_tendon_force + T(curves::kTendonC3);
  const T slope =
      c.tendon.stiffness * legsim::max(force_plus_c3, T(curves::kMinTendonLogArgument * curves::kTendonC1));
  out.tendon_length = s.tendon_length;
  out.tendon_strain = s.norm_tendon_length - T(1.0);
  out.tendon_velocity = tendon_velocity;
  out.norm_tendon_force = norm_tendon_force;
  out.tendon_force = norm_tendon_force * c.max_isometric_force;
  out.norm_tendon_force_derivative = slope * tendon_velocity / c.tendon_slack_length;
  return out;
}

}  // namespace detail

/// Compliant-tendon MTU: outputs and df_T/dt (out.norm_tendon_force_derivative, 1/s).
/// mtu_length l_MT (m) > 0, mtu_velocity v_MT (m/s), activation a ∈ [0, 1] (clamped to
/// [min_activation, 1]), norm_tendon_force f_T (state, dimensionless; physically ≥ 0, values
/// > −0.2 accepted). Never throws; finite for every finite input. Three stages (detail::
/// compliant_fiber_state, compliant_force_balance, compliant_mtu_outputs), in this order: the batch
/// engine runs each stage over all its muscles before the next (stance_dynamics.hpp).
template <class T>
MtuOutputs<T> evaluate_compliant_mtu(const MtuCoefficients<T>& c, const T& mtu_length, const T& mtu_velocity,
                                     const T& activation, const T& norm_tendon_force) {
  const detail::CompliantFiberState<T> s = detail::compliant_fiber_state(c, mtu_length, activation, norm_tendon_force);
  const detail::CompliantForceBalance<T> b = detail::compliant_force_balance(c, s, norm_tendon_force);
  return detail::compliant_mtu_outputs(c, s, b, mtu_velocity, norm_tendon_force);
}

/// Compliant-tendon MTU with one muscle's MuscleParams (broadcast to every lane of T).
template <class T>
MtuOutputs<T> evaluate_compliant_mtu(const MuscleParams& p, const T& mtu_length, const T& mtu_velocity,
                                     const T& activation, const T& norm_tendon_force) {
  return evaluate_compliant_mtu(make_mtu_coefficients<T>(p), mtu_length, mtu_velocity, activation,
                                norm_tendon_force);
}

/// df_T/dt (1/s) of the compliant-tendon MTU (the state derivative only).
template <class T>
T norm_tendon_force_derivative(const MtuCoefficients<T>& c, const T& mtu_length, const T& mtu_velocity,
                               const T& activation, const T& norm_tendon_force) {
  return evaluate_compliant_mtu(c, mtu_length, mtu_velocity, activation, norm_tendon_force)
      .norm_tendon_force_derivative;
}

/// Rigid-tendon MTU: tendon at slack length, fiber velocity v_M = v_MT·cos α, tendon force
/// (c·a·fL·fV + fPE + β·ṽ)·cos α·F_max. mtu_length (m), mtu_velocity (m/s), activation ∈ [0, 1].
template <class T>
MtuOutputs<T> evaluate_rigid_mtu(const MtuCoefficients<T>& c, const T& mtu_length, const T& mtu_velocity,
                                 const T& activation) {
  MtuOutputs<T> out =
      detail::prescribed_fiber_outputs(c, mtu_length, mtu_velocity, activation, c.tendon_slack_length);
  out.tendon_force = out.total_fiber_force * out.cos_pennation;
  out.norm_tendon_force = out.tendon_force / c.max_isometric_force;
  return out;
}

/// Rigid-tendon MTU with one muscle's MuscleParams.
template <class T>
MtuOutputs<T> evaluate_rigid_mtu(const MuscleParams& p, const T& mtu_length, const T& mtu_velocity,
                                 const T& activation) {
  return evaluate_rigid_mtu(make_mtu_coefficients<T>(p), mtu_length, mtu_velocity, activation);
}

}  // namespace legsim

// The MTU in residual form (static equilibrium, implicit collocation form) builds on the kernels above.
#include "legsim/muscle/mtu_residuals.hpp"
