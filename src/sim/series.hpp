#pragma once
// The recorded time series of a scalar stance (DESIGN 5). One table of named columns, each with the
// value it reads from a sample, gives both the column names and the recorded numbers, so a column
// cannot be named in one place and filled in another.
#include <span>
#include <string>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim {

/// Column names, in order: the body columns, then for every muscle (model order) its columns. all =
/// false: only the columns stance_metrics reads (what a stance records when the caller keeps no series).
std::vector<std::string> series_columns(const Model& model, bool all = true);

/// Records samples of a stance: evaluates the right-hand side's signals at (t, x) (stance_signals:
/// no mass-matrix solve), appends one row to the series and feeds the shared per-stance accumulator.
///
/// Samples are queued and their signals evaluated one SIMD batch of samples at a time (one sample
/// per lane, the batch engine's instantiation of the same stance_signals), then appended in time
/// order. Why (issue 22.5): the 0.5 ms output grid of a default stance asks for ~450 samples, which
/// one at a time cost about a fifth of the stance; a lane of an 8-wide batch costs a fraction of a
/// scalar evaluation. The rows equal the one-at-a-time ones to round-off.
class Recorder {
 public:
  /// all: every column of series_columns(model), else only those stance_metrics reads.
  Recorder(const Model& model, const StanceConstants<double>& c, const ExcitationFn* excitation, bool all);

  /// Queues the sample at (t, x); samples must come in increasing t.
  void record(double t, std::span<const double> x);
  /// The recorded series and the accumulator, with every queued sample evaluated.
  std::vector<std::vector<double>>& series() {
    flush();
    return series_;
  }
  const StanceAccumulator<double>& accumulator() {
    flush();
    return acc_;
  }

 private:
  using Lanes = xsimd::batch<double>;
  static constexpr int kLanes = static_cast<int>(Lanes::size);

  void flush();
  void append(double t, const double* x, const StanceSignals<double>& s);

  const StanceConstants<double>& c_;
  StanceConstants<Lanes> lanes_c_;  ///< c_ in every lane
  const ExcitationFn* excitation_;
  bool all_;
  std::array<double, kMaxMuscles> effort_weight_;
  std::vector<std::vector<double>> series_;
  StanceAccumulator<double> acc_;
  int queued_ = 0;
  std::array<double, kLanes> queued_t_{};
  std::array<std::array<double, state_size(kMaxMuscles)>, kLanes> queued_x_{};
  std::array<std::array<double, kMaxMuscles>, kLanes> queued_u_{};
};

}  // namespace legsim
