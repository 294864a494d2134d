#pragma once
// The stance-phase right-hand side: planar body + foot contact + muscles on joints (DESIGN 3.1–3.3).
// One template on the scalar type T serves the scalar Odeint path (T = double) and the batch engine
// (T = xsimd::batch<double>); it allocates nothing.
//
// State x (length kStateBase + 2·n_muscles):
//   x[0..5]   q   = hip x, hip y (m), trunk lean, hip flexion, knee flexion, ankle dorsiflexion (rad)
//   x[6..11]  q̇
//   x[12..13] bristle deflections of the heel and metatarsal-head contacts (m)
//   x[14 + i]              activation of muscle i
//   x[14 + n_muscles + i]  normalized tendon force of muscle i (compliant tendon; unused if rigid)
// Input u[i]: excitation of muscle i ∈ [0, 1].
#include <array>
#include <cmath>
#include <cstdint>
#include <new>
#include <tuple>
#include <type_traits>
#include <variant>

#include "legsim/body/contact.hpp"
#include "legsim/body/dynamics.hpp"
#include "legsim/control/controller.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/ops.hpp"
#include "legsim/joint_load/pfj.hpp"
#include "legsim/model.hpp"
#include "legsim/muscle/activation.hpp"
#include "legsim/muscle/geometry.hpp"
#include "legsim/muscle/mtu.hpp"

namespace legsim {

inline constexpr int kMaxMuscles = 12;
inline constexpr int kMaxCrossings = 2;
inline constexpr int kStateQ = 0;
inline constexpr int kStateQd = 6;
inline constexpr int kStateBristle = 12;
inline constexpr int kStateBase = 14;
/// Generalized coordinate of each joint (hip flexion, knee flexion, ankle dorsiflexion).
inline constexpr int kJointCoordinate[kNumJoints] = {3, 4, 5};

inline constexpr int state_size(int n_muscles) { return kStateBase + 2 * n_muscles; }
inline constexpr int activation_index(int i) { return kStateBase + i; }
inline constexpr int tendon_state_index(int n_muscles, int i) { return kStateBase + n_muscles + i; }

#ifndef LEGSIM_FLATTEN  // see stance_rhs; define it empty to turn it off
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__) && (defined(__GNUC__) || defined(__clang__))
#define LEGSIM_FLATTEN [[gnu::flatten]]
#else
#define LEGSIM_FLATTEN
#endif
#endif

/// One muscle's constants in the form the kernel uses.
template <class T>
struct MuscleConstants {
  MtuCoefficients<T> mtu;
  T activation_time_constant, deactivation_time_constant, activation_smoothing;
  T reference_length;  ///< l_opt + l_slack: muscle–tendon length at the reference angles (m)
  bool rigid_tendon = false;
  // Controller (control/controller.hpp), per muscle.
  T level, onset, offset, force_gain, length_gain, length_offset, trunk_gain;
  T pretension;  ///< touchdown tendon pretension p (used only to build the touchdown state)
  int n_crossings = 0;
  std::array<JointCrossing, kMaxCrossings> crossings{};
  std::array<CrossingTrig, kMaxCrossings> crossing_trig{};  ///< crossing_trig(crossings[k])
};

