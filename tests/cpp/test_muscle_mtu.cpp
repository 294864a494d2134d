// Tests of the muscle–tendon unit kernels (include/legsim/muscle/mtu.hpp).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/muscle/mtu.hpp"
#include "test_muscle_util.hpp"

using legsim::MtuCoefficients;
using legsim::MtuOutputs;
using legsim::MuscleParams;
using legsim_test::Batch;
using legsim_test::kLanes;

namespace {

// The kernel chains ~10 transcendental calls, each ≤ 2–4 ulps apart between xsimd and libm;
// outputs are compared in ulps of their scale (OutputScales below).
constexpr double kBatchUlps = 16.0;
constexpr double kCentralDiffRelTol = 1e-6;  // central differences, relative step 1e-6

using AdX = Eigen::AutoDiffScalar<Eigen::VectorXd>;

/// Scale of each compliant-MTU output for comparing batch and scalar results: the magnitude its
/// rounding errors are relative to (first-order error propagation through the kernel). Two steps
/// amplify errors: the fiber projection x = l_MT − l_T cancels, so l̃ carries errors of order
/// ε·s_l with s_l = (|l_MT| + l_T)/l_opt; and the inverse force–velocity step divides by
/// a·fL·fV' + β, so ṽ carries errors of order ε·s_v (normalized velocity units).
struct OutputScales {
  std::map<std::string, double, std::less<>> by_name;
  double of(std::string_view name) const {
    const auto it = by_name.find(name);
    return it == by_name.end() ? 1.0 : it->second;
  }
};

OutputScales output_scales(const MtuCoefficients<double>& c, const MtuOutputs<double>& o, double l_mt, double v_mt) {
  namespace cv = legsim::curves;
  const double lc = std::clamp(o.norm_fiber_length, cv::kMinNormFiberLength, cv::kMaxNormFiberLength);
  const double afl = std::max(o.activation * o.active_force_length, legsim::kMinActiveForceMultiplier);
  const double demanded = std::abs(o.norm_tendon_force) / o.cos_pennation;
  const double dfv = cv::force_velocity_derivative(std::clamp(o.norm_fiber_velocity, -1.0, 1.0));
  const double dfl = std::abs(cv::active_force_length_derivative(lc));
  const double dfpe = o.passive_force_length * c.passive.exponent + 1.0;  // ≥ fPE'(l̃)
  const double s_l = (std::abs(l_mt) + o.tendon_length) / c.optimal_fiber_length;
  const double df_dl = o.activation * dfl * o.force_velocity + dfpe;
  const double s_v = std::max(1.0, (demanded + o.passive_force_length + afl * o.force_velocity + df_dl * s_l) /
                                       (afl * dfv + c.fiber_damping));
  const double velocity = std::abs(v_mt) + c.max_fiber_velocity * s_v / o.cos_pennation;
  OutputScales sc;
  sc.by_name = {
      {"fiber_length", s_l * c.optimal_fiber_length},
      {"norm_fiber_length", s_l},
      {"cos_pennation", 1.0 + s_l * c.optimal_fiber_length / o.fiber_length},
      {"tendon_length", c.tendon_slack_length},
      {"active_force_length", 1.0 + dfl * s_l},
      {"passive_force_length", 1.0 + dfpe * s_l},
      {"force_velocity", 1.0 + dfv * s_v},
      {"norm_fiber_velocity", s_v},
      {"fiber_velocity", velocity},
      {"tendon_velocity", velocity},
      {"active_fiber_force", c.max_isometric_force * (1.0 + df_dl * s_l + (afl * dfv + c.fiber_damping) * s_v)},
      {"damping_fiber_force", c.max_isometric_force * (1.0 + c.fiber_damping * s_v)},
      {"total_fiber_force", c.max_isometric_force * (1.0 + df_dl * s_l + (afl * dfv + c.fiber_damping) * s_v)},
      {"passive_fiber_force", c.max_isometric_force * (1.0 + dfpe * s_l)},
      {"tendon_force", c.max_isometric_force},
      {"norm_tendon_force_derivative",
       c.tendon.stiffness * (std::abs(o.norm_tendon_force) + cv::kTendonC3) * velocity / c.tendon_slack_length},
  };
  return sc;
}

/// A compliant-tendon test point whose fiber lies inside the curve domain and whose fV* is inside
/// (0, fVmax), so no clamp is active (smooth in every input).
struct Point {
  double l_mt, v_mt, a, f_t;
};

}  // namespace

