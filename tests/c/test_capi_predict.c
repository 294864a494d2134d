/* The C API's gait prediction (include/legsim/legsim_predict.h) from a C99 program, linked to
 * legsim_c_predict and legsim_c. Two modes, so the sanitizer build can run the one without IPOPT:
 *   test_capi_predict errors             every documented error path; no IPOPT solve (CasADi's IPOPT
 *                                        plugin cannot be loaded under AddressSanitizer, see the
 *                                        Makefile's sanitize target)
 *   test_capi_predict solve <reference>  a coarse prediction whose metrics and columns must equal the
 *                                        C++ API's (the file predict_reference writes), the same in two
 *                                        threads at once on one model handle, a predictor's cold step
 *                                        and warm-started neighbour (equal to the C++ Predictor's), and
 *                                        a solve stopped by the iteration limit
 * Exit status 0 = all passed. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "legsim/legsim_predict.h"

int capi_failures = 0;

/* The conditions of predict_reference.cpp: its step, and the neighbour warm-started from it. */
static const double kSpeed = 3.5, kCadence = 170.0, kMeshIntervals = 30.0, kWarmCadence = 176.0;

static int contains(const char* text, const char* part) { return strstr(text, part) != NULL; }

static legsim_model* load_default(void) {
  legsim_model* m = legsim_model_create();
  CHECK(legsim_model_load_default(m) == LEGSIM_OK, "load_default: %s", legsim_model_error(m));
  return m;
}

/* set must fail with status want and a message containing each of parts (NULL-terminated). */
static void expect_set_error(legsim_gait_condition* c, const char* name, double value, legsim_status want,
                             const char* const* parts) {
  legsim_status s = legsim_gait_condition_set(c, name, value);
  CHECK(s == want, "set %s = %g: status %d, expected %d ('%s')", name, value, (int)s, (int)want,
        legsim_gait_condition_error(c));
  for (; *parts; ++parts)
    CHECK(contains(legsim_gait_condition_error(c), *parts), "set %s = %g: '%s' lacks '%s'", name, value,
          legsim_gait_condition_error(c), *parts);
}

