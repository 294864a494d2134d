#pragma once
// Muscle–tendon paths on the planar leg: muscle–tendon length, its velocity and the moments the
// muscle force produces at each joint it crosses, from joint angles.
//
// Geometry of Geyer & Herr (2010), IEEE TNSRE 18(3):263–273, doi:10.1109/TNSRE.2010.2047592, which
// works with the "inner" joint angles φ (rad): φ_hip = π − hip flexion (π = trunk and thigh in
// line), φ_knee = π − knee flexion (π = straight), φ_ankle = π/2 − ankle dorsiflexion (π/2 = foot at
// 90° to the shank; plantarflexion increases φ). For a muscle that acts to increase φ (action s=+1:
// hip extensors, knee extensors, plantarflexors) or decrease it (s=−1):
//   ankle, knee:  r(φ) = r0·cos(φ − φ_max),   Δl = −s·r0·[sin(φ − φ_max) − sin(φ_ref − φ_max)]
//   hip:          r(φ) = r0,                   Δl = −s·r0·(φ − φ_ref)
//   l_MT = l_opt + l_slack + Σ_joints Δl;   moment about φ: M_φ = s·r(φ)·F.
// The moment arm is −s·∂l_MT/∂φ, so the moment equals −F·∂l_MT/∂φ (virtual work: joint work and
// muscle–tendon path work agree; tests/python/test_muscle.py checks it by central differences).
// Geyer & Herr publish the length change as ρ·r0·[…] and the moment as r0·cos(…)·F, which breaks
// this by 1/ρ (0.5–0.7). This model takes their muscle–tendon length functions as the path — their
// optimal fiber and slack lengths and reference angles were chosen with those excursions, so the
// published operating ranges are kept — and derives the moment arm from them: a model file's
// moment_arm is their ρ·r0 (models/runner.toml). docs/decisions.md records the choice, the
// alternative (ρ dropped: moment arms r0, excursions 1.4–2× theirs) and what each gave.
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <type_traits>

#include "legsim/core/constants.hpp"
#include "legsim/core/ops.hpp"

