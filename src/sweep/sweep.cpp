#include "legsim/sweep/sweep.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>

#include "legsim/core/error.hpp"

namespace legsim {

namespace {

/// Index of the grid point one step (−1 or +1) from k along the last axis where that stays inside
/// the grid, else along the nearest earlier axis; none at the grid's first (−1) or last (+1) point.
std::optional<std::size_t> grid_neighbour(const std::vector<std::size_t>& shape, std::size_t k, int step) {
  std::size_t stride = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    const std::size_t idx = (k / stride) % shape[d];
    if (step < 0 && idx > 0) return k - stride;
    if (step > 0 && idx + 1 < shape[d]) return k + stride;
    stride *= shape[d];
  }
  return std::nullopt;
}

}  // namespace

std::vector<GaitResult> sweep(const Model& model, const std::vector<SweepPoint>& points, const SweepOptions& options,
                              const std::vector<double>* warm_start) {
  if (points.empty() && options.shape.empty()) return {};
  const std::vector<std::size_t> shape = options.shape.empty() ? std::vector<std::size_t>{points.size()} : options.shape;
  const std::size_t n = std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
  if (n != points.size() || std::find(shape.begin(), shape.end(), 0) != shape.end())
    throw InputError("options.shape: extents multiply to " + std::to_string(n) + " (or include 0) but there are " +
                     std::to_string(points.size()) + " points: allowed positive extents whose product is the " +
                     "number of points, or empty for one axis");
  const auto match = [&](std::size_t i, const std::vector<double>* seed, const MatchingOptions& o) {
    const SweepPoint& pt = points[i];
    return match_gait(pt.params.empty() ? model : model.with_params(pt.params), pt.condition, o, seed);
  };
  std::vector<GaitResult> results;
  results.reserve(points.size());
  const std::vector<double>* last = warm_start;  // the last converged solution
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::optional<std::size_t> pred = grid_neighbour(shape, i, -1);
    const std::vector<double>* seed = pred && results[*pred].converged ? &results[*pred].solution : last;
    GaitResult r = match(i, seed, options.matching);
    if (options.on_result) options.on_result(i, r);
    results.push_back(std::move(r));
    // reserve() above keeps this pointer valid while results grows.
    if (results.back().converged) last = &results.back().solution;
  }
  if (!options.backward_pass) return results;
  // Half the forward budget, as in legsim.sweep: the backward pass only has to find a better branch.
  MatchingOptions backward = options.matching;
  backward.max_stances = std::max(1, options.matching.max_stances / 2);
  for (std::size_t k = results.size(); k-- > 0;) {
    const std::optional<std::size_t> succ = grid_neighbour(shape, k, +1);
    if (!succ || !results[*succ].converged) continue;
    GaitResult r = match(k, &results[*succ].solution, backward);
    const bool better = r.converged && (!results[k].converged ||
                                        r.metrics.at("effort") < results[k].metrics.at("effort") * (1.0 - 1e-9));
    if (!better) continue;
    results[k] = std::move(r);
    if (options.on_result) options.on_result(k, results[k]);
  }
  return results;
}

}  // namespace legsim
