#pragma once
// Lane helpers of the batch engine: the SIMD type, moving single lanes in and out of batches, and
// the entry point of a worker.
//
// Compiled once per SIMD target (issue 22.2, cmake/LegsimSimdTargets.cmake): the library's own copy
// with the library's flags (B = BatchD, namespace default_target); each extra target with its
// instruction-set flags and LEGSIM_BATCH_ARCH (the xsimd architecture) and LEGSIM_BATCH_NS (its
// namespace) defined, so that two targets' workers never share a name.
#include <array>
#include <atomic>
#include <span>
#include <vector>

#include "dispatch.hpp"
#include "legsim/batch/stance_batch.hpp"
#include "legsim/sim/stance_pipeline.hpp"

#ifndef LEGSIM_BATCH_NS
#define LEGSIM_BATCH_NS default_target
#endif

namespace legsim::batch_detail::LEGSIM_BATCH_NS {

#ifdef LEGSIM_BATCH_ARCH
using B = xsimd::batch<double, LEGSIM_BATCH_ARCH>;
#else
using B = BatchD;
#endif
using Mask = B::batch_bool_type;
constexpr std::size_t kW = B::size;
using LaneArray = std::array<double, kW>;

inline B load(const LaneArray& a) { return B::load_unaligned(a.data()); }
inline double lane(const B& b, std::size_t l) {
  alignas(64) double buf[kW];
  b.store_aligned(buf);
  return buf[l];
}
inline void set_lane(B& b, std::size_t l, double v) {
  alignas(64) double buf[kW];
  b.store_aligned(buf);
  buf[l] = v;
  b = B::load_aligned(buf);
}
inline Mask mask_of(const std::array<bool, kW>& m) {
  alignas(64) double buf[kW];
  for (std::size_t l = 0; l < kW; ++l) buf[l] = m[l] ? 1.0 : 0.0;
  return B::load_aligned(buf) != B(0.0);
}

/// Lane l of a batch accumulator as a scalar one.
inline StanceAccumulator<double> lane_of(StanceAccumulator<B>& acc, std::size_t l) {
  StanceAccumulator<double> out;
  std::vector<double> values;
  acc.for_each_field([&](B& b) { values.push_back(lane(b, l)); });
  std::size_t i = 0;
  out.for_each_field([&](double& v) { v = values[i++]; });
  return out;
}
/// Resets lane l of a batch accumulator to a fresh accumulator's values.
inline void reset_lane(StanceAccumulator<B>& acc, std::size_t l) {
  StanceAccumulator<double> fresh;
  std::vector<double> values;
  fresh.for_each_field([&](double& v) { values.push_back(v); });
  std::size_t i = 0;
  acc.for_each_field([&](B& b) { set_lane(b, l, values[i++]); });
}

/// The worker of this target (batch_detail::RunWorker, worker.cpp).
RunWorker run_worker;

/// This target's description for the dispatcher (target.cpp).
extern const Target kTarget;

}  // namespace legsim::batch_detail::LEGSIM_BATCH_NS
