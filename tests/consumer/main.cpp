// Uses the installed legsim through its one documented entry header: runs one stance of the default
// runner and checks that bad input arrives as a legsim::Error naming the field. Exit status 0 = ok.
#include <cstdio>
#include <string>

#include "legsim/sim/simulate.hpp"

namespace {

int run_stance() {
  const legsim::Model& model = legsim::Model::default_model();
  // Open-loop feedforward (as Python's legsim.default_excitation): calf and quadriceps active
  // through stance, the rest near rest; the touchdown activations match the first levels.
  legsim::FeedforwardExcitation ff;
  legsim::TouchdownState td;
  for (const auto& m : model.muscles()) {
    const double level = (m.name == "soleus" || m.name == "gastrocnemius") ? 0.5 : m.name == "quadriceps" ? 0.4 : 0.05;
    ff.times.push_back({0.0, 0.15, 0.3});
    ff.levels.push_back({level, level, 0.02});
    td.activations.push_back(level);
  }
  const legsim::StanceResult r = legsim::simulate_stance(model, td, ff);
  if (!r.ok() || !(r.contact_time > 0.1 && r.contact_time < 0.5)) {
    std::fprintf(stderr, "stance: %s (contact %g s)\n", r.message.c_str(), r.contact_time);
    return 1;
  }
  std::printf("stance ok: contact %.3f s\n", r.contact_time);
  return 0;
}

int bad_input_throws() {
  legsim::TouchdownState td;
  td.knee_flexion = 5.0;  // rad, outside [0, 1.5]
  try {
    legsim::simulate_stance(legsim::Model::default_model(), td, legsim::Model::default_model().controller());
  } catch (const legsim::Error& e) {
    const bool named = std::string(e.what()).find("knee_flexion") != std::string::npos;
    std::printf("bad input: %s\n", e.what());
    return named ? 0 : 1;
  }
  std::fprintf(stderr, "bad input: no legsim::Error thrown\n");
  return 1;
}

}  // namespace

int main() { return run_stance() + bad_input_throws(); }
