// Tests of the muscle energy model of Bhargava et al. (2004) (include/legsim/muscle/metabolics.hpp):
// values at chosen states against the published equations worked by hand, the limits the model
// promises (non-negative heat, Ė > 0), trends, continuity of the smoothed rate and its slope.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "legsim/core/error.hpp"
#include "legsim/muscle/metabolics.hpp"
#include "legsim/muscle/mtu.hpp"

namespace mb = legsim::metabolics;
using Catch::Matchers::Contains;

namespace {

// A test muscle with round numbers: F_max = 2500 N, l_opt = 0.1 m, v_max = 10 l_opt/s (1 m/s),
// half slow-twitch. Mass m = (2500 N / 0.25 MPa)·1059.7 kg/m³·0.1 m = 0.01 m²·105.97 kg/m² = 1.0597 kg.
legsim::MuscleParams round_muscle() {
  legsim::MuscleParams p;
  p.max_isometric_force = 2500.0;
  p.optimal_fiber_length = 0.1;
  p.tendon_slack_length = 0.2;
  p.max_contraction_velocity = 10.0;
  return p;
}

/// Smoothing widths far below every quantity of the tests: the smoothed model reduces to the
/// published piecewise one (to ~1e-6 W here).
mb::Bhargava2004Options sharp() {
  mb::Bhargava2004Options o;
  o.velocity_smoothing = 1e-9;
  o.length_smoothing = 1e-9;
  o.heat_smoothing = 1e-9;
  return o;
}

constexpr double kMass = 1.0597;  // kg, worked above
constexpr double kHandTol = 1e-5;  // W

}  // namespace

TEST_CASE("muscle mass from F_max, specific tension and density", "[muscle][metabolics]") {
  CHECK(mb::muscle_mass(2500.0, 0.1) == Approx(kMass).epsilon(1e-14));
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(round_muscle(), 0.5);
  CHECK(m.mass == Approx(kMass).epsilon(1e-14));
  CHECK(m.slow_twitch_fraction == 0.5);
  CHECK(m.max_fiber_velocity == Approx(1.0).epsilon(1e-14));  // 10 l_opt/s · 0.1 m
  // The default model's soleus (6194.8 N, 0.04 m): 6194.8/0.25e6·1059.7·0.04 = 1.0503 kg.
  CHECK(mb::muscle_mass(6194.8, 0.04) == Approx(1.0503407296).epsilon(1e-10));
  // Twice the specific tension, half the cross-section and mass.
  CHECK(mb::muscle_mass(2500.0, 0.1, 0.5e6) == Approx(kMass / 2).epsilon(1e-14));
}

TEST_CASE("isometric, maximally excited, at optimal length: activation and maintenance heat only",
          "[muscle][metabolics]") {
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(round_muscle(), 0.5);
  // u = 1: u_s = sin(π/2) = 1, u_f = 1 − cos(π/2) = 1; L(1) = 1; v = 0: no shortening heat, no work.
  //   Ȧ = m·(40·0.5 + 133·0.5) = 1.0597·86.5 = 91.66405 W
  //   Ṁ = m·1·(74·0.5 + 111·0.5) = 1.0597·92.5 = 98.02225 W
  const auto r = mb::bhargava2004_rate(m, 1.0, 1.0, 0.0, 2500.0, 2500.0, sharp());
  CHECK(r.activation_heat == Approx(91.66405).margin(kHandTol));
  CHECK(r.maintenance_heat == Approx(98.02225).margin(kHandTol));
  CHECK(r.shortening_heat == Approx(0.0).margin(kHandTol));
  CHECK(r.work == Approx(0.0).margin(kHandTol));
  CHECK(r.total == Approx(189.6863).margin(kHandTol));
  // The default smoothing stays within 1 % of the published value here (header: 0.8 % for Ṡ + Ẇ at
  // v = 0, L(1) 0.75 % low; they partly cancel).
  const auto d = mb::bhargava2004_rate(m, 1.0, 1.0, 0.0, 2500.0, 2500.0);
  CHECK(std::abs(d.total - 189.6863) <= 0.01 * 189.6863);
  // Fiber type: all slow-twitch 40 + 74 = 114 W/kg, all fast-twitch 133 + 111 = 244 W/kg.
  CHECK(mb::bhargava2004_rate(mb::make_metabolic_muscle(round_muscle(), 1.0), 1.0, 1.0, 0.0, 2500.0, 2500.0, sharp())
            .total == Approx(kMass * 114.0).margin(kHandTol));
  CHECK(mb::bhargava2004_rate(mb::make_metabolic_muscle(round_muscle(), 0.0), 1.0, 1.0, 0.0, 2500.0, 2500.0, sharp())
            .total == Approx(kMass * 244.0).margin(kHandTol));
}

