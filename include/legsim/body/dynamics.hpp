#pragma once
// Planar rigid-body dynamics of the running leg (DESIGN 3.1): mass matrix, bias, forward and inverse
// dynamics, energies, and the foot–ground contact forces at the heel and the metatarsal heads
// (DESIGN 3.2). Coordinates, geometry, kinematics and point Jacobians: body/kinematics.hpp.
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

#include <Eigen/Core>

#include "legsim/body/contact.hpp"
#include "legsim/body/kinematics.hpp"
#include "legsim/core/ops.hpp"

namespace legsim {

namespace detail {

/// The equations of motion in the segment velocities v = A·q̇ (see mass_matrix_and_bias): the first
/// moments P_k (kg·m), the angle–angle block M_v[k, l] (kg·m²) and the bias h_v. The rest of M_v
/// follows from them: M_v[0:2, 0:2] = m·I, M_v[0:2, k] = perp(P_k).
template <class T>
struct VelocitySpaceDynamics {
  std::array<Vec2<T>, kNumSegments> P;
  T Mv[kNumSegments][kNumSegments];
  Vec6<T> hv;
};

template <class T>
VelocitySpaceDynamics<T> velocity_space_dynamics(const BodyConstants<T>& b, const ChainGeometry<T>& g) {
  const T m_tr = b.mass[kTrunk], m_th = b.mass[kThigh], m_sh = b.mass[kShank], m_f = b.mass[kFoot];
  const T distal_of_thigh = m_sh + m_f;  // masses beyond the knee (kg)
  // Segment vectors and first moments P_k (kg·m).
  const Vec2<T> r_foot = g.foot_x * b.foot_com(0) + g.foot_y * b.foot_com(1);  // ankle → foot CoM
  const T moment_tr = m_tr * b.trunk_com;
  const T moment_th = m_th * b.thigh_com + distal_of_thigh * b.thigh_length;
  const T moment_sh = m_sh * b.shank_com + m_f * b.shank_length;
  VelocitySpaceDynamics<T> out;
  std::array<Vec2<T>, kNumSegments>& P = out.P;
  P = {g.trunk_dir * moment_tr, g.thigh_dir * moment_th, g.shank_dir * moment_sh, r_foot * m_f};
  // Angle–angle block M_v[k, l] and cross sums C_kl (k < l; the others vanish or follow by symmetry).
  const Vec2<T> thigh = g.thigh_dir * b.thigh_length, shank = g.shank_dir * b.shank_length;
  const auto dot = [](const Vec2<T>& u, const Vec2<T>& w) { return T(u(0) * w(0) + u(1) * w(1)); };
  const auto cross = [](const Vec2<T>& u, const Vec2<T>& w) { return T(u(0) * w(1) - u(1) * w(0)); };
  auto& Mv = out.Mv;
  T C[kNumSegments][kNumSegments];
  for (int k = 0; k < kNumSegments; ++k)
    for (int l = 0; l < kNumSegments; ++l) Mv[k][l] = C[k][l] = T(0.0);
  Mv[kTrunk][kTrunk] = moment_tr * b.trunk_com + b.inertia[kTrunk];
  Mv[kThigh][kThigh] = m_th * b.thigh_com * b.thigh_com + distal_of_thigh * b.thigh_length * b.thigh_length +
                       b.inertia[kThigh];
  Mv[kShank][kShank] = m_sh * b.shank_com * b.shank_com + m_f * b.shank_length * b.shank_length + b.inertia[kShank];
  Mv[kFoot][kFoot] = m_f * dot(r_foot, r_foot) + b.inertia[kFoot];
  Mv[kThigh][kShank] = Mv[kShank][kThigh] = dot(thigh, P[kShank]);
  Mv[kThigh][kFoot] = Mv[kFoot][kThigh] = dot(thigh, P[kFoot]);
  Mv[kShank][kFoot] = Mv[kFoot][kShank] = dot(shank, P[kFoot]);
  C[kThigh][kShank] = cross(thigh, P[kShank]);
  C[kThigh][kFoot] = cross(thigh, P[kFoot]);
  C[kShank][kFoot] = cross(shank, P[kFoot]);
  for (int k = 0; k < kNumSegments; ++k)
    for (int l = 0; l < k; ++l) C[k][l] = -C[l][k];
  // h_v.
  T w2[kNumSegments];
  for (int k = 0; k < kNumSegments; ++k) w2[k] = g.omega[k] * g.omega[k];
  Vec6<T>& hv = out.hv;
  hv(0) = T(0.0);
  hv(1) = b.total_mass * T(kGravity);
  for (int k = 0; k < kNumSegments; ++k) {
    hv(0) -= P[k](0) * w2[k];
    hv(1) -= P[k](1) * w2[k];
    T s = T(kGravity) * P[k](0);
    for (int l = 0; l < kNumSegments; ++l)
      if (l != k) s -= C[k][l] * w2[l];  // structure (l ≠ k), not a value of T
    hv(2 + k) = s;
  }
  return out;
}

}  // namespace detail

/// Mass matrix M(q) (6×6, symmetric positive definite) and bias h(q, q̇) (Coriolis, centrifugal and
/// gravity; N or N·m) such that M q̈ + h = Q.
///
/// Computed in the velocities v = (ẋ_hip, ẏ_hip, ω_trunk, ω_thigh, ω_shank, ω_foot) = A·q̇ (A's
/// angle rows are the constant S_k above) and mapped back, M = Aᵀ M_v A, h = Aᵀ h_v: the segment
/// sums of the file comment then reduce to a few dot and cross products (issue 22.5: a third of
/// the former per-segment Jᵀ J cost). With r_{s,k} the vector of segment k on the path from the hip
/// to segment s's centre of mass, P_k = Σ_s m_s r_{s,k} (first moments) and
///   M_v[0:2, 0:2] = m·I,  M_v[0:2, k] = perp(P_k),
///   M_v[k, l] = Σ_s m_s r_{s,k}·r_{s,l} + δ_kl I_k,
///   h_v[0:2] = −Σ_k P_k ω_k² + m g e_y,  h_v[k] = −Σ_l C_kl ω_l² + g P_k,x,  C_kl = Σ_s m_s r_{s,k} × r_{s,l}
/// (× the planar cross product; perp(r)·u = r × u). The trunk shares no segment path with the leg,
/// so its angle couples to the leg angles only through the hip translation.
template <class T>
void mass_matrix_and_bias(const BodyConstants<T>& b, const detail::ChainGeometry<T>& g, Mat6<T>& M, Vec6<T>& h) {
  const detail::VelocitySpaceDynamics<T> v = detail::velocity_space_dynamics(b, g);
  const std::array<Vec2<T>, kNumSegments>& P = v.P;
  const auto& Mv = v.Mv;
  const Vec6<T>& hv = v.hv;
  // M_v as one 6×6 matrix, then M = Aᵀ M_v A and h = Aᵀ h_v. A's angle part is cumulative with
  // alternating signs (detail::kAngleRow): ω_k = Σ_{j ≤ k} s_j q̇_j over q2..q5 with s = (−1, +1, −1,
  // +1), so column j of M_v A is s_j times the sum of M_v's columns j..5 (suffix sums), and Aᵀ acts
  // on the rows the same way.
  Mat6<T> Mvq;
  Mvq(0, 0) = Mvq(1, 1) = b.total_mass;
  Mvq(0, 1) = Mvq(1, 0) = T(0.0);
  for (int k = 0; k < kNumSegments; ++k) {
    Mvq(0, 2 + k) = Mvq(2 + k, 0) = T(-P[k](1));  // perp(P_k) = (−P_y, P_x)
    Mvq(1, 2 + k) = Mvq(2 + k, 1) = P[k](0);
    for (int l = 0; l < kNumSegments; ++l) Mvq(2 + k, 2 + l) = Mv[k][l];
  }
  Mat6<T> B;  // M_v A
  for (int i = 0; i < kDof; ++i) {
    B(i, 0) = Mvq(i, 0);
    B(i, 1) = Mvq(i, 1);
    T sum = Mvq(i, kDof - 1);
    B(i, kDof - 1) = sum;
    for (int j = kDof - 2; j >= 2; --j) {
      sum += Mvq(i, j);
      B(i, j) = detail::kAngleSign[j] > 0 ? sum : T(-sum);  // sign: a structure constant
    }
  }
  for (int j = 0; j < kDof; ++j) {
    M(0, j) = B(0, j);
    M(1, j) = B(1, j);
    T sum = B(kDof - 1, j);
    M(kDof - 1, j) = sum;
    for (int i = kDof - 2; i >= 2; --i) {
      sum += B(i, j);
      M(i, j) = detail::kAngleSign[i] > 0 ? sum : T(-sum);
    }
  }
  for (int i = 0; i < kDof; ++i)  // exactly symmetric: the two triangles were summed in different orders
    for (int j = 0; j < i; ++j) M(i, j) = M(j, i);
  h(0) = hv(0);
  h(1) = hv(1);
  T sum = hv(kDof - 1);
  h(kDof - 1) = sum;
  for (int i = kDof - 2; i >= 2; --i) {
    sum += hv(i);
    h(i) = detail::kAngleSign[i] > 0 ? sum : T(-sum);
  }
}

template <class T>
void mass_matrix_and_bias(const BodyConstants<T>& b, const VecArg6<T>& q, const VecArg6<T>& qd, Mat6<T>& M,
                          Vec6<T>& h) {
  mass_matrix_and_bias(b, detail::chain_geometry<T>(q, qd), M, h);
}

template <class T>
Mat6<T> mass_matrix(const BodyConstants<T>& b, const VecArg6<T>& q) {
  Mat6<T> M;
  Vec6<T> h;
  mass_matrix_and_bias<T>(b, q, Vec6<T>::Constant(T(0.0)), M, h);
  return M;
}

template <class T>
Vec6<T> bias_force(const BodyConstants<T>& b, const VecArg6<T>& q, const VecArg6<T>& qd) {
  Mat6<T> M;
  Vec6<T> h;
  mass_matrix_and_bias(b, q, qd, M, h);
  return h;
}

/// Solves A x = rhs for a symmetric positive definite N×N A by a hand-written LDLᵀ factorization
/// (L unit lower triangular, D diagonal > 0; no pivoting, no branches: works for double, autodiff
/// and SIMD batches). Only the lower triangle of A is read. LDLᵀ rather than Cholesky (L Lᵀ): no
/// square roots, and one reciprocal per column in the factorization's dependent chain instead of a
/// square root followed by a reciprocal (issue 22.5: the solve is part of every right-hand side).
template <int N, class T>
Eigen::Matrix<T, N, 1> solve_spd(const Eigen::Matrix<T, N, N>& A, const Eigen::Matrix<T, N, 1>& rhs) {
  Eigen::Matrix<T, N, N> L;      // strictly lower part used
  std::array<T, N> d, inv_d;     // D and D⁻¹
  std::array<T, N> ld;           // L(j, k)·D(k), k < j, for the current column j
  ld.fill(T(0.0));               // (read only below j; filled so no compiler sees it uninitialized)
  for (int j = 0; j < N; ++j) {
    T dj = A(j, j);
    for (int k = 0; k < j; ++k) {
      ld[k] = L(j, k) * d[k];
      dj -= L(j, k) * ld[k];
    }
    d[j] = dj;
    inv_d[j] = T(1.0) / dj;
    for (int i = j + 1; i < N; ++i) {
      T s = A(i, j);
      for (int k = 0; k < j; ++k) s -= L(i, k) * ld[k];
      L(i, j) = s * inv_d[j];
    }
  }
  Eigen::Matrix<T, N, 1> y;  // L y = rhs
  for (int i = 0; i < N; ++i) {
    T s = rhs(i);
    for (int k = 0; k < i; ++k) s -= L(i, k) * y(k);
    y(i) = s;
  }
  Eigen::Matrix<T, N, 1> x;  // Lᵀ x = D⁻¹ y
  for (int i = N - 1; i >= 0; --i) {
    T s = y(i) * inv_d[i];
    for (int k = i + 1; k < N; ++k) s -= L(k, i) * x(k);
    x(i) = s;
  }
  return x;
}

/// solve_spd for the 6×6 systems of the body.
template <class T>
Vec6<T> solve_spd6(const Mat6<T>& A, const Vec6<T>& rhs) {
  return solve_spd<kDof, T>(A, rhs);
}

/// Forward dynamics q̈ = M⁻¹ (Q − h) for generalized forces Q (N on q0, q1; N·m on q2..q5), for the
/// geometry g = detail::chain_geometry(q, q̇) of the configuration.
///
/// Solved in v rather than q: M_v's blocks are a few dot products (mass_matrix_and_bias), M's are
/// their congruence Aᵀ M_v A (two 6×6 suffix-sum passes). With v̇ = A q̈ (A constant), M q̈ + h = Q
/// is Aᵀ(M_v v̇ + h_v) = Aᵀ Q_v, i.e. M_v v̇ = Q_v − h_v with Q_v = A⁻ᵀ Q. M_v's translation block is
/// m·I and its translation–angle block perp(P_k), so the hip accelerations are eliminated first (a
/// Schur complement):
///   K ω̇ = r_θ − (perp(P_k)·r_0:2)/m,  K[k, l] = M_v[k, l] − (P_k·P_l)/m  (perp(P_k)·perp(P_l) = P_k·P_l),
///   ẍ_hip = (r_0:2 − Σ_k perp(P_k) ω̇_k)/m,  r = Q_v − h_v,
/// a 4×4 LDLᵀ without the congruence (issue 22.5: the absolute segment angles as coordinates, derived
/// from the file comment's equations). A is cumulative with alternating signs (detail::kAngleSign,
/// s_j): ω_k = Σ_{j≤k} s_j q̇_(2+j), so q̈_(2+k) = s_k (ω̇_k − ω̇_(k−1)) and
/// Q_v[k] = s_k Q_(2+k) − s_(k+1) Q_(3+k) (the net torque on segment k: its proximal joint's less its
/// distal joint's). (Factoring K ahead of the stance's muscle forces, to overlap their latency, was
/// measured slower than this in one piece after them: docs/decisions.md.)
template <class T>
Vec6<T> forward_dynamics(const BodyConstants<T>& b, const detail::ChainGeometry<T>& g, const VecArg6<T>& Q) {
  const detail::VelocitySpaceDynamics<T> v = detail::velocity_space_dynamics(b, g);
  const T inv_m = T(1.0) / b.total_mass;
  Eigen::Matrix<T, kNumSegments, kNumSegments> K;
  for (int k = 0; k < kNumSegments; ++k)
    for (int l = 0; l <= k; ++l)
      K(k, l) = K(l, k) = v.Mv[k][l] - T(v.P[k](0) * v.P[l](0) + v.P[k](1) * v.P[l](1)) * inv_m;
  const auto signed_value = [](int j, const T& x) { return detail::kAngleSign[j] > 0 ? x : T(-x); };  // structure
  const T r0 = Q(0) - v.hv(0), r1 = Q(1) - v.hv(1);
  Eigen::Matrix<T, kNumSegments, 1> r;
  for (int k = 0; k < kNumSegments; ++k) {
    T q_v = signed_value(2 + k, Q(2 + k));
    if (k + 1 < kNumSegments) q_v -= signed_value(3 + k, Q(3 + k));
    r(k) = q_v - v.hv(2 + k) - (v.P[k](0) * r1 - v.P[k](1) * r0) * inv_m;
  }
  const Eigen::Matrix<T, kNumSegments, 1> w = solve_spd<kNumSegments, T>(K, r);  // segment angular accelerations
  Vec6<T> qdd;
  T t0 = r0, t1 = r1;
  for (int k = 0; k < kNumSegments; ++k) {
    t0 += v.P[k](1) * w(k);
    t1 -= v.P[k](0) * w(k);
    qdd(2 + k) = signed_value(2 + k, k == 0 ? w(k) : T(w(k) - w(k - 1)));
  }
  qdd(0) = t0 * inv_m;
  qdd(1) = t1 * inv_m;
  return qdd;
}

/// Forward dynamics q̈ = M⁻¹ (Q − h) for generalized forces Q (N on q0, q1; N·m on q2..q5).
template <class T>
Vec6<T> forward_dynamics(const BodyConstants<T>& b, const VecArg6<T>& q, const VecArg6<T>& qd,
                         const VecArg6<T>& Q) {
  return forward_dynamics(b, detail::chain_geometry<T>(q, qd), Q);
}

/// Inverse dynamics Q = M q̈ + h.
template <class T>
Vec6<T> inverse_dynamics(const BodyConstants<T>& b, const VecArg6<T>& q, const VecArg6<T>& qd,
                         const VecArg6<T>& qdd) {
  Mat6<T> M;
  Vec6<T> h;
  mass_matrix_and_bias(b, q, qd, M, h);
  Vec6<T> Q;
  for (int i = 0; i < kDof; ++i) {
    T s = h(i);
    for (int j = 0; j < kDof; ++j) s += M(i, j) * qdd(j);
    Q(i) = s;
  }
  return Q;
}

/// Kinetic energy Σ ½ m |v_com|² + ½ I ω² (J), from the segment velocities (independent of M).
template <class T>
T kinetic_energy(const BodyConstants<T>& b, const VecArg6<T>& q, const VecArg6<T>& qd) {
  const Kinematics<T> k = kinematics(b, q, qd);
  T e(0.0);
  for (int s = 0; s < kNumSegments; ++s) {
    const Vec2<T>& v = k.segment_com_velocity[s];
    const T w = k.segment_angular_velocity[s];
    e += T(0.5) * (b.mass[s] * T(v(0) * v(0) + v(1) * v(1)) + b.inertia[s] * T(w * w));
  }
  return e;
}

/// Gravitational potential energy Σ m g y_com (J), zero at y = 0.
template <class T>
T potential_energy(const BodyConstants<T>& b, const VecArg6<T>& q) {
  const detail::ChainGeometry<T> g = detail::chain_geometry<T>(q, Vec6<T>::Constant(T(0.0)));
  T e(0.0);
  for (int s = 0; s < kNumSegments; ++s) {
    const Vec2<T> p = detail::position(q, detail::segment_com_point(b, g, s));
    e += b.mass[s] * T(kGravity) * p(1);
  }
  return e;
}

/// Forces of both contact points.
template <class T>
struct ContactForces {
  std::array<Vec2<T>, kNumContacts> force;  ///< on the foot at heel, metatarsal head: (friction, normal) (N)
  std::array<T, kNumContacts> deflection_rate;  ///< bristle deflection rates ż (m/s)
  Vec6<T> generalized_force;                    ///< Σ J_cᵀ F_c
};

/// Contact forces (ground y = 0) at the heel and the metatarsal head for bristle deflections z (m),
/// their rates and the generalized force on q.
template <class T>
ContactForces<T> contact_forces(const BodyConstants<T>& b, const ContactParams& cp, const VecArg6<T>& q,
                                const VecArg6<T>& qd, const std::type_identity_t<std::array<T, kNumContacts>>& deflection) {
  const detail::ChainGeometry<T> g = detail::chain_geometry<T>(q, qd);
  ContactForces<T> out;
  out.generalized_force.setConstant(T(0.0));
  for (int c = 0; c < kNumContacts; ++c) {
    const detail::ChainPoint<T> p = detail::foot_point(b, g, b.contact_point[c]);
    const Vec2<T> x = detail::position(q, p);
    const Vec2<T> v = detail::velocity(qd, g, p);
    const T fn = contact_normal_force(T(-x(1)), T(-v(1)), cp);
    const BristleFriction<T> fr = bristle_friction(deflection[c], v(0), fn, cp);
    out.force[c] = Vec2<T>(fr.force, fn);
    out.deflection_rate[c] = fr.deflection_rate;
    const Jac2x6<T> J = detail::jacobian(p);
    for (int j = 0; j < kDof; ++j)
      out.generalized_force(j) += J(0, j) * fr.force + J(1, j) * fn;
  }
  return out;
}

/// Elastic energy stored in the contact (normal springs and bristles) (J).
template <class T>
T contact_energy(const BodyConstants<T>& b, const ContactParams& cp, const VecArg6<T>& q,
                 const std::type_identity_t<std::array<T, kNumContacts>>& deflection) {
  const detail::ChainGeometry<T> g = detail::chain_geometry<T>(q, Vec6<T>::Constant(T(0.0)));
  T e(0.0);
  for (int c = 0; c < kNumContacts; ++c) {
    const Vec2<T> x = detail::position(q, detail::foot_point(b, g, b.contact_point[c]));
    e += contact_normal_energy(T(-x(1)), cp) + bristle_energy(deflection[c], cp);
  }
  return e;
}

}  // namespace legsim
