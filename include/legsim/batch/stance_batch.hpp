#pragma once
// The batch engine (DESIGN 4, issue 5): many independent stances, one SIMD lane per stance.
//
// Every lane integrates the same templated right-hand side as the scalar path (stance_rhs in
// sim/stance_dynamics.hpp, instantiated for xsimd::batch<double>) with the scalar path's default
// method: an embedded Dormand–Prince 5(4) pair while the lane's stance is not stiff, the Rosenbrock–W
// step ROS34PW2 while it is (per lane; BatchOptions::integrator). Each lane keeps its own time, step
// size and method; all lanes advance together in lockstep iterations, in which one right-hand-side
// call serves an explicit lane's stage and an implicit lane's stage at once, and a lane's
// accept/reject decision, toe-off event and failure are masked per lane.
// A lane that reaches toe-off or fails is refilled with the next job at once. What a stance is
// judged by is shared with the scalar path (sim/stance_pipeline.hpp): settings and validation, the
// toe-off rule, the per-stance accumulator and summary, the not-a-result rule; the step-size
// control is Odeint's default step adjuster and failed-step checker, the error norm that of Odeint's
// default error checker; the output grid is model.integrator().output_interval. Lanes agree with
// simulate_stance() to what the integrators achieve (≈ 5e-5 relative, tests/cpp/test_batch_engine.cpp).
// Source files: src/batch/stance_batch.cpp (entry, threads), worker.cpp (lockstep iteration, the
// per-lane switching, the queued output samples), dopri5.hpp (tableau, dense output), lanes.hpp (lane
// helpers); the Rosenbrock–W step's tableau and formulas are the scalar path's (src/sim/ros34pw2.hpp).
//
// Threads: options.threads workers (std::jthread), one workspace each, pull jobs from a shared
// counter. Lanes never interact, so a job's outcome depends only on the job — not on the thread
// count, the lane it ran in, or which jobs ran beside it (tests/cpp/test_batch_engine.cpp).
// Numerical failure is a per-lane status (StanceStatus), never an exception from the hot loop.
//
// SIMD targets (issue 22.2): the worker is compiled once per instruction set — the library's own
// flags, plus in x86-64 GCC builds SSE2, AVX2+FMA and AVX-512 objects (cmake/LegsimSimdTargets.cmake,
// src/batch/dispatch.hpp, docs/decisions.md) — and simulate_stances() runs the widest one this CPU
// supports, or the one BatchOptions::simd or the environment variable LEGSIM_SIMD names.
#include <span>
#include <string>
#include <vector>

#include "legsim/core/ops.hpp"


#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_dynamics.hpp"

