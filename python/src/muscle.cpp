// Bindings of one muscle–tendon unit: parameters, state derivative, equilibrium, experiments, and
// muscle paths on the model's joints.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "legsim/core/error.hpp"
#include "legsim/model.hpp"
#include "legsim/model_schema.hpp"
#include "legsim/muscle/activation.hpp"
#include "legsim/muscle/experiments.hpp"
#include "legsim/muscle/fatigue.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/sim/stance_dynamics.hpp"

namespace py = pybind11;

namespace legsim::py_bind {
namespace {

using Arr = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// Evaluates the MTU over equally shaped arrays; returns a dict of arrays of that shape.
py::dict evaluate(const MuscleParams& p, Arr l, Arr v, Arr a, Arr f, bool rigid) {
  const py::ssize_t n = l.size();
  if (v.size() != n || a.size() != n || (!rigid && f.size() != n))
    throw InputError("MuscleTendon: mtu_length, mtu_velocity, activation and norm_tendon_force must have one shape");
  const MtuCoefficients<double> c = make_mtu_coefficients<double>(p);
  const char* names[] = {"fiber_length", "norm_fiber_length", "fiber_velocity", "norm_fiber_velocity",
                         "cos_pennation", "tendon_length", "tendon_strain", "tendon_velocity",
                         "active_fiber_force", "passive_fiber_force", "total_fiber_force", "tendon_force",
                         "norm_tendon_force", "norm_tendon_force_derivative", "activation_used"};
  constexpr int kOut = 15;
  std::vector<Arr> out;
  for (int k = 0; k < kOut; ++k) out.emplace_back(std::vector<py::ssize_t>(l.shape(), l.shape() + l.ndim()));
  const double *pl = l.data(), *pv = v.data(), *pa = a.data(), *pf = rigid ? nullptr : f.data();
  std::vector<double*> po;
  for (auto& o : out) po.push_back(o.mutable_data());
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) {
      const MtuOutputs<double> o =
          rigid ? evaluate_rigid_mtu(c, pl[i], pv[i], pa[i]) : evaluate_compliant_mtu(c, pl[i], pv[i], pa[i], pf[i]);
      const double vals[kOut] = {o.fiber_length, o.norm_fiber_length, o.fiber_velocity, o.norm_fiber_velocity,
                                 o.cos_pennation, o.tendon_length, o.tendon_strain, o.tendon_velocity,
                                 o.active_fiber_force, o.passive_fiber_force, o.total_fiber_force, o.tendon_force,
                                 o.norm_tendon_force, o.norm_tendon_force_derivative, o.activation};
      for (int k = 0; k < kOut; ++k) po[k][i] = vals[k];
    }
  }
  py::dict d;
  for (int k = 0; k < kOut; ++k) d[names[k]] = out[k];
  return d;
}

}  // namespace

