// Build-time tool: writes the FMU's modelDescription.xml for a model file.
// Usage: legsim_fmu_describe <model.toml> <modelDescription.xml>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "variables.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <model.toml> <modelDescription.xml>\n", argv[0]);
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const legsim::Model model = legsim::Model::from_toml(text.str(), argv[1]);
    std::ofstream out(argv[2], std::ios::binary);
    out << legsim::fmu::model_description(model, text.str());
    return out ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
}
