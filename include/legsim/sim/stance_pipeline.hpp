#pragma once
// The stance pipeline shared by the two engines: the scalar one (sim/simulate.cpp, Boost.Odeint's
// dense-output Dormand–Prince) and the batch one (batch/stance_batch.cpp, one SIMD lane per stance).
// Each rule a stance is judged by lives here once — the resolved integrator settings and their
// validation, the toe-off rule, the per-stance summary (peaks, integrals, centre of mass) and what
// makes a finished stance not a result — so the two engines cannot drift apart
// (tests/cpp/test_batch_engine.cpp checks that they agree to what the integrators achieve).
//
// Modelled on the split of an immutable model from a data struct whose stages write named fields:
// the engines own the integration, and every sample they take of a stance goes through
// StanceAccumulator::record, which writes named fields that StanceSummary reports.
#include <array>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "legsim/core/ops.hpp"
#include "legsim/model.hpp"
#include "legsim/sim/stance_dynamics.hpp"

namespace legsim {

enum class StanceStatus;

/// The model's integrator settings with a caller's overrides applied (an override ≤ 0 keeps the
/// model's value), and the body weight the toe-off rule scales by.
struct StanceSettings {
  double relative_tolerance, absolute_tolerance, event_tolerance;
  double initial_step, min_step, max_stance_time, output_interval;
  double body_weight;  ///< N
};
/// Resolves and validates the overrides (tolerances ≤ 0.01, event tolerance ≤ 1 ms); throws
/// InputError naming `options.<field>`.
StanceSettings stance_settings(const Model& model, double relative_tolerance, double absolute_tolerance,
                               double event_tolerance);

/// Per-muscle capacity factors (model order, each in (0, 1]; empty = the model's own). `path` names
/// the field in the error (e.g. "options.capacity_factors").
void validate_capacity_factors(const Model& model, std::span<const double> factors, const std::string& path);
/// A controller must hold one setting per model muscle.
void validate_controller(const Model& model, const ControllerParams& controller, const std::string& path);

/// The toe-off rule, one per stance: toe-off is the first time after mid-stance that the total
/// normal force returns to zero. Mid-stance: the stance has borne load (normal force above 20 % of
/// body weight) and the centre of mass has started to rise, so a heel that bounces off the ground
/// before the forefoot lands is not a toe-off. The engines locate the instant inside the step by
/// bisection on their dense output with in_contact() as the predicate.
/// What the toe-off rule reads at a state: the total normal force (N) and the centre of mass's
/// vertical velocity (m/s) — stance_rhs's contact forces and kinematics without the muscles and the
/// mass matrix (a whole derivative evaluation after every step was 11 % of a stance's evaluations).
/// Used by simulate_stance and the FMU's StanceStepper.
struct ToeOffSignals {
  double normal_force, com_vertical_velocity;
};
ToeOffSignals toe_off_signals(const StanceConstants<double>& c, const double* x);

/// The signals a stance's summary reads (StanceAccumulator::record; the toe-off rule reads the first
/// two): the contact normal forces and their total grf_y, the centre of mass, the activations, the
/// quadriceps force, knee flexion, and PFJ force and stress — by stance_rhs's expressions, without
/// the muscles' fiber dynamics and the mass matrix (kinematics, the contact's normal law, and the
/// knee extensors' tendon forces). Only when summary_signals_apply(c): a compliant tendon's force is
/// its state, f_T·F_max, while a rigid one's needs the fiber's force–velocity state. The other fields
/// of s are left as they were.
template <class T>
bool summary_signals_apply(const StanceConstants<T>& c) {
  for (int i = 0; i < c.n_muscles; ++i)
    if (c.knee_extensor[i] && c.muscles[i].rigid_tendon) return false;
  return true;
}
/// The contact part of summary_signals — normal forces and their total grf_y — and the kinematics
/// it computes them from (the toe-off rule needs no more).
template <class T>
Kinematics<T> contact_signals(const StanceConstants<T>& c, const T* x, StanceSignals<T>& s) {
  Vec6<T> q, qd;
  for (int i = 0; i < kDof; ++i) {
    q(i) = x[kStateQ + i];
    qd(i) = x[kStateQd + i];
  }
  const Kinematics<T> k = kinematics(c.body, q, qd);
  s.grf_y = T(0.0);
  for (int p = 0; p < kNumContacts; ++p) {
    s.normal_force[p] = contact_normal_force(T(-k.contact[p](1)), T(-k.contact_velocity[p](1)), c.contact);
    s.grf_y += s.normal_force[p];
  }
  return k;
}
template <class T>
void summary_signals(const StanceConstants<T>& c, const T* x, StanceSignals<T>& s) {
  const Kinematics<T> k = contact_signals(c, x, s);
  const int n = c.n_muscles;
  T quadriceps_force(0.0);
  for (int i = 0; i < n; ++i) {
    const MtuCoefficients<T>& m = c.muscles[i].mtu;
    // The muscle kernel's a = clamp(state, a_min, 1) and, for a compliant tendon, its force f_T·F_max
    // floored at zero as applied to the skeleton (evaluate_compliant_mtu, stance_rhs).
    s.activation[i] = legsim::clamp(x[activation_index(i)], m.min_activation, T(1.0));
    if (c.knee_extensor[i])
      quadriceps_force += legsim::max(T(x[tendon_state_index(n, i)] * m.max_isometric_force), T(0.0));
  }
  detail::knee_load_and_com_signals(c, quadriceps_force, x[kStateQ + 4], k, s);
}

/// Indices (stance_dynamics.hpp layout) of the compliant tendons' force states: the states that
/// make a stance stiff, whose Jacobian diagonal the Rosenbrock–W step of both engines uses
/// (src/sim/rosenbrock_w.hpp). Each one's derivative depends on no other listed state.
std::vector<int> stiff_tendon_states(const StanceConstants<double>& c);

class ToeOffRule {
 public:
  /// Fraction of body weight the normal force must exceed before a toe-off can count.
  static constexpr double kLoadFraction = 0.2;
  static bool in_contact(double normal_force) { return normal_force > 0.0; }

