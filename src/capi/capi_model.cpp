// C API: version, status strings and the model handle (include/legsim/legsim.h).
#include <string_view>

#include "handles.hpp"
#include "legsim/version.hpp"

using namespace legsim::capi;
using legsim::Model;

extern "C" {

const char* legsim_version(void) { return legsim::kVersion; }

const char* legsim_status_string(legsim_status status) {
  switch (status) {
    case LEGSIM_OK: return "ok";
    case LEGSIM_ERROR_NULL_ARGUMENT: return "NULL argument";
    case LEGSIM_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case LEGSIM_ERROR_MODEL_FILE: return "model file error";
    case LEGSIM_ERROR_UNKNOWN_NAME: return "unknown name";
    case LEGSIM_ERROR_BUFFER_TOO_SMALL: return "buffer too small";
    case LEGSIM_ERROR_NO_MODEL: return "no model loaded";
    case LEGSIM_ERROR_NO_RESULT: return "no result";
    case LEGSIM_ERROR_SIMULATION_FAILED: return "simulation failed";
    case LEGSIM_ERROR_NOT_BUILT: return "not built";
    case LEGSIM_ERROR_OUT_OF_MEMORY: return "out of memory";
    case LEGSIM_ERROR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

legsim_model* legsim_model_create(void) { return new (std::nothrow) legsim_model(); }

void legsim_model_destroy(legsim_model* model) { delete model; }

const char* legsim_model_error(const legsim_model* model) { return model ? model->error.c_str() : ""; }

legsim_status legsim_model_load_default(legsim_model* model) {
  if (!model) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(model->error, [&] {
    model->model = std::make_shared<const Model>(Model::default_model());
    return LEGSIM_OK;
  });
}

legsim_status legsim_model_load_file(legsim_model* model, const char* path) {
  if (!model) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(model->error, [&] {
    require_pointer(path, "path");
    model->model = std::make_shared<const Model>(Model::load(path));
    return LEGSIM_OK;
  });
}

legsim_status legsim_model_load_toml(legsim_model* model, const char* text, size_t text_length) {
  if (!model) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(model->error, [&] {
    require_pointer(text, "text");
    model->model = std::make_shared<const Model>(Model::from_toml(std::string_view(text, text_length), "<legsim_model_load_toml>"));
    return LEGSIM_OK;
  });
}

legsim_status legsim_model_muscle_count(legsim_model* model, size_t* count) {
  if (!model) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(model->error, [&] {
    require_pointer(count, "count");
    *count = loaded(*model, "model").muscles().size();
    return LEGSIM_OK;
  });
}

legsim_status legsim_model_muscle_name(legsim_model* model, size_t index, char* name, size_t size, size_t* needed) {
  if (!model) return LEGSIM_ERROR_NULL_ARGUMENT;
  return guarded(model->error, [&] {
    const auto& muscles = loaded(*model, "model").muscles();
    check_index(index, muscles.size(), "model", "muscles");
    copy_string(muscles[index].name, name, size, needed, "muscle name");
    return LEGSIM_OK;
  });
}

}  // extern "C"
