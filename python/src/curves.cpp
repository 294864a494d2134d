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
        py::arg("l_norm"));
  m.def("active_force_length_derivative",
        py::vectorize([](double l) { return curves::active_force_length_derivative(l); }), py::arg("l_norm"));
  m.def("passive_force_length",
        py::vectorize([](double l, double e0) { return curves::passive_force_length(l, e0); }), py::arg("l_norm"),
        py::arg("strain_at_one_norm_force") = 0.6);
  m.def("force_velocity", py::vectorize([](double v) { return curves::force_velocity(v); }), py::arg("v_norm"));
  m.def("force_velocity_derivative", py::vectorize([](double v) { return curves::force_velocity_derivative(v); }),
        py::arg("v_norm"));
  m.def("force_velocity_inverse", py::vectorize([](double f) { return curves::force_velocity_inverse(f); }),
        py::arg("f"));
  m.def("tendon_force_length",
        py::vectorize([](double l, double e0) { return curves::tendon_force_length(l, e0); }),
        py::arg("l_tendon_norm"), py::arg("strain_at_one_norm_force") = 0.049);
  m.def("tendon_force_length_inverse",
        py::vectorize([](double f, double e0) { return curves::tendon_force_length_inverse(f, e0); }),
        py::arg("f"), py::arg("strain_at_one_norm_force") = 0.049);
}

}  // namespace legsim::py_bind