  /// Called once per accepted step with the normal force (N) and the centre of mass's vertical
  /// velocity (m/s) at the step's end; true when toe-off lies inside this step.
  bool toe_off_in_step(double normal_force, double com_vertical_velocity, double body_weight) {
    const bool toe_off = loaded_ && !in_contact(normal_force);
    if (normal_force > kLoadFraction * body_weight) bore_load_ = true;
    if (bore_load_ && com_vertical_velocity > 0.0) loaded_ = true;
    return toe_off;
  }
  /// Fraction of its touchdown height below which the hip counts as collapsed: the stance then
  /// ends as "no toe-off" at once instead of at max_stance_time. In a running stance the hip sinks
  /// by centimetres: spring–mass analyses put the leg's compression at a fraction of leg length
  /// (McMahon TA, Cheng GC (1990) J Biomech 23(Suppl 1):65–78; Farley CT, González O (1996)
  /// J Biomech 29(2):181–186), and the 427 of the benchmark's 512 varied stances that reach toe-off
  /// keep the hip above 0.93 of its touchdown height. The 85 that fail sink to the ground, through
  /// muscles stretched out of their force–length curves' domain, and cost 7.7× a healthy stance in
  /// evaluations (up to 75×, at the step limit) when run on to the time limit (docs/decisions.md,
  /// "collapsed stances end at once", issue 22.5).
  static constexpr double kCollapseHipFraction = 0.5;
  /// True when the hip (m above the ground) has sunk below kCollapseHipFraction of its touchdown
  /// height; checked by both engines after every accepted step that holds no toe-off.
  static bool collapsed(double hip_height, double touchdown_hip_height) {
    return hip_height < kCollapseHipFraction * touchdown_hip_height;
  }
  static std::string collapse_reason(double hip_height, double touchdown_hip_height, double t);
  /// Status when max_stance_time passed without a toe-off: no toe-off if the stance bore load,
  /// else no contact; `why` says which.
  StanceStatus timeout_status() const;
  std::string timeout_reason(double max_stance_time) const;