namespace legsim {

/// One stance to simulate: all jobs of a call share the Model.
struct StanceJob {
  TouchdownState touchdown;
  ControllerParams controller;           ///< excitations come from this controller (in the RHS)
  std::vector<double> capacity_factors;  ///< per muscle, model order, (0, 1]; empty = the model's own
};

struct BatchOptions {
  int threads = 1;                  ///< worker threads, ≥ 1 (0 = std::thread::hardware_concurrency())
  double relative_tolerance = 0.0;  ///< override of the model's integrator tolerance (0 = the model's)
  double absolute_tolerance = 0.0;  ///< override (0 = the model's)
  double event_tolerance = 0.0;     ///< toe-off location tolerance override (s; 0 = the model's)
  /// The lanes' method, as StanceOptions::integrator: Dormand–Prince switching per lane to the
  /// Rosenbrock–W step while the lane is stiff (default), or Dormand–Prince throughout.
  StanceIntegrator integrator = StanceIntegrator::kStiffSwitching;
  bool keep_states = true;          ///< fill touchdown_state / toeoff_state of every outcome
  /// true: between touchdown and toe-off the output grid feeds only the effort integral (from the
  /// activation states, no right-hand-side call per sample); peaks, PFJ impulses and peak knee
  /// flexion are then not computed (left at 0). Contact time, centre-of-mass states and effort are
  /// bit-identical to the full mode. For gait matching, which needs only those.
  bool effort_only = false;
  /// > 0: fixed-step lockstep with this step (s) instead of per-lane adaptive steps — for the
  /// comparison of bench/README.md only (no error control: accuracy is the caller's problem).
  double fixed_step = 0.0;
  /// SIMD target to run on, by name (see simd_targets(); "" = simd_target(): the widest this CPU
  /// supports, or LEGSIM_SIMD). Results of different targets agree to the batch engine's accuracy,
  /// not bit for bit (FMA, transcendental functions and lane counts differ).
  std::string simd;
};

/// One compiled variant of the batch engine.
struct SimdTarget {
  std::string name;             ///< what BatchOptions::simd and LEGSIM_SIMD take: "native", "sse2", "avx2", "avx512", …
  std::string instruction_set;  ///< xsimd's name of the architecture (e.g. "fma3+avx2", "avx512bw")
  std::size_t lanes = 0;        ///< doubles per batch
  bool supported = false;       ///< this CPU (and OS) can run it
};

/// Every target compiled into this build, the library's own (compiled with its flags) first.
std::vector<SimdTarget> simd_targets();

/// The target simulate_stances() uses when BatchOptions::simd is empty: the one the environment
/// variable LEGSIM_SIMD names (read once per process; InputError if it names no supported target),
/// else the supported target with the most lanes (the library's own on a tie).
const SimdTarget& simd_target();

/// The outcome of one job: the per-stance summary of the scalar path (sim/stance_pipeline.hpp: peaks
/// and integrals on the same output grid — every output_interval from touchdown, plus the toe-off
/// instant — from the dense output) and the integration's bookkeeping. When status != kOk, message
/// says why and the numbers are not meaningful (left at 0).
struct BatchStanceOutcome : StanceSummary {
  StanceStatus status = StanceStatus::kOk;
  std::string message;
  bool ok() const { return status == StanceStatus::kOk; }
  std::vector<double> touchdown_state, toeoff_state;  ///< full state vectors (stance_dynamics.hpp layout)
  long steps = 0;            ///< accepted steps
  long implicit_steps = 0;   ///< accepted steps taken with the Rosenbrock–W step (BatchOptions::integrator)
  long rejected_steps = 0;
  long rhs_evaluations = 0;  ///< lane evaluations of the right-hand side spent on this job
  double min_step_size = 0.0;  ///< smallest accepted step (s)
};

/// Simulates every job; outcome i belongs to jobs[i]. Bad input (touchdown, controller size,
/// capacity factors, options) throws InputError naming the job; numerical failure is reported in
/// the outcome's status.
std::vector<BatchStanceOutcome> simulate_stances(const Model& model, std::span<const StanceJob> jobs,
                                                 const BatchOptions& options = {});

/// SIMD lanes per batch of simd_target().
std::size_t batch_lanes();

/// Packs per-lane constants into batch constants: lane l takes lanes[l]. All lanes must come from
/// the same model (muscle count, tendon models, joint crossings and knee-extensor tags are taken
/// from lanes[0]); everything per-lane that the controller or fatigue can change is gathered.
template <class B>
  requires is_batch_v<B>
StanceConstants<B> pack_stance_constants(const StanceConstants<double>* const* lanes) {
  constexpr std::size_t kL = B::size;
  const auto gather = [&](auto field) {
    alignas(64) double buf[kL];
    for (std::size_t l = 0; l < kL; ++l) buf[l] = field(*lanes[l]);
    return B::load_aligned(buf);
  };
  using C = StanceConstants<double>;
  const C& c0 = *lanes[0];
  StanceConstants<B> c;
  for (int s = 0; s < kNumSegments; ++s) {
    c.body.mass[s] = gather([s](const C& x) { return x.body.mass[s]; });
    c.body.inertia[s] = gather([s](const C& x) { return x.body.inertia[s]; });
  }
  c.body.trunk_com = gather([](const C& x) { return x.body.trunk_com; });
  c.body.thigh_length = gather([](const C& x) { return x.body.thigh_length; });
  c.body.thigh_com = gather([](const C& x) { return x.body.thigh_com; });
  c.body.shank_length = gather([](const C& x) { return x.body.shank_length; });
  c.body.shank_com = gather([](const C& x) { return x.body.shank_com; });
  for (int d = 0; d < 2; ++d) {
    c.body.foot_com(d) = gather([d](const C& x) { return x.body.foot_com(d); });
    for (int p = 0; p < kNumContacts; ++p)
      c.body.contact_point[p](d) = gather([d, p](const C& x) { return x.body.contact_point[p](d); });
  }
  c.body.total_mass = gather([](const C& x) { return x.body.total_mass; });
  c.contact = c0.contact;
  c.pfj = c0.pfj;
  c.n_muscles = c0.n_muscles;
  c.knee_extensor = c0.knee_extensor;
  c.use_controller = c0.use_controller;
  c.ramp_time = gather([](const C& x) { return x.ramp_time; });
  c.trunk_kp = gather([](const C& x) { return x.trunk_kp; });
  c.trunk_kd = gather([](const C& x) { return x.trunk_kd; });
  c.trunk_reference_lean = gather([](const C& x) { return x.trunk_reference_lean; });
  c.knee_limit_stiffness = c0.knee_limit_stiffness;
  c.knee_limit_damping = c0.knee_limit_damping;
  for (int i = 0; i < c0.n_muscles; ++i) {
    MtuCoefficients<double> per_lane[kL];
    for (std::size_t l = 0; l < kL; ++l) per_lane[l] = lanes[l]->muscles[i].mtu;
    MuscleConstants<B>& m = c.muscles[i];
    m.mtu = pack_mtu_coefficients<B>(per_lane);
    m.activation_time_constant = gather([i](const C& x) { return x.muscles[i].activation_time_constant; });
    m.deactivation_time_constant = gather([i](const C& x) { return x.muscles[i].deactivation_time_constant; });
    m.activation_smoothing = gather([i](const C& x) { return x.muscles[i].activation_smoothing; });
    m.reference_length = gather([i](const C& x) { return x.muscles[i].reference_length; });
    m.rigid_tendon = c0.muscles[i].rigid_tendon;
    m.level = gather([i](const C& x) { return x.muscles[i].level; });
    m.onset = gather([i](const C& x) { return x.muscles[i].onset; });
    m.offset = gather([i](const C& x) { return x.muscles[i].offset; });
    m.force_gain = gather([i](const C& x) { return x.muscles[i].force_gain; });
    m.length_gain = gather([i](const C& x) { return x.muscles[i].length_gain; });
    m.length_offset = gather([i](const C& x) { return x.muscles[i].length_offset; });
    m.trunk_gain = gather([i](const C& x) { return x.muscles[i].trunk_gain; });
    m.pretension = gather([i](const C& x) { return x.muscles[i].pretension; });
    m.n_crossings = c0.muscles[i].n_crossings;
    m.crossings = c0.muscles[i].crossings;
    m.crossing_trig = c0.muscles[i].crossing_trig;
  }
  return c;
}

}  // namespace legsim
