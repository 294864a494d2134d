// Bindings of the gait prediction by direct collocation (legsim::predict, needs CasADi; compiled only
// when the build has it).
#ifdef LEGSIM_HAS_PREDICT
#include <algorithm>
#include <tuple>
#include <type_traits>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "legsim/predict/forward.hpp"
#include "legsim/predict/predict.hpp"

namespace py = pybind11;

namespace legsim::py_bind {

namespace {

/// [rows][cols] as a 2-D numpy array (0 × 0 when empty).
py::array_t<double> matrix(const std::vector<std::vector<double>>& rows) {
  const py::ssize_t n = static_cast<py::ssize_t>(rows.size());
  const py::ssize_t k = n ? static_cast<py::ssize_t>(rows.front().size()) : 0;
  py::array_t<double> a({n, k});
  auto v = a.mutable_unchecked<2>();
  for (py::ssize_t i = 0; i < n; ++i)
    for (py::ssize_t j = 0; j < k; ++j) v(i, j) = rows[i][j];
  return a;
}

/// A named data member of a bound class.
template <class Class, class Type>
struct Field {
  const char* name;
  Type Class::*member;
};
template <class Class, class Type>
constexpr Field<Class, Type> field(const char* name, Type Class::*member) {
  return {name, member};
}

py::array_t<double> vector(const std::vector<double>& x) {
  return py::array_t<double>(static_cast<py::ssize_t>(x.size()), x.data());
}

}  // namespace

void bind_predict(py::module_& m) {
  using predict::PredictedGait;
  using predict::PredictOptions;
  py::class_<PredictOptions>(m, "PredictOptions",
                              "Settings of the optimal-control problem (mesh, objective and its weights) and of IPOPT "
                              "(include/legsim/predict/predict.hpp).")
      .def(py::init<>())
      .def_readwrite("mesh_intervals", &PredictOptions::mesh_intervals)
      .def_readwrite("impact_mesh_ratio", &PredictOptions::impact_mesh_ratio)
      .def_readwrite("impact_window", &PredictOptions::impact_window)
      .def_readwrite("start", &PredictOptions::start)
      .def_readwrite("passive_moment_weight", &PredictOptions::passive_moment_weight)
      .def_readwrite("objective", &PredictOptions::objective)
      .def_readwrite("metabolic_effort_weight", &PredictOptions::metabolic_effort_weight)
      .def_readwrite("volume_weighted_effort", &PredictOptions::volume_weighted_effort)
      .def_readwrite("acceleration_weight", &PredictOptions::acceleration_weight)
      .def_readwrite("tendon_rate_weight", &PredictOptions::tendon_rate_weight)
      .def_readwrite("excitation_rate_weight", &PredictOptions::excitation_rate_weight)
      .def_readwrite("reserve_weight", &PredictOptions::reserve_weight)
      .def_readwrite("reserve_scale", &PredictOptions::reserve_scale)
      .def_readwrite("tolerance", &PredictOptions::tolerance)
      .def_readwrite("constraint_tolerance", &PredictOptions::constraint_tolerance)
      .def_readwrite("max_iterations", &PredictOptions::max_iterations)
      .def_readwrite("print_level", &PredictOptions::print_level)
      .def_readwrite("linear_solver", &PredictOptions::linear_solver)
      .def_readwrite("hessian", &PredictOptions::hessian)
      .def_readwrite("quasi_newton_tolerance", &PredictOptions::quasi_newton_tolerance);
  using Phase = PredictedGait::Phase;
  py::class_<Phase>(m, "PredictPhase", "One IPOPT run of a prediction.")
      .def(py::init<>())
      .def_readonly("hessian", &Phase::hessian)
      .def_readonly("status", &Phase::status)
      .def_readonly("iterations", &Phase::iterations)
      .def_readonly("seconds", &Phase::seconds)
      .def_readonly("setup_seconds", &Phase::setup_seconds)
      .def_readonly("objective", &Phase::objective)
      .def(py::pickle(
          [](const Phase& p) {
            return py::make_tuple(p.hessian, p.status, p.iterations, p.seconds, p.setup_seconds, p.objective);
          },
          [](const py::tuple& t) {
            return Phase{t[0].cast<std::string>(), t[1].cast<std::string>(), t[2].cast<int>(), t[3].cast<double>(),
                         t.size() > 4 ? t[4].cast<double>() : 0.0, t.size() > 5 ? t[5].cast<std::string>() : ""};
          }));
  // Every field of PredictedGait once: read-only attributes and the pickled state both come from
  // this table (the solution vectors x, lam_x, lam_g are also writable, for warm starts from a stored
  // solution, e.g. a sweep's journal).
  const auto fields = std::make_tuple(
      field("status", &PredictedGait::status), field("converged", &PredictedGait::converged),
      field("iterations", &PredictedGait::iterations), field("seconds", &PredictedGait::seconds),
      field("phases", &PredictedGait::phases),
      field("objective", &PredictedGait::objective), field("objective_terms", &PredictedGait::objective_terms),
      field("metabolic_cost", &PredictedGait::metabolic_cost),
      field("variables_on_bounds", &PredictedGait::variables_on_bounds), field("time", &PredictedGait::time),
      field("coordinate_names", &PredictedGait::coordinate_names), field("q", &PredictedGait::q),
      field("qd", &PredictedGait::qd), field("qdd", &PredictedGait::qdd),
      field("muscle_names", &PredictedGait::muscle_names), field("excitation", &PredictedGait::excitation),
      field("activation", &PredictedGait::activation), field("tendon_force", &PredictedGait::tendon_force),
      field("fiber_length_norm", &PredictedGait::fiber_length_norm),
      field("metabolic_rate", &PredictedGait::metabolic_rate),
      field("joint_moment", &PredictedGait::joint_moment), field("reserve", &PredictedGait::reserve),
      field("grf", &PredictedGait::grf), field("cop_x", &PredictedGait::cop_x),
      field("quadriceps_force", &PredictedGait::quadriceps_force), field("pfj_force", &PredictedGait::pfj_force),
      field("pfj_stress", &PredictedGait::pfj_stress), field("step_time", &PredictedGait::step_time),
      field("step_length", &PredictedGait::step_length), field("speed", &PredictedGait::speed),
      field("body_mass", &PredictedGait::body_mass));
  const auto solution = std::make_tuple(field("x", &PredictedGait::x), field("lam_x", &PredictedGait::lam_x),
                                        field("lam_g", &PredictedGait::lam_g));
  const auto all = std::tuple_cat(fields, solution);
  py::class_<PredictedGait> gait(m, "PredictedGait",
                                "A solved (or failed) running step: solver report and, per mesh node (node 0 = right "
                                "touchdown), coordinates, muscle states, GRF, joint moments and PFJ load (SI units).");
  gait.def(py::init<>(), "An empty gait (not converged); set x, lam_x and lam_g to warm-start from a stored solution.");
  std::apply([&](const auto&... f) { (gait.def_readonly(f.name, f.member), ...); }, fields);
  std::apply([&](const auto&... f) { (gait.def_readwrite(f.name, f.member), ...); }, solution);
  gait.def(py::pickle(
      [all](const PredictedGait& g) {
        py::dict state;
        std::apply([&](const auto&... f) { ((state[f.name] = py::cast(g.*(f.member))), ...); }, all);
        return state;
      },
      [all](const py::dict& state) {
        PredictedGait g;
        std::apply([&](const auto&... f) {
          // A field missing from an older pickle keeps its default (e.g. phases, added later).
          ((state.contains(f.name) ? void(g.*(f.member) = state[f.name].template cast<std::decay_t<decltype(g.*(f.member))>>())
                                   : void()), ...);
        }, all);
        return g;
      }));
  m.def(
      "predict_gait",
      [](const Model& model, const GaitCondition& condition, const PredictOptions& options,
         const PredictedGait* warm) {
        py::gil_scoped_release release;
        return predict::predict_gait(model, condition, options, warm);
      },
      py::arg("model"), py::arg("condition"), py::arg("options"), py::arg("warm") = nullptr,
      "Predicts one running step at ``condition`` (direct collocation, IPOPT), optionally from a previous "
      "solution ``warm``; returns a PredictedGait (converged = False with IPOPT's status when the solve fails).");
  py::class_<predict::Predictor>(m, "Predictor",
                                 "Gait prediction for one model, building the problem's derivatives once per problem "
                                 "structure (include/legsim/predict/predict.hpp).")
      .def(py::init<Model>(), py::arg("model"))
      .def(
          "solve",
          [](predict::Predictor& p, const GaitCondition& condition, const PredictOptions& options,
             const PredictedGait* warm) {
            py::gil_scoped_release release;
            return p.solve(condition, options, warm);
          },
          py::arg("condition"), py::arg("options"), py::arg("warm") = nullptr,
          "As predict_gait, for this predictor's model, reusing the problems it has built.")
      .def_property_readonly("model", &predict::Predictor::model, "The Model this predictor solves.")
      .def_property_readonly("transcriptions", &predict::Predictor::transcriptions,
                             "Number of problem structures built and kept (int).");
  m.def("predicted_gait_metrics", &predict::gait_metrics, py::arg("model"), py::arg("condition"), py::arg("gait"),
        "Metrics of a predicted gait (dict name -> value, units in the names); empty if it did not converge.");
  m.def(
      "predicted_gait_timeseries",
      [](const PredictedGait& g) {
        const predict::GaitTimeseries t = predict::gait_timeseries(g);
        py::dict d;  // insertion-ordered: the columns in gait_timeseries' order
        for (std::size_t i = 0; i < t.columns.size(); ++i) d[py::str(t.columns[i])] = vector(t.series[i]);
        return d;
      },
      py::arg("gait"), "The time series of a predicted gait: dict column name -> numpy array, one row per mesh node.");
  m.def("predicted_gait_message", &predict::gait_message, py::arg("gait"), py::arg("options"),
        "The outcome of a solve in words: IPOPT's status, and for a failure also what it means.");
  m.def("predicted_gait_metric_names", &predict::gait_metric_names, py::arg("model"),
        "Every metric key of a converged gait prediction of the model, sorted (from the code that computes them).");
  m.def(
      "simulate_predicted_stance",
      [](const Model& model, const GaitCondition& condition, const PredictedGait& gait, double duration,
         int samples_per_interval) {
        predict::BipedSimulation sim;
        predict::StanceAgreement agreement;
        {
          py::gil_scoped_release release;
          if (!(duration > 0.0)) {
            if (!gait.converged)
              throw InputError("simulate_predicted_stance: duration: give one (s) for a gait that did not converge");
            // The predicted right stance plus four mesh intervals (the whole step at most).
            const double tc = predict::gait_metrics(model, condition, gait).at("contact_time_s");
            duration = std::min(gait.time.back() - gait.time.front(),
                                tc + 4.0 * (gait.time.back() - gait.time.front()) / static_cast<double>(gait.time.size() - 1));
          }
          predict::ForwardOptions options;
          options.samples_per_interval = samples_per_interval;
          sim = predict::simulate_biped(model, condition, gait, duration, options);
          if (gait.converged) agreement = predict::compare_stance(model, condition, gait, sim);
        }
        py::dict d;
        d["time"] = vector(sim.time);
        d["node_sample"] = py::array_t<int>(static_cast<py::ssize_t>(sim.node_sample.size()), sim.node_sample.data());
        d["q"] = matrix(sim.q);
        d["qd"] = matrix(sim.qd);
        d["muscle_names"] = sim.muscle_names;
        d["excitation"] = matrix(sim.excitation);
        d["activation"] = matrix(sim.activation);
        d["tendon_force"] = matrix(sim.tendon_force);
        d["grf"] = matrix(sim.grf);
        d["joint_moment"] = matrix(sim.joint_moment);
        d["quadriceps_force"] = matrix(sim.quadriceps_force);
        d["pfj_force"] = matrix(sim.pfj_force);
        d["pfj_stress"] = matrix(sim.pfj_stress);
        d["contact_time"] = sim.contact_time;
        d["metrics"] = sim.metrics;
        d["steps"] = sim.steps;
        d["rhs_evaluations"] = sim.rhs_evaluations;
        if (gait.converged) {
          py::dict a;
          a["max_joint_angle_difference_deg"] = agreement.max_joint_angle_difference_deg;
          a["worst_coordinate"] = agreement.worst_coordinate;
          a["worst_time"] = agreement.worst_time;
          a["max_trunk_lean_difference_deg"] = agreement.max_trunk_lean_difference_deg;
          a["peak_pfj_force_predicted_bw"] = agreement.peak_pfj_force_predicted_bw;
          a["peak_pfj_force_simulated_bw"] = agreement.peak_pfj_force_simulated_bw;
          a["peak_pfj_force_relative_difference"] = agreement.peak_pfj_force_relative_difference;
          a["peak_pfj_force_simulated_at_nodes_bw"] = agreement.peak_pfj_force_simulated_at_nodes_bw;
          a["peak_pfj_force_relative_difference_at_nodes"] = agreement.peak_pfj_force_relative_difference_at_nodes;
          a["contact_time_predicted"] = agreement.contact_time_predicted;
          a["contact_time_simulated"] = agreement.contact_time_simulated;
          a["contact_time_difference"] = agreement.contact_time_difference;
          d["agreement"] = a;
        }
        return d;
      },
      py::arg("model"), py::arg("condition"), py::arg("gait"), py::arg("duration") = 0.0,
      py::arg("samples_per_interval") = 10,
      "Forward-simulates a predicted gait from its touchdown node under its excitations (Boost.Odeint), "
      "over `duration` s (0: the predicted right stance plus four mesh intervals). Returns a dict of numpy "
      "arrays ([sample][...]), the right-foot contact_time, stance metrics and, for a converged gait, "
      "'agreement' with the prediction (joint angles at the stance nodes, peak PFJ force, contact time).");
}

}  // namespace legsim::py_bind
#endif  // LEGSIM_HAS_PREDICT
