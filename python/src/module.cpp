// legsim._core: the pybind11 module. One file per area (curves, muscle, model, simulation, batch); this
// file wires them together and maps C++ exceptions onto the Python classes of legsim.errors.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/error.hpp"
#include "legsim/version.hpp"
#ifdef LEGSIM_HAS_PREDICT
#include "legsim/predict/casadi_check.hpp"
#endif

namespace py = pybind11;

namespace {

void raise_as(const char* cls, const std::exception& e) {
  py::object type = py::module_::import("legsim.errors").attr(cls);
  PyErr_SetString(type.ptr(), e.what());
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "legsim C++ core";
  m.attr("__version__") = legsim::kVersion;
  // What a result depends on besides the inputs: the batch engine's SIMD target in use (the widest
  // this CPU runs, or LEGSIM_SIMD's; issue 22.2), its instruction set and width, and the compiler.
  // Sweep journals record it so a resume never mixes results of different binaries or targets.
  // A LEGSIM_SIMD that names no supported target fails the import with the reason.
  const legsim::SimdTarget& simd = legsim::simd_target();
  py::dict build_info;
  build_info["version"] = legsim::kVersion;
  build_info["simd_target"] = simd.name;
  build_info["instruction_set"] = simd.instruction_set;
  build_info["simd_lanes"] = static_cast<int>(simd.lanes);
  py::list targets;
  for (const legsim::SimdTarget& t : legsim::simd_targets()) {
    py::dict d;
    d["name"] = t.name;
    d["instruction_set"] = t.instruction_set;
    d["lanes"] = static_cast<int>(t.lanes);
    d["supported"] = t.supported;
    targets.append(d);
  }
  build_info["simd_targets"] = targets;
  build_info["compiler"] = std::string(__VERSION__);
  m.attr("build_info") = build_info;
#ifdef LEGSIM_HAS_PREDICT
  m.def("casadi_version", &legsim::predict::casadi_version,
        "Version of the CasADi library this module loaded (predictive simulation).");
#endif
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const legsim::ModelFileError& e) {
      raise_as("ModelFileError", e);
    } catch (const legsim::InputError& e) {
      raise_as("InputError", e);
    } catch (const legsim::SimulationError& e) {
      raise_as("SimulationError", e);
    } catch (const legsim::Error& e) {
      raise_as("Error", e);
    }
  });
  legsim::py_bind::bind_curves(m);
  legsim::py_bind::bind_muscle(m);
  legsim::py_bind::bind_model(m);
  legsim::py_bind::bind_sim(m);
  legsim::py_bind::bind_gait(m);
  legsim::py_bind::bind_batch(m);
#ifdef LEGSIM_HAS_PREDICT
  legsim::py_bind::bind_predict(m);
#endif
}