TEST_CASE("partial excitation off the optimal length: recruitment and the length factor", "[muscle][metabolics]") {
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(round_muscle(), 0.5);
  // u = 0.5: u_s = sin(π/4) = 0.70710678, u_f = 1 − cos(π/4) = 0.29289322; l̃ = 0.75: L = 0.75.
  //   Ȧ = m·(40·0.5·0.70710678 + 133·0.5·0.29289322) = 1.0597·33.619535 = 35.626621 W
  //   Ṁ = m·0.75·(74·0.5·0.70710678 + 111·0.5·0.29289322) = 1.0597·0.75·42.418525 = 33.713183 W
  const auto r = mb::bhargava2004_rate(m, 0.5, 0.75, 0.0, 0.0, 0.0, sharp());
  CHECK(r.activation_heat == Approx(35.626621).margin(kHandTol));
  CHECK(r.maintenance_heat == Approx(33.713183).margin(kHandTol));
  CHECK(r.total == Approx(69.339804).margin(kHandTol));
  // Orderly recruitment: at low excitation the slow fibers carry most of the heat (u_s > u_f).
  const auto slow = mb::bhargava2004_rate(mb::make_metabolic_muscle(round_muscle(), 1.0), 0.2, 1.0, 0.0, 0.0, 0.0, sharp());
  const auto fast = mb::bhargava2004_rate(mb::make_metabolic_muscle(round_muscle(), 0.0), 0.2, 1.0, 0.0, 0.0, 0.0, sharp());
  CHECK(slow.activation_heat > fast.activation_heat);  // 40·sin(0.1π) = 12.4 > 133·(1 − cos(0.1π)) = 6.5 W/kg
  CHECK(slow.activation_heat == Approx(kMass * 40.0 * std::sin(0.1 * std::numbers::pi)).margin(kHandTol));
  CHECK(fast.activation_heat == Approx(kMass * 133.0 * (1.0 - std::cos(0.1 * std::numbers::pi))).margin(kHandTol));
}

TEST_CASE("maintenance heat's fiber-length factor", "[muscle][metabolics]") {
  // Piecewise linear through (0.5, 0.5), (1, 1), (1.5, 0), constant outside.
  for (const auto& [l, expected] : std::vector<std::pair<double, double>>{
           {0.3, 0.5}, {0.5, 0.5}, {0.75, 0.75}, {1.0, 1.0}, {1.25, 0.5}, {1.5, 0.0}, {1.7, 0.0}}) {
    INFO("l̃ = " << l);
    CHECK(mb::maintenance_length_factor(l, 1e-9) == Approx(expected).margin(1e-8));
    // Default smoothing: within 3ε/2 (the largest slope change, at l̃ = 1) of the piecewise curve.
    CHECK(std::abs(mb::maintenance_length_factor(l, 0.005) - expected) <= 1.5 * 0.005 + 1e-12);
  }
  for (double l = 0.0; l <= 3.0; l += 0.001) CHECK(mb::maintenance_length_factor(l, 0.005) >= 0.0);
}

