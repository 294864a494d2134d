// Tests of the Hill-type muscle curves (include/legsim/muscle/curves.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/muscle/curves.hpp"
#include "test_muscle_util.hpp"

namespace c = legsim::curves;
using legsim_test::Batch;
using legsim_test::kLanes;

namespace {

// Tolerances, each with its reason.
constexpr double kKeyPointTol = 1e-10;       // OpenSim's margin for fV(−1) and fT(1 + ε0)
constexpr double kOpenSimPassiveTol = 1e-6;  // fPE(1) = 0.0182288 is given to 7 digits
constexpr double kOpenSimFvMaxTol = 1e-3;    // fV(1) = 1.794 is given to 4 digits
constexpr double kRoundTripTol = 1e-12;      // inverse ∘ forward, a few ulps times the slope ratio
constexpr double kBatchUlps = 8.0;           // xsimd's exp/log/sinh vs libm: ≤ 2–4 ulps each
constexpr double kCentralDiffTol = 1e-7;     // central differences with step 1e-6: O(h²) + O(ε/h)

using Ad1 = Eigen::AutoDiffScalar<Eigen::Matrix<double, 1, 1>>;

Ad1 active(double x) { return Ad1(x, Eigen::Matrix<double, 1, 1>::Ones()); }

double central_difference(const std::function<double(double)>& f, double x, double h = 1e-6) {
  return (f(x + h) - f(x - h)) / (2.0 * h);
}

}  // namespace

TEST_CASE("curve key points pinned by OpenSim's testDeGrooteFregly2016Muscle", "[muscle][curves]") {
  // Tendon: fT(1) = 0, fT(1 + ε0) = 1 for several ε0.
  for (double eps0 : {0.049, 0.03, 0.1}) {
    CHECK(std::abs(c::tendon_force_length(1.0, eps0)) <= kKeyPointTol);
    CHECK(std::abs(c::tendon_force_length(1.0 + eps0, eps0) - 1.0) <= kKeyPointTol);
  }
  // kT = ln(6)/ε0 ≈ 36.567 for ε0 = 0.049 (reference muscle_curves.md).
  CHECK(c::tendon_curve_shape(0.049).stiffness == Approx(36.567).margin(1e-3));
  // Passive: fPE(1) = 0.0182288, fPE(0.2) = 0, fPE(1 + e0) = 1.
  CHECK(std::abs(c::passive_force_length(1.0) - 0.0182288) <= kOpenSimPassiveTol);
  CHECK(std::abs(c::passive_force_length(0.2)) <= kKeyPointTol);
  for (double e0 : {0.6, 0.4, 0.8}) {
    CHECK(std::abs(c::passive_force_length(1.0 + e0, e0) - 1.0) <= kKeyPointTol);
    CHECK(std::abs(c::passive_force_length(0.2, e0)) <= kKeyPointTol);
  }
  // Active: fL(1) = 1.
  CHECK(std::abs(c::active_force_length(1.0) - 1.0) <= kKeyPointTol);
  // Force–velocity: fV(−1) = 0, fV(0) = 1, fV(1) = 1.794.
  CHECK(std::abs(c::force_velocity(-1.0)) <= kKeyPointTol);
  CHECK(std::abs(c::force_velocity(0.0) - 1.0) <= kKeyPointTol);
  CHECK(std::abs(c::force_velocity(1.0) - 1.794) <= kOpenSimFvMaxTol);
  // The range constants used for clamping equal the curve at ±1.
  CHECK(std::abs(c::force_velocity(1.0) - c::kMaxForceVelocity) <= 1e-15);
  CHECK(std::abs(c::force_velocity(-1.0) - c::kMinForceVelocity) <= 1e-15);
}

