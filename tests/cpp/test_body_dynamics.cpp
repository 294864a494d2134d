// Planar body dynamics: mass matrix, bias forces, energy, free fall, static standing, inverse
// dynamics, and scalar vs SIMD lanes.
#include <array>
#include <cmath>
#include <random>

#include <Eigen/Dense>
#include <boost/numeric/odeint.hpp>
#include <catch2/catch.hpp>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/body/dynamics.hpp"
#include "legsim/body/params.hpp"

using namespace legsim;
namespace odeint = boost::numeric::odeint;

namespace {

using Ad = Eigen::AutoDiffScalar<Eigen::Matrix<double, 6, 1>>;

constexpr unsigned kSeed = 20240611u;
constexpr int kRandomStates = 50;
// M from the formula vs the Hessian of T (exact up to rounding: T is quadratic in q̇).
constexpr double kHessianRelTol = 1e-12;
// h vs Lagrange's equations with a central difference in time (step kLagrangeStep).
constexpr double kLagrangeStep = 1e-5;
constexpr double kLagrangeRelTol = 1e-7;
// Integrator tolerances and the bars tied to them.
constexpr double kOdeTol = 1e-10;
constexpr double kEnergyDriftPerOdeTol = 100.0;  // |ΔE| / E_scale ≤ this × kOdeTol
constexpr double kBallisticTol = 1e-8;           // m
constexpr double kStaticGrfRelTol = 1e-6;
// Damped settling from a 2 mm drop (a slow, lightly damped sway mode on the compliant sole remains).
constexpr double kSettleTime = 6.0;               // s
constexpr double kSettleContactDissipation = 5.0; // s/m
constexpr double kSettledVelocity = 1e-4;   // m/s or rad/s
constexpr double kSettledGrfRelTol = 1e-3;
constexpr double kInverseDynamicsTol = 1e-5;  // N·m (torques of a few N·m)
constexpr double kLaneRelTol = 1e-12;

BodyParams body() { return scale_body(70.0, 1.75); }

Vec6<double> random_q(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Vec6<double> q;
  q << 0.3 * u(rng), 1.0 + 0.1 * u(rng), 0.5 * u(rng), 0.8 * u(rng), 0.6 + 0.6 * u(rng),
      0.6 * u(rng);
  return q;
}

Vec6<double> random_qd(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Vec6<double> v;
  for (int i = 0; i < 6; ++i) v(i) = (i < 2 ? 3.0 : 8.0) * u(rng);
  return v;
}

// ∂T/∂q̇ by forward-mode autodiff.
Vec6<double> momentum(const BodyConstants<Ad>& b, const Vec6<double>& q, const Vec6<double>& qd) {
  Vec6<Ad> qa, qda;
  for (int i = 0; i < 6; ++i) {
    qa(i) = Ad(q(i));
    qda(i) = Ad(qd(i), 6, i);
  }
  return kinetic_energy(b, qa, qda).derivatives();
}

}  // namespace

TEST_CASE("mass matrix is symmetric positive definite", "[body]") {
  const BodyConstants<double> b = make_body_constants<double>(body());
  std::mt19937 rng(kSeed);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec6<double> q = random_q(rng);
    const Mat6<double> M = mass_matrix(b, q);
    CHECK((M - M.transpose()).cwiseAbs().maxCoeff() == 0.0);
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, 6, 6>> eig(M);
    CHECK(eig.eigenvalues().minCoeff() > 0.0);
    // Translational block is the total mass times identity.
    CHECK(M(0, 0) == Approx(70.0).epsilon(1e-12));
    CHECK(M(1, 1) == Approx(70.0).epsilon(1e-12));
    CHECK(M(0, 1) == Approx(0.0).margin(1e-12));
  }
}

