// C API of the gait prediction (include/legsim/legsim_predict.h): the gait condition handle, set by
// name, and legsim_predict_gait, which fills a result handle of legsim.h. Built as its own shared
// library, legsim_c_predict, so that legsim_c never needs CasADi. Every value is checked when it is
// set with the C++ validators (validate_values of the condition, validate of the options), so the
// messages are the C++ ones.
#include <cmath>
#include <limits>
#include <string_view>

#include "../handles.hpp"
#include "legsim/gait/condition.hpp"
#include "legsim/legsim_predict.h"
#include "legsim/predict/predict.hpp"

struct legsim_gait_condition {
  legsim::GaitCondition condition;
  legsim::predict::PredictOptions options;
  std::string error;
};

struct legsim_gait_predictor {
  explicit legsim_gait_predictor(const legsim::Model& model) : predictor(model) {}
  legsim::predict::Predictor predictor;
};

namespace legsim::capi {
namespace {

using predict::PredictOptions;

constexpr Field<GaitCondition, std::optional<double>> kGivenFields[] = {
    {"speed", &GaitCondition::speed},         {"cadence", &GaitCondition::cadence},
    {"step_length", &GaitCondition::step_length}, {"stride_length", &GaitCondition::stride_length},
    {"body_mass", &GaitCondition::body_mass}, {"height", &GaitCondition::height},
};
constexpr Field<PredictOptions, int> kIntegerOptions[] = {
    {"mesh_intervals", &PredictOptions::mesh_intervals},
    {"max_iterations", &PredictOptions::max_iterations},
    {"start", &PredictOptions::start},
    {"print_level", &PredictOptions::print_level},
};
constexpr Field<PredictOptions, double> kRealOptions[] = {
    {"impact_mesh_ratio", &PredictOptions::impact_mesh_ratio},
    {"impact_window", &PredictOptions::impact_window},
    {"tolerance", &PredictOptions::tolerance},
    {"constraint_tolerance", &PredictOptions::constraint_tolerance},
    {"quasi_newton_tolerance", &PredictOptions::quasi_newton_tolerance},
    {"metabolic_effort_weight", &PredictOptions::metabolic_effort_weight},
    {"acceleration_weight", &PredictOptions::acceleration_weight},
    {"tendon_rate_weight", &PredictOptions::tendon_rate_weight},
    {"excitation_rate_weight", &PredictOptions::excitation_rate_weight},
    {"reserve_weight", &PredictOptions::reserve_weight},
    {"reserve_scale", &PredictOptions::reserve_scale},
    {"passive_moment_weight", &PredictOptions::passive_moment_weight},
};
constexpr Field<PredictOptions, bool> kSwitchOptions[] = {
    {"volume_weighted_effort", &PredictOptions::volume_weighted_effort},
};
constexpr Field<PredictOptions, std::string> kTextOptions[] = {
    {"objective", &PredictOptions::objective},
    {"hessian", &PredictOptions::hessian},
};
constexpr std::string_view kOptionPrefix = "options.";

[[noreturn]] void unknown(std::string_view name) {
  throw CallError(LEGSIM_ERROR_UNKNOWN_NAME,
                  "gait condition field '" + std::string(name) +
                      "' is unknown: expected speed, cadence, step_length, stride_length, calf_fatigue, "
                      "touchdown_ankle_angle_deg, body_mass, height or options.<field> (see legsim_predict.h)");
}

/// The integer a double stands for; InputError unless it is a whole number in int's range.
int whole(std::string_view name, double value) {
  if (!(value == std::trunc(value) && std::fabs(value) <= std::numeric_limits<int>::max()))
    throw InputError(std::string(name) + " = " + format_value(value) + " is not an integer");
  return static_cast<int>(value);
}

/// Writes value to the field name designates; false if no numeric field has that name.
bool assign(legsim_gait_condition& c, std::string_view name, double value) {
  if (auto* given = find_field(c.condition, kGivenFields, name)) {
    *given = value;
  } else if (name == "calf_fatigue") {
    c.condition.calf_fatigue = value;
  } else if (name == "touchdown_ankle_angle_deg") {
    c.condition.foot_strike = FootStrike::kAnkleAngle;
    c.condition.touchdown_ankle_angle_deg = value;
  } else if (!name.starts_with(kOptionPrefix)) {
    return false;
  } else if (auto* i = find_field(c.options, kIntegerOptions, name.substr(kOptionPrefix.size()))) {
    *i = whole(name, value);
  } else if (auto* b = find_field(c.options, kSwitchOptions, name.substr(kOptionPrefix.size()))) {
    require(value == 0.0 || value == 1.0, name, value, "0 (false) or 1 (true)");
    *b = value == 1.0;
  } else if (auto* d = find_field(c.options, kRealOptions, name.substr(kOptionPrefix.size()))) {
    *d = value;
  } else {
    return false;
  }
  return true;
}

/// The value of a numeric field (NaN for one not given); throws CallError for an unknown name.
double read(const legsim_gait_condition& c, std::string_view name) {
  constexpr double kNotSet = std::numeric_limits<double>::quiet_NaN();
  if (const auto* given = find_field(c.condition, kGivenFields, name)) return given->value_or(kNotSet);
  if (name == "calf_fatigue") return c.condition.calf_fatigue;
  if (name == "touchdown_ankle_angle_deg")
    return c.condition.foot_strike == FootStrike::kAnkleAngle ? c.condition.touchdown_ankle_angle_deg : kNotSet;
  if (name.starts_with(kOptionPrefix)) {
    const std::string_view key = name.substr(kOptionPrefix.size());
    if (const auto* i = find_field(c.options, kIntegerOptions, key)) return *i;
    if (const auto* b = find_field(c.options, kSwitchOptions, key)) return *b ? 1.0 : 0.0;
    if (const auto* d = find_field(c.options, kRealOptions, key)) return *d;
  }
  unknown(name);
}

/// Writes a text value; false if no text field has that name.
bool assign_text(legsim_gait_condition& c, std::string_view name, const std::string& text) {
  if (name == "foot_strike") {
    constexpr std::pair<const char*, FootStrike> kStrikes[] = {
        {"rearfoot", FootStrike::kRearfoot}, {"midfoot", FootStrike::kMidfoot}, {"forefoot", FootStrike::kForefoot}};
    for (const auto& [label, strike] : kStrikes)
      if (text == label) {
        c.condition.foot_strike = strike;
        return true;
      }
    throw InputError("foot_strike = \"" + text +
                     "\" is not one of \"rearfoot\", \"midfoot\", \"forefoot\" (an angle: set touchdown_ankle_angle_deg)");
  }
  if (name == "calf_fatigue_split") {
    c.condition.calf_fatigue_split = parse_calf_fatigue_split(text);
    return true;
  }
  if (!name.starts_with(kOptionPrefix)) return false;
  std::string* option = find_field(c.options, kTextOptions, name.substr(kOptionPrefix.size()));
  if (option) *option = text;
  return option != nullptr;
}

/// Runs change on a copy of the condition and keeps the copy only if every value still validates.
template <class Change>
void change_checked(legsim_gait_condition& c, Change&& change) {
  legsim_gait_condition trial{c.condition, c.options, {}};
  change(trial);
  validate_values(trial.condition);
  predict::validate(trial.options);
  c.condition = std::move(trial.condition);
  c.options = std::move(trial.options);
}

}  // namespace
}  // namespace legsim::capi