TEST_CASE("compliant MTU: batch lanes equal scalar evaluation (per-lane parameters)", "[muscle][mtu][simd]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double worst = 0.0;
  constexpr int kDraws = 4096;
  for (int d = 0; d < kDraws / static_cast<int>(kLanes); ++d) {
    std::array<MtuCoefficients<double>, kLanes> coeffs{};
    std::array<double, kLanes> l_mt{}, v_mt{}, act{}, f_t{};
    for (std::size_t i = 0; i < kLanes; ++i) {
      const MuscleParams p = legsim_test::random_params(rng, /*damping=*/(d % 2) == 1);
      coeffs[i] = legsim::make_mtu_coefficients<double>(p);
      // Fiber from 0.3 to 1.7 optimal lengths, tendon force −0.1 … 1.6, v_MT ±0.8 m/s, a 0 … 1:
      // covers clamped and unclamped branches.
      l_mt[i] = legsim_test::mtu_length_for(p, 0.3 + 1.4 * u(rng), 1.5 * u(rng));
      v_mt[i] = -0.8 + 1.6 * u(rng);
      act[i] = u(rng);
      f_t[i] = -0.1 + 1.7 * u(rng);
    }
    const MtuCoefficients<Batch> cb = legsim::pack_mtu_coefficients<Batch>(coeffs.data());
    const MtuOutputs<Batch> ob = legsim::evaluate_compliant_mtu(cb, legsim_test::load(l_mt), legsim_test::load(v_mt),
                                                                legsim_test::load(act), legsim_test::load(f_t));
    for (std::size_t i = 0; i < kLanes; ++i) {
      const MtuOutputs<double> os = legsim::evaluate_compliant_mtu(coeffs[i], l_mt[i], v_mt[i], act[i], f_t[i]);
      const OutputScales sc = output_scales(coeffs[i], os, l_mt[i], v_mt[i]);
      legsim_test::for_each_output_pair<double, Batch>([&](const char* name, auto member_s, auto member_b) {
        const double vb = legsim_test::lanes(ob.*member_b)[i];
        const double vs = os.*member_s;
        const double dist = legsim_test::ulps_apart(vb, vs, sc.of(name));
        if (dist > kBatchUlps) {
          FAIL_CHECK(name << " lane " << i << ": batch " << vb << " vs scalar " << vs << " (" << dist
                          << " ulps of scale " << sc.of(name) << ")");
        }
        worst = std::max(worst, dist);
      });
    }
  }
  INFO("worst distance over all outputs: " << worst << " ulps");
  CHECK(worst <= kBatchUlps);
}

