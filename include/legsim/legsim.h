/** \file legsim.h
 * legsim C API (C99; usable from C and C++): load a model, simulate one stance, read its metrics and
 * time series. Implemented in C++ (src/capi/) and shipped as the shared library legsim_c
 * (CMake: find_package(legsim) then link legsim::legsim_c).
 *
 * Handles. Three opaque types, each created by a *_create function and freed by its *_destroy
 * (NULL is accepted and ignored):
 *   legsim_model      a model (models/runner.toml format), immutable once loaded;
 *   legsim_condition  the inputs of one stance: touchdown state and either the stance controller's
 *                     parameters (default: the model's controller) or constant muscle excitations;
 *   legsim_result     the outcome of one stance: status, metrics and time series.
 *
 * Gait prediction (a whole running step by direct collocation, with CasADi) is the separate header
 * legsim/legsim_predict.h and library legsim_c_predict, built with the prediction only; its results
 * are legsim_result handles, read with the same accessors.
 *
 * Errors. Every function that can fail returns a legsim_status; LEGSIM_OK is 0. The message of the
 * last failure is kept per handle: legsim_model_error, legsim_condition_error and
 * legsim_result_error return it (an empty string after success; the pointer stays valid until the
 * next call that uses the handle). The message names the argument, the value and what is allowed.
 * Which handle receives the message: the first handle argument of the call, except for
 * legsim_simulate_stance, which writes to its result. A failure with a NULL handle can only report
 * its status. No C++ exception leaves the library.
 *
 * Threads. Functions are safe to call concurrently on distinct handles. One model may in addition be
 * passed to legsim_simulate_stance from several threads at once (it is only read); any other use of
 * one handle by two threads at once needs the caller's locking.
 *
 * Units: SI (rad, m/s, rad/s, s, N) unless a metric's name says otherwise (_bw, _deg, ...). */
#ifndef LEGSIM_LEGSIM_H
#define LEGSIM_LEGSIM_H

#include <stddef.h>

#if defined(__GNUC__)
#define LEGSIM_C_API __attribute__((visibility("default")))
#else
#define LEGSIM_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LEGSIM_OK = 0,
  LEGSIM_ERROR_NULL_ARGUMENT = 1,     /**< a required pointer argument is NULL */
  LEGSIM_ERROR_INVALID_ARGUMENT = 2,  /**< a value out of range, not finite, or inconsistent */
  LEGSIM_ERROR_MODEL_FILE = 3,        /**< a model file or text that cannot be read, parsed or validated */
  LEGSIM_ERROR_UNKNOWN_NAME = 4,      /**< no metric, column, muscle or condition field of that name */
  LEGSIM_ERROR_BUFFER_TOO_SMALL = 5,  /**< the caller's buffer is shorter than *needed */
  LEGSIM_ERROR_NO_MODEL = 6,          /**< the model handle has not loaded a model */
  LEGSIM_ERROR_NO_RESULT = 7,         /**< the result holds no successful simulation */
  LEGSIM_ERROR_SIMULATION_FAILED = 8, /**< the integration failed (numerical failure, no toe-off, ...) */
  LEGSIM_ERROR_NOT_BUILT = 9,         /**< reserved: no function of this version returns it */
  LEGSIM_ERROR_OUT_OF_MEMORY = 10,
  LEGSIM_ERROR_INTERNAL = 11          /**< an unexpected error inside the library */
} legsim_status;

typedef struct legsim_model legsim_model;
typedef struct legsim_condition legsim_condition;
typedef struct legsim_result legsim_result;

/** The library's version ("0.1.0"); a static string. */
LEGSIM_C_API const char* legsim_version(void);
/** A static description of a status ("buffer too small"); "unknown status" for other values. */
LEGSIM_C_API const char* legsim_status_string(legsim_status status);

/* ---- Model ---------------------------------------------------------------------------------- */
/** A new, empty model handle; NULL only when out of memory. */
LEGSIM_C_API legsim_model* legsim_model_create(void);
LEGSIM_C_API void legsim_model_destroy(legsim_model* model);
LEGSIM_C_API const char* legsim_model_error(const legsim_model* model);
/** Loads (replacing any loaded model): the default runner compiled into the library, a model file
 * (TOML) at path, or TOML text of text_length bytes. On failure the handle keeps its previous model. */
LEGSIM_C_API legsim_status legsim_model_load_default(legsim_model* model);
LEGSIM_C_API legsim_status legsim_model_load_file(legsim_model* model, const char* path);
LEGSIM_C_API legsim_status legsim_model_load_toml(legsim_model* model, const char* text, size_t text_length);
/** Number of muscles, and the name of muscle index (model order) into name[size]: *needed (if not
 * NULL) receives strlen + 1; a size < *needed gives LEGSIM_ERROR_BUFFER_TOO_SMALL and no copy. */