void bind_muscle(py::module_& m) {
  py::enum_<TendonModel>(m, "TendonModel", "Tendon model: compliant (tendon force as a state) or rigid.")
      .value("compliant", TendonModel::kCompliant)
      .value("rigid", TendonModel::kRigid);

  py::class_<MuscleParams> params(m, "MuscleParams",
                                  "Parameters of one muscle–tendon unit (SI units; OpenSim's names; one property per "
                                  "field of muscle_parameter_fields()).");
  params.def(py::init<>());
  // One property per numeric field of the model file's schema, so the field list exists once
  // (issue 20): a field added to the schema is a Python attribute, and legsim.muscle's keyword.
  for (const NumField<MuscleParams>& f : muscle_parameter_fields()) {
    double MuscleParams::*member = f.member;
    params.def_property(
        std::string(f.key).c_str(), [member](const MuscleParams& p) { return p.*member; },
        [member](MuscleParams& p, double v) { p.*member = v; });
  }
  params.def_readwrite("tendon", &MuscleParams::tendon)
      .def("validate", [](const MuscleParams& p, const std::string& prefix) { validate(p, prefix); },
           py::arg("prefix") = "muscle",
           "Raises legsim.InputError (its field named with ``prefix``) if a value is out of range.");
  m.def(
      "muscle_parameter_fields",
      [] {
        std::vector<std::pair<std::string, std::string>> fields;
        for (const NumField<MuscleParams>& f : muscle_parameter_fields()) fields.emplace_back(f.key, f.unit);
        return fields;
      },
      "The numeric fields of MuscleParams as (name, unit) pairs, in model-file order: the schema the "
      "model-file reader and writer use.");

  m.def("mtu_evaluate", &evaluate, py::arg("params"), py::arg("mtu_length"), py::arg("mtu_velocity"),
        py::arg("activation"), py::arg("norm_tendon_force"), py::arg("rigid"),
        "Evaluates the muscle–tendon unit over equally shaped arrays (m, m/s, activation, normalized tendon "
        "force); returns a dict of arrays of that shape (fiber length and velocity, forces in N, ...).");
  m.def(
      "mtu_equilibrium",
      [](const MuscleParams& p, double l, double v, double a) {
        const MtuEquilibrium e = solve_mtu_equilibrium(p, l, v, a);
        return py::make_tuple(e.norm_tendon_force, e.residual, e.converged);
      },
      py::arg("params"), py::arg("mtu_length"), py::arg("mtu_velocity"), py::arg("activation"),
      "Static equilibrium of the muscle–tendon unit: (normalized tendon force, residual, converged).");
  m.def(
      "activation_derivative",
      py::vectorize([](double e, double a, double ta, double td, double b) {
        return activation_derivative<double>(e, a, ta, td, b);
      }),
      py::arg("excitation"), py::arg("activation"), py::arg("activation_time_constant") = 0.015,
      py::arg("deactivation_time_constant") = 0.060, py::arg("smoothing") = 10.0,
      "da/dt (1/s) of activation dynamics for excitation and activation in [0, 1] (time constants in s).");
  m.def(
      "simulate_mtu",
      [](const MuscleParams& p, Arr times, Arr lengths, Arr excitations, double initial_activation, double t_end,
         double output_interval) {
        // Piecewise-linear length and excitation histories sampled at `times`.
        const std::vector<double> t(times.data(), times.data() + times.size());
        const std::vector<double> l(lengths.data(), lengths.data() + lengths.size());
        const std::vector<double> e(excitations.data(), excitations.data() + excitations.size());
        if (t.size() < 2 || l.size() != t.size() || e.size() != t.size())
          throw InputError("simulate_mtu: times, lengths and excitations need equal lengths >= 2");
        for (std::size_t i = 1; i < t.size(); ++i)
          if (!(t[i] > t[i - 1])) throw InputError("simulate_mtu: times must increase");
        const auto seg = [&](double x) {
          const std::size_t k = std::clamp<std::size_t>(
              static_cast<std::size_t>(std::upper_bound(t.begin(), t.end(), x) - t.begin()), 1, t.size() - 1);
          return k;
        };
        const auto interp = [&](const std::vector<double>& y, double x) {
          if (x <= t.front()) return y.front();
          if (x >= t.back()) return y.back();
          const std::size_t k = seg(x);
          const double w = (x - t[k - 1]) / (t[k] - t[k - 1]);
          return y[k - 1] + w * (y[k] - y[k - 1]);
        };
        MtuPath path{[&](double x) { return interp(l, x); },
                     [&](double x) {
                       if (x < t.front() || x >= t.back()) return 0.0;
                       const std::size_t k = seg(x);
                       return (l[k] - l[k - 1]) / (t[k] - t[k - 1]);
                     }};
        MtuTrace tr;
        {
          py::gil_scoped_release release;
          tr = simulate_mtu(p, path, [&](double x) { return interp(e, x); }, initial_activation, t_end,
                            output_interval);
        }
        py::dict d;
        const auto put = [&](const char* k, const std::vector<double>& v) { d[k] = py::array_t<double>(v.size(), v.data()); };
        put("time", tr.time);
        put("excitation", tr.excitation);
        put("activation", tr.activation);
        put("mtu_length", tr.mtu_length);
        put("fiber_length", tr.fiber_length);
        put("norm_fiber_length", tr.norm_fiber_length);
        put("fiber_velocity", tr.fiber_velocity);
        put("tendon_length", tr.tendon_length);
        put("tendon_force", tr.tendon_force);
        put("norm_tendon_force", tr.norm_tendon_force);
        put("active_fiber_force", tr.active_fiber_force);
        put("passive_fiber_force", tr.passive_fiber_force);
        return d;
      },
      py::arg("params"), py::arg("times"), py::arg("lengths"), py::arg("excitations"), py::arg("initial_activation"),
      py::arg("t_end"), py::arg("output_interval") = 1e-3,
      "Simulates the muscle–tendon unit along piecewise-linear length (m) and excitation histories sampled at "
      "``times`` (s) until t_end; returns a dict of arrays sampled every output_interval (s).");

  m.def(
      "muscle_path",
      [](const Model& model, const std::string& name, double hip_flexion, double knee_flexion,
         double ankle_dorsiflexion) {
        // Muscle–tendon length (m) and moment arms (m, about +q: hip flexion, knee flexion, ankle
        // dorsiflexion; a plantarflexor has a negative ankle arm) at the given joint angles (rad).
        const MuscleSpec& ms = model.muscles()[model.muscle_index(name)];
        const PathGeometry g = path_geometry(ms.joints, ms.params.optimal_fiber_length + ms.params.tendon_slack_length,
                                             {hip_flexion, knee_flexion, ankle_dorsiflexion});
        static constexpr const char* kJointNames[kNumJoints] = {"hip", "knee", "ankle"};
        py::list crossed;
        for (const JointCrossing& c : ms.joints) crossed.append(kJointNames[static_cast<int>(c.joint)]);
        return py::make_tuple(g.length, g.moment_arm, crossed);
      },
      py::arg("model"), py::arg("muscle"), py::arg("hip_flexion"), py::arg("knee_flexion"),
      py::arg("ankle_dorsiflexion"),
      "(length in m, moment arms in m about +hip flexion, +knee flexion, +ankle dorsiflexion, crossed "
      "joints) of a muscle of the model at joint angles in rad; legsim.muscle_path is the checked front.");
  m.def(
      "muscle_params",
      [](const Model& model, const std::string& name) { return model.muscles()[model.muscle_index(name)].params; },
      py::arg("model"), py::arg("muscle"), "The MuscleParams of a muscle of the model.");
  m.def(
      "calf_fatigue_weights",
      [](const std::vector<double>& slow) { return calf_fatigue_weights(slow); }, py::arg("slow_fractions"),
      "Calf fatigue weights w_i = (1 - s_i) / max_j (1 - s_j) from slow-twitch fractions s_i in [0, 1].");
}

}  // namespace legsim::py_bind
