// C API: simulating a stance into a result handle and reading its metrics and time series, the
// stance's or a predicted step's (include/legsim/legsim.h, legsim_predict.h).
#include <algorithm>
#include <cstring>

#include "handles.hpp"

namespace legsim::capi {
namespace {

/// The table of a result that holds a successful simulation.
const ResultTable& table_of(const legsim_result& r) {
  if (r.table) return *r.table;
  if (!r.failure.empty())
    throw CallError(LEGSIM_ERROR_NO_RESULT, "result: the simulation failed (" + r.failure + ")");
  throw CallError(LEGSIM_ERROR_NO_RESULT,
                  "result: holds no simulation (call legsim_simulate_stance or legsim_predict_gait first)");
}

std::size_t column_index(const ResultTable& t, const char* name) {
  require_pointer(name, "name");
  const auto it = std::find(t.columns.begin(), t.columns.end(), name);
  if (it == t.columns.end())
    throw CallError(LEGSIM_ERROR_UNKNOWN_NAME, "column '" + std::string(name) + "' is unknown (" +
                                                   std::to_string(t.columns.size()) +
                                                   " columns: legsim_result_column_name lists them)");
  return static_cast<std::size_t>(it - t.columns.begin());
}

StanceResult run(const legsim_model& m, const legsim_condition& c) {
  const Model& model = loaded(m, "model");
  if (model.muscle_names() != c.model->muscle_names())
    throw CallError(LEGSIM_ERROR_INVALID_ARGUMENT,
                    "condition: made for a model with other muscles than model's (create it from this model)");
  StanceOptions options;
  options.relative_tolerance = c.rtol;
  options.absolute_tolerance = c.atol;
  if (c.excitation.empty()) return simulate_stance(model, c.touchdown, c.controller, options);
  FeedforwardExcitation constant;  // one level per muscle, held for the whole stance
  for (const double e : c.excitation) {
    constant.times.push_back({0.0});
    constant.levels.push_back({e});
  }
  validate(constant, model);
  return simulate_stance(model, c.touchdown, constant, options);
}

}  // namespace
}  // namespace legsim::capi

using namespace legsim::capi;

extern "C" {

legsim_result* legsim_result_create(void) { return new (std::nothrow) legsim_result(); }

void legsim_result_destroy(legsim_result* result) { delete result; }

const char* legsim_result_error(const legsim_result* result) { return result ? result->error.c_str() : ""; }

legsim_status legsim_simulate_stance(const legsim_model* model, const legsim_condition* condition, legsim_result* result) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    clear(*result);
    require_pointer(model, "model");
    require_pointer(condition, "condition");
    legsim::StanceResult stance = run(*model, *condition);
    if (!stance.ok()) fail(*result, stance.message);
    hold(*result, {stance.contact_time, std::move(stance.metrics), {}, std::move(stance.columns), std::move(stance.series), {}});
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_contact_time(legsim_result* result, double* seconds) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    require_pointer(seconds, "seconds");
    *seconds = table_of(*result).contact_time;
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_metric_count(legsim_result* result, size_t* count) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    require_pointer(count, "count");
    *count = table_of(*result).metric_names.size();
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_metric_name(legsim_result* result, size_t index, char* name, size_t size, size_t* needed) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    const auto& names = table_of(*result).metric_names;
    check_index(index, names.size(), "result", "metrics");
    copy_string(names[index], name, size, needed, "metric name");
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_metric(legsim_result* result, const char* name, double* value) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    require_pointer(name, "name");
    require_pointer(value, "value");
    const auto& metrics = table_of(*result).metrics;
    const auto it = metrics.find(name);
    if (it == metrics.end())
      throw CallError(LEGSIM_ERROR_UNKNOWN_NAME, "metric '" + std::string(name) + "' is unknown (" +
                                                     std::to_string(metrics.size()) +
                                                     " metrics: legsim_result_metric_name lists them)");
    *value = it->second;
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_column_count(legsim_result* result, size_t* count) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    require_pointer(count, "count");
    *count = table_of(*result).columns.size();
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_column_name(legsim_result* result, size_t index, char* name, size_t size, size_t* needed) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    const auto& columns = table_of(*result).columns;
    check_index(index, columns.size(), "result", "columns");
    copy_string(columns[index], name, size, needed, "column name");
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_row_count(legsim_result* result, size_t* rows) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    require_pointer(rows, "rows");
    const auto& t = table_of(*result);
    *rows = t.series.empty() ? 0 : t.series.front().size();
    return LEGSIM_OK;
  });
}

legsim_status legsim_result_column(legsim_result* result, const char* name, double* values, size_t capacity, size_t* length) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    const auto& t = table_of(*result);
    const std::vector<double>& column = t.series[column_index(t, name)];
    if (length) *length = column.size();
    if (capacity < column.size())
      throw CallError(LEGSIM_ERROR_BUFFER_TOO_SMALL, "column '" + std::string(name) + "': capacity = " + std::to_string(capacity) +
                                                         " is too small for its " + std::to_string(column.size()) + " rows");
    require_pointer(values, "values");
    std::copy(column.begin(), column.end(), values);
    return LEGSIM_OK;
  });
}

}  // extern "C"