TEST_CASE("mass matrix equals the Hessian of kinetic energy in q-dot", "[body]") {
  const BodyParams p = body();
  const BodyConstants<double> b = make_body_constants<double>(p);
  const BodyConstants<Ad> ba = make_body_constants<Ad>(p);
  std::mt19937 rng(kSeed + 1);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec6<double> q = random_q(rng);
    const Vec6<double> qd = random_qd(rng);
    const Mat6<double> M = mass_matrix(b, q);
    const Vec6<double> p0 = momentum(ba, q, qd);
    CHECK((p0 - M * qd).cwiseAbs().maxCoeff() <= kHessianRelTol * 100.0 * M.cwiseAbs().maxCoeff());
    for (int j = 0; j < 6; ++j) {
      const Vec6<double> col = momentum(ba, q, qd + Vec6<double>::Unit(j)) - p0;
      CHECK((col - M.col(j)).cwiseAbs().maxCoeff() <=
            kHessianRelTol * 100.0 * M.cwiseAbs().maxCoeff());
    }
  }
}

TEST_CASE("bias force satisfies Lagrange's equations", "[body]") {
  const BodyParams p = body();
  const BodyConstants<double> b = make_body_constants<double>(p);
  const BodyConstants<Ad> ba = make_body_constants<Ad>(p);
  std::mt19937 rng(kSeed + 2);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec6<double> q = random_q(rng);
    const Vec6<double> qd = random_qd(rng);
    // With q̈ = 0: d/dt ∂T/∂q̇ along q(t) = q + t·q̇, by a central difference.
    const Vec6<double> ddt_momentum = (momentum(ba, q + kLagrangeStep * qd, qd) -
                                       momentum(ba, q - kLagrangeStep * qd, qd)) /
                                      (2.0 * kLagrangeStep);
    Vec6<Ad> qa, qda;
    for (int i = 0; i < 6; ++i) {
      qa(i) = Ad(q(i), 6, i);
      qda(i) = Ad(qd(i));
    }
    const Vec6<double> dT_dq = kinetic_energy(ba, qa, qda).derivatives();
    const Vec6<double> dV_dq = potential_energy(ba, qa).derivatives();
    const Vec6<double> h_lagrange = ddt_momentum - dT_dq + dV_dq;
    const Vec6<double> h = bias_force(b, q, qd);
    const double scale = h_lagrange.cwiseAbs().maxCoeff();
    CHECK((h - h_lagrange).cwiseAbs().maxCoeff() <= kLagrangeRelTol * scale);
  }
}

namespace {

using State12 = std::array<double, 12>;
using State14 = std::array<double, 14>;

struct JointSpring {
  double stiffness = 0.0;  // N·m/rad on q3..q5 (conservative when damping = 0)
  double damping = 0.0;    // N·m·s/rad
  Vec6<double> reference = Vec6<double>::Zero();
};

Vec6<double> joint_torques(const JointSpring& s, const Vec6<double>& q, const Vec6<double>& qd) {
  Vec6<double> Q = Vec6<double>::Zero();
  for (int j = 3; j < 6; ++j) Q(j) = -s.stiffness * (q(j) - s.reference(j)) - s.damping * qd(j);
  return Q;
}

void unpack(const State12& x, Vec6<double>& q, Vec6<double>& qd) {
  for (int i = 0; i < 6; ++i) {
    q(i) = x[i];
    qd(i) = x[6 + i];
  }
}

}  // namespace

TEST_CASE("energy is conserved by a free passive leg", "[body]") {
  const BodyConstants<double> b = make_body_constants<double>(body());
  auto rhs = [&](const State12& x, State12& dx, double) {
    Vec6<double> q, qd;
    unpack(x, q, qd);
    const Vec6<double> qdd = forward_dynamics(b, q, qd, Vec6<double>::Zero());
    for (int i = 0; i < 6; ++i) {
      dx[i] = qd(i);
      dx[6 + i] = qdd(i);
    }
  };
  auto energy = [&](const State12& x) {
    Vec6<double> q, qd;
    unpack(x, q, qd);
    return kinetic_energy(b, q, qd) + potential_energy(b, q);
  };
  std::mt19937 rng(kSeed + 3);
  const Vec6<double> q0 = random_q(rng), qd0 = random_qd(rng);
  State12 x{};
  for (int i = 0; i < 6; ++i) {
    x[i] = q0(i);
    x[6 + i] = qd0(i);
  }
  const double e0 = energy(x);
  // Scale: kinetic energy plus the potential energy of lifting the body by its own height.
  const double scale = kinetic_energy(b, q0, qd0) + 70.0 * kGravity * 1.75;
  double worst = 0.0;
  odeint::integrate_const(odeint::make_dense_output(kOdeTol, kOdeTol, odeint::runge_kutta_dopri5<State12>()),
                          rhs, x, 0.0, 1.0, 0.01,
                          [&](const State12& s, double) { worst = std::max(worst, std::abs(energy(s) - e0)); });
  INFO("relative energy drift " << worst / scale);
  CHECK(worst / scale <= kEnergyDriftPerOdeTol * kOdeTol);
  CHECK(worst > 0.0);  // the check can fail: the state really moved
}