TEST_CASE("shortening: shortening heat and positive work", "[muscle][metabolics]") {
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(round_muscle(), 0.5);
  // v = −0.5 m/s (half the maximum shortening velocity), F_CE = 500 N, F_iso = 2500 N, u = 1, l̃ = 1.
  //   α = 0.16·2500 + 0.18·500 = 400 + 90 = 490 N;  Ṡ = 490·0.5 = 245 W;  Ẇ = 500·0.5 = 250 W
  //   Ė = 91.66405 + 98.02225 + 245 + 250 = 684.6863 W
  const auto r = mb::bhargava2004_rate(m, 1.0, 1.0, -0.5, 500.0, 2500.0, sharp());
  CHECK(r.shortening_heat == Approx(245.0).margin(kHandTol));
  CHECK(r.work == Approx(250.0).margin(kHandTol));
  CHECK(r.negative_work == Approx(0.0).margin(kHandTol));
  CHECK(r.total == Approx(684.6863).margin(kHandTol));
  // Faster shortening at the same forces costs more.
  double previous = 0.0;
  for (double v = 0.0; v >= -1.0; v -= 0.05) {
    const double e = mb::bhargava2004_rate(m, 1.0, 1.0, v, 500.0, 2500.0).total;
    CHECK(e > previous);
    previous = e;
  }
}

TEST_CASE("lengthening: lower heat, negative work not counted, heat floored", "[muscle][metabolics]") {
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(round_muscle(), 0.5);
  // Slow lengthening v = +0.05 m/s with F_CE = 4000 N: Ṡ = −0.157·4000·0.05 = −31.4 W; the work
  // −F·v = −200 W is reported and not counted; Ė = 91.66405 + 98.02225 − 31.4 = 158.2863 W.
  const auto slow = mb::bhargava2004_rate(m, 1.0, 1.0, 0.05, 4000.0, 2500.0, sharp());
  CHECK(slow.shortening_heat == Approx(-31.4).margin(kHandTol));
  CHECK(slow.work == Approx(0.0).margin(kHandTol));
  CHECK(slow.negative_work == Approx(-200.0).margin(kHandTol));
  CHECK(slow.total == Approx(158.2863).margin(kHandTol));
  // Fast lengthening v = +0.5 m/s: Ȧ + Ṁ + Ṡ = 189.6863 − 314 = −124.3137 W < 0, so the heat is the
  // floor, 1 W/kg · 1.0597 kg.
  const auto fast = mb::bhargava2004_rate(m, 1.0, 1.0, 0.5, 4000.0, 2500.0, sharp());
  CHECK(fast.shortening_heat == Approx(-314.0).margin(kHandTol));
  CHECK(fast.heat == Approx(kMass * 1.0).margin(kHandTol));
  CHECK(fast.total == Approx(kMass * 1.0).margin(kHandTol));
  // Lengthening is cheaper than holding isometrically, which is cheaper than shortening.
  const double iso = mb::bhargava2004_rate(m, 1.0, 1.0, 0.0, 2500.0, 2500.0).total;
  const double shorten = mb::bhargava2004_rate(m, 1.0, 1.0, -0.05, 2500.0, 2500.0).total;
  const double lengthen = mb::bhargava2004_rate(m, 1.0, 1.0, 0.05, 2500.0, 2500.0).total;
  CHECK(lengthen < iso);
  CHECK(iso < shorten);
}

TEST_CASE("heat and energy rate are never negative; every term keeps its sign", "[muscle][metabolics]") {
  for (const double fs : {0.0, 0.5, 1.0}) {
    const mb::MetabolicMuscle m = mb::make_metabolic_muscle(round_muscle(), fs);
    for (const double u : {0.0, 0.01, 0.3, 1.0})
      for (const double l : {0.2, 0.5, 1.0, 1.4, 1.8})
        for (const double v : {-1.0, -0.1, -1e-4, 0.0, 1e-4, 0.1, 1.0, 3.0})
          for (const double f : {0.0, 100.0, 2500.0, 4500.0}) {
            const auto r = mb::bhargava2004_rate(m, u, l, v, f, std::min(f, 2500.0));
            INFO("f_s " << fs << ", u " << u << ", l̃ " << l << ", v " << v << ", F_CE " << f);
            CHECK(r.activation_heat >= 0.0);
            CHECK(r.maintenance_heat >= 0.0);
            CHECK(r.heat >= m.mass * mb::kMinHeatRate);  // floored, never below
            CHECK(r.work >= 0.0);
            CHECK(r.negative_work <= 0.0);
            CHECK(r.total == Approx(r.heat + r.work).epsilon(1e-14));
            CHECK(r.total > 0.0);
          }
  }
}

