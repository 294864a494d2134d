// Tests of the static equilibrium solver and of compliant-tendon dynamics against it
// (include/legsim/muscle/mtu.hpp, src/muscle/equilibrium.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "legsim/muscle/mtu.hpp"
#include "test_muscle_util.hpp"

using legsim::MtuEquilibrium;
using legsim::MtuOutputs;
using legsim::MuscleParams;

namespace {

constexpr double kGridResidualTol = 1e-9;  // brief's bar; the solver targets 1e-12

/// Integrates df_T/dt at fixed l_MT, v_MT and a with classic RK4 (step dt, n steps).
double integrate_isometric(const MuscleParams& p, double l_mt, double v_mt, double a, double f0, double dt, int n) {
  const legsim::MtuCoefficients<double> c = legsim::make_mtu_coefficients<double>(p);
  const auto rate = [&](double f) { return legsim::norm_tendon_force_derivative(c, l_mt, v_mt, a, f); };
  double f = f0;
  for (int i = 0; i < n; ++i) {
    const double k1 = rate(f);
    const double k2 = rate(f + 0.5 * dt * k1);
    const double k3 = rate(f + 0.5 * dt * k2);
    const double k4 = rate(f + dt * k3);
    f += dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
  }
  return f;
}

}  // namespace

TEST_CASE("equilibrium residual below 1e-9 over a grid", "[muscle][equilibrium]") {
  int converged = 0, total = 0;
  for (const MuscleParams& base : {legsim_test::soleus_like(), legsim_test::vastus_like()})
    for (const double beta : {0.0, 0.1}) {
      MuscleParams p = base;
      p.fiber_damping = beta;
      // l_MT from slack-short to long, v_MT ±, activation from min to max.
      const double l_lo = p.tendon_slack_length + 0.1 * p.optimal_fiber_length;
      const double l_hi = p.tendon_slack_length * (1.0 + 2.0 * p.tendon_strain_at_one_norm_force) +
                          1.9 * p.optimal_fiber_length;
      for (int i = 0; i <= 20; ++i)
        for (const double v_mt : {-0.5, -0.1, 0.0, 0.1, 0.5})
          for (const double a : {0.0, 0.01, 0.2, 0.6, 1.0}) {
            const double l_mt = l_lo + (l_hi - l_lo) * i / 20.0;
            const MtuEquilibrium eq = legsim::solve_mtu_equilibrium(p, l_mt, v_mt, a);
            INFO("l_MT " << l_mt << ", v_MT " << v_mt << ", a " << a << ", beta " << beta << " -> f_T "
                         << eq.norm_tendon_force << ", residual " << eq.residual << ", iterations " << eq.iterations);
            ++total;
            converged += eq.converged ? 1 : 0;
            CHECK(std::abs(eq.residual) <= kGridResidualTol);
            // The residual reported is the real one.
            const legsim::MtuCoefficients<double> c = legsim::make_mtu_coefficients<double>(p);
            CHECK(legsim::equilibrium_residual(c, l_mt, v_mt, a, eq.norm_tendon_force) == eq.residual);
            // Outputs consistent: tendon force = fiber force along the tendon (to the residual).
            CHECK(std::abs(eq.outputs.total_fiber_force * eq.outputs.cos_pennation - eq.outputs.tendon_force) <=
                  1e-9 * p.max_isometric_force);
          }
    }
  CHECK(converged == total);
}

TEST_CASE("compliant derivative vanishes at the equilibrium (tendon length constant)", "[muscle][equilibrium]") {
  const MuscleParams p = legsim_test::soleus_like();
  int tested = 0;
  for (const double ln : {0.7, 1.0, 1.3})
    for (const double v_mt : {-0.05, 0.0, 0.05})
      for (const double a : {0.2, 0.7}) {
        const double l_mt = legsim_test::mtu_length_for(p, ln, 0.5);
        const MtuEquilibrium eq = legsim::solve_mtu_equilibrium(p, l_mt, v_mt, a);
        REQUIRE(eq.converged);
        if (std::abs(eq.outputs.norm_fiber_velocity) >= 1.0) continue;  // fV saturated: no balance
        ++tested;
        const MtuOutputs<double> o = legsim::evaluate_compliant_mtu(p, l_mt, v_mt, a, eq.norm_tendon_force);
        INFO("l̃ " << ln << ", v_MT " << v_mt << ", a " << a);
        // |residual| ≤ 1e-12 moves ṽ by ≤ 1e-12/(a·fL·fV'·cos α) and v_T by that times v_max·l_opt.
        CHECK(std::abs(o.tendon_velocity) <= 1e-9);
        CHECK(o.norm_fiber_velocity == Approx(eq.outputs.norm_fiber_velocity).margin(1e-9));
        CHECK(o.fiber_length == Approx(eq.outputs.fiber_length).epsilon(1e-12));
      }
  CHECK(tested >= 12);
}

