#pragma once
// Planar two-legged body for predictive running by direct collocation: the HAT (head, arms, trunk and
// pelvis) with two identical legs of thigh, shank and foot hinged at one hip point. 7 segments, 9 DoF.
// This header: parameters, geometry and the equations of motion; body/biped.hpp adds the foot points,
// kinematics, energies and the left–right mirror.
//
// Generalized coordinates q (9), SI units; each leg in the conventions of body/dynamics.hpp:
//   q0 = hip x (m, forward), q1 = hip y (m, up), q2 = trunk forward lean (rad, + = leaning forward),
//   q3, q4, q5 = right hip flexion, knee flexion, ankle dorsiflexion (rad),
//   q6, q7, q8 = left  hip flexion, knee flexion, ankle dorsiflexion (rad).
//   Hip flexion + = thigh forward of the trunk's line; knee flexion + = flexed, 0 = straight; ankle
//   dorsiflexion + = toe up, 0 = foot at 90° to the shank.
// Geometry (for each leg s, with its hip, knee and ankle angles q_h, q_k, q_a):
//   HAT    hip → shoulder direction (sin q2, cos q2); HAT CoM = hip + c_hat·(sin q2, cos q2)
//   thigh  ψ_th = q_h − q2 (from the downward vertical, forward +); hip → knee (sin ψ_th, −cos ψ_th)
//   shank  ψ_sh = ψ_th − q_k;                                       knee → ankle (sin ψ_sh, −cos ψ_sh)
//   foot   ψ_f  = ψ_sh + q_a (from horizontal, toe-up +); foot frame x = (cos ψ_f, sin ψ_f) (heel → toe
//          along the sole), y = (−sin ψ_f, cos ψ_f) (up when flat), origin at the ankle joint.
// Counter-clockwise segment angles (zero in the pose q = 0: HAT up, thighs and shanks down, feet
// flat): θ_hat = −q2, θ_th = ψ_th, θ_sh = ψ_sh, θ_f = ψ_f. Every joint angle is relative, so a joint
// torque is the generalized force on its own coordinate (+ along the increasing angle), as in
// dynamics.hpp.
//
// Equations of motion M(q) q̈ + h(q, q̇) = Q. biped_inverse_dynamics evaluates the left side without
// forming M, by d'Alembert's principle (the recursive Newton–Euler form of Lagrange's equations for
// this tree): with F_i = m_i (a_i + g e_y) the effective force of segment i (a_i its CoM acceleration)
// and N_i = I_i α_i its effective moment, the generalized force on coordinate j is the virtual work
//   Q_j = Σ_i F_i · ∂p_i/∂q_j + N_i ∂θ_i/∂q_j.
// A coordinate that rotates the segments distal to a joint point o by +δ moves their points by
// δ·perp(p − o), perp(r) = (−r_y, r_x), and perp(r)·F = r × F (the planar cross product), so
//   Q0, Q1 = Σ_all F_i                                      (x and y)
//   Q_ankle = M_ankle,  Q_knee = −M_knee,  Q_hip = M_hip    (θ_foot has +q_a, θ_shank −q_k, θ_thigh +q_h)
//   Q2 = −(M_hip,r + M_hip,l + r_hat × F_hat + N_hat)      (every segment turns by −q2 about the hip)
// where M_o = Σ_{i distal to o} (p_i − o) × F_i + N_i is accumulated from the foot up:
//   M_ankle = r_f × F_f + N_f,  M_knee = M_ankle + d_sh × F_f + r_sh × F_sh + N_sh,
//   M_hip = M_knee + d_th × (F_f + F_sh) + r_th × F_th + N_th
// (d = joint → joint vectors, r = joint → CoM vectors). Accelerations of a point p = o + r on a segment
// with angular velocity ω and acceleration α: a_p = a_o + α perp(r) − ω² r.
//
// Scalar type T: double, Eigen::AutoDiffScalar and casadi::SX. Every template is pure arithmetic with
// sin/cos/sqrt found by ADL: no branches or comparisons on values of T (SX comparisons give
// expressions, not bool), no Eigen types, no `std::`-qualified math on T, and every T is constructed
// from a value (a default-constructed casadi::SX is an empty 0×0 matrix, not 0). Segment orientations
// are computed once per call (4 sin/cos pairs for 7 segments) and reused.
#include <array>
#include <cmath>
#include <string_view>

