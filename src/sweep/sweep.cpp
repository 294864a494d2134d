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
  return results;
}

}  // namespace legsim
