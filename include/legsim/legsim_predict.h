/** \file legsim_predict.h
 * legsim C API, gait prediction (C99): predict one running step by direct collocation (C++
 * legsim::predict::predict_gait; CasADi and IPOPT) into a legsim_result of legsim.h, whose accessors
 * then read the step's metrics and time series. Shipped as the shared library legsim_c_predict,
 * which links legsim_c and CasADi's libcasadi (from the casadi Python wheel); built whenever the
 * build has the prediction (LEGSIM_BUILD_PREDICT and CasADi found). It is not installed with the
 * CMake package: link it from the build tree (README, "C API"). legsim_c alone never needs CasADi.
 *
 * Handles. legsim_gait_condition (create, set by name, destroy) holds the running condition and the
 * solver's options; the model and the result are legsim.h's handles. Errors, messages and threads
 * follow legsim.h: every function returns a legsim_status, the message is kept in the first handle
 * argument (legsim_predict_gait: in its result), no C++ exception leaves the library, and distinct
 * handles may be used from distinct threads at once (one model also by several predictions at once).
 *
 * Cost. Each legsim_predict_gait builds the collocation problem and its derivatives before IPOPT
 * runs: about 9 s at the default 150 mesh intervals, plus the solve (about a minute cold on one
 * core; docs/gait_prediction.md). A coarse mesh (options.mesh_intervals = 30 to 40) takes about 10 s
 * and is fine for a quick look, not for comparisons between conditions. For sweeps, a
 * legsim_gait_predictor builds once and warm-starts each condition from a neighbour's result. */
#ifndef LEGSIM_LEGSIM_PREDICT_H
#define LEGSIM_LEGSIM_PREDICT_H

#include "legsim/legsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct legsim_gait_condition legsim_gait_condition;

/** A new gait condition: nothing of speed, cadence, step and stride length given yet (two of them
 * must be set before predicting), no calf fatigue, rearfoot strike, the model's body size, and the
 * solver's default options (C++ legsim::predict::PredictOptions). NULL only when out of memory. */
LEGSIM_C_API legsim_gait_condition* legsim_gait_condition_create(void);
LEGSIM_C_API void legsim_gait_condition_destroy(legsim_gait_condition* condition);
LEGSIM_C_API const char* legsim_gait_condition_error(const legsim_gait_condition* condition);
/** Sets one value by name; it is range-checked at once (the message names the field, the value and
 * the allowed range) and the condition is unchanged when it fails. The combination (two of speed,
 * cadence, step and stride length, consistent, derived values in range) is checked by
 * legsim_predict_gait. Names:
 * \verbatim
 *   speed                    m/s, [1.5, 7]
 *   cadence                  steps/min, [120, 240]
 *   step_length              m, [0.4, 2.5]
 *   stride_length            m (two steps)
 *   calf_fatigue             [0, 0.9], split among the calf muscles by fiber type
 *   touchdown_ankle_angle_deg  a foot strike given as the ankle dorsiflexion at touchdown, [-45, 30]
 *                            (default: a rearfoot strike)
 *   body_mass, height        kg [20, 250], m [1, 2.5]: the body rescaled (default: the model's)
 *   options.<field>          a solver option of legsim::predict::PredictOptions, checked against its
 *                            range there: mesh_intervals, max_iterations, start, print_level
 *                            (integers); volume_weighted_effort (0 or 1); impact_mesh_ratio,
 *                            impact_window, tolerance, constraint_tolerance, quasi_newton_tolerance,
 *                            metabolic_effort_weight, acceleration_weight, tendon_rate_weight,
 *                            excitation_rate_weight, reserve_weight, reserve_scale,
 *                            passive_moment_weight
 * \endverbatim
 * Reading a value with legsim_gait_condition_get gives NaN for speed, cadence, step_length,
 * stride_length, touchdown_ankle_angle_deg, body_mass and height while they are not set. */
