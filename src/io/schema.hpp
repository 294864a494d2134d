#pragma once
// The model file's schema: for each table its numeric keys with their units and the members they
// fill, and the names of the enum values. The reader (reader.cpp), the writer (writer.cpp) and so
// with_params (which edits the written table and reads it back) all go through these tables, so a
// field added here is read, validated for unknown keys, written and reachable by key path at once.
#include <string>
#include <string_view>

#include "legsim/model.hpp"
#include "legsim/model_schema.hpp"

namespace legsim::model_file {

inline constexpr NumField<MuscleParams> kMuscleFields[] = {
    {"max_isometric_force", "N", &MuscleParams::max_isometric_force, true},
    {"optimal_fiber_length", "m", &MuscleParams::optimal_fiber_length, true},
    {"tendon_slack_length", "m", &MuscleParams::tendon_slack_length, true},
    {"pennation_angle_at_optimal", "rad", &MuscleParams::pennation_angle_at_optimal, false},
    {"max_contraction_velocity", "optimal fiber lengths/s", &MuscleParams::max_contraction_velocity, false},
    {"tendon_strain_at_one_norm_force", "1", &MuscleParams::tendon_strain_at_one_norm_force, false},
    {"passive_fiber_strain_at_one_norm_force", "1", &MuscleParams::passive_fiber_strain_at_one_norm_force, false},
    {"activation_time_constant", "s", &MuscleParams::activation_time_constant, false},
    {"deactivation_time_constant", "s", &MuscleParams::deactivation_time_constant, false},
    {"activation_smoothing", "1", &MuscleParams::activation_smoothing, false},
    {"min_activation", "1", &MuscleParams::min_activation, false},
    {"fiber_damping", "1", &MuscleParams::fiber_damping, false},
    {"capacity_factor", "1, effective max isometric force factor (fatigue)", &MuscleParams::capacity_factor, false},
};

inline constexpr NumField<JointCrossing> kCrossingFields[] = {
    {"moment_arm", "m", &JointCrossing::moment_arm, true},
    {"angle_max_deg", "deg, inner joint angle of the largest moment arm", &JointCrossing::angle_max, false},
    {"angle_ref_deg", "deg, inner joint angle where the length change is zero", &JointCrossing::angle_ref, true},
};

inline constexpr NumField<ContactParams> kContactFields[] = {
    {"stiffness", "N/m^exponent", &ContactParams::stiffness, false},
    {"exponent", "1", &ContactParams::exponent, false},
    {"dissipation", "s/m", &ContactParams::dissipation, false},
    {"damping_ramp_width", "1", &ContactParams::damping_ramp_width, false},
    {"friction_coefficient", "1", &ContactParams::friction_coefficient, false},
    {"bristle_stiffness", "N/m", &ContactParams::bristle_stiffness, false},
    {"bristle_damping", "N s/m", &ContactParams::bristle_damping, false},
    {"friction_smoothing", "1", &ContactParams::friction_smoothing, false},
};

inline constexpr NumField<SmoothContactParams> kSmoothContactFields[] = {
    {"stiffness", "N/m^2", &SmoothContactParams::stiffness, false},
    {"dissipation", "s/m", &SmoothContactParams::dissipation, false},
    {"static_friction", "1", &SmoothContactParams::static_friction, false},
    {"dynamic_friction", "1", &SmoothContactParams::dynamic_friction, false},
    {"viscous_friction", "s/m", &SmoothContactParams::viscous_friction, false},
    {"transition_velocity", "m/s", &SmoothContactParams::transition_velocity, false},
    {"hertz_smoothing", "1/m", &SmoothContactParams::hertz_smoothing, false},
    {"hunt_crossley_smoothing", "s/m", &SmoothContactParams::hunt_crossley_smoothing, false},
};

inline constexpr NumField<ContactSphere> kSphereFields[] = {
    {"x", "m, foot frame", &ContactSphere::x, true},
    {"y", "m, foot frame", &ContactSphere::y, true},
    {"radius", "m", &ContactSphere::radius, false},
};

/// ContactSphere::count, an integer key beside kSphereFields; the writer's comment without a note.
inline constexpr std::string_view kSphereCountUnit = "published 3-D spheres this one stands for";

inline constexpr NumField<IntegratorSettings> kIntegratorFields[] = {
    {"relative_tolerance", "1", &IntegratorSettings::relative_tolerance, false},
    {"absolute_tolerance", "1", &IntegratorSettings::absolute_tolerance, false},
    {"initial_step", "s", &IntegratorSettings::initial_step, false},
    {"min_step", "s", &IntegratorSettings::min_step, false},
    {"max_stance_time", "s", &IntegratorSettings::max_stance_time, false},
    {"output_interval", "s", &IntegratorSettings::output_interval, false},
    {"event_tolerance", "s", &IntegratorSettings::event_tolerance, false},
};

inline constexpr NumField<ControllerParams> kControllerFields[] = {
    {"ramp_time", "s", &ControllerParams::ramp_time, false},
    {"trunk_kp", "1/rad", &ControllerParams::trunk_kp, false},
    {"trunk_kd", "s/rad", &ControllerParams::trunk_kd, false},
    {"trunk_reference_lean", "rad", &ControllerParams::trunk_reference_lean, false},
};

inline constexpr NumField<MuscleControl> kMuscleControlFields[] = {
    {"level", "1, feedforward excitation", &MuscleControl::level, false},
    {"onset", "s after touchdown", &MuscleControl::onset, false},
    {"offset", "s after touchdown", &MuscleControl::offset, false},
    {"force_gain", "1, per normalized tendon force", &MuscleControl::force_gain, false},
    {"length_gain", "1, per normalized fiber length", &MuscleControl::length_gain, false},
    {"length_offset", "1, normalized fiber length", &MuscleControl::length_offset, false},
    {"trunk_gain", "1, +1 hip extensor, -1 hip flexor", &MuscleControl::trunk_gain, false},
    {"pretension", "1, fraction of the touchdown-activation tendon force present at touchdown", &MuscleControl::pretension, false},
    {"effort_weight", "1, weight of the muscle's activation cubed in the effort", &MuscleControl::effort_weight, false},
};

struct BodyFields {
  double mass = 0, height = 0;
};
inline constexpr NumField<BodyFields> kBodyFields[] = {
    {"mass", "kg", &BodyFields::mass, true},
    {"height", "m", &BodyFields::height, true},
};

/// The header the writer puts above [model] when the model has none of its own (not kept as a note).
inline constexpr std::string_view kDefaultHeader =
    "legsim model file. SI units; each value's unit is in the comment beside it.";

inline bool is_deg_key(std::string_view key) { return key.ends_with("_deg"); }

/// The angle in degrees that the file shows for `rad` (schema.cpp).
double to_degrees(double rad);

/// One allowed value of a string key and the value it stands for; the reader's and the writer's
/// one list of the names.
template <class E>
struct Choice {
  std::string_view name;
  E value;
  std::string_view meaning = {};  ///< said beside the name when the reader lists the allowed ones
};

inline constexpr Choice<Sex> kSexChoices[] = {{"male", Sex::kMale}, {"female", Sex::kFemale}};
inline constexpr Choice<TendonModel> kTendonChoices[] = {{"compliant", TendonModel::kCompliant},
                                                         {"rigid", TendonModel::kRigid}};
inline constexpr Choice<Joint> kJointChoices[] = {
    {"hip", Joint::kHip}, {"knee", Joint::kKnee}, {"ankle", Joint::kAnkle}};
/// JointCrossing::action: +1 or -1.
inline constexpr Choice<int> kActionChoices[] = {
    {"extend", 1, "increase the inner angle: hip/knee extension, plantarflexion"}, {"flex", -1}};
inline constexpr Choice<PfjContactArea> kAreaModelChoices[] = {
    {"brechter_powers_2002", PfjContactArea::kBrechterPowers2002Fit},
    {"besier_2005", PfjContactArea::kBesier2005Measured}};

/// The file's name for `value`; "?" for a value the list lacks (only an integer cast to the enum in
/// code), which the reader refuses naming the key, instead of a valid name for another value.
template <class E, std::size_t N>
std::string_view choice_name(const Choice<E> (&choices)[N], E value) {
  for (const Choice<E>& c : choices)
    if (c.value == value) return c.name;
  return "?";
}

inline std::string joint_name(Joint j) { return std::string(choice_name(kJointChoices, j)); }

}  // namespace legsim::model_file
