// Foot–ground contact: Hunt–Crossley normal force and bristle friction (DESIGN 3.2).
#include <array>
#include <cmath>
#include <random>
#include <string>

#include <boost/numeric/odeint.hpp>
#include <catch2/catch.hpp>
#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/body/contact.hpp"
#include "legsim/body/dynamics.hpp"
#include "legsim/body/params.hpp"
#include "legsim/core/error.hpp"

using namespace legsim;
namespace odeint = boost::numeric::odeint;

namespace {

using Ad1 = Eigen::AutoDiffScalar<Eigen::Matrix<double, 1, 1>>;

constexpr unsigned kSeed = 7021u;
constexpr int kRandomSamples = 2000;
constexpr double kPowerTol = 1e-9;      // W, rounding in the pointwise power balance
constexpr double kOdeTol = 1e-10;
constexpr double kBounceEnergyPerOdeTol = 1000.0;  // |ΔE| / E_scale ≤ this × kOdeTol
constexpr double kLaneRelTol = 1e-12;
constexpr double kCoulombRelTol = 1e-3;  // sliding acceleration vs (P − μ m g)/m

Ad1 active(double v) { return Ad1(v, 1, 0); }

template <class F>
std::string input_error_message(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

}  // namespace

TEST_CASE("normal force: zero above ground, non-negative, continuous and C1 at contact", "[contact]") {
  const ContactParams p;
  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> depth(-0.02, 0.02), rate(-5.0, 5.0);
  for (int n = 0; n < kRandomSamples; ++n) {
    const double d = depth(rng), r = rate(rng);
    const double f = contact_normal_force(d, r, p);
    CHECK(f >= 0.0);
    if (d <= 0.0) CHECK(f == 0.0);
  }
  // Continuity and a continuous (zero) slope at δ = 0, for any approach speed.
  for (double r : {-3.0, 0.0, 2.0}) {
    CHECK(contact_normal_force(0.0, r, p) == 0.0);
    CHECK(contact_normal_force(1e-12, r, p) < 1e-9);
    const Ad1 above = contact_normal_force(active(-1e-9), Ad1(r), p);
    const Ad1 below = contact_normal_force(active(1e-9), Ad1(r), p);
    CHECK(above.derivatives()(0) == 0.0);
    // Just inside, the slope is k·n·δ^(n−1)·ramp(1 + 1.5 c δ̇), which → 0 as δ → 0.
    const double ramp = hunt_crossley_ramp(1.0 + 1.5 * p.dissipation * r, p.damping_ramp_width);
    CHECK(below.derivatives()(0) == Approx(1.5 * p.stiffness * std::sqrt(1e-9) * ramp).epsilon(1e-6));
  }
  // The damping factor ramp is C¹ at both joints (0 and d0).
  const double d0 = p.damping_ramp_width;
  for (double at : {0.0, d0}) {
    const Ad1 lo = hunt_crossley_ramp(active(at - 1e-9), d0);
    const Ad1 hi = hunt_crossley_ramp(active(at + 1e-9), d0);
    CHECK(std::abs(lo.value() - hi.value()) < 1e-8);
    CHECK(std::abs(lo.derivatives()(0) - hi.derivatives()(0)) < 1e-6);
  }
  // Known value: F = k δ^1.5 (1 + 1.5 c δ̇) in the ordinary range.
  CHECK(contact_normal_force(0.004, 0.3, p) ==
        Approx(p.stiffness * std::pow(0.004, 1.5) * (1.0 + 1.5 * p.dissipation * 0.3)).epsilon(1e-14));
  ContactParams p2 = p;
  p2.exponent = 2.0;
  CHECK(contact_normal_force(0.004, 0.0, p2) == Approx(p.stiffness * 0.004 * 0.004).epsilon(1e-13));
}

TEST_CASE("normal damping never adds energy", "[contact]") {
  const ContactParams p;
  std::mt19937 rng(kSeed + 1);
  std::uniform_real_distribution<double> depth(0.0, 0.02), rate(-5.0, 5.0);
  for (int n = 0; n < kRandomSamples; ++n) {
    const double d = depth(rng), r = rate(rng);
    // Power into the ground F_n·δ̇ is at least the rate of elastic storage k δⁿ δ̇.
    const double dissipation = contact_normal_force(d, r, p) * r - p.stiffness * std::pow(d, p.exponent) * r;
    CHECK(dissipation >= -kPowerTol);
  }
}

TEST_CASE("friction is bounded by mu F_n and vanishes with the normal force", "[contact]") {
  const ContactParams p;
  std::mt19937 rng(kSeed + 2);
  std::uniform_real_distribution<double> defl(-0.02, 0.02), vel(-3.0, 3.0), fn(0.0, 3000.0);
  for (int n = 0; n < kRandomSamples; ++n) {
    const double z = defl(rng), v = vel(rng), f = fn(rng);
    const BristleFriction<double> fr = bristle_friction(z, v, f, p);
    CHECK(std::abs(fr.force) <= p.friction_coefficient * f * (1.0 + 1e-15));
    const BristleFriction<double> lifted = bristle_friction(z, v, 0.0, p);
    CHECK(lifted.force == 0.0);
    // Unloaded, the bristle relaxes: ż = −k_t z / b_t.
    CHECK(lifted.deflection_rate == Approx(-p.bristle_stiffness * z / p.bristle_damping).epsilon(1e-14));
  }
  // Sticking: below the limit, the force is the spring–damper force and the deflection follows the point.
  const BristleFriction<double> stick = bristle_friction(0.001, 0.01, 1000.0, p);
  CHECK(stick.force == Approx(-(p.bristle_stiffness * 0.001 + p.bristle_damping * 0.01)));
  CHECK(stick.deflection_rate == Approx(0.01));
  // Sliding: far above the limit, the force is −μ F_n sign(f₀).
  const BristleFriction<double> slide = bristle_friction(0.05, 1.0, 1000.0, p);
  CHECK(slide.force == Approx(-p.friction_coefficient * 1000.0));
}

TEST_CASE("bristle friction never adds energy (pointwise)", "[contact]") {
  const ContactParams p;
  std::mt19937 rng(kSeed + 3);
  std::uniform_real_distribution<double> defl(-0.02, 0.02), vel(-3.0, 3.0), fn(0.0, 3000.0);
  int sticking = 0, sliding = 0;
  for (int n = 0; n < kRandomSamples; ++n) {
    const double z = defl(rng), v = vel(rng), f = fn(rng);
    const BristleFriction<double> fr = bristle_friction(z, v, f, p);
    // Power of friction on the point plus the rate of stored bristle energy = −dissipation ≤ 0.
    const double balance = fr.force * v + p.bristle_stiffness * z * fr.deflection_rate;
    CHECK(balance <= kPowerTol);
    const double trial = std::abs(p.bristle_stiffness * z + p.bristle_damping * v);
    (trial < 0.9 * p.friction_coefficient * f ? sticking : sliding)++;
  }
  CHECK(sticking > 100);
  CHECK(sliding > 100);
}

namespace {

// A point moved along a prescribed smooth path in and out of contact; the state is the bristle
// deflection z plus the accumulated friction work W = ∫F_t ẋ dt.
struct PrescribedPath {
  std::array<double, 3> ax, wx, px, ay, wy, py;
  double y0;
  double x_rate(double t) const {
    double v = 0.0;
    for (int i = 0; i < 3; ++i) v += ax[i] * wx[i] * std::cos(wx[i] * t + px[i]);
    return v;
  }
  double y(double t) const {
    double v = y0;
    for (int i = 0; i < 3; ++i) v += ay[i] * std::sin(wy[i] * t + py[i]);
    return v;
  }
  double y_rate(double t) const {
    double v = 0.0;
    for (int i = 0; i < 3; ++i) v += ay[i] * wy[i] * std::cos(wy[i] * t + py[i]);
    return v;
  }
};

}  // namespace

TEST_CASE("bristle friction never adds energy over random stick-slip trajectories", "[contact]") {
  const ContactParams p;
  std::mt19937 rng(kSeed + 4);
  std::uniform_real_distribution<double> amp(0.0, 0.05), freq(1.0, 30.0), phase(0.0, 6.3), depth(0.0, 0.006);
  for (int trial = 0; trial < 20; ++trial) {
    PrescribedPath path;
    for (int i = 0; i < 3; ++i) {
      path.ax[i] = amp(rng);
      path.wx[i] = freq(rng);
      path.px[i] = phase(rng);
      path.ay[i] = 0.1 * amp(rng);
      path.wy[i] = freq(rng);
      path.py[i] = phase(rng);
    }
    path.y0 = -depth(rng);  // mostly in contact, sometimes lifting off
    using State = std::array<double, 2>;
    auto rhs = [&](const State& s, State& ds, double t) {
      const double fn = contact_normal_force(-path.y(t), -path.y_rate(t), p);
      const BristleFriction<double> fr = bristle_friction(s[0], path.x_rate(t), fn, p);
      ds[0] = fr.deflection_rate;
      ds[1] = fr.force * path.x_rate(t);
    };
    State s{0.0, 0.0};
    odeint::integrate_adaptive(odeint::make_controlled(1e-12, 1e-12, odeint::runge_kutta_dopri5<State>()),
                               rhs, s, 0.0, 2.0, 1e-4);
    // Work done by friction on the point + stored bristle energy gained ≤ 0.
    const double net = s[1] + bristle_energy(s[0], p) - 0.0;
    CHECK(net <= 1e-8);
  }
}

namespace {

// A point mass m on the ground (contact law only) pushed horizontally by P and lifted by L(t).
struct PointMass {
  double mass = 10.0;
  ContactParams p;
  double push = 0.0;
  double lift = 0.0;  // upward force (N)
  using State = std::array<double, 5>;  // x, y, vx, vy, z
  void rhs(const State& s, State& ds) const {
    const double fn = contact_normal_force(-s[1], -s[3], p);
    const BristleFriction<double> fr = bristle_friction(s[4], s[2], fn, p);
    ds[0] = s[2];
    ds[1] = s[3];
    ds[2] = (fr.force + push) / mass;
    ds[3] = (fn + lift) / mass - kGravity;
    ds[4] = fr.deflection_rate;
  }
  double resting_depth() const { return std::pow(mass * kGravity / p.stiffness, 1.0 / p.exponent); }
};

}  // namespace

TEST_CASE("Coulomb behaviour: sticks below mu m g, slides above it", "[contact]") {
  PointMass pm;
  using State = PointMass::State;
  const double weight = pm.mass * kGravity;
  auto run = [&](double push, double t_end) {
    pm.push = push;
    State s{0.0, -pm.resting_depth(), 0.0, 0.0, 0.0};
    odeint::integrate_adaptive(odeint::make_controlled(1e-10, 1e-10, odeint::runge_kutta_dopri5<State>()),
                               [&](const State& x, State& dx, double) { pm.rhs(x, dx); }, s, 0.0, t_end, 1e-5);
    return s;
  };
  // Below the limit: the point stays put (static deflection P/k_t), velocity → 0.
  const double push_stick = 0.5 * pm.p.friction_coefficient * weight;
  const State stuck = run(push_stick, 1.0);
  CHECK(std::abs(stuck[2]) < 1e-6);
  CHECK(stuck[0] == Approx(push_stick / pm.p.bristle_stiffness).epsilon(1e-3));
  // Above the limit: it accelerates at (P − μ m g)/m.
  const double push_slide = 1.5 * pm.p.friction_coefficient * weight;
  const State a = run(push_slide, 0.5), b = run(push_slide, 1.0);
  const double accel = (b[2] - a[2]) / 0.5;
  CHECK(accel == Approx((push_slide - pm.p.friction_coefficient * weight) / pm.mass).epsilon(kCoulombRelTol));
}

TEST_CASE("a point pulled up leaves the ground with zero force (no sticking)", "[contact]") {
  PointMass pm;
  using State = PointMass::State;
  pm.lift = 3.0 * pm.mass * kGravity;
  State s{0.0, -pm.resting_depth(), 1.0, 0.0, 0.0};  // sliding forward
  double min_normal = 0.0;
  double max_force_airborne = 0.0;
  int airborne_samples = 0;
  odeint::integrate_const(
      odeint::make_dense_output(1e-10, 1e-10, odeint::runge_kutta_dopri5<State>()),
      [&](const State& x, State& dx, double) { pm.rhs(x, dx); }, s, 0.0, 0.2, 1e-3,
      [&](const State& x, double) {
        const double fn = contact_normal_force(-x[1], -x[3], pm.p);
        const BristleFriction<double> fr = bristle_friction(x[4], x[2], fn, pm.p);
        min_normal = std::min(min_normal, fn);
        if (x[1] > 0.0) {
          ++airborne_samples;
          max_force_airborne = std::max({max_force_airborne, std::abs(fn), std::abs(fr.force)});
        }
      });
  CHECK(min_normal == 0.0);
  CHECK(airborne_samples > 100);
  CHECK(max_force_airborne == 0.0);
  CHECK(s[1] > 0.01);  // it really left
  CHECK(std::abs(s[4]) < 1e-6);  // the bristle relaxed in the air
}

TEST_CASE("body contact: feet above ground feel no force whatever the bristle state", "[contact]") {
  const BodyConstants<double> b = make_body_constants<double>(scale_body(70.0, 1.75));
  const ContactParams cp;
  Vec6<double> q, qd;
  q << 0.1, 1.2, 0.1, 0.3, 0.4, 0.1;
  qd << 2.0, -1.0, 0.5, -1.0, 3.0, 2.0;
  const ContactForces<double> c = contact_forces(b, cp, q, qd, {0.01, -0.02});
  for (int k = 0; k < kNumContacts; ++k) {
    CHECK(c.force[k](0) == 0.0);
    CHECK(c.force[k](1) == 0.0);
  }
  CHECK(c.generalized_force.cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("energy is conserved in a frictionless, undamped bounce", "[contact]") {
  const BodyParams params = scale_body(70.0, 1.75);
  const BodyConstants<double> b = make_body_constants<double>(params);
  ContactParams cp;
  cp.dissipation = 0.0;
  cp.friction_coefficient = 0.0;
  // Conservative joint springs keep the leg in shape.
  constexpr double kJointStiffness = 2000.0;
  Vec6<double> ref;
  ref << 0, 0, 0.05, -0.1, 0.3, 0.05;
  using State = std::array<double, 14>;
  auto unpack = [](const State& x, Vec6<double>& q, Vec6<double>& qd) {
    for (int i = 0; i < 6; ++i) {
      q(i) = x[i];
      qd(i) = x[6 + i];
    }
  };
  auto rhs = [&](const State& x, State& dx, double) {
    Vec6<double> q, qd;
    unpack(x, q, qd);
    const ContactForces<double> c = contact_forces(b, cp, q, qd, {x[12], x[13]});
    Vec6<double> Q = c.generalized_force;
    for (int j = 3; j < 6; ++j) Q(j) -= kJointStiffness * (q(j) - ref(j));
    const Vec6<double> qdd = forward_dynamics(b, q, qd, Q);
    for (int i = 0; i < 6; ++i) {
      dx[i] = qd(i);
      dx[6 + i] = qdd(i);
    }
    dx[12] = c.deflection_rate[0];
    dx[13] = c.deflection_rate[1];
  };
  auto energy = [&](const State& x) {
    Vec6<double> q, qd;
    unpack(x, q, qd);
    double e = kinetic_energy(b, q, qd) + potential_energy(b, q);
    // Normal springs only: with μ = 0 the bristles carry no force (their state is irrelevant).
    const Kinematics<double> k = kinematics(b, q, qd);
    for (int c = 0; c < kNumContacts; ++c) e += contact_normal_energy(-k.contact[c](1), cp);
    for (int j = 3; j < 6; ++j) e += 0.5 * kJointStiffness * (q(j) - ref(j)) * (q(j) - ref(j));
    return e;
  };
  State x{};
  for (int i = 0; i < 6; ++i) x[i] = ref(i);
  Vec6<double> q0, qd0;
  unpack(x, q0, qd0);
  // Drop from 5 cm with a little forward speed.
  x[1] = 0.0;
  const double sole = kinematics(b, q0, qd0).contact[kHeel](1);
  x[1] = -sole + 0.05;
  x[6] = 0.3;
  const double e0 = energy(x);
  const double scale = params.body_mass * kGravity * params.height;
  double worst = 0.0, max_normal = 0.0;
  odeint::integrate_const(odeint::make_dense_output(kOdeTol, kOdeTol, odeint::runge_kutta_dopri5<State>()),
                          rhs, x, 0.0, 1.0, 1e-3, [&](const State& s, double) {
                            worst = std::max(worst, std::abs(energy(s) - e0));
                            Vec6<double> q, qd;
                            unpack(s, q, qd);
                            const ContactForces<double> c = contact_forces(b, cp, q, qd, {s[12], s[13]});
                            max_normal = std::max({max_normal, c.force[0](1), c.force[1](1)});
                          });
  INFO("relative drift " << worst / scale << ", peak normal force " << max_normal);
  CHECK(max_normal > params.body_mass * kGravity);  // it really landed
  CHECK(worst / scale <= kBounceEnergyPerOdeTol * kOdeTol);
}

TEST_CASE("contact forces: SIMD lanes equal the scalar path", "[contact][simd]") {
  constexpr std::size_t kL = BatchD::size;
  const BodyParams params = scale_body(70.0, 1.75);
  const BodyConstants<double> b = make_body_constants<double>(params);
  const BodyConstants<BatchD> bb = make_body_constants<BatchD>(params);
  const ContactParams cp;
  std::mt19937 rng(kSeed + 5);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int rep = 0; rep < 50; ++rep) {
    std::array<Vec6<double>, kL> q, qd;
    std::array<std::array<double, 2>, kL> z;
    for (std::size_t l = 0; l < kL; ++l) {
      q[l] << 0.1 * u(rng), 0.0, 0.1 * u(rng), 0.2 * u(rng), 0.3 + 0.2 * u(rng), 0.3 * u(rng);
      const double sole = kinematics(b, q[l], Vec6<double>::Zero()).contact[kHeel](1) -
                          q[l](1);  // heel height relative to the hip
      q[l](1) = -sole + 0.01 * u(rng);
      for (int i = 0; i < 6; ++i) qd[l](i) = 2.0 * u(rng);
      z[l] = {0.005 * u(rng), 0.005 * u(rng)};
    }
    Vec6<BatchD> qb, qdb;
    std::array<BatchD, 2> zb;
    alignas(64) double buf[kL];
    for (int i = 0; i < 6; ++i) {
      for (std::size_t l = 0; l < kL; ++l) buf[l] = q[l](i);
      qb(i) = BatchD::load_unaligned(buf);
      for (std::size_t l = 0; l < kL; ++l) buf[l] = qd[l](i);
      qdb(i) = BatchD::load_unaligned(buf);
    }
    for (int c = 0; c < 2; ++c) {
      for (std::size_t l = 0; l < kL; ++l) buf[l] = z[l][c];
      zb[c] = BatchD::load_unaligned(buf);
    }
    const ContactForces<BatchD> cb = contact_forces(bb, cp, qb, qdb, zb);
    for (std::size_t l = 0; l < kL; ++l) {
      const ContactForces<double> cs = contact_forces(b, cp, q[l], qd[l], z[l]);
      for (int c = 0; c < 2; ++c) {
        const double scale = 1.0 + std::abs(cs.force[c](1));
        CHECK(std::abs(cb.force[c](0).get(l) - cs.force[c](0)) <= kLaneRelTol * scale);
        CHECK(std::abs(cb.force[c](1).get(l) - cs.force[c](1)) <= kLaneRelTol * scale);
        CHECK(std::abs(cb.deflection_rate[c].get(l) - cs.deflection_rate[c]) <=
              kLaneRelTol * (1.0 + std::abs(cs.deflection_rate[c])));
      }
      for (int j = 0; j < 6; ++j)
        CHECK(std::abs(cb.generalized_force(j).get(l) - cs.generalized_force(j)) <=
              kLaneRelTol * (1.0 + cs.generalized_force.cwiseAbs().maxCoeff()));
    }
  }
}

TEST_CASE("validate(ContactParams) names the field, the value and the range", "[contact]") {
  CHECK_NOTHROW(validate(ContactParams{}));
  auto message = [](auto mutate) {
    ContactParams p;
    mutate(p);
    return input_error_message([&] { validate(p); });
  };
  CHECK(message([](ContactParams& p) { p.stiffness = 0.0; }) ==
        "contact.stiffness = 0 is out of range: allowed [10000, 1e+08] N/m^exponent");
  CHECK(message([](ContactParams& p) { p.stiffness = 1e20; }) ==  // gave a 1e-7 s "ok" stance (issue 18)
        "contact.stiffness = 1e+20 is out of range: allowed [10000, 1e+08] N/m^exponent");
  CHECK(message([](ContactParams& p) { p.exponent = 1.0; }) ==
        "contact.exponent = 1 is out of range: allowed (1, 3]");
  CHECK(message([](ContactParams& p) { p.exponent = NAN; }) ==
        "contact.exponent = nan is out of range: allowed (1, 3]");
  CHECK(message([](ContactParams& p) { p.dissipation = -0.5; }) ==
        "contact.dissipation = -0.5 is out of range: allowed [0, 5] s/m");
  CHECK(message([](ContactParams& p) { p.damping_ramp_width = 1.5; }) ==
        "contact.damping_ramp_width = 1.5 is out of range: allowed (0, 1]");
  CHECK(message([](ContactParams& p) { p.friction_coefficient = 2.5; }) ==
        "contact.friction_coefficient = 2.5 is out of range: allowed [0, 2]");
  CHECK(message([](ContactParams& p) { p.bristle_stiffness = -1.0; }) ==
        "contact.bristle_stiffness = -1 is out of range: allowed [1000, 1e+07] N/m");
  CHECK(message([](ContactParams& p) { p.bristle_damping = INFINITY; }) ==
        "contact.bristle_damping = inf is out of range: allowed [10, 1e+05] N s/m");
  CHECK(message([](ContactParams& p) { p.friction_smoothing = 0.0; }) ==
        "contact.friction_smoothing = 0 is out of range: allowed (0, 0.5]");
  ContactParams p;
  p.stiffness = -3.0;
  CHECK(input_error_message([&] { validate(p, "model.contact"); }) ==
        "model.contact.stiffness = -3 is out of range: allowed [10000, 1e+08] N/m^exponent");
}
