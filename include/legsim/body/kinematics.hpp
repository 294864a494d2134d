#pragma once
// Planar kinematics of the running leg (DESIGN 3.1): trunk (with the swing leg lumped in), stance
// thigh, shank and foot; the foot points that touch the ground (heel, metatarsal heads, DESIGN 3.2);
// point Jacobians and the generalized forces of point forces. The equations of motion built on them
// are in body/dynamics.hpp.
//
// Generalized coordinates q (6), SI units:
//   q0 = hip x (m, forward), q1 = hip y (m, up),
//   q2 = trunk forward lean (rad, + = leaning forward), q3 = hip flexion (rad, thigh forward of the
//   trunk's line), q4 = knee flexion (rad, + = flexed, 0 = straight), q5 = ankle dorsiflexion (rad,
//   + = toe up, 0 = foot at 90° to the shank).
// Geometry:
//   trunk  hip → head direction (sin q2, cos q2); trunk CoM = hip + c_trunk·(sin q2, cos q2)
//   thigh  ψ_th = q3 − q2 (from the downward vertical, forward +); hip → knee (sin ψ_th, −cos ψ_th)
//   shank  ψ_sh = ψ_th − q4;                                        knee → ankle (sin ψ_sh, −cos ψ_sh)
//   foot   ψ_f  = ψ_sh + q5 (from horizontal, toe-up +); foot frame x = (cos ψ_f, sin ψ_f),
//          y = (−sin ψ_f, cos ψ_f), origin at the ankle joint.
// The counter-clockwise rotation angles of the segments (zero in the pose q = 0: trunk up, thigh and
// shank down, foot flat) are θ = S·q with the constant rows
//   S_trunk = (0,0,−1,0,0,0), S_thigh = (0,0,−1,1,0,0), S_shank = (0,0,−1,1,−1,0), S_foot = (0,0,−1,1,−1,1).
// Because q3..q5 are relative angles, a joint torque is the generalized force on its own coordinate
// (hip torque on q3, knee on q4, ankle on q5; + along the increasing angle): a torque pair τ on the
// distal and −τ on the proximal segment does virtual work τ·(δθ_distal − δθ_proximal) = τ·δq_joint.
//
// Equations of motion, M(q)·q̈ + h(q, q̇) = Q. Every point p of the chain is p = hip + Σ_k r_k(θ_k),
// a sum of vectors r_k fixed in segment k, so with perp(r) = (−r_y, r_x):
//   J_p = [e_x e_y 0 0 0 0] + Σ_k perp(r_k)·S_k          (2×6 point Jacobian, ṗ = J_p q̇)
//   J̇_p q̇ = −Σ_k r_k·ω_k²,  ω_k = S_k·q̇
// and from T = Σ_i ½ m_i |J_i q̇|² + ½ I_i (S_i q̇)², V = Σ_i m_i g y_i, Lagrange's equations give
//   M = Σ_i m_i J_iᵀ J_i + I_i S_iᵀ S_i
//   h = Σ_i m_i J_iᵀ (J̇_i q̇ + g e_y)
// (the rotational terms add nothing to h because S_i is constant in the plane).
//
// Every function is a template on the scalar type T (double, Eigen::AutoDiffScalar,
// xsimd::batch<double>), branch-free, allocation-free (fixed-size Eigen types).
#include <array>
#include <cmath>
#include <tuple>
#include <type_traits>

#include <Eigen/Core>

#include "legsim/body/contact.hpp"
#include "legsim/body/params.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/core/ops.hpp"

