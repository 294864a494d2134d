#include "legsim/sweep/sweep.hpp"

namespace legsim {

std::vector<GaitResult> sweep(const Model& model, const std::vector<SweepPoint>& points, const SweepOptions& options,
                              const std::vector<double>* warm_start) {
  std::vector<GaitResult> results;
  results.reserve(points.size());
  std::vector<double> seed = warm_start ? *warm_start : std::vector<double>{};
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPoint& pt = points[i];
    const Model m = pt.params.empty() ? model : model.with_params(pt.params);
    GaitResult r = match_gait(m, pt.condition, options.matching, seed.empty() ? nullptr : &seed);
    if (r.converged) seed = r.solution;
    if (options.on_result) options.on_result(i, r);
    results.push_back(std::move(r));
  }
  if (!options.backward_pass) return results;
  for (std::size_t i = results.size(); i-- > 1;) {
    const std::size_t k = i - 1;
    if (!results[i].converged) continue;
    const SweepPoint& pt = points[k];
    const Model m = pt.params.empty() ? model : model.with_params(pt.params);
    GaitResult r = match_gait(m, pt.condition, options.matching, &results[i].solution);
    const bool better = r.converged && (!results[k].converged ||
                                        r.metrics.at("effort") < results[k].metrics.at("effort") * (1.0 - 1e-9));
    if (!better) continue;
    results[k] = std::move(r);
    if (options.on_result) options.on_result(k, results[k]);
  }
  return results;
}

}  // namespace legsim