TEST_CASE("a free-flying leg's centre of mass follows the ballistic parabola", "[body]") {
  const BodyConstants<double> b = make_body_constants<double>(body());
  JointSpring spring{200.0, 0.0, Vec6<double>::Zero()};
  spring.reference << 0, 0, 0.1, 0.3, 0.5, 0.1;
  auto rhs = [&](const State12& x, State12& dx, double) {
    Vec6<double> q, qd;
    unpack(x, q, qd);
    const Vec6<double> qdd = forward_dynamics(b, q, qd, joint_torques(spring, q, qd));
    for (int i = 0; i < 6; ++i) {
      dx[i] = qd(i);
      dx[6 + i] = qdd(i);
    }
  };
  std::mt19937 rng(kSeed + 4);
  const Vec6<double> q0 = random_q(rng), qd0 = random_qd(rng);
  State12 x{};
  for (int i = 0; i < 6; ++i) {
    x[i] = q0(i);
    x[6 + i] = qd0(i);
  }
  const Kinematics<double> k0 = kinematics(b, q0, qd0);
  double worst = 0.0;
  odeint::integrate_const(
      odeint::make_dense_output(1e-12, 1e-12, odeint::runge_kutta_dopri5<State12>()), rhs, x, 0.0,
      0.5, 0.01, [&](const State12& s, double t) {
        Vec6<double> q, qd;
        unpack(s, q, qd);
        const Kinematics<double> k = kinematics(b, q, qd);
        const double x_exp = k0.body_com(0) + k0.body_com_velocity(0) * t;
        const double y_exp = k0.body_com(1) + k0.body_com_velocity(1) * t - 0.5 * kGravity * t * t;
        worst = std::max({worst, std::abs(k.body_com(0) - x_exp), std::abs(k.body_com(1) - y_exp)});
      });
  CHECK(worst <= kBallisticTol);
}

namespace {

// Static standing: stiff PD joints lock a standing pose (trunk upright, leg leaning slightly forward
// so the centre of mass is over the middle of the foot, foot flat).
struct Standing {
  BodyParams params = body();
  BodyConstants<double> b = make_body_constants<double>(params);
  BodyConstants<Ad> ba = make_body_constants<Ad>(params);
  ContactParams cp;
  JointSpring pd{3000.0, 300.0, Vec6<double>::Zero()};
  Standing() { pd.reference << 0, 0, 0, -0.06, 0, 0.06; }

  template <class T>
  Vec6<T> pd_torque(const Vec6<T>& q, const Vec6<T>& qd) const {
    Vec6<T> Q = Vec6<T>::Constant(T(0.0));
    for (int j = 3; j < 6; ++j) Q(j) = T(-pd.stiffness) * (q(j) - T(pd.reference(j))) - T(pd.damping) * qd(j);
    return Q;
  }

  void rhs(const State14& x, State14& dx) const {
    Vec6<double> q, qd;
    for (int i = 0; i < 6; ++i) {
      q(i) = x[i];
      qd(i) = x[6 + i];
    }
    const ContactForces<double> c = contact_forces(b, cp, q, qd, {x[12], x[13]});
    const Vec6<double> qdd = forward_dynamics(b, q, qd, Vec6<double>(pd_torque(q, qd) + c.generalized_force));
    for (int i = 0; i < 6; ++i) {
      dx[i] = qd(i);
      dx[6 + i] = qdd(i);
    }
    dx[12] = c.deflection_rate[0];
    dx[13] = c.deflection_rate[1];
  }

