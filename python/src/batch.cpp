// Bindings of the batch engine (batch/stance_batch.hpp) for legsim.simulate_stances
// (python/legsim/batch.py), and of the controller-driven scalar stance that it is checked against.
//
// The names of every input column and output metric come from C++ tables: touchdown columns from
// kTouchdownFields (sim/touchdown_fields.hpp) plus `activations.<muscle>`; control columns from
// controller_fields() and `muscles.<muscle>.<field>` for muscle_control_fields() (model_schema.hpp,
// the model file's [controller] keys); metric columns from summary_metrics (sim/metrics.hpp), the
// names of the scalar path's metrics. Python only turns tables into named 1-D arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/error.hpp"
#include "legsim/gait/condition.hpp"
#include "legsim/model_schema.hpp"
#include "legsim/muscle/fatigue.hpp"
#include "legsim/sim/metrics.hpp"
#include "legsim/sim/touchdown_fields.hpp"

namespace py = pybind11;

namespace legsim::py_bind {
namespace {

using Arr = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Setter = std::function<void(StanceJob&, double)>;

/// One named input column: n values, or one value for every stance.
struct Column {
  std::string name;
  Arr values;
  double at(py::ssize_t row) const { return values.size() == 1 ? values.data()[0] : values.data()[row]; }
};

/// The columns of one input table (`table` names it in errors), each checked to hold n values or 1.
std::vector<Column> columns(const py::dict& d, const std::string& table, py::ssize_t n) {
  std::vector<Column> out;
  for (const auto& [key, value] : d) {
    Column c{py::cast<std::string>(key), Arr::ensure(value)};
    if (!c.values || c.values.ndim() != 1)
      throw InputError(table + "." + c.name + ": expected a 1-D array of numbers");
    if (c.values.size() != n && c.values.size() != 1)
      throw InputError(table + "." + c.name + ": expected " + std::to_string(n) + " values (one per stance) or 1, got " +
                       std::to_string(c.values.size()));
    out.push_back(std::move(c));
  }
  return out;
}

/// The setter of every column name a table accepts; an unknown name throws, listing the known ones.
const Setter& setter_for(const std::map<std::string, Setter>& setters, const std::string& table,
                         const std::string& name) {
  const auto it = setters.find(name);
  if (it != setters.end()) return it->second;
  std::string known;
  for (const auto& [k, s] : setters) known += (known.empty() ? "" : ", ") + k;
  throw InputError(table + ": unknown column '" + name + "'; known columns: " + known);
}

std::map<std::string, Setter> touchdown_setters(const Model& model) {
  std::map<std::string, Setter> s;
  for (const TouchdownField& f : kTouchdownFields)
    s[std::string(f.name)] = [m = f.member](StanceJob& j, double v) { j.touchdown.*m = v; };
  const std::size_t nm = model.muscles().size();
  for (std::size_t i = 0; i < nm; ++i)
    s["activations." + model.muscles()[i].name] = [&model, i, nm](StanceJob& j, double v) {
      // Muscles without a column start at their minimum activation, as with no activations at all.
      if (j.touchdown.activations.empty())
        for (std::size_t k = 0; k < nm; ++k) j.touchdown.activations.push_back(model.muscles()[k].params.min_activation);
      j.touchdown.activations[i] = v;
    };
  return s;
}

std::map<std::string, Setter> control_setters(const Model& model) {
  std::map<std::string, Setter> s;
  for (const NumField<ControllerParams>& f : controller_fields())
    s[std::string(f.key)] = [m = f.member](StanceJob& j, double v) { j.controller.*m = v; };
  for (std::size_t i = 0; i < model.muscles().size(); ++i)
    for (const NumField<MuscleControl>& f : muscle_control_fields())
      s["muscles." + model.muscles()[i].name + "." + std::string(f.key)] = [i, m = f.member](StanceJob& j, double v) {
        j.controller.muscles[i].*m = v;
      };
  return s;
}

/// The stance inputs of legsim.simulate_stances, one job per row (validated: the row is named).
struct Inputs {
  py::dict touchdowns, controls, capacity_factors;
  std::optional<Arr> calf_fatigue;
  std::string calf_fatigue_split;
};

std::vector<StanceJob> make_jobs(const Model& model, const Inputs& in, py::ssize_t n) {
  const auto td_cols = columns(in.touchdowns, "touchdowns", n);
  const auto ctl_cols = columns(in.controls, "controls", n);
  const auto cap_cols = columns(in.capacity_factors, "capacity_factors", n);
  const auto td_set = touchdown_setters(model), ctl_set = control_setters(model);
  std::vector<const Setter*> td_fn, ctl_fn;
  for (const Column& c : td_cols) td_fn.push_back(&setter_for(td_set, "touchdowns", c.name));
  for (const Column& c : ctl_cols) ctl_fn.push_back(&setter_for(ctl_set, "controls", c.name));
  std::vector<std::size_t> cap_index;
  for (const Column& c : cap_cols) {
    try {
      cap_index.push_back(model.muscle_index(c.name));
    } catch (const InputError&) {
      throw InputError("capacity_factors: unknown muscle '" + c.name + "'");
    }
  }
  GaitCondition fatigue;
  if (in.calf_fatigue) {
    if (in.calf_fatigue->ndim() != 1 || (in.calf_fatigue->size() != n && in.calf_fatigue->size() != 1))
      throw InputError("calf_fatigue: expected " + std::to_string(n) + " values (one per stance) or 1, got " +
                       std::to_string(in.calf_fatigue->size()));
    fatigue.calf_fatigue_split = parse_calf_fatigue_split(in.calf_fatigue_split);
  }
  std::vector<StanceJob> jobs(static_cast<std::size_t>(n));
  for (py::ssize_t r = 0; r < n; ++r) {
    StanceJob& j = jobs[static_cast<std::size_t>(r)];
    const std::string row = "row " + std::to_string(r) + ": ";
    j.controller = model.controller();
    for (std::size_t k = 0; k < td_cols.size(); ++k) (*td_fn[k])(j, td_cols[k].at(r));
    for (std::size_t k = 0; k < ctl_cols.size(); ++k) (*ctl_fn[k])(j, ctl_cols[k].at(r));
    if (!cap_cols.empty()) {
      for (const MuscleSpec& m : model.muscles()) j.capacity_factors.push_back(m.params.capacity_factor);
      for (std::size_t k = 0; k < cap_cols.size(); ++k) j.capacity_factors[cap_index[k]] = cap_cols[k].at(r);
    }
    if (in.calf_fatigue) {
      fatigue.calf_fatigue = in.calf_fatigue->size() == 1 ? in.calf_fatigue->data()[0] : in.calf_fatigue->data()[r];
      require_in_range(row + "calf_fatigue", fatigue.calf_fatigue, 0.0, kMaxCalfFatigue);
      j.capacity_factors = capacity_factors(model, fatigue);
    }
    try {
      validate(j.touchdown, model);
      validate_controller_ranges(j.controller, "controls");
      validate_capacity_factors(model, j.capacity_factors, "capacity_factors");
    } catch (const InputError& e) {
      throw InputError(row + e.what());
    }
  }
  return jobs;
}

/// The scalar path for one job, with its time series (the batch engine records none).
StanceResult scalar_stance(const Model& model, const StanceJob& job, double rtol, double atol, bool record,
                           StanceIntegrator integrator) {
  StanceOptions o;
  o.integrator = integrator;
  o.capacity_factors = job.capacity_factors;
  o.relative_tolerance = rtol;
  o.absolute_tolerance = atol;
  o.record = record;
  return simulate_stance(model, job.touchdown, job.controller, o);
}

/// Outcomes as named arrays: status and message per stance, the summary metrics (NaN where a stance
/// failed: never numbers from a failed run) and the integration's bookkeeping.
py::dict outcome_arrays(const Model& model, const std::vector<BatchStanceOutcome>& out) {
  const py::ssize_t n = static_cast<py::ssize_t>(out.size());
  py::list status, message;
  std::vector<std::string> names;
  for (const auto& [name, v] : summary_metrics(model, StanceSummary{})) names.push_back(name);
  std::vector<py::array_t<double>> metric;
  for (std::size_t k = 0; k < names.size(); ++k) metric.emplace_back(n);
  py::array_t<long> steps(n), implicit(n), rejected(n), rhs(n);
  for (py::ssize_t r = 0; r < n; ++r) {
    const BatchStanceOutcome& o = out[static_cast<std::size_t>(r)];
    status.append(to_string(o.status));
    message.append(o.message);
    const auto values = summary_metrics(model, o);
    for (std::size_t k = 0; k < names.size(); ++k)
      metric[k].mutable_data()[r] = o.ok() ? values[k].second : std::numeric_limits<double>::quiet_NaN();
    steps.mutable_data()[r] = o.steps;
    implicit.mutable_data()[r] = o.implicit_steps;
    rejected.mutable_data()[r] = o.rejected_steps;
    rhs.mutable_data()[r] = o.rhs_evaluations;
  }
  py::dict d;
  d["status"] = status;
  d["message"] = message;
  for (std::size_t k = 0; k < names.size(); ++k) d[py::str(names[k])] = metric[k];
  d["steps"] = steps;
  d["implicit_steps"] = implicit;
  d["rejected_steps"] = rejected;
  d["rhs_evaluations"] = rhs;
  return d;
}

py::dict run_batch(const Model& model, const Inputs& in, py::ssize_t n, int threads, double rtol, double atol,
                   StanceIntegrator integrator, const std::string& simd, const std::vector<py::ssize_t>& series_rows) {
  if (n < 1) throw InputError("touchdowns: expected at least 1 stance, got " + std::to_string(n));
  for (py::ssize_t r : series_rows)
    if (r < 0 || r >= n)
      throw InputError("series: row " + std::to_string(r) + " is outside [0, " + std::to_string(n - 1) + "]");
  const std::vector<StanceJob> jobs = make_jobs(model, in, n);
  BatchOptions o;
  o.threads = threads;
  o.relative_tolerance = rtol;
  o.absolute_tolerance = atol;
  o.keep_states = false;
  o.integrator = integrator;
  o.simd = simd;
  std::vector<BatchStanceOutcome> out;
  std::vector<StanceResult> series;
  {
    py::gil_scoped_release release;
    out = simulate_stances(model, jobs, o);
    // With the batch engine's method, so the series are those of the rows' metrics.
    for (py::ssize_t r : series_rows)
      series.push_back(scalar_stance(model, jobs[static_cast<std::size_t>(r)], rtol, atol, true, integrator));
  }
  py::dict d = outcome_arrays(model, out);
  py::dict s;
  for (std::size_t k = 0; k < series_rows.size(); ++k)
    s[py::int_(series_rows[k])] = series[k].ok() ? series_dict(series[k]) : py::dict();
  d["series"] = s;
  return d;
}

}  // namespace

void bind_batch(py::module_& m) {
  m.def("batch_lanes", &batch_lanes, "SIMD lanes per batch of the batch engine in this build.");
  m.def(
      "touchdown_fields",
      [] {
        std::vector<std::pair<std::string, std::string>> fields;
        for (const TouchdownField& f : kTouchdownFields) fields.emplace_back(f.name, f.unit);
        return fields;
      },
      "TouchdownState's numeric fields as (name, unit), in declaration order.");
  m.def(
      "touchdown_columns",
      [](const Model& model) {
        std::vector<std::string> names;
        for (const TouchdownField& f : kTouchdownFields) names.emplace_back(f.name);
        for (const MuscleSpec& mu : model.muscles()) names.push_back("activations." + mu.name);
        return names;
      },
      py::arg("model"), "The touchdown columns legsim.simulate_stances accepts, TouchdownState's fields first.");
  m.def(
      "control_columns",
      [](const Model& model) {
        std::vector<std::string> names;
        for (const auto& f : controller_fields()) names.emplace_back(f.key);
        for (const MuscleSpec& mu : model.muscles())
          for (const auto& f : muscle_control_fields()) names.push_back("muscles." + mu.name + "." + std::string(f.key));
        return names;
      },
      py::arg("model"), "The controller columns legsim.simulate_stances accepts (the model file's controller keys).");
  m.def(
      "simulate_stances",
      [](const Model& model, py::dict touchdowns, py::dict controls, py::dict capacity_factors,
         std::optional<Arr> calf_fatigue, std::string calf_fatigue_split, py::ssize_t n, int threads, double rtol,
         double atol, StanceIntegrator integrator, std::string simd, std::vector<py::ssize_t> series_rows) {
        const Inputs in{touchdowns, controls, capacity_factors, std::move(calf_fatigue), std::move(calf_fatigue_split)};
        return run_batch(model, in, n, threads, rtol, atol, integrator, simd, series_rows);
      },
      py::arg("model"), py::arg("touchdowns"), py::arg("controls"), py::arg("capacity_factors"),
      py::arg("calf_fatigue"), py::arg("calf_fatigue_split"), py::arg("n"), py::arg("threads"), py::arg("rtol"),
      py::arg("atol"), py::arg("integrator"), py::arg("simd"), py::arg("series_rows"));
  m.def(
      "simulate_stance_controller",
      [](const Model& model, py::dict touchdown, py::dict controls, py::dict capacity_factors, double rtol,
         double atol, bool record, StanceIntegrator integrator) {
        const Inputs in{touchdown, controls, capacity_factors, std::nullopt, ""};
        const std::vector<StanceJob> jobs = make_jobs(model, in, 1);
        py::gil_scoped_release release;
        return scalar_stance(model, jobs[0], rtol, atol, record, integrator);
      },
      py::arg("model"), py::arg("touchdown"), py::arg("controls"), py::arg("capacity_factors"), py::arg("rtol"),
      py::arg("atol"), py::arg("record"), py::arg("integrator") = StanceIntegrator::kStiffSwitching);
}

}  // namespace legsim::py_bind