namespace legsim {

enum class Joint : std::uint8_t { kHip = 0, kKnee = 1, kAnkle = 2 };
inline constexpr int kNumJoints = 3;

/// How one muscle crosses one joint (Geyer & Herr 2010, Table I).
struct JointCrossing {
  Joint joint = Joint::kKnee;
  double moment_arm = 0.05;       ///< r0 (m), (0, 0.2]
  double angle_max = kPi;         ///< φ_max (rad, inner angle) where r is largest; unused at the hip
  double angle_ref = kPi;         ///< φ_ref (rad, inner angle) where Δl = 0
  int action = 1;                 ///< s: +1 increases φ (extends / plantarflexes), −1 decreases it
};

/// Inner angle φ (G&H) of a joint from the model's generalized coordinate (flexion/dorsiflexion).
template <class T>
inline T inner_angle(Joint j, const T& q) {
  return j == Joint::kAnkle ? T(0.5 * kPi) - q : T(kPi) - q;
}

/// Muscle–tendon length change Δl (m) and moment arm r (m, about φ, signed by action) for one
/// crossing at inner angle φ. dl_dphi is the length's derivative with respect to φ.
template <class T>
struct CrossingKinematics {
  T length_change;
  T dl_dphi;
  T moment_arm;  ///< s·r(φ): moment about φ per newton of tendon force
};

/// The constant trigonometry of one crossing, hoisted out of the right-hand side by callers that
/// evaluate it often (MuscleConstants::crossing_trig): sin(φ_ref − φ_max) for Δl, and sin φ_max,
/// cos φ_max so that a joint's one sincos serves every muscle crossing it.
struct CrossingTrig {
  double reference_sine = 0.0;  ///< sin(φ_ref − φ_max)
  double max_sine = 0.0;        ///< sin φ_max
  double max_cosine = 1.0;      ///< cos φ_max
};
inline CrossingTrig crossing_trig(const JointCrossing& c) {
  return {std::sin(c.angle_ref - c.angle_max), std::sin(c.angle_max), std::cos(c.angle_max)};
}

namespace detail {
/// a where cond, else b: a branch for a bool, a select for a mask of lanes.
template <class T, class C>
T choose(const C& cond, const T& a, const T& b) {
  if constexpr (std::is_same_v<C, bool>)
    return cond ? a : b;
  else
    return legsim::select(cond, a, b);
}
}  // namespace detail

/// The terms of crossing_kinematics below with its constants as values: gain = −s·r0,
/// arm_scale = s·r0, the crossing's CrossingTrig and φ_ref, and `hip` (bool, or a mask of lanes)
/// choosing the hip's linear path. T holds one crossing, or one muscle's crossing per SIMD lane
/// (lane_paths, src/sim/muscle_lanes.cpp: the scalar path's muscles). A hip crossing's terms are
/// chosen before the products — gain·1 is gain and s·r0·1 is s·r0 exactly — so every form rounds alike.
template <class T, class Hip>
inline CrossingKinematics<T> crossing_terms(const Hip& hip, const T& gain, const T& arm_scale, const T& angle_ref,
                                            const T& max_cosine, const T& max_sine, const T& reference_sine,
                                            const T& phi, const T& sin_phi, const T& cos_phi) {
  if constexpr (std::is_same_v<Hip, bool>)
    if (hip) return {gain * (phi - angle_ref), gain, arm_scale};  // the select below's values, without the trig
  const T sin_d = sin_phi * max_cosine - cos_phi * max_sine;  // sin(φ − φ_max)
  const T cos_d = cos_phi * max_cosine + sin_phi * max_sine;  // cos(φ − φ_max)
  const T angle_term = detail::choose(hip, T(phi - angle_ref), T(sin_d - reference_sine));
  const T slope = detail::choose(hip, T(1.0), cos_d);
  return {gain * angle_term, gain * slope, arm_scale * slope};
}

/// As below, with sin φ and cos φ of the crossed joint given and the crossing's constants k:
/// sin(φ − φ_max) = sin φ·cos φ_max − cos φ·sin φ_max,
/// cos(φ − φ_max) = cos φ·cos φ_max + sin φ·sin φ_max.
template <class T>
inline CrossingKinematics<T> crossing_kinematics(const JointCrossing& c, const T& phi, const T& sin_phi,
                                                 const T& cos_phi, const CrossingTrig& k) {
  const double s = static_cast<double>(c.action);
  return crossing_terms(c.joint == Joint::kHip, T(-s * c.moment_arm), T(s * c.moment_arm), T(c.angle_ref),
                        T(k.max_cosine), T(k.max_sine), T(k.reference_sine), phi, sin_phi, cos_phi);
}

/// The same from φ alone, with sin/cos(φ − φ_max) computed directly (for callers outside the
/// right-hand side; kept in this form so that the touchdown state keeps its bits).
template <class T>
inline CrossingKinematics<T> crossing_kinematics(const JointCrossing& c, const T& phi) {
  const double s = static_cast<double>(c.action);
  const double gain = -s * c.moment_arm;
  if (c.joint == Joint::kHip) return {T(gain) * (phi - T(c.angle_ref)), T(gain), T(s * c.moment_arm)};
  const auto [sin_d, cos_d] = sin_cos(T(phi - T(c.angle_max)));
  const T reference_sine(std::sin(c.angle_ref - c.angle_max));
  return {T(gain) * (sin_d - reference_sine), T(gain) * cos_d, T(s * c.moment_arm) * cos_d};
}

/// Muscle–tendon length and its rate along one path, and the moment arms about the model's joint
/// coordinates.
struct PathGeometry {
  double length = 0.0;    ///< l_MT (m)
  double velocity = 0.0;  ///< dl_MT/dt (m/s)
  /// −∂l_MT/∂q_j (m): the moment along +q_j (hip flexion, knee flexion, ankle dorsiflexion) per
  /// newton of tendon force; 0 for a joint the path does not cross. A plantarflexor's ankle arm is < 0.
  std::array<double, kNumJoints> moment_arm{};
};

/// Path geometry from joint coordinates q and rates q̇ (rad, rad/s; hip flexion, knee flexion, ankle
/// dorsiflexion) for a path with the given crossings and l_MT = reference_length at the reference
/// angles. The stance right-hand side evaluates the same crossing_kinematics (its sines hoisted).
inline PathGeometry path_geometry(std::span<const JointCrossing> crossings, double reference_length,
                                  const std::array<double, kNumJoints>& q,
                                  const std::array<double, kNumJoints>& q_dot = {}) {
  PathGeometry g;
  g.length = reference_length;
  for (const JointCrossing& c : crossings) {
    const int j = static_cast<int>(c.joint);
    const CrossingKinematics<double> ck = crossing_kinematics(c, inner_angle(c.joint, q[j]));
    g.length += ck.length_change;
    g.velocity -= ck.dl_dphi * q_dot[j];  // φ̇ = −q̇
    g.moment_arm[j] = -ck.moment_arm;     // moment about φ, turned to +q (φ and q run opposite ways)
  }
  return g;
}

}  // namespace legsim
