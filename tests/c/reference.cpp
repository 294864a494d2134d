// Writes the reference the C API test (test_capi.c) compares against: the metrics of the default
// runner's default stance computed through the C++ API, once with the model's controller and once
// with constant excitations (kExcitations below, the same the C test sets). One line per number,
// "<section> <name> <value>" with 17 significant digits, so equal doubles print equal.
#include <cstdio>
#include <map>
#include <string>

#include "legsim/sim/simulate.hpp"

namespace {

// Constant excitations of the "excitation" section; muscles not listed get 0.01 (the C API's
// default for unset muscles). Keep in step with kExcitations in test_capi.c.
const std::map<std::string, double> kExcitations = {{"soleus", 0.5}, {"gastrocnemius", 0.5}, {"quadriceps", 0.4}};

void write(std::FILE* f, const char* section, const legsim::StanceResult& r) {
  std::fprintf(f, "%s contact_time %.17g\n", section, r.contact_time);
  for (const auto& [name, value] : r.metrics) std::fprintf(f, "%s %s %.17g\n", section, name.c_str(), value);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output file>\n", argv[0]);
    return 2;
  }
  const legsim::Model& model = legsim::Model::default_model();
  const legsim::StanceResult controlled = legsim::simulate_stance(model, {}, model.controller());
  legsim::FeedforwardExcitation constant;
  for (const auto& m : model.muscles()) {
    const auto it = kExcitations.find(m.name);
    constant.times.push_back({0.0});
    constant.levels.push_back({it == kExcitations.end() ? 0.01 : it->second});
  }
  const legsim::StanceResult excited = legsim::simulate_stance(model, {}, constant);
  if (!controlled.ok() || !excited.ok()) {
    std::fprintf(stderr, "reference stance failed: %s %s\n", controlled.message.c_str(), excited.message.c_str());
    return 1;
  }
  std::FILE* f = std::fopen(argv[1], "w");
  if (!f) {
    std::perror(argv[1]);
    return 1;
  }
  write(f, "controller", controlled);
  write(f, "excitation", excited);
  return std::fclose(f) == 0 ? 0 : 1;
}