  // Static equilibrium at rest with zero bristle preload: Q_pd + Q_contact − h(q, 0) = 0. The
  // x-equation holds identically (no friction without preload), so q0 = 0 and Newton solves
  // rows 1..5 for q1..q5 (autodiff Jacobian).
  Vec6<double> solve_equilibrium() const {
    Vec6<double> q = pd.reference;
    q(1) = (params.thigh.length + params.shank.length) * std::cos(0.06) - params.foot.heel.y - 0.004;
    for (int it = 0; it < 50; ++it) {
      Vec6<Ad> qa, zero;
      for (int i = 0; i < 6; ++i) {
        qa(i) = Ad(q(i), 6, i);
        zero(i) = Ad(0.0);
      }
      const ContactForces<Ad> c = contact_forces(ba, cp, qa, zero, {Ad(0.0), Ad(0.0)});
      const Vec6<Ad> r = pd_torque(qa, zero) + c.generalized_force - bias_force(ba, qa, zero);
      Eigen::Matrix<double, 5, 5> J;
      Eigen::Matrix<double, 5, 1> rv;
      for (int i = 0; i < 5; ++i) {
        rv(i) = r(i + 1).value();
        for (int j = 0; j < 5; ++j) J(i, j) = r(i + 1).derivatives()(j + 1);
      }
      const Eigen::Matrix<double, 5, 1> step = J.partialPivLu().solve(rv);
      for (int i = 0; i < 5; ++i) q(i + 1) -= step(i);
      if (step.cwiseAbs().maxCoeff() < 1e-14) break;
    }
    return q;
  }
};

}  // namespace

TEST_CASE("static standing: vertical GRF equals body weight at rest", "[body]") {
  const Standing s;
  const Vec6<double> q = s.solve_equilibrium();
  const double weight = s.params.body_mass * kGravity;
  auto grf = [&](const State14& x) {
    Vec6<double> qq, qd;
    for (int i = 0; i < 6; ++i) {
      qq(i) = x[i];
      qd(i) = x[6 + i];
    }
    return contact_forces(s.b, s.cp, qq, qd, {x[12], x[13]});
  };
  State14 x{};
  for (int i = 0; i < 6; ++i) x[i] = q(i);
  ContactForces<double> c = grf(x);
  double fy = c.force[kHeel](1) + c.force[kMetatarsalHead](1);
  CHECK(std::abs(fy - weight) <= kStaticGrfRelTol * weight);
  // Both points carry load (the CoM is between heel and ball).
  CHECK(c.force[kHeel](1) > 0.1 * weight);
  CHECK(c.force[kMetatarsalHead](1) > 0.1 * weight);
  // The equilibrium is a rest point of the full dynamics (contact, friction, PD joints): starting
  // there, nothing moves and the GRF stays equal to body weight.
  State14 dx{};
  s.rhs(x, dx);
  double max_rate = 0.0;
  for (double v : dx) max_rate = std::max(max_rate, std::abs(v));
  CHECK(max_rate < 1e-9);
  odeint::integrate_adaptive(odeint::make_controlled(kOdeTol, kOdeTol, odeint::runge_kutta_dopri5<State14>()),
                             [&](const State14& y, State14& dy, double) { s.rhs(y, dy); }, x, 0.0, 1.0, 1e-4);
  double max_qd = 0.0;
  for (int i = 6; i < 12; ++i) max_qd = std::max(max_qd, std::abs(x[i]));
  CHECK(max_qd < 1e-7);
  c = grf(x);
  fy = c.force[kHeel](1) + c.force[kMetatarsalHead](1);
  CHECK(std::abs(fy - weight) <= kStaticGrfRelTol * weight);
}

