// Bindings of gait conditions and gait matching (sweeps are legsim.sweep, in Python).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "legsim/gait/matching.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

void bind_gait(py::module_& m) {
  py::enum_<FootStrike>(m, "FootStrike",
                        "Foot strike at touchdown (ankle_angle: the condition's touchdown_ankle_angle_deg).")
      .value("rearfoot", FootStrike::kRearfoot)
      .value("midfoot", FootStrike::kMidfoot)
      .value("forefoot", FootStrike::kForefoot)
      .value("ankle_angle", FootStrike::kAnkleAngle);

  py::class_<GaitCondition>(m, "GaitCondition",
                             "A running condition: speed (m/s) with cadence (steps/min) or step or stride length (m), "
                             "calf fatigue, foot strike, optional body mass (kg) and height (m); legsim.Condition is "
                             "the Python front.")
      .def(py::init<>())
      .def_readwrite("speed", &GaitCondition::speed)
      .def_readwrite("cadence", &GaitCondition::cadence)
      .def_readwrite("step_length", &GaitCondition::step_length)
      .def_readwrite("stride_length", &GaitCondition::stride_length)
      .def_readwrite("calf_fatigue", &GaitCondition::calf_fatigue)
      .def_readwrite("fatigue_override", &GaitCondition::fatigue_override)
      .def_property(
          "calf_fatigue_split", [](const GaitCondition& c) { return to_string(c.calf_fatigue_split); },
          [](GaitCondition& c, const std::string& s) { c.calf_fatigue_split = parse_calf_fatigue_split(s); })
      .def_readwrite("foot_strike", &GaitCondition::foot_strike)
      .def_readwrite("touchdown_ankle_angle_deg", &GaitCondition::touchdown_ankle_angle_deg)
      .def_readwrite("body_mass", &GaitCondition::body_mass)
      .def_readwrite("height", &GaitCondition::height);

  py::class_<ResolvedCondition>(m, "ResolvedCondition",
                                 "A validated condition: speed (m/s), cadence (steps/min), step_length (m), "
                                 "step_time (s).")
      .def_readonly("speed", &ResolvedCondition::speed)
      .def_readonly("cadence", &ResolvedCondition::cadence)
      .def_readonly("step_length", &ResolvedCondition::step_length)
      .def_readonly("step_time", &ResolvedCondition::step_time);
  m.def("resolve_condition", &resolve, py::arg("condition"),
        "Validates and completes a GaitCondition; returns a ResolvedCondition or raises legsim.InputError.");
  m.def("capacity_factors", &capacity_factors, py::arg("model"), py::arg("condition"),
        "Contractile capacity of each muscle (model order, 1 = fresh) under the condition's fatigue.");

  py::class_<MatchingOptions>(m, "MatchingOptions",
                               "Tolerances and limits of gait matching (include/legsim/gait/matching.hpp).")
      .def(py::init<>())
      .def_readwrite("speed_tolerance", &MatchingOptions::speed_tolerance)
      .def_readwrite("vertical_velocity_tolerance", &MatchingOptions::vertical_velocity_tolerance)
      .def_readwrite("height_tolerance", &MatchingOptions::height_tolerance)
      .def_readwrite("step_length_tolerance", &MatchingOptions::step_length_tolerance)
      .def_readwrite("trunk_lean_tolerance", &MatchingOptions::trunk_lean_tolerance)
      .def_readwrite("periodic_trunk_lean", &MatchingOptions::periodic_trunk_lean)
      .def_readwrite("max_evaluations", &MatchingOptions::max_evaluations)
      .def_readwrite("max_stances", &MatchingOptions::max_stances)
      .def_readwrite("relative_tolerance", &MatchingOptions::relative_tolerance)
      .def_readwrite("touchdown_hip_angular_velocity", &MatchingOptions::touchdown_hip_angular_velocity)
      .def_readwrite("touchdown_knee_angular_velocity", &MatchingOptions::touchdown_knee_angular_velocity)
      .def_readwrite("touchdown_foot_velocity", &MatchingOptions::touchdown_foot_velocity)
      .def_readwrite("threads", &MatchingOptions::threads)
      .def_readwrite("record", &MatchingOptions::record);

  py::class_<GaitResult>(m, "GaitResult",
                          "A gait matching: converged, message, residuals, metrics, the decision variables "
                          "(solution, in gait_variable_names order), the stance at the solution and the stance "
                          "simulations used (evaluations).")
      .def_readonly("converged", &GaitResult::converged)
      .def_readonly("message", &GaitResult::message)
      .def_readonly("residuals", &GaitResult::residuals)
      .def_readonly("metrics", &GaitResult::metrics)
      .def_readonly("solution", &GaitResult::solution)
      .def_readonly("stance", &GaitResult::stance)
      .def_readonly("evaluations", &GaitResult::evaluations);

  m.def("gait_variable_names", &gait_variable_names, "Names of gait matching's decision variables, in solution order.");
  m.def("gait_metric_names", &gait_metric_names, py::arg("model"),
        "Every metric key of a converged gait matching of the model, sorted (from the code that computes them).");
  m.def("volume_effort_weights", &volume_effort_weights, py::arg("model"),
        "Effort weights proportional to muscle fiber volume (mean 1), as parameter changes for Model.with_params.");
  m.def(
      "match_gait",
      [](const Model& model, const GaitCondition& c, const MatchingOptions& o, std::optional<std::vector<double>> warm) {
        py::gil_scoped_release release;
        return match_gait(model, c, o, warm ? &*warm : nullptr);
      },
      py::arg("model"), py::arg("condition"), py::arg("options") = MatchingOptions{},
      py::arg("warm_start") = py::none(),
      "Gait matching at ``condition``: the controller parameters and touchdown state for which one stance is one "
      "step of a periodic gait, minimizing effort; returns a GaitResult.");
}

}  // namespace legsim::py_bind
