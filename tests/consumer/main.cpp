// Uses the installed legsim through its one documented entry header: runs one stance of the default
// runner and checks that bad input arrives as a legsim::Error naming the field. Exit status 0 = ok.
#include <cstdio>
#include <string>

#include "legsim/sim/simulate.hpp"

namespace {

int run_stance() {
  const legsim::Model& model = legsim::Model::default_model();
  const legsim::StanceResult r = legsim::simulate_stance(model, legsim::TouchdownState{}, model.controller());
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