#include "legsim/body/params.hpp"
#include "legsim/core/constants.hpp"

namespace legsim {

inline constexpr int kBipedDof = 9;
inline constexpr int kBipedNumSegments = 7;

/// Generalized vector (q, q̇, q̈ or Q) and 9×9 matrix of the two-legged body.
template <class T>
using BipedVector = std::array<T, kBipedDof>;
template <class T>
using BipedMatrix = std::array<std::array<T, kBipedDof>, kBipedDof>;

enum class Side { kRight = 0, kLeft = 1 };

constexpr int side_index(Side s) { return static_cast<int>(s); }
/// Index in q of the hip flexion, knee flexion and ankle dorsiflexion of one leg.
constexpr int hip_index(Side s) { return 3 + 3 * side_index(s); }
constexpr int knee_index(Side s) { return 4 + 3 * side_index(s); }
constexpr int ankle_index(Side s) { return 5 + 3 * side_index(s); }

/// Segment indices of BipedKinematics: HAT, then thigh, shank, foot of the right and the left leg.
inline constexpr int kHatSegment = 0;
constexpr int thigh_segment(Side s) { return 1 + 3 * side_index(s); }
constexpr int shank_segment(Side s) { return 2 + 3 * side_index(s); }
constexpr int foot_segment(Side s) { return 3 + 3 * side_index(s); }

/// Segments of the two-legged body. Both legs share the thigh, shank and foot parameters.
struct BipedParams {
  /// Head, arms, trunk and pelvis: `length` hip → shoulder, `com_from_proximal` from the hip upward.
  SegmentParams hat;
  SegmentParams thigh;  ///< hip → knee joint centre
  SegmentParams shank;  ///< knee → ankle joint centre
  FootParams foot;      ///< foot segment and contact points in the foot frame
  double body_mass = 0.0;  ///< kg; equals hat.mass + 2·(thigh + shank + foot).mass
};

/// The two-legged body of a runner whose one-legged body is `body` (e.g. scale_body(mass, height)).
///
/// Legs: body.thigh, body.shank, body.foot unchanged (de Leva 1996, see scale_body).
/// HAT: body.trunk is documented (params.hpp) as the HAT plus the swing leg lumped as a point mass at
/// the hip; this removes that point mass. With M, c, I the trunk's mass, CoM distance from the hip and
/// inertia, and m_l = thigh + shank + foot mass:
///   m_hat = M − m_l  (= body_mass − 2 m_l)
///   c_hat = c·M / m_hat                               (first moment about the hip: M c = m_hat c_hat)
///   I_hat = I − m_l·c²·M / m_hat                      (parallel axes: I = I_hat + m_hat (c_hat − c)²
///                                                      + m_l c², and c_hat − c = c m_l / m_hat)
/// For scale_body's trunk this returns Winter's (2009) HAT exactly: length (0.818 − 0.530)·height,
/// CoM 0.626 of it above the hip, radius of gyration 0.496 of it.
///
/// Throws InputError (field, value, allowed range) if `body` is invalid (validate(body, "body")), or if
/// the HAT it implies is not a rigid body: "biped.hat.mass" ≤ 0, "biped.hat.com_from_proximal" outside
/// [0, hat.length], "biped.hat.inertia_about_com" ≤ 0.
BipedParams biped_params(const BodyParams& body);

/// Validates every field; throws InputError naming "<prefix>.<field>", the value and the allowed range.
/// Checks each segment (mass, length, inertia > 0, CoM within the length), the foot contact points as
/// in validate(BodyParams), body_mass ∈ [20, 250] kg and hat + 2 legs = body_mass (relative 1e-9).
void validate(const BipedParams& p, std::string_view prefix = "biped");

/// BipedParams broadcast to the scalar type T.
template <class T>
struct BipedConstants {
  T hat_mass, hat_inertia, hat_com;                       ///< kg, kg·m², m (hip → CoM)
  T thigh_mass, thigh_inertia, thigh_length, thigh_com;   ///< kg, kg·m², m, m (hip → CoM)
  T shank_mass, shank_inertia, shank_length, shank_com;   ///< kg, kg·m², m, m (knee → CoM)
  T foot_mass, foot_inertia;                              ///< kg, kg·m²
  std::array<T, 2> foot_com;                              ///< foot frame (m)
  FootPoint heel, metatarsal_head;                        ///< contact points, foot frame (m)
  T total_mass;                                           ///< kg
};

template <class T>
BipedConstants<T> make_biped_constants(const BipedParams& p) {
  return BipedConstants<T>{T(p.hat.mass),
                           T(p.hat.inertia_about_com),
                           T(p.hat.com_from_proximal),
                           T(p.thigh.mass),
                           T(p.thigh.inertia_about_com),
                           T(p.thigh.length),
                           T(p.thigh.com_from_proximal),
                           T(p.shank.mass),
                           T(p.shank.inertia_about_com),
                           T(p.shank.length),
                           T(p.shank.com_from_proximal),
                           T(p.foot.mass),
                           T(p.foot.inertia_about_com),
                           {T(p.foot.com.x), T(p.foot.com.y)},
                           p.foot.heel,
                           p.foot.metatarsal_head,
                           T(p.hat.mass + 2.0 * (p.thigh.mass + p.shank.mass + p.foot.mass))};
}

/// Position (m) and velocity (m/s) of a point, world frame.
template <class T>
struct PointState {
  std::array<T, 2> position, velocity;
};

/// Positions (m), velocities (m/s), angles (rad) and angular velocities (rad/s); arrays over legs are
/// indexed by side_index(Side), arrays over segments by kHatSegment, thigh_segment(Side), ….
template <class T>
struct BipedKinematics {
  std::array<T, 2> hip, hip_velocity;
  std::array<std::array<T, 2>, 2> knee, knee_velocity;
  std::array<std::array<T, 2>, 2> ankle, ankle_velocity;
  std::array<std::array<T, 2>, kBipedNumSegments> segment_com, segment_com_velocity;
  std::array<T, kBipedNumSegments> segment_angle;             ///< CCW from the q = 0 pose
  std::array<T, kBipedNumSegments> segment_angular_velocity;  ///< CCW +
  std::array<T, 2> com, com_velocity;                         ///< whole body
};

namespace detail {

template <class T>
using V2 = std::array<T, 2>;

template <class T>
V2<T> add(const V2<T>& a, const V2<T>& b) {
  return {a[0] + b[0], a[1] + b[1]};
}
template <class T>
V2<T> scale(const V2<T>& a, const T& s) {
  return {a[0] * s, a[1] * s};
}
/// Planar cross product a × b (z component).
template <class T>
T cross(const V2<T>& a, const V2<T>& b) {
  return a[0] * b[1] - a[1] * b[0];
}
/// Velocity of o + r relative to o on a segment turning at ω: ω·perp(r), perp(r) = (−r_y, r_x).
template <class T>
V2<T> turn(const V2<T>& r, const T& w) {
  return {-r[1] * w, r[0] * w};
}
/// Acceleration of o + r relative to o: α·perp(r) − ω²·r.
template <class T>
V2<T> turn_acceleration(const V2<T>& r, const T& w, const T& alpha) {
  const T w2 = w * w;
  return {-r[1] * alpha - r[0] * w2, r[0] * alpha - r[1] * w2};
}

/// Segment-fixed vectors of one leg (world frame, relative to their proximal joint).
template <class T>
struct LegGeometry {
  V2<T> thigh;     ///< hip → knee
  V2<T> shank;     ///< knee → ankle
  V2<T> thigh_com; ///< hip → thigh CoM
  V2<T> shank_com; ///< knee → shank CoM
  V2<T> foot_x, foot_y;  ///< foot frame axes
  V2<T> foot_com;  ///< ankle → foot CoM
};

template <class T>
struct BipedGeometry {
  V2<T> hat_com;  ///< hip → HAT CoM
  std::array<LegGeometry<T>, 2> leg;
};

template <class T>
BipedGeometry<T> biped_geometry(const BipedConstants<T>& b, const BipedVector<T>& q) {
  using std::cos;
  using std::sin;
  BipedGeometry<T> g;
  const T s2 = sin(q[2]), c2 = cos(q[2]);
  g.hat_com = {s2 * b.hat_com, c2 * b.hat_com};
  for (int s = 0; s < 2; ++s) {
    LegGeometry<T>& l = g.leg[s];
    const T psi_th = q[3 + 3 * s] - q[2];
    const T psi_sh = psi_th - q[4 + 3 * s];
    const T psi_f = psi_sh + q[5 + 3 * s];
    const T sth = sin(psi_th), cth = cos(psi_th);
    const T ssh = sin(psi_sh), csh = cos(psi_sh);
    const T sf = sin(psi_f), cf = cos(psi_f);
    l.thigh = {sth * b.thigh_length, -cth * b.thigh_length};
    l.shank = {ssh * b.shank_length, -csh * b.shank_length};
    l.thigh_com = {sth * b.thigh_com, -cth * b.thigh_com};
    l.shank_com = {ssh * b.shank_com, -csh * b.shank_com};
    l.foot_x = {cf, sf};
    l.foot_y = {-sf, cf};
    l.foot_com = {cf * b.foot_com[0] - sf * b.foot_com[1], sf * b.foot_com[0] + cf * b.foot_com[1]};
  }
  return g;
}

/// CCW angular velocities (or, fed q̈, accelerations) of HAT, thigh, shank, foot of leg s.
template <class T>
std::array<T, 4> leg_rates(const BipedVector<T>& v, int s) {
  const T hat = -v[2];
  const T thigh = v[3 + 3 * s] - v[2];
  const T shank = thigh - v[4 + 3 * s];
  const T foot = shank + v[5 + 3 * s];
  return {hat, thigh, shank, foot};
}

/// M q̈ + h for gravity `gravity` (m/s²) by the recursion in the header comment.
template <class T>
BipedVector<T> biped_rnea(const BipedConstants<T>& b, const BipedGeometry<T>& g, const BipedVector<T>& qd,
                          const BipedVector<T>& qdd, const T& gravity) {
  const V2<T> a_hip = {qdd[0], qdd[1] + gravity};  // gravity enters as an upward acceleration of the base
  const T w_hat = -qd[2], al_hat = -qdd[2];
  const V2<T> a_hat = add(a_hip, turn_acceleration(g.hat_com, w_hat, al_hat));
  const V2<T> f_hat = scale(a_hat, b.hat_mass);
  V2<T> f_total = f_hat;
  T moment_trunk = cross(g.hat_com, f_hat) + b.hat_inertia * al_hat;
  BipedVector<T> Q;
  for (int s = 0; s < 2; ++s) {
    const LegGeometry<T>& l = g.leg[s];
    const std::array<T, 4> w = leg_rates(qd, s);
    const std::array<T, 4> al = leg_rates(qdd, s);
    const V2<T> a_knee = add(a_hip, turn_acceleration(l.thigh, w[1], al[1]));
    const V2<T> a_ankle = add(a_knee, turn_acceleration(l.shank, w[2], al[2]));
    const V2<T> f_th = scale(add(a_hip, turn_acceleration(l.thigh_com, w[1], al[1])), b.thigh_mass);
    const V2<T> f_sh = scale(add(a_knee, turn_acceleration(l.shank_com, w[2], al[2])), b.shank_mass);
    const V2<T> f_f = scale(add(a_ankle, turn_acceleration(l.foot_com, w[3], al[3])), b.foot_mass);
    const T m_ankle = cross(l.foot_com, f_f) + b.foot_inertia * al[3];
    const T m_knee = m_ankle + cross(l.shank, f_f) + cross(l.shank_com, f_sh) + b.shank_inertia * al[2];
    const V2<T> f_below_knee = add(f_f, f_sh);
    const T m_hip = m_knee + cross(l.thigh, f_below_knee) + cross(l.thigh_com, f_th) + b.thigh_inertia * al[1];
    Q[5 + 3 * s] = m_ankle;
    Q[4 + 3 * s] = -m_knee;
    Q[3 + 3 * s] = m_hip;
    moment_trunk = moment_trunk + m_hip;
    f_total = add(f_total, add(f_below_knee, f_th));
  }
  Q[0] = f_total[0];
  Q[1] = f_total[1];
  Q[2] = -moment_trunk;
  return Q;
}

/// Ankle → point vector of a foot-frame point (m).
template <class T>
V2<T> foot_local(const LegGeometry<T>& l, double x_local, double y_local) {
  const T x(x_local), y(y_local);
  return {l.foot_x[0] * x + l.foot_y[0] * y, l.foot_x[1] * x + l.foot_y[1] * y};
}

/// Branch-free Cholesky solve A x = rhs of a symmetric positive definite 9×9 A (lower triangle read).
template <class T>
BipedVector<T> solve_spd9(const BipedMatrix<T>& A, const BipedVector<T>& rhs) {
  using std::sqrt;
  constexpr int n = kBipedDof;
  BipedMatrix<T> L = A;  // lower triangle overwritten by the factor; every entry stays defined
  BipedVector<T> inv_diag = rhs;
  for (int j = 0; j < n; ++j) {
    T d = A[j][j];
    for (int k = 0; k < j; ++k) d = d - L[j][k] * L[j][k];
    const T ljj = sqrt(d);
    inv_diag[j] = T(1.0) / ljj;
    L[j][j] = ljj;
    for (int i = j + 1; i < n; ++i) {
      T s = A[i][j];
      for (int k = 0; k < j; ++k) s = s - L[i][k] * L[j][k];
      L[i][j] = s * inv_diag[j];
    }
  }
  BipedVector<T> y = rhs;
  for (int i = 0; i < n; ++i) {
    T s = rhs[i];
    for (int k = 0; k < i; ++k) s = s - L[i][k] * y[k];
    y[i] = s * inv_diag[i];
  }
  BipedVector<T> x = rhs;
  for (int i = n - 1; i >= 0; --i) {
    T s = y[i];
    for (int k = i + 1; k < n; ++k) s = s - L[k][i] * x[k];
    x[i] = s * inv_diag[i];
  }
  return x;
}

}  // namespace detail

/// Inverse dynamics: the generalized forces Q = M(q) q̈ + h(q, q̇) (N on q0, q1; N·m on q2..q8) that
/// produce the accelerations q̈ (m/s², rad/s²) at the state (q, q̇), gravity kGravity along −y. The
/// equations of motion are biped_inverse_dynamics(b, q, q̇, q̈) = Q_applied, with Q_applied the joint
/// torques on their own coordinates plus Σ biped_foot_point_generalized_force(...) of the ground
/// forces. Q2 is the generalized force on the trunk lean (zero without an external torque on it).
template <class T>
BipedVector<T> biped_inverse_dynamics(const BipedConstants<T>& b, const BipedVector<T>& q,
                                      const BipedVector<T>& qd, const BipedVector<T>& qdd) {
  return detail::biped_rnea(b, detail::biped_geometry(b, q), qd, qdd, T(kGravity));
}

/// Mass matrix M(q) (9×9, symmetric positive definite; kg, kg·m, kg·m²) and bias h(q, q̇) (Coriolis,
/// centrifugal and gravity: N, N·m) with M q̈ + h = biped_inverse_dynamics(b, q, q̇, q̈). Column j of M
/// is the inverse dynamics of q̈ = e_j without velocity and gravity (both triangles are computed, so
/// symmetry is a check of the recursion, not of the construction).
template <class T>
void biped_mass_matrix_and_bias(const BipedConstants<T>& b, const BipedVector<T>& q, const BipedVector<T>& qd,
                                BipedMatrix<T>& M, BipedVector<T>& h) {
  const detail::BipedGeometry<T> g = detail::biped_geometry(b, q);
  BipedVector<T> zero;
  zero.fill(T(0.0));
  h = detail::biped_rnea(b, g, qd, zero, T(kGravity));
  for (int j = 0; j < kBipedDof; ++j) {
    BipedVector<T> e = zero;
    e[j] = T(1.0);
    const BipedVector<T> column = detail::biped_rnea(b, g, zero, e, T(0.0));
    for (int i = 0; i < kBipedDof; ++i) M[i][j] = column[i];
  }
}

/// Forward dynamics q̈ = M⁻¹ (Q − h) for applied generalized forces Q (N on q0, q1; N·m on q2..q8), by
/// a branch-free Cholesky factorization (reads the lower triangle of M). Meant for double (tests,
/// forward simulation); also valid for autodiff scalars.
template <class T>
BipedVector<T> biped_forward_dynamics(const BipedConstants<T>& b, const BipedVector<T>& q,
                                      const BipedVector<T>& qd, const BipedVector<T>& Q) {
  BipedMatrix<T> M;
  BipedVector<T> h;
  biped_mass_matrix_and_bias(b, q, qd, M, h);
  BipedVector<T> rhs = Q;
  for (int i = 0; i < kBipedDof; ++i) rhs[i] = Q[i] - h[i];
  return detail::solve_spd9(M, rhs);
}

}  // namespace legsim