/// The scalar path's muscles packed one muscle per SIMD lane (issue 22.5): their constants as a
/// structure of arrays, so that src/sim/muscle_lanes.cpp evaluates them together in xsimd batches
/// with the same MTU and kernel functions (detail::muscle_kernel_outputs) the other paths run per
/// muscle. The compliant-tendon muscles come first, then the rigid-tendon ones; a batch holding both
/// evaluates them together (detail::mixed_tendon_mtu, rigid_tendon per lane). Plain doubles, not batches:
/// the layout must not depend on the instruction set of the translation unit (the batch engine's
/// workers are compiled for several). Filled by make_stance_constants; n = 0 (e.g. constants built
/// by hand) evaluates every muscle on its own.
struct MuscleLanes {
  static constexpr int kCapacity = 16;  ///< kMaxMuscles rounded up to the widest batch (8 lanes)
  static constexpr int kFields = 22;    ///< constants per muscle (muscle_lanes.cpp lists them)
  int n = 0;                            ///< muscles packed
  /// index in StanceConstants::muscles of each lane (64-bit: the index batch of the inputs' gather)
  alignas(64) std::array<std::int64_t, kCapacity> muscle{};
  bool has_damping = false;             ///< any packed muscle with fiber damping (MtuCoefficients)
  alignas(64) std::array<std::array<double, kCapacity>, kFields> field{};
  alignas(64) std::array<double, kCapacity> rigid_tendon{};  ///< 1 for a rigid-tendon lane, else 0
  /// The muscles' paths (crossing_kinematics in the lanes; issue 22.5): per crossing slot k <
  /// kMaxCrossings, the joint crossed (as a double: 0 hip, 1 knee, 2 ankle) and kCrossingFields
  /// constants (muscle_lanes.cpp lists them); a slot past a muscle's crossings adds nothing.
  static constexpr int kCrossingFields = 7;
  alignas(64) std::array<double, kCapacity> reference_length{};
  alignas(64) std::array<std::array<double, kCapacity>, kMaxCrossings> crossing_joint{};
  alignas(64) std::array<std::array<std::array<double, kCapacity>, kCrossingFields>, kMaxCrossings> crossing{};
};

/// Everything the right-hand side needs, derived once from a Model (and per-muscle capacity
/// factors for fatigue).
template <class T>
struct StanceConstants {
  BodyConstants<T> body;
  ContactParams contact;
  PfjParams pfj;
  int n_muscles = 0;
  std::array<MuscleConstants<T>, kMaxMuscles> muscles;
  std::array<bool, kMaxMuscles> knee_extensor{};  ///< muscles whose force loads the patella
  /// true: excitations come from the controller below; false: from the caller's u.
  bool use_controller = false;
  T ramp_time, trunk_kp, trunk_kd, trunk_reference_lean;
  /// Passive soft limit against knee hyperextension, in the spirit of the joint limits of Geyer &
  /// Herr (2010): flexing moment max(0, k·δ − d·δ·q̇_knee) with δ = max(−q_knee, 0). The values are a
  /// modelling choice (stiff enough to stop hyperextension within a few degrees); the limit is
  /// inactive while the knee is flexed, as it is throughout a running stance.
  double knee_limit_stiffness = 1000.0;  ///< N·m/rad
  double knee_limit_damping = 100.0;     ///< N·m·s/rad per rad of hyperextension
  /// The muscles packed for the scalar path (T = double only).
  std::conditional_t<std::is_same_v<T, double>, MuscleLanes, std::monostate> muscle_lanes{};
};

/// Builds the constants for T = double from a model; capacity factors (length n_muscles, or empty
/// for the model's own) scale each muscle's maximum isometric force (fatigue, DESIGN 3.4).
/// With a controller, excitations come from it (use_controller = true); without, from the caller.
StanceConstants<double> make_stance_constants(const Model& model, const double* capacity_factors = nullptr,
                                              const ControllerParams* controller = nullptr);

/// The muscles of c packed for the scalar path (c.muscle_lanes; make_stance_constants
/// calls it last, and a caller that changes c.muscles afterwards must call it again).
MuscleLanes pack_muscle_lanes(const StanceConstants<double>& c);

/// Signals computed alongside the derivative, for recording, metrics and reflex controllers.
template <class T>
struct StanceSignals {
  std::array<T, kNumContacts> normal_force, friction_force;  ///< N
  T grf_x, grf_y;                                            ///< total ground reaction (N)
  /// Power the ground contact delivers to the body, Σ F·v over the contact points (W); < 0 while
  /// the heel pad and sole take energy (stored in their springs or dissipated).
  T contact_power;
  T friction_power;  ///< the tangential (bristle friction) part of contact_power (W)
  std::array<T, kNumJoints> joint_moment;  ///< muscle + passive moment along +q_joint (N·m)
  std::array<T, kNumJoints> joint_velocity;  ///< q̇_joint (rad/s)
  std::array<T, kMaxMuscles> excitation, mtu_length, mtu_velocity, force, activation;
  std::array<T, kMaxMuscles> fiber_length, norm_fiber_length, fiber_velocity, tendon_strain;
  std::array<T, kMaxMuscles> fiber_force;  ///< total fiber force along the fiber (N)
  T quadriceps_force;                      ///< sum of knee-extensor tendon forces (N)
  T knee_flexion_deg;
  T pfj_force, pfj_stress;                 ///< N, Pa
  T pfj_force_moment_method;               ///< N
  T body_com_x, body_com_y, body_com_vx, body_com_vy;
};

