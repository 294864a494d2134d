/* Two threads, each on its own model, condition and result handles, simulating different stances at
 * the same time (the model's controller; constant excitations): each must get exactly what the same
 * stance gives on the main thread alone. Then the same with one model handle shared by both threads
 * (legsim.h allows that for legsim_simulate_stance, which only reads the model). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "check.h"

enum { kRuns = 3 };

typedef struct {
  legsim_model* shared_model; /* NULL: the thread loads its own */
  int constant_excitations;
  double peak_pfj[kRuns];
  legsim_status status[kRuns];
} Job;

static void* run_job(void* arg) {
  Job* job = arg;
  legsim_model* m = job->shared_model ? job->shared_model : default_model();
  legsim_condition* c = legsim_condition_create(m);
  legsim_result* r = legsim_result_create();
  int i;
  if (job->constant_excitations) set_excitations(c);
  for (i = 0; i < kRuns; ++i) {
    job->status[i] = legsim_simulate_stance(m, c, r);
    if (job->status[i] == LEGSIM_OK) job->status[i] = legsim_result_metric(r, "peak_pfj_force_bw", &job->peak_pfj[i]);
  }
  legsim_result_destroy(r);
  legsim_condition_destroy(c);
  if (!job->shared_model) legsim_model_destroy(m);
  return NULL;
}

static void run_in_two_threads(Job jobs[2], const Job alone[2], const char* what) {
  pthread_t threads[2];
  int j, i;
  for (j = 0; j < 2; ++j) CHECK(pthread_create(&threads[j], NULL, run_job, &jobs[j]) == 0, "pthread_create %d", j);
  for (j = 0; j < 2; ++j) pthread_join(threads[j], NULL);
  for (j = 0; j < 2; ++j)
    for (i = 0; i < kRuns; ++i)
      CHECK(jobs[j].status[i] == LEGSIM_OK && jobs[j].peak_pfj[i] == alone[j].peak_pfj[0],
            "%s, thread %d run %d: %d, %.17g vs %.17g", what, j, i, (int)jobs[j].status[i], jobs[j].peak_pfj[i],
            alone[j].peak_pfj[0]);
}

void test_threads(void) {
  Job alone[2] = {{NULL, 0, {0}, {LEGSIM_OK}}, {NULL, 1, {0}, {LEGSIM_OK}}};
  Job own[2] = {{NULL, 0, {0}, {LEGSIM_OK}}, {NULL, 1, {0}, {LEGSIM_OK}}};
  Job shared[2] = {{NULL, 0, {0}, {LEGSIM_OK}}, {NULL, 1, {0}, {LEGSIM_OK}}};
  legsim_model* model = default_model();
  int j;
  for (j = 0; j < 2; ++j) run_job(&alone[j]);
  /* the two conditions differ, so a mix-up between the threads' handles would show */
  CHECK(alone[0].peak_pfj[0] != alone[1].peak_pfj[0], "the two stances have the same peak PFJ force %g",
        alone[0].peak_pfj[0]);
  run_in_two_threads(own, alone, "own models");
  shared[0].shared_model = shared[1].shared_model = model;
  run_in_two_threads(shared, alone, "shared model");
  legsim_model_destroy(model);
}
