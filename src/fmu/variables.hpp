#pragma once
// The FMU's variables (FMI 2.0 co-simulation of the stance leg), derived from the bundled model: one
// table serves the model description (describe.cpp, at build time) and the FMU's get/set functions
// (fmi2.cpp, at run time), so the value references cannot disagree.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_stepper.hpp"

namespace legsim::fmu {

inline constexpr const char* kModelIdentifier = "legsim_stance";

enum class Causality { kIndependent, kParameter, kInput, kOutput };

struct Variable {
  std::string name;
  std::uint32_t value_reference;
  Causality causality;
  std::string unit;  ///< one of kUnits' names, or empty (dimensionless)
  std::string description;
  double start;  ///< parameters and inputs
};

/// Value-reference blocks: parameters 0–9 (touchdown fields) and 20+i (touchdown activation of
/// muscle i), inputs 100+i (excitation of muscle i), outputs 200–207 and 300+i (force of muscle i).
inline constexpr std::uint32_t kActivationBase = 20, kExcitationBase = 100, kOutputBase = 200, kForceBase = 300;
inline constexpr std::uint32_t kNumTouchdownFields = 10, kNumOutputs = 8;
/// The independent variable, time (s) — required in FMI 3.0, optional in 2.0.
inline constexpr std::uint32_t kTimeReference = 999;
/// Excitation of an input not set by the master: the 0.01 of python's simulate_stance for a muscle
/// its excitation dict leaves out.
inline constexpr double kDefaultExcitation = 0.01;

/// The variables of the FMU for model, in model-description order.
std::vector<Variable> variables(const Model& model);

/// The name of a variable by value reference (for messages); "valueReference <vr>" if there is none.
std::string variable_name(const Model& model, std::uint32_t value_reference);

/// The touchdown field a parameter value reference 0–9 designates.
double& touchdown_field(TouchdownState& td, std::uint32_t value_reference);

/// The value of output value_reference from the stepper's current time, state and signals.
double output(const StanceStepper& stepper, std::uint32_t value_reference);

/// A GUID for a model file's text (FNV-1a, 128 bits): the build writes it into the model description,
/// the FMU recomputes it from its resources/runner.toml and refuses a mismatch.
std::string guid(std::string_view model_text);

/// "parameter", "input", ... as the model description spells a causality.
const char* causality_name(Causality c);

/// The complete modelDescription.xml for a model file's text, FMI 2.0 or 3.0 (description.cpp).
std::string model_description(const Model& model, std::string_view model_text, int fmi_version);

}  // namespace legsim::fmu