/// The controller's trunk feedback k_p·(lean − lean_ref) + k_d·lean rate (control/controller.hpp),
/// shared by every muscle's excitation.
template <class T>
T trunk_feedback(const StanceConstants<T>& c, const T& trunk_lean, const T& trunk_rate) {
  return c.trunk_kp * (trunk_lean - c.trunk_reference_lean) + c.trunk_kd * trunk_rate;
}

/// Controller excitation of a muscle (control/controller.hpp) at time t, with the trunk feedback.
/// T may hold one muscle per lane (muscle_lanes.cpp), so the ramp time comes as a value.
template <class T>
T controller_excitation(const MuscleConstants<T>& m, const T& ramp_time, const T& t, const T& trunk,
                        const T& norm_tendon_force, const T& norm_fiber_length) {
  const T stretch = legsim::max(T(norm_fiber_length - m.length_offset), T(0.0));
  const T u = feedforward_excitation(m.level, m.onset, m.offset, ramp_time, t) + m.force_gain * norm_tendon_force + m.length_gain * stretch + m.trunk_gain * trunk;
  return legsim::clamp(u, T(0.0), T(1.0));
}

/// What one muscle contributes to the derivative and the signals.
template <class T>
struct MuscleKernelOutputs {
  T excitation;       ///< e ∈ [0, 1]
  T activation_rate;  ///< da/dt (1/s)
  T tendon_rate;      ///< df_T/dt (1/s); 0 for a rigid tendon
  T activation, tendon_force, fiber_length, norm_fiber_length, fiber_velocity, tendon_strain, fiber_force;  ///< MtuOutputs
};

