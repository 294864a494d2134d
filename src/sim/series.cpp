#include "series.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/body/dynamics.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"

namespace legsim {
namespace {

using Lanes = xsimd::batch<double>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// What a column reads: a SIMD batch of samples (one per lane) — their times, state vectors
/// (stance_dynamics.hpp layout, x[i] holds state i of every lane) and the right-hand side's signals.
struct Sample {
  const Lanes& t;
  const Lanes* x;
  const StanceSignals<Lanes>& s;
};

/// A column: its name, the value it reads, and whether stance_metrics (metrics.cpp) reads it — the
/// columns a stance records when the caller does not keep the series (StanceOptions::record).
struct BodyColumn {
  std::string_view name;
  Lanes (*value)(const Sample&);
  bool metric;
};

// Joint moments are reported as the internal moment that extends the hip and knee and plantarflexes
// the ankle: the negative of the moment along +q (flexion, dorsiflexion).
constexpr BodyColumn kBodyColumns[] = {
    {"time_s", [](const Sample& v) { return v.t; }, true},
    {"hip_x_m", [](const Sample& v) { return v.x[kStateQ + 0]; }, false},
    {"hip_y_m", [](const Sample& v) { return v.x[kStateQ + 1]; }, false},
    {"trunk_lean_deg", [](const Sample& v) { return v.x[kStateQ + 2] * kRadToDeg; }, false},
    {"hip_flexion_deg", [](const Sample& v) { return v.x[kStateQ + 3] * kRadToDeg; }, false},
    {"knee_flexion_deg", [](const Sample& v) { return v.x[kStateQ + 4] * kRadToDeg; }, false},
    {"ankle_dorsiflexion_deg", [](const Sample& v) { return v.x[kStateQ + 5] * kRadToDeg; }, false},
    {"hip_flexion_velocity_rad_per_s", [](const Sample& v) { return v.x[kStateQd + 3]; }, true},
    {"knee_flexion_velocity_rad_per_s", [](const Sample& v) { return v.x[kStateQd + 4]; }, true},
    {"ankle_dorsiflexion_velocity_rad_per_s", [](const Sample& v) { return v.x[kStateQd + 5]; }, true},
    {"grf_x_n", [](const Sample& v) { return v.s.grf_x; }, true},
    {"grf_y_n", [](const Sample& v) { return v.s.grf_y; }, true},
    {"heel_normal_force_n", [](const Sample& v) { return v.s.normal_force[kHeel]; }, false},
    {"metatarsal_normal_force_n", [](const Sample& v) { return v.s.normal_force[kMetatarsalHead]; }, false},
    {"contact_power_w", [](const Sample& v) { return v.s.contact_power; }, true},
    {"friction_power_w", [](const Sample& v) { return v.s.friction_power; }, true},
    {"hip_extension_moment_nm", [](const Sample& v) { return -v.s.joint_moment[int(Joint::kHip)]; }, true},
    {"knee_extension_moment_nm", [](const Sample& v) { return -v.s.joint_moment[int(Joint::kKnee)]; }, true},
    {"ankle_plantarflexion_moment_nm", [](const Sample& v) { return -v.s.joint_moment[int(Joint::kAnkle)]; }, true},
    {"com_x_m", [](const Sample& v) { return v.s.body_com_x; }, false},
    {"com_y_m", [](const Sample& v) { return v.s.body_com_y; }, false},
    {"com_velocity_x_m_per_s", [](const Sample& v) { return v.s.body_com_vx; }, false},
    {"com_velocity_y_m_per_s", [](const Sample& v) { return v.s.body_com_vy; }, false},
    {"quadriceps_force_n", [](const Sample& v) { return v.s.quadriceps_force; }, false},
    {"pfj_force_n", [](const Sample& v) { return v.s.pfj_force; }, false},
    {"pfj_stress_pa", [](const Sample& v) { return v.s.pfj_stress; }, false},
    {"pfj_force_moment_method_n", [](const Sample& v) { return v.s.pfj_force_moment_method; }, true},
};

/// A muscle's column: "<muscle name><suffix>".
struct MuscleColumn {
  std::string_view suffix;
  const std::array<Lanes, kMaxMuscles> StanceSignals<Lanes>::*signal;
  bool metric;
};

constexpr MuscleColumn kMuscleColumns[] = {
    {"_excitation", &StanceSignals<Lanes>::excitation, false},
    {"_activation", &StanceSignals<Lanes>::activation, false},
    {"_force_n", &StanceSignals<Lanes>::force, true},
    {"_fiber_length_m", &StanceSignals<Lanes>::fiber_length, false},
    {"_norm_fiber_length", &StanceSignals<Lanes>::norm_fiber_length, true},
    {"_fiber_velocity_m_per_s", &StanceSignals<Lanes>::fiber_velocity, true},
    {"_fiber_force_n", &StanceSignals<Lanes>::fiber_force, true},
    {"_mtu_length_m", &StanceSignals<Lanes>::mtu_length, false},
    {"_tendon_strain", &StanceSignals<Lanes>::tendon_strain, true},
};

/// Calls body(k, column) for every body column and muscle(k, i, column) for every column of muscle
/// i < n_muscles that a recording of `all` (Recorder) keeps, k counting them in series_columns order:
/// the one place that says which columns a recording has and in what order.
template <class Body, class Muscle>
void visit_columns(bool all, std::size_t n_muscles, Body&& body, Muscle&& muscle) {
  std::size_t k = 0;
  for (const BodyColumn& c : kBodyColumns)
    if (all || c.metric) body(k++, c);
  for (std::size_t i = 0; i < n_muscles; ++i)
    for (const MuscleColumn& c : kMuscleColumns)
      if (all || c.metric) muscle(k++, i, c);
}

std::size_t column_count(bool all, std::size_t n_muscles) {
  std::size_t n = 0;
  visit_columns(all, n_muscles, [&](std::size_t, const BodyColumn&) { ++n; },
                [&](std::size_t, std::size_t, const MuscleColumn&) { ++n; });
  return n;
}

/// Lane l of the signals StanceAccumulator::record reads, into `one` (its other fields untouched).
/// Why only these (issue 22.5): copying all ≈ 150 signals of every lane, for a record() that reads
/// a dozen of them, was ≈ 2.5 % of a default stance (perf: Recorder::flush's lane transposition).
/// Recorder::flush leaves the others NaN, so that a signal record() starts to read without being
/// copied here turns the stance summary non-finite (stance_summary_problem) instead of plausible.
void accumulator_signals(const StanceSignals<Lanes>& batch, int l, int n_muscles, StanceSignals<double>& one) {
  static_assert(std::is_trivially_copyable_v<Lanes>);
  const auto lane = [l](const Lanes& v) {
    double d;  // a batch's lanes are its bytes in order (copied as bytes: trivially copyable)
    std::memcpy(&d, reinterpret_cast<const unsigned char*>(&v) + static_cast<std::size_t>(l) * sizeof(double), sizeof d);
    return d;
  };
  for (int i = 0; i < n_muscles; ++i) one.activation[i] = lane(batch.activation[i]);
  one.grf_y = lane(batch.grf_y);
  one.quadriceps_force = lane(batch.quadriceps_force);
  one.pfj_force = lane(batch.pfj_force);
  one.pfj_stress = lane(batch.pfj_stress);
  one.body_com_x = lane(batch.body_com_x);
  one.body_com_y = lane(batch.body_com_y);
  one.body_com_vx = lane(batch.body_com_vx);
  one.body_com_vy = lane(batch.body_com_vy);
}

/// Per-lane constants that all point at one stance's constants.
template <class B>
StanceConstants<B> broadcast_constants(const StanceConstants<double>& c) {
  std::array<const StanceConstants<double>*, B::size> lanes;
  lanes.fill(&c);
  return pack_stance_constants<B>(lanes.data());
}

}  // namespace

std::vector<std::string> series_columns(const Model& model, bool all) {
  std::vector<std::string> cols;
  cols.reserve(column_count(all, model.muscles().size()));
  visit_columns(all, model.muscles().size(), [&](std::size_t, const BodyColumn& c) { cols.emplace_back(c.name); },
                [&](std::size_t, std::size_t i, const MuscleColumn& c) { cols.push_back(std::string(model.muscles()[i].name).append(c.suffix)); });
  return cols;
}

Recorder::Recorder(const Model& model, const StanceConstants<double>& c, const ExcitationFn* excitation, bool all)
    : c_(c),
      lanes_c_(broadcast_constants<Lanes>(c)),
      excitation_(excitation),
      all_(all),
      muscles_(model.muscles()),
      effort_weight_(effort_weights(model)),
      n_columns_(column_count(all, model.muscles().size())) {
  // Room for a running stance's samples (contact times are below 0.4 s; a longer stance doubles it).
  // Not zeroed (make_unique_for_overwrite): only the recorded rows are ever written or read.
  const IntegratorSettings& is = model.integrator();
  const double span = std::min(0.4, is.max_stance_time);
  capacity_ = static_cast<std::size_t>(std::min(span / is.output_interval, 4096.0)) + 2 + kLanes;
  block_ = std::make_unique_for_overwrite<double[]>(n_columns_ * capacity_);
}

void Recorder::record(double t, std::span<const double> x) {
  // Stored lane-wise (queued_x_[i][l]: state i of sample l), so that flush() loads each state of the
  // batch with one SIMD load (gathering 8 just-written scalars stalls on store forwarding).
  const int l = queued_++;
  queued_t_[l] = t;
  for (std::size_t i = 0; i < x.size(); ++i) queued_x_[i][l] = x[i];
  std::array<double, kMaxMuscles> u{};
  if (excitation_) (*excitation_)(t, x, std::span<double>(u.data(), c_.n_muscles));
  for (int i = 0; i < c_.n_muscles; ++i) queued_u_[i][l] = u[i];
  if (queued_ == kLanes) flush();
}

std::span<const double> Recorder::column(std::string_view name) {
  flush();
  std::size_t found = n_columns_;
  visit_columns(all_, muscles_.size(),
                [&](std::size_t k, const BodyColumn& c) {
                  if (name == c.name) found = k;
                },
                [&](std::size_t k, std::size_t i, const MuscleColumn& c) {
                  const std::string& m = muscles_[i].name;
                  if (name.size() == m.size() + c.suffix.size() && name.starts_with(m) && name.ends_with(c.suffix))
                    found = k;
                });
  if (found == n_columns_) throw InputError("no time-series column '" + std::string(name) + "'");
  return {column_data(found), rows_};
}

std::vector<std::vector<double>> Recorder::series() {
  flush();
  std::vector<std::vector<double>> out(n_columns_);
  for (std::size_t k = 0; k < n_columns_; ++k) out[k].assign(column_data(k), column_data(k) + rows_);
  return out;
}

void Recorder::reserve_batch() {
  if (rows_ + kLanes <= capacity_) return;
  const std::size_t capacity = 2 * capacity_;
  auto block = std::make_unique_for_overwrite<double[]>(n_columns_ * capacity);
  for (std::size_t k = 0; k < n_columns_; ++k) std::copy_n(column_data(k), rows_, block.get() + k * capacity);
  block_ = std::move(block);
  capacity_ = capacity;
}

void Recorder::flush() {
  if (queued_ == 0) return;
  const int n = state_size(c_.n_muscles);
  // Lanes past the queued samples repeat the last one: finite, stored past the recorded rows and
  // overwritten by the next batch.
  const int last = queued_ - 1;
  const auto repeat_last = [&](auto& lanes) { std::fill(lanes.begin() + queued_, lanes.end(), lanes[last]); };
  repeat_last(queued_t_);
  for (int i = 0; i < n; ++i) repeat_last(queued_x_[i]);
  for (int i = 0; i < c_.n_muscles; ++i) repeat_last(queued_u_[i]);
  std::array<Lanes, state_size(kMaxMuscles)> x;
  std::array<Lanes, kMaxMuscles> u;
  for (int i = 0; i < n; ++i) x[i] = Lanes::load_unaligned(queued_x_[i].data());
  for (int i = 0; i < c_.n_muscles; ++i) u[i] = Lanes::load_unaligned(queued_u_[i].data());
  const Lanes t = Lanes::load_unaligned(queued_t_.data());
  // sig_ is zeroed once (constructor): the fields stance_signals leaves alone stay finite.
  stance_signals(lanes_c_, t, x.data(), u.data(), sig_);

  reserve_batch();
  const Sample sample{t, x.data(), sig_};
  visit_columns(all_, muscles_.size(),
                [&](std::size_t k, const BodyColumn& c) { c.value(sample).store_unaligned(column_data(k) + rows_); },
                [&](std::size_t k, std::size_t i, const MuscleColumn& c) {
                  (sig_.*c.signal)[i].store_unaligned(column_data(k) + rows_);
                });
  rows_ += static_cast<std::size_t>(queued_);

  // The accumulator takes one sample at a time, in time order, and reads a few of its signals.
  static_assert(sizeof(StanceSignals<Lanes>) == kLanes * sizeof(StanceSignals<double>), "StanceSignals holds only T");
  StanceSignals<double> s;
  std::fill_n(reinterpret_cast<double*>(&s), sizeof(s) / sizeof(double), kNaN);  // StanceSignals holds only doubles
  for (int l = 0; l < queued_; ++l) {
    accumulator_signals(sig_, l, c_.n_muscles, s);
    acc_.record(true, queued_t_[l], s, queued_x_[kStateQ + 4][l], c_.n_muscles, effort_weight_);
  }
  queued_ = 0;
}

}  // namespace legsim
