/* Every documented error path of the C API: status code, message naming the argument, and the
 * handle left usable. */
#include <math.h>
#include <string.h>

#include "check.h"

static int contains(const char* text, const char* part) { return strstr(text, part) != NULL; }

static void model_errors(const char* model_file) {
  legsim_model* m = legsim_model_create();
  size_t count = 0, needed = 0;
  char name[4];
  const char bad_toml[] = "[model]\nname = \"x\"\nbody_mass = -3\n";
  legsim_status s = legsim_model_load_file(m, "/nonexistent/runner.toml");
  CHECK(s == LEGSIM_ERROR_MODEL_FILE && contains(legsim_model_error(m), "/nonexistent/runner.toml"), "bad file: %d '%s'",
        (int)s, legsim_model_error(m));
  CHECK(legsim_model_muscle_count(m, &count) == LEGSIM_ERROR_NO_MODEL, "no model: '%s'", legsim_model_error(m));
  s = legsim_model_load_toml(m, bad_toml, strlen(bad_toml));
  CHECK(s == LEGSIM_ERROR_MODEL_FILE || s == LEGSIM_ERROR_INVALID_ARGUMENT, "bad TOML: %d '%s'", (int)s,
        legsim_model_error(m));
  CHECK(strlen(legsim_model_error(m)) > 0, "bad TOML without a message");
  CHECK(legsim_model_load_file(m, NULL) == LEGSIM_ERROR_NULL_ARGUMENT && contains(legsim_model_error(m), "path"),
        "'%s'", legsim_model_error(m));
  CHECK(legsim_model_load_toml(m, NULL, 3) == LEGSIM_ERROR_NULL_ARGUMENT, "'%s'", legsim_model_error(m));
  CHECK(legsim_model_load_file(m, model_file) == LEGSIM_OK && legsim_model_error(m)[0] == '\0', "'%s'",
        legsim_model_error(m));
  /* "soleus" needs 7 bytes */
  s = legsim_model_muscle_name(m, 0, name, sizeof name, &needed);
  CHECK(s == LEGSIM_ERROR_BUFFER_TOO_SMALL && needed == 7 && contains(legsim_model_error(m), "soleus"),
        "small name buffer: %d needed %lu '%s'", (int)s, (unsigned long)needed, legsim_model_error(m));
  CHECK(legsim_model_muscle_name(m, 99, NULL, 0, NULL) == LEGSIM_ERROR_INVALID_ARGUMENT &&
            contains(legsim_model_error(m), "99"), "'%s'", legsim_model_error(m));
  CHECK(legsim_model_muscle_count(NULL, &count) == LEGSIM_ERROR_NULL_ARGUMENT, "NULL model");
  CHECK(legsim_model_muscle_count(m, NULL) == LEGSIM_ERROR_NULL_ARGUMENT && contains(legsim_model_error(m), "count"),
        "'%s'", legsim_model_error(m));
  CHECK(legsim_condition_create(NULL) == NULL, "condition from NULL model");
  legsim_model_destroy(m);
  legsim_model_destroy(NULL);
}

static void condition_errors(void) {
  legsim_model* m = default_model();
  legsim_condition* c = legsim_condition_create(m);
  double v = 0.0;
  legsim_status s = legsim_condition_set(c, "touchdown.knee_flexion", NAN);
  CHECK(s == LEGSIM_ERROR_INVALID_ARGUMENT && contains(legsim_condition_error(c), "touchdown.knee_flexion"),
        "NaN: %d '%s'", (int)s, legsim_condition_error(c));
  s = legsim_condition_set(c, "touchdown.knee_flexion", 5.0);
  CHECK(s == LEGSIM_ERROR_INVALID_ARGUMENT && contains(legsim_condition_error(c), "touchdown.knee_flexion") &&
            contains(legsim_condition_error(c), "5"), "out of range: %d '%s'", (int)s, legsim_condition_error(c));
  /* a rejected value leaves the condition as it was */
  CHECK(legsim_condition_get(c, "touchdown.knee_flexion", &v) == LEGSIM_OK && v == 0.3, "knee_flexion = %g", v);
  CHECK(legsim_condition_set(c, "touchdown.knee_flexion", 0.35) == LEGSIM_OK &&
            legsim_condition_get(c, "touchdown.knee_flexion", &v) == LEGSIM_OK && v == 0.35, "set/get %g", v);
  s = legsim_condition_set(c, "touchdown.knee_angle", 0.3);
  CHECK(s == LEGSIM_ERROR_UNKNOWN_NAME && contains(legsim_condition_error(c), "touchdown.knee_angle"), "'%s'",
        legsim_condition_error(c));
  s = legsim_condition_set(c, "excitation.biceps", 0.3);
  CHECK(s == LEGSIM_ERROR_UNKNOWN_NAME && contains(legsim_condition_error(c), "biceps") &&
            contains(legsim_condition_error(c), "soleus"), "'%s'", legsim_condition_error(c));
  s = legsim_condition_set(c, "excitation.soleus", 1.5);
  CHECK(s == LEGSIM_ERROR_INVALID_ARGUMENT && contains(legsim_condition_error(c), "excitation.soleus"), "'%s'",
        legsim_condition_error(c));
  s = legsim_condition_set(c, "controller.soleus.offset", 2.0);
  CHECK(s == LEGSIM_ERROR_INVALID_ARGUMENT && contains(legsim_condition_error(c), "offset"), "'%s'",
        legsim_condition_error(c));
  CHECK(legsim_condition_set(c, NULL, 1.0) == LEGSIM_ERROR_NULL_ARGUMENT && contains(legsim_condition_error(c), "name"),
        "'%s'", legsim_condition_error(c));
  CHECK(legsim_condition_get(c, "rtol", NULL) == LEGSIM_ERROR_NULL_ARGUMENT, "'%s'", legsim_condition_error(c));
  CHECK(legsim_condition_set(NULL, "rtol", 1e-6) == LEGSIM_ERROR_NULL_ARGUMENT, "NULL condition");
  legsim_condition_destroy(c);
  legsim_model_destroy(m);
}