namespace detail {

/// The MTU of lanes that mix compliant and rigid tendons (`rigid`: the rigid-tendon lanes), each
/// lane equal to evaluate_compliant_mtu's or evaluate_rigid_mtu's result (tests/cpp/test_stance.cpp)
/// for the cost of one compliant evaluation and one force–velocity curve instead of both models (the
/// scalar path's hip flexor rides in its compliant muscles' batch; issue 22.5). A rigid lane is
/// evaluated as a compliant tendon at tendon state f_T = 0: fT⁻¹(0) = 1 (tendon at slack length,
/// exactly: ln((0 + c3)/c1) = ln 1 = 0), so its fiber geometry, activation, fL and fPE are the rigid
/// tendon's; its fiber velocity and forces then follow evaluate_rigid_mtu
/// (detail::prescribed_fiber_outputs): v_M = v_MT·cos α, tendon force = fiber force·cos α.
template <class T>
MtuOutputs<T> mixed_tendon_mtu(const MtuCoefficients<T>& c, const comparison_t<T>& rigid, const T& mtu_length,
                               const T& mtu_velocity, const T& activation, const T& norm_tendon_force) {
  MtuOutputs<T> o =
      evaluate_compliant_mtu(c, mtu_length, mtu_velocity, activation, legsim::select(rigid, T(0.0), norm_tendon_force));
  const detail::FiberGeometry<T> g{
      o.fiber_length, o.norm_fiber_length, o.cos_pennation,
      curves::detail::clamp(o.norm_fiber_length, T(curves::kMinNormFiberLength), T(curves::kMaxNormFiberLength))};
  MtuOutputs<T> r;
  const T norm_velocity = mtu_velocity * g.cos_pennation / c.max_fiber_velocity;  // v_M = ẋ·cos α, ẋ = v_MT
  detail::fill_fiber_outputs(c, g, o.activation, o.active_force_length, o.passive_force_length, norm_velocity, r);
  const T tendon_force = r.total_fiber_force * g.cos_pennation;
  // The fields that differ, one by one and in place. Measured: a second whole MtuOutputs (1.2 kB
  // with AVX-512) selected field by field through member pointers made the shared batch cost as
  // much as the scalar hip flexor it replaced (408 vs 391 ns per right-hand side; in place: 351 vs
  // 390; docs/decisions.md).
  const auto pick = [&rigid](T& out, const T& rigid_value) { out = legsim::select(rigid, rigid_value, out); };
  pick(o.fiber_velocity, r.fiber_velocity);
  pick(o.norm_fiber_velocity, r.norm_fiber_velocity);
  pick(o.force_velocity, r.force_velocity);
  pick(o.active_fiber_force, r.active_fiber_force);
  pick(o.passive_fiber_force, r.passive_fiber_force);
  pick(o.damping_fiber_force, r.damping_fiber_force);
  pick(o.total_fiber_force, r.total_fiber_force);
  pick(o.tendon_length, c.tendon_slack_length);
  pick(o.tendon_strain, T(c.tendon_slack_length / c.tendon_slack_length - T(1.0)));
  pick(o.tendon_velocity, T(0.0));
  pick(o.tendon_force, tendon_force);
  pick(o.norm_tendon_force, T(tendon_force / c.max_isometric_force));
  pick(o.norm_tendon_force_derivative, T(0.0));
  return o;
}

/// What one muscle contributes, from its MTU outputs o (evaluate_compliant_mtu or
/// evaluate_rigid_mtu at activation a): its excitation (the controller's, or `excitation` when
/// !use_controller) and the activation and tendon derivatives. Rigid tendons (m.rigid_tendon, or
/// lanes whose o is a rigid tendon's: its df_T/dt is 0) have no tendon derivative.
template <class T>
MuscleKernelOutputs<T> muscle_kernel_outputs(const MuscleConstants<T>& m, bool use_controller, const T& ramp_time,
                                             const T& t, const T& trunk, const MtuOutputs<T>& o, const T& a,
                                             const T& excitation) {
  const T e = use_controller ? controller_excitation(m, ramp_time, t, trunk, o.norm_tendon_force, o.norm_fiber_length)
                             : excitation;
  const T rate = activation_derivative<T>(e, a, m.activation_time_constant, m.deactivation_time_constant,
                                          m.activation_smoothing);
  return {e,
          rate,
          m.rigid_tendon ? T(0.0) : o.norm_tendon_force_derivative,
          o.activation,
          o.tendon_force,
          o.fiber_length,
          o.norm_fiber_length,
          o.fiber_velocity,
          o.tendon_strain,
          o.total_fiber_force};
}

/// One muscle's kernel: the MTU at muscle–tendon length and velocity (m, m/s), activation a and
/// tendon state f_T, then muscle_kernel_outputs. T is one muscle (double, autodiff), one muscle per
/// stance lane (the batch engine) or one muscle per lane (the scalar path, muscle_lanes.cpp).
template <class T>
MuscleKernelOutputs<T> muscle_kernel(const MuscleConstants<T>& m, bool use_controller, const T& ramp_time,
                                     const T& t, const T& trunk, const T& length, const T& velocity, const T& a,
                                     const T& tendon_state, const T& excitation) {
  const MtuOutputs<T> o = m.rigid_tendon ? evaluate_rigid_mtu(m.mtu, length, velocity, a)
                                         : evaluate_compliant_mtu(m.mtu, length, velocity, a, tendon_state);
  return muscle_kernel_outputs(m, use_controller, ramp_time, t, trunk, o, a, excitation);
}

}  // namespace detail

/// The joints as the muscles' paths read them: inner angle φ, its rate and its sine and cosine
/// (crossing_kinematics), per joint.
template <class T>
struct JointAngles {
  std::array<T, kNumJoints> phi, phi_dot, sin_phi, cos_phi;
};

/// Muscle i's path: muscle–tendon length (m) and velocity (m/s), and the moment arm of each crossing.
template <class T>
struct MusclePaths {
  std::array<T, kMaxMuscles> length, velocity;
  std::array<std::array<T, kMaxCrossings>, kMaxMuscles> arm;
};

/// The paths and kernels of the scalar path's muscles (c.muscle_lanes.n > 0), in SIMD batches;
/// out[i] and path.arm[i] for muscle i, from the joints' angles; x the state; u the caller's
/// excitations (read only without the controller). Without `signals` only what the derivative reads
/// is written (activation_rate, tendon_rate, tendon_force, the arms; not path.length, .velocity).
/// Defined once in the library (src/sim/muscle_lanes.cpp), compiled for its instruction set.
void muscle_lane_kernels(const StanceConstants<double>& c, double t, double trunk, const JointAngles<double>& joints,
                         const double* x, const double* u, bool signals,
                         std::array<MuscleKernelOutputs<double>, kMaxMuscles>& out, MusclePaths<double>& path);

