// Two-legged body (body/biped.hpp): HAT parameters from Winter, validation messages, mass matrix
// against the kinetic energy, bias against Lagrange's equations, inverse/forward round trip, free fall,
// free-flight invariants (energy, linear and angular momentum), foot-point Jacobian, leg-swap symmetry,
// and parity with the one-legged chain of body/dynamics.hpp.
#include <array>
#include <cmath>
#include <random>
#include <string>

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/body/biped.hpp"
#include "legsim/body/dynamics.hpp"
#include "legsim/body/params.hpp"
#include "legsim/core/error.hpp"

using namespace legsim;

namespace {

using Vec9 = BipedVector<double>;
using Ad = Eigen::AutoDiffScalar<Eigen::Matrix<double, kBipedDof, 1>>;

constexpr unsigned kSeed = 20260419u;
constexpr int kRandomStates = 50;
constexpr double kRelTol = 1e-12;
// M against the polarization of the kinetic energy (exact for a quadratic form up to rounding).
constexpr double kPolarizationRelTol = 1e-11;
// h against Lagrange's equations, d/dt ∂T/∂q̇ by a central difference of step kLagrangeStep.
constexpr double kLagrangeStep = 1e-5;
constexpr double kLagrangeRelTol = 1e-7;
constexpr double kRoundTripTol = 1e-9;  // rad/s² or m/s² on accelerations of order 10–100
// Central differences of the foot point (step kFdStep; truncation error ~ step²).
constexpr double kFdStep = 1e-6;
constexpr double kFdTol = 1e-7;
// Free flight: RK4 with step kRk4Step over kFlightTime. At joint rates of a few rad/s the RK4 error is
// at rounding level (measured |ΔE| ≈ 5e-12 J of ≈ 1000 J for steps 1e-4 to 4e-4 s); the bars leave a
// margin of ~100 and would catch a wrong Coriolis term by orders of magnitude.
constexpr double kRk4Step = 2e-4;  // s
constexpr double kFlightTime = 0.4;  // s
constexpr double kEnergyRelTol = 1e-12;
constexpr double kMomentumTol = 1e-9;  // kg·m/s
constexpr double kAngularMomentumTol = 1e-8;  // kg·m²/s
constexpr double kParityRelTol = 1e-10;

BipedParams biped() { return biped_params(scale_body(70.0, 1.75)); }

Vec9 random_q(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Vec9 q;
  q[0] = 0.3 * u(rng);
  q[1] = 1.0 + 0.1 * u(rng);
  q[2] = 0.5 * u(rng);
  for (const Side s : {Side::kRight, Side::kLeft}) {
    q[hip_index(s)] = 0.3 + 0.9 * u(rng);
    q[knee_index(s)] = 0.8 + 0.8 * u(rng);
    q[ankle_index(s)] = 0.6 * u(rng);
  }
  return q;
}

Vec9 random_qd(std::mt19937& rng, double translation = 3.0, double rotation = 8.0) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Vec9 v;
  for (int i = 0; i < kBipedDof; ++i) v[i] = (i < 2 ? translation : rotation) * u(rng);
  return v;
}

Vec9 axpy(double a, const Vec9& x, const Vec9& y) {  // a·x + y
  Vec9 r;
  for (int i = 0; i < kBipedDof; ++i) r[i] = a * x[i] + y[i];
  return r;
}

Vec9 unit(int j) {
  Vec9 e{};
  e[j] = 1.0;
  return e;
}

double max_abs(const Vec9& v) {
  double m = 0.0;
  for (const double x : v) m = std::max(m, std::abs(x));
  return m;
}

