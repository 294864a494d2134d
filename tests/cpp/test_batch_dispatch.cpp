// The batch engine's SIMD targets (issue 22.2, batch/dispatch.hpp): every target compiled into this
// build that this CPU runs gives the same outcomes as the default one to the batch tests' accuracy
// (tests/cpp/test_batch_engine.cpp), the default is the widest supported target, and a target that
// is not there is an input error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/error.hpp"

using namespace legsim;

namespace {

// test_batch_engine.cpp's bars for a batch lane against the scalar path: targets differ from each
// other by less (the same integrator and step control; only FMA contraction, xsimd's transcendental
// functions per instruction set and thus the adaptive steps differ).
constexpr double kPeakBar = 2.5e-5;    // peak PFJ force, peak vertical GRF, peak knee flexion, toe-off vx
constexpr double kToeOffBar = 2.5e-4;  // contact time and effort

double rel_diff(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-12); }

/// 27 stances (not a multiple of any lane count: lanes are refilled) on a grid around the model's
/// touchdown and controller: hip flexion × knee flexion × excitation level.
std::vector<StanceJob> grid_jobs(const Model& model) {
  std::vector<StanceJob> jobs;
  for (double hip : {0.45, 0.55, 0.65})
    for (double knee : {0.25, 0.32, 0.40})
      for (double level : {0.4, 0.55, 0.7}) {
        StanceJob job;
        job.touchdown.trunk_lean = 0.105;
        job.touchdown.hip_flexion = hip;
        job.touchdown.knee_flexion = knee;
        job.touchdown.ankle_dorsiflexion = std::clamp(0.26 - (hip - 0.105 - knee), -0.8, 0.6);
        job.touchdown.hip_velocity_x = 3.5;
        job.touchdown.hip_velocity_y = -0.5;
        job.touchdown.hip_angular_velocity = -3.0;
        job.controller = model.controller();
        for (MuscleControl& m : job.controller.muscles) m.level = level;
        jobs.push_back(job);
      }
  return jobs;
}

}  // namespace

TEST_CASE("every SIMD target this CPU runs gives the default target's outcomes", "[batch][simd]") {
  const Model model = Model::default_model();
  const std::vector<StanceJob> jobs = grid_jobs(model);
  BatchOptions bo;
  bo.threads = 2;
  const std::vector<BatchStanceOutcome> ref = simulate_stances(model, jobs, bo);
  int ok = 0;
  for (const BatchStanceOutcome& o : ref) ok += o.ok();
  REQUIRE(ok >= 20);  // the comparison below is about real stances
  int compared = 0;
  for (const SimdTarget& t : simd_targets()) {
    if (!t.supported) continue;
    INFO("target " << t.name << " (" << t.instruction_set << ", " << t.lanes << " lanes)");
    bo.simd = t.name;
    const std::vector<BatchStanceOutcome> out = simulate_stances(model, jobs, bo);
    REQUIRE(out.size() == jobs.size());
    double worst_peak = 0.0, worst_toeoff = 0.0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      INFO("job " << i);
      REQUIRE(out[i].status == ref[i].status);
      if (!ref[i].ok()) continue;
      worst_peak = std::max({worst_peak, rel_diff(out[i].peak_pfj_force, ref[i].peak_pfj_force),
                             rel_diff(out[i].peak_vertical_grf, ref[i].peak_vertical_grf),
                             rel_diff(out[i].peak_knee_flexion, ref[i].peak_knee_flexion),
                             rel_diff(out[i].com_toeoff.vx, ref[i].com_toeoff.vx)});
      worst_toeoff = std::max({worst_toeoff, rel_diff(out[i].contact_time, ref[i].contact_time),
                               rel_diff(out[i].effort, ref[i].effort)});
    }
    std::printf("SIMD target %s (%s, %zu lanes) vs %s: peaks %.2e, contact time and effort %.2e\n", t.name.c_str(),
                t.instruction_set.c_str(), t.lanes, simd_target().name.c_str(), worst_peak, worst_toeoff);
    CHECK(worst_peak < kPeakBar);
    CHECK(worst_toeoff < kToeOffBar);
    ++compared;
  }
  CHECK(compared >= 1);
}

TEST_CASE("the default SIMD target is the widest this CPU runs, and batch_lanes() is its width", "[batch][simd]") {
  const std::vector<SimdTarget> all = simd_targets();
  REQUIRE_FALSE(all.empty());
  CHECK(all.front().supported);  // the library's own worker runs where the library runs
  std::size_t widest = 0;
  for (const SimdTarget& t : all) {
    INFO(t.name);
    CHECK(t.lanes >= 1);
    if (t.supported) widest = std::max(widest, t.lanes);
    // The extra targets have the lane count of their instruction set (doubles per register).
    if (t.name == "sse2") CHECK(t.lanes == 2);
    if (t.name == "avx2") CHECK(t.lanes == 4);
    if (t.name == "avx512") CHECK(t.lanes == 8);
  }
  if (std::getenv("LEGSIM_SIMD") == nullptr) CHECK(simd_target().lanes == widest);
  CHECK(batch_lanes() == simd_target().lanes);
#ifdef LEGSIM_EXPECTED_SIMD_TARGETS
  // The extra targets CMake compiled (cmake/LegsimSimdTargets.cmake, comma-separated) are all listed.
  std::istringstream expected(LEGSIM_EXPECTED_SIMD_TARGETS);
  for (std::string name; std::getline(expected, name, ',');) {
    INFO("expected target " << name);
    CHECK(std::count_if(all.begin(), all.end(), [&](const SimdTarget& t) { return t.name == name; }) == 1);
  }
#endif
}

TEST_CASE("a SIMD target that is not compiled in is an input error naming options.simd", "[batch][simd]") {
  const Model model = Model::default_model();
  const std::vector<StanceJob> jobs = grid_jobs(model);
  BatchOptions bo;
  bo.simd = "altivec";
  REQUIRE_THROWS_AS(simulate_stances(model, jobs, bo), InputError);
  REQUIRE_THROWS_WITH(simulate_stances(model, jobs, bo),
                      Catch::Contains("options.simd = 'altivec'") && Catch::Contains("compiled: " + simd_targets().front().name));
}