TEST_CASE("standing: dropped from 2 mm, the damped body comes to rest on body weight", "[body]") {
  Standing s;
  const Vec6<double> q = s.solve_equilibrium();  // zero-velocity equilibrium does not depend on damping
  s.cp.dissipation = kSettleContactDissipation;  // damps the slow sway on the compliant sole
  State14 x{};
  for (int i = 0; i < 6; ++i) x[i] = q(i);
  x[1] += 0.002;
  odeint::integrate_adaptive(odeint::make_controlled(kOdeTol, kOdeTol, odeint::runge_kutta_dopri5<State14>()),
                             [&](const State14& y, State14& dy, double) { s.rhs(y, dy); }, x, 0.0, kSettleTime, 1e-4);
  Vec6<double> qq, qd;
  for (int i = 0; i < 6; ++i) {
    qq(i) = x[i];
    qd(i) = x[6 + i];
  }
  const ContactForces<double> c = contact_forces(s.b, s.cp, qq, qd, {x[12], x[13]});
  const double weight = s.params.body_mass * kGravity;
  const double fy = c.force[kHeel](1) + c.force[kMetatarsalHead](1);
  INFO("max |qd| = " << qd.cwiseAbs().maxCoeff() << ", Fy/W - 1 = " << fy / weight - 1.0);
  CHECK(qd.cwiseAbs().maxCoeff() < kSettledVelocity);
  CHECK(std::abs(fy - weight) <= kSettledGrfRelTol * weight);
}

TEST_CASE("inverse dynamics of a simulated motion returns the applied torques", "[body]") {
  const BodyConstants<double> b = make_body_constants<double>(body());
  auto applied = [](double t) {
    Vec6<double> Q = Vec6<double>::Zero();
    Q(3) = 5.0 * std::sin(3.0 * t);
    Q(4) = -3.0 * std::cos(2.0 * t);
    Q(5) = 2.0 * std::sin(5.0 * t + 0.3);
    return Q;
  };
  auto rhs = [&](const State12& x, State12& dx, double t) {
    Vec6<double> q, qd;
    unpack(x, q, qd);
    const Vec6<double> qdd = forward_dynamics(b, q, qd, applied(t));
    for (int i = 0; i < 6; ++i) {
      dx[i] = qd(i);
      dx[6 + i] = qdd(i);
    }
  };
  std::mt19937 rng(kSeed + 5);
  const Vec6<double> q0 = random_q(rng);
  State12 x0{};
  for (int i = 0; i < 6; ++i) x0[i] = q0(i);
  // Sample q̇ at t ± ε and differentiate numerically: q̈ comes from the integrated motion, not from
  // the forward-dynamics formula.
  constexpr double kEps = 1e-4;
  std::vector<double> times;
  for (int k = 1; k <= 8; ++k) {
    const double t = 0.1 * k;
    times.insert(times.end(), {t - 2 * kEps, t - kEps, t, t + kEps, t + 2 * kEps});
  }
  std::vector<State12> states;
  State12 x = x0;
  // A controlled stepper lands exactly on each requested time (dense-output interpolants are only
  // C⁰ across steps and would spoil the finite difference).
  odeint::integrate_times(odeint::make_controlled(1e-13, 1e-13, odeint::runge_kutta_dopri5<State12>()),
                          rhs, x, times.begin(), times.end(), 1e-4,
                          [&](const State12& s, double) { states.push_back(s); });
  REQUIRE(states.size() == times.size());
  double worst = 0.0;
  // Five-point central difference (error O(ε⁴)).
  for (std::size_t k = 0; k + 4 < states.size(); k += 5) {
    std::array<Vec6<double>, 5> qs, qds;
    for (int m = 0; m < 5; ++m) unpack(states[k + m], qs[m], qds[m]);
    const Vec6<double> qdd = (qds[0] - 8.0 * qds[1] + 8.0 * qds[3] - qds[4]) / (12.0 * kEps);
    const Vec6<double> Q = inverse_dynamics(b, qs[2], qds[2], qdd);
    worst = std::max(worst, (Q - applied(times[k + 2])).cwiseAbs().maxCoeff());
  }
  CHECK(worst <= kInverseDynamicsTol);
}

