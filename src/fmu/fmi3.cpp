// The FMI 3.0 co-simulation interface of the stance-leg FMU (fmi3Functions.h from the FMPy wheel):
// the same Instance as FMI 2.0 (fmi2.cpp) behind FMI 3.0's function set. Every exception becomes
// fmi3Error plus a log message; the functions of other interface types and capabilities the model
// description does not declare (model exchange, scheduled execution, clocks, FMU state,
// derivatives, non-Float64 variables) are exported, as the standard requires, and report an error.
#include <exception>
#include <memory>
#include <new>
#include <string>

#include "fmi3Functions.h"
#include "instance.hpp"

namespace {

using legsim::fmu::Instance;

struct Component {
  std::string name;
  fmi3InstanceEnvironment environment;
  fmi3LogMessageCallback log_message;
  bool logging;
  std::unique_ptr<Instance> instance;
};

void log(const Component* c, fmi3Status status, const char* message) noexcept {
  if (c && c->log_message && (c->logging || status == fmi3Error))
    c->log_message(c->environment, status, "logStatusError", message);
}

/// Runs body on an instance; exceptions become fmi3Error with the message logged.
template <class Body>
fmi3Status guarded(fmi3Instance i, Body&& body) noexcept {
  auto* c = static_cast<Component*>(i);
  if (!c || !c->instance) return fmi3Error;
  try {
    body(*c->instance);
    return fmi3OK;
  } catch (const std::bad_alloc&) {
    log(c, fmi3Error, "out of memory");
  } catch (const std::exception& e) {
    log(c, fmi3Error, e.what());
  } catch (...) {
    log(c, fmi3Error, "an unknown exception inside legsim");
  }
  return fmi3Error;
}

fmi3Status unsupported(fmi3Instance i, const char* what) noexcept {
  log(static_cast<Component*>(i), fmi3Error, what);
  return fmi3Error;
}

}  // namespace