TEST_CASE("rigid MTU: batch lanes equal scalar evaluation", "[muscle][mtu][simd]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double worst = 0.0;
  for (int d = 0; d < 256; ++d) {
    std::array<MtuCoefficients<double>, kLanes> coeffs{};
    std::array<double, kLanes> l_mt{}, v_mt{}, act{};
    for (std::size_t i = 0; i < kLanes; ++i) {
      const MuscleParams p = legsim_test::random_params(rng, (d % 2) == 1);
      coeffs[i] = legsim::make_mtu_coefficients<double>(p);
      l_mt[i] = p.tendon_slack_length + p.optimal_fiber_length * (0.3 + 1.4 * u(rng));
      v_mt[i] = -1.0 + 2.0 * u(rng);
      act[i] = u(rng);
    }
    const MtuOutputs<Batch> ob = legsim::evaluate_rigid_mtu(legsim::pack_mtu_coefficients<Batch>(coeffs.data()),
                                                            legsim_test::load(l_mt), legsim_test::load(v_mt),
                                                            legsim_test::load(act));
    const auto tb = legsim_test::lanes(ob.tendon_force);
    for (std::size_t i = 0; i < kLanes; ++i) {
      const MtuOutputs<double> os = legsim::evaluate_rigid_mtu(coeffs[i], l_mt[i], v_mt[i], act[i]);
      // Scale: F_max times the force change per l̃ times the cancellation in x = l_MT − l_s (see
      // OutputScales).
      const double lc = std::clamp(os.norm_fiber_length, 0.2, 1.8);
      const double s_l = (l_mt[i] + coeffs[i].tendon_slack_length) / coeffs[i].optimal_fiber_length;
      const double df_dl = 2.0 * std::abs(legsim::curves::active_force_length_derivative(lc)) +
                           os.passive_force_length * coeffs[i].passive.exponent + 1.0;
      const double scale = coeffs[i].max_isometric_force * (1.0 + df_dl * s_l);
      worst = std::max(worst, legsim_test::ulps_apart(tb[i], os.tendon_force, scale));
    }
  }
  CHECK(worst <= kBatchUlps);
}

TEST_CASE("compliant MTU: autodiff df_T/dt matches central differences in f_T, l_MT and a", "[muscle][mtu][autodiff]") {
  for (const bool damping : {false, true}) {
    MuscleParams p = legsim_test::soleus_like();
    p.fiber_damping = damping ? 0.05 : 0.0;
    const MtuCoefficients<double> c = legsim::make_mtu_coefficients<double>(p);
    const MtuCoefficients<AdX> c_ad = legsim::make_mtu_coefficients<AdX>(p);
    const auto rate = [&](double l_mt, double v_mt, double a, double f) {
      return legsim::norm_tendon_force_derivative(c, l_mt, v_mt, a, f);
    };
    std::vector<Point> points;
    for (double ln : {0.7, 0.95, 1.2, 1.4})
      for (double f : {0.2, 0.6, 1.0})
        for (double a : {0.3, 0.8}) points.push_back({legsim_test::mtu_length_for(p, ln, f * 0.9), 0.1, a, f});
    int tested = 0;
    for (const Point& q : points) {
      // Skip points where a clamp is active (the derivative there is one-sided by design).
      const MtuOutputs<double> o = legsim::evaluate_compliant_mtu(c, q.l_mt, q.v_mt, q.a, q.f_t);
      if (std::abs(o.norm_fiber_velocity) >= 0.95 || o.norm_fiber_length < 0.25 || o.norm_fiber_length > 1.75) continue;
      ++tested;
      const AdX f_ad(q.f_t, 3, 0), l_ad(q.l_mt, 3, 1), a_ad(q.a, 3, 2);
      const AdX r = legsim::evaluate_compliant_mtu<AdX>(c_ad, l_ad, AdX(q.v_mt), a_ad, f_ad).norm_tendon_force_derivative;
      INFO("damping " << damping << ", l_mt " << q.l_mt << ", a " << q.a << ", f_T " << q.f_t << ", ṽ "
                      << o.norm_fiber_velocity);
      CHECK(r.value() == Approx(o.norm_tendon_force_derivative).epsilon(1e-14).margin(1e-12));
      const double hf = 1e-6 * q.f_t, hl = 1e-6 * q.l_mt, ha = 1e-6 * q.a;
      const double d_f = (rate(q.l_mt, q.v_mt, q.a, q.f_t + hf) - rate(q.l_mt, q.v_mt, q.a, q.f_t - hf)) / (2 * hf);
      const double d_l = (rate(q.l_mt + hl, q.v_mt, q.a, q.f_t) - rate(q.l_mt - hl, q.v_mt, q.a, q.f_t)) / (2 * hl);
      const double d_a = (rate(q.l_mt, q.v_mt, q.a + ha, q.f_t) - rate(q.l_mt, q.v_mt, q.a - ha, q.f_t)) / (2 * ha);
      // Scale: the largest of the three partials (normalized to per-unit-input).
      const double scale = std::max({std::abs(d_f), std::abs(d_l) * 1e-2, std::abs(d_a)});
      CHECK(r.derivatives()(0) == Approx(d_f).margin(kCentralDiffRelTol * scale));
      CHECK(r.derivatives()(1) == Approx(d_l).epsilon(kCentralDiffRelTol).margin(kCentralDiffRelTol * scale));
      CHECK(r.derivatives()(2) == Approx(d_a).margin(kCentralDiffRelTol * scale));
    }
    CHECK(tested >= 12);  // most of the 24 points are interior
  }
}

