// Bindings of the gait prediction by direct collocation (legsim::predict, needs CasADi; compiled only
// when the build has it).
#ifdef LEGSIM_HAS_PREDICT
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "legsim/predict/predict.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

void bind_predict(py::module_& m) {
  using predict::PredictedGait;
  using predict::PredictOptions;
  py::class_<PredictOptions>(m, "PredictOptions")
      .def(py::init<>())
      .def_readwrite("mesh_intervals", &PredictOptions::mesh_intervals)
      .def_readwrite("volume_weighted_effort", &PredictOptions::volume_weighted_effort)
      .def_readwrite("acceleration_weight", &PredictOptions::acceleration_weight)
      .def_readwrite("tendon_rate_weight", &PredictOptions::tendon_rate_weight)
      .def_readwrite("reserve_weight", &PredictOptions::reserve_weight)
      .def_readwrite("reserve_scale", &PredictOptions::reserve_scale)
      .def_readwrite("tolerance", &PredictOptions::tolerance)
      .def_readwrite("constraint_tolerance", &PredictOptions::constraint_tolerance)
      .def_readwrite("max_iterations", &PredictOptions::max_iterations)
      .def_readwrite("print_level", &PredictOptions::print_level)
      .def_readwrite("linear_solver", &PredictOptions::linear_solver)
      .def_readwrite("exact_hessian", &PredictOptions::exact_hessian);
  py::class_<PredictedGait>(m, "PredictedGait")
      .def_readonly("status", &PredictedGait::status)
      .def_readonly("converged", &PredictedGait::converged)
      .def_readonly("iterations", &PredictedGait::iterations)
      .def_readonly("seconds", &PredictedGait::seconds)
      .def_readonly("objective", &PredictedGait::objective)
      .def_readonly("objective_terms", &PredictedGait::objective_terms)
      .def_readonly("variables_on_bounds", &PredictedGait::variables_on_bounds)
      .def_readonly("time", &PredictedGait::time)
      .def_readonly("coordinate_names", &PredictedGait::coordinate_names)
      .def_readonly("q", &PredictedGait::q)
      .def_readonly("qd", &PredictedGait::qd)
      .def_readonly("qdd", &PredictedGait::qdd)
      .def_readonly("muscle_names", &PredictedGait::muscle_names)
      .def_readonly("excitation", &PredictedGait::excitation)
      .def_readonly("activation", &PredictedGait::activation)
      .def_readonly("tendon_force", &PredictedGait::tendon_force)
      .def_readonly("fiber_length_norm", &PredictedGait::fiber_length_norm)
      .def_readonly("joint_moment", &PredictedGait::joint_moment)
      .def_readonly("reserve", &PredictedGait::reserve)
      .def_readonly("grf", &PredictedGait::grf)
      .def_readonly("cop_x", &PredictedGait::cop_x)
      .def_readonly("quadriceps_force", &PredictedGait::quadriceps_force)
      .def_readonly("pfj_force", &PredictedGait::pfj_force)
      .def_readonly("pfj_stress", &PredictedGait::pfj_stress)
      .def_readonly("step_time", &PredictedGait::step_time)
      .def_readonly("step_length", &PredictedGait::step_length)
      .def_readonly("speed", &PredictedGait::speed)
      .def_readonly("body_mass", &PredictedGait::body_mass)
      .def_readonly("x", &PredictedGait::x)
      .def_readonly("lam_x", &PredictedGait::lam_x)
      .def_readonly("lam_g", &PredictedGait::lam_g);
  m.def(
      "predict_gait",
      [](const Model& model, const GaitCondition& condition, const PredictOptions& options,
         const PredictedGait* warm) {
        py::gil_scoped_release release;
        return predict::predict_gait(model, condition, options, warm);
      },
      py::arg("model"), py::arg("condition"), py::arg("options"), py::arg("warm") = nullptr);
  m.def("predicted_gait_metrics", &predict::gait_metrics, py::arg("model"), py::arg("condition"), py::arg("gait"));
}

}  // namespace legsim::py_bind
#endif  // LEGSIM_HAS_PREDICT
