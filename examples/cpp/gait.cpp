// Matches one periodic running stance at a condition and prints metrics and residuals.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "legsim/gait/matching.hpp"

int main(int argc, char** argv) {
  legsim::GaitCondition c;
  c.speed = argc > 1 ? std::atof(argv[1]) : 3.5;
  c.cadence = argc > 2 ? std::atof(argv[2]) : 170.0;
  c.calf_fatigue = argc > 3 ? std::atof(argv[3]) : 0.0;
  const auto t0 = std::chrono::steady_clock::now();
  const legsim::GaitResult r = legsim::match_gait(legsim::Model::default_model(), c);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s (%d stances, %.2f s)\n", r.message.c_str(), r.evaluations, s);
  for (const auto& [k, v] : r.residuals) std::printf("  residual %-40s % .5f\n", k.c_str(), v);
  for (std::size_t i = 0; i < r.solution.size(); ++i)
    std::printf("  %-32s % .4f\n", legsim::gait_variable_names()[i].c_str(), r.solution[i]);
  for (const auto& [k, v] : r.metrics) std::printf("  %-45s % .4f\n", k.c_str(), v);
  return r.converged ? 0 : 1;
}
