// Build-time tool: writes the FMU's modelDescription.xml for a model file.
// Usage: legsim_fmu_describe <model.toml> <modelDescription.xml> <FMI version: 2 or 3>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "variables.hpp"

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[3]) != "2" && std::string(argv[3]) != "3")) {
    std::fprintf(stderr, "usage: %s <model.toml> <modelDescription.xml> <2|3>\n", argv[0]);
    return 2;
  }
  try {
    std::ifstream in(argv[1], std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const legsim::Model model = legsim::Model::from_toml(text.str(), argv[1]);
    std::ofstream out(argv[2], std::ios::binary);
    out << legsim::fmu::model_description(model, text.str(), std::stoi(argv[3]));
    return out ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
}