TEST_CASE("two muscles with different parameters evaluated side by side keep their own values", "[muscle][mtu]") {
  const MuscleParams sol = legsim_test::soleus_like();
  MuscleParams vas = legsim_test::vastus_like();
  vas.tendon_strain_at_one_norm_force = 0.04;
  vas.capacity_factor = 0.8;
  const double l_sol = legsim_test::mtu_length_for(sol, 1.05, 0.5);
  const double l_vas = legsim_test::mtu_length_for(vas, 0.9, 0.5);
  // Separate evaluation first.
  const MtuOutputs<double> sol_alone = legsim::evaluate_compliant_mtu(sol, l_sol, 0.05, 0.6, 0.5);
  const MtuOutputs<double> vas_alone = legsim::evaluate_compliant_mtu(vas, l_vas, 0.05, 0.6, 0.5);
  // Interleaved, several times, in both orders (a function-local static cache would break this).
  for (int k = 0; k < 3; ++k) {
    const MtuOutputs<double> v1 = legsim::evaluate_compliant_mtu(vas, l_vas, 0.05, 0.6, 0.5);
    const MtuOutputs<double> s1 = legsim::evaluate_compliant_mtu(sol, l_sol, 0.05, 0.6, 0.5);
    CHECK(s1.norm_tendon_force_derivative == sol_alone.norm_tendon_force_derivative);
    CHECK(v1.norm_tendon_force_derivative == vas_alone.norm_tendon_force_derivative);
    CHECK(s1.tendon_force == sol_alone.tendon_force);
    CHECK(v1.tendon_force == vas_alone.tendon_force);
    CHECK(s1.fiber_length == sol_alone.fiber_length);
    CHECK(v1.fiber_length == vas_alone.fiber_length);
  }
  // The two really differ (F_max, capacity, geometry, tendon). The tendon force is normalized by
  // the unfatigued F_max (capacity scales the active fiber force only).
  CHECK(sol_alone.tendon_force == Approx(0.5 * 6194.8));
  CHECK(vas_alone.tendon_force == Approx(0.5 * 5148.8));
  CHECK(sol_alone.norm_tendon_force_derivative != vas_alone.norm_tendon_force_derivative);
  // Lanes of one batch holding the two muscles give the same numbers as the scalar path.
  std::array<MtuCoefficients<double>, kLanes> coeffs{};
  std::array<double, kLanes> l_mt{};
  for (std::size_t i = 0; i < kLanes; ++i) {
    coeffs[i] = legsim::make_mtu_coefficients<double>(i % 2 == 0 ? sol : vas);
    l_mt[i] = i % 2 == 0 ? l_sol : l_vas;
  }
  const MtuOutputs<Batch> ob = legsim::evaluate_compliant_mtu(
      legsim::pack_mtu_coefficients<Batch>(coeffs.data()), legsim_test::load(l_mt), Batch(0.05), Batch(0.6), Batch(0.5));
  const auto rates = legsim_test::lanes(ob.norm_tendon_force_derivative);
  for (std::size_t i = 0; i < kLanes; ++i) {
    const double expected = (i % 2 == 0 ? sol_alone : vas_alone).norm_tendon_force_derivative;
    CHECK(legsim_test::ulps_apart(rates[i], expected) <= kBatchUlps);
  }
}

