// The FMI 2.0 co-simulation interface of the stance-leg FMU (fmi2Functions.h from the FMPy wheel,
// cmake/FindFmiHeaders.cmake). Each function is a thin wrapper: it calls the Instance, and turns
// every exception into fmi2Error plus a logger message, so none crosses the C boundary.
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "fmi2Functions.h"
#include "instance.hpp"
#include "variables.hpp"

namespace {

using legsim::fmu::Instance;

struct Component {
  std::string name;
  fmi2CallbackFunctions callbacks;
  bool logging;
  std::unique_ptr<Instance> instance;
};

void log(const Component* c, fmi2Status status, const char* category, const char* message) noexcept {
  if (c && c->callbacks.logger && (c->logging || status == fmi2Error))
    c->callbacks.logger(c->callbacks.componentEnvironment, c->name.c_str(), status, category, "%s", message);
}

/// Runs body on a component's instance; exceptions become fmi2Error with the message logged.
template <class Body>
fmi2Status guarded(fmi2Component c, Body&& body) noexcept {
  auto* comp = static_cast<Component*>(c);
  if (!comp || !comp->instance) return fmi2Error;
  try {
    body(*comp->instance);
    return fmi2OK;
  } catch (const std::bad_alloc&) {
    log(comp, fmi2Error, "logStatusError", "out of memory");
  } catch (const std::exception& e) {
    log(comp, fmi2Error, "logStatusError", e.what());
  } catch (...) {
    log(comp, fmi2Error, "logStatusError", "an unknown exception inside legsim");
  }
  return fmi2Error;
}

fmi2Status unsupported(fmi2Component c, const char* what) noexcept {
  log(static_cast<Component*>(c), fmi2Error, "logStatusError", what);
  return fmi2Error;
}

/// Get/set of a type the FMU has no variables of: fine for an empty list only.
fmi2Status no_variables(fmi2Component c, size_t nvr) noexcept {
  return nvr == 0 ? fmi2OK : unsupported(c, "this FMU has Real variables only");
}

}  // namespace

