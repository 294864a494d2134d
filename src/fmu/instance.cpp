// FMU instance (see instance.hpp).
#include "instance.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "variables.hpp"

namespace legsim::fmu {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError("cannot open the FMU's bundled model file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The bundled model, after checking the GUID (a model description from another model file would
/// name other muscles under the same value references).
Model load_bundled(std::string resource_dir, const std::string& expected_guid) {
  while (resource_dir.size() > 1 && resource_dir.back() == '/') resource_dir.pop_back();
  const std::string path = resource_dir + "/runner.toml";
  const std::string text = read_text(path);
  if (guid(text) != expected_guid)
    throw InputError("fmuGUID = " + expected_guid + " does not match the bundled model file " + path + " (GUID " +
                     guid(text) + "): the model description and resources come from different builds");
  return Model::from_toml(text, path);
}

}  // namespace

std::string path_from_uri(const std::string& uri) {
  std::string rest;
  if (uri.rfind("file://localhost/", 0) == 0) rest = uri.substr(16);
  else if (uri.rfind("file:///", 0) == 0) rest = uri.substr(7);
  else if (uri.rfind("file:/", 0) == 0) rest = uri.substr(5);
  else throw InputError("fmuResourceLocation = '" + uri + "' is not a file: URI (file:///path/to/resources)");
  std::string path;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size()) {
      path += static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      path += rest[i];
    }
  }
  return path;
}

Instance::Instance(const std::string& resource_dir, const std::string& expected_guid)
    : model_(load_bundled(resource_dir, expected_guid)), excitations_(model_.muscles().size(), kDefaultExcitation) {
  for (const auto& m : model_.muscles()) touchdown_.activations.push_back(m.params.min_activation);
}

void Instance::setup_experiment(double start_time) {
  require_finite("startTime", start_time);
  start_time_ = start_time;
}

void Instance::enter_initialization() {
  require(mode_ == Mode::kInstantiated, "EnterInitializationMode", 0, "once, after Instantiate or Reset");
  mode_ = Mode::kInitialization;
}

void Instance::exit_initialization() {
  require(mode_ == Mode::kInitialization, "ExitInitializationMode", 0, "after EnterInitializationMode");
  stepper();  // validates the parameters now, with their messages
  mode_ = Mode::kStepping;
}

void Instance::reset() {
  stepper_.reset();
  mode_ = Mode::kInstantiated;
}

const StanceStepper& Instance::stepper() {
  if (!stepper_) stepper_.emplace(model_, touchdown_);
  return *stepper_;
}

void Instance::set_real(unsigned vr, double value) {
  const std::size_t n = model_.muscles().size();
  if (vr < kNumTouchdownFields || (vr >= kActivationBase && vr < kActivationBase + n)) {
    const std::string name = variable_name(model_, vr);
    if (mode_ != Mode::kInstantiated && mode_ != Mode::kInitialization)
      throw InputError(name + ": a fixed parameter cannot change after initialization");
    require_finite(name, value);
    (vr < kNumTouchdownFields ? touchdown_field(touchdown_, vr) : touchdown_.activations[vr - kActivationBase]) = value;
    stepper_.reset();
    return;
  }
  if (vr >= kExcitationBase && vr < kExcitationBase + n) {
    require_in_range("excitation." + model_.muscles()[vr - kExcitationBase].name, value, 0.0, 1.0);
    excitations_[vr - kExcitationBase] = value;
    return;
  }
  throw InputError("valueReference " + std::to_string(vr) + " is not a parameter or input of this FMU");
}

double Instance::get_real(unsigned vr) {
  const std::size_t n = model_.muscles().size();
  if (vr == kTimeReference) return time();
  if (vr < kNumTouchdownFields) return touchdown_field(touchdown_, vr);
  if (vr >= kActivationBase && vr < kActivationBase + n) return touchdown_.activations[vr - kActivationBase];
  if (vr >= kExcitationBase && vr < kExcitationBase + n) return excitations_[vr - kExcitationBase];
  if ((vr >= kOutputBase && vr < kOutputBase + kNumOutputs) || (vr >= kForceBase && vr < kForceBase + n))
    return output(stepper(), vr);
  throw InputError("valueReference " + std::to_string(vr) + " is not a variable of this FMU");
}

void Instance::do_step(double current_time, double h) {
  require(mode_ == Mode::kStepping, "DoStep", current_time, "after ExitInitializationMode, before a failure");
  const double now = time();
  require(std::abs(current_time - now) <= 1e-9 * std::max(1.0, std::abs(now)), "currentCommunicationPoint", current_time,
          "the FMU's time " + format_value(now) + " s");
  require(std::isfinite(h) && h > 0.0, "communicationStepSize", h, "> 0 s");
  stepper_->set_excitations(excitations_);
  if (stepper_->advance_to(stepper_->time() + h) != StanceStatus::kOk) {
    mode_ = Mode::kFailed;
    throw SimulationError(stepper_->message());
  }
}

}  // namespace legsim::fmu