TEST_CASE("compliant MTU: the fiber force balances the tendon force when fV* is in range", "[muscle][mtu]") {
  // With no clamp active: (a·fL·fV + fPE + β·ṽ)·cos α = f_T, i.e. total fiber force · cos α = tendon force.
  for (const double beta : {0.0, 0.01, 0.1, 1.0}) {
    MuscleParams p = legsim_test::soleus_like();
    p.fiber_damping = beta;
    for (double ln : {0.6, 0.9, 1.1, 1.3})
      for (double f : {0.05, 0.4, 0.9, 1.3})
        for (double a : {0.05, 0.5, 1.0}) {
          const double l_mt = legsim_test::mtu_length_for(p, ln, f);
          const MtuOutputs<double> o = legsim::evaluate_compliant_mtu(p, l_mt, 0.0, a, f);
          const double fv_star = (f / o.cos_pennation - o.passive_force_length) / (a * o.active_force_length);
          const bool in_range = beta > 0.0 ? std::abs(o.norm_fiber_velocity) < 1.0
                                           : fv_star > 0.0 && fv_star < legsim::curves::kMaxForceVelocity;
          if (!in_range) continue;
          INFO("beta " << beta << ", l̃ " << ln << ", f_T " << f << ", a " << a << ", ṽ " << o.norm_fiber_velocity);
          // Damped: residual of the fixed-count Newton solve (kDampedVelocityIterations).
          CHECK(std::abs(o.total_fiber_force * o.cos_pennation - o.tendon_force) <= 1e-10 * p.max_isometric_force);
        }
  }
}

TEST_CASE("implicit MTU residual vanishes at the explicit MTU's tendon-force rate", "[muscle][mtu][predict]") {
  // The collocation's Hill residual (compliant_mtu_implicit_residual) and the stance simulation's
  // explicit MTU (evaluate_compliant_mtu) are one model: given the explicit df_T/dt, the implicit
  // balance holds; a different rate breaks it with the sign of the force–velocity slope. And the fiber
  // state the implicit form derives from the rate (compliant_mtu_implicit_outputs: v_T = ḟ_T·l_s/fT',
  // ẋ = v_MT − v_T, v_M = ẋ·cos α), which the energy model reads, is the explicit MTU's.
  for (const double beta : {0.0, 0.1}) {
    MuscleParams p = legsim_test::soleus_like();
    p.fiber_damping = beta;
    const MtuCoefficients<double> c = legsim::make_mtu_coefficients<double>(p);
    for (double ln : {0.7, 1.0, 1.2})
      for (double f : {0.1, 0.5, 1.2})
        for (double a : {0.1, 0.6, 1.0})
          for (double v_mt : {-0.3, 0.0, 0.2}) {
            const double l_mt = legsim_test::mtu_length_for(p, ln, f);
            const MtuOutputs<double> o = legsim::evaluate_compliant_mtu(c, l_mt, v_mt, a, f);
            // Only where the explicit path's clamps are inactive (the force the tendon demands lies in
            // the force–velocity curve's range), as in the balance test above.
            const double fv_star = (f / o.cos_pennation - o.passive_force_length) / (a * o.active_force_length);
            const bool in_range = beta > 0.0 ? std::abs(o.norm_fiber_velocity) < 1.0
                                             : fv_star > 0.0 && fv_star < legsim::curves::kMaxForceVelocity;
            if (!in_range) continue;
            INFO("beta " << beta << ", l̃ " << ln << ", f_T " << f << ", a " << a << ", v_MT " << v_mt);
            const double r = legsim::compliant_mtu_implicit_residual(c, l_mt, v_mt, a, f, o.norm_tendon_force_derivative);
            CHECK(std::abs(r) <= 1e-9);
            // A faster tendon stretch (higher rate) leaves the fiber slower in lengthening: less force.
            const double r_up =
                legsim::compliant_mtu_implicit_residual(c, l_mt, v_mt, a, f, o.norm_tendon_force_derivative + 1.0);
            CHECK(r_up < r);
            const MtuOutputs<double> im =
                legsim::compliant_mtu_implicit_outputs(c, l_mt, v_mt, a, f, o.norm_tendon_force_derivative);
            CHECK(im.fiber_velocity == Approx(o.fiber_velocity).margin(1e-9));
            CHECK(im.norm_fiber_length == Approx(o.norm_fiber_length).epsilon(1e-12));
            CHECK(im.active_fiber_force == Approx(o.active_fiber_force).margin(1e-6 * p.max_isometric_force));
            CHECK(im.tendon_velocity == Approx(o.tendon_velocity).margin(1e-9));
            CHECK(im.norm_tendon_force_derivative == o.norm_tendon_force_derivative);
          }
  }
}