TEST_CASE("inverse curves round-trip over the whole domain", "[muscle][curves]") {
  // Force–velocity: ṽ → fV → ṽ over [−1, 1] and beyond; fV → ṽ → fV over [0, fVmax].
  for (int i = 0; i <= 2000; ++i) {
    const double v = -1.5 + 3.0 * i / 2000.0;
    CHECK(std::abs(c::force_velocity_inverse(c::force_velocity(v)) - v) <= kRoundTripTol);
    const double f = c::kMaxForceVelocity * i / 2000.0;
    CHECK(std::abs(c::force_velocity(c::force_velocity_inverse(f)) - f) <= kRoundTripTol);
  }
  // Tendon: l̃_T → fT → l̃_T over [0.9, 1 + 3ε0]; fT → l̃_T → fT over [−0.19, 5].
  for (double eps0 : {0.049, 0.02, 0.1}) {
    for (int i = 0; i <= 2000; ++i) {
      const double l = 0.9 + (0.1 + 3.0 * eps0) * i / 2000.0;
      CHECK(std::abs(c::tendon_force_length_inverse(c::tendon_force_length(l, eps0), eps0) - l) <= kRoundTripTol);
      const double f = -0.19 + 5.19 * i / 2000.0;
      CHECK(std::abs(c::tendon_force_length(c::tendon_force_length_inverse(f, eps0), eps0) - f) <=
            kRoundTripTol * std::max(1.0, std::abs(f)));
    }
  }
}

TEST_CASE("curves are monotonic where physiology says so", "[muscle][curves]") {
  const int n = 4000;
  // fV increasing on [−1, 1]; fT increasing; fPE increasing on [0.2, 1.8].
  for (int i = 0; i < n; ++i) {
    const double v0 = -1.0 + 2.0 * i / n, v1 = -1.0 + 2.0 * (i + 1) / n;
    CHECK(c::force_velocity(v1) > c::force_velocity(v0));
    const double t0 = 0.95 + 0.15 * i / n, t1 = 0.95 + 0.15 * (i + 1) / n;
    CHECK(c::tendon_force_length(t1) > c::tendon_force_length(t0));
    const double l0 = 0.2 + 1.6 * i / n, l1 = 0.2 + 1.6 * (i + 1) / n;
    CHECK(c::passive_force_length(l1) > c::passive_force_length(l0));
  }
  // fL increasing on [0.2, 1.0] and decreasing on [1.03, 1.8]: the refit's maximum is
  // fL ≈ 1.00107 at l̃ ≈ 1.0133 (not exactly at 1, where fL = 1), so fL ≤ 1.0011 on [0.2, 1.8].
  for (int i = 0; i < n; ++i) {
    const double a0 = 0.2 + 0.8 * i / n, a1 = 0.2 + 0.8 * (i + 1) / n;
    CHECK(c::active_force_length(a1) > c::active_force_length(a0));
    const double d0 = 1.03 + 0.77 * i / n, d1 = 1.03 + 0.77 * (i + 1) / n;
    CHECK(c::active_force_length(d1) < c::active_force_length(d0));
    CHECK(c::active_force_length(0.2 + 1.6 * i / n) <= 1.0011);
  }
  CHECK(c::active_force_length(1.0133) > 1.001);
}

TEST_CASE("curves are finite for every finite input", "[muscle][curves]") {
  for (double x : {-1e300, -1e6, -10.0, -1.0, 0.0, 0.1495, 0.149535, 1.0, 10.0, 1e6, 1e300}) {
    INFO("x = " << x);
    CHECK(std::isfinite(c::active_force_length(x)));
    CHECK(std::isfinite(c::active_force_length_derivative(x)));
    CHECK(std::isfinite(c::passive_force_length(x)));
    CHECK(std::isfinite(c::force_velocity(x)));
    CHECK(std::isfinite(c::force_velocity_derivative(x)));
    CHECK(std::isfinite(c::force_velocity_inverse(x)));
    CHECK(std::isfinite(c::tendon_force_length(x)));
    CHECK(std::isfinite(c::tendon_force_length_inverse(x)));
  }
}