// A function the FMU does not support, with its FMI 3.0 parameter list after the instance.
#define LEGSIM_FMI3_UNSUPPORTED(name, ...) \
  fmi3Status name(fmi3Instance instance __VA_OPT__(, ) __VA_ARGS__) { return unsupported(instance, #name " is not supported"); }
// A getter or setter of a type the FMU has no variables of: fine for an empty list only.
#define LEGSIM_FMI3_NO_VARIABLES(name, ...)                                                          \
  fmi3Status name(fmi3Instance instance, __VA_ARGS__) {                                             \
    return nValueReferences == 0 ? fmi3OK : unsupported(instance, #name ": this FMU has Float64 variables only"); \
  }

extern "C" {

const char* fmi3GetVersion(void) { return fmi3Version; }

fmi3Instance fmi3InstantiateCoSimulation(fmi3String instanceName, fmi3String instantiationToken, fmi3String resourcePath,
                                         fmi3Boolean visible, fmi3Boolean loggingOn, fmi3Boolean eventModeUsed,
                                         fmi3Boolean earlyReturnAllowed, const fmi3ValueReference[], size_t,
                                         fmi3InstanceEnvironment instanceEnvironment, fmi3LogMessageCallback logMessage,
                                         fmi3IntermediateUpdateCallback) {
  if (!instanceName || !instantiationToken || !resourcePath) return nullptr;
  Component* c = nullptr;
  try {
    c = new Component{instanceName, instanceEnvironment, logMessage, loggingOn, nullptr};
    // resourcePath: an absolute native path of the resources directory, ending in a separator.
    c->instance = std::make_unique<Instance>(resourcePath, instantiationToken);
    return c;
  } catch (const std::exception& e) {
    if (c) log(c, fmi3Error, e.what());
    else if (logMessage) logMessage(instanceEnvironment, fmi3Error, "logStatusError", e.what());
  } catch (...) {
  }
  delete c;
  return nullptr;
}

fmi3Instance fmi3InstantiateModelExchange(fmi3String, fmi3String, fmi3String, fmi3Boolean, fmi3Boolean,
                                          fmi3InstanceEnvironment, fmi3LogMessageCallback) {
  return nullptr;  // co-simulation only
}

fmi3Instance fmi3InstantiateScheduledExecution(fmi3String, fmi3String, fmi3String, fmi3Boolean, fmi3Boolean,
                                               fmi3InstanceEnvironment, fmi3LogMessageCallback, fmi3ClockUpdateCallback,
                                               fmi3LockPreemptionCallback, fmi3UnlockPreemptionCallback) {
  return nullptr;  // co-simulation only
}

void fmi3FreeInstance(fmi3Instance instance) { delete static_cast<Component*>(instance); }

fmi3Status fmi3SetDebugLogging(fmi3Instance instance, fmi3Boolean loggingOn, size_t, const fmi3String[]) {
  if (!instance) return fmi3Error;
  static_cast<Component*>(instance)->logging = loggingOn;
  return fmi3OK;
}

fmi3Status fmi3EnterInitializationMode(fmi3Instance instance, fmi3Boolean, fmi3Float64, fmi3Float64 startTime,
                                       fmi3Boolean, fmi3Float64) {
  return guarded(instance, [&](Instance& i) {
    i.setup_experiment(startTime);
    i.enter_initialization();
  });
}
fmi3Status fmi3ExitInitializationMode(fmi3Instance instance) {
  return guarded(instance, [](Instance& i) { i.exit_initialization(); });
}
fmi3Status fmi3EnterStepMode(fmi3Instance instance) { return instance ? fmi3OK : fmi3Error; }
fmi3Status fmi3Terminate(fmi3Instance instance) { return guarded(instance, [](Instance& i) { i.terminate(); }); }
fmi3Status fmi3Reset(fmi3Instance instance) { return guarded(instance, [](Instance& i) { i.reset(); }); }

fmi3Status fmi3GetFloat64(fmi3Instance instance, const fmi3ValueReference valueReferences[], size_t nValueReferences,
                          fmi3Float64 values[], size_t nValues) {
  return guarded(instance, [&](Instance& i) {
    for (size_t k = 0; k < nValueReferences && k < nValues; ++k) values[k] = i.get_real(valueReferences[k]);
  });
}
fmi3Status fmi3SetFloat64(fmi3Instance instance, const fmi3ValueReference valueReferences[], size_t nValueReferences,
                          const fmi3Float64 values[], size_t nValues) {
  return guarded(instance, [&](Instance& i) {
    for (size_t k = 0; k < nValueReferences && k < nValues; ++k) i.set_real(valueReferences[k], values[k]);
  });
}

fmi3Status fmi3DoStep(fmi3Instance instance, fmi3Float64 currentCommunicationPoint, fmi3Float64 communicationStepSize,
                      fmi3Boolean, fmi3Boolean* eventHandlingNeeded, fmi3Boolean* terminateSimulation,
                      fmi3Boolean* earlyReturn, fmi3Float64* lastSuccessfulTime) {
  if (eventHandlingNeeded) *eventHandlingNeeded = fmi3False;
  if (terminateSimulation) *terminateSimulation = fmi3False;
  if (earlyReturn) *earlyReturn = fmi3False;
  const fmi3Status s = guarded(instance, [&](Instance& i) { i.do_step(currentCommunicationPoint, communicationStepSize); });
  if (lastSuccessfulTime && instance && static_cast<Component*>(instance)->instance)
    *lastSuccessfulTime = static_cast<Component*>(instance)->instance->time();
  return s;
}

// The outputs do not depend on the inputs directly (dependencies="" in the model description).
fmi3Status fmi3GetNumberOfVariableDependencies(fmi3Instance instance, fmi3ValueReference, size_t* nDependencies) {
  if (!instance || !nDependencies) return fmi3Error;
  *nDependencies = 0;
  return fmi3OK;
}

LEGSIM_FMI3_UNSUPPORTED(fmi3EnterEventMode)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetFloat32, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Float32 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetInt8, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Int8 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetUInt8, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3UInt8 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetInt16, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Int16 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetUInt16, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3UInt16 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetInt32, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Int32 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetUInt32, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3UInt32 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetInt64, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Int64 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetUInt64, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3UInt64 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetBoolean, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Boolean values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetString, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3String values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetBinary, const fmi3ValueReference valueReferences[], size_t nValueReferences, size_t valueSizes[], fmi3Binary values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3GetClock, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Clock values[])
LEGSIM_FMI3_NO_VARIABLES(fmi3SetFloat32, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Float32 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetInt8, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Int8 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetUInt8, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3UInt8 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetInt16, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Int16 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetUInt16, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3UInt16 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetInt32, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Int32 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetUInt32, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3UInt32 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetInt64, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Int64 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetUInt64, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3UInt64 values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetBoolean, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Boolean values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetString, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3String values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetBinary, const fmi3ValueReference valueReferences[], size_t nValueReferences, const size_t valueSizes[], const fmi3Binary values[], size_t nValues)
LEGSIM_FMI3_NO_VARIABLES(fmi3SetClock, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Clock values[])
LEGSIM_FMI3_UNSUPPORTED(fmi3GetVariableDependencies, fmi3ValueReference dependent, size_t elementIndicesOfDependent[], fmi3ValueReference independents[], size_t elementIndicesOfIndependents[], fmi3DependencyKind dependencyKinds[], size_t nDependencies)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetFMUState, fmi3FMUState* FMUState)
LEGSIM_FMI3_UNSUPPORTED(fmi3SetFMUState, fmi3FMUState FMUState)
LEGSIM_FMI3_UNSUPPORTED(fmi3FreeFMUState, fmi3FMUState* FMUState)
LEGSIM_FMI3_UNSUPPORTED(fmi3SerializedFMUStateSize, fmi3FMUState FMUState, size_t* size)
LEGSIM_FMI3_UNSUPPORTED(fmi3SerializeFMUState, fmi3FMUState FMUState, fmi3Byte serializedState[], size_t size)
LEGSIM_FMI3_UNSUPPORTED(fmi3DeserializeFMUState, const fmi3Byte serializedState[], size_t size, fmi3FMUState* FMUState)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetDirectionalDerivative, const fmi3ValueReference unknowns[], size_t nUnknowns, const fmi3ValueReference knowns[], size_t nKnowns, const fmi3Float64 seed[], size_t nSeed, fmi3Float64 sensitivity[], size_t nSensitivity)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetAdjointDerivative, const fmi3ValueReference unknowns[], size_t nUnknowns, const fmi3ValueReference knowns[], size_t nKnowns, const fmi3Float64 seed[], size_t nSeed, fmi3Float64 sensitivity[], size_t nSensitivity)
LEGSIM_FMI3_UNSUPPORTED(fmi3EnterConfigurationMode)
LEGSIM_FMI3_UNSUPPORTED(fmi3ExitConfigurationMode)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetIntervalDecimal, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Float64 intervals[], fmi3IntervalQualifier qualifiers[])
LEGSIM_FMI3_UNSUPPORTED(fmi3GetIntervalFraction, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3UInt64 counters[], fmi3UInt64 resolutions[], fmi3IntervalQualifier qualifiers[])
LEGSIM_FMI3_UNSUPPORTED(fmi3GetShiftDecimal, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3Float64 shifts[])
LEGSIM_FMI3_UNSUPPORTED(fmi3GetShiftFraction, const fmi3ValueReference valueReferences[], size_t nValueReferences, fmi3UInt64 counters[], fmi3UInt64 resolutions[])
LEGSIM_FMI3_UNSUPPORTED(fmi3SetIntervalDecimal, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Float64 intervals[])
LEGSIM_FMI3_UNSUPPORTED(fmi3SetIntervalFraction, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3UInt64 counters[], const fmi3UInt64 resolutions[])
LEGSIM_FMI3_UNSUPPORTED(fmi3SetShiftDecimal, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Float64 shifts[])
LEGSIM_FMI3_UNSUPPORTED(fmi3SetShiftFraction, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3UInt64 counters[], const fmi3UInt64 resolutions[])
LEGSIM_FMI3_UNSUPPORTED(fmi3EvaluateDiscreteStates)
LEGSIM_FMI3_UNSUPPORTED(fmi3UpdateDiscreteStates, fmi3Boolean* discreteStatesNeedUpdate, fmi3Boolean* terminateSimulation, fmi3Boolean* nominalsOfContinuousStatesChanged, fmi3Boolean* valuesOfContinuousStatesChanged, fmi3Boolean* nextEventTimeDefined, fmi3Float64* nextEventTime)
LEGSIM_FMI3_UNSUPPORTED(fmi3EnterContinuousTimeMode)
LEGSIM_FMI3_UNSUPPORTED(fmi3CompletedIntegratorStep, fmi3Boolean noSetFMUStatePriorToCurrentPoint, fmi3Boolean* enterEventMode, fmi3Boolean* terminateSimulation)
LEGSIM_FMI3_UNSUPPORTED(fmi3SetTime, fmi3Float64 time)
LEGSIM_FMI3_UNSUPPORTED(fmi3SetContinuousStates, const fmi3Float64 continuousStates[], size_t nContinuousStates)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetContinuousStateDerivatives, fmi3Float64 derivatives[], size_t nContinuousStates)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetEventIndicators, fmi3Float64 eventIndicators[], size_t nEventIndicators)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetContinuousStates, fmi3Float64 continuousStates[], size_t nContinuousStates)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetNominalsOfContinuousStates, fmi3Float64 nominals[], size_t nContinuousStates)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetNumberOfEventIndicators, size_t* nEventIndicators)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetNumberOfContinuousStates, size_t* nContinuousStates)
LEGSIM_FMI3_UNSUPPORTED(fmi3GetOutputDerivatives, const fmi3ValueReference valueReferences[], size_t nValueReferences, const fmi3Int32 orders[], fmi3Float64 values[], size_t nValues)
LEGSIM_FMI3_UNSUPPORTED(fmi3ActivateModelPartition, fmi3ValueReference clockReference, fmi3Float64 activationTime)

}  // extern "C"
