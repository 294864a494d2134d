#include "series.hpp"

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

struct BodyColumn {
  const char* name;
  double (*value)(const Sample&);
};

// Joint moments are reported as the internal moment that extends the hip and knee and plantarflexes
// the ankle: the negative of the moment along +q (flexion, dorsiflexion).
constexpr BodyColumn kBodyColumns[] = {
    {"time_s", [](const Sample& v) { return v.t; }},
    {"hip_x_m", [](const Sample& v) { return v.x[kStateQ + 0]; }},
    {"hip_y_m", [](const Sample& v) { return v.x[kStateQ + 1]; }},
    {"trunk_lean_deg", [](const Sample& v) { return v.x[kStateQ + 2] * kRadToDeg; }},
    {"hip_flexion_deg", [](const Sample& v) { return v.x[kStateQ + 3] * kRadToDeg; }},
    {"knee_flexion_deg", [](const Sample& v) { return v.x[kStateQ + 4] * kRadToDeg; }},
    {"ankle_dorsiflexion_deg", [](const Sample& v) { return v.x[kStateQ + 5] * kRadToDeg; }},
    {"hip_flexion_velocity_rad_per_s", [](const Sample& v) { return v.x[kStateQd + 3]; }},
    {"knee_flexion_velocity_rad_per_s", [](const Sample& v) { return v.x[kStateQd + 4]; }},
    {"ankle_dorsiflexion_velocity_rad_per_s", [](const Sample& v) { return v.x[kStateQd + 5]; }},
    {"grf_x_n", [](const Sample& v) { return v.s.grf_x; }},
    {"grf_y_n", [](const Sample& v) { return v.s.grf_y; }},
    {"heel_normal_force_n", [](const Sample& v) { return v.s.normal_force[kHeel]; }},
    {"metatarsal_normal_force_n", [](const Sample& v) { return v.s.normal_force[kMetatarsalHead]; }},
    {"contact_power_w", [](const Sample& v) { return v.s.contact_power; }},
    {"friction_power_w", [](const Sample& v) { return v.s.friction_power; }},
    {"hip_extension_moment_nm", [](const Sample& v) { return -v.s.joint_moment[int(Joint::kHip)]; }},
    {"knee_extension_moment_nm", [](const Sample& v) { return -v.s.joint_moment[int(Joint::kKnee)]; }},
    {"ankle_plantarflexion_moment_nm", [](const Sample& v) { return -v.s.joint_moment[int(Joint::kAnkle)]; }},
    {"com_x_m", [](const Sample& v) { return v.s.body_com_x; }},
    {"com_y_m", [](const Sample& v) { return v.s.body_com_y; }},
    {"com_velocity_x_m_per_s", [](const Sample& v) { return v.s.body_com_vx; }},
    {"com_velocity_y_m_per_s", [](const Sample& v) { return v.s.body_com_vy; }},
    {"quadriceps_force_n", [](const Sample& v) { return v.s.quadriceps_force; }},
    {"pfj_force_n", [](const Sample& v) { return v.s.pfj_force; }},
    {"pfj_stress_pa", [](const Sample& v) { return v.s.pfj_stress; }},
    {"pfj_force_moment_method_n", [](const Sample& v) { return v.s.pfj_force_moment_method; }},
};

/// A muscle's column: "<muscle name><suffix>".
struct MuscleColumn {
  const char* suffix;
  const std::array<double, kMaxMuscles> StanceSignals<double>::*signal;
};

constexpr MuscleColumn kMuscleColumns[] = {
    {"_excitation", &StanceSignals<double>::excitation},
    {"_activation", &StanceSignals<double>::activation},
    {"_force_n", &StanceSignals<double>::force},
    {"_fiber_length_m", &StanceSignals<double>::fiber_length},
    {"_norm_fiber_length", &StanceSignals<double>::norm_fiber_length},
    {"_fiber_velocity_m_per_s", &StanceSignals<double>::fiber_velocity},
    {"_fiber_force_n", &StanceSignals<double>::fiber_force},
    {"_mtu_length_m", &StanceSignals<double>::mtu_length},
    {"_tendon_strain", &StanceSignals<double>::tendon_strain},
};

}  // namespace

std::vector<std::string> series_columns(const Model& model) {
  std::vector<std::string> cols;
  for (const BodyColumn& c : kBodyColumns) cols.emplace_back(c.name);
  for (const auto& m : model.muscles())
    for (const MuscleColumn& c : kMuscleColumns) cols.push_back(m.name + c.suffix);
  return cols;
}

Recorder::Recorder(const Model& model, const StanceConstants<double>& c, const ExcitationFn* excitation)
    : c_(c),
      excitation_(excitation),
      effort_weight_(effort_weights(model)),
      series_(std::size(kBodyColumns) + std::size(kMuscleColumns) * static_cast<std::size_t>(c.n_muscles)) {}

void Recorder::record(double t, std::span<const double> x) {
  std::array<double, kMaxMuscles> u{};
  if (excitation_) (*excitation_)(t, x, std::span<double>(u.data(), c_.n_muscles));
  StanceSignals<double> s;
  stance_signals(c_, t, x.data(), u.data(), s);
  const Sample sample{t, x.data(), s};
  std::size_t k = 0;
  for (const BodyColumn& c : kBodyColumns) series_[k++].push_back(c.value(sample));
  for (int i = 0; i < c_.n_muscles; ++i)
    for (const MuscleColumn& c : kMuscleColumns) series_[k++].push_back((s.*c.signal)[i]);
  acc_.record(true, t, s, x[kStateQ + 4], c_.n_muscles, effort_weight_);
}

}  // namespace legsim