double max_abs_diff(const Vec9& a, const Vec9& b) {
  double m = 0.0;
  for (int i = 0; i < kBipedDof; ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

template <class F>
std::string input_error_message(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

// Angular momentum about the whole-body CoM, Σ m (r − c) × v + I ω (kg·m²/s).
double angular_momentum(const BipedConstants<double>& b, const Vec9& q, const Vec9& qd) {
  const BipedKinematics<double> k = biped_kinematics(b, q, qd);
  const std::array<double, kBipedNumSegments> m = {b.hat_mass,   b.thigh_mass, b.shank_mass, b.foot_mass,
                                                   b.thigh_mass, b.shank_mass, b.foot_mass};
  const std::array<double, kBipedNumSegments> inertia = {b.hat_inertia,   b.thigh_inertia, b.shank_inertia,
                                                         b.foot_inertia,  b.thigh_inertia, b.shank_inertia,
                                                         b.foot_inertia};
  double l = 0.0;
  for (int i = 0; i < kBipedNumSegments; ++i) {
    const double rx = k.segment_com[i][0] - k.com[0], ry = k.segment_com[i][1] - k.com[1];
    const std::array<double, 2>& v = k.segment_com_velocity[i];
    l += m[i] * (rx * v[1] - ry * v[0]) + inertia[i] * k.segment_angular_velocity[i];
  }
  return l;
}

}  // namespace

TEST_CASE("biped_params: legs of de Leva, HAT of Winter (2009) Table 4.1", "[body][biped]") {
  const double mass = 70.0, height = 1.75;
  const BodyParams body = scale_body(mass, height);
  const BipedParams p = biped_params(body);
  // de Leva (1996) male leg: thigh 0.1416, shank 0.0433, foot 0.0137 of body mass.
  const double leg_mass = (0.1416 + 0.0433 + 0.0137) * mass;
  const double hat_length = (0.818 - 0.530) * height;  // greater trochanter → glenohumeral joint
  CHECK(p.body_mass == mass);
  CHECK(p.hat.mass == Approx(mass - 2.0 * leg_mass).epsilon(kRelTol));
  CHECK(p.hat.length == Approx(hat_length).epsilon(kRelTol));
  CHECK(p.hat.com_from_proximal == Approx(0.626 * hat_length).epsilon(kRelTol));
  CHECK(p.hat.inertia_about_com ==
        Approx((mass - 2.0 * leg_mass) * std::pow(0.496 * hat_length, 2)).epsilon(kRelTol));
  CHECK(p.thigh.mass == body.thigh.mass);
  CHECK(p.shank.length == body.shank.length);
  CHECK(p.foot.heel.x == body.foot.heel.x);
  CHECK(p.foot.metatarsal_head.y == body.foot.metatarsal_head.y);
  // The segments add up to the body, in the params and in the constants.
  CHECK(p.hat.mass + 2.0 * (p.thigh.mass + p.shank.mass + p.foot.mass) == Approx(mass).epsilon(kRelTol));
  CHECK(make_biped_constants<double>(p).total_mass == Approx(mass).epsilon(kRelTol));
  CHECK_NOTHROW(validate(p));
  // The same for a female runner (other de Leva table, same Winter HAT fractions).
  const BipedParams f = biped_params(scale_body(60.0, 1.65, Sex::kFemale));
  CHECK(f.hat.com_from_proximal == Approx(0.626 * 0.288 * 1.65).epsilon(kRelTol));
  CHECK(f.hat.mass == Approx(60.0 * (1.0 - 2.0 * (0.1478 + 0.0481 + 0.0129))).epsilon(kRelTol));
}

TEST_CASE("biped_params and validate name the field, value and range", "[body][biped]") {
  BodyParams body = scale_body(70.0, 1.75);
  {
    BodyParams bad = body;
    bad.thigh.mass = -1.0;
    CHECK(input_error_message([&] { biped_params(bad); }).find("body.thigh.mass = -1") != std::string::npos);
  }
  {
    // A trunk lighter than one leg: no HAT is left (the body-mass sum still holds).
    BodyParams bad = body;
    const double leg = bad.thigh.mass + bad.shank.mass + bad.foot.mass;
    bad.trunk.mass = 0.5 * leg;
    bad.body_mass = bad.trunk.mass + leg;
    const std::string msg = input_error_message([&] { biped_params(bad); });
    CHECK(msg.find("biped.hat.mass = ") != std::string::npos);
    CHECK(msg.find("(0, inf)") != std::string::npos);
  }
  {
    // A trunk inertia smaller than the swing leg's share m_l c² M / m_hat: negative HAT inertia.
    BodyParams bad = body;
    bad.trunk.inertia_about_com = 0.1;
    const std::string msg = input_error_message([&] { biped_params(bad); });
    CHECK(msg.find("biped.hat.inertia_about_com = -") != std::string::npos);
  }
  BipedParams p = biped_params(body);
  {
    BipedParams bad = p;
    bad.hat.com_from_proximal = 2.0 * bad.hat.length;
    const std::string msg = input_error_message([&] { validate(bad); });
    CHECK(msg.find("biped.hat.com_from_proximal = ") != std::string::npos);
    CHECK(msg.find("[0, ") != std::string::npos);
  }
  {
    BipedParams bad = p;
    bad.hat.mass += 1.0;
    CHECK(input_error_message([&] { validate(bad, "runner"); }).find("runner.total_segment_mass") !=
          std::string::npos);
  }
  {
    BipedParams bad = p;
    bad.foot.heel.y = 0.01;
    CHECK(input_error_message([&] { validate(bad); }).find("biped.foot.heel.y = 0.01 is out of range") !=
          std::string::npos);
  }
}

TEST_CASE("biped mass matrix: symmetric positive definite, equal to the kinetic energy's Hessian",
          "[body][biped]") {
  const BipedConstants<double> b = make_biped_constants<double>(biped());
  std::mt19937 rng(kSeed);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec9 q = random_q(rng);
    BipedMatrix<double> M;
    Vec9 h;
    biped_mass_matrix_and_bias(b, q, random_qd(rng), M, h);
    Eigen::Matrix<double, 9, 9> Me;
    for (int i = 0; i < 9; ++i)
      for (int j = 0; j < 9; ++j) Me(i, j) = M[i][j];
    const double scale = Me.cwiseAbs().maxCoeff();
    CHECK((Me - Me.transpose()).cwiseAbs().maxCoeff() <= kRelTol * scale);
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, 9, 9>> eig(Me);
    CHECK(eig.eigenvalues().minCoeff() > 0.0);
    // Translational block: total mass times identity.
    CHECK(M[0][0] == Approx(70.0).epsilon(kRelTol));
    CHECK(M[1][1] == Approx(70.0).epsilon(kRelTol));
    CHECK(M[0][1] == Approx(0.0).margin(kRelTol * scale));
    // T = ½ q̇ᵀ M q̇ is quadratic, so M_ij = T(e_i + e_j) − T(e_i) − T(e_j) exactly (polarization);
    // T from the segment velocities of biped_kinematics, not from the recursion that builds M.
    for (int i = 0; i < 9; ++i) {
      const double ti = biped_kinetic_energy(b, q, unit(i));
      CHECK(M[i][i] == Approx(2.0 * ti).epsilon(kPolarizationRelTol));
      for (int j = i + 1; j < 9; ++j) {
        const double tj = biped_kinetic_energy(b, q, unit(j));
        const double tij = biped_kinetic_energy(b, q, axpy(1.0, unit(i), unit(j)));
        CHECK(M[i][j] == Approx(tij - ti - tj).margin(kPolarizationRelTol * scale));
        CHECK(M[j][i] == Approx(tij - ti - tj).margin(kPolarizationRelTol * scale));
      }
    }
  }
}

TEST_CASE("biped bias satisfies Lagrange's equations", "[body][biped]") {
  const BipedParams p = biped();
  const BipedConstants<double> b = make_biped_constants<double>(p);
  const BipedConstants<Ad> ba = make_biped_constants<Ad>(p);
  // ∂T/∂q̇ by forward-mode autodiff of the kinetic energy.
  const auto momentum = [&](const Vec9& q, const Vec9& qd) {
    BipedVector<Ad> qa, qda;
    for (int i = 0; i < 9; ++i) {
      qa[i] = Ad(q[i]);
      qda[i] = Ad(qd[i], 9, i);
    }
    return Eigen::Matrix<double, 9, 1>(biped_kinetic_energy(ba, qa, qda).derivatives());
  };
  std::mt19937 rng(kSeed + 1);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec9 q = random_q(rng);
    const Vec9 qd = random_qd(rng);
    // With q̈ = 0: d/dt ∂T/∂q̇ along q(t) = q + t·q̇, by a central difference.
    const Eigen::Matrix<double, 9, 1> ddt_momentum =
        (momentum(axpy(kLagrangeStep, qd, q), qd) - momentum(axpy(-kLagrangeStep, qd, q), qd)) /
        (2.0 * kLagrangeStep);
    BipedVector<Ad> qa, qda;
    for (int i = 0; i < 9; ++i) {
      qa[i] = Ad(q[i], 9, i);
      qda[i] = Ad(qd[i]);
    }
    const Eigen::Matrix<double, 9, 1> dT_dq = biped_kinetic_energy(ba, qa, qda).derivatives();
    const Eigen::Matrix<double, 9, 1> dV_dq = biped_potential_energy(ba, qa).derivatives();
    const Eigen::Matrix<double, 9, 1> h_lagrange = ddt_momentum - dT_dq + dV_dq;
    const Vec9 h = biped_inverse_dynamics(b, q, qd, Vec9{});
    double err = 0.0;
    for (int i = 0; i < 9; ++i) err = std::max(err, std::abs(h[i] - h_lagrange(i)));
    CHECK(err <= kLagrangeRelTol * h_lagrange.cwiseAbs().maxCoeff());
  }
}