namespace legsim {

template <class T>
using Vec2 = Eigen::Matrix<T, 2, 1>;
template <class T>
using Vec6 = Eigen::Matrix<T, 6, 1>;
template <class T>
using Mat6 = Eigen::Matrix<T, 6, 6>;
template <class T>
using Jac2x6 = Eigen::Matrix<T, 2, 6>;
/// Argument spellings that do not take part in deducing T (T comes from BodyConstants<T>), so Eigen
/// expressions such as Vec6<double>::Zero() convert at the call.
template <class T>
using VecArg6 = std::type_identity_t<Vec6<T>>;
template <class T>
using VecArg2 = std::type_identity_t<Vec2<T>>;

inline constexpr int kDof = 6;
inline constexpr int kNumSegments = 4;
inline constexpr int kNumContacts = 2;

/// Segment indices (trunk, thigh, shank, foot).
enum SegmentIndex : int { kTrunk = 0, kThigh = 1, kShank = 2, kFoot = 3 };
/// Contact point indices.
enum ContactIndex : int { kHeel = 0, kMetatarsalHead = 1 };

/// Body parameters unpacked for the kernels, broadcast to (or set per lane of) T.
template <class T>
struct BodyConstants {
  std::array<T, kNumSegments> mass;     ///< kg
  std::array<T, kNumSegments> inertia;  ///< about the CoM, kg·m²
  T trunk_com;                          ///< hip → trunk CoM (m)
  T thigh_length, thigh_com;            ///< m
  T shank_length, shank_com;            ///< m
  Vec2<T> foot_com;                     ///< foot frame (m)
  std::array<Vec2<T>, kNumContacts> contact_point;  ///< heel, metatarsal head in the foot frame (m)
  T total_mass;                         ///< kg
};

/// Broadcasts validated BodyParams to every lane of T.
template <class T>
BodyConstants<T> make_body_constants(const BodyParams& p) {
  BodyConstants<T> c;
  c.mass = {T(p.trunk.mass), T(p.thigh.mass), T(p.shank.mass), T(p.foot.mass)};
  c.inertia = {T(p.trunk.inertia_about_com), T(p.thigh.inertia_about_com),
               T(p.shank.inertia_about_com), T(p.foot.inertia_about_com)};
  c.trunk_com = T(p.trunk.com_from_proximal);
  c.thigh_length = T(p.thigh.length);
  c.thigh_com = T(p.thigh.com_from_proximal);
  c.shank_length = T(p.shank.length);
  c.shank_com = T(p.shank.com_from_proximal);
  c.foot_com = Vec2<T>(T(p.foot.com.x), T(p.foot.com.y));
  c.contact_point[kHeel] = Vec2<T>(T(p.foot.heel.x), T(p.foot.heel.y));
  c.contact_point[kMetatarsalHead] =
      Vec2<T>(T(p.foot.metatarsal_head.x), T(p.foot.metatarsal_head.y));
  c.total_mass = T(p.trunk.mass + p.thigh.mass + p.shank.mass + p.foot.mass);
  return c;
}

/// Per-lane constants for a SIMD batch: lane i takes lanes[i] (n == lanes of T), or lanes[0] for all
/// (n == 1).
template <class T>
  requires is_batch_v<T>
BodyConstants<T> make_body_constants(const BodyParams* lanes, std::size_t n) {
  constexpr std::size_t kL = T::size;
  auto gather = [&](auto getter) {
    alignas(T::arch_type::alignment()) double buf[kL];
    for (std::size_t i = 0; i < kL; ++i) buf[i] = getter(lanes[n == 1 ? 0 : i]);
    return T::load_aligned(buf);
  };
  BodyConstants<T> c;
  c.mass = {gather([](const BodyParams& p) { return p.trunk.mass; }),
            gather([](const BodyParams& p) { return p.thigh.mass; }),
            gather([](const BodyParams& p) { return p.shank.mass; }),
            gather([](const BodyParams& p) { return p.foot.mass; })};
  c.inertia = {gather([](const BodyParams& p) { return p.trunk.inertia_about_com; }),
               gather([](const BodyParams& p) { return p.thigh.inertia_about_com; }),
               gather([](const BodyParams& p) { return p.shank.inertia_about_com; }),
               gather([](const BodyParams& p) { return p.foot.inertia_about_com; })};
  c.trunk_com = gather([](const BodyParams& p) { return p.trunk.com_from_proximal; });
  c.thigh_length = gather([](const BodyParams& p) { return p.thigh.length; });
  c.thigh_com = gather([](const BodyParams& p) { return p.thigh.com_from_proximal; });
  c.shank_length = gather([](const BodyParams& p) { return p.shank.length; });
  c.shank_com = gather([](const BodyParams& p) { return p.shank.com_from_proximal; });
  c.foot_com = Vec2<T>(gather([](const BodyParams& p) { return p.foot.com.x; }),
                       gather([](const BodyParams& p) { return p.foot.com.y; }));
  c.contact_point[kHeel] = Vec2<T>(gather([](const BodyParams& p) { return p.foot.heel.x; }),
                                   gather([](const BodyParams& p) { return p.foot.heel.y; }));
  c.contact_point[kMetatarsalHead] =
      Vec2<T>(gather([](const BodyParams& p) { return p.foot.metatarsal_head.x; }),
              gather([](const BodyParams& p) { return p.foot.metatarsal_head.y; }));
  c.total_mass = c.mass[0] + c.mass[1] + c.mass[2] + c.mass[3];
  return c;
}

namespace detail {

/// Row k of S (θ_k = S_k·q): coefficient of q_j in the CCW angle of segment k.
constexpr double kAngleRow[kNumSegments][kDof] = {
    {0, 0, -1, 0, 0, 0}, {0, 0, -1, 1, 0, 0}, {0, 0, -1, 1, -1, 0}, {0, 0, -1, 1, -1, 1}};
/// The rows above are cumulative: row k is s_j on q2..q(2+k), with the signs s_j below (the mass
/// matrix's suffix sums rely on it, body/dynamics.hpp).
constexpr double kAngleSign[kDof] = {0, 0, -1, 1, -1, 1};
static_assert([] {
  for (int k = 0; k < kNumSegments; ++k)
    for (int j = 0; j < kDof; ++j)
      if (kAngleRow[k][j] != (j >= 2 && j <= 2 + k ? kAngleSign[j] : 0.0)) return false;
  return true;
}(), "kAngleRow is cumulative with the signs kAngleSign");

/// Segment-fixed vectors and angular velocities of one configuration.
template <class T>
struct ChainGeometry {
  Vec2<T> trunk_dir;        ///< hip → head unit vector
  Vec2<T> thigh_dir;        ///< hip → knee unit vector
  Vec2<T> shank_dir;        ///< knee → ankle unit vector
  Vec2<T> foot_x, foot_y;   ///< foot frame axes
  std::array<T, kNumSegments> omega;  ///< CCW angular velocities (rad/s)
};

/// sin and cos of the four segment angles (rad) of the scalar path together: one SIMD range
/// reduction and polynomial (xsimd::sincos) in place of four libm sincos calls (issue 22.5).
/// Defined once in the library (src/body/kinematics.cpp), compiled for its instruction set.
void segment_sin_cos(const std::array<double, kNumSegments>& angle, std::array<double, kNumSegments>& sine,
                     std::array<double, kNumSegments>& cosine);

template <class T>
ChainGeometry<T> chain_geometry(const Vec6<T>& q, const Vec6<T>& qd) {
  ChainGeometry<T> g;
  const T psi_th = q(3) - q(2);
  const T psi_sh = psi_th - q(4);
  const T psi_f = psi_sh + q(5);
  T s2, c2, sth, cth, ssh, csh, sf, cf;
  if constexpr (std::is_same_v<T, double>) {
    std::array<double, kNumSegments> sine, cosine;
    segment_sin_cos({q(2), psi_th, psi_sh, psi_f}, sine, cosine);
    s2 = sine[0], c2 = cosine[0], sth = sine[1], cth = cosine[1];
    ssh = sine[2], csh = cosine[2], sf = sine[3], cf = cosine[3];
  } else {
    std::tie(s2, c2) = sin_cos(T(q(2)));
    std::tie(sth, cth) = sin_cos(psi_th);
    std::tie(ssh, csh) = sin_cos(psi_sh);
    std::tie(sf, cf) = sin_cos(psi_f);
  }
  g.trunk_dir = Vec2<T>(s2, c2);
  g.thigh_dir = Vec2<T>(sth, T(-cth));
  g.shank_dir = Vec2<T>(ssh, T(-csh));
  g.foot_x = Vec2<T>(cf, sf);
  g.foot_y = Vec2<T>(T(-sf), cf);
  g.omega[kTrunk] = -qd(2);
  g.omega[kThigh] = qd(3) - qd(2);
  g.omega[kShank] = g.omega[kThigh] - qd(4);
  g.omega[kFoot] = g.omega[kShank] + qd(5);
  return g;
}

/// A point of the chain as the sum of segment-fixed vectors r_k (k = first..last), relative to the hip.
template <class T>
struct ChainPoint {
  std::array<Vec2<T>, kNumSegments> r;  ///< entries first..last are used
  int first;                             ///< first segment of the path from the hip
  int last;                              ///< index of the segment that carries the point
};

template <class T>
Vec2<T> perp(const Vec2<T>& r) {
  return Vec2<T>(T(-r(1)), r(0));
}

template <class T>
ChainPoint<T> segment_com_point(const BodyConstants<T>& b, const ChainGeometry<T>& g, int seg) {
  ChainPoint<T> p;
  for (auto& r : p.r) r = Vec2<T>(T(0.0), T(0.0));  // unused entries stay defined (copied around)
  p.first = seg == kTrunk ? kTrunk : kThigh;
  p.last = seg;
  switch (seg) {
    case kTrunk:
      p.r[kTrunk] = g.trunk_dir * b.trunk_com;
      break;
    case kThigh:
      p.r[kThigh] = g.thigh_dir * b.thigh_com;
      break;
    case kShank:
      p.r[kThigh] = g.thigh_dir * b.thigh_length;
      p.r[kShank] = g.shank_dir * b.shank_com;
      break;
    default:
      p.r[kThigh] = g.thigh_dir * b.thigh_length;
      p.r[kShank] = g.shank_dir * b.shank_length;
      p.r[kFoot] = g.foot_x * b.foot_com(0) + g.foot_y * b.foot_com(1);
      break;
  }
  return p;
}

template <class T>
ChainPoint<T> foot_point(const BodyConstants<T>& b, const ChainGeometry<T>& g, const VecArg2<T>& local) {
  ChainPoint<T> p;
  p.r[kTrunk] = Vec2<T>(T(0.0), T(0.0));  // unused, kept defined
  p.first = kThigh;
  p.r[kThigh] = g.thigh_dir * b.thigh_length;
  p.r[kShank] = g.shank_dir * b.shank_length;
  p.r[kFoot] = g.foot_x * local(0) + g.foot_y * local(1);
  p.last = kFoot;
  return p;
}

template <class T>
Vec2<T> position(const Vec6<T>& q, const ChainPoint<T>& p) {
  Vec2<T> x(q(0), q(1));
  for (int k = p.first; k <= p.last; ++k) x += p.r[k];
  return x;
}

template <class T>
Vec2<T> velocity(const Vec6<T>& qd, const ChainGeometry<T>& g, const ChainPoint<T>& p) {
  Vec2<T> v(qd(0), qd(1));
  for (int k = p.first; k <= p.last; ++k) v += perp(p.r[k]) * g.omega[k];
  return v;
}

/// J̇·q̇ = −Σ_k r_k ω_k².
template <class T>
Vec2<T> velocity_product(const ChainGeometry<T>& g, const ChainPoint<T>& p) {
  Vec2<T> a(T(0.0), T(0.0));
  for (int k = p.first; k <= p.last; ++k) a -= p.r[k] * T(g.omega[k] * g.omega[k]);
  return a;
}

template <class T>
Jac2x6<T> jacobian(const ChainPoint<T>& p) {
  Jac2x6<T> J;
  J.setConstant(T(0.0));
  J(0, 0) = T(1.0);
  J(1, 1) = T(1.0);
  for (int k = p.first; k <= p.last; ++k) {
    const Vec2<T> d = perp(p.r[k]);
    for (int j = 2; j < kDof; ++j) {
      const double s = kAngleRow[k][j];
      if (s != 0.0) {  // branch on a compile-time structure constant, not on values of T
        J(0, j) += T(s) * d(0);
        J(1, j) += T(s) * d(1);
      }
    }
  }
  return J;
}

}  // namespace detail

/// Positions (m) and velocities (m/s) of joints, contact points and segment centres of mass.
template <class T>
struct Kinematics {
  Vec2<T> hip, knee, ankle;
  Vec2<T> hip_velocity, knee_velocity, ankle_velocity;
  std::array<Vec2<T>, kNumContacts> contact;           ///< heel, metatarsal head
  std::array<Vec2<T>, kNumContacts> contact_velocity;
  std::array<Vec2<T>, kNumSegments> segment_com;       ///< trunk, thigh, shank, foot
  std::array<Vec2<T>, kNumSegments> segment_com_velocity;
  std::array<T, kNumSegments> segment_angle;             ///< CCW rotation from the q = 0 pose (rad)
  std::array<T, kNumSegments> segment_angular_velocity;  ///< rad/s
  Vec2<T> body_com, body_com_velocity;                   ///< whole body
};

/// Kinematics from the configuration's geometry g = detail::chain_geometry(q, qd) (computed once
/// per right-hand side and shared with the contact Jacobians and the mass matrix).
template <class T>
Kinematics<T> kinematics(const BodyConstants<T>& b, const detail::ChainGeometry<T>& g, const VecArg6<T>& q,
                         const VecArg6<T>& qd) {
  Kinematics<T> k;
  k.hip = Vec2<T>(q(0), q(1));
  k.hip_velocity = Vec2<T>(qd(0), qd(1));
  const Vec2<T> r_knee = g.thigh_dir * b.thigh_length;
  const Vec2<T> r_ankle = g.shank_dir * b.shank_length;
  k.knee = k.hip + r_knee;
  k.ankle = k.knee + r_ankle;
  k.knee_velocity = k.hip_velocity + detail::perp(r_knee) * g.omega[kThigh];
  k.ankle_velocity = k.knee_velocity + detail::perp(r_ankle) * g.omega[kShank];
  for (int c = 0; c < kNumContacts; ++c) {
    const detail::ChainPoint<T> p = detail::foot_point(b, g, b.contact_point[c]);
    k.contact[c] = detail::position(q, p);
    k.contact_velocity[c] = detail::velocity(qd, g, p);
  }
  Vec2<T> mc(T(0.0), T(0.0)), mv(T(0.0), T(0.0));
  for (int s = 0; s < kNumSegments; ++s) {
    const detail::ChainPoint<T> p = detail::segment_com_point(b, g, s);
    k.segment_com[s] = detail::position(q, p);
    k.segment_com_velocity[s] = detail::velocity(qd, g, p);
    mc += k.segment_com[s] * b.mass[s];
    mv += k.segment_com_velocity[s] * b.mass[s];
    k.segment_angular_velocity[s] = g.omega[s];
  }
  k.segment_angle[kTrunk] = -q(2);
  k.segment_angle[kThigh] = q(3) - q(2);
  k.segment_angle[kShank] = k.segment_angle[kThigh] - q(4);
  k.segment_angle[kFoot] = k.segment_angle[kShank] + q(5);
  k.body_com = mc / b.total_mass;
  k.body_com_velocity = mv / b.total_mass;
  return k;
}

template <class T>
Kinematics<T> kinematics(const BodyConstants<T>& b, const VecArg6<T>& q, const VecArg6<T>& qd) {
  return kinematics(b, detail::chain_geometry<T>(q, qd), q, qd);
}

/// Point Jacobian (2×6, ṗ = J q̇) of a point given in the foot frame (m).
template <class T>
Jac2x6<T> foot_point_jacobian(const BodyConstants<T>& b, const VecArg6<T>& q, const VecArg2<T>& local) {
  const Vec6<T> zero = Vec6<T>::Constant(T(0.0));
  const detail::ChainGeometry<T> g = detail::chain_geometry<T>(q, zero);
  return detail::jacobian(detail::foot_point(b, g, local));
}

/// Generalized force Q = J_pᵀ F of a force F (N, world frame) applied at a foot-frame point (m), for
/// the geometry g of the configuration.
template <class T>
Vec6<T> foot_point_generalized_force(const BodyConstants<T>& b, const detail::ChainGeometry<T>& g,
                                     const VecArg2<T>& local, const VecArg2<T>& force) {
  const Jac2x6<T> J = detail::jacobian(detail::foot_point(b, g, local));
  Vec6<T> Q;
  for (int j = 0; j < kDof; ++j) Q(j) = J(0, j) * force(0) + J(1, j) * force(1);
  return Q;
}

/// Generalized force Q = J_pᵀ F of a force F (N, world frame) applied at a foot-frame point (m).
template <class T>
Vec6<T> foot_point_generalized_force(const BodyConstants<T>& b, const VecArg6<T>& q,
                                     const VecArg2<T>& local, const VecArg2<T>& force) {
  return foot_point_generalized_force(b, detail::chain_geometry<T>(q, Vec6<T>::Constant(T(0.0))), local, force);
}

}  // namespace legsim
