/* Shared by the C API test's files: a CHECK that counts failures and goes on, and helpers. */
#ifndef LEGSIM_TESTS_C_CHECK_H
#define LEGSIM_TESTS_C_CHECK_H
#include <stdio.h>

#include "legsim/legsim.h"

extern int capi_failures;

#define CHECK(cond, ...)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);    \
      fprintf(stderr, __VA_ARGS__);                                               \
      fputc('\n', stderr);                                                        \
      ++capi_failures;                                                            \
    }                                                                             \
  } while (0)

/* A model handle with the default runner loaded. */
legsim_model* default_model(void);
/* Sets the reference's constant excitations (kExcitations in reference.cpp) on a condition. */
void set_excitations(legsim_condition* c);

void test_errors(const char* model_file);
void test_threads(void);

#endif