static void result_errors(void) {
  legsim_model *m = default_model(), *empty = legsim_model_create();
  legsim_condition* c = legsim_condition_create(m);
  legsim_result* r = legsim_result_create();
  double v = 0.0, few[3];
  size_t length = 0;
  legsim_status s = legsim_result_metric(r, "peak_pfj_force_bw", &v);
  CHECK(s == LEGSIM_ERROR_NO_RESULT, "before simulating: %d '%s'", (int)s, legsim_result_error(r));
  CHECK(legsim_simulate_stance(NULL, c, r) == LEGSIM_ERROR_NULL_ARGUMENT && contains(legsim_result_error(r), "model"),
        "'%s'", legsim_result_error(r));
  CHECK(legsim_simulate_stance(empty, c, r) == LEGSIM_ERROR_NO_MODEL, "'%s'", legsim_result_error(r));
  CHECK(legsim_simulate_stance(m, NULL, r) == LEGSIM_ERROR_NULL_ARGUMENT &&
            contains(legsim_result_error(r), "condition"), "'%s'", legsim_result_error(r));
  CHECK(legsim_simulate_stance(m, c, NULL) == LEGSIM_ERROR_NULL_ARGUMENT, "NULL result");
  CHECK(legsim_simulate_stance(m, c, r) == LEGSIM_OK, "'%s'", legsim_result_error(r));
  s = legsim_result_metric(r, "peak_pfj_force", &v);
  CHECK(s == LEGSIM_ERROR_UNKNOWN_NAME && contains(legsim_result_error(r), "peak_pfj_force"), "unknown metric: '%s'",
        legsim_result_error(r));
  s = legsim_result_column(r, "grf_y_n", few, 3, &length);
  CHECK(s == LEGSIM_ERROR_BUFFER_TOO_SMALL && length > 3 && contains(legsim_result_error(r), "grf_y_n"),
        "small buffer: %d length %lu '%s'", (int)s, (unsigned long)length, legsim_result_error(r));
  s = legsim_result_column(r, "grf_z_n", few, 3, &length);
  CHECK(s == LEGSIM_ERROR_UNKNOWN_NAME && contains(legsim_result_error(r), "grf_z_n"), "'%s'", legsim_result_error(r));
  CHECK(legsim_result_metric(r, NULL, &v) == LEGSIM_ERROR_NULL_ARGUMENT, "'%s'", legsim_result_error(r));
  CHECK(legsim_result_metric(r, "peak_pfj_force_bw", &v) == LEGSIM_OK && legsim_result_error(r)[0] == '\0' && v > 1.0,
        "after errors: %g '%s'", v, legsim_result_error(r));
  CHECK(legsim_simulate_stance(m, NULL, r) == LEGSIM_ERROR_NULL_ARGUMENT, "'%s'", legsim_result_error(r));
  s = legsim_result_metric(r, "peak_pfj_force_bw", &v);
  CHECK(s == LEGSIM_ERROR_NO_RESULT && contains(legsim_result_error(r), "holds no simulation"),
        "result cleared by the failed call: %d '%s'", (int)s, legsim_result_error(r));
  CHECK(strcmp(legsim_status_string(LEGSIM_ERROR_BUFFER_TOO_SMALL), "buffer too small") == 0, "status string");
  CHECK(strcmp(legsim_status_string((legsim_status)99), "unknown status") == 0, "unknown status string");
  legsim_result_destroy(r);
  legsim_condition_destroy(c);
  legsim_model_destroy(empty);
  legsim_model_destroy(m);
}

/* A stance that fails numerically is a status with the reason, not numbers. */
static void simulation_failure(void) {
  legsim_model* m = default_model();
  legsim_condition* c = legsim_condition_create(m);
  legsim_result* r = legsim_result_create();
  double v = 0.0;
  legsim_status s;
  /* moving up and away from the ground at touchdown: no contact within max_stance_time */
  CHECK(legsim_condition_set(c, "touchdown.hip_velocity_y", 3.0) == LEGSIM_OK, "'%s'", legsim_condition_error(c));
  s = legsim_simulate_stance(m, c, r);
  CHECK(s == LEGSIM_ERROR_SIMULATION_FAILED && strlen(legsim_result_error(r)) > 0, "failure: %d '%s'", (int)s,
        legsim_result_error(r));
  CHECK(legsim_result_metric(r, "peak_pfj_force_bw", &v) == LEGSIM_ERROR_NO_RESULT &&
            contains(legsim_result_error(r), "the simulation failed ("), "'%s'", legsim_result_error(r));
  legsim_result_destroy(r);
  legsim_condition_destroy(c);
  legsim_model_destroy(m);
}

void test_errors(const char* model_file) {
  model_errors(model_file);
  condition_errors();
  result_errors();
  simulation_failure();
}