TEST_CASE("the smoothed rate and its slope are continuous across every switch", "[muscle][metabolics]") {
  // Walk each input across its kinks in small steps: the rate changes by at most its steepest slope
  // times the step (no jump), and its slope by at most the ramp's largest curvature times the step
  // (no jump in the gradient the optimizer sees). ramp_ε'' ≤ 1/(2ε).
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(round_muscle(), 0.5);
  const mb::Bhargava2004Options o;
  auto check_walk = [](auto rate, double x0, double x1, int n, double max_slope, double max_curvature) {
    const double h = (x1 - x0) / n;
    std::vector<double> e(n + 1);
    for (int k = 0; k <= n; ++k) e[k] = rate(x0 + k * h);
    double worst_jump = 0.0, worst_slope_jump = 0.0;
    for (int k = 1; k <= n; ++k) worst_jump = std::max(worst_jump, std::abs(e[k] - e[k - 1]));
    for (int k = 1; k < n; ++k)
      worst_slope_jump = std::max(worst_slope_jump, std::abs((e[k + 1] - e[k]) - (e[k] - e[k - 1])) / h);
    CHECK(worst_jump <= max_slope * h * 1.001);
    CHECK(worst_slope_jump <= max_curvature * h * 1.001);
  };
  const double eps_v = o.velocity_smoothing * m.max_fiber_velocity;
  SECTION("fiber velocity through zero (shortening ↔ lengthening, positive work)") {
    // F_CE = F_iso = 2500 N: slopes 0.34·2500 + 2500 (shortening) and 0.157·2500 (lengthening).
    const double slope = 0.34 * 2500.0 + 2500.0;
    const double curvature = (0.34 * 2500.0 + 0.157 * 2500.0 + 2500.0) / (2.0 * eps_v);
    check_walk([&](double v) { return mb::bhargava2004_rate(m, 1.0, 1.0, v, 2500.0, 2500.0, o).total; },
               -20 * eps_v, 20 * eps_v, 4000, slope, curvature);
  }
  SECTION("fiber length through the maintenance factor's corners") {
    const double slope = kMass * 92.5 * 2.0;  // Ṁ's largest |dL/dl̃| = 2 at u = 1, f_s = 0.5
    const double curvature = kMass * 92.5 * 3.0 / (2.0 * o.length_smoothing);
    check_walk([&](double l) { return mb::bhargava2004_rate(m, 1.0, l, 0.0, 0.0, 0.0, o).total; }, 0.4, 1.6, 24000, slope,
               curvature);
  }
  SECTION("lengthening velocity through the heat floor") {
    // Ȧ + Ṁ − 0.157·4000·v crosses the floor near v = 0.3 m/s; slope ≤ 0.157·4000 W/(m/s). The floor's
    // ramp is in W/kg: curvature (0.157·4000)²/(m·2ε_h) plus the velocity ramp's, negligible here.
    const double slope = 0.157 * 4000.0;
    const double curvature = slope * slope / (kMass * 2.0 * o.heat_smoothing) + 0.157 * 4000.0 / (2.0 * eps_v);
    check_walk([&](double v) { return mb::bhargava2004_rate(m, 1.0, 1.0, v, 4000.0, 2500.0, o).total; }, 0.25, 0.35, 4000,
               slope, curvature);
  }
}

TEST_CASE("smooth ramp bounds", "[muscle][metabolics]") {
  for (double z = -1.0; z <= 1.0; z += 0.01) {
    const double r = mb::smooth_ramp(z, 0.1);
    CHECK(r >= std::max(z, 0.0));
    CHECK(r - std::max(z, 0.0) <= 0.05 + 1e-15);
  }
  CHECK(mb::smooth_ramp(0.0, 0.1) == Approx(0.05).epsilon(1e-14));
}