TEST_CASE("biped inverse and forward dynamics round trip", "[body][biped]") {
  const BipedConstants<double> b = make_biped_constants<double>(biped());
  std::mt19937 rng(kSeed + 2);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec9 q = random_q(rng);
    const Vec9 qd = random_qd(rng);
    const Vec9 qdd = random_qd(rng, 10.0, 50.0);
    const Vec9 Q = biped_inverse_dynamics(b, q, qd, qdd);
    CHECK(max_abs_diff(biped_forward_dynamics(b, q, qd, Q), qdd) <= kRoundTripTol);
    // M q̈ + h from the matrix form equals the recursion.
    BipedMatrix<double> M;
    Vec9 h;
    biped_mass_matrix_and_bias(b, q, qd, M, h);
    Vec9 Mqdd_h = h;
    for (int i = 0; i < 9; ++i)
      for (int j = 0; j < 9; ++j) Mqdd_h[i] += M[i][j] * qdd[j];
    CHECK(max_abs_diff(Mqdd_h, Q) <= kRelTol * 100.0 * max_abs(Q));
  }
}

TEST_CASE("biped free fall with the joints locked: only y accelerates, at -g", "[body][biped]") {
  const BipedConstants<double> b = make_biped_constants<double>(biped());
  std::mt19937 rng(kSeed + 3);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec9 q = random_q(rng);
    Vec9 qd{};  // translation only: no segment turns
    qd[0] = 4.0;
    qd[1] = -1.5;
    const Vec9 qdd = biped_forward_dynamics(b, q, qd, Vec9{});
    Vec9 expected{};
    expected[1] = -kGravity;
    CHECK(max_abs_diff(qdd, expected) <= kRoundTripTol);
    CHECK(max_abs(biped_inverse_dynamics(b, q, qd, expected)) <= 1e-12 * 70.0 * kGravity);
  }
}

