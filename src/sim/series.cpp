#include "series.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/body/dynamics.hpp"
#include "legsim/core/constants.hpp"

namespace legsim {
namespace {

/// What a column reads: the sample time, the state vector (stance_dynamics.hpp layout) and the
/// right-hand side's signals at that state.
struct Sample {
  double t;
  const double* x;
  const StanceSignals<double>& s;
};

/// A column: its name, the value it reads, and whether stance_metrics (metrics.cpp) reads it — the
/// columns a stance records when the caller does not keep the series (StanceOptions::record).
struct BodyColumn {
  const char* name;
  double (*value)(const Sample&);
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
  const char* suffix;
  const std::array<double, kMaxMuscles> StanceSignals<double>::*signal;
  bool metric;
};

constexpr MuscleColumn kMuscleColumns[] = {
    {"_excitation", &StanceSignals<double>::excitation, false},
    {"_activation", &StanceSignals<double>::activation, false},
    {"_force_n", &StanceSignals<double>::force, true},
    {"_fiber_length_m", &StanceSignals<double>::fiber_length, false},
    {"_norm_fiber_length", &StanceSignals<double>::norm_fiber_length, true},
    {"_fiber_velocity_m_per_s", &StanceSignals<double>::fiber_velocity, true},
    {"_fiber_force_n", &StanceSignals<double>::fiber_force, true},
    {"_mtu_length_m", &StanceSignals<double>::mtu_length, false},
    {"_tendon_strain", &StanceSignals<double>::tendon_strain, true},
};

}  // namespace

std::vector<std::string> series_columns(const Model& model, bool all) {
  std::vector<std::string> cols;
  for (const BodyColumn& c : kBodyColumns)
    if (all || c.metric) cols.emplace_back(c.name);
  for (const auto& m : model.muscles())
    for (const MuscleColumn& c : kMuscleColumns)
      if (all || c.metric) cols.push_back(m.name + c.suffix);
  return cols;
}

namespace {

/// Per-lane constants that all point at one stance's constants.
template <class B>
StanceConstants<B> broadcast_constants(const StanceConstants<double>& c) {
  std::array<const StanceConstants<double>*, B::size> lanes;
  lanes.fill(&c);
  return pack_stance_constants<B>(lanes.data());
}

}  // namespace

Recorder::Recorder(const Model& model, const StanceConstants<double>& c, const ExcitationFn* excitation, bool all)
    : c_(c),
      lanes_c_(broadcast_constants<Lanes>(c)),
      excitation_(excitation),
      all_(all),
      effort_weight_(effort_weights(model)),
      series_(series_columns(model, all).size()) {
  // Room for a running stance's samples (contact times are below 0.4 s), so that the columns do
  // not grow by reallocation sample by sample (≈ 2 % of a default stance's time, measured).
  const IntegratorSettings& is = model.integrator();
  const double span = std::min(0.4, is.max_stance_time);
  const auto rows = static_cast<std::size_t>(std::min(span / is.output_interval, 4096.0)) + 2;
  for (auto& column : series_) column.reserve(rows);
}

void Recorder::record(double t, std::span<const double> x) {
  const int l = queued_++;
  queued_t_[l] = t;
  std::copy(x.begin(), x.end(), queued_x_[l].begin());
  queued_u_[l].fill(0.0);
  if (excitation_) (*excitation_)(t, x, std::span<double>(queued_u_[l].data(), c_.n_muscles));
  if (queued_ == kLanes) flush();
}

void Recorder::flush() {
  if (queued_ == 0) return;
  // Lanes past the queued samples repeat the last one: finite, never read.
  const int last = std::clamp(queued_ - 1, 0, kLanes - 1);
  const auto lane_sample = [&](int l) { return std::min(l, last); };
  const int n = state_size(c_.n_muscles);
  alignas(64) double buf[kLanes];
  const auto gather = [&](auto value) {
    for (int l = 0; l < kLanes; ++l) buf[l] = value(lane_sample(l));
    return Lanes::load_aligned(buf);
  };
  std::array<Lanes, state_size(kMaxMuscles)> x{};
  std::array<Lanes, kMaxMuscles> u{};
  for (int i = 0; i < n; ++i) x[i] = gather([&](int s) { return queued_x_[s][i]; });
  for (int i = 0; i < c_.n_muscles; ++i) u[i] = gather([&](int s) { return queued_u_[s][i]; });
  StanceSignals<Lanes> sig{};
  stance_signals(lanes_c_, gather([&](int s) { return queued_t_[s]; }), x.data(), u.data(), sig);

  // StanceSignals<T> holds only T's, so lane l of the batch signals is every kLanes-th double.
  constexpr std::size_t kCount = sizeof(StanceSignals<double>) / sizeof(double);
  static_assert(sizeof(StanceSignals<Lanes>) == kCount * sizeof(Lanes), "StanceSignals holds only T");
  static_assert(std::is_trivially_copyable_v<StanceSignals<Lanes>> && std::is_trivially_copyable_v<StanceSignals<double>>);
  alignas(64) std::array<double, kCount * kLanes> all;
  std::memcpy(all.data(), &sig, sizeof sig);
  for (int l = 0; l <= last; ++l) {
    std::array<double, kCount> one;
    for (std::size_t k = 0; k < kCount; ++k) one[k] = all[k * kLanes + l];
    StanceSignals<double> s;
    std::memcpy(&s, one.data(), sizeof s);
    append(queued_t_[l], queued_x_[l].data(), s);
  }
  queued_ = 0;
}

void Recorder::append(double t, const double* x, const StanceSignals<double>& s) {
  const Sample sample{t, x, s};
  std::size_t k = 0;
  for (const BodyColumn& c : kBodyColumns)
    if (all_ || c.metric) series_[k++].push_back(c.value(sample));
  for (int i = 0; i < c_.n_muscles; ++i)
    for (const MuscleColumn& c : kMuscleColumns)
      if (all_ || c.metric) series_[k++].push_back((s.*c.signal)[i]);
  acc_.record(true, t, s, x[kStateQ + 4], c_.n_muscles, effort_weight_);
}

}  // namespace legsim
