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

/// Mass matrix M(q) (6×6, symmetric positive definite) and bias h(q, q̇) (Coriolis, centrifugal and
/// gravity; N or N·m) such that M q̈ + h = Q.
template <class T>
void mass_matrix_and_bias(const BodyConstants<T>& b, const detail::ChainGeometry<T>& g, Mat6<T>& M, Vec6<T>& h) {
  M.setConstant(T(0.0));
  h.setConstant(T(0.0));
  const T gravity(kGravity);
  for (int s = 0; s < kNumSegments; ++s) {
    const detail::ChainPoint<T> p = detail::segment_com_point(b, g, s);
    const Jac2x6<T> J = detail::jacobian(p);
    const Vec2<T> a = detail::velocity_product(g, p);
    const T m = b.mass[s];
    const T ax = m * a(0);
    const T ay = m * (a(1) + gravity);
    for (int i = 0; i < kDof; ++i) {
      const T mJ0 = m * J(0, i), mJ1 = m * J(1, i);
      for (int j = i; j < kDof; ++j) M(i, j) += mJ0 * J(0, j) + mJ1 * J(1, j);
      h(i) += J(0, i) * ax + J(1, i) * ay;
    }
    // Rotational part I_s S_sᵀ S_s (S constant).
    for (int i = 2; i < kDof; ++i) {
      const double si = detail::kAngleRow[s][i];
      if (si == 0.0) continue;  // structure constant, not a value of T
      for (int j = i; j < kDof; ++j) {
        const double sj = detail::kAngleRow[s][j];
        if (sj != 0.0) M(i, j) += T(si * sj) * b.inertia[s];
      }
    }
  }
  for (int i = 0; i < kDof; ++i)
    for (int j = 0; j < i; ++j) M(i, j) = M(j, i);
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

/// Solves A x = rhs for a symmetric positive definite 6×6 A by a hand-written LDLᵀ factorization
/// (L unit lower triangular, D diagonal > 0; no pivoting, no branches: works for double, autodiff
/// and SIMD batches). Only the lower triangle of A is read. LDLᵀ rather than Cholesky (L Lᵀ): no
/// square roots, and one reciprocal per column in the factorization's dependent chain instead of a
/// square root followed by a reciprocal (issue 22.5: the solve is part of every right-hand side).
template <class T>
Vec6<T> solve_spd6(const Mat6<T>& A, const Vec6<T>& rhs) {
  Mat6<T> L;                        // strictly lower part used
  std::array<T, kDof> d, inv_d;     // D and D⁻¹
  for (int j = 0; j < kDof; ++j) {
    std::array<T, kDof> ld;         // L(j, k)·D(k), k < j
    T dj = A(j, j);
    for (int k = 0; k < j; ++k) {
      ld[k] = L(j, k) * d[k];
      dj -= L(j, k) * ld[k];
    }
    d[j] = dj;
    inv_d[j] = T(1.0) / dj;
    for (int i = j + 1; i < kDof; ++i) {
      T s = A(i, j);
      for (int k = 0; k < j; ++k) s -= L(i, k) * ld[k];
      L(i, j) = s * inv_d[j];
    }
  }
  Vec6<T> y;  // L y = rhs
  for (int i = 0; i < kDof; ++i) {
    T s = rhs(i);
    for (int k = 0; k < i; ++k) s -= L(i, k) * y(k);
    y(i) = s;
  }
  Vec6<T> x;  // Lᵀ x = D⁻¹ y
  for (int i = kDof - 1; i >= 0; --i) {
    T s = y(i) * inv_d[i];
    for (int k = i + 1; k < kDof; ++k) s -= L(k, i) * x(k);
    x(i) = s;
  }
  return x;
}

/// Forward dynamics q̈ = M⁻¹ (Q − h) for generalized forces Q (N on q0, q1; N·m on q2..q5), for the
/// geometry g = detail::chain_geometry(q, q̇) of the configuration.
template <class T>
Vec6<T> forward_dynamics(const BodyConstants<T>& b, const detail::ChainGeometry<T>& g, const VecArg6<T>& Q) {
  Mat6<T> M;
  Vec6<T> h;
  mass_matrix_and_bias(b, g, M, h);
  Vec6<T> rhs;
  for (int i = 0; i < kDof; ++i) rhs(i) = Q(i) - h(i);
  return solve_spd6(M, rhs);
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
