// Stance-level throughput (issue 5): the full right-hand side (scalar vs one xsimd batch of lanes),
// whole stances (scalar Odeint path vs the batch engine with 1 and 2 threads, N = 1…4096), the
// fixed-step lockstep variant with its accuracy, and gait matching time per condition.
// Items: RHS evaluations (lane evaluations for the batch) or stances. Stance and matching
// benchmarks use wall-clock time (UseRealTime), since the batch engine runs its own threads.
// bench/run_bench.py turns the JSON output into the ratios of bench/README.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/gait/condition.hpp"
#include "legsim/gait/matching.hpp"
#include "legsim/sim/simulate.hpp"

namespace {

using namespace legsim;
using Batch = BatchD;
constexpr std::size_t kLanes = Batch::size;

const Model& model() {
  static const Model m = Model::default_model();
  return m;
}

/// Seeded touchdowns and controllers around the model's defaults (the accuracy test's ranges).
std::vector<StanceJob> make_jobs(std::size_t n, unsigned seed = 42) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<StanceJob> jobs(n);
  for (StanceJob& job : jobs) {
    TouchdownState& td = job.touchdown;
    td.trunk_lean = 0.105;
    td.hip_flexion = 0.45 + 0.20 * u(rng);
    td.knee_flexion = 0.25 + 0.15 * u(rng);
    const double shank_angle = (td.hip_flexion - td.trunk_lean) - td.knee_flexion;
    td.ankle_dorsiflexion = std::clamp(15.0 * kDegToRad - shank_angle, -0.8, 0.6);
    td.hip_velocity_x = 3.0 + 1.0 * u(rng);
    td.hip_velocity_y = -0.7 + 0.4 * u(rng);
    td.hip_angular_velocity = -3.0;
    job.controller = model().controller();
    for (MuscleControl& m : job.controller.muscles) m.level = std::clamp(m.level * (0.8 + 0.4 * u(rng)), 0.0, 1.0);
  }
  return jobs;
}

const std::vector<StanceJob>& jobs_4096() {
  static const std::vector<StanceJob> j = make_jobs(4096);
  return j;
}

/// A typical loaded mid-stance state of a job (integrated 0.1 s from touchdown).
std::vector<double> mid_stance_state(const StanceConstants<double>& c, const TouchdownState& td) {
  namespace odeint = boost::numeric::odeint;
  std::vector<double> x = touchdown_state_vector(model(), c, td);
  const auto sys = [&](const std::vector<double>& s, std::vector<double>& ds, double t) {
    stance_rhs(c, t, s.data(), static_cast<const double*>(nullptr), ds.data());
  };
  odeint::integrate_adaptive(odeint::make_controlled(1e-8, 1e-6, odeint::runge_kutta_dopri5<std::vector<double>>()),
                             sys, x, 0.0, 0.1, 1e-5);
  return x;
}

