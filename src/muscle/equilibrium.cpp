// Static equilibrium of a compliant-tendon muscle–tendon unit (see mtu.hpp for the equations).
#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/policies/policy.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include "legsim/muscle/mtu.hpp"

namespace legsim {
namespace {

/// Boost.Math errors become return values (this function never throws): the bracket passed is
/// always ordered and sign-changing, so none is expected.
using NoThrowPolicy =
    boost::math::policies::policy<boost::math::policies::domain_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

/// Lower end of the extended bracket: f_T just above −c3, where the inverse tendon curve is finite.
constexpr double kLowestNormTendonForce = -curves::kTendonC3 * (1.0 - 1e-9);
/// Doublings of the upper bracket end (starting at f_T = 1) before giving up.
constexpr int kMaxBracketDoublings = 64;

}  // namespace

MtuEquilibrium solve_mtu_equilibrium(const MuscleParams& p, double mtu_length, double mtu_velocity,
                                     double activation, double tolerance, int max_iterations) {
  const MtuCoefficients<double> c = make_mtu_coefficients<double>(p);
  // Every residual evaluated, bracket search included, goes through here; the one with the smallest
  // |r| is the answer (TOMS748 returns a bracket, not a point).
  double best_f = 0.0;
  double best_r = std::numeric_limits<double>::infinity();
  const auto residual = [&](double f) {
    const double r = equilibrium_residual(c, mtu_length, mtu_velocity, activation, f);
    if (std::abs(r) < std::abs(best_r)) {
      best_f = f;
      best_r = r;
    }
    return r;
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

  if (bracketed) {
    // Alefeld, Potra & Shi (1995), Algorithm 748 (Boost.Math's toms748_solve): interpolation steps
    // that keep a sign-change bracket and shrink it by at least half every few evaluations. r is
    // neither monotone (with damping, r' < 0 near f_T = −c3) nor smooth (kinks where ṽ or l̃ reach
    // their clamps), which a Newton iteration that only keeps its step inside the bracket does not
    // survive: the hand-written one it replaces cycled for all 200 iterations on 34 of 2·10⁵ random
    // damped cases (|r| up to 4.7) and Boost's newton_raphson_iterate, which moves its bracket by
    // the sign of the step, raised "no root" where r' < 0. Stop at |r| ≤ tolerance (the contract
    // above) or when the bracket's ends are adjacent doubles.
    const auto done = [&](double a, double b) { return std::abs(best_r) <= tolerance || std::nextafter(a, b) >= b; };
    boost::uintmax_t iterations = static_cast<boost::uintmax_t>(std::max(max_iterations, 0));
    boost::math::tools::toms748_solve(residual, lo, hi, r_lo, r_hi, done, iterations, NoThrowPolicy());
    result.iterations = static_cast<int>(iterations);
    result.converged = std::abs(best_r) <= tolerance;
  } else {
    best_f = lo;
    best_r = equilibrium_residual(c, mtu_length, mtu_velocity, activation, lo);
  }
  const double f = best_f;
  const double r = best_r;

  result.norm_tendon_force = f;
  result.residual = r;
  const double tendon_length = curves::tendon_force_length_inverse(f, c.tendon) * c.tendon_slack_length;
  result.outputs = detail::prescribed_fiber_outputs(c, mtu_length, mtu_velocity, activation, tendon_length);
  result.outputs.norm_tendon_force = f;
  result.outputs.tendon_force = f * c.max_isometric_force;
  return result;
}

}  // namespace legsim