LEGSIM_C_API legsim_status legsim_gait_condition_set(legsim_gait_condition* condition, const char* name, double value);
LEGSIM_C_API legsim_status legsim_gait_condition_get(legsim_gait_condition* condition, const char* name,
                                                     double* value);
/** Sets one text value by name, checked at once: "foot_strike" ("rearfoot", "midfoot" or
 * "forefoot"; a number of degrees goes to touchdown_ankle_angle_deg), "calf_fatigue_split"
 * ("fiber_type", "equal" or "soleus=0.5,gastrocnemius=1"), "options.objective" ("effort" or
 * "metabolic"), "options.hessian" ("auto", "exact" or "limited-memory"). */
LEGSIM_C_API legsim_status legsim_gait_condition_set_text(legsim_gait_condition* condition, const char* name,
                                                          const char* value);

/** Predicts one running step of model at condition (C++ legsim::predict::predict_gait, cold from the
 * generic guess) into result, replacing its contents. On success the result holds the step's metrics
 * (the names of the C++ and Python prediction: the right leg's stance, e.g. peak_pfj_force_bw, and
 * stride keys such as flight_time_s), its time series (one row per mesh node, both legs: columns
 * suffixed _r and _l) and the right foot's contact time. LEGSIM_ERROR_INVALID_ARGUMENT: the
 * condition's combination is missing or inconsistent; LEGSIM_ERROR_SIMULATION_FAILED: IPOPT did not
 * converge, and the result's message gives its status and what it means (e.g. "not converged: IPOPT
 * stopped with Maximum_Iterations_Exceeded after 5 iterations (the iteration limit, max_iterations
 * = 5, was reached)"). */
LEGSIM_C_API legsim_status legsim_predict_gait(const legsim_model* model, const legsim_gait_condition* condition,
                                               legsim_result* result);

/* ---- Predictor: sweeps ---------------------------------------------------------------------- */
typedef struct legsim_gait_predictor legsim_gait_predictor;

/** A predictor of model's running steps (C++ legsim::predict::Predictor): it builds the collocation
 * problem and its derivatives once per problem structure and keeps the last 4, so a sweep over
 * speed, cadence, step or stride length, foot strike and calf fatigue at fixed options and body size
 * pays the build (about 9 s) once, not per condition. It copies the model; model may be destroyed
 * afterwards. NULL when model is NULL, has not loaded a model, or memory is out. Predictions on one
 * predictor are serialized (it is safe to share between threads, but one predictor per thread
 * solves in parallel). */
LEGSIM_C_API legsim_gait_predictor* legsim_gait_predictor_create(const legsim_model* model);
LEGSIM_C_API void legsim_gait_predictor_destroy(legsim_gait_predictor* predictor);

/** As legsim_predict_gait, for the predictor's model, reusing its built problems. warm: NULL (a cold
 * start from the generic guess) or a result that holds an earlier successful prediction of the same
 * model (from any predictor or legsim_predict_gait; it may be result itself), whose solution is the
 * initial guess — the C++ API's warm start: with the same mesh its variables and multipliers,
 * otherwise its trajectory resampled. Neighbouring conditions of a sweep converge in fewer
 * iterations from each other. LEGSIM_ERROR_INVALID_ARGUMENT when warm holds no predicted step (a
 * stance, a failed prediction or nothing); other statuses and the message as legsim_predict_gait. */
LEGSIM_C_API legsim_status legsim_gait_predictor_predict(legsim_gait_predictor* predictor,
                                                         const legsim_gait_condition* condition,
                                                         const legsim_result* warm, legsim_result* result);

/** The number of problem structures the predictor has built and keeps (at most 4): a structure is
 * the model at the condition's body size, the kind of foot strike (a band or a given ankle angle),
 * and the options that shape the problem (mesh_intervals, objective and its weights, reserves). */
LEGSIM_C_API legsim_status legsim_gait_predictor_structures(const legsim_gait_predictor* predictor, size_t* count);

#ifdef __cplusplus
}
#endif

#endif /* LEGSIM_LEGSIM_PREDICT_H */