 private:
  bool bore_load_ = false;
  bool loaded_ = false;
};

/// A stance whose integrator crawls is stopped with the reason when a muscle fibre has left the
/// force–length curves' domain (curves::kMinNormFiberLength = 0.2 l_opt to 1.8 l_opt). Why: there a
/// compliant tendon is slack and its force state chatters around zero, and the step size collapses
/// for good: a relaxed runner took 20,000 Dormand–Prince steps of ≈ 0.2 µs by t = 0.12 s (183,000
/// evaluations; 2026-12-06, docs/decisions.md). A slack muscle in itself is no failure (its force is
/// zero, as it should be; a dangling leg in flight has one), so the check runs only where the
/// integrator crawls: on every kCrawlCheckInterval-th accepted step that is shorter than
/// kCrawlStepFraction of the initial step. At the model's tolerances the 427 of the benchmark's 512
/// varied stances that reach toe-off never step below the initial step, and keep every fibre in
/// [0.30, 1.26] l_opt. The scalar path and the FMU's StanceStepper pay one derivative with signals
/// per check (not counted in rhs_evaluations, which count the integrator's); the batch engine reads
/// the signals of its last stage.
inline constexpr long kCrawlCheckInterval = 64;
inline constexpr double kCrawlStepFraction = 0.1;
inline bool crawl_check_due(long accepted_steps, double step, double initial_step) {
  return accepted_steps % kCrawlCheckInterval == 0 && step < kCrawlStepFraction * initial_step;
}
/// Empty if every muscle's normalized fibre length (model order, beside its name) lies in the
/// force–length curves' domain; else the reason the integrator crawls, naming the muscle, its
/// length, the step (s) and the time t (s).
std::string crawl_problem(std::span<const std::string> muscle_names, std::span<const double> norm_fiber_length,
                          double step, double t);

/// Whole-body centre of mass (m, m/s).
struct CentreOfMassState {
  double x = 0.0, y = 0.0, vx = 0.0, vy = 0.0;
};

/// What both engines report of a finished stance. Peaks and integrals are over the output samples
/// (every output_interval from touchdown, plus the toe-off instant), integrals by the trapezoidal rule.
struct StanceSummary {
  double contact_time = 0.0;            ///< s
  CentreOfMassState com_touchdown, com_toeoff;
  double trunk_lean_change = 0.0;       ///< trunk lean at toe-off − at touchdown (rad)
  double effort = 0.0;                  ///< Σᵢ wᵢ ∫ aᵢ³ dt (s) (wᵢ: the model controller's effort_weight)
  double peak_pfj_force = 0.0;          ///< N
  double peak_pfj_stress = 0.0;         ///< Pa
  double pfj_impulse = 0.0;             ///< ∫ F_PFJ dt (N·s)
  double pfj_stress_impulse = 0.0;      ///< ∫ σ_PFJ dt (Pa·s)
  double peak_quadriceps_force = 0.0;   ///< N
  double peak_vertical_grf = 0.0;       ///< N
  double peak_knee_flexion = 0.0;       ///< rad
  double knee_flexion_at_contact = 0.0; ///< rad
};

/// Why a stance that reached toe-off is still not a result: a contact shorter than
/// kMinContactTime, or a summary value that is not finite. Empty when it is a result.
std::string stance_summary_problem(const StanceSummary& s);

/// Running peaks and trapezoidal integrals over a stance's output samples, for one stance (T =
/// double) or one per SIMD lane (T = a batch; `mask` picks the lanes a sample belongs to).
template <class T>
struct StanceAccumulator {
  using Mask = comparison_t<T>;
  static constexpr double kLowest = -std::numeric_limits<double>::infinity();

  // (T(v), not T{v}: a SIMD batch's braced initializer takes one value per lane.)
  T effort = T(0.0), pfj_impulse = T(0.0), pfj_stress_impulse = T(0.0);
  T peak_pfj_force = T(kLowest), peak_pfj_stress = T(kLowest), peak_quadriceps_force = T(kLowest);
  T peak_vertical_grf = T(kLowest), peak_knee_flexion = T(kLowest), knee_flexion_at_contact = T(0.0);
  std::array<T, 4> com_first = {T(0.0), T(0.0), T(0.0), T(0.0)}, com_last = {T(0.0), T(0.0), T(0.0), T(0.0)};
  T prev_t = T(0.0), prev_a3 = T(0.0), prev_pfj = T(0.0), prev_stress = T(0.0), has_prev = T(0.0);

