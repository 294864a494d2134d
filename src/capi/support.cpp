// The C API's shared helpers (src/capi/handles.hpp): error messages, argument checks, string copies
// and filling a result. Compiled into both C libraries, legsim_c and legsim_c_predict (hidden in
// each), since the prediction's functions fill the same result handles.
#include <cstring>

#include "handles.hpp"

namespace legsim::capi {

void set_error(std::string& error, const char* message) noexcept {
  try {
    error = message;
  } catch (...) {
    error.clear();  // noexcept; the status still says what happened
  }
}

void require_pointer(const void* p, const char* argument) {
  if (!p) throw CallError(LEGSIM_ERROR_NULL_ARGUMENT, std::string(argument) + ": NULL pointer (a valid pointer is required)");
}

const Model& loaded(const legsim_model& m, const char* argument) {
  if (!m.model)
    throw CallError(LEGSIM_ERROR_NO_MODEL, std::string(argument) +
                                               ": no model loaded (call legsim_model_load_default, _file or _toml first)");
  return *m.model;
}

void copy_string(const std::string& text, char* buffer, std::size_t size, std::size_t* needed, const std::string& what) {
  const std::size_t need = text.size() + 1;
  if (needed) *needed = need;
  if (size > 0 && !buffer)
    throw CallError(LEGSIM_ERROR_NULL_ARGUMENT, what + ": buffer is NULL but size = " + std::to_string(size));
  if (size < need)
    throw CallError(LEGSIM_ERROR_BUFFER_TOO_SMALL, what + ": buffer of " + std::to_string(size) + " bytes is too small for '" +
                                                       text + "' (needs " + std::to_string(need) + " with the terminating NUL)");
  std::memcpy(buffer, text.c_str(), need);
}

void clear(legsim_result& r) noexcept {
  r.table.reset();
  r.failure.clear();
}

void hold(legsim_result& r, ResultTable table) {
  table.metric_names.clear();
  for (const auto& kv : table.metrics) table.metric_names.push_back(kv.first);
  r.table = std::move(table);
}

void fail(legsim_result& r, const std::string& reason) {
  r.failure = reason;
  throw CallError(LEGSIM_ERROR_SIMULATION_FAILED, reason);
}

void check_index(std::size_t index, std::size_t count, const char* owner, const char* what) {
  if (index >= count)
    throw CallError(LEGSIM_ERROR_INVALID_ARGUMENT, "index = " + std::to_string(index) + " is out of range: the " +
                                                       owner + " has " + std::to_string(count) + " " + what);
}

}  // namespace legsim::capi