TEST_CASE("isometric compliant simulation converges to the equilibrium", "[muscle][equilibrium]") {
  // Constant a, fixed l_MT, v_MT = 0; start below and above the equilibrium. The linearized rate
  // is about kT·(f_T + c3)·v_max·l_opt/(l_s·a·fL·fV'(0)·cos²α) ≈ 20/a 1/s for the soleus-like muscle,
  // so 1 s of simulated time contracts the error by ≥ e^-20; RK4 with dt = 1e-4 s is stable
  // (λ·dt ≤ 0.4 for a ≥ 0.05) and its error is far below the tolerance.
  constexpr double kDt = 1e-4;
  constexpr int kSteps = 10000;
  constexpr double kTol = 1e-8;
  for (const MuscleParams& p : {legsim_test::soleus_like(), legsim_test::vastus_like()})
    for (const double ln : {0.8, 1.0, 1.2})
      for (const double a : {0.05, 0.3, 1.0}) {
        const double l_mt = legsim_test::mtu_length_for(p, ln, 0.4);
        const MtuEquilibrium eq = legsim::solve_mtu_equilibrium(p, l_mt, 0.0, a);
        REQUIRE(eq.converged);
        for (const double f0 : {0.0, 1.5}) {
          const double f_end = integrate_isometric(p, l_mt, 0.0, a, f0, kDt, kSteps);
          INFO("l̃ " << ln << ", a " << a << ", start " << f0 << ": equilibrium " << eq.norm_tendon_force);
          CHECK(f_end == Approx(eq.norm_tendon_force).margin(kTol));
        }
      }
}

TEST_CASE("rigid and compliant tendon agree when the tendon is very stiff", "[muscle][equilibrium]") {
  // With ε0 → 0 the compliant tendon's length l_s·(1 + ε0·ln((f_T + c3)/c1)/ln 6) → l_s, so the
  // equilibrium tendon force tends to the rigid-tendon force, linearly in ε0: the fiber length
  // differs by Δl̃ ≤ ε0·(l_s/l_opt)·ln((f_T + c3)/c1)/ln 6 / cos α and the normalized force by at most
  // max|dF/dl̃|·Δl̃ with |dF/dl̃| ≤ a·|fL'|·fV + fPE' ≤ 5 on the grid (fL' ≤ 2.5, fV ≤ 1.8 at
  // |v_MT| ≤ 0.1 m/s, fPE' ≤ 1 for l̃ ≤ 1.3). The tolerance below is that bound.
  for (const double eps0 : {1e-4, 1e-5}) {
    for (MuscleParams p : {legsim_test::soleus_like(), legsim_test::vastus_like()}) {
      p.tendon_strain_at_one_norm_force = eps0;
      const double cos0 = std::cos(p.pennation_angle_at_optimal);
      for (const double ln : {0.7, 0.9, 1.0, 1.1, 1.3})
        for (const double v_mt : {-0.1, 0.0, 0.1})
          for (const double a : {0.1, 0.5, 1.0}) {
            const double l_mt = p.tendon_slack_length + p.optimal_fiber_length * ln * cos0;
            const MtuOutputs<double> rigid = legsim::evaluate_rigid_mtu(p, l_mt, v_mt, a);
            const MtuEquilibrium eq = legsim::solve_mtu_equilibrium(p, l_mt, v_mt, a);
            REQUIRE(eq.converged);
            const double f = std::max(eq.norm_tendon_force, rigid.norm_tendon_force);
            const double dl = eps0 * p.tendon_slack_length / p.optimal_fiber_length *
                              std::log((f + 0.2) / 0.2) / std::log(6.0) / rigid.cos_pennation;
            const double tol = 5.0 * dl + 1e-12;
            INFO("eps0 " << eps0 << ", l̃ " << ln << ", v_MT " << v_mt << ", a " << a << ", tol " << tol);
            CHECK(eq.norm_tendon_force == Approx(rigid.norm_tendon_force).margin(tol));
            CHECK(eq.outputs.fiber_velocity == Approx(rigid.fiber_velocity).margin(1e3 * eps0));
          }
    }
  }
}