static void condition_errors(void) {
  legsim_gait_condition* c = legsim_gait_condition_create();
  double v = 0.0;
  static const char* const bad_speed[] = {"condition.speed = 100", "[1.5, 7] m/s", NULL};
  static const char* const negative_speed[] = {"condition.speed = -1", "(0, inf)", NULL};
  static const char* const nan_speed[] = {"speed", NULL};
  static const char* const bad_fatigue[] = {"condition.calf_fatigue = 0.95", "[0, 0.9]", NULL};
  static const char* const unknown[] = {"'sped'", "options.<field>", NULL};
  static const char* const unknown_option[] = {"'options.mesh'", NULL};
  static const char* const coarse[] = {"mesh_intervals = 5", "[10, 1000]", NULL};
  static const char* const fraction[] = {"options.mesh_intervals = 30.5 is not an integer", NULL};
  static const char* const huge[] = {"options.max_iterations = 1e+40 is not an integer", NULL};
  static const char* const switch_value[] = {"options.volume_weighted_effort = 2", "0 (false) or 1 (true)", NULL};
  CHECK(c != NULL, "create");
  /* defaults: nothing given, the options of PredictOptions */
  CHECK(legsim_gait_condition_get(c, "speed", &v) == LEGSIM_OK && isnan(v), "speed before set: %g", v);
  CHECK(legsim_gait_condition_get(c, "options.mesh_intervals", &v) == LEGSIM_OK && v == 150.0, "mesh: %g", v);
  CHECK(legsim_gait_condition_get(c, "options.volume_weighted_effort", &v) == LEGSIM_OK && v == 0.0, "switch: %g", v);
  /* a bad value is rejected with field, value and range, and leaves the condition unchanged */
  CHECK(legsim_gait_condition_set(c, "speed", kSpeed) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_error(c)[0] == '\0', "error after success: '%s'", legsim_gait_condition_error(c));
  expect_set_error(c, "speed", 100.0, LEGSIM_ERROR_INVALID_ARGUMENT, bad_speed);
  expect_set_error(c, "speed", -1.0, LEGSIM_ERROR_INVALID_ARGUMENT, negative_speed);
  expect_set_error(c, "speed", NAN, LEGSIM_ERROR_INVALID_ARGUMENT, nan_speed);
  CHECK(legsim_gait_condition_get(c, "speed", &v) == LEGSIM_OK && v == kSpeed, "speed after failed sets: %g", v);
  expect_set_error(c, "calf_fatigue", 0.95, LEGSIM_ERROR_INVALID_ARGUMENT, bad_fatigue);
  expect_set_error(c, "sped", 3.0, LEGSIM_ERROR_UNKNOWN_NAME, unknown);
  expect_set_error(c, "options.mesh", 30.0, LEGSIM_ERROR_UNKNOWN_NAME, unknown_option);
  expect_set_error(c, "options.mesh_intervals", 5.0, LEGSIM_ERROR_INVALID_ARGUMENT, coarse);
  expect_set_error(c, "options.mesh_intervals", 30.5, LEGSIM_ERROR_INVALID_ARGUMENT, fraction);
  expect_set_error(c, "options.max_iterations", 1e40, LEGSIM_ERROR_INVALID_ARGUMENT, huge);
  expect_set_error(c, "options.volume_weighted_effort", 2.0, LEGSIM_ERROR_INVALID_ARGUMENT, switch_value);
  CHECK(legsim_gait_condition_get(c, "options.mesh_intervals", &v) == LEGSIM_OK && v == 150.0, "mesh: %g", v);
  /* a foot strike as an angle, then as a name (which clears the angle) */
  CHECK(legsim_gait_condition_set(c, "touchdown_ankle_angle_deg", 5.0) == LEGSIM_OK, "'%s'",
        legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_get(c, "touchdown_ankle_angle_deg", &v) == LEGSIM_OK && v == 5.0, "angle %g", v);
  CHECK(legsim_gait_condition_set_text(c, "foot_strike", "forefoot") == LEGSIM_OK, "'%s'",
        legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_get(c, "touchdown_ankle_angle_deg", &v) == LEGSIM_OK && isnan(v), "angle %g", v);
  /* text values */
  CHECK(legsim_gait_condition_set_text(c, "foot_strike", "heel") == LEGSIM_ERROR_INVALID_ARGUMENT &&
            contains(legsim_gait_condition_error(c), "foot_strike = \"heel\""),
        "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_set_text(c, "options.objective", "speed") == LEGSIM_ERROR_INVALID_ARGUMENT &&
            contains(legsim_gait_condition_error(c), "objective = \"speed\""),
        "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_set_text(c, "calf_fatigue_split", "soleus") == LEGSIM_ERROR_INVALID_ARGUMENT &&
            contains(legsim_gait_condition_error(c), "calf_fatigue_split"),
        "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_set_text(c, "objective", "effort") == LEGSIM_ERROR_UNKNOWN_NAME &&
            contains(legsim_gait_condition_error(c), "'objective'"),
        "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_set_text(c, "options.hessian", "exact") == LEGSIM_OK, "'%s'",
        legsim_gait_condition_error(c));
  /* NULL arguments */
  CHECK(legsim_gait_condition_set(NULL, "speed", 3.0) == LEGSIM_ERROR_NULL_ARGUMENT, "NULL condition");
  CHECK(legsim_gait_condition_set(c, NULL, 3.0) == LEGSIM_ERROR_NULL_ARGUMENT &&
            contains(legsim_gait_condition_error(c), "name"), "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_get(c, "speed", NULL) == LEGSIM_ERROR_NULL_ARGUMENT &&
            contains(legsim_gait_condition_error(c), "value"), "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_set_text(c, "foot_strike", NULL) == LEGSIM_ERROR_NULL_ARGUMENT, "NULL text");
  CHECK(strcmp(legsim_gait_condition_error(NULL), "") == 0, "error of NULL");
  legsim_gait_condition_destroy(c);
  legsim_gait_condition_destroy(NULL);
}

/* Errors legsim_predict_gait reports before any solve: they reach neither CasADi nor IPOPT. */
static void predict_errors(void) {
  legsim_model *m = load_default(), *empty = legsim_model_create();
  legsim_gait_condition* c = legsim_gait_condition_create();
  legsim_result* r = legsim_result_create();
  double v = 0.0;
  legsim_status s;
  CHECK(legsim_gait_condition_set(c, "speed", kSpeed) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  s = legsim_predict_gait(m, c, r); /* one of two given */
  CHECK(s == LEGSIM_ERROR_INVALID_ARGUMENT && contains(legsim_result_error(r), "give two of speed, cadence"), "%d '%s'",
        (int)s, legsim_result_error(r));
  CHECK(legsim_gait_condition_set(c, "cadence", kCadence) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_gait_condition_set(c, "step_length", 2.0) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  s = legsim_predict_gait(m, c, r); /* three given, inconsistent */
  CHECK(s == LEGSIM_ERROR_INVALID_ARGUMENT && contains(legsim_result_error(r), "inconsistent"), "%d '%s'", (int)s,
        legsim_result_error(r));
  CHECK(legsim_result_metric(r, "peak_pfj_force_bw", &v) == LEGSIM_ERROR_NO_RESULT &&
            contains(legsim_result_error(r), "holds no simulation"), "'%s'", legsim_result_error(r));
  CHECK(legsim_predict_gait(empty, c, r) == LEGSIM_ERROR_NO_MODEL, "'%s'", legsim_result_error(r));
  CHECK(legsim_predict_gait(NULL, c, r) == LEGSIM_ERROR_NULL_ARGUMENT && contains(legsim_result_error(r), "model"),
        "'%s'", legsim_result_error(r));
  CHECK(legsim_predict_gait(m, NULL, r) == LEGSIM_ERROR_NULL_ARGUMENT && contains(legsim_result_error(r), "condition"),
        "'%s'", legsim_result_error(r));
  CHECK(legsim_predict_gait(m, c, NULL) == LEGSIM_ERROR_NULL_ARGUMENT, "NULL result");
  legsim_result_destroy(r);
  legsim_gait_condition_destroy(c);
  legsim_model_destroy(empty);
  legsim_model_destroy(m);
}

/* legsim_gait_predictor_predict must fail with status want and a message in r containing part. */
static void expect_predictor_error(legsim_gait_predictor* p, const legsim_gait_condition* c, const legsim_result* warm,
                                   legsim_result* r, legsim_status want, const char* part) {
  legsim_status s = legsim_gait_predictor_predict(p, c, warm, r);
  CHECK(s == want && contains(legsim_result_error(r), part), "status %d, expected %d; '%s' should name '%s'", (int)s,
        (int)want, legsim_result_error(r), part);
}

/* The predictor's error paths; none builds a problem. */
static void predictor_errors(void) {
  legsim_model* m = load_default();
  legsim_model* empty = legsim_model_create();
  legsim_gait_predictor* p = legsim_gait_predictor_create(m);
  legsim_gait_condition* c = legsim_gait_condition_create();
  legsim_condition* stance_condition = legsim_condition_create(m);
  legsim_result* stance = legsim_result_create();
  legsim_result* never = legsim_result_create();
  legsim_result* r = legsim_result_create();
  size_t count = 99;
  CHECK(p != NULL, "create");
  CHECK(legsim_gait_predictor_create(NULL) == NULL, "create(NULL)");
  CHECK(legsim_gait_predictor_create(empty) == NULL, "create(a model handle with no model)");
  CHECK(legsim_gait_predictor_structures(p, &count) == LEGSIM_OK && count == 0, "structures before a prediction: %lu",
        (unsigned long)count);
  CHECK(legsim_gait_predictor_structures(NULL, &count) == LEGSIM_ERROR_NULL_ARGUMENT, "structures(NULL)");
  CHECK(legsim_gait_predictor_structures(p, NULL) == LEGSIM_ERROR_NULL_ARGUMENT, "structures(p, NULL)");
  /* the combination is checked before anything is built */
  CHECK(legsim_gait_condition_set(c, "speed", kSpeed) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  expect_predictor_error(p, c, NULL, r, LEGSIM_ERROR_INVALID_ARGUMENT, "cadence");
  expect_predictor_error(NULL, c, NULL, r, LEGSIM_ERROR_NULL_ARGUMENT, "predictor");
  expect_predictor_error(p, NULL, NULL, r, LEGSIM_ERROR_NULL_ARGUMENT, "condition");
  CHECK(legsim_gait_predictor_predict(p, c, NULL, NULL) == LEGSIM_ERROR_NULL_ARGUMENT, "NULL result");
  /* a warm start must be a predicted step: not a stance, not an empty result */
  CHECK(legsim_gait_condition_set(c, "cadence", kCadence) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  CHECK(legsim_simulate_stance(m, stance_condition, stance) == LEGSIM_OK, "stance: '%s'", legsim_result_error(stance));
  expect_predictor_error(p, c, stance, r, LEGSIM_ERROR_INVALID_ARGUMENT, "warm: the result holds no predicted step");
  expect_predictor_error(p, c, never, r, LEGSIM_ERROR_INVALID_ARGUMENT, "warm: the result holds no predicted step");
  CHECK(legsim_gait_predictor_structures(p, &count) == LEGSIM_OK && count == 0, "structures: %lu", (unsigned long)count);
  legsim_result_destroy(r);
  legsim_result_destroy(never);
  legsim_result_destroy(stance);
  legsim_condition_destroy(stance_condition);
  legsim_gait_condition_destroy(c);
  legsim_gait_predictor_destroy(p);
  legsim_model_destroy(empty);
  legsim_model_destroy(m);
}

/* Every reference line of section: the same number from the C API, bit for bit. Returns the lines. */
static size_t compare_with_reference(const char* path, legsim_result* r, const char* section, const double* column) {
  char sec[128], name[128], value[64];
  size_t seen = 0;
  FILE* f = fopen(path, "r");
  CHECK(f != NULL, "cannot open the reference %s", path);
  if (!f) return 0;
  while (fscanf(f, "%127s %127s %63s", sec, name, value) == 3) {
    double expected = strtod(value, NULL), got = -1.0;
    if (strcmp(sec, section) != 0) continue;
    ++seen;
    if (column) {
      got = column[strtoul(name, NULL, 10)];
    } else {
      legsim_status s = strcmp(name, "contact_time") == 0 ? legsim_result_contact_time(r, &got)
                                                          : legsim_result_metric(r, name, &got);
      CHECK(s == LEGSIM_OK, "%s %s: %s", section, name, legsim_result_error(r));
    }
    CHECK(got == expected || (isnan(got) && isnan(expected)), "%s %s: C API %.17g, C++ API %.17g", section, name, got,
          expected);
  }
  fclose(f);
  return seen;
}

/* The reference's condition; NULL if a value is refused (no CHECK: threads call it). */
static legsim_gait_condition* reference_condition(void) {
  legsim_gait_condition* c = legsim_gait_condition_create();
  if (c && legsim_gait_condition_set(c, "speed", kSpeed) == LEGSIM_OK &&
      legsim_gait_condition_set(c, "cadence", kCadence) == LEGSIM_OK &&
      legsim_gait_condition_set(c, "options.mesh_intervals", kMeshIntervals) == LEGSIM_OK)
    return c;
  legsim_gait_condition_destroy(c);
  return NULL;
}

typedef struct {
  const legsim_model* model; /* shared by the threads */
  legsim_result* result;
  legsim_status status;
} PredictJob;

static void* predict_job(void* arg) {
  PredictJob* job = arg;
  legsim_gait_condition* c = reference_condition();
  job->status = c ? legsim_predict_gait(job->model, c, job->result) : LEGSIM_ERROR_INVALID_ARGUMENT;
  legsim_gait_condition_destroy(c);
  return NULL;
}

/* Two threads predict the reference step at once, on one model handle, each with its own condition
 * and result: each must equal the C++ API's step bit for bit. */
static void solve_in_two_threads(const char* reference, legsim_model* m, size_t metrics) {
  PredictJob jobs[2];
  pthread_t threads[2];
  int j;
  for (j = 0; j < 2; ++j) {
    jobs[j].model = m;
    jobs[j].result = legsim_result_create();
    jobs[j].status = LEGSIM_ERROR_INTERNAL;
    CHECK(pthread_create(&threads[j], NULL, predict_job, &jobs[j]) == 0, "pthread_create %d", j);
  }
  for (j = 0; j < 2; ++j) pthread_join(threads[j], NULL);
  for (j = 0; j < 2; ++j) {
    CHECK(jobs[j].status == LEGSIM_OK, "thread %d: %d '%s'", j, (int)jobs[j].status, legsim_result_error(jobs[j].result));
    if (jobs[j].status == LEGSIM_OK)
      CHECK(compare_with_reference(reference, jobs[j].result, "metric", NULL) == metrics + 1, "thread %d", j);
    legsim_result_destroy(jobs[j].result);
  }
}

static void solve_equals_cpp(const char* reference) {
  legsim_model* m = load_default();
  legsim_gait_condition* c = reference_condition();
  legsim_result* r = legsim_result_create();
  size_t metrics = 0, rows = 0, length = 0, seen;
  double *time_s, *pfj;
  char name[64];
  legsim_status s;
  CHECK(c != NULL, "the reference condition is refused");
  s = legsim_predict_gait(m, c, r);
  CHECK(s == LEGSIM_OK && legsim_result_error(r)[0] == '\0', "prediction: %d '%s'", (int)s, legsim_result_error(r));
  if (s != LEGSIM_OK) goto done;
  CHECK(legsim_result_metric_count(r, &metrics) == LEGSIM_OK, "'%s'", legsim_result_error(r));
  seen = compare_with_reference(reference, r, "metric", NULL);
  CHECK(seen > 30 && seen == metrics + 1, "%lu reference lines, %lu metrics + contact time", (unsigned long)seen,
        (unsigned long)metrics);
  /* one row per mesh node, from touchdown (0) to the end of the step (60 / cadence s) */
  CHECK(legsim_result_row_count(r, &rows) == LEGSIM_OK && rows == (size_t)kMeshIntervals + 1, "rows %lu",
        (unsigned long)rows);
  CHECK(legsim_result_column_name(r, 0, name, sizeof name, NULL) == LEGSIM_OK && strcmp(name, "time_s") == 0,
        "column 0 '%s'", name);
  time_s = malloc(rows * sizeof *time_s);
  pfj = malloc(rows * sizeof *pfj);
  CHECK(legsim_result_column(r, "time_s", time_s, rows, &length) == LEGSIM_OK && length == rows, "'%s'",
        legsim_result_error(r));
  CHECK(legsim_result_column(r, "pfj_force_r_n", pfj, rows, &length) == LEGSIM_OK, "'%s'", legsim_result_error(r));
  CHECK(time_s[0] == 0.0 && fabs(time_s[rows - 1] - 60.0 / kCadence) < 1e-12, "time %.17g .. %.17g", time_s[0],
        time_s[rows - 1]);
  CHECK(compare_with_reference(reference, r, "column.time_s", time_s) == rows, "time_s rows");
  CHECK(compare_with_reference(reference, r, "column.pfj_force_r_n", pfj) == rows, "pfj_force_r_n rows");
  free(time_s);
  free(pfj);
  solve_in_two_threads(reference, m, metrics);
done:
  legsim_result_destroy(r);
  legsim_gait_condition_destroy(c);
  legsim_model_destroy(m);
}

/* A sweep's pattern: one predictor, the reference step cold, then its neighbour warm-started from it
 * (both equal to the C++ Predictor's, bit for bit), built once; then a warm start from the result
 * that receives the prediction. */
static void solve_with_predictor(const char* reference) {
  legsim_model* m = load_default();
  legsim_gait_predictor* p = legsim_gait_predictor_create(m);
  legsim_gait_condition* c = reference_condition();
  legsim_result* cold = legsim_result_create();
  legsim_result* warm = legsim_result_create();
  size_t metrics = 0, count = 0;
  double before = 0.0, after = 0.0;
  legsim_status s;
  legsim_model_destroy(m); /* the predictor keeps its own copy */
  CHECK(p != NULL && c != NULL, "predictor or condition");
  s = legsim_gait_predictor_predict(p, c, NULL, cold);
  CHECK(s == LEGSIM_OK, "cold: %d '%s'", (int)s, legsim_result_error(cold));
  if (s != LEGSIM_OK) goto done;
  CHECK(legsim_result_metric_count(cold, &metrics) == LEGSIM_OK, "'%s'", legsim_result_error(cold));
  CHECK(compare_with_reference(reference, cold, "metric", NULL) == metrics + 1, "cold step");
  CHECK(legsim_gait_condition_set(c, "cadence", kWarmCadence) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  s = legsim_gait_predictor_predict(p, c, cold, warm);
  CHECK(s == LEGSIM_OK, "warm: %d '%s'", (int)s, legsim_result_error(warm));
  if (s != LEGSIM_OK) goto done;
  CHECK(compare_with_reference(reference, warm, "warm", NULL) == metrics + 1, "warm step");
  CHECK(legsim_gait_predictor_structures(p, &count) == LEGSIM_OK && count == 1, "structures built: %lu",
        (unsigned long)count);
  /* warm == result: the same step again from its own solution */
  CHECK(legsim_result_metric(warm, "peak_pfj_force_bw", &before) == LEGSIM_OK, "'%s'", legsim_result_error(warm));
  s = legsim_gait_predictor_predict(p, c, warm, warm);
  CHECK(s == LEGSIM_OK, "warm from itself: %d '%s'", (int)s, legsim_result_error(warm));
  CHECK(legsim_result_metric(warm, "peak_pfj_force_bw", &after) == LEGSIM_OK && fabs(after - before) < 1e-3 * before,
        "peak PFJ force %.17g, before %.17g", after, before);
done:
  legsim_result_destroy(warm);
  legsim_result_destroy(cold);
  legsim_gait_condition_destroy(c);
  legsim_gait_predictor_destroy(p);
}

/* IPOPT stopped by the iteration limit: a failure with IPOPT's status and its meaning, no numbers. */
static void solve_not_converged(void) {
  legsim_model* m = load_default();
  legsim_gait_condition* c = reference_condition();
  legsim_result* r = legsim_result_create();
  double v = 0.0;
  legsim_status s;
  CHECK(c != NULL, "the reference condition is refused");
  CHECK(legsim_gait_condition_set(c, "options.max_iterations", 5) == LEGSIM_OK, "'%s'", legsim_gait_condition_error(c));
  s = legsim_predict_gait(m, c, r);
  CHECK(s == LEGSIM_ERROR_SIMULATION_FAILED && contains(legsim_result_error(r), "not converged: IPOPT stopped with") &&
            contains(legsim_result_error(r), "max_iterations = 5"),
        "%d '%s'", (int)s, legsim_result_error(r));
  s = legsim_result_metric(r, "peak_pfj_force_bw", &v);
  CHECK(s == LEGSIM_ERROR_NO_RESULT && contains(legsim_result_error(r), "the simulation failed (not converged"),
        "%d '%s'", (int)s, legsim_result_error(r));
  legsim_result_destroy(r);
  legsim_gait_condition_destroy(c);
  legsim_model_destroy(m);
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "errors") == 0) {
    condition_errors();
    predict_errors();
    predictor_errors();
  } else if (argc == 3 && strcmp(argv[1], "solve") == 0) {
    solve_equals_cpp(argv[2]);
    solve_with_predictor(argv[2]);
    solve_not_converged();
  } else {
    fprintf(stderr, "usage: %s errors | solve <reference file>\n", argv[0]);
    return 2;
  }
  if (capi_failures) fprintf(stderr, "%d check(s) failed\n", capi_failures);
  else printf("C API, gait prediction (%s): all checks passed\n", argv[1]);
  return capi_failures ? 1 : 0;
}