extern "C" {

const char* fmi2GetTypesPlatform(void) { return fmi2TypesPlatform; }
const char* fmi2GetVersion(void) { return fmi2Version; }

fmi2Component fmi2Instantiate(fmi2String instanceName, fmi2Type fmuType, fmi2String fmuGUID,
                              fmi2String fmuResourceLocation, const fmi2CallbackFunctions* functions,
                              fmi2Boolean visible, fmi2Boolean loggingOn) {
  if (!functions || !instanceName || !fmuGUID || !fmuResourceLocation) return nullptr;
  Component* c = nullptr;
  try {
    c = new Component{instanceName, *functions, loggingOn != fmi2False, nullptr};
    if (fmuType != fmi2CoSimulation) throw legsim::InputError("fmuType: this FMU supports co-simulation only");
    c->instance = std::make_unique<Instance>(legsim::fmu::path_from_uri(fmuResourceLocation), fmuGUID);
    return c;
  } catch (const std::exception& e) {
    if (c) log(c, fmi2Error, "logStatusError", e.what());
    else if (functions->logger)
      functions->logger(functions->componentEnvironment, instanceName, fmi2Error, "logStatusError", "%s", e.what());
  } catch (...) {
  }
  delete c;
  return nullptr;
}

void fmi2FreeInstance(fmi2Component c) { delete static_cast<Component*>(c); }

fmi2Status fmi2SetDebugLogging(fmi2Component c, fmi2Boolean loggingOn, size_t, const fmi2String[]) {
  if (!c) return fmi2Error;
  static_cast<Component*>(c)->logging = loggingOn != fmi2False;
  return fmi2OK;
}

fmi2Status fmi2SetupExperiment(fmi2Component c, fmi2Boolean, fmi2Real, fmi2Real startTime, fmi2Boolean, fmi2Real) {
  return guarded(c, [&](Instance& i) { i.setup_experiment(startTime); });
}
fmi2Status fmi2EnterInitializationMode(fmi2Component c) {
  return guarded(c, [](Instance& i) { i.enter_initialization(); });
}
fmi2Status fmi2ExitInitializationMode(fmi2Component c) {
  return guarded(c, [](Instance& i) { i.exit_initialization(); });
}
fmi2Status fmi2Terminate(fmi2Component c) { return guarded(c, [](Instance& i) { i.terminate(); }); }
fmi2Status fmi2Reset(fmi2Component c) { return guarded(c, [](Instance& i) { i.reset(); }); }

fmi2Status fmi2GetReal(fmi2Component c, const fmi2ValueReference vr[], size_t nvr, fmi2Real value[]) {
  return guarded(c, [&](Instance& i) {
    for (size_t k = 0; k < nvr; ++k) value[k] = i.get_real(vr[k]);
  });
}
fmi2Status fmi2SetReal(fmi2Component c, const fmi2ValueReference vr[], size_t nvr, const fmi2Real value[]) {
  return guarded(c, [&](Instance& i) {
    for (size_t k = 0; k < nvr; ++k) i.set_real(vr[k], value[k]);
  });
}
fmi2Status fmi2GetInteger(fmi2Component c, const fmi2ValueReference[], size_t nvr, fmi2Integer[]) { return no_variables(c, nvr); }
fmi2Status fmi2GetBoolean(fmi2Component c, const fmi2ValueReference[], size_t nvr, fmi2Boolean[]) { return no_variables(c, nvr); }
fmi2Status fmi2GetString(fmi2Component c, const fmi2ValueReference[], size_t nvr, fmi2String[]) { return no_variables(c, nvr); }
fmi2Status fmi2SetInteger(fmi2Component c, const fmi2ValueReference[], size_t nvr, const fmi2Integer[]) { return no_variables(c, nvr); }
fmi2Status fmi2SetBoolean(fmi2Component c, const fmi2ValueReference[], size_t nvr, const fmi2Boolean[]) { return no_variables(c, nvr); }
fmi2Status fmi2SetString(fmi2Component c, const fmi2ValueReference[], size_t nvr, const fmi2String[]) { return no_variables(c, nvr); }

// canGetAndSetFMUstate, canSerializeFMUstate and providesDirectionalDerivative are false.
fmi2Status fmi2GetFMUstate(fmi2Component c, fmi2FMUstate*) { return unsupported(c, "fmi2GetFMUstate is not supported"); }
fmi2Status fmi2SetFMUstate(fmi2Component c, fmi2FMUstate) { return unsupported(c, "fmi2SetFMUstate is not supported"); }
fmi2Status fmi2FreeFMUstate(fmi2Component c, fmi2FMUstate*) { return unsupported(c, "fmi2FreeFMUstate is not supported"); }
fmi2Status fmi2SerializedFMUstateSize(fmi2Component c, fmi2FMUstate, size_t*) {
  return unsupported(c, "fmi2SerializedFMUstateSize is not supported");
}
fmi2Status fmi2SerializeFMUstate(fmi2Component c, fmi2FMUstate, fmi2Byte[], size_t) {
  return unsupported(c, "fmi2SerializeFMUstate is not supported");
}
fmi2Status fmi2DeSerializeFMUstate(fmi2Component c, const fmi2Byte[], size_t, fmi2FMUstate*) {
  return unsupported(c, "fmi2DeSerializeFMUstate is not supported");
}
fmi2Status fmi2GetDirectionalDerivative(fmi2Component c, const fmi2ValueReference[], size_t, const fmi2ValueReference[],
                                        size_t, const fmi2Real[], fmi2Real[]) {
  return unsupported(c, "fmi2GetDirectionalDerivative is not supported");
}

// Co-simulation. Input derivatives (canInterpolateInputs = false) are not used: inputs are held.
fmi2Status fmi2SetRealInputDerivatives(fmi2Component c, const fmi2ValueReference[], size_t, const fmi2Integer[],
                                       const fmi2Real[]) {
  return unsupported(c, "fmi2SetRealInputDerivatives is not supported (inputs are held over a step)");
}
fmi2Status fmi2GetRealOutputDerivatives(fmi2Component c, const fmi2ValueReference[], size_t, const fmi2Integer[],
                                        fmi2Real[]) {
  return unsupported(c, "fmi2GetRealOutputDerivatives is not supported");
}
fmi2Status fmi2DoStep(fmi2Component c, fmi2Real currentCommunicationPoint, fmi2Real communicationStepSize,
                      fmi2Boolean) {
  return guarded(c, [&](Instance& i) { i.do_step(currentCommunicationPoint, communicationStepSize); });
}
fmi2Status fmi2CancelStep(fmi2Component c) { return unsupported(c, "fmi2CancelStep: steps are synchronous"); }
fmi2Status fmi2GetStatus(fmi2Component c, const fmi2StatusKind, fmi2Status*) { return fmi2Discard; }
fmi2Status fmi2GetRealStatus(fmi2Component c, const fmi2StatusKind, fmi2Real*) { return fmi2Discard; }
fmi2Status fmi2GetIntegerStatus(fmi2Component c, const fmi2StatusKind, fmi2Integer*) { return fmi2Discard; }
fmi2Status fmi2GetBooleanStatus(fmi2Component c, const fmi2StatusKind, fmi2Boolean*) { return fmi2Discard; }
fmi2Status fmi2GetStringStatus(fmi2Component c, const fmi2StatusKind, fmi2String*) { return fmi2Discard; }

}  // extern "C"
