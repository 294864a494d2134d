#pragma once
// The two-legged body's foot points (position, velocity, the generalized force of a ground force),
// kinematics (joints, segment centres of mass, whole-body CoM), energies and left–right mirror.
// Coordinates, conventions, parameters and the equations of motion: body/biped_dynamics.hpp.
#include <array>
#include <cmath>

#include "legsim/body/biped_dynamics.hpp"

namespace legsim {

/// Position and velocity (world frame) of the point (x_local, y_local) (m) fixed in the foot frame of
/// leg `side` (origin at the ankle, x along the sole heel → toe, y up when the foot is flat), e.g.
/// b.heel or b.metatarsal_head.
namespace detail {

/// One leg's joint-to-joint vectors and the foot-frame vector of a point (x_local, y_local), from the
/// leg's segment orientations ψ (the HAT angle moves the point only through ψ).
template <class T>
struct LegPointFrame {
  V2<T> thigh;   ///< hip → knee (m)
  V2<T> shank;   ///< knee → ankle (m)
  V2<T> foot;    ///< ankle → point (m)
};

template <class T>
LegPointFrame<T> leg_point_frame(const BipedConstants<T>& b, const BipedVector<T>& q, Side side, double x_local,
                                 double y_local) {
  using std::cos;
  using std::sin;
  const T psi_th = q[hip_index(side)] - q[2];
  const T psi_sh = psi_th - q[knee_index(side)];
  const T psi_f = psi_sh + q[ankle_index(side)];
  const T sth = sin(psi_th), cth = cos(psi_th);
  const T ssh = sin(psi_sh), csh = cos(psi_sh);
  const T sf = sin(psi_f), cf = cos(psi_f);
  const T x(x_local), y(y_local);
  return {{sth * b.thigh_length, -cth * b.thigh_length}, {ssh * b.shank_length, -csh * b.shank_length},
          {cf * x - sf * y, sf * x + cf * y}};
}

}  // namespace detail

template <class T>
PointState<T> biped_foot_point(const BipedConstants<T>& b, const BipedVector<T>& q, const BipedVector<T>& qd,
                               Side side, double x_local, double y_local) {
  const int s = side_index(side);
  const detail::LegPointFrame<T> f = detail::leg_point_frame(b, q, side, x_local, y_local);
  const detail::V2<T>& d_th = f.thigh;
  const detail::V2<T>& d_sh = f.shank;
  const detail::V2<T>& r_f = f.foot;
  const std::array<T, 4> w = detail::leg_rates(qd, s);
  PointState<T> p;
  p.position = {q[0] + d_th[0] + d_sh[0] + r_f[0], q[1] + d_th[1] + d_sh[1] + r_f[1]};
  const detail::V2<T> v_th = detail::turn(d_th, w[1]);
  const detail::V2<T> v_sh = detail::turn(d_sh, w[2]);
  const detail::V2<T> v_f = detail::turn(r_f, w[3]);
  p.velocity = {qd[0] + v_th[0] + v_sh[0] + v_f[0], qd[1] + v_th[1] + v_sh[1] + v_f[1]};
  return p;
}

/// Generalized force Q = J_pᵀ F (N on q0, q1; N·m on q2..q8) of a force F (N, world frame) applied at
/// the foot-frame point (x_local, y_local) (m) of leg `side`; zero on the other leg's coordinates.
template <class T>
BipedVector<T> biped_foot_point_generalized_force(const BipedConstants<T>& b, const BipedVector<T>& q, Side side,
                                                  double x_local, double y_local, const std::array<T, 2>& force) {
  const detail::LegPointFrame<T> f = detail::leg_point_frame(b, q, side, x_local, y_local);
  // Joint → point vectors: ankle, knee, hip.
  const detail::V2<T> r_a = f.foot;
  const detail::V2<T> r_k = {r_a[0] + f.shank[0], r_a[1] + f.shank[1]};
  const detail::V2<T> r_h = {r_k[0] + f.thigh[0], r_k[1] + f.thigh[1]};
  const T m_hip = detail::cross(r_h, force);
  BipedVector<T> Q;
  Q.fill(T(0.0));
  Q[0] = force[0];
  Q[1] = force[1];
  Q[2] = -m_hip;
  Q[hip_index(side)] = m_hip;
  Q[knee_index(side)] = -detail::cross(r_k, force);
  Q[ankle_index(side)] = detail::cross(r_a, force);
  return Q;
}

/// Joint positions, segment CoMs and angles, and the whole-body CoM, with their velocities.
template <class T>
BipedKinematics<T> biped_kinematics(const BipedConstants<T>& b, const BipedVector<T>& q, const BipedVector<T>& qd) {
  using detail::add;
  using detail::turn;
  const detail::BipedGeometry<T> g = detail::biped_geometry(b, q);
  BipedKinematics<T> k;
  k.hip = {q[0], q[1]};
  k.hip_velocity = {qd[0], qd[1]};
  const T w_hat = -qd[2];
  k.segment_com[kHatSegment] = add(k.hip, g.hat_com);
  k.segment_com_velocity[kHatSegment] = add(k.hip_velocity, turn(g.hat_com, w_hat));
  k.segment_angle[kHatSegment] = -q[2];
  k.segment_angular_velocity[kHatSegment] = w_hat;
  detail::V2<T> first_moment = detail::scale(k.segment_com[kHatSegment], b.hat_mass);
  detail::V2<T> momentum = detail::scale(k.segment_com_velocity[kHatSegment], b.hat_mass);
  for (int s = 0; s < 2; ++s) {
    const Side side = static_cast<Side>(s);
    const detail::LegGeometry<T>& l = g.leg[s];
    const std::array<T, 4> w = detail::leg_rates(qd, s);
    const std::array<T, 4> th = detail::leg_rates(q, s);
    k.knee[s] = add(k.hip, l.thigh);
    k.knee_velocity[s] = add(k.hip_velocity, turn(l.thigh, w[1]));
    k.ankle[s] = add(k.knee[s], l.shank);
    k.ankle_velocity[s] = add(k.knee_velocity[s], turn(l.shank, w[2]));
    const int ith = thigh_segment(side), ish = shank_segment(side), ift = foot_segment(side);
    k.segment_com[ith] = add(k.hip, l.thigh_com);
    k.segment_com_velocity[ith] = add(k.hip_velocity, turn(l.thigh_com, w[1]));
    k.segment_com[ish] = add(k.knee[s], l.shank_com);
    k.segment_com_velocity[ish] = add(k.knee_velocity[s], turn(l.shank_com, w[2]));
    k.segment_com[ift] = add(k.ankle[s], l.foot_com);
    k.segment_com_velocity[ift] = add(k.ankle_velocity[s], turn(l.foot_com, w[3]));
    for (int j = 1; j < 4; ++j) {
      k.segment_angle[ith + j - 1] = th[j];
      k.segment_angular_velocity[ith + j - 1] = w[j];
    }
    const detail::V2<T> leg_first_moment =
        add(add(detail::scale(k.segment_com[ith], b.thigh_mass), detail::scale(k.segment_com[ish], b.shank_mass)),
            detail::scale(k.segment_com[ift], b.foot_mass));
    const detail::V2<T> leg_momentum = add(add(detail::scale(k.segment_com_velocity[ith], b.thigh_mass),
                                               detail::scale(k.segment_com_velocity[ish], b.shank_mass)),
                                           detail::scale(k.segment_com_velocity[ift], b.foot_mass));
    first_moment = add(first_moment, leg_first_moment);
    momentum = add(momentum, leg_momentum);
  }
  const T inv_mass = T(1.0) / b.total_mass;
  k.com = detail::scale(first_moment, inv_mass);
  k.com_velocity = detail::scale(momentum, inv_mass);
  return k;
}

namespace detail {
template <class T>
std::array<T, kBipedNumSegments> segment_masses(const BipedConstants<T>& b) {
  return {b.hat_mass, b.thigh_mass, b.shank_mass, b.foot_mass, b.thigh_mass, b.shank_mass, b.foot_mass};
}
template <class T>
std::array<T, kBipedNumSegments> segment_inertias(const BipedConstants<T>& b) {
  return {b.hat_inertia,   b.thigh_inertia, b.shank_inertia, b.foot_inertia,
          b.thigh_inertia, b.shank_inertia, b.foot_inertia};
}
}  // namespace detail

/// Kinetic energy Σ ½ m_i |v_i|² + ½ I_i ω_i² (J), from the segment velocities (independent of M).
template <class T>
T biped_kinetic_energy(const BipedConstants<T>& b, const BipedVector<T>& q, const BipedVector<T>& qd) {
  const BipedKinematics<T> k = biped_kinematics(b, q, qd);
  const std::array<T, kBipedNumSegments> m = detail::segment_masses(b);
  const std::array<T, kBipedNumSegments> inertia = detail::segment_inertias(b);
  T e(0.0);
  for (int i = 0; i < kBipedNumSegments; ++i) {
    const std::array<T, 2>& v = k.segment_com_velocity[i];
    const T w = k.segment_angular_velocity[i];
    e = e + T(0.5) * (m[i] * (v[0] * v[0] + v[1] * v[1]) + inertia[i] * w * w);
  }
  return e;
}

/// Gravitational potential energy M_total g y_com (J), zero at y = 0.
template <class T>
T biped_potential_energy(const BipedConstants<T>& b, const BipedVector<T>& q) {
  BipedVector<T> zero;
  zero.fill(T(0.0));
  const BipedKinematics<T> k = biped_kinematics(b, q, zero);
  return b.total_mass * T(kGravity) * k.com[1];
}

/// Swaps the right and the left leg's coordinates (q3..q5 ↔ q6..q8); x, y and trunk lean unchanged.
/// The two legs are identical and share the hip point, so the dynamics commute with this relabelling:
/// a half-stride-periodic gait satisfies q(t + T/2) = mirror(q(t)) + (stride/2, 0, 0, …). Applies to
/// q, q̇, q̈ and Q alike.
template <class T>
BipedVector<T> mirror(const BipedVector<T>& v) {
  return {v[0], v[1], v[2], v[6], v[7], v[8], v[3], v[4], v[5]};
}
inline BipedVector<double> mirror(const BipedVector<double>& v) { return mirror<double>(v); }

}  // namespace legsim
