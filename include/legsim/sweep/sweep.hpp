#pragma once
// Sweeps: many gait conditions (and model-parameter variants) matched in a fixed order, each
// warm-started from its converged grid neighbour so results vary smoothly (docs/gait_matching.md).
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
  /// Extents of the grid the points form, in row-major order (the last axis varies fastest); their
  /// product must equal the number of points. Empty: the points are one axis. A point warm-starts
  /// from its grid predecessor (the previous value of the last axis; at the start of a row, the same
  /// point of the row before), not from the previous point in storage order, which at the start of
  /// a row is the far end of the row before.
  std::vector<std::size_t> shape;
  /// After the forward pass, match every point again warm-started from its grid successor's result
  /// (reverse order, half the stance budget) and keep the lower-effort one: a forward warm start
  /// can stay on a worse local effort minimum until that branch ends, which shows as a jump in the
  /// results (measured: 15 % in peak PFJ force at 3.0 m/s between cadence 180 and 182).
  bool backward_pass = true;
  /// Called after each finished point (index, result), e.g. to store it, and again when the backward
  /// pass replaces a point's result; may be empty.
  std::function<void(std::size_t, const GaitResult&)> on_result;
};

/// Matches every point in order; a point warm-starts from its grid predecessor (SweepOptions::shape)
/// if that converged, else from the last converged solution (or the given warm start); then the
/// backward pass (SweepOptions::backward_pass). Deterministic: the same points give the same results
/// bit for bit. Throws InputError if the shape does not match the number of points.
std::vector<GaitResult> sweep(const Model& model, const std::vector<SweepPoint>& points, const SweepOptions& options = {},
                              const std::vector<double>* warm_start = nullptr);

}  // namespace legsim