namespace legsim::capi {
namespace {

/// Fills result with a prediction: its metrics, time series and contact time, and the solution for
/// later warm starts; a prediction that did not converge fails with IPOPT's status and reason.
void predicted(legsim_result& result, const Model& model, const legsim_gait_condition& condition,
               predict::PredictedGait g) {
  if (!g.converged) fail(result, predict::gait_message(g, condition.options));
  ResultTable table;
  table.metrics = predict::gait_metrics(model, condition.condition, g);
  table.contact_time = table.metrics.at("contact_time_s");
  predict::GaitTimeseries series = predict::gait_timeseries(g);
  table.columns = std::move(series.columns);
  table.series = std::move(series.series);
  table.solution = std::make_shared<const predict::PredictedGait>(std::move(g));
  hold(result, std::move(table));
}

}  // namespace
}  // namespace legsim::capi

using namespace legsim::capi;

extern "C" {

legsim_gait_condition* legsim_gait_condition_create(void) {
  try {
    return new legsim_gait_condition();  // its strings may allocate too, not only the handle
  } catch (...) {
    return nullptr;
  }
}

void legsim_gait_condition_destroy(legsim_gait_condition* condition) { delete condition; }

const char* legsim_gait_condition_error(const legsim_gait_condition* condition) {
  return condition ? condition->error.c_str() : "";
}

legsim_status legsim_gait_condition_set(legsim_gait_condition* condition, const char* name, double value) {
  if (!condition) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(condition->error, [&] {
    require_pointer(name, "name");
    change_checked(*condition, [&](legsim_gait_condition& trial) {
      if (!assign(trial, name, value)) unknown(name);
      legsim::require_finite(name, value);
    });
    return LEGSIM_OK;
  });
}

legsim_status legsim_gait_condition_get(legsim_gait_condition* condition, const char* name, double* value) {
  if (!condition) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(condition->error, [&] {
    require_pointer(name, "name");
    require_pointer(value, "value");
    *value = read(*condition, name);
    return LEGSIM_OK;
  });
}

legsim_status legsim_gait_condition_set_text(legsim_gait_condition* condition, const char* name, const char* value) {
  if (!condition) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(condition->error, [&] {
    require_pointer(name, "name");
    require_pointer(value, "value");
    change_checked(*condition, [&](legsim_gait_condition& trial) {
      if (!assign_text(trial, name, value))
        throw CallError(LEGSIM_ERROR_UNKNOWN_NAME, "gait condition text field '" + std::string(name) +
                                                       "' is unknown: expected foot_strike, calf_fatigue_split, "
                                                       "options.objective or options.hessian (see legsim_predict.h)");
    });
    return LEGSIM_OK;
  });
}

legsim_status legsim_predict_gait(const legsim_model* model, const legsim_gait_condition* condition, legsim_result* result) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    clear(*result);
    require_pointer(model, "model");
    require_pointer(condition, "condition");
    const legsim::Model& m = loaded(*model, "model");
    legsim::resolve(condition->condition);  // the combination, before the problem is built
    predicted(*result, m, *condition,
              legsim::predict::predict_gait(m, condition->condition, condition->options));
    return LEGSIM_OK;
  });
}