TEST_CASE("biped free flight conserves energy and momentum (RK4)", "[body][biped]") {
  const BipedConstants<double> b = make_biped_constants<double>(biped());
  std::mt19937 rng(kSeed + 4);
  for (int n = 0; n < 3; ++n) {
    Vec9 q = random_q(rng);
    Vec9 qd = random_qd(rng, 3.0, 4.0);
    const auto energy = [&](const Vec9& x, const Vec9& v) {
      return biped_kinetic_energy(b, x, v) + biped_potential_energy(b, x);
    };
    const double e0 = energy(q, qd);
    const double e_scale = biped_kinetic_energy(b, q, qd) + 70.0 * kGravity * 1.0;
    const BipedKinematics<double> k0 = biped_kinematics(b, q, qd);
    const double l0 = angular_momentum(b, q, qd);
    const auto accel = [&](const Vec9& x, const Vec9& v) { return biped_forward_dynamics(b, x, v, Vec9{}); };
    const int steps = static_cast<int>(std::lround(kFlightTime / kRk4Step));
    const double dt = kRk4Step;
    double max_energy_err = 0.0, max_px_err = 0.0, max_l_err = 0.0, max_vy_err = 0.0;
    for (int s = 1; s <= steps; ++s) {
      const Vec9 a1 = accel(q, qd);
      const Vec9 q2 = axpy(0.5 * dt, qd, q), v2 = axpy(0.5 * dt, a1, qd);
      const Vec9 a2 = accel(q2, v2);
      const Vec9 q3 = axpy(0.5 * dt, v2, q), v3 = axpy(0.5 * dt, a2, qd);
      const Vec9 a3 = accel(q3, v3);
      const Vec9 q4 = axpy(dt, v3, q), v4 = axpy(dt, a3, qd);
      const Vec9 a4 = accel(q4, v4);
      for (int i = 0; i < 9; ++i) {
        q[i] += dt / 6.0 * (qd[i] + 2.0 * v2[i] + 2.0 * v3[i] + v4[i]);
        qd[i] += dt / 6.0 * (a1[i] + 2.0 * a2[i] + 2.0 * a3[i] + a4[i]);
      }
      const BipedKinematics<double> k = biped_kinematics(b, q, qd);
      max_energy_err = std::max(max_energy_err, std::abs(energy(q, qd) - e0));
      max_px_err = std::max(max_px_err, std::abs(70.0 * (k.com_velocity[0] - k0.com_velocity[0])));
      max_vy_err = std::max(max_vy_err, std::abs(k.com_velocity[1] - (k0.com_velocity[1] - kGravity * s * dt)));
      max_l_err = std::max(max_l_err, std::abs(angular_momentum(b, q, qd) - l0));
    }
    CHECK(max_energy_err <= kEnergyRelTol * e_scale);
    CHECK(max_px_err <= kMomentumTol);
    CHECK(max_vy_err <= kMomentumTol);
    CHECK(max_l_err <= kAngularMomentumTol);
  }
}

