// Gait prediction timing (issue 19, item 8): one cold solve from the generic guess and one warm
// solve from the neighbouring cadence's solution, one core, default condition (3.5 m/s, 170 steps/min).
// Google Benchmark, one iteration each (a solve takes seconds to minutes); counters record IPOPT's
// iterations (all phases), whether it converged, IPOPT's seconds and the seconds spent building the
// problem's derivatives (CasADi): predict_gait builds them per call, a Predictor once per model.
#include <benchmark/benchmark.h>

#include "legsim/predict/predict.hpp"

namespace {

using legsim::GaitCondition;
using legsim::Model;
using legsim::predict::PredictedGait;

GaitCondition condition(double cadence) {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = cadence;
  return c;
}

void report(benchmark::State& state, const PredictedGait& g) {
  state.counters["iterations"] = g.iterations;
  state.counters["converged"] = g.converged ? 1.0 : 0.0;
  state.counters["solver_seconds"] = g.seconds;  // IPOPT's runs; the rest is building the solvers
  double setup = 0.0;
  for (const auto& p : g.phases) setup += p.setup_seconds;
  state.counters["setup_seconds"] = setup;
  state.counters["phases"] = static_cast<double>(g.phases.size());
}

void BM_PredictCold(benchmark::State& state) {
  const Model& model = Model::default_model();
  PredictedGait g;
  for (auto _ : state) g = legsim::predict::predict_gait(model, condition(170.0));
  report(state, g);
}
BENCHMARK(BM_PredictCold)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// A sweep's step: the Predictor has built the problem at the neighbour's solve, so the timed solve is
// IPOPT's alone (setup_seconds ≈ 0); the build's cost is in BM_PredictCold's setup_seconds.
void BM_PredictWarm(benchmark::State& state) {
  legsim::predict::Predictor predictor(Model::default_model());
  const PredictedGait neighbour = predictor.solve(condition(175.0));
  PredictedGait g;
  for (auto _ : state) g = predictor.solve(condition(170.0), {}, &neighbour);
  report(state, g);
}
BENCHMARK(BM_PredictWarm)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
