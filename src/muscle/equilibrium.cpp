// Static equilibrium of a compliant-tendon muscle–tendon unit (see mtu.hpp for the equations).
#include <cmath>

#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/muscle/mtu.hpp"

namespace legsim {
namespace {

using Ad1 = Eigen::AutoDiffScalar<Eigen::Matrix<double, 1, 1>>;

/// Lower end of the extended bracket: f_T just above −c3, where the inverse tendon curve is finite.
constexpr double kLowestNormTendonForce = -curves::kTendonC3 * (1.0 - 1e-9);
/// Doublings of the upper bracket end (starting at f_T = 1) before giving up.
constexpr int kMaxBracketDoublings = 64;

}  // namespace

MtuEquilibrium solve_mtu_equilibrium(const MuscleParams& p, double mtu_length, double mtu_velocity,
                                     double activation, double tolerance, int max_iterations) {
  const MtuCoefficients<double> c = make_mtu_coefficients<double>(p);
  const MtuCoefficients<Ad1> c_ad = make_mtu_coefficients<Ad1>(p);
  const auto residual = [&](double f) {
    return equilibrium_residual(c, mtu_length, mtu_velocity, activation, f);
  };
  // r(f_T) and dr/df_T by forward-mode autodiff of the same template.
  const auto residual_and_slope = [&](double f, double& r, double& dr) {
    const Ad1 f_ad(f, Eigen::Matrix<double, 1, 1>::Ones());
    const Ad1 r_ad = equilibrium_residual<Ad1>(c_ad, Ad1(mtu_length), Ad1(mtu_velocity), Ad1(activation), f_ad);
    r = r_ad.value();
    dr = r_ad.derivatives()(0);
  };

  MtuEquilibrium result;
  // Bracket [lo, hi] with r(lo) ≤ 0 ≤ r(hi). Without damping the fiber force along the tendon is
  // ≥ 0, so r(0) ≤ 0 (tendon at slack length pulls less than the fiber) and the root is ≥ 0; r grows
  // without bound as f_T → ∞ because the fiber force is bounded (curves evaluated on [0.2, 1.8]).
  double lo = 0.0;
  double r_lo = residual(lo);
  double hi = 1.0;
  double r_hi = 0.0;
  bool bracketed = true;
  if (r_lo > 0.0) {
    // Fiber pushes (only possible with damping and fast shortening): root below 0.
    hi = lo;
    r_hi = r_lo;
    lo = kLowestNormTendonForce;
    r_lo = residual(lo);
    bracketed = r_lo <= 0.0;
  } else {
    r_hi = residual(hi);
    for (int k = 0; k < kMaxBracketDoublings && r_hi < 0.0; ++k) {
      lo = hi;
      r_lo = r_hi;
      hi *= 2.0;
      r_hi = residual(hi);
    }
    bracketed = r_hi >= 0.0;
  }

  double f = 0.0;
  double r = 0.0;
  if (bracketed) {
    // Start where the smaller residual is (often lo = 0 with r = −(fiber force at slack tendon)).
    f = std::abs(r_lo) <= std::abs(r_hi) ? lo : hi;
    for (int it = 0; it < max_iterations; ++it) {
      double dr = 0.0;
      residual_and_slope(f, r, dr);
      result.iterations = it + 1;
      if (std::abs(r) <= tolerance) {
        result.converged = true;
        break;
      }
      if (r < 0.0) {
        lo = f;
      } else {
        hi = f;
      }
      const double f_newton = f - r / dr;
      const bool newton_ok = std::isfinite(f_newton) && dr > 0.0 && f_newton >= lo && f_newton <= hi;
      const double f_next = newton_ok ? f_newton : 0.5 * (lo + hi);
      if (f_next == f) break;  // bracket exhausted at double precision
      f = f_next;
    }
    // Report the residual of the double-precision path (the autodiff value may differ in the last bits).
    r = residual(f);
    result.converged = std::abs(r) <= tolerance;
  } else {
    f = lo;
    r = residual(f);
  }

  result.norm_tendon_force = f;
  result.residual = r;
  const double tendon_length = curves::tendon_force_length_inverse(f, c.tendon) * c.tendon_slack_length;
  result.outputs = detail::prescribed_fiber_outputs(c, mtu_length, mtu_velocity, activation, tendon_length);
  result.outputs.norm_tendon_force = f;
  result.outputs.tendon_force = f * c.max_isometric_force;
  return result;
}

}  // namespace legsim
