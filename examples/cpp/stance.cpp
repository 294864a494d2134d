// Simulates one stance of the default runner with a simple feedforward excitation and prints the
// metrics. Build: cmake --build build --target example_stance; run: build/examples/cpp/example_stance
#include <cstdio>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"

int main() {
  const legsim::Model& model = legsim::Model::default_model();
  legsim::FeedforwardExcitation ff;
  for (const auto& m : model.muscles()) {
    // Muscle order follows the model file; a flat moderate pattern for illustration.
    double level = 0.05;
    if (m.name == "soleus" || m.name == "gastrocnemius") level = 0.5;
    if (m.name == "quadriceps") level = 0.4;
    if (m.name == "gluteus" || m.name == "hamstrings") level = 0.2;
    ff.times.push_back({0.0, 0.15, 0.3});
    ff.levels.push_back({level, level, 0.02});
  }
  legsim::TouchdownState td;
  td.activations.assign(model.muscles().size(), 0.0);
  for (std::size_t i = 0; i < model.muscles().size(); ++i) td.activations[i] = ff.levels[i][0];
  const legsim::StanceResult r = legsim::simulate_stance(model, td, ff);
  if (!r.ok()) {
    std::printf("stance failed: %s\n", r.message.c_str());
    return 1;
  }
  std::printf("steps %ld, rhs evaluations %ld\n", r.steps, r.rhs_evaluations);
  for (const auto& [k, v] : r.metrics) std::printf("%-45s %10.4f\n", k.c_str(), v);
  return 0;
}