TEST_CASE("biped foot point: velocity and generalized force against central differences", "[body][biped]") {
  const BipedParams p = biped();
  const BipedConstants<double> b = make_biped_constants<double>(p);
  std::mt19937 rng(kSeed + 5);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec9 q = random_q(rng);
    const Vec9 qd = random_qd(rng);
    const std::array<double, 2> force = {150.0, 1400.0};
    for (const Side side : {Side::kRight, Side::kLeft}) {
      for (const FootPoint& pt : {p.foot.heel, p.foot.metatarsal_head}) {
        const PointState<double> ps = biped_foot_point(b, q, qd, side, pt.x, pt.y);
        const PointState<double> fwd = biped_foot_point(b, axpy(kFdStep, qd, q), qd, side, pt.x, pt.y);
        const PointState<double> bwd = biped_foot_point(b, axpy(-kFdStep, qd, q), qd, side, pt.x, pt.y);
        for (int c = 0; c < 2; ++c)
          CHECK(ps.velocity[c] ==
                Approx((fwd.position[c] - bwd.position[c]) / (2.0 * kFdStep)).margin(kFdTol * 10.0));
        // Q_j = F · ∂p/∂q_j (virtual work), column by column.
        const Vec9 Q = biped_foot_point_generalized_force(b, q, side, pt.x, pt.y, force);
        for (int j = 0; j < 9; ++j) {
          const PointState<double> pj = biped_foot_point(b, axpy(kFdStep, unit(j), q), Vec9{}, side, pt.x, pt.y);
          const PointState<double> mj = biped_foot_point(b, axpy(-kFdStep, unit(j), q), Vec9{}, side, pt.x, pt.y);
          const double work = (force[0] * (pj.position[0] - mj.position[0]) +
                               force[1] * (pj.position[1] - mj.position[1])) /
                              (2.0 * kFdStep);
          CHECK(Q[j] == Approx(work).margin(kFdTol * 1e3));
        }
        // The foot point lies where biped_kinematics puts the ankle plus the foot-frame vector.
        const BipedKinematics<double> k = biped_kinematics(b, q, qd);
        const double psi_f = q[hip_index(side)] - q[2] - q[knee_index(side)] + q[ankle_index(side)];
        const int s = side_index(side);
        CHECK(ps.position[0] ==
              Approx(k.ankle[s][0] + std::cos(psi_f) * pt.x - std::sin(psi_f) * pt.y).epsilon(kRelTol));
        CHECK(ps.position[1] ==
              Approx(k.ankle[s][1] + std::sin(psi_f) * pt.x + std::cos(psi_f) * pt.y).epsilon(kRelTol));
      }
    }
  }
}

TEST_CASE("biped dynamics commute with swapping the legs", "[body][biped]") {
  const BipedParams p = biped();
  const BipedConstants<double> b = make_biped_constants<double>(p);
  std::mt19937 rng(kSeed + 6);
  for (int n = 0; n < kRandomStates; ++n) {
    const Vec9 q = random_q(rng), qd = random_qd(rng), qdd = random_qd(rng, 10.0, 50.0);
    const Vec9 Q = biped_inverse_dynamics(b, q, qd, qdd);
    const Vec9 Qm = biped_inverse_dynamics(b, mirror(q), mirror(qd), mirror(qdd));
    CHECK(max_abs_diff(Qm, mirror(Q)) <= kRelTol * 10.0 * max_abs(Q));
    CHECK(max_abs_diff(mirror(mirror(q)), q) == 0.0);
    // The left foot of q is the right foot of mirror(q).
    const PointState<double> left = biped_foot_point(b, q, qd, Side::kLeft, p.foot.heel.x, p.foot.heel.y);
    const PointState<double> right =
        biped_foot_point(b, mirror(q), mirror(qd), Side::kRight, p.foot.heel.x, p.foot.heel.y);
    CHECK(left.position == right.position);
    CHECK(left.velocity == right.velocity);
  }
  // The templated version for another scalar type.
  BipedVector<Ad> qa;
  for (int i = 0; i < 9; ++i) qa[i] = Ad(double(i));
  CHECK(mirror(qa)[3].value() == 6.0);
  CHECK(mirror(qa)[8].value() == 5.0);
}

