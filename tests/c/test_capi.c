/* The C API (include/legsim/legsim.h) from a C99 program: metrics equal to the C++ API's (the
 * reference file capi_reference writes), time series, every documented error path, and two threads
 * on distinct handles. Usage: test_capi <reference file> <model file>. Exit status 0 = all passed. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int capi_failures = 0;

/* Constant excitations of the reference's "excitation" section (kExcitations in reference.cpp). */
static const char* const kExcitationMuscles[] = {"soleus", "gastrocnemius", "quadriceps"};
static const double kExcitationLevels[] = {0.5, 0.5, 0.4};

legsim_model* default_model(void) {
  legsim_model* m = legsim_model_create();
  legsim_status s = legsim_model_load_default(m);
  CHECK(s == LEGSIM_OK, "load_default: %s", legsim_model_error(m));
  return m;
}

void set_excitations(legsim_condition* c) {
  size_t i;
  for (i = 0; i < sizeof kExcitationLevels / sizeof kExcitationLevels[0]; ++i) {
    char name[64];
    snprintf(name, sizeof name, "excitation.%s", kExcitationMuscles[i]);
    CHECK(legsim_condition_set(c, name, kExcitationLevels[i]) == LEGSIM_OK, "%s", legsim_condition_error(c));
  }
}

/* Every reference line of section: the metric of the same name in r must be the identical double
 * (both NaN for a metric that does not apply); the counts must agree too. */
static void compare_with_reference(const char* path, const char* section, legsim_result* r) {
  char sec[64], name[128], value[64];
  size_t count = 0, seen = 0;
  FILE* f = fopen(path, "r");
  CHECK(f != NULL, "cannot open the reference %s", path);
  if (!f) return;
  CHECK(legsim_result_metric_count(r, &count) == LEGSIM_OK, "%s", legsim_result_error(r));
  while (fscanf(f, "%63s %127s %63s", sec, name, value) == 3) {
    double expected = strtod(value, NULL), got = -1.0;
    legsim_status s;
    if (strcmp(sec, section) != 0) continue;
    s = strcmp(name, "contact_time") == 0 ? legsim_result_contact_time(r, &got) : legsim_result_metric(r, name, &got);
    if (strcmp(name, "contact_time") != 0) ++seen;
    CHECK(s == LEGSIM_OK, "%s %s: %s", section, name, legsim_result_error(r));
    CHECK(got == expected || (isnan(got) && isnan(expected)), "%s %s: C API %.17g, C++ API %.17g", section, name, got,
          expected);
  }
  fclose(f);
  CHECK(seen > 20 && seen == count, "%s: %lu reference metrics, %lu from the C API", section, (unsigned long)seen,
        (unsigned long)count);
}

static void test_metrics_equal_cpp(const char* reference) {
  legsim_model* m = default_model();
  legsim_condition* c = legsim_condition_create(m);
  legsim_result* r = legsim_result_create();
  CHECK(c != NULL && r != NULL, "create");
  CHECK(legsim_simulate_stance(m, c, r) == LEGSIM_OK, "controller stance: %s", legsim_result_error(r));
  compare_with_reference(reference, "controller", r);
  set_excitations(c);
  CHECK(legsim_simulate_stance(m, c, r) == LEGSIM_OK, "excitation stance: %s", legsim_result_error(r));
  compare_with_reference(reference, "excitation", r);
  legsim_result_destroy(r);
  legsim_condition_destroy(c);
  legsim_model_destroy(m);
}

