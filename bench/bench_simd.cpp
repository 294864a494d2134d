// The batch engine on each SIMD target (issue 22.2): every target compiled into this build that the
// CPU runs, on the same 512 stances, one thread, in one run — so a native build shows the portable
// build's dispatch targets (compiled with the wheel's flags, not -march=native) next to its own
// worker. Items: stances. CPU time of the calling thread (threads = 1 runs the worker there), not
// wall-clock time: on the shared machine the wall clock mostly measures the other processes.
// docs/decisions.md ("SIMD dispatch") has the figures.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "legsim/batch/stance_batch.hpp"

namespace {

using namespace legsim;

const Model& model() {
  static const Model m = Model::default_model();
  return m;
}

/// 512 stances on a grid around the default touchdown: hip flexion × knee flexion × level (8 each).
const std::vector<StanceJob>& jobs() {
  static const std::vector<StanceJob> j = [] {
    std::vector<StanceJob> out;
    for (int a = 0; a < 8; ++a)
      for (int b = 0; b < 8; ++b)
        for (int c = 0; c < 8; ++c) {
          StanceJob job;
          TouchdownState& td = job.touchdown;
          td.trunk_lean = 0.105;
          td.hip_flexion = 0.45 + 0.025 * a;
          td.knee_flexion = 0.25 + 0.02 * b;
          td.ankle_dorsiflexion = std::clamp(0.26 - (td.hip_flexion - td.trunk_lean - td.knee_flexion), -0.8, 0.6);
          td.hip_velocity_x = 3.5;
          td.hip_velocity_y = -0.5;
          td.hip_angular_velocity = -3.0;
          job.controller = model().controller();
          for (MuscleControl& m : job.controller.muscles) m.level = 0.35 + 0.05 * c;
          out.push_back(job);
        }
    return out;
  }();
  return j;
}

void BM_StanceBatchTarget(benchmark::State& state, const std::string& target) {
  BatchOptions bo;
  bo.threads = 1;
  bo.keep_states = false;
  bo.simd = target;
  long ok = 0;
  for (auto _ : state) {
    const auto out = simulate_stances(model(), jobs(), bo);
    for (const auto& o : out) ok += o.ok();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * jobs().size()));
  state.counters["ok_fraction"] = static_cast<double>(ok) / static_cast<double>(state.iterations() * jobs().size());
}

// One benchmark per supported target, named BM_StanceBatchTarget/<target>.
const bool kRegistered = [] {
  for (const SimdTarget& t : simd_targets())
    if (t.supported)
      benchmark::RegisterBenchmark(("BM_StanceBatchTarget/" + t.name).c_str(), BM_StanceBatchTarget, t.name)
          ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