  /// Calls f(field) for every field, in declaration order (the batch engine resets one lane with it).
  template <class F>
  void for_each_field(F&& f) {
    for (T* v : {&effort, &pfj_impulse, &pfj_stress_impulse, &peak_pfj_force, &peak_pfj_stress,
                 &peak_quadriceps_force, &peak_vertical_grf, &peak_knee_flexion, &knee_flexion_at_contact,
                 &prev_t, &prev_a3, &prev_pfj, &prev_stress, &has_prev})
      f(*v);
    for (T& v : com_first) f(v);
    for (T& v : com_last) f(v);
  }

  /// One output sample at time ts with the right-hand side's signals s and knee flexion (rad).
  void record(const Mask& m, const T& ts, const StanceSignals<T>& s, const T& knee, int n_muscles,
              const std::array<double, kMaxMuscles>& effort_weight) {
    const Mask first = has_prev == T(0.0);
    const Mask integrate = m && !first;
    const T half_dt = T(0.5) * (ts - prev_t);
    integrate_effort(integrate, m, ts, s.activation, n_muscles, effort_weight);
    pfj_impulse = legsim::select(integrate, T(pfj_impulse + half_dt * (s.pfj_force + prev_pfj)), pfj_impulse);
    pfj_stress_impulse =
        legsim::select(integrate, T(pfj_stress_impulse + half_dt * (s.pfj_stress + prev_stress)), pfj_stress_impulse);
    peak_pfj_force = legsim::select(m, legsim::max(peak_pfj_force, s.pfj_force), peak_pfj_force);
    peak_pfj_stress = legsim::select(m, legsim::max(peak_pfj_stress, s.pfj_stress), peak_pfj_stress);
    peak_quadriceps_force = legsim::select(m, legsim::max(peak_quadriceps_force, s.quadriceps_force), peak_quadriceps_force);
    peak_vertical_grf = legsim::select(m, legsim::max(peak_vertical_grf, s.grf_y), peak_vertical_grf);
    peak_knee_flexion = legsim::select(m, legsim::max(peak_knee_flexion, knee), peak_knee_flexion);
    const Mask at_contact = m && first;
    knee_flexion_at_contact = legsim::select(at_contact, knee, knee_flexion_at_contact);
    const std::array<T, 4> com = {s.body_com_x, s.body_com_y, s.body_com_vx, s.body_com_vy};
    for (int k = 0; k < 4; ++k) {
      com_first[k] = legsim::select(at_contact, com[k], com_first[k]);
      com_last[k] = legsim::select(m, com[k], com_last[k]);
    }
    prev_pfj = legsim::select(m, s.pfj_force, prev_pfj);
    prev_stress = legsim::select(m, s.pfj_stress, prev_stress);
    has_prev = legsim::select(m, T(1.0), has_prev);
  }

  /// Σ wᵢ aᵢ³ at ts; trapezoidal step of the effort integral for the lanes in `integrate`, new
  /// previous sample for the lanes in m. Not inlined: record() and the batch engine's effort-only
  /// samples (activations from the states, no right-hand side) must round alike (FMA contraction),
  /// so that effort is bit-identical in both modes.
  [[gnu::noinline]] void integrate_effort(const Mask& integrate, const Mask& m, const T& ts,
                                          const std::array<T, kMaxMuscles>& a, int n_muscles,
                                          const std::array<double, kMaxMuscles>& effort_weight) {
    T a3(0.0);
    for (int i = 0; i < n_muscles; ++i) a3 += T(effort_weight[i]) * a[i] * a[i] * a[i];
    const T half_dt = T(0.5) * (ts - prev_t);
    effort = legsim::select(integrate, T(effort + half_dt * (a3 + prev_a3)), effort);
    prev_t = legsim::select(m, ts, prev_t);
    prev_a3 = legsim::select(m, a3, prev_a3);
  }
};

/// The summary of one finished stance from its accumulator: toe-off at contact_time, trunk lean
/// change from the touchdown and toe-off states.
StanceSummary summarize(const StanceAccumulator<double>& acc, double contact_time, double trunk_lean_change);

/// The model controller's effort weights wᵢ, model order.
std::array<double, kMaxMuscles> effort_weights(const Model& model);

}  // namespace legsim