static void test_time_series(void) {
  legsim_model* m = default_model();
  legsim_condition* c = legsim_condition_create(m);
  legsim_result* r = legsim_result_create();
  size_t rows = 0, columns = 0, length = 0, needed = 0, i;
  double contact = 0.0, *t;
  char name[64];
  CHECK(legsim_simulate_stance(m, c, r) == LEGSIM_OK, "%s", legsim_result_error(r));
  CHECK(legsim_result_row_count(r, &rows) == LEGSIM_OK && rows > 100, "rows = %lu", (unsigned long)rows);
  CHECK(legsim_result_column_count(r, &columns) == LEGSIM_OK && columns > 10, "columns = %lu", (unsigned long)columns);
  CHECK(legsim_result_column_name(r, 0, name, sizeof name, &needed) == LEGSIM_OK && strcmp(name, "time_s") == 0 &&
            needed == strlen("time_s") + 1, "column 0 = '%s', needed %lu", name, (unsigned long)needed);
  /* size query with a NULL buffer, then the read */
  CHECK(legsim_result_column(r, "time_s", NULL, 0, &length) == LEGSIM_ERROR_BUFFER_TOO_SMALL && length == rows,
        "length %lu, rows %lu", (unsigned long)length, (unsigned long)rows);
  t = malloc(rows * sizeof *t);
  CHECK(legsim_result_column(r, "time_s", t, rows, &length) == LEGSIM_OK, "%s", legsim_result_error(r));
  CHECK(legsim_result_contact_time(r, &contact) == LEGSIM_OK, "%s", legsim_result_error(r));
  /* samples from touchdown (t = 0) to toe-off, increasing */
  CHECK(t[0] == 0.0 && t[rows - 1] == contact, "time %g .. %g, contact time %g", t[0], t[rows - 1], contact);
  for (i = 1; i < rows; ++i) CHECK(t[i] > t[i - 1], "time not increasing at row %lu", (unsigned long)i);
  free(t);
  legsim_result_destroy(r);
  legsim_condition_destroy(c);
  legsim_model_destroy(m);
}

static char* read_file(const char* path, size_t* size) {
  char* text;
  long n;
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = malloc((size_t)n);
  *size = fread(text, 1, (size_t)n, f);
  fclose(f);
  return text;
}

/* The same model loaded three ways gives the same stance. */
static void test_load_paths(const char* model_file) {
  legsim_model *a = default_model(), *b = legsim_model_create(), *c = legsim_model_create();
  legsim_condition* cond = legsim_condition_create(a);
  legsim_result *ra = legsim_result_create(), *rb = legsim_result_create(), *rc = legsim_result_create();
  size_t size = 0, muscles = 0;
  char* text = read_file(model_file, &size);
  double va = 0, vb = 1, vc = 2;
  CHECK(text != NULL, "cannot read %s", model_file);
  CHECK(legsim_model_load_file(b, model_file) == LEGSIM_OK, "%s", legsim_model_error(b));
  CHECK(legsim_model_load_toml(c, text, size) == LEGSIM_OK, "%s", legsim_model_error(c));
  CHECK(legsim_model_muscle_count(c, &muscles) == LEGSIM_OK && muscles == 7, "muscles = %lu", (unsigned long)muscles);
  CHECK(legsim_simulate_stance(a, cond, ra) == LEGSIM_OK, "%s", legsim_result_error(ra));
  CHECK(legsim_simulate_stance(b, cond, rb) == LEGSIM_OK, "%s", legsim_result_error(rb));
  CHECK(legsim_simulate_stance(c, cond, rc) == LEGSIM_OK, "%s", legsim_result_error(rc));
  legsim_result_metric(ra, "peak_pfj_force_bw", &va);
  legsim_result_metric(rb, "peak_pfj_force_bw", &vb);
  legsim_result_metric(rc, "peak_pfj_force_bw", &vc);
  CHECK(va == vb && va == vc && va > 1.0, "peak PFJ force: default %g, file %g, text %g", va, vb, vc);
  free(text);
  legsim_result_destroy(ra);
  legsim_result_destroy(rb);
  legsim_result_destroy(rc);
  legsim_condition_destroy(cond);
  legsim_model_destroy(a);
  legsim_model_destroy(b);
  legsim_model_destroy(c);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <reference file> <model file>\n", argv[0]);
    return 2;
  }
  CHECK(strcmp(legsim_version(), LEGSIM_EXPECTED_VERSION) == 0, "version '%s'", legsim_version());
  test_metrics_equal_cpp(argv[1]);
  test_time_series();
  test_load_paths(argv[2]);
  test_errors(argv[2]);
  test_threads();
  if (capi_failures) fprintf(stderr, "%d check(s) failed\n", capi_failures);
  else printf("C API: all checks passed\n");
  return capi_failures ? 1 : 0;
}
