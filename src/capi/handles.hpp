#pragma once
// The C API's handles and its one exception barrier (include/legsim/legsim.h). Every extern "C"
// function runs its body inside guarded(): C++ exceptions become a status plus a message stored in
// the handle, so none crosses the C boundary.
#include <cstddef>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "legsim/legsim.h"
#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"

struct legsim_model {
  std::shared_ptr<const legsim::Model> model;  ///< shared with the conditions made from it
  std::string error;
};

struct legsim_condition {
  std::shared_ptr<const legsim::Model> model;  ///< the model the condition validates against
  legsim::TouchdownState touchdown;
  legsim::ControllerParams controller;
  std::vector<double> excitation;  ///< constant excitations (model order); empty = the controller
  double rtol = 0.0, atol = 0.0;
  std::string error;
};

namespace legsim::capi {

/// What the result accessors read, whichever simulation filled it (a stance, legsim_simulate_stance,
/// or a predicted step, legsim_predict_gait of legsim_predict.h): metrics by name and time series
/// by column.
struct ResultTable {
  double contact_time = 0.0;                   ///< s
  std::map<std::string, double> metrics;
  std::vector<std::string> metric_names;       ///< the keys of metrics, in order (index access)
  std::vector<std::string> columns;
  std::vector<std::vector<double>> series;     ///< [column][row]
  /// A predicted step's solution (legsim_c_predict's legsim::predict::PredictedGait, type-erased so
  /// that legsim_c needs no prediction types), the warm start of a later prediction; null for a stance.
  std::shared_ptr<const void> solution;
};

}  // namespace legsim::capi

struct legsim_result {
  std::optional<legsim::capi::ResultTable> table;  ///< set by a successful simulation only
  std::string failure;  ///< why the last simulation failed; empty when it succeeded or none ran
  std::string error;
};

namespace legsim::capi {

/// A failure the C API reports with a specific status (null argument, unknown name, short buffer).
class CallError {
 public:
  CallError(legsim_status status, std::string message) : status(status), message(std::move(message)) {}
  legsim_status status;
  std::string message;
};

/// Stores message in the handle's error; if even that allocation fails, an empty message.
void set_error(std::string& error, const char* message) noexcept;

/// Runs body (returning legsim_status) and maps every exception to a status, writing the message to
/// error (cleared on success).
template <class Body>
legsim_status guarded(std::string& error, Body&& body) noexcept {
  try {
    const legsim_status s = body();
    if (s == LEGSIM_OK) error.clear();
    return s;
  } catch (const CallError& e) {
    set_error(error, e.message.c_str());
    return e.status;
  } catch (const ModelFileError& e) {
    set_error(error, e.what());
    return LEGSIM_ERROR_MODEL_FILE;
  } catch (const InputError& e) {
    set_error(error, e.what());
    return LEGSIM_ERROR_INVALID_ARGUMENT;
  } catch (const SimulationError& e) {
    set_error(error, e.what());
    return LEGSIM_ERROR_SIMULATION_FAILED;
  } catch (const std::bad_alloc&) {
    set_error(error, "out of memory");
    return LEGSIM_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    set_error(error, e.what());
    return LEGSIM_ERROR_INTERNAL;
  } catch (...) {
    set_error(error, "an unknown exception inside legsim");
    return LEGSIM_ERROR_INTERNAL;
  }
}

/// A named member of a struct: the tables behind the set-by-name functions.
template <class S, class T>
struct Field {
  const char* name;
  T S::*member;
};

/// The member of s that fields names key (a const one if s is const), or nullptr.
template <class S, class F, std::size_t N>
auto find_field(S& s, const F (&fields)[N], std::string_view key) -> decltype(&(s.*fields[0].member)) {
  for (const auto& f : fields)
    if (key == f.name) return &(s.*f.member);
  return nullptr;
}

/// Throws CallError(LEGSIM_ERROR_NULL_ARGUMENT) naming the argument when p is NULL.
void require_pointer(const void* p, const char* argument);
/// The loaded model of a handle; throws CallError(LEGSIM_ERROR_NO_MODEL) if none is loaded.
const Model& loaded(const legsim_model& m, const char* argument);
/// Copies text (with its NUL) into buffer[size], reporting the needed size; throws CallError for a
/// NULL buffer with size > 0 or a buffer too small (what names the string in the message).
void copy_string(const std::string& text, char* buffer, std::size_t size, std::size_t* needed, const std::string& what);
/// Empties a result before a simulation writes to it (so a failed one leaves no stale table).
void clear(legsim_result& r) noexcept;
/// Stores a successful simulation's table (metric_names filled from its metrics).
void hold(legsim_result& r, ResultTable table);
/// Records a failed simulation's reason and throws CallError(LEGSIM_ERROR_SIMULATION_FAILED) with it.
[[noreturn]] void fail(legsim_result& r, const std::string& reason);
/// Throws CallError(LEGSIM_ERROR_INVALID_ARGUMENT) unless index < count ("the <owner> has <count>
/// <what>").
void check_index(std::size_t index, std::size_t count, const char* owner, const char* what);

}  // namespace legsim::capi
