// Bindings of the stance simulation.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "legsim/core/error.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/touchdown_fields.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

py::dict series_dict(const StanceResult& r) {
  py::dict d;
  for (std::size_t i = 0; i < r.columns.size() && i < r.series.size(); ++i)
    d[py::str(r.columns[i])] = py::array_t<double>(static_cast<py::ssize_t>(r.series[i].size()), r.series[i].data());
  return d;
}

void bind_sim(py::module_& m) {
  py::enum_<StanceIntegrator>(m, "StanceIntegrator",
                              "The scalar stance's integrator: stiff_switching (the default: Dormand-Prince, "
                              "a Rosenbrock-W step while the stance is stiff) or dormand_prince (throughout, "
                              "the batch engine's method).")
      .value("stiff_switching", StanceIntegrator::kStiffSwitching)
      .value("dormand_prince", StanceIntegrator::kDormandPrince);
  // Attributes named after the one table of TouchdownState's fields (sim/touchdown_fields.hpp).
  py::class_<TouchdownState> td(m, "TouchdownState",
                                "Posture and velocities at touchdown (angles in rad, velocities in m/s and rad/s, "
                                "activations per muscle in model order; legsim.Touchdown is the Python front).");
  td.def(py::init<>()).def_readwrite("activations", &TouchdownState::activations);
  for (const TouchdownField& f : kTouchdownFields)
    td.def_property(
        f.name.data(), [mem = f.member](const TouchdownState& s) { return s.*mem; },
        [mem = f.member](TouchdownState& s, double v) { s.*mem = v; });

  py::class_<StanceResult>(m, "StanceResult",
                            "One simulated stance: status and message, contact_time (s), the recorded time series "
                            "(columns, series: name -> array, SI units), metrics and the touchdown and toe-off states.")
      .def_property_readonly("ok", &StanceResult::ok)
      .def_property_readonly("status", [](const StanceResult& r) { return std::string(to_string(r.status)); })
      .def_readonly("message", &StanceResult::message)
      .def_readonly("contact_time", &StanceResult::contact_time)
      .def_readonly("columns", &StanceResult::columns)
      .def_property_readonly("series", &series_dict)
      .def_readonly("metrics", &StanceResult::metrics)
      .def_readonly("touchdown_state", &StanceResult::touchdown_state)
      .def_readonly("toeoff_state", &StanceResult::toeoff_state)
      .def_readonly("steps", &StanceResult::steps)
      .def_readonly("rhs_evaluations", &StanceResult::rhs_evaluations);

  m.def(
      "simulate_stance_feedforward",
      [](const Model& model, const TouchdownState& td, std::vector<std::vector<double>> times,
         std::vector<std::vector<double>> levels, std::vector<double> capacity_factors, double rtol, double atol,
         bool record, StanceIntegrator integrator) {
        FeedforwardExcitation ff{std::move(times), std::move(levels)};
        validate(ff, model);
        StanceOptions o;
        o.capacity_factors = std::move(capacity_factors);
        o.relative_tolerance = rtol;
        o.absolute_tolerance = atol;
        o.record = record;
        o.integrator = integrator;
        py::gil_scoped_release release;
        return simulate_stance(model, td, ff, o);
      },
      py::arg("model"), py::arg("touchdown"), py::arg("times"), py::arg("levels"),
      py::arg("capacity_factors") = std::vector<double>{}, py::arg("rtol") = 0.0, py::arg("atol") = 0.0,
      py::arg("record") = true, py::arg("integrator") = StanceIntegrator::kStiffSwitching,
      "Simulates one stance from ``touchdown`` with piecewise-linear excitations (per muscle: sample times in "
      "s and levels in [0, 1]); returns a StanceResult. rtol/atol 0: the model's integrator settings.");

  m.def(
      "simulate_stance_callback",
      [](const Model& model, const TouchdownState& td, py::function excitation, std::vector<double> capacity_factors,
         double rtol, double atol, bool record, StanceIntegrator integrator) {
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
        o.integrator = integrator;
        return simulate_stance(model, td, fn, o);
      },
      py::arg("model"), py::arg("touchdown"), py::arg("excitation"),
      py::arg("capacity_factors") = std::vector<double>{}, py::arg("rtol") = 0.0, py::arg("atol") = 0.0,
      py::arg("record") = true, py::arg("integrator") = StanceIntegrator::kStiffSwitching,
      "Simulates one stance from ``touchdown`` with excitations from a Python callable e(t, state) returning "
      "one excitation per muscle (clipped to [0, 1]); returns a StanceResult.");
}

}  // namespace legsim::py_bind