LEGSIM_C_API legsim_status legsim_model_muscle_count(legsim_model* model, size_t* count);
LEGSIM_C_API legsim_status legsim_model_muscle_name(legsim_model* model, size_t index, char* name, size_t size,
                                                    size_t* needed);

/* ---- Condition ------------------------------------------------------------------------------ */
/** A condition for stances of model: the default touchdown state (C++ legsim::TouchdownState) and the
 * model's controller. The condition copies what it needs; model may be destroyed afterwards, and
 * the condition serves any model with the same muscles. NULL when model is NULL, has not loaded a
 * model, or memory is out. */
LEGSIM_C_API legsim_condition* legsim_condition_create(const legsim_model* model);
LEGSIM_C_API void legsim_condition_destroy(legsim_condition* condition);
LEGSIM_C_API const char* legsim_condition_error(const legsim_condition* condition);
/** Sets one input by name; the value is range-checked at once. Names:
 * \verbatim
 *   touchdown.<field>            trunk_lean, hip_flexion, knee_flexion, ankle_dorsiflexion,
 *                                hip_velocity_x, hip_velocity_y, trunk_angular_velocity,
 *                                hip_angular_velocity, knee_angular_velocity, ankle_angular_velocity
 *   activation.<muscle>          touchdown activation [0, 1] (unset muscles: their min_activation)
 *   controller.<field>           ramp_time, trunk_kp, trunk_kd, trunk_reference_lean
 *   controller.<muscle>.<field>  level, onset, offset, force_gain, length_gain, length_offset,
 *                                trunk_gain, pretension
 *   excitation.<muscle>          a constant excitation [0, 1]; setting one switches the condition
 *                                from the controller to constant excitations (muscles not set: 0.01)
 *   rtol, atol                   integrator tolerance overrides, (0, 1e-2] (0 = the model's)
 * \endverbatim */
LEGSIM_C_API legsim_status legsim_condition_set(legsim_condition* condition, const char* name, double value);
LEGSIM_C_API legsim_status legsim_condition_get(legsim_condition* condition, const char* name, double* value);

/* ---- Simulation ----------------------------------------------------------------------------- */
LEGSIM_C_API legsim_result* legsim_result_create(void);
LEGSIM_C_API void legsim_result_destroy(legsim_result* result);
LEGSIM_C_API const char* legsim_result_error(const legsim_result* result);
/** One stance from touchdown to toe-off (C++ legsim::simulate_stance) into result, replacing its
 * contents. LEGSIM_ERROR_SIMULATION_FAILED: the stance failed numerically; the result's message says
 * why and it holds no metrics. */
LEGSIM_C_API legsim_status legsim_simulate_stance(const legsim_model* model, const legsim_condition* condition,
                                                  legsim_result* result);

/* ---- Reading a result ----------------------------------------------------------------------- */
/** The contact time (s): the stance's, or a predicted step's right-foot stance (its contact_time_s). */
LEGSIM_C_API legsim_status legsim_result_contact_time(legsim_result* result, double* seconds);
/** Metrics (DESIGN 5 keys, sorted by name; a predicted step adds its stride keys): count, name by
 * index, value by name. A metric may be NaN where it does not apply (e.g. the impact peak of a
 * stance without one). */
LEGSIM_C_API legsim_status legsim_result_metric_count(legsim_result* result, size_t* count);
LEGSIM_C_API legsim_status legsim_result_metric_name(legsim_result* result, size_t index, char* name, size_t size,
                                                     size_t* needed);
LEGSIM_C_API legsim_status legsim_result_metric(legsim_result* result, const char* name, double* value);
/** Time series: columns (count, name by index) of equal length (rows; "time_s" is a column). Reading a
 * column copies it into values[capacity]; *length (if not NULL) receives the number of rows, and a
 * capacity below it gives LEGSIM_ERROR_BUFFER_TOO_SMALL without a copy (values may then be NULL). */
LEGSIM_C_API legsim_status legsim_result_column_count(legsim_result* result, size_t* count);
LEGSIM_C_API legsim_status legsim_result_column_name(legsim_result* result, size_t index, char* name, size_t size,
                                                     size_t* needed);
LEGSIM_C_API legsim_status legsim_result_row_count(legsim_result* result, size_t* rows);
LEGSIM_C_API legsim_status legsim_result_column(legsim_result* result, const char* name, double* values,
                                                size_t capacity, size_t* length);

#ifdef __cplusplus
}
#endif

#endif /* LEGSIM_LEGSIM_H */