TEST_CASE("batch lanes equal the scalar curves to a few ulps", "[muscle][curves][simd]") {
  std::mt19937_64 rng(20240611);
  struct Case {
    const char* name;
    double lo, hi;
    std::function<double(double, double)> scalar;    // (x, shape parameter)
    std::function<Batch(Batch, Batch)> batch;
    double param_lo, param_hi;
  };
  const std::vector<Case> cases = {
      {"active_force_length", 0.2, 1.8, [](double x, double) { return c::active_force_length(x); },
       [](Batch x, Batch) { return c::active_force_length(x); }, 0.0, 0.0},
      {"active_force_length_derivative", 0.2, 1.8,
       [](double x, double) { return c::active_force_length_derivative(x); },
       [](Batch x, Batch) { return c::active_force_length_derivative(x); }, 0.0, 0.0},
      {"passive_force_length", 0.2, 1.8, [](double x, double e) { return c::passive_force_length(x, e); },
       [](Batch x, Batch e) { return c::passive_force_length(x, e); }, 0.3, 0.9},
      {"passive_force_length_derivative", 0.2, 1.8,
       [](double x, double e) { return c::passive_force_length_derivative(x, e); },
       [](Batch x, Batch e) { return c::passive_force_length_derivative(x, e); }, 0.3, 0.9},
      {"force_velocity_derivative", -1.2, 1.2, [](double x, double) { return c::force_velocity_derivative(x); },
       [](Batch x, Batch) { return c::force_velocity_derivative(x); }, 0.0, 0.0},
      {"tendon_force_length_derivative", 0.95, 1.2,
       [](double x, double e) { return c::tendon_force_length_derivative(x, e); },
       [](Batch x, Batch e) { return c::tendon_force_length_derivative(x, e); }, 0.02, 0.1},
      {"force_velocity", -1.2, 1.2, [](double x, double) { return c::force_velocity(x); },
       [](Batch x, Batch) { return c::force_velocity(x); }, 0.0, 0.0},
      {"force_velocity_inverse", 0.0, c::kMaxForceVelocity,
       [](double x, double) { return c::force_velocity_inverse(x); },
       [](Batch x, Batch) { return c::force_velocity_inverse(x); }, 0.0, 0.0},
      {"tendon_force_length", 0.95, 1.2, [](double x, double e) { return c::tendon_force_length(x, e); },
       [](Batch x, Batch e) { return c::tendon_force_length(x, e); }, 0.02, 0.1},
      {"tendon_force_length_inverse", -0.1, 3.0,
       [](double x, double e) { return c::tendon_force_length_inverse(x, e); },
       [](Batch x, Batch e) { return c::tendon_force_length_inverse(x, e); }, 0.02, 0.1},
  };
  constexpr int kDraws = 4000;
  for (const Case& cs : cases) {
    std::uniform_real_distribution<double> ux(cs.lo, cs.hi), up(cs.param_lo, std::max(cs.param_hi, cs.param_lo + 1.0));
    double worst = 0.0;
    for (int d = 0; d < kDraws / static_cast<int>(kLanes); ++d) {
      std::array<double, kLanes> x{}, e{};
      for (std::size_t i = 0; i < kLanes; ++i) {
        x[i] = ux(rng);
        e[i] = up(rng);
      }
      const auto out = legsim_test::lanes(cs.batch(legsim_test::load(x), legsim_test::load(e)));
      for (std::size_t i = 0; i < kLanes; ++i) worst = std::max(worst, legsim_test::ulps_apart(out[i], cs.scalar(x[i], e[i])));
    }
    INFO(cs.name << ": worst " << worst << " ulps (lanes = " << kLanes << ")");
    CHECK(worst <= kBatchUlps);
  }
}

TEST_CASE("Eigen autodiff and the dual-number curve derivatives match central differences",
          "[muscle][curves][autodiff]") {
  for (int i = 0; i <= 160; ++i) {
    const double l = 0.2 + 1.6 * i / 160.0;
    const double v = -1.0 + 2.0 * i / 160.0;
    const double lt = 0.98 + 0.08 * i / 160.0;
    const double f = 0.0 + 1.7 * i / 160.0;
    INFO("l = " << l << ", v = " << v << ", lt = " << lt << ", f = " << f);
    const double d_fl = central_difference([](double x) { return c::active_force_length(x); }, l);
    CHECK(c::active_force_length(active(l)).derivatives()(0) == Approx(d_fl).margin(kCentralDiffTol));
    CHECK(c::active_force_length_derivative(l) == Approx(d_fl).margin(kCentralDiffTol));
    const double d_fpe = central_difference([](double x) { return c::passive_force_length(x, 0.6); }, l);
    CHECK(c::passive_force_length(active(l), Ad1(0.6)).derivatives()(0) == Approx(d_fpe).margin(kCentralDiffTol));
    CHECK(c::passive_force_length_derivative(l) == Approx(d_fpe).margin(kCentralDiffTol));
    const double d_fv = central_difference([](double x) { return c::force_velocity(x); }, v);
    CHECK(c::force_velocity(active(v)).derivatives()(0) == Approx(d_fv).margin(kCentralDiffTol));
    CHECK(c::force_velocity_derivative(v) == Approx(d_fv).margin(kCentralDiffTol));
    const double d_fvi = central_difference([](double x) { return c::force_velocity_inverse(x); }, f);
    CHECK(c::force_velocity_inverse(active(f)).derivatives()(0) == Approx(d_fvi).epsilon(1e-7).margin(kCentralDiffTol));
    // Tendon: fT' up to kT·(fT + c3) ≈ 60, so compare relatively.
    const double d_ft = central_difference([](double x) { return c::tendon_force_length(x); }, lt);
    CHECK(c::tendon_force_length(active(lt)).derivatives()(0) == Approx(d_ft).epsilon(1e-7));
    CHECK(c::tendon_force_length_derivative(lt) == Approx(d_ft).epsilon(1e-7));
    const double d_fti = central_difference([](double x) { return c::tendon_force_length_inverse(x); }, f);
    CHECK(c::tendon_force_length_inverse(active(f)).derivatives()(0) == Approx(d_fti).epsilon(1e-7));
  }
}

