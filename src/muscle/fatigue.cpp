// Static calf fatigue weights and capacity factors (DESIGN 3.4; see fatigue.hpp).
#include "legsim/muscle/fatigue.hpp"

#include <algorithm>
#include <string>

#include "legsim/core/error.hpp"

namespace legsim {

std::vector<double> calf_fatigue_weights(std::span<const double> slow_fractions) {
  require(!slow_fractions.empty(), "slow_fractions.size", 0.0, "at least 1");
  double max_fast = 0.0;
  for (std::size_t i = 0; i < slow_fractions.size(); ++i) {
    require_in_range("slow_fractions[" + std::to_string(i) + "]", slow_fractions[i], 0.0, 1.0);
    max_fast = std::max(max_fast, 1.0 - slow_fractions[i]);
  }
  require(max_fast > 0.0, "max fast-twitch fraction (1 - slow fraction)", max_fast, "(0, 1]");
  std::vector<double> weights(slow_fractions.size());
  for (std::size_t i = 0; i < slow_fractions.size(); ++i) weights[i] = (1.0 - slow_fractions[i]) / max_fast;
  return weights;
}

double fatigue_capacity_factor(double calf_fatigue, double weight) {
  require_in_range("calf_fatigue", calf_fatigue, 0.0, kMaxCalfFatigue);
  require_in_range("fatigue_weight", weight, 0.0, 1.0);
  return 1.0 - calf_fatigue * weight;
}

}  // namespace legsim
