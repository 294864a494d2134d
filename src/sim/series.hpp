#pragma once
// The recorded time series of a scalar stance (DESIGN 5). One table of named columns, each with the
// value it reads from a sample, gives both the column names and the recorded numbers, so a column
// cannot be named in one place and filled in another.
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim {

/// Column names, in order: the body columns, then for every muscle (model order) its columns. all =
/// false: only the columns stance_metrics reads (what a stance records when the caller keeps no series).
std::vector<std::string> series_columns(const Model& model, bool all = true);

/// A stance's recorded rows of the column called name; throws InputError if there is none.
using ColumnLookup = std::function<std::span<const double>(std::string_view name)>;

/// stance_metrics (metrics.hpp) of a stance whose columns `column` looks up — a StanceResult's
/// series, or a Recorder's block while the stance runs (no copy of the series for record = false).
std::map<std::string, double> stance_metrics(const Model& model, const ColumnLookup& column, const StanceSummary& summary,
                                             std::span<const double> touchdown_state,
                                             std::span<const double> toeoff_state);

/// Records samples of a stance: evaluates the right-hand side's signals at (t, x) (stance_signals:
/// no mass-matrix solve), appends one row to the series and feeds the shared per-stance accumulator.
///
/// Samples are queued and their signals evaluated one SIMD batch of samples at a time (one sample
/// per lane, the batch engine's instantiation of the same stance_signals), then appended in time
/// order. Why (issue 22.5): the 0.5 ms output grid of a default stance asks for ~450 samples, which
/// one at a time cost about a fifth of the stance; a lane of an 8-wide batch costs a fraction of a
/// scalar evaluation. The rows equal the one-at-a-time ones to round-off.
///
/// The rows live in one column-major block (one allocation per stance), each column written a batch
/// of rows at a time by one SIMD store. Why (issue 22.5): a std::vector per column, filled by a
/// push_back per sample and column, cost ≈ 8 % of a default stance (the pushes, and the page faults
/// of ~48 separately allocated columns that glibc gave back to the system after every stance).
class Recorder {
 public:
  /// all: every column of series_columns(model), else only those stance_metrics reads.
  Recorder(const Model& model, const StanceConstants<double>& c, const ExcitationFn* excitation, bool all);

  /// Queues the sample at (t, x); samples must come in increasing t.
  void record(double t, std::span<const double> x);
  /// The recorded rows of the column called name (one of series_columns(model, all)), valid until
  /// the next record(); throws InputError if there is no such column.
  std::span<const double> column(std::string_view name);
  /// Every column, in series_columns(model, all) order (StanceResult::series).
  std::vector<std::vector<double>> series();
  /// The shared accumulator, with every queued sample recorded.
  const StanceAccumulator<double>& accumulator() {
    flush();
    return acc_;
  }

 private:
  using Lanes = xsimd::batch<double>;
  static constexpr int kLanes = static_cast<int>(Lanes::size);

  void flush();
  /// Room for a full batch of rows after the recorded ones (a batch store writes every lane).
  void reserve_batch();
  double* column_data(std::size_t k) { return block_.get() + k * capacity_; }

  const StanceConstants<double>& c_;
  StanceConstants<Lanes> lanes_c_;  ///< c_ in every lane
  const ExcitationFn* excitation_;
  bool all_;
  const std::vector<MuscleSpec>& muscles_;
  std::array<double, kMaxMuscles> effort_weight_;
  StanceAccumulator<double> acc_;
  std::size_t n_columns_, capacity_, rows_ = 0;  ///< rows: recorded; capacity: rows room per column
  std::unique_ptr<double[]> block_;              ///< column k at block_[k * capacity_, … + rows_)
  int queued_ = 0;  ///< samples queued for the next batch, lane-wise: [state or muscle][lane]
  std::array<double, kLanes> queued_t_{};
  std::array<std::array<double, kLanes>, state_size(kMaxMuscles)> queued_x_{};
  std::array<std::array<double, kLanes>, kMaxMuscles> queued_u_{};
  StanceSignals<Lanes> sig_{};  ///< the batch's signals (a member: not zeroed per batch)
};

}  // namespace legsim