void BM_RhsScalar(benchmark::State& state) {
  const StanceJob& job = jobs_4096()[0];
  const StanceConstants<double> c = make_stance_constants(model(), nullptr, &job.controller);
  const std::vector<double> x = mid_stance_state(c, job.touchdown);
  std::vector<double> dx(x.size());
  double t = 0.1;
  for (auto _ : state) {
    stance_rhs(c, t, x.data(), static_cast<const double*>(nullptr), dx.data());
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_RhsBatch(benchmark::State& state) {
  std::vector<StanceConstants<double>> lanes;
  std::vector<std::vector<double>> xs;
  for (std::size_t l = 0; l < kLanes; ++l) {
    const StanceJob& job = jobs_4096()[l];
    lanes.push_back(make_stance_constants(model(), nullptr, &job.controller));
    xs.push_back(mid_stance_state(lanes.back(), job.touchdown));
  }
  const StanceConstants<double>* ptr[kLanes];
  for (std::size_t l = 0; l < kLanes; ++l) ptr[l] = &lanes[l];
  const StanceConstants<Batch> c = pack_stance_constants<Batch>(ptr);
  const std::size_t n = xs[0].size();
  std::vector<Batch> x(n), dx(n), u(kMaxMuscles, Batch(0.0));
  for (std::size_t i = 0; i < n; ++i) {
    alignas(64) double buf[kLanes];
    for (std::size_t l = 0; l < kLanes; ++l) buf[l] = xs[l][i];
    x[i] = Batch::load_aligned(buf);
  }
  const Batch t(0.1);
  for (auto _ : state) {
    stance_rhs(c, t, x.data(), u.data(), dx.data());
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kLanes));
  state.counters["lanes"] = static_cast<double>(kLanes);
}

void BM_StanceScalar(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const auto& jobs = jobs_4096();
  StanceOptions so;
  so.record = false;
  long evaluations = 0, ok = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      const StanceResult r = simulate_stance(model(), jobs[i].touchdown, jobs[i].controller, so);
      evaluations += r.rhs_evaluations;
      ok += r.ok();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["rhs_per_stance"] = static_cast<double>(evaluations) / static_cast<double>(state.iterations() * n);
  state.counters["ok_fraction"] = static_cast<double>(ok) / static_cast<double>(state.iterations() * n);
}

/// The default stance (the model's touchdown state and controller, default options) in the scalar
/// path, with the default stiffness-switching integrator (integrator:0) or Dormand–Prince throughout
/// (integrator:1). Counters: derivative evaluations and accepted steps per stance.
void BM_StanceScalarDefault(benchmark::State& state) {
  StanceOptions so;
  so.record = false;
  so.integrator = state.range(0) == 0 ? StanceIntegrator::kStiffSwitching : StanceIntegrator::kDormandPrince;
  const TouchdownState td{};
  long evaluations = 0, steps = 0, ok = 0;
  for (auto _ : state) {
    const StanceResult r = simulate_stance(model(), td, model().controller(), so);
    evaluations += r.rhs_evaluations;
    steps += r.steps;
    ok += r.ok();
  }
  const double n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["rhs_per_stance"] = static_cast<double>(evaluations) / n;
  state.counters["steps_per_stance"] = static_cast<double>(steps) / n;
  state.counters["ok_fraction"] = static_cast<double>(ok) / n;
}

void BM_StanceBatch(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  BatchOptions bo;
  bo.threads = static_cast<int>(state.range(1));
  bo.keep_states = false;
  const std::span<const StanceJob> jobs(jobs_4096().data(), n);
  long evaluations = 0, ok = 0;
  for (auto _ : state) {
    const auto out = simulate_stances(model(), jobs, bo);
    for (const auto& o : out) {
      evaluations += o.rhs_evaluations;
      ok += o.ok();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["rhs_per_stance"] = static_cast<double>(evaluations) / static_cast<double>(state.iterations() * n);
  state.counters["ok_fraction"] = static_cast<double>(ok) / static_cast<double>(state.iterations() * n);
}

/// Fixed-step lockstep (no error control) on 64 stances, one thread; counters give the worst
/// relative deviation from the adaptive engine on peak PFJ force, contact time and peak GRF.
void BM_StanceBatchFixedStep(benchmark::State& state) {
  constexpr std::size_t n = 64;
  const double h = static_cast<double>(state.range(0)) * 1e-6;
  const std::span<const StanceJob> jobs(jobs_4096().data(), n);
  BatchOptions adaptive;
  adaptive.keep_states = false;
  const auto ref = simulate_stances(model(), jobs, adaptive);
  BatchOptions fixed = adaptive;
  fixed.fixed_step = h;
  std::vector<BatchStanceOutcome> out;
  for (auto _ : state) out = simulate_stances(model(), jobs, fixed);
  double worst = 0.0;
  long failed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!ref[i].ok()) continue;
    if (!out[i].ok()) {
      ++failed;
      continue;
    }
    const auto rel = [](double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-12); };
    worst = std::max({worst, rel(out[i].peak_pfj_force, ref[i].peak_pfj_force),
                      rel(out[i].contact_time, ref[i].contact_time),
                      rel(out[i].peak_vertical_grf, ref[i].peak_vertical_grf)});
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["step_us"] = h * 1e6;
  state.counters["max_rel_error"] = worst;
  state.counters["failed"] = static_cast<double>(failed);
}

/// Gait matching (gait/matching.hpp) on the default model, one condition per run; seconds per
/// condition = the run's real time. Whether it converged is a counter (it may not, yet).
void BM_GaitMatching(benchmark::State& state) {
  GaitCondition cond;
  cond.speed = 3.5;
  cond.cadence = static_cast<double>(state.range(0));
  MatchingOptions options;
  options.threads = static_cast<int>(state.range(1));  // 1 = the one-core figure; 0 = all cores
  bool converged = false;
  int evaluations = 0;
  for (auto _ : state) {
    const GaitResult r = match_gait(model(), cond, options);
    converged = r.converged;
    evaluations = r.evaluations;
  }
  state.counters["converged"] = converged ? 1.0 : 0.0;
  state.counters["stance_evaluations"] = evaluations;
  state.counters["cadence_spm"] = static_cast<double>(state.range(0));
}

BENCHMARK(BM_RhsScalar);
BENCHMARK(BM_RhsBatch);
BENCHMARK(BM_StanceScalar)->ArgName("n")->Arg(1)->Arg(8)->Arg(64)->Arg(512)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StanceScalarDefault)->ArgName("integrator")->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StanceBatch)
    ->ArgNames({"n", "threads"})
    ->ArgsProduct({{1, 8, 64, 512, 4096}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StanceBatchFixedStep)->ArgName("step_us")->Arg(20)->Arg(50)->Arg(100)->Arg(200)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GaitMatching)
    ->ArgNames({"cadence", "threads"})
    ->Args({170, 0})
    ->Args({180, 0})
    ->Args({170, 1})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
