// Tests of the Hill-type muscle curves (include/legsim/muscle/curves.hpp).
#include <catch2/catch.hpp>

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

TEST_CASE("autodiff and analytic curve derivatives match central differences", "[muscle][curves][autodiff]") {
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