TEST_CASE("compliant MTU: finite outputs for extreme inputs (scalar and batch)", "[muscle][mtu]") {
  MuscleParams p = legsim_test::soleus_like();
  p.min_activation = 0.0;  // activation may reach exactly zero
  const std::vector<double> lengths = {0.0, 1e-6, 0.1, 0.3, 0.33, 1.0, 10.0};
  const std::vector<double> forces = {-0.5, -0.2, 0.0, 1e-9, 1.0, 10.0, 1e6};
  const std::vector<double> acts = {-1.0, 0.0, 1e-9, 0.5, 1.0, 2.0};
  for (const double beta : {0.0, 0.1}) {
    p.fiber_damping = beta;
    for (double l : lengths)
      for (double f : forces)
        for (double a : acts)
          for (double v : {-100.0, 0.0, 100.0}) {
            const MtuOutputs<double> o = legsim::evaluate_compliant_mtu(p, l, v, a, f);
            const MtuOutputs<Batch> ob = legsim::evaluate_compliant_mtu(p, Batch(l), Batch(v), Batch(a), Batch(f));
            legsim_test::for_each_output<double>([&](const char* name, auto m) {
              INFO(name << " at l_MT " << l << ", v_MT " << v << ", a " << a << ", f_T " << f << ", beta " << beta);
              CHECK(std::isfinite(o.*m));
            });
            CHECK(std::isfinite(legsim_test::lanes(ob.norm_tendon_force_derivative)[0]));
            CHECK(o.cos_pennation > 0.0);
            CHECK(o.cos_pennation <= 1.0);
          }
  }
}

TEST_CASE("rigid MTU: geometry and force formula", "[muscle][mtu]") {
  const MuscleParams p = legsim_test::soleus_like();
  const double h = p.optimal_fiber_length * std::sin(p.pennation_angle_at_optimal);
  // At l_MT = l_s + l_opt·cos α0 the fiber is at optimal length with α = α0.
  const double l_mt = p.tendon_slack_length + p.optimal_fiber_length * std::cos(p.pennation_angle_at_optimal);
  const MtuOutputs<double> o = legsim::evaluate_rigid_mtu(p, l_mt, 0.0, 1.0);
  CHECK(o.norm_fiber_length == Approx(1.0).epsilon(1e-14));
  CHECK(o.cos_pennation == Approx(std::cos(p.pennation_angle_at_optimal)).epsilon(1e-14));
  CHECK(o.tendon_length == p.tendon_slack_length);
  const double expected = (1.0 * legsim::curves::active_force_length(1.0) + legsim::curves::passive_force_length(1.0)) *
                          std::cos(p.pennation_angle_at_optimal) * p.max_isometric_force;
  CHECK(o.tendon_force == Approx(expected).epsilon(1e-14));
  // Fiber velocity v_M = v_MT·cos α (constant thickness: l_M·l̇_M = x·ẋ).
  const MtuOutputs<double> ov = legsim::evaluate_rigid_mtu(p, l_mt, -0.1, 0.5);
  CHECK(ov.fiber_velocity == Approx(-0.1 * std::cos(p.pennation_angle_at_optimal)).epsilon(1e-14));
  // Thickness is constant: l_M·sin α = h at another length.
  const MtuOutputs<double> o2 = legsim::evaluate_rigid_mtu(p, l_mt + 0.01, 0.0, 0.5);
  CHECK(o2.fiber_length * std::sqrt(1.0 - o2.cos_pennation * o2.cos_pennation) == Approx(h).epsilon(1e-12));
  // The capacity factor (fatigue) scales the active fiber force only; the passive force stays.
  MuscleParams tired = p;
  tired.capacity_factor = 0.7;
  const MtuOutputs<double> ot = legsim::evaluate_rigid_mtu(tired, l_mt, 0.0, 1.0);
  const MtuOutputs<double> of = legsim::evaluate_rigid_mtu(p, l_mt, 0.0, 1.0);
  CHECK(ot.active_fiber_force == Approx(0.7 * of.active_fiber_force).epsilon(1e-14));
  CHECK(ot.passive_fiber_force == of.passive_fiber_force);
}