TEST_CASE("energy rate from an MTU evaluation uses the MTU's fiber state", "[muscle][metabolics]") {
  // A rigid-tendon MTU held at l̃ = 1 (pennation 0), a = 1, v = 0: F_CE = F_iso = F_max·fL(1)·fV(0) =
  // F_max, the same numbers as the hand-worked isometric case.
  legsim::MuscleParams p = round_muscle();
  p.tendon = legsim::TendonModel::kRigid;
  const auto c = legsim::make_mtu_coefficients<double>(p);
  const auto o = legsim::evaluate_rigid_mtu(c, p.tendon_slack_length + p.optimal_fiber_length, 0.0, 1.0);
  REQUIRE(o.active_fiber_force == Approx(2500.0).epsilon(1e-9));
  const mb::MetabolicMuscle m = mb::make_metabolic_muscle(p, 0.5);
  const auto from_mtu = mb::bhargava2004_rate(m, c, o, 1.0, sharp());
  CHECK(from_mtu.total == Approx(189.6863).margin(1e-4));
  // Shortening at v_MT = −0.3 m/s: the MTU's fiber velocity and force enter.
  const auto s = legsim::evaluate_rigid_mtu(c, p.tendon_slack_length + p.optimal_fiber_length, -0.3, 1.0);
  const auto r = mb::bhargava2004_rate(m, c, s, 1.0, sharp());
  const auto expected = mb::bhargava2004_rate(m, 1.0, s.norm_fiber_length, s.fiber_velocity, s.active_fiber_force,
                                              2500.0 * s.active_force_length, sharp());
  CHECK(r.total == Approx(expected.total).epsilon(1e-14));
  CHECK(r.work == Approx(0.3 * s.active_fiber_force).epsilon(1e-9));
  // Fatigue (capacity c) lowers F_iso and F_CE with it: less shortening heat and work.
  p.capacity_factor = 0.7;
  const auto cf = legsim::make_mtu_coefficients<double>(p);
  const auto sf = legsim::evaluate_rigid_mtu(cf, p.tendon_slack_length + p.optimal_fiber_length, -0.3, 1.0);
  CHECK(mb::bhargava2004_rate(m, cf, sf, 1.0).total < mb::bhargava2004_rate(m, c, s, 1.0).total);
}

TEST_CASE("metabolic inputs are validated with the field named", "[muscle][metabolics]") {
  CHECK_THROWS_MATCHES(mb::make_metabolic_muscle(round_muscle(), 1.5, mb::kSpecificTension, mb::kMuscleDensity, "muscles.soleus"),
                       legsim::InputError, Catch::Matchers::Message("muscles.soleus.slow_twitch_fraction = 1.5 is out of "
                                                                    "range: allowed [0, 1]"));
  CHECK_THROWS_AS(mb::make_metabolic_muscle(round_muscle(), std::nan("")), legsim::InputError);
  CHECK_THROWS_WITH(mb::make_metabolic_muscle(round_muscle(), 0.5, 0.25), Contains("specific_tension"));
  CHECK_THROWS_WITH(mb::make_metabolic_muscle(round_muscle(), 0.5, mb::kSpecificTension, 1.06), Contains("density"));
  legsim::MuscleParams bad = round_muscle();
  bad.max_isometric_force = -1.0;
  CHECK_THROWS_WITH(mb::make_metabolic_muscle(bad, 0.5), Contains("max_isometric_force"));
  CHECK_THROWS_WITH(mb::muscle_mass(2500.0, 0.0), Contains("optimal_fiber_length"));
  mb::Bhargava2004Options o;
  CHECK_NOTHROW(mb::validate(o));
  o.velocity_smoothing = 0.0;
  CHECK_THROWS_WITH(mb::validate(o), Contains("metabolic.velocity_smoothing"));
  o = {};
  o.activation_decay = 0.0;
  CHECK_THROWS_WITH(mb::validate(o), Contains("metabolic.activation_decay"));
  o = {};
  o.min_heat_rate = std::nan("");
  CHECK_THROWS_WITH(mb::validate(o), Contains("metabolic.min_heat_rate"));
  o = {};
  o.length_smoothing = 1.0;
  CHECK_THROWS_WITH(mb::validate(o), Contains("metabolic.length_smoothing"));
  o = {};
  o.heat_smoothing = -1.0;
  CHECK_THROWS_WITH(mb::validate(o), Contains("metabolic.heat_smoothing"));
}