legsim_gait_predictor* legsim_gait_predictor_create(const legsim_model* model) {
  if (!model || !model->model) return nullptr;
  try {
    return new legsim_gait_predictor(*model->model);
  } catch (...) {
    return nullptr;
  }
}

void legsim_gait_predictor_destroy(legsim_gait_predictor* predictor) { delete predictor; }

legsim_status legsim_gait_predictor_predict(legsim_gait_predictor* predictor, const legsim_gait_condition* condition,
                                            const legsim_result* warm, legsim_result* result) {
  if (!result) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(result->error, [&] {
    // Taken before result is cleared: warm may be result itself.
    std::shared_ptr<const legsim::predict::PredictedGait> start;
    if (warm) {
      if (!warm->table || !warm->table->solution)
        throw CallError(LEGSIM_ERROR_INVALID_ARGUMENT,
                        "warm: the result holds no predicted step (a stance, a failed prediction or none); pass "
                        "NULL for a cold start");
      start = std::static_pointer_cast<const legsim::predict::PredictedGait>(warm->table->solution);
    }
    clear(*result);
    require_pointer(predictor, "predictor");
    require_pointer(condition, "condition");
    legsim::resolve(condition->condition);
    legsim::predict::Predictor& p = predictor->predictor;
    predicted(*result, p.model(), *condition, p.solve(condition->condition, condition->options, start.get()));
    return LEGSIM_OK;
  });
}

legsim_status legsim_gait_predictor_structures(const legsim_gait_predictor* predictor, size_t* count) {
  if (!predictor || !count) return LEGSIM_ERROR_NULL_ARGUMENT;
  *count = predictor->predictor.transcriptions();
  return LEGSIM_OK;
}

}  // extern "C"
