// Bindings of the stance simulation.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "legsim/core/error.hpp"
#include "legsim/sim/simulate.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

void bind_sim(py::module_& m) {
  py::class_<TouchdownState>(m, "TouchdownState",
                              "Posture and velocities at touchdown (angles in rad, velocities in m/s and rad/s, "
                              "activations per muscle in model order; legsim.Touchdown is the Python front).")
      .def(py::init<>())
      .def_readwrite("trunk_lean", &TouchdownState::trunk_lean)
      .def_readwrite("hip_flexion", &TouchdownState::hip_flexion)
      .def_readwrite("knee_flexion", &TouchdownState::knee_flexion)
      .def_readwrite("ankle_dorsiflexion", &TouchdownState::ankle_dorsiflexion)
      .def_readwrite("hip_velocity_x", &TouchdownState::hip_velocity_x)
      .def_readwrite("hip_velocity_y", &TouchdownState::hip_velocity_y)
      .def_readwrite("trunk_angular_velocity", &TouchdownState::trunk_angular_velocity)
      .def_readwrite("hip_angular_velocity", &TouchdownState::hip_angular_velocity)
      .def_readwrite("knee_angular_velocity", &TouchdownState::knee_angular_velocity)
      .def_readwrite("ankle_angular_velocity", &TouchdownState::ankle_angular_velocity)
      .def_readwrite("activations", &TouchdownState::activations);

  py::class_<StanceResult>(m, "StanceResult",
                            "One simulated stance: status and message, contact_time (s), the recorded time series "
                            "(columns, series: name -> array, SI units), metrics and the touchdown and toe-off states.")
      .def_property_readonly("ok", &StanceResult::ok)
      .def_property_readonly("status", [](const StanceResult& r) { return std::string(to_string(r.status)); })
      .def_readonly("message", &StanceResult::message)
      .def_readonly("contact_time", &StanceResult::contact_time)
      .def_readonly("columns", &StanceResult::columns)
      .def_property_readonly("series",
                             [](const StanceResult& r) {
                               py::dict d;
                               for (std::size_t i = 0; i < r.columns.size() && i < r.series.size(); ++i)
                                 d[py::str(r.columns[i])] = py::array_t<double>(r.series[i].size(), r.series[i].data());
                               return d;
                             })
      .def_readonly("metrics", &StanceResult::metrics)
      .def_readonly("touchdown_state", &StanceResult::touchdown_state)
      .def_readonly("toeoff_state", &StanceResult::toeoff_state)
      .def_readonly("steps", &StanceResult::steps)
      .def_readonly("rhs_evaluations", &StanceResult::rhs_evaluations);

  m.def(
      "simulate_stance_feedforward",
      [](const Model& model, const TouchdownState& td, std::vector<std::vector<double>> times,
         std::vector<std::vector<double>> levels, std::vector<double> capacity_factors, double rtol, double atol,
         bool record) {
        FeedforwardExcitation ff{std::move(times), std::move(levels)};
        validate(ff, model);
        StanceOptions o;
        o.capacity_factors = std::move(capacity_factors);
        o.relative_tolerance = rtol;
        o.absolute_tolerance = atol;
        o.record = record;
        py::gil_scoped_release release;
        return simulate_stance(model, td, ff, o);
      },
      py::arg("model"), py::arg("touchdown"), py::arg("times"), py::arg("levels"),
      py::arg("capacity_factors") = std::vector<double>{}, py::arg("rtol") = 0.0, py::arg("atol") = 0.0,
      py::arg("record") = true,
      "Simulates one stance from ``touchdown`` with piecewise-linear excitations (per muscle: sample times in "
      "s and levels in [0, 1]); returns a StanceResult. rtol/atol 0: the model's integrator settings.");

  m.def(
      "simulate_stance_callback",
      [](const Model& model, const TouchdownState& td, py::function excitation, std::vector<double> capacity_factors,
         double rtol, double atol, bool record) {
        // A Python callable e(t, state) -> sequence of excitations, called from the integrator's
        // right-hand side. Exceptions it raises abort the run and propagate.
        const std::size_t n = model.muscles().size();
        ExcitationFn fn = [&excitation, n](double t, std::span<const double> x, std::span<double> u) {
          py::array_t<double> xs(static_cast<py::ssize_t>(x.size()), x.data());
          py::array_t<double> r = py::array_t<double>::ensure(excitation(t, xs));
          if (!r || static_cast<std::size_t>(r.size()) != n)
            throw InputError("excitation callable must return " + std::to_string(n) + " numbers (one per muscle)");
          for (std::size_t i = 0; i < n; ++i) u[i] = std::clamp(r.at(i), 0.0, 1.0);
        };
        StanceOptions o;
        o.capacity_factors = std::move(capacity_factors);
        o.relative_tolerance = rtol;
        o.absolute_tolerance = atol;
        o.record = record;
        return simulate_stance(model, td, fn, o);
      },
      py::arg("model"), py::arg("touchdown"), py::arg("excitation"),
      py::arg("capacity_factors") = std::vector<double>{}, py::arg("rtol") = 0.0, py::arg("atol") = 0.0,
      py::arg("record") = true,
      "Simulates one stance from ``touchdown`` with excitations from a Python callable e(t, state) returning "
      "one excitation per muscle (clipped to [0, 1]); returns a StanceResult.");
}

}  // namespace legsim::py_bind
