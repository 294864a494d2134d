#pragma once
// Helpers shared by the muscle tests (header only; not a test executable).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>

#include "legsim/core/ops.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim_test {

using Batch = legsim::BatchD;
inline constexpr std::size_t kLanes = Batch::size;

/// Distance between a and b in units of the double epsilon of max(|a|, |b|, scale). scale (= 1 for
/// normalized forces) keeps results that are near zero by cancellation from counting as far apart.
inline double ulps_apart(double a, double b, double scale = 1.0) {
  if (a == b) return 0.0;
  const double mag = std::max({std::abs(a), std::abs(b), scale});
  return std::abs(a - b) / (std::numeric_limits<double>::epsilon() * mag);
}

inline Batch load(const std::array<double, kLanes>& v) { return Batch::load_unaligned(v.data()); }
inline std::array<double, kLanes> lanes(const Batch& b) {
  std::array<double, kLanes> out{};
  b.store_unaligned(out.data());
  return out;
}

#define LEGSIM_TEST_MTU_OUTPUT_FIELDS(X)                                                          \
  X(fiber_length) X(norm_fiber_length) X(fiber_velocity) X(norm_fiber_velocity) X(cos_pennation)  \
  X(tendon_length) X(tendon_strain) X(tendon_velocity) X(activation) X(active_force_length)        \
  X(passive_force_length) X(force_velocity) X(active_fiber_force) X(passive_fiber_force)          \
  X(damping_fiber_force) X(total_fiber_force) X(tendon_force) X(norm_tendon_force)                \
  X(norm_tendon_force_derivative)

/// Applies f(name, member) to every field of MtuOutputs<T>.
template <class T, class F>
void for_each_output(F&& f) {
  using O = legsim::MtuOutputs<T>;
#define LEGSIM_TEST_X(field) f(#field, &O::field);
  LEGSIM_TEST_MTU_OUTPUT_FIELDS(LEGSIM_TEST_X)
#undef LEGSIM_TEST_X
}

/// Applies f(name, member_a, member_b) to every field of MtuOutputs<A> and MtuOutputs<B> together.
template <class A, class B, class F>
void for_each_output_pair(F&& f) {
  using OA = legsim::MtuOutputs<A>;
  using OB = legsim::MtuOutputs<B>;
#define LEGSIM_TEST_X(field) f(#field, &OA::field, &OB::field);
  LEGSIM_TEST_MTU_OUTPUT_FIELDS(LEGSIM_TEST_X)
#undef LEGSIM_TEST_X
}

/// Soleus-like parameters: Rajagopal et al. (2016, doi:10.1109/TBME.2016.2586891) F_max, l_opt,
/// l_s and pennation; the rest legsim's defaults.
inline legsim::MuscleParams soleus_like() {
  legsim::MuscleParams p;
  p.max_isometric_force = 6194.8;
  p.optimal_fiber_length = 0.0440;
  p.tendon_slack_length = 0.2768;
  p.pennation_angle_at_optimal = 21.9 * 3.14159265358979323846 / 180.0;
  return p;
}

/// Vastus-lateralis-like parameters (same source).
inline legsim::MuscleParams vastus_like() {
  legsim::MuscleParams p;
  p.max_isometric_force = 5148.8;
  p.optimal_fiber_length = 0.0994;
  p.tendon_slack_length = 0.2206;
  p.pennation_angle_at_optimal = 14.5 * 3.14159265358979323846 / 180.0;
  return p;
}

/// MTU length (m) at which the tendon carries `norm_force` and the fiber has normalized length
/// `norm_fiber_length` (constant-thickness geometry), for building test points.
inline double mtu_length_for(const legsim::MuscleParams& p, double norm_fiber_length, double norm_force) {
  const double h = p.optimal_fiber_length * std::sin(p.pennation_angle_at_optimal);
  const double lm = norm_fiber_length * p.optimal_fiber_length;
  const double x = std::sqrt(std::max(lm * lm - h * h, 0.0));
  const double lt = legsim::curves::tendon_force_length_inverse(norm_force, p.tendon_strain_at_one_norm_force) *
                    p.tendon_slack_length;
  return x + lt;
}

/// Random valid muscle parameters (per-lane tests).
inline legsim::MuscleParams random_params(std::mt19937_64& rng, bool damping) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  legsim::MuscleParams p;
  p.max_isometric_force = 500.0 + 7000.0 * u(rng);
  p.optimal_fiber_length = 0.03 + 0.17 * u(rng);
  p.tendon_slack_length = 0.05 + 0.40 * u(rng);
  p.pennation_angle_at_optimal = 0.45 * u(rng);
  p.max_contraction_velocity = 6.0 + 6.0 * u(rng);
  p.tendon_strain_at_one_norm_force = 0.03 + 0.05 * u(rng);
  p.passive_fiber_strain_at_one_norm_force = 0.4 + 0.4 * u(rng);
  p.min_activation = 0.02 * u(rng);
  p.fiber_damping = damping ? 0.2 * u(rng) : 0.0;
  p.capacity_factor = 0.1 + 0.9 * u(rng);
  return p;
}

}  // namespace legsim_test
