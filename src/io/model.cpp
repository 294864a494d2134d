// Model: its construction, which validates every part (ranges, joint crossings, the controller's
// muscles) so that a Model built in code gets the checks a model file gets, and its accessors.
#include <algorithm>
#include <cmath>
#include <string>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/model.hpp"
#include "legsim/model_schema.hpp"
#include "schema.hpp"

namespace legsim {
namespace {

// Physiological ranges of the inner joint angles of geometry.hpp (hip: 180 - flexion, knee: 180 -
// flexion, ankle: 90 - dorsiflexion, deg). Passive ranges of motion: hip flexion ~120 deg and
// extension ~10 deg, knee flexion ~145 deg, ankle dorsiflexion ~15-20 deg and plantarflexion ~40-50
// deg (Roaas A, Andersson GBJ (1982) Acta Orthop Scand 53(2):205-208), widened by 10-30 deg for
// individual variation. A crossing's reference and maximum-moment-arm angles lie within them.
struct InnerAngleRange {
  double lo, hi;  // deg
  const char* why;
};
const InnerAngleRange kInnerAngleRange[kNumJoints] = {
    {50.0, 220.0, "hip: flexion <= 130 deg, extension <= 40 deg"},
    {20.0, 195.0, "knee: flexion <= 160 deg, hyperextension <= 15 deg"},
    {30.0, 150.0, "ankle: dorsiflexion <= 60 deg, plantarflexion <= 60 deg"},
};

void validate_crossing(const JointCrossing& c, const std::string& path) {
  // Leg muscle moment arms are 1-10 cm (Geyer & Herr 2010: 0.025-0.056 m as length gains); 5 mm-20 cm.
  require(std::isfinite(c.moment_arm) && c.moment_arm >= 0.005 && c.moment_arm <= 0.2, path + ".moment_arm",
          c.moment_arm, "[0.005, 0.2] m");
  // A file can give only the joints and actions it names (reader.cpp), but parts built in code can
  // hold any integer: an unknown joint would index past kInnerAngleRange, and an action other than
  // +-1 would scale the moment arm (geometry.hpp) and be saved as +-1.
  const int joint = static_cast<int>(c.joint);
  require(joint >= 0 && joint < kNumJoints, path + ".joint", joint, "0 (hip), 1 (knee), 2 (ankle)");
  require(c.action == 1 || c.action == -1, path + ".action", c.action, "1 (extend), -1 (flex)");
  const InnerAngleRange& range = kInnerAngleRange[joint];
  const std::string allowed = "[" + format_value(range.lo) + ", " + format_value(range.hi) + "] deg (" + range.why + ")";
  const auto check = [&](double rad, const char* key) {
    const double deg = model_file::to_degrees(rad);
    require(deg >= range.lo && deg <= range.hi, path + "." + key, deg, allowed);
  };
  check(c.angle_ref, "angle_ref_deg");
  if (c.joint != Joint::kHip) check(c.angle_max, "angle_max_deg");  // unused at the hip (constant arm)
}

}  // namespace

void validate_controller_ranges(const ControllerParams& c, const std::string& path) {
  // Rise time of the feedforward excitation: 1-100 ms, of the order of activation dynamics.
  require(c.ramp_time >= 1e-3 && c.ramp_time <= 0.1, path + ".ramp_time", c.ramp_time, "[0.001, 0.1] s");
  require_in_range(path + ".trunk_kp", c.trunk_kp, 0.0, 20.0);
  require_in_range(path + ".trunk_kd", c.trunk_kd, 0.0, 5.0);
  require_in_range(path + ".trunk_reference_lean", c.trunk_reference_lean, -0.5, 0.8);
  for (std::size_t i = 0; i < c.muscles.size(); ++i) {
    const MuscleControl& m = c.muscles[i];
    const std::string at =
        path + ".muscles." + (i < c.muscle_names.size() ? c.muscle_names[i] : std::to_string(i));
    require_in_range(at + ".level", m.level, 0.0, 1.0);
    require_in_range(at + ".onset", m.onset, -0.5, 1.0);
    require(std::isfinite(m.offset) && m.offset > m.onset && m.offset <= 1.0, at + ".offset", m.offset,
            "(onset, 1] s");
    require_in_range(at + ".force_gain", m.force_gain, 0.0, 2.0);
    require_in_range(at + ".length_gain", m.length_gain, 0.0, 5.0);
    require_in_range(at + ".length_offset", m.length_offset, 0.0, 2.0);
    require_in_range(at + ".trunk_gain", m.trunk_gain, -1.0, 1.0);
    require_in_range(at + ".pretension", m.pretension, 0.0, 1.0);
    require_in_range(at + ".effort_weight", m.effort_weight, 0.0, 100.0);
  }
}

bool MuscleSpec::has_tag(std::string_view tag) const {
  return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

Model::Model(Parts parts) : parts_(std::move(parts)) {
  require_in_range("body.mass", parts_.body_mass, 20.0, 250.0);  // kg, the range scale_body accepts
  require_in_range("body.height", parts_.height, 1.0, 2.5);      // m
  // Parts built in code can hold any integer as the sex, which scale_body would take as male and
  // the writer could not name.
  require(parts_.sex == Sex::kMale || parts_.sex == Sex::kFemale, "body.sex", static_cast<int>(parts_.sex),
          "0 (male), 1 (female)");
  body_ = scale_body(parts_.body_mass, parts_.height, parts_.sex);
  validate(body_, "body");
  validate(parts_.contact, "contact");
  validate(parts_.pfj, "pfj");  // the area model: as for the sex, only parts built in code can hold another
  if (parts_.foot_contact.spheres.empty()) parts_.foot_contact.spheres = sagittal_contact_spheres(body_.foot);
  validate(parts_.foot_contact, "foot_contact");
  validate_sphere_placement(parts_.foot_contact, body_.foot, "foot_contact");
  if (parts_.muscles.empty()) throw InputError("muscles: the model needs at least one muscle");
  for (std::size_t i = 0; i < parts_.muscles.size(); ++i) {
    const MuscleSpec& m = parts_.muscles[i];
    const std::string path = "muscles." + m.name;
    validate(m.params, path);
    require_in_range(path + ".slow_twitch_fraction", m.slow_twitch_fraction, 0.0, 1.0);
    if (m.joints.empty()) throw InputError(path + ".joints: a muscle must cross at least one joint");
    for (std::size_t j = 0; j < m.joints.size(); ++j) validate_crossing(m.joints[j], path + ".joints." + std::to_string(j));
    for (std::size_t k = 0; k < i; ++k)
      if (parts_.muscles[k].name == m.name) throw InputError("muscles: the name '" + m.name + "' is used twice");
  }
  // Controller: align per-muscle settings with the model's muscle order (missing muscles: at rest).
  {
    ControllerParams& c = parts_.controller;
    std::vector<MuscleControl> aligned(parts_.muscles.size());
    for (std::size_t k = 0; k < c.muscle_names.size(); ++k) {
      const std::size_t i = muscle_index(c.muscle_names[k]);
      aligned[i] = c.muscles.at(k);
    }
    c.muscle_names = muscle_names();
    c.muscles = std::move(aligned);
    validate_controller_ranges(c, "controller");
  }
  // Tolerances below ~1e-12 cannot be met in double precision (the integrator would only shrink its
  // step); an output interval below 10 us (100 kHz, far above force-plate rates of 1-4 kHz) would
  // only fill memory.
  const IntegratorSettings& s = parts_.integrator;
  require_in_range("integrator.relative_tolerance", s.relative_tolerance, 1e-12, 1e-2);
  require_in_range("integrator.absolute_tolerance", s.absolute_tolerance, 1e-14, 1e-2);
  require(s.initial_step >= 1e-9 && s.initial_step <= 1e-2, "integrator.initial_step", s.initial_step, "[1e-09, 0.01] s");
  require(s.min_step >= 1e-15 && s.min_step <= s.initial_step, "integrator.min_step", s.min_step, "[1e-15 s, initial_step]");
  require(s.max_stance_time > 0 && s.max_stance_time <= 5, "integrator.max_stance_time", s.max_stance_time, "(0, 5] s");
  require(s.output_interval >= 1e-5 && s.output_interval <= 1e-2, "integrator.output_interval", s.output_interval, "[1e-05, 0.01] s");
  require(s.event_tolerance >= 1e-12 && s.event_tolerance <= 1e-3, "integrator.event_tolerance", s.event_tolerance, "[1e-12, 0.001] s");
}

std::vector<std::string> Model::muscle_names() const {
  std::vector<std::string> names;
  for (const auto& m : parts_.muscles) names.push_back(m.name);
  return names;
}

std::size_t Model::muscle_index(std::string_view name) const {
  for (std::size_t i = 0; i < parts_.muscles.size(); ++i)
    if (parts_.muscles[i].name == name) return i;
  std::string known;
  for (const auto& m : parts_.muscles) known += (known.empty() ? "" : ", ") + m.name;
  throw InputError("unknown muscle '" + std::string(name) + "': the model has " + known);
}

double Model::body_weight() const { return parts_.body_mass * kGravity; }

}  // namespace legsim
