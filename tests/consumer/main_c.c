/* Uses the installed C API (legsim/legsim.h, legsim::legsim_c) from C99: one stance of the default
 * runner, a metric read by name, and a bad model file arriving as a status with a message naming it.
 * Exit status 0 = ok. */
#include <stdio.h>
#include <string.h>

#include "legsim/legsim.h"

int main(void) {
  legsim_model* model = legsim_model_create();
  legsim_condition* condition = NULL;
  legsim_result* result = legsim_result_create();
  double peak = 0.0;
  int failed = 0;
  if (legsim_model_load_file(model, "/nonexistent.toml") != LEGSIM_ERROR_MODEL_FILE ||
      strstr(legsim_model_error(model), "/nonexistent.toml") == NULL) {
    fprintf(stderr, "bad file: '%s'\n", legsim_model_error(model));
    failed = 1;
  }
  legsim_model_load_default(model);
  condition = legsim_condition_create(model);
  if (legsim_simulate_stance(model, condition, result) != LEGSIM_OK ||
      legsim_result_metric(result, "peak_pfj_force_bw", &peak) != LEGSIM_OK || !(peak > 1.0)) {
    fprintf(stderr, "stance: '%s'\n", legsim_result_error(result));
    failed = 1;
  } else {
    printf("legsim %s C API: peak PFJ force %.2f BW\n", legsim_version(), peak);
  }
  legsim_result_destroy(result);
  legsim_condition_destroy(condition);
  legsim_model_destroy(model);
  return failed;
}
