// Tests of the activation dynamics (include/legsim/muscle/activation.hpp).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <random>

#include "legsim/muscle/activation.hpp"
#include "test_muscle_util.hpp"

using legsim_test::Batch;
using legsim_test::kLanes;

namespace {

/// RK4 step of da/dt at constant excitation.
double rk4_step(double e, double a, double dt, double ta, double td, double b) {
  const auto f = [&](double x) { return legsim::activation_derivative(e, x, ta, td, b); };
  const double k1 = f(a), k2 = f(a + 0.5 * dt * k1), k3 = f(a + 0.5 * dt * k2), k4 = f(a + dt * k3);
  return a + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
}

/// Time (s) for a to cross `target` from a0 at constant e, linear interpolation within a step.
double crossing_time(double e, double a0, double target, double ta, double td, double b) {
  constexpr double kDt = 1e-6;
  double a = a0, t = 0.0;
  for (int i = 0; i < 10'000'000; ++i) {
    const double next = rk4_step(e, a, kDt, ta, td, b);
    if ((next - target) * (a - target) <= 0.0) return t + kDt * (target - a) / (next - a);
    a = next;
    t += kDt;
  }
  return -1.0;
}

}  // namespace

TEST_CASE("activation rises with ~tau_act and falls with ~tau_deact", "[muscle][activation]") {
  // For b·|e − a| ≫ 1, f ≈ ±0.5 and the model reduces to
  //   rise (e = 1, a: 0 → 1):   da/dt = (1 − a)/(τa·(0.5 + 1.5a))
  //     t63 = τa·∫₀^{a*} (0.5 + 1.5a)/(1 − a) da = τa·(2·ln(1/(1 − a*)) − 1.5·a*) = 1.0518·τa,
  //   fall (e = 0, a: 1 → 0):   da/dt = −a·(0.5 + 1.5a)/τd
  //     t63 = τd·∫_{a1}^{1} da/(a·(0.5 + 1.5a)) = 2τd·[ln(a/(0.5 + 1.5a))]_{a1}^{1} = 0.7148·τd,
  // with a* = 1 − e⁻¹ (63.2 % of the rise) and a1 = e⁻¹. The neglected tanh terms change the rate by
  // < 0.3 % at the end of each interval (tanh(10·0.368) = 0.9987) and less before: tolerance 1 %.
  constexpr double kTol = 0.01;
  const double a_star = 1.0 - std::exp(-1.0), a1 = std::exp(-1.0);
  const double rise_factor = 2.0 * std::log(1.0 / (1.0 - a_star)) - 1.5 * a_star;
  const double fall_factor = 2.0 * (std::log(1.0 / 2.0) - std::log(a1 / (0.5 + 1.5 * a1)));
  CHECK(rise_factor == Approx(1.0518).margin(1e-4));
  CHECK(fall_factor == Approx(0.7148).margin(1e-4));
  for (const double ta : {0.015, 0.010})
    for (const double td : {0.060, 0.040}) {
      const double t_rise = crossing_time(1.0, 0.0, a_star, ta, td, 10.0);
      const double t_fall = crossing_time(0.0, 1.0, a1, ta, td, 10.0);
      INFO("tau_act " << ta << ", tau_deact " << td << ": rise " << t_rise << " s, fall " << t_fall << " s");
      CHECK(t_rise == Approx(rise_factor * ta).epsilon(kTol));
      CHECK(t_fall == Approx(fall_factor * td).epsilon(kTol));
    }
  // OpenSim's default b = 0.1 blends the two rates (opensim-core #3990): rise and fall times are then
  // within a factor 1.5 of each other, unlike b = 10 (factor ≈ 2.7 here).
  const double r01 = crossing_time(1.0, 0.0, a_star, 0.015, 0.060, 0.1);
  const double f01 = crossing_time(0.0, 1.0, a1, 0.015, 0.060, 0.1);
  CHECK(std::max(r01, f01) / std::min(r01, f01) < 1.5);
}

TEST_CASE("activation stays in [0, 1] and moves toward the excitation", "[muscle][activation]") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const legsim::MuscleParams p;
  double a = 0.0;
  for (int seg = 0; seg < 400; ++seg) {
    const double e = u(rng) < 0.3 ? (u(rng) < 0.5 ? 0.0 : 1.0) : u(rng);  // include the extremes
    for (int i = 0; i < 100; ++i) {
      const double rate = legsim::activation_derivative<double>(p, e, a);
      CHECK((rate == 0.0 || (rate > 0.0) == (e > a)));
      a = rk4_step(e, a, 1e-4, p.activation_time_constant, p.deactivation_time_constant, p.activation_smoothing);
      REQUIRE(a >= 0.0);
      REQUIRE(a <= 1.0);
    }
  }
  // Finite for inputs outside [0, 1] (z uses a clamped to [0, 1]).
  for (const double x : {-10.0, -1.0, 2.0, 1e6})
    CHECK(std::isfinite(legsim::activation_derivative(0.5, x)));
}

TEST_CASE("activation: batch lanes equal the scalar path", "[muscle][activation][simd]") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double worst = 0.0;
  for (int d = 0; d < 512; ++d) {
    std::array<double, kLanes> e{}, a{};
    for (std::size_t i = 0; i < kLanes; ++i) {
      e[i] = u(rng);
      a[i] = u(rng);
    }
    const auto rb = legsim_test::lanes(legsim::activation_derivative(legsim_test::load(e), legsim_test::load(a)));
    for (std::size_t i = 0; i < kLanes; ++i) {
      const double rs = legsim::activation_derivative(e[i], a[i]);
      // Scale: the rate's magnitude before the factor (e − a) cancels, 1/τ_act·|e − a| ≤ 67 1/s.
      worst = std::max(worst, legsim_test::ulps_apart(rb[i], rs, 1.0 / 0.015));
    }
  }
  CHECK(worst <= 8.0);
}