TEST_CASE("biped with the left leg held fixed along the trunk matches the one-legged chain", "[body][biped]") {
  // Fold the left leg up along the trunk's axis (hip flexion π, knee straight) and turn the foot so
  // that its CoM lies on the shank's line (ankle a with tan a = x_com / y_com; the foot CoM is then
  // |foot com| beyond the ankle). HAT + this rigid leg is one body with its CoM on the trunk's axis,
  // which dynamics.hpp's trunk can represent: the right leg's dynamics must then agree.
  const BodyParams body = scale_body(70.0, 1.75);
  const BipedParams p = biped_params(body);
  const double ankle_l = std::atan(p.foot.com.x / p.foot.com.y);
  const double foot_com_along = std::hypot(p.foot.com.x, p.foot.com.y);
  // CoM distances from the hip along the axis, masses and inertias of HAT, left thigh, shank, foot.
  const std::array<double, 4> d = {p.hat.com_from_proximal, p.thigh.com_from_proximal,
                                   p.thigh.length + p.shank.com_from_proximal,
                                   p.thigh.length + p.shank.length + foot_com_along};
  const std::array<double, 4> m = {p.hat.mass, p.thigh.mass, p.shank.mass, p.foot.mass};
  const std::array<double, 4> inertia = {p.hat.inertia_about_com, p.thigh.inertia_about_com,
                                         p.shank.inertia_about_com, p.foot.inertia_about_com};
  double mass = 0.0, moment = 0.0;
  for (int i = 0; i < 4; ++i) {
    mass += m[i];
    moment += m[i] * d[i];
  }
  const double com = moment / mass;
  double rigid_inertia = 0.0;
  for (int i = 0; i < 4; ++i) rigid_inertia += inertia[i] + m[i] * (d[i] - com) * (d[i] - com);
  BodyParams one_leg = body;
  one_leg.trunk.mass = mass;
  one_leg.trunk.com_from_proximal = com;
  one_leg.trunk.inertia_about_com = rigid_inertia;
  REQUIRE_NOTHROW(validate(one_leg));

  const BodyConstants<double> c6 = make_body_constants<double>(one_leg);
  const BipedConstants<double> b = make_biped_constants<double>(p);
  std::mt19937 rng(kSeed + 7);
  for (int n = 0; n < kRandomStates; ++n) {
    Vec9 q = random_q(rng), qd = random_qd(rng), qdd = random_qd(rng, 10.0, 50.0);
    q[hip_index(Side::kLeft)] = kPi;
    q[knee_index(Side::kLeft)] = 0.0;
    q[ankle_index(Side::kLeft)] = ankle_l;
    for (const Side s : {Side::kLeft})
      for (const int j : {hip_index(s), knee_index(s), ankle_index(s)}) qd[j] = qdd[j] = 0.0;
    Vec6<double> q6, qd6, qdd6;
    for (int i = 0; i < 6; ++i) {
      q6(i) = q[i];
      qd6(i) = qd[i];
      qdd6(i) = qdd[i];
    }
    const Vec6<double> Q6 = inverse_dynamics(c6, q6, qd6, qdd6);
    const Vec9 Q = biped_inverse_dynamics(b, q, qd, qdd);
    const double scale = Q6.cwiseAbs().maxCoeff();
    for (int i = 0; i < 6; ++i) CHECK(Q[i] == Approx(Q6(i)).margin(kParityRelTol * scale));
    // Whole-body CoM of both models.
    const Kinematics<double> k6 = kinematics(c6, q6, qd6);
    const BipedKinematics<double> k = biped_kinematics(b, q, qd);
    for (int c = 0; c < 2; ++c) {
      CHECK(k.com[c] == Approx(k6.body_com(c)).epsilon(kRelTol * 10.0));
      CHECK(k.com_velocity[c] == Approx(k6.body_com_velocity(c)).margin(kRelTol * 100.0));
    }
  }
}