TEST_CASE("equilibrium in the slack case: zero force or the passive balance", "[muscle][equilibrium]") {
  MuscleParams p = legsim_test::vastus_like();
  p.min_activation = 0.0;
  p.pennation_angle_at_optimal = 0.0;  // so the fiber can be shorter than 0.2 l_opt
  // MTU so short that even a slack tendon leaves the fiber below 0.2 l_opt: no active (a = 0) and
  // no passive force, so f_T = 0 exactly.
  const double l_short = p.tendon_slack_length + 0.05 * p.optimal_fiber_length;
  const MtuEquilibrium slack = legsim::solve_mtu_equilibrium(p, l_short, 0.0, 0.0);
  CHECK(slack.converged);
  CHECK(slack.norm_tendon_force == 0.0);
  CHECK(slack.residual == 0.0);
  CHECK(slack.outputs.tendon_force == 0.0);
  CHECK(slack.outputs.tendon_length == p.tendon_slack_length);
  // With a tiny activation the tendon carries the tiny active fiber force along the tendon.
  const MtuEquilibrium tiny = legsim::solve_mtu_equilibrium(p, l_short, 0.0, 0.01);
  CHECK(tiny.converged);
  CHECK(tiny.norm_tendon_force > 0.0);
  CHECK(tiny.norm_tendon_force < 0.01 * 0.01);  // a·fL(0.2)·cos α with fL(0.2) ≈ 0.0077
  // Long MTU, a = 0: the tendon carries the passive fiber force along the tendon.
  const double l_long = legsim_test::mtu_length_for(p, 1.5, 0.3);
  const MtuEquilibrium passive = legsim::solve_mtu_equilibrium(p, l_long, 0.0, 0.0);
  CHECK(passive.converged);
  CHECK(passive.norm_tendon_force > 0.1);
  CHECK(passive.outputs.active_fiber_force == 0.0);
  CHECK(passive.norm_tendon_force ==
        Approx(passive.outputs.passive_force_length * passive.outputs.cos_pennation).margin(1e-12));
}

TEST_CASE("equilibrium found wherever the residual changes sign, damped and non-monotone cases included",
          "[muscle][equilibrium]") {
  // Random muscles (half damped), MTU lengths from slack-short to long, v_MT up to ±3 m/s, every
  // activation, some near-rigid tendons. With damping and fast shortening the residual r(f_T) is
  // not monotone near f_T = −c3 and has kinks where ṽ or l̃ reach their clamps; a Newton iteration
  // that only keeps its steps inside the bracket cycled there (|r| up to 4.7 after 200 iterations).
  // Where a sign change exists the solver must reach |r| ≤ 1e-12, except within 1e-3 of f_T = −c3,
  // where the inverse tendon curve's slope 1/(kT·(f_T + c3)) makes r change by more than 1e-12
  // between neighbouring doubles (pushing tendons: outside the physical domain anyway).
  std::mt19937_64 rng(2020);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  constexpr double kLowest = -0.2 * (1.0 - 1e-9);
  int bracketed = 0, near_singular = 0;
  for (int i = 0; i < 20000; ++i) {
    MuscleParams p = legsim_test::random_params(rng, i % 2 == 1);
    if (i % 10 == 3) p.tendon_strain_at_one_norm_force = 1e-5;
    const double l_lo = p.tendon_slack_length + 0.05 * p.optimal_fiber_length;
    const double l_hi = p.tendon_slack_length * (1.0 + 2.0 * p.tendon_strain_at_one_norm_force) +
                        2.0 * p.optimal_fiber_length;
    const double l_mt = l_lo + (l_hi - l_lo) * u(rng);
    const double v_mt = (u(rng) - 0.5) * (i % 3 == 0 ? 6.0 : 2.0);
    const double a = i % 7 == 0 ? 0.0 : u(rng);
    const legsim::MtuCoefficients<double> c = legsim::make_mtu_coefficients<double>(p);
    if (legsim::equilibrium_residual(c, l_mt, v_mt, a, 0.0) > 0.0 &&
        legsim::equilibrium_residual(c, l_mt, v_mt, a, kLowest) > 0.0)
      continue;  // no sign change above −c3: nothing to find
    ++bracketed;
    const MtuEquilibrium eq = legsim::solve_mtu_equilibrium(p, l_mt, v_mt, a);
    if (eq.norm_tendon_force < -0.199) {
      ++near_singular;
      continue;
    }
    INFO("case " << i << ": l_MT " << l_mt << ", v_MT " << v_mt << ", a " << a << ", beta " << p.fiber_damping
                 << " -> f_T " << eq.norm_tendon_force << ", residual " << eq.residual);
    CHECK(eq.converged);
    CHECK(std::abs(eq.residual) <= 1e-12);
  }
  CHECK(bracketed > 19000);
  CHECK(near_singular < 100);
}