TEST_CASE("curve derivatives equal their closed forms across and beyond the domain", "[muscle][curves][autodiff]") {
  // The closed forms, written out here from the curve definitions (De Groote et al. 2016, curves.hpp)
  // and independent of the dual numbers: a wrong chain rule, or a curve edited without its
  // derivative following, fails here at the level of rounding rather than of a finite difference.
  constexpr double kRel = 1e-13;     // a few ulps of the larger of the two
  constexpr double kAbs = 1e-14;     // where the derivative crosses zero (fL' at its maximum)
  const auto close = [&](double a, double b, double scale) { return std::abs(a - b) <= kRel * scale + kAbs; };
  double worst_fl = 0.0;
  for (int i = 0; i <= 4000; ++i) {
    // Active: l̃ ∈ [−1, 3] (beyond the clamp [0.2, 1.8] the curve is still defined), away from the
    // floored width of term 2 at l̃ ≈ 0.1495.
    const double l = -1.0 + 4.0 * i / 4000.0;
    if (std::abs(l - 0.149535) > 1e-3) {
      double expected = 0.0, scale = 0.0;
      for (const auto& g : c::detail::kActiveTerms) {
        const double w = g.b3 + g.b4 * l, u = (l - g.b2) / w, du = (g.b3 + g.b2 * g.b4) / (w * w);
        const double term = -g.b1 * u * du * std::exp(-0.5 * u * u);
        expected += term;
        scale += std::abs(term);
      }
      const double got = c::active_force_length_derivative(l);
      INFO("fL' at " << l << ": " << got << " vs " << expected);
      CHECK(close(got, expected, scale));
      worst_fl = std::max(worst_fl, std::abs(got - expected) / (scale + 1e-300));
    }
    // Passive, for three e0: (kPE/e0)·exp(kPE·(l̃ − 1)/e0)/(exp(kPE) − exp(kPE·(0.2 − 1)/e0)).
    for (const double e0 : {0.4, 0.6, 0.8}) {
      const double k = c::kPassiveShapeFactor / e0;
      const double expected = k * std::exp(k * (l - 1.0)) / (std::exp(c::kPassiveShapeFactor) - std::exp(k * (0.2 - 1.0)));
      INFO("fPE' at " << l << ", e0 " << e0);
      CHECK(close(c::passive_force_length_derivative(l, e0), expected, expected));
    }
    // Force–velocity: ṽ ∈ [−3, 3], d1·d2/sqrt((d2·ṽ + d3)² + 1).
    const double v = -3.0 + 6.0 * i / 4000.0;
    const double z = c::kForceVelocityD2 * v + c::kForceVelocityD3;
    const double fv_expected = c::kForceVelocityD1 * c::kForceVelocityD2 / std::sqrt(z * z + 1.0);
    INFO("fV' at " << v);
    CHECK(close(c::force_velocity_derivative(v), fv_expected, fv_expected));
    // fV' is the one derivative still written by hand (speed): it must equal the dual number's.
    const double fv_dual = c::force_velocity(legsim::Dual<double>(v, 1.0)).d;
    CHECK(close(c::force_velocity_derivative(v), fv_dual, fv_expected));
    // Tendon: l̃_T ∈ [0.9, 1.15], c1·kT·exp(kT·(l̃_T − c2)) with kT = ln 6/ε0.
    const double lt = 0.9 + 0.25 * i / 4000.0;
    for (const double eps0 : {0.03, 0.049, 0.1}) {
      const double kt = std::log(6.0) / eps0;
      const double expected = c::kTendonC1 * kt * std::exp(kt * (lt - c::kTendonC2));
      INFO("fT' at " << lt << ", eps0 " << eps0);
      CHECK(close(c::tendon_force_length_derivative(lt, eps0), expected, expected));
    }
  }
  INFO("worst relative fL' difference " << worst_fl);
  CHECK(worst_fl <= kRel);
}