TEST_CASE("forward dynamics: SIMD lanes equal the scalar path", "[body][simd]") {
  constexpr std::size_t kL = BatchD::size;
  const BodyParams p = body();
  const BodyConstants<double> b = make_body_constants<double>(p);
  const BodyConstants<BatchD> bb = make_body_constants<BatchD>(p);
  std::mt19937 rng(kSeed + 6);
  std::uniform_real_distribution<double> u(-50.0, 50.0);
  for (int rep = 0; rep < 10; ++rep) {
    std::array<Vec6<double>, kL> q, qd, Q;
    for (std::size_t l = 0; l < kL; ++l) {
      q[l] = random_q(rng);
      qd[l] = random_qd(rng);
      for (int i = 0; i < 6; ++i) Q[l](i) = u(rng);
    }
    Vec6<BatchD> qb, qdb, Qb;
    for (int i = 0; i < 6; ++i) {
      alignas(64) double a[kL], c[kL], d[kL];
      for (std::size_t l = 0; l < kL; ++l) {
        a[l] = q[l](i);
        c[l] = qd[l](i);
        d[l] = Q[l](i);
      }
      qb(i) = BatchD::load_unaligned(a);
      qdb(i) = BatchD::load_unaligned(c);
      Qb(i) = BatchD::load_unaligned(d);
    }
    const Vec6<BatchD> qddb = forward_dynamics(bb, qb, qdb, Qb);
    for (std::size_t l = 0; l < kL; ++l) {
      const Vec6<double> qdd = forward_dynamics(b, q[l], qd[l], Q[l]);
      const double scale = qdd.cwiseAbs().maxCoeff();
      for (int i = 0; i < 6; ++i) CHECK(std::abs(qddb(i).get(l) - qdd(i)) <= kLaneRelTol * scale);
    }
  }
}

TEST_CASE("per-lane body constants", "[body][simd]") {
  constexpr std::size_t kL = BatchD::size;
  std::array<BodyParams, kL> lanes;
  for (std::size_t l = 0; l < kL; ++l) lanes[l] = scale_body(50.0 + 5.0 * l, 1.6 + 0.02 * l);
  const BodyConstants<BatchD> bb = make_body_constants<BatchD>(lanes.data(), kL);
  const Vec6<BatchD> q = Vec6<BatchD>::Constant(BatchD(0.2));
  const Mat6<BatchD> M = mass_matrix(bb, q);
  for (std::size_t l = 0; l < kL; ++l) {
    const Mat6<double> Ms = mass_matrix(make_body_constants<double>(lanes[l]), Vec6<double>::Constant(0.2));
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j) CHECK(M(i, j).get(l) == Approx(Ms(i, j)).epsilon(1e-14));
  }
}

