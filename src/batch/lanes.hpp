#pragma once
// Lane helpers of the batch engine: the SIMD type, moving single lanes in and out of batches, and
// the settings a worker runs with.
#include <array>
#include <atomic>
#include <span>
#include <vector>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim::batch_detail {

using B = BatchD;
using Mask = B::batch_bool_type;
constexpr std::size_t kW = B::size;
using LaneArray = std::array<double, kW>;
/// The shared settings, and the fixed step of bench/README.md's comparison (> 0: no error control).
struct Settings : StanceSettings {
  double fixed_step = 0.0;
};

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

/// One worker (one thread): a workspace of kW lanes that pulls jobs from `next` until none are
/// left, filling at most initial_quota lanes at first (so small batches spread over the threads).
void run_worker(const Model& model, std::span<const StanceJob> jobs, const BatchOptions& options,
                const Settings& settings, std::atomic<std::size_t>& next, std::vector<BatchStanceOutcome>& out,
                std::size_t initial_quota);

}  // namespace legsim::batch_detail
