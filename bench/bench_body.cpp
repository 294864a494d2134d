// Body dynamics throughput: forward dynamics (mass matrix, bias, Cholesky solve) and contact
// forces per second, scalar double vs one xsimd batch of lanes. items_processed counts single
// evaluations (one per lane), so the batch/scalar ratio of items/s is the SIMD speed-up.
#include <array>
#include <random>

#include <benchmark/benchmark.h>

#include "legsim/body/dynamics.hpp"
#include "legsim/body/params.hpp"

namespace {

using legsim::BatchD;
using legsim::Vec6;

constexpr std::size_t kStates = 64;  // distinct typical stance states, cycled through

struct Inputs {
  std::array<Vec6<double>, kStates> q, qd, Q;
  std::array<std::array<double, 2>, kStates> z;
};

Inputs make_inputs(const legsim::BodyConstants<double>& b) {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Inputs in;
  for (std::size_t i = 0; i < kStates; ++i) {
    // Mid-stance-like: knee flexed 20–60°, foot near the ground.
    in.q[i] << 0.1 * u(rng), 0.0, 0.15 + 0.1 * u(rng), 0.2 * u(rng), 0.7 + 0.3 * u(rng), 0.2 * u(rng);
    const double sole = legsim::kinematics(b, in.q[i], Vec6<double>::Zero()).contact[legsim::kHeel](1);
    in.q[i](1) = -sole - 0.005;
    for (int j = 0; j < 6; ++j) {
      in.qd[i](j) = 2.0 * u(rng);
      in.Q[i](j) = 100.0 * u(rng);
    }
    in.z[i] = {0.002 * u(rng), 0.002 * u(rng)};
  }
  return in;
}

template <class T>
T lane_load(const std::array<Vec6<double>, kStates>& v, std::size_t first, int j) {
  if constexpr (legsim::is_batch_v<T>) {
    alignas(64) double buf[T::size];
    for (std::size_t l = 0; l < T::size; ++l) buf[l] = v[(first + l) % kStates](j);
    return T::load_aligned(buf);
  } else {
    return v[first % kStates](j);
  }
}

template <class T>
void BM_ForwardDynamics(benchmark::State& state) {
  const legsim::BodyParams p = legsim::scale_body(70.0, 1.75);
  const Inputs in = make_inputs(legsim::make_body_constants<double>(p));
  const legsim::BodyConstants<T> b = legsim::make_body_constants<T>(p);
  constexpr std::size_t kL = legsim::lanes_v<T>;
  std::array<Vec6<T>, kStates> q, qd, Q;
  for (std::size_t i = 0; i < kStates; ++i)
    for (int j = 0; j < 6; ++j) {
      q[i](j) = lane_load<T>(in.q, i * kL, j);
      qd[i](j) = lane_load<T>(in.qd, i * kL, j);
      Q[i](j) = lane_load<T>(in.Q, i * kL, j);
    }
  std::size_t i = 0;
  for (auto _ : state) {
    const Vec6<T> qdd = legsim::forward_dynamics(b, q[i], qd[i], Q[i]);
    benchmark::DoNotOptimize(qdd);
    i = (i + 1) % kStates;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kL));
}

template <class T>
void BM_RigidBodyWithContact(benchmark::State& state) {
  const legsim::BodyParams p = legsim::scale_body(70.0, 1.75);
  const Inputs in = make_inputs(legsim::make_body_constants<double>(p));
  const legsim::BodyConstants<T> b = legsim::make_body_constants<T>(p);
  const legsim::ContactParams cp;
  constexpr std::size_t kL = legsim::lanes_v<T>;
  std::array<Vec6<T>, kStates> q, qd, Q;
  for (std::size_t i = 0; i < kStates; ++i)
    for (int j = 0; j < 6; ++j) {
      q[i](j) = lane_load<T>(in.q, i * kL, j);
      qd[i](j) = lane_load<T>(in.qd, i * kL, j);
      Q[i](j) = lane_load<T>(in.Q, i * kL, j);
    }
  const std::array<T, 2> z{T(0.001), T(-0.001)};
  std::size_t i = 0;
  for (auto _ : state) {
    const legsim::ContactForces<T> c = legsim::contact_forces(b, cp, q[i], qd[i], z);
    Vec6<T> total;
    for (int j = 0; j < 6; ++j) total(j) = Q[i](j) + c.generalized_force(j);
    const Vec6<T> qdd = legsim::forward_dynamics(b, q[i], qd[i], total);
    benchmark::DoNotOptimize(qdd);
    benchmark::DoNotOptimize(c.deflection_rate);
    i = (i + 1) % kStates;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kL));
}

BENCHMARK_TEMPLATE(BM_ForwardDynamics, double);
BENCHMARK_TEMPLATE(BM_ForwardDynamics, BatchD);
BENCHMARK_TEMPLATE(BM_RigidBodyWithContact, double);
BENCHMARK_TEMPLATE(BM_RigidBodyWithContact, BatchD);

}  // namespace