TEST_CASE("dual numbers: select, min, max and abs pick each lane's derivative", "[muscle][curves][autodiff][simd]") {
  // x = lane − 3.5 + 0.25: negative in the first lanes, positive in the others (for 2, 4 or 8 lanes).
  std::array<double, kLanes> x{};
  for (std::size_t i = 0; i < kLanes; ++i) x[i] = static_cast<double>(i) - 0.5 * static_cast<double>(kLanes) + 0.25;
  using D = legsim::Dual<Batch>;
  const D xd(legsim_test::load(x), Batch(1.0));  // d/dx
  const D two_x = D(2.0) * xd;                    // derivative 2
  const auto abs_d = legsim_test::lanes(abs(xd).d);
  const auto max_d = legsim_test::lanes(legsim::max(xd, D(0.0)).d);
  const auto min_d = legsim_test::lanes(legsim::min(two_x, D(0.0)).d);
  const auto sel_d = legsim_test::lanes(legsim::select(xd < D(0.0), two_x, xd).d);
  for (std::size_t i = 0; i < kLanes; ++i) {
    INFO("lane " << i << ", x " << x[i]);
    const bool negative = x[i] < 0.0;
    CHECK(abs_d[i] == (negative ? -1.0 : 1.0));
    CHECK(max_d[i] == (negative ? 0.0 : 1.0));
    CHECK(min_d[i] == (negative ? 2.0 : 0.0));
    CHECK(sel_d[i] == (negative ? 2.0 : 1.0));
  }
  // The hand-written fV' on batches equals the dual number's per lane.
  std::array<double, kLanes> v{};
  for (std::size_t i = 0; i < kLanes; ++i) v[i] = -1.2 + 2.4 * static_cast<double>(i) / static_cast<double>(kLanes);
  const auto hand = legsim_test::lanes(c::force_velocity_derivative(legsim_test::load(v)));
  const auto dual = legsim_test::lanes(c::force_velocity(D(legsim_test::load(v), Batch(1.0))).d);
  for (std::size_t i = 0; i < kLanes; ++i) CHECK(legsim_test::ulps_apart(hand[i], dual[i]) <= kBatchUlps);
  // The scalar path (bool comparisons) agrees.
  using Ds = legsim::Dual<double>;
  CHECK(abs(Ds(-0.5, 1.0)).d == -1.0);
  CHECK(legsim::max(Ds(-0.5, 1.0), Ds(0.0)).d == 0.0);
  CHECK(legsim::min(Ds(0.5, 2.0), Ds(0.0)).d == 0.0);
  CHECK(legsim::clamp(Ds(0.5, 3.0), Ds(0.0), Ds(1.0)).d == 3.0);
}

TEST_CASE("curves compile and agree for AutoDiffScalar<VectorXd>", "[muscle][curves][autodiff]") {
  using AdX = Eigen::AutoDiffScalar<Eigen::VectorXd>;
  const AdX l(1.1, Eigen::VectorXd::Unit(2, 0));
  const AdX e0(0.6, Eigen::VectorXd::Unit(2, 1));
  const AdX fpe = c::passive_force_length(l, e0);
  CHECK(fpe.value() == Approx(c::passive_force_length(1.1, 0.6)).epsilon(1e-15));
  CHECK(fpe.derivatives()(0) == Approx(c::passive_force_length_derivative(1.1, 0.6)).epsilon(1e-12));
  const double d_e0 = central_difference([](double e) { return c::passive_force_length(1.1, e); }, 0.6);
  CHECK(fpe.derivatives()(1) == Approx(d_e0).margin(kCentralDiffTol));
}
