#pragma once
// The batch engine's SIMD targets (issue 22.2): what the entry point (stance_batch.cpp) needs to know
// of a compiled worker, without seeing its instruction set. Each target's objects (worker.cpp,
// target.cpp, compiled with that target's flags inside namespace legsim::batch_detail::<target>,
// lanes.hpp) define one Target; dispatch.cpp lists them and picks one.
#include <atomic>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim::batch_detail {

/// The shared settings, and the fixed step of bench/README.md's comparison (> 0: no error control).
struct Settings : StanceSettings {
  double fixed_step = 0.0;
};

/// One worker (one thread): a workspace of `lanes` lanes that pulls jobs from `next` until none are
/// left, filling at most initial_quota lanes at first (so small batches spread over the threads).
using RunWorker = void(const Model& model, std::span<const StanceJob> jobs, const BatchOptions& options,
                       const Settings& settings, std::atomic<std::size_t>& next,
                       std::vector<BatchStanceOutcome>& out, std::size_t initial_quota);

/// A compiled worker: the name BatchOptions::simd and LEGSIM_SIMD take, xsimd's architecture name,
/// the lanes, and the entry point.
struct Target {
  const char* name;
  const char* instruction_set;
  std::size_t lanes;
  RunWorker* run;
};

/// The target BatchOptions::simd names ("" = simd_target()); InputError naming options.simd when it
/// is not compiled in or this CPU cannot run it.
const Target& target_for(const std::string& simd);

}  // namespace legsim::batch_detail