TEST_CASE("fatigue weakens the contractile element only: tendon, passive force and damping keep F_max",
          "[muscle][mtu]") {
  // DESIGN 3.4: capacity c scales c·a·fL·fV; the tendon curve, passive curve, damping and every
  // force normalized by F_max keep the unfatigued F_max.
  MuscleParams fresh = legsim_test::soleus_like();
  fresh.fiber_damping = 0.1;
  MuscleParams tired = fresh;
  tired.capacity_factor = 0.7;
  const legsim::MtuCoefficients<double> cf = legsim::make_mtu_coefficients<double>(fresh);
  const legsim::MtuCoefficients<double> ct = legsim::make_mtu_coefficients<double>(tired);
  CHECK(ct.max_isometric_force == cf.max_isometric_force);
  for (double ln : {0.8, 1.0, 1.3})
    for (double f : {0.1, 0.6}) {
      const double l_mt = legsim_test::mtu_length_for(fresh, ln, f);
      const MtuOutputs<double> a = legsim::evaluate_compliant_mtu(cf, l_mt, 0.0, 1.0, f);
      const MtuOutputs<double> b = legsim::evaluate_compliant_mtu(ct, l_mt, 0.0, 1.0, f);
      // Same tendon force state: same tendon length and force (the tendon is not more compliant),
      // same fiber geometry and passive force.
      CHECK(b.tendon_length == a.tendon_length);
      CHECK(b.tendon_force == a.tendon_force);
      CHECK(b.fiber_length == a.fiber_length);
      CHECK(b.passive_fiber_force == a.passive_fiber_force);
    }
  // Fully active, isometric, with the fiber at its optimal length: the active force is 0.7 of the
  // unfatigued one (rigid tendon fixes the fiber length; l_MT = l_s + l_opt·cos α0).
  fresh.tendon = tired.tendon = legsim::TendonModel::kRigid;
  const double l_opt_mt = fresh.tendon_slack_length + fresh.optimal_fiber_length * std::cos(fresh.pennation_angle_at_optimal);
  const MtuOutputs<double> full = legsim::evaluate_rigid_mtu(fresh, l_opt_mt, 0.0, 1.0);
  const MtuOutputs<double> weak = legsim::evaluate_rigid_mtu(tired, l_opt_mt, 0.0, 1.0);
  REQUIRE(full.norm_fiber_length == Approx(1.0).epsilon(1e-12));
  CHECK(weak.active_fiber_force == Approx(0.7 * full.active_fiber_force).epsilon(1e-14));
  CHECK(weak.passive_fiber_force == full.passive_fiber_force);
}

