// legsim._core.curves: the muscle curves, vectorized over numpy arrays (any shape in, same shape out).
// Input checks (NaN, ranges) are done by the Python wrapper legsim.curves, which names the argument.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "legsim/muscle/curves.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

void bind_curves(py::module_& root) {
  py::module_ m = root.def_submodule("curves", "Hill-type muscle curves (De Groote et al. 2016, OpenSim refit)");
  m.def("active_force_length", py::vectorize([](double l) { return curves::active_force_length(l); }),
        py::arg("l_norm"), "Active force–length multiplier at normalized fiber length.");
  m.def("active_force_length_derivative",
        py::vectorize([](double l) { return curves::active_force_length_derivative(l); }), py::arg("l_norm"),
        "Derivative of the active force–length multiplier with respect to normalized fiber length.");
  m.def("passive_force_length",
        py::vectorize([](double l, double e0) { return curves::passive_force_length(l, e0); }), py::arg("l_norm"),
        py::arg("strain_at_one_norm_force") = 0.6,
        "Passive fiber force (normalized) at normalized fiber length.");
  m.def("force_velocity", py::vectorize([](double v) { return curves::force_velocity(v); }), py::arg("v_norm"),
        "Force–velocity multiplier at normalized fiber velocity (fiber velocity / (max_contraction_velocity · "
        "optimal_fiber_length), shortening negative).");
  m.def("force_velocity_derivative", py::vectorize([](double v) { return curves::force_velocity_derivative(v); }),
        py::arg("v_norm"), "Derivative of the force–velocity multiplier with respect to normalized velocity.");
  m.def("force_velocity_inverse", py::vectorize([](double f) { return curves::force_velocity_inverse(f); }),
        py::arg("f"), "Normalized fiber velocity at force–velocity multiplier f (inverse of force_velocity).");
  m.def("tendon_force_length",
        py::vectorize([](double l, double e0) { return curves::tendon_force_length(l, e0); }),
        py::arg("l_tendon_norm"), py::arg("strain_at_one_norm_force") = 0.049,
        "Normalized tendon force at tendon length / tendon slack length.");
  m.def("tendon_force_length_inverse",
        py::vectorize([](double f, double e0) { return curves::tendon_force_length_inverse(f, e0); }),
        py::arg("f"), py::arg("strain_at_one_norm_force") = 0.049,
        "Tendon length / tendon slack length at normalized tendon force f (inverse of tendon_force_length).");
}

}  // namespace legsim::py_bind