TEST_CASE("solve_spd6 solves random SPD systems", "[body]") {
  std::mt19937 rng(kSeed + 7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int n = 0; n < 20; ++n) {
    Mat6<double> A0;
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j) A0(i, j) = u(rng);
    const Mat6<double> A = A0 * A0.transpose() + 0.1 * Mat6<double>::Identity();
    Vec6<double> rhs;
    for (int i = 0; i < 6; ++i) rhs(i) = u(rng);
    const Vec6<double> x = solve_spd6(A, rhs);
    CHECK((A * x - rhs).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + A.cwiseAbs().maxCoeff() * x.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("forward dynamics (hip translation eliminated first) equals a full LDLT solve", "[body]") {
  // forward_dynamics eliminates the hip accelerations through M's translation block, which must be
  // m·I exactly, and solves a 4×4 system; Eigen's own LDLT of the whole 6×6 M is the reference.
  const BodyParams p = body();
  const BodyConstants<double> b = make_body_constants<double>(p);
  std::mt19937 rng(kSeed + 9);
  std::uniform_real_distribution<double> u(-500.0, 500.0);
  for (int n = 0; n < 20; ++n) {
    const Vec6<double> q = random_q(rng), qd = random_qd(rng);
    Vec6<double> Q;
    for (int i = 0; i < 6; ++i) Q(i) = u(rng);
    Mat6<double> M;
    Vec6<double> h;
    mass_matrix_and_bias(b, q, qd, M, h);
    CHECK(M(0, 0) == b.total_mass);
    CHECK(M(1, 1) == b.total_mass);
    CHECK(M(0, 1) == 0.0);
    CHECK(M(1, 0) == 0.0);
    const Vec6<double> ref = M.ldlt().solve(Q - h);
    const Vec6<double> qdd = forward_dynamics(b, q, qd, Q);
    for (int i = 0; i < 6; ++i) CHECK(qdd(i) == Approx(ref(i)).epsilon(1e-10).margin(1e-9 * ref.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("generalized force of a foot-point force equals J^T F and does the same virtual work",
          "[body]") {
  const BodyParams p = body();
  const BodyConstants<double> b = make_body_constants<double>(p);
  std::mt19937 rng(kSeed + 8);
  for (int n = 0; n < 10; ++n) {
    const Vec6<double> q = random_q(rng), qd = random_qd(rng);
    const Vec2<double> F(120.0, 900.0);
    const Vec6<double> Q = foot_point_generalized_force(b, q, b.contact_point[kHeel], F);
    const Kinematics<double> k = kinematics(b, q, qd);
    // Virtual power: Qᵀ q̇ = F · v_point.
    CHECK(Q.dot(qd) == Approx(F.dot(k.contact_velocity[kHeel])).epsilon(1e-12));
    // Jacobian against a central difference of the position.
    const Jac2x6<double> J = foot_point_jacobian(b, q, b.contact_point[kHeel]);
    for (int j = 0; j < 6; ++j) {
      const double e = 1e-6;
      const Vec2<double> dp = (kinematics(b, Vec6<double>(q + e * Vec6<double>::Unit(j)), qd).contact[kHeel] -
                               kinematics(b, Vec6<double>(q - e * Vec6<double>::Unit(j)), qd).contact[kHeel]) /
                              (2.0 * e);
      CHECK((dp - J.col(j)).cwiseAbs().maxCoeff() < 1e-8);
    }
  }
}

TEST_CASE("kinematics follows the documented conventions", "[body]") {
  const BodyParams p = body();
  const BodyConstants<double> b = make_body_constants<double>(p);
  Vec6<double> q = Vec6<double>::Zero();
  q(1) = 1.0;
  const Vec6<double> qd = Vec6<double>::Zero();
  // q = 0: trunk up, leg straight down, foot flat.
  Kinematics<double> k = kinematics(b, q, qd);
  CHECK(k.knee(0) == Approx(0.0).margin(1e-15));
  CHECK(k.knee(1) == Approx(1.0 - p.thigh.length));
  CHECK(k.ankle(1) == Approx(1.0 - p.thigh.length - p.shank.length));
  CHECK(k.contact[kHeel](1) == Approx(k.contact[kMetatarsalHead](1)));
  CHECK(k.contact[kMetatarsalHead](0) > k.contact[kHeel](0));
  CHECK(k.segment_com[kTrunk](1) == Approx(1.0 + p.trunk.com_from_proximal));
  // Hip flexion moves the knee forward; knee flexion moves the ankle back; dorsiflexion lifts the toe.
  q(3) = 0.3;
  k = kinematics(b, q, qd);
  CHECK(k.knee(0) > 0.0);
  q(3) = 0.0;
  q(4) = 0.3;
  k = kinematics(b, q, qd);
  CHECK(k.ankle(0) < 0.0);
  q(4) = 0.0;
  q(5) = 0.2;
  k = kinematics(b, q, qd);
  CHECK(k.contact[kMetatarsalHead](1) > k.contact[kHeel](1));
  // Trunk lean forward moves the trunk CoM forward.
  q(5) = 0.0;
  q(2) = 0.2;
  k = kinematics(b, q, qd);
  CHECK(k.segment_com[kTrunk](0) > 0.0);
}
