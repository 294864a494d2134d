#pragma once
// Sweeps: many gait conditions (and model-parameter variants) matched in a fixed order, each
// warm-started from the previous converged solution so results vary smoothly (DESIGN 3.6).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "legsim/gait/matching.hpp"

namespace legsim {

/// One point of a sweep: a condition and optional model-parameter overrides (Model::with_params paths).
struct SweepPoint {
  GaitCondition condition;
  std::map<std::string, double> params;
};

struct SweepOptions {
  MatchingOptions matching;
  /// Called after each finished point (index, result), e.g. to store it; may be empty.
  std::function<void(std::size_t, const GaitResult&)> on_result;
};

/// Matches every point in order; a point warm-starts from the last converged solution (or the
/// given warm start). Deterministic: the same points give the same results bit for bit.
std::vector<GaitResult> sweep(const Model& model, const std::vector<SweepPoint>& points, const SweepOptions& options = {},
                              const std::vector<double>* warm_start = nullptr);

}  // namespace legsim
