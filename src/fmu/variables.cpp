// The FMU's variable table and model description (see variables.hpp).
#include "variables.hpp"

#include <cmath>
#include <cstdio>
#include <iterator>

#include "legsim/version.hpp"

namespace legsim::fmu {
namespace {

struct TouchdownField {
  const char* name;
  double TouchdownState::*member;
  const char* unit;
  const char* description;
};
constexpr TouchdownField kTouchdown[] = {
    {"trunk_lean", &TouchdownState::trunk_lean, "rad", "trunk forward lean at touchdown, [-0.5, 1]"},
    {"hip_flexion", &TouchdownState::hip_flexion, "rad", "hip flexion at touchdown, [-0.5, 1.5]"},
    {"knee_flexion", &TouchdownState::knee_flexion, "rad", "knee flexion at touchdown, [0, 1.5]"},
    {"ankle_dorsiflexion", &TouchdownState::ankle_dorsiflexion, "rad", "ankle dorsiflexion at touchdown, [-0.8, 0.6]"},
    {"hip_velocity_x", &TouchdownState::hip_velocity_x, "m/s", "forward hip velocity at touchdown, [-15, 15]"},
    {"hip_velocity_y", &TouchdownState::hip_velocity_y, "m/s", "upward hip velocity at touchdown, [-5, 5]"},
    {"trunk_angular_velocity", &TouchdownState::trunk_angular_velocity, "rad/s", "d trunk_lean/dt at touchdown"},
    {"hip_angular_velocity", &TouchdownState::hip_angular_velocity, "rad/s", "d hip_flexion/dt at touchdown"},
    {"knee_angular_velocity", &TouchdownState::knee_angular_velocity, "rad/s", "d knee_flexion/dt at touchdown"},
    {"ankle_angular_velocity", &TouchdownState::ankle_angular_velocity, "rad/s", "d ankle_dorsiflexion/dt at touchdown"},
};

struct OutputField {
  const char* name;
  const char* unit;
  const char* description;
};
constexpr OutputField kOutputs[] = {
    {"grf_x", "N", "horizontal ground reaction force (+ forward)"},
    {"grf_y", "N", "vertical ground reaction force"},
    {"trunk_lean", "rad", "trunk forward lean"},
    {"hip_flexion", "rad", "hip flexion angle"},
    {"knee_flexion", "rad", "knee flexion angle"},
    {"ankle_dorsiflexion", "rad", "ankle dorsiflexion angle"},
    {"pfj_force", "N", "patellofemoral joint contact force"},
    {"toe_off_time", "s", "time of toe-off after touchdown (start time); -1 before toe-off"},
};
static_assert(std::size(kOutputs) == kNumOutputs && std::size(kTouchdown) == kNumTouchdownFields);

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash) {
  for (const unsigned char ch : text) hash = (hash ^ ch) * 1099511628211ULL;
  return hash;
}

}  // namespace

const char* causality_name(Causality c) {
  switch (c) {
    case Causality::kIndependent: return "independent";
    case Causality::kParameter: return "parameter";
    case Causality::kInput: return "input";
    case Causality::kOutput: return "output";
  }
  return "?";
}

std::vector<Variable> variables(const Model& model) {
  std::vector<Variable> v;
  v.push_back({"time", kTimeReference, Causality::kIndependent, "s", "time (touchdown at the start time)", 0.0});
  const TouchdownState td;
  for (std::uint32_t k = 0; k < std::size(kTouchdown); ++k)
    v.push_back({std::string("touchdown.") + kTouchdown[k].name, k, Causality::kParameter, kTouchdown[k].unit,
                 kTouchdown[k].description, td.*kTouchdown[k].member});
  const auto& muscles = model.muscles();
  for (std::uint32_t i = 0; i < muscles.size(); ++i)
    v.push_back({"touchdown.activation." + muscles[i].name, kActivationBase + i, Causality::kParameter, "",
                 "activation at touchdown, [0, 1]", muscles[i].params.min_activation});
  for (std::uint32_t i = 0; i < muscles.size(); ++i)
    v.push_back({"excitation." + muscles[i].name, kExcitationBase + i, Causality::kInput, "",
                 "muscle excitation, [0, 1], held over each communication step", kDefaultExcitation});
  for (std::uint32_t k = 0; k < kNumOutputs; ++k)
    v.push_back({kOutputs[k].name, kOutputBase + k, Causality::kOutput, kOutputs[k].unit, kOutputs[k].description, 0.0});
  for (std::uint32_t i = 0; i < muscles.size(); ++i)
    v.push_back({"muscle_force." + muscles[i].name, kForceBase + i, Causality::kOutput, "N", "muscle-tendon force", 0.0});
  return v;
}

std::string variable_name(const Model& model, std::uint32_t value_reference) {
  for (const Variable& v : variables(model))
    if (v.value_reference == value_reference) return v.name;
  return "valueReference " + std::to_string(value_reference);
}

double& touchdown_field(TouchdownState& td, std::uint32_t value_reference) {
  return td.*kTouchdown[value_reference].member;
}

double output(const StanceStepper& stepper, std::uint32_t value_reference) {
  const StanceSignals<double>& s = stepper.signals();
  const auto x = stepper.state();
  if (value_reference >= kForceBase) return s.force[value_reference - kForceBase];
  switch (value_reference - kOutputBase) {
    case 0: return s.grf_x;
    case 1: return s.grf_y;
    case 2: return x[kStateQ + 2];
    case 3: return x[kStateQ + 3];
    case 4: return x[kStateQ + 4];
    case 5: return x[kStateQ + 5];
    case 6: return s.pfj_force;
    default: return std::isnan(stepper.toe_off_time()) ? -1.0 : stepper.toe_off_time();
  }
}

std::string guid(std::string_view model_text) {
  const std::uint64_t a = fnv1a(model_text, 14695981039346656037ULL);
  const std::uint64_t b = fnv1a(kVersion, fnv1a(model_text, a));
  char buf[48];
  std::snprintf(buf, sizeof buf, "{%08llx-%04llx-%04llx-%04llx-%012llx}", static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xffff), static_cast<unsigned long long>(a & 0xffff),
                static_cast<unsigned long long>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace legsim::fmu
