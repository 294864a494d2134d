// Writes the reference the C API's gait-prediction test (test_capi_predict.c) compares against: the
// step predicted through the C++ API for the condition the C test sets (speed 3.5 m/s, 170
// steps/min, 30 mesh intervals; keep in step with kSpeed, kCadence and kMeshIntervals there). One line
// per number, "<section> <name> <value>" with 17 significant digits, so equal doubles print equal:
// section "metric" (every metric of gait_metrics, and contact_time, the right foot's), section
// "column.<name>" (the rows of two time-series columns, name = the row index), and section "warm"
// (the metrics of the step at kWarmCadence, predicted by the same Predictor warm-started from the
// first step, as the C test's legsim_gait_predictor does).
#include <cstdio>

#include "legsim/predict/predict.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output file>\n", argv[0]);
    return 2;
  }
  const legsim::Model& model = legsim::Model::default_model();
  legsim::GaitCondition condition;
  condition.speed = 3.5;
  condition.cadence = 170.0;
  legsim::predict::PredictOptions options;
  options.mesh_intervals = 30;
  legsim::predict::Predictor predictor(model);  // predict_gait is a Predictor used once
  const legsim::predict::PredictedGait g = predictor.solve(condition, options);
  legsim::GaitCondition warm_condition = condition;
  warm_condition.cadence = 176.0;  // kWarmCadence of the C test
  const legsim::predict::PredictedGait warm = g.converged ? predictor.solve(warm_condition, options, &g) : g;
  for (const auto* solved : {&g, &warm})
    if (!solved->converged) {
      std::fprintf(stderr, "reference prediction failed: %s\n", legsim::predict::gait_message(*solved, options).c_str());
      return 1;
    }
  std::FILE* f = std::fopen(argv[1], "w");
  if (!f) {
    std::perror(argv[1]);
    return 1;
  }
  const auto metrics = legsim::predict::gait_metrics(model, condition, g);
  std::fprintf(f, "metric contact_time %.17g\n", metrics.at("contact_time_s"));
  for (const auto& [name, value] : metrics) std::fprintf(f, "metric %s %.17g\n", name.c_str(), value);
  const legsim::predict::GaitTimeseries t = legsim::predict::gait_timeseries(g);
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c] != "time_s" && t.columns[c] != "pfj_force_r_n") continue;
    for (std::size_t k = 0; k < t.series[c].size(); ++k)
      std::fprintf(f, "column.%s %zu %.17g\n", t.columns[c].c_str(), k, t.series[c][k]);
  }
  const auto warm_metrics = legsim::predict::gait_metrics(model, warm_condition, warm);
  std::fprintf(f, "warm contact_time %.17g\n", warm_metrics.at("contact_time_s"));
  for (const auto& [name, value] : warm_metrics) std::fprintf(f, "warm %s %.17g\n", name.c_str(), value);
  return std::fclose(f) == 0 ? 0 : 1;
}
