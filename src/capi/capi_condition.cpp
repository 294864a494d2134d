// C API: the condition handle — touchdown state, controller parameters or constant excitations,
// set and read by name (include/legsim/legsim.h). A value is validated when it is set, with the C++
// validators (validate(TouchdownState), validate_controller), so the messages are the C++ ones.
#include <string_view>

#include "handles.hpp"
#include "legsim/sim/stance_pipeline.hpp"

namespace legsim::capi {
namespace {

constexpr Field<TouchdownState, double> kTouchdownFields[] = {
    {"trunk_lean", &TouchdownState::trunk_lean},
    {"hip_flexion", &TouchdownState::hip_flexion},
    {"knee_flexion", &TouchdownState::knee_flexion},
    {"ankle_dorsiflexion", &TouchdownState::ankle_dorsiflexion},
    {"hip_velocity_x", &TouchdownState::hip_velocity_x},
    {"hip_velocity_y", &TouchdownState::hip_velocity_y},
    {"trunk_angular_velocity", &TouchdownState::trunk_angular_velocity},
    {"hip_angular_velocity", &TouchdownState::hip_angular_velocity},
    {"knee_angular_velocity", &TouchdownState::knee_angular_velocity},
    {"ankle_angular_velocity", &TouchdownState::ankle_angular_velocity},
};
constexpr Field<ControllerParams, double> kControllerFields[] = {
    {"ramp_time", &ControllerParams::ramp_time},
    {"trunk_kp", &ControllerParams::trunk_kp},
    {"trunk_kd", &ControllerParams::trunk_kd},
    {"trunk_reference_lean", &ControllerParams::trunk_reference_lean},
};
constexpr Field<MuscleControl, double> kMuscleControlFields[] = {
    {"level", &MuscleControl::level},
    {"onset", &MuscleControl::onset},
    {"offset", &MuscleControl::offset},
    {"force_gain", &MuscleControl::force_gain},
    {"length_gain", &MuscleControl::length_gain},
    {"length_offset", &MuscleControl::length_offset},
    {"trunk_gain", &MuscleControl::trunk_gain},
    {"pretension", &MuscleControl::pretension},
};
/// Excitation of the muscles a condition's excitations leave unset (as python's simulate_stance).
constexpr double kUnsetExcitation = 0.01;

[[noreturn]] void unknown(std::string_view name) {
  throw CallError(LEGSIM_ERROR_UNKNOWN_NAME,
                  "condition field '" + std::string(name) +
                      "' is unknown: expected touchdown.<field>, activation.<muscle>, controller.<field>, "
                      "controller.<muscle>.<field>, excitation.<muscle>, rtol or atol (see legsim.h)");
}

template <class S, std::size_t N>
double* find(S& s, const Field<S, double> (&fields)[N], std::string_view key, std::string_view name) {
  if (double* member = find_field(s, fields, key)) return member;
  unknown(name);
}

std::size_t muscle(const Model& model, std::string_view key, std::string_view name) {
  for (std::size_t i = 0; i < model.muscles().size(); ++i)
    if (model.muscles()[i].name == key) return i;
  std::string known;
  for (const auto& m : model.muscles()) known += (known.empty() ? "" : ", ") + m.name;
  throw CallError(LEGSIM_ERROR_UNKNOWN_NAME, "condition field '" + std::string(name) + "': no muscle '" + std::string(key) +
                                                 "' in the model (muscles: " + known + ")");
}

/// The number a name designates in a condition (see legsim_condition_set), created on demand
/// (touchdown activations, excitations).
double* locate(legsim_condition& c, std::string_view name) {
  const std::size_t dot = name.find('.');
  const std::string_view head = name.substr(0, dot), rest = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  const Model& model = *c.model;
  if (name == "rtol") return &c.rtol;
  if (name == "atol") return &c.atol;
  if (head == "touchdown") return find(c.touchdown, kTouchdownFields, rest, name);
  if (head == "activation") {
    const std::size_t i = muscle(model, rest, name);
    if (c.touchdown.activations.empty())
      for (const auto& m : model.muscles()) c.touchdown.activations.push_back(m.params.min_activation);
    return &c.touchdown.activations[i];
  }
  if (head == "excitation") {
    const std::size_t i = muscle(model, rest, name);
    if (c.excitation.empty()) c.excitation.assign(model.muscles().size(), kUnsetExcitation);
    return &c.excitation[i];
  }
  if (head == "controller") {
    const std::size_t dot2 = rest.find('.');
    if (dot2 == std::string_view::npos) return find(c.controller, kControllerFields, rest, name);
    return find(c.controller.muscles[muscle(model, rest.substr(0, dot2), name)], kMuscleControlFields,
                rest.substr(dot2 + 1), name);
  }
  unknown(name);
}

/// Checks the whole condition against its model with the C++ validators. simulate_stance checks
/// only a controller's size; its ranges are checked where a model is built, so when the controller
/// changed, a model with the condition's controller is built here (messages
/// "controller.muscles.<muscle>.<field> = ...").
void validate(const legsim_condition& c, bool controller_changed) {
  validate(c.touchdown, *c.model);
  validate_controller(*c.model, c.controller, "controller");
  if (controller_changed) {
    Model::Parts parts = c.model->parts();
    parts.controller = c.controller;
    const Model checked(std::move(parts));
  }
  for (std::size_t i = 0; i < c.excitation.size(); ++i)
    require_in_range("excitation." + c.model->muscles()[i].name, c.excitation[i], 0.0, 1.0);
  if (c.rtol != 0.0) require_in_range("rtol", c.rtol, 1e-300, 1e-2);
  if (c.atol != 0.0) require_in_range("atol", c.atol, 1e-300, 1e-2);
}

}  // namespace
}  // namespace legsim::capi

using namespace legsim::capi;

extern "C" {

legsim_condition* legsim_condition_create(const legsim_model* model) {
  if (!model || !model->model) return nullptr;
  try {
    auto* c = new legsim_condition();
    c->model = model->model;
    c->controller = model->model->controller();
    return c;
  } catch (...) {
    return nullptr;
  }
}

void legsim_condition_destroy(legsim_condition* condition) { delete condition; }

const char* legsim_condition_error(const legsim_condition* condition) { return condition ? condition->error.c_str() : ""; }

legsim_status legsim_condition_set(legsim_condition* condition, const char* name, double value) {
  if (!condition) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(condition->error, [&] {
    require_pointer(name, "name");
    legsim_condition trial = *condition;  // changed only if the new value validates
    *locate(trial, name) = value;
    legsim::require_finite(name, value);
    validate(trial, std::string_view(name).starts_with("controller."));
    *condition = std::move(trial);
    return LEGSIM_OK;
  });
}

legsim_status legsim_condition_get(legsim_condition* condition, const char* name, double* value) {
  if (!condition) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(condition->error, [&] {
    require_pointer(name, "name");
    require_pointer(value, "value");
    legsim_condition copy = *condition;  // locate may create the activation / excitation lists
    *value = *locate(copy, name);
    return LEGSIM_OK;
  });
}

}  // extern "C"
