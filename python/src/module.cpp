// legsim._core: the pybind11 module. One file per area (curves, muscle, model, simulation); this
// file wires them together and maps C++ exceptions onto the Python classes of legsim.errors.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "legsim/core/error.hpp"
#include "legsim/version.hpp"

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
}
