#include "legsim/sweep/sweep.hpp"

#include <algorithm>

namespace legsim {

std::vector<GaitResult> sweep(const Model& model, const std::vector<SweepPoint>& points, const SweepOptions& options,
                              const std::vector<double>* warm_start) {
  const auto match = [&](std::size_t i, const std::vector<double>* seed, const MatchingOptions& o) {
    const SweepPoint& pt = points[i];
    return match_gait(pt.params.empty() ? model : model.with_params(pt.params), pt.condition, o, seed);
  };
  std::vector<GaitResult> results;
  results.reserve(points.size());
  std::vector<double> seed = warm_start ? *warm_start : std::vector<double>{};
  for (std::size_t i = 0; i < points.size(); ++i) {
    GaitResult r = match(i, seed.empty() ? nullptr : &seed, options.matching);
    if (r.converged) seed = r.solution;
    if (options.on_result) options.on_result(i, r);
    results.push_back(std::move(r));
  }
  if (!options.backward_pass) return results;
  // Half the forward budget, as in legsim.sweep: the backward pass only has to find a better branch.
  MatchingOptions backward = options.matching;
  backward.max_stances = std::max(1, options.matching.max_stances / 2);
  for (std::size_t i = results.size(); i-- > 1;) {
    const std::size_t k = i - 1;
    if (!results[i].converged) continue;
    GaitResult r = match(k, &results[i].solution, backward);
    const bool better = r.converged && (!results[k].converged ||
                                        r.metrics.at("effort") < results[k].metrics.at("effort") * (1.0 - 1e-9));
    if (!better) continue;
    results[k] = std::move(r);
    if (options.on_result) options.on_result(k, results[k]);
  }
  return results;
}

}  // namespace legsim
