#pragma once
// Patellofemoral joint (PFJ) load (DESIGN 3.5): reaction force from the quadriceps force, contact
// area, stress, and the "moment method" estimate of the quadriceps force used by running studies.
//
// Formula-level inputs: θ = knee flexion angle in DEGREES (0 = straight, + = flexed). Outputs SI:
// forces in N, lever arm in m, area in m², stress in Pa. Every fit is evaluated with θ clamped to
// [0°, 120°] (hyperextension treated as straight; the van Eijden fit's denominator vanishes near 128°).
// Templates on the scalar type T (double, Eigen::AutoDiffScalar, xsimd::batch<double>), branch-free.
#include <string_view>

#include "legsim/core/ops.hpp"

namespace legsim {

/// Which contact-area curve A(θ) to use.
enum class PfjContactArea {
  /// Default. Curve fit used with the k(θ) and r_Q(θ) fits in the running PFJ-stress literature
  /// (Brechter JH, Powers CM (2002) Med Sci Sports Exerc 34(10):1582–1593):
  /// A [mm²] = 0.0781·θ² + 0.6763·θ + 151.75 (152, 242, 340, 474 mm² at 0, 30, 45, 60°).
  kBrechterPowers2002Fit,
  /// Measured MRI contact areas of males, unloaded (Besier TF et al. (2005) J Orthop Res
  /// 23(2):345–350, doi:10.1016/j.orthres.2004.08.003): 210 / 414 / 520 mm² at 0 / 30 / 60°,
  /// piecewise-linear between, held constant outside [0°, 60°]. Optionally × 1.24 (weight-bearing
  /// areas ≈ 24 % larger).
  kBesier2005Measured,
};

struct PfjParams {
  PfjContactArea contact_area = PfjContactArea::kBrechterPowers2002Fit;
  bool besier_weight_bearing = false;  ///< apply the 1.24 weight-bearing factor to Besier's areas
};

/// Throws InputError naming "<prefix>.<field>" for an out-of-range enum value.
void validate(const PfjParams& p, std::string_view prefix = "pfj");

inline constexpr double kPfjMaxFlexionDeg = 120.0;
inline constexpr double kBesierWeightBearingFactor = 1.24;

namespace detail {
template <class T>
T pfj_clamp_angle(const T& theta_deg) {
  // Spelled with qualified min/max: core's clamp() calls them unqualified, which is ambiguous with
  // xsimd::min/max under ADL for batches.
  return legsim::min(legsim::max(theta_deg, T(0.0)), T(kPfjMaxFlexionDeg));
}
}  // namespace detail

/// k(θ) = F_PFJ / F_Q, curve fit to van Eijden TMGJ et al. (1986) J Biomech 19(3):219–229, as used by
/// Ho et al. 2012, Willson et al. 2014 (reviewed by Nunes et al. 2018, Gait Posture 61:188–196,
/// doi:10.1016/j.gaitpost.2017.12.018), in its non-typo form:
///   k(θ) = (0.462 + 0.00147·θ − 0.0000384·θ²) / (1 − 0.0162·θ + 0.000155·θ² − 0.000000698·θ³)
/// (dimensionless; k(0) = 0.462, k(30) ≈ 0.743, k(50) ≈ 0.896, k(80) ≈ 0.986).
template <class T>
T pfj_force_ratio(const T& knee_flexion_deg) {
  const T t = detail::pfj_clamp_angle(knee_flexion_deg);
  const T num = T(0.462) + t * (T(0.00147) - T(0.0000384) * t);
  const T den = T(1.0) + t * (T(-0.0162) + t * (T(0.000155) - T(0.000000698) * t));
  return num / den;
}

/// Effective quadriceps lever arm r_Q(θ) (m), metre form of the published cubic:
///   r_Q = 8.0e-8·θ³ − 1.3e-5·θ² + 2.8e-4·θ + 0.046 (46.0, 44.9, 39.6, 33.3 mm at 0, 30, 45, 60°).
/// Positive on [0°, 120°] (minimum ≈ 23.9 mm at ≈ 96°).
template <class T>
T quadriceps_lever_arm(const T& knee_flexion_deg) {
  const T t = detail::pfj_clamp_angle(knee_flexion_deg);
  return T(0.046) + t * (T(2.8e-4) + t * (T(-1.3e-5) + T(8.0e-8) * t));
}

/// PFJ contact area A(θ) (m²).
template <class T>
T pfj_contact_area(const T& knee_flexion_deg, const PfjParams& p = {}) {
  const T t = detail::pfj_clamp_angle(knee_flexion_deg);
  constexpr double kMm2 = 1e-6;  // mm² → m²
  if (p.contact_area == PfjContactArea::kBesier2005Measured) {  // branch on a parameter, not on T
    const double f = (p.besier_weight_bearing ? kBesierWeightBearingFactor : 1.0) * kMm2;
    const T tc = legsim::min(t, T(60.0));
    const T low = T(210.0) + (T(414.0 - 210.0) / T(30.0)) * tc;
    const T high = T(414.0) + (T(520.0 - 414.0) / T(30.0)) * (tc - T(30.0));
    return T(f) * legsim::select(tc < T(30.0), low, high);
  }
  return T(kMm2) * (T(151.75) + t * (T(0.6763) + T(0.0781) * t));
}

/// PFJ reaction force F_PFJ = k(θ)·F_Q (N) from the quadriceps force F_Q (N).
template <class T>
T pfj_force(const T& quadriceps_force, const T& knee_flexion_deg) {
  return pfj_force_ratio(knee_flexion_deg) * quadriceps_force;
}

/// PFJ stress σ = F_PFJ / A(θ) (Pa).
template <class T>
T pfj_stress(const T& pfj_force_n, const T& knee_flexion_deg, const PfjParams& p = {}) {
  return pfj_force_n / pfj_contact_area(knee_flexion_deg, p);
}

/// Moment method: F_Q = max(M_knee_extension, 0) / r_Q(θ) (N), from the knee EXTENSION moment (N·m,
/// + = extending; the body's generalized force on the knee-flexion coordinate q4 is −M_ext).
template <class T>
T quadriceps_force_moment_method(const T& knee_extension_moment, const T& knee_flexion_deg) {
  return legsim::max(knee_extension_moment, T(0.0)) / quadriceps_lever_arm(knee_flexion_deg);
}

/// Force, area and stress of the PFJ at one instant.
template <class T>
struct PfjLoad {
  T force;   ///< N
  T area;    ///< m²
  T stress;  ///< Pa
};

template <class T>
PfjLoad<T> pfj_load(const T& quadriceps_force, const T& knee_flexion_deg, const PfjParams& p = {}) {
  PfjLoad<T> out;
  out.force = pfj_force(quadriceps_force, knee_flexion_deg);
  out.area = pfj_contact_area(knee_flexion_deg, p);
  out.stress = out.force / out.area;
  return out;
}

}  // namespace legsim
