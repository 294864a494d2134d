#pragma once
// The recorded time series of a scalar stance (DESIGN 5). One table of named columns, each with the
// value it reads from a sample, gives both the column names and the recorded numbers, so a column
// cannot be named in one place and filled in another.
#include <span>
#include <string>
#include <vector>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim {

/// Column names, in order: the body columns, then for every muscle (model order) its columns. all =
/// false: only the columns stance_metrics reads (what a stance records when the caller keeps no series).
std::vector<std::string> series_columns(const Model& model, bool all = true);

/// Records samples of a stance: evaluates the right-hand side's signals at (t, x) (stance_signals:
/// no mass-matrix solve), appends one row to the series and feeds the shared per-stance accumulator.
class Recorder {
 public:
  /// all: every column of series_columns(model), else only those stance_metrics reads.
  Recorder(const Model& model, const StanceConstants<double>& c, const ExcitationFn* excitation, bool all);

  void record(double t, std::span<const double> x);
  std::vector<std::vector<double>>& series() { return series_; }
  const StanceAccumulator<double>& accumulator() const { return acc_; }

 private:
  const StanceConstants<double>& c_;
  const ExcitationFn* excitation_;
  bool all_;
  std::array<double, kMaxMuscles> effort_weight_;
  std::vector<std::vector<double>> series_;
  StanceAccumulator<double> acc_;
};

}  // namespace legsim