namespace detail {

/// The kernels of muscles 0..n−1 for the batch engine (one muscle, eight stances per batch):
/// detail::muscle_kernel's results, with the compliant-tendon MTU run one stage at a time
/// (evaluate_compliant_mtu's three stages, mtu.hpp), each over every muscle before the next. The same operations in the same order
/// per muscle; only the muscles are interleaved. Why: a muscle's MTU is one long dependent chain
/// (log → sqrt → exp → division → exp), longer than the core's reorder window, so muscle after muscle
/// the core waited on each chain; stage by stage, the independent muscles of a stage overlap: the
/// muscles' part of a batch right-hand side fell from ≈ 720 to ≈ 550 ns (issue 22.5,
/// docs/decisions.md). Equal to the per-muscle loop to round-off only (GCC fuses products
/// differently in the two code shapes), so the other paths keep that loop.
template <class T>
void muscle_kernels_by_stage(const StanceConstants<T>& c, const T& t, const T& trunk, const MusclePaths<T>& path,
                             const T* x, const T* u, std::array<MuscleKernelOutputs<T>, kMaxMuscles>& mk) {
  const int n = c.n_muscles;
  const auto tendon_state = [&](int i) -> const T& { return x[tendon_state_index(n, i)]; };
  static_assert(std::is_trivially_destructible_v<CompliantFiberState<T>> &&
                std::is_trivially_destructible_v<CompliantForceBalance<T>> &&
                std::is_trivially_destructible_v<MuscleKernelOutputs<T>>);
  std::array<CompliantFiberState<T>, kMaxMuscles> state;
  std::array<CompliantForceBalance<T>, kMaxMuscles> balance;
  // Each stage's result is constructed in its array element (placement new from the prvalue: C++17
  // guarantees no temporary). An assignment built it on the stack and copied it: in the native
  // build for a Zen 3 (-march=native) GCC made that a memcpy call per muscle and stage, ≈ 4 % of a
  // batch derivative (the dispatch targets copied inline). The types hold SIMD batches only, so
  // they are trivially destructible and may be reconstructed in place.
  for (int i = 0; i < n; ++i)
    if (!c.muscles[i].rigid_tendon)
      ::new (static_cast<void*>(&state[i])) CompliantFiberState<T>(
          compliant_fiber_state(c.muscles[i].mtu, path.length[i], x[activation_index(i)], tendon_state(i)));
  for (int i = 0; i < n; ++i)
    if (!c.muscles[i].rigid_tendon)
      ::new (static_cast<void*>(&balance[i]))
          CompliantForceBalance<T>(compliant_force_balance(c.muscles[i].mtu, state[i], tendon_state(i)));
  for (int i = 0; i < n; ++i) {
    const MuscleConstants<T>& m = c.muscles[i];
    const T& a = x[activation_index(i)];
    const T excitation = c.use_controller ? T(0.0) : u[i];
    const MtuOutputs<T> o = m.rigid_tendon
                                ? evaluate_rigid_mtu(m.mtu, path.length[i], path.velocity[i], a)
                                : compliant_mtu_outputs(m.mtu, state[i], balance[i], path.velocity[i], tendon_state(i));
    ::new (static_cast<void*>(&mk[i]))
        MuscleKernelOutputs<T>(muscle_kernel_outputs(m, c.use_controller, c.ramp_time, t, trunk, o, a, excitation));
  }
}

/// The signals of the knee's load and of the centre of mass: knee flexion (deg), quadriceps force,
/// PFJ force and stress from the quadriceps force (N) and knee flexion (rad), the centre of mass
/// from the kinematics. One place for stance_equations and summary_signals (stance_pipeline.hpp).
template <class T>
void knee_load_and_com_signals(const StanceConstants<T>& c, const T& quadriceps_force, const T& knee,
                               const Kinematics<T>& k, StanceSignals<T>& s) {
  s.quadriceps_force = quadriceps_force;
  s.knee_flexion_deg = knee * T(kRadToDeg);
  s.pfj_force = pfj_force(quadriceps_force, s.knee_flexion_deg);
  s.pfj_stress = pfj_stress(s.pfj_force, s.knee_flexion_deg, c.pfj);
  s.body_com_x = k.body_com(0);
  s.body_com_y = k.body_com(1);
  s.body_com_vx = k.body_com_velocity(0);
  s.body_com_vy = k.body_com_velocity(1);
}

/// The one set of stance equations behind stance_rhs and stance_signals. kAccelerations = false
/// leaves dxdt[q̇ part] (the accelerations q̈, which need the mass matrix and its solve, ≈ 27 % of an
/// evaluation) unwritten: the recorded output samples need the signals only. Everything else is
/// computed by the same expressions in both instantiations.
template <class T, bool kAccelerations>
inline void stance_equations(const StanceConstants<T>& c, const T& t, const T* x, const T* u, T* dxdt,
                             StanceSignals<T>* sig) {
  Vec6<T> q, qd;
  for (int i = 0; i < kDof; ++i) {
    q(i) = x[kStateQ + i];
    qd(i) = x[kStateQd + i];
  }
  // One geometry (the segments' sines and cosines) for the kinematics, the contact Jacobians and the
  // mass matrix.
  const detail::ChainGeometry<T> geometry = detail::chain_geometry<T>(q, qd);
  Vec6<T> Q = Vec6<T>::Constant(T(0.0));

  // Muscles: length and velocity from the joint angles, tendon force to joint moments.
  JointAngles<T> joints;
  auto& [phi, phi_dot, sin_phi, cos_phi] = joints;
  std::array<T, kNumJoints> joint_moment;
  for (int j = 0; j < kNumJoints; ++j) {
    phi[j] = inner_angle(static_cast<Joint>(j), q(kJointCoordinate[j]));
    phi_dot[j] = -qd(kJointCoordinate[j]);
    joint_moment[j] = T(0.0);
  }
  // sin φ and cos φ of the knee and ankle, shared by every muscle crossing them, from the segment
  // directions the geometry already holds (angle-difference identities instead of two sincos;
  // issue 22.5). thigh_dir = (sin ψ_th, −cos ψ_th), shank_dir = (sin ψ_sh, −cos ψ_sh), foot_x =
  // (cos ψ_f, sin ψ_f); q4 = ψ_th − ψ_sh with φ_knee = π − q4, q5 = ψ_f − ψ_sh with φ_ankle = π/2 − q5:
  //   sin φ_knee = sin(ψ_th − ψ_sh),  cos φ_knee = −cos(ψ_th − ψ_sh),
  //   sin φ_ankle = cos(ψ_f − ψ_sh),  cos φ_ankle = sin(ψ_f − ψ_sh).
  // Hip crossings are linear in φ and use neither.
  const Vec2<T>& thigh_dir = geometry.thigh_dir;
  const Vec2<T>& shank_dir = geometry.shank_dir;
  const Vec2<T>& foot_x = geometry.foot_x;
  constexpr int kHipJ = static_cast<int>(Joint::kHip), kKneeJ = static_cast<int>(Joint::kKnee),
                kAnkleJ = static_cast<int>(Joint::kAnkle);
  sin_phi[kHipJ] = T(0.0);
  cos_phi[kHipJ] = T(1.0);
  sin_phi[kKneeJ] = thigh_dir(1) * shank_dir(0) - thigh_dir(0) * shank_dir(1);
  cos_phi[kKneeJ] = -(thigh_dir(1) * shank_dir(1) + thigh_dir(0) * shank_dir(0));
  sin_phi[kAnkleJ] = foot_x(1) * shank_dir(0) - foot_x(0) * shank_dir(1);
  cos_phi[kAnkleJ] = -(foot_x(1) * shank_dir(1) + foot_x(0) * shank_dir(0));
  const int n = c.n_muscles;
  MusclePaths<T> path;
  auto& [length, velocity, arm] = path;
  // The muscles' paths and kernels: the scalar path evaluates its muscles together in SIMD batches
  // (one muscle per lane; a whole right-hand side is then ≈ 40 % cheaper, issue 22.5), paths
  // included (the lanes' chain then starts from the joint angles, not from per-muscle scalar
  // results gathered into the lanes; issue 22.5, docs/decisions.md), every other caller one muscle
  // at a time (the batch engine stage by stage, muscle_kernels_by_stage). The same kernel and the
  // same path terms (crossing_terms, geometry.hpp; per lane in lane_paths, muscle_lanes.cpp) either
  // way; test_stance holds the two paths' lengths and velocities equal bit for bit.
  bool lanes = false;
  if constexpr (std::is_same_v<T, double>) lanes = c.muscle_lanes.n > 0;
  if (!lanes)
    for (int i = 0; i < n; ++i) {
      const MuscleConstants<T>& m = c.muscles[i];
      length[i] = m.reference_length;
      velocity[i] = T(0.0);
      for (int cr = 0; cr < m.n_crossings; ++cr) {
        const int j = static_cast<int>(m.crossings[cr].joint);
        const CrossingKinematics<T> ck =
            crossing_kinematics(m.crossings[cr], phi[j], sin_phi[j], cos_phi[j], m.crossing_trig[cr]);
        length[i] += ck.length_change;
        velocity[i] += ck.dl_dphi * phi_dot[j];
        arm[i][cr] = ck.moment_arm;
      }
    }
  const T trunk = trunk_feedback(c, q(2), qd(2));
  std::array<MuscleKernelOutputs<T>, kMaxMuscles> mk;
  if constexpr (std::is_same_v<T, double>) {
    if (lanes) muscle_lane_kernels(c, t, trunk, joints, x, u, sig != nullptr, mk, path);
  }
  if constexpr (is_batch_v<T>) {
    muscle_kernels_by_stage(c, t, trunk, path, x, u, mk);
  } else if (!lanes) {
    for (int i = 0; i < n; ++i)
      mk[i] = detail::muscle_kernel(c.muscles[i], c.use_controller, c.ramp_time, t, trunk, length[i], velocity[i],
                                    x[activation_index(i)], x[tendon_state_index(n, i)],
                                    c.use_controller ? T(0.0) : u[i]);
  }
  // Foot–ground contact at heel and metatarsal head (DESIGN 3.2). The contact points' kinematics
  // only (as kinematics() computes them): the rest of Kinematics serves the signals alone. After the
  // muscles' call and before the first use of their outputs: the muscles' latency-bound chain starts
  // sooner when its call comes first, and the core computes the contact while that chain drains.
  // Measured (issue 22.5, docs/decisions.md): contact before the call ≈ 10 % slower per right-hand
  // side, ≈ 4 % per stance; the mass matrix too is best left after the muscles' outputs are used.
  T grf_x(0.0), grf_y(0.0), contact_power(0.0), friction_power(0.0);
  for (int p = 0; p < kNumContacts; ++p) {
    const detail::ChainPoint<T> point = detail::foot_point(c.body, geometry, c.body.contact_point[p]);
    const Vec2<T> position = detail::position(q, point), point_velocity = detail::velocity(qd, geometry, point);
    const T penetration = -position(1);
    const T penetration_rate = -point_velocity(1);
    const T fn = contact_normal_force(penetration, penetration_rate, c.contact);
    const BristleFriction<T> fr = bristle_friction(x[kStateBristle + p], point_velocity(0), fn, c.contact);
    const Vec2<T> force(fr.force, fn);
    Q += foot_point_generalized_force(c.body, geometry, c.body.contact_point[p], force);
    dxdt[kStateBristle + p] = fr.deflection_rate;
    grf_x += fr.force;
    grf_y += fn;
    if (sig) {
      const T tangential = fr.force * point_velocity(0);
      friction_power += tangential;
      contact_power += tangential + fn * point_velocity(1);
      sig->normal_force[p] = fn;
      sig->friction_force[p] = fr.force;
    }
  }

  T quadriceps_force(0.0);
  for (int i = 0; i < n; ++i) {
    const MuscleConstants<T>& m = c.muscles[i];
    const MuscleKernelOutputs<T>& o = mk[i];
    dxdt[tendon_state_index(n, i)] = o.tendon_rate;
    dxdt[activation_index(i)] = o.activation_rate;
    // A tendon pulls but cannot push: the De Groote tendon curve dips to −0.2 F_max below slack
    // length, so the force applied to the skeleton is floored at zero (the tendon state itself is
    // left free so its dynamics stay smooth).
    const T applied = legsim::max(o.tendon_force, T(0.0));
    for (int cr = 0; cr < m.n_crossings; ++cr) {
      const int j = static_cast<int>(m.crossings[cr].joint);
      joint_moment[j] += arm[i][cr] * applied;  // about φ; φ and q run opposite ways
    }
    if (c.knee_extensor[i]) quadriceps_force += applied;
    if (sig) {
      sig->excitation[i] = o.excitation;
      sig->mtu_length[i] = length[i];
      sig->mtu_velocity[i] = velocity[i];
      sig->force[i] = applied;
      sig->activation[i] = o.activation;
      sig->fiber_length[i] = o.fiber_length;
      sig->norm_fiber_length[i] = o.norm_fiber_length;
      sig->fiber_velocity[i] = o.fiber_velocity;
      sig->tendon_strain[i] = o.tendon_strain;
      sig->fiber_force[i] = o.fiber_force;
    }
  }
  // Internal joint moments along +q (N·m). Moments about φ act on q = (π or π/2) − φ with the
  // opposite sign. A passive soft limit resists knee hyperextension (q_knee < 0).
  std::array<T, kNumJoints> internal_moment;
  for (int j = 0; j < kNumJoints; ++j) internal_moment[j] = -joint_moment[j];
  const T knee = q(4);
  const T hyper = legsim::max(T(-knee), T(0.0));
  const T knee_limit = T(c.knee_limit_stiffness) * hyper - T(c.knee_limit_damping) * hyper * qd(4);
  internal_moment[1] += legsim::max(knee_limit, T(0.0));
  for (int j = 0; j < kNumJoints; ++j) Q(kJointCoordinate[j]) += internal_moment[j];

  for (int i = 0; i < kDof; ++i) dxdt[kStateQ + i] = qd(i);
  if constexpr (kAccelerations) {
    const Vec6<T> qdd = forward_dynamics(c.body, geometry, Q);
    for (int i = 0; i < kDof; ++i) dxdt[kStateQd + i] = qdd(i);
  }

  if (sig) {
    sig->grf_x = grf_x;
    sig->grf_y = grf_y;
    sig->contact_power = contact_power;
    sig->friction_power = friction_power;
    for (int j = 0; j < kNumJoints; ++j) {
      sig->joint_moment[j] = internal_moment[j];
      sig->joint_velocity[j] = qd(kJointCoordinate[j]);
    }
    knee_load_and_com_signals(c, quadriceps_force, knee, kinematics(c.body, geometry, q, qd), *sig);
    sig->pfj_force_moment_method = pfj_force(
        quadriceps_force_moment_method(T(-sig->joint_moment[1]), sig->knee_flexion_deg), sig->knee_flexion_deg);
  }
}

}  // namespace detail