TEST_CASE("fatigue leaves a relaxed muscle's static equilibrium unchanged", "[muscle][equilibrium]") {
  // With no activation (min_activation 0) only passive fiber force balances the tendon: the same
  // tendon force whatever the contractile capacity. Scaling F_max instead (the old model) scaled it.
  MuscleParams fresh = legsim_test::soleus_like();
  fresh.min_activation = 0.0;
  MuscleParams tired = fresh;
  tired.capacity_factor = 0.7;
  const double l_mt = fresh.tendon_slack_length * 1.01 + 1.4 * fresh.optimal_fiber_length;  // stretched fiber
  const legsim::MtuEquilibrium a = legsim::solve_mtu_equilibrium(fresh, l_mt, 0.0, 0.0);
  const legsim::MtuEquilibrium b = legsim::solve_mtu_equilibrium(tired, l_mt, 0.0, 0.0);
  REQUIRE((a.converged && b.converged));
  REQUIRE(a.outputs.tendon_force > 100.0);  // passive force is there to compare
  CHECK(b.outputs.tendon_force == Approx(a.outputs.tendon_force).epsilon(1e-12));
}

TEST_CASE("damped fiber velocity: fixed-count Newton solves the force balance", "[muscle][mtu]") {
  // g(ṽ) = a·fL·fV(clamp(ṽ, −1, 1)) + fPE + β·ṽ − F̃ = 0 over a random sweep of a·fL, fPE, β and
  // the demanded force, including saturated cases (root beyond ±1).
  namespace c = legsim::curves;
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  constexpr double kResidualTol = 1e-12;
  double worst = 0.0;
  int saturated = 0;
  for (int k = 0; k < 200000; ++k) {
    const double afl = std::pow(10.0, -6.0 + 6.0 * u(rng));
    const double fpe = 3.8 * u(rng) * u(rng);
    const double beta = std::pow(10.0, -4.0 + 5.0 * u(rng));
    const double demanded = -0.5 + 6.0 * u(rng);
    const double fv_star = std::clamp((demanded - fpe) / afl, c::kMinForceVelocity, c::kMaxForceVelocity);
    const double v0 = std::clamp(c::force_velocity_inverse(fv_star), -1.0, 1.0);
    const double v = legsim::detail::damped_fiber_velocity(afl, fpe, demanded, beta, v0);
    if (std::abs(v) >= legsim::kMaxDampedNormFiberVelocity) continue;  // capped: balance not expected
    saturated += std::abs(v) > 1.0 ? 1 : 0;
    const double g = afl * c::force_velocity(std::clamp(v, -1.0, 1.0)) + fpe + beta * v - demanded;
    worst = std::max(worst, std::abs(g));
  }
  INFO("worst |g| = " << worst << ", saturated roots: " << saturated);
  CHECK(worst <= kResidualTol);
  CHECK(saturated > 1000);  // the sweep does reach the saturated branches
}

TEST_CASE("skipping the damped solve when no lane is damped changes nothing", "[muscle][mtu]") {
  const MuscleParams p = legsim_test::soleus_like();  // β = 0
  legsim::MtuCoefficients<double> skip = legsim::make_mtu_coefficients<double>(p);
  REQUIRE_FALSE(skip.has_damping);
  legsim::MtuCoefficients<double> solve = skip;
  solve.has_damping = true;
  for (double ln : {0.5, 1.0, 1.5})
    for (double f : {0.0, 0.5, 2.0})
      for (double a : {0.0, 0.5, 1.0}) {
        const double l_mt = legsim_test::mtu_length_for(p, ln, 0.5);
        const MtuOutputs<double> o1 = legsim::evaluate_compliant_mtu(skip, l_mt, 0.1, a, f);
        const MtuOutputs<double> o2 = legsim::evaluate_compliant_mtu(solve, l_mt, 0.1, a, f);
        // Same formulas; equal up to floating-point contraction (GCC contracts a·b + c into FMA in
        // C++ by default, differently in differently inlined code), hence a few ulps of each
        // output's propagated scale (OutputScales), not bits.
        const OutputScales sc = output_scales(skip, o1, l_mt, 0.1);
        CHECK(legsim_test::ulps_apart(o1.norm_tendon_force_derivative, o2.norm_tendon_force_derivative,
                                      sc.of("norm_tendon_force_derivative")) <= kBatchUlps);
        CHECK(legsim_test::ulps_apart(o1.norm_fiber_velocity, o2.norm_fiber_velocity, sc.of("norm_fiber_velocity")) <=
              kBatchUlps);
      }
}