/// dx/dt of the stance model at time t (see the file comment for the layout). Excitations: from
/// the controller when c.use_controller, else from u (length n_muscles). Writes signals if non-null.
/// Flattened in optimized builds (every callee inlined into it, so the compiler optimizes the muscle
/// kernels together with their use here): the batch stance runs faster; not in debug or
/// AddressSanitizer builds, whose compile time it multiplies (bench/README.md: "[[gnu::flatten]] on stance_rhs").
template <class T>
LEGSIM_FLATTEN void stance_rhs(const StanceConstants<T>& c, const T& t, const T* x, const T* u, T* dxdt,
                               StanceSignals<T>* sig = nullptr) {
  detail::stance_equations<T, true>(c, t, x, u, dxdt, sig);
}

/// The signals of stance_rhs at (t, x) without the derivative: the same equations, less the mass
/// matrix and its solve, which only the accelerations need (a recorded output sample needs the
/// signals alone; issue 22.5). Equal to stance_rhs's signals to round-off (the compiler may contract
/// the two instantiations' products differently; tests/cpp/test_stance.cpp).
template <class T>
LEGSIM_FLATTEN void stance_signals(const StanceConstants<T>& c, const T& t, const T* x, const T* u,
                                   StanceSignals<T>& sig) {
  std::array<T, state_size(kMaxMuscles)> unused;  // the derivative's other parts, computed on the way
  detail::stance_equations<T, false>(c, t, x, u, unused.data(), &sig);
}

}  // namespace legsim
