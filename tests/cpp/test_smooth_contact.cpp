// Smooth sphere contact (body/smooth_contact.hpp): Hertz asymptote, smoothness across first contact,
// finiteness far from the ground, energy, friction direction and bounds, branch-free template, default
// sphere placement. The [foot_contact] table of the model file: test_model_file.cpp.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/body/contact.hpp"
#include "legsim/body/smooth_contact.hpp"
#include "legsim/core/error.hpp"

using namespace legsim;

namespace {

using Ad3 = Eigen::AutoDiffScalar<Eigen::Vector3d>;

constexpr unsigned kSeed = 1919u;
constexpr int kRandomSamples = 5000;
constexpr double kRadius = 0.032;          // m, Falisse 2019
constexpr double kFarForceTol = 1e-3;      // N, "no force" out of contact (the brief's bound)
constexpr double kSaturationGap = 0.0424;  // 1 − 2^(−1/16): sat(1) vs min(1, 1)
constexpr double kRoundingTol = 1e-14;     // relative, two evaluations of one expression in another order

/// Hertz force of a sphere on a half-space with Simbody's combined modulus: (4/3)·k·sqrt(R·k)·δ^1.5,
/// k = 0.5·E^(2/3) (written with pow, independently of the header's sqrt form).
double hertz(double depth, double radius, double modulus) {
  const double k = 0.5 * std::pow(modulus, 2.0 / 3.0);
  return 4.0 / 3.0 * k * std::sqrt(radius * k) * std::pow(depth, 1.5);
}

double normal_force(double depth, double rate, const SmoothContactParams& p, double radius = kRadius) {
  return smooth_sphere_force(radius - depth, -rate, 0.0, radius, p).normal;
}

/// Largest change between neighbouring samples of the k-th central finite difference (k = 0, 1, 2)
/// of f on [lo, hi] with step h.
template <class F>
double largest_step_of_difference(F&& f, double lo, double hi, double h, int k) {
  std::vector<double> d;
  for (double x = lo; x <= hi; x += h) {
    if (k == 0) d.push_back(f(x));
    if (k == 1) d.push_back((f(x + 0.5 * h) - f(x - 0.5 * h)) / h);
    if (k == 2) d.push_back((f(x + h) - 2.0 * f(x) + f(x - h)) / (h * h));
  }
  double largest = 0.0;
  for (std::size_t i = 1; i < d.size(); ++i) largest = std::max(largest, std::abs(d[i] - d[i - 1]));
  return largest;
}

/// A scalar with arithmetic, sqrt and tanh only — no comparisons, no abs/min/max. The force law must
/// compile for it, as it must for casadi::SX (whose comparisons are symbolic).
struct ArithmeticOnly {
  double v;
  explicit ArithmeticOnly(double x) : v(x) {}
  friend ArithmeticOnly operator+(const ArithmeticOnly& a, const ArithmeticOnly& b) { return ArithmeticOnly(a.v + b.v); }
  friend ArithmeticOnly operator-(const ArithmeticOnly& a, const ArithmeticOnly& b) { return ArithmeticOnly(a.v - b.v); }
  friend ArithmeticOnly operator*(const ArithmeticOnly& a, const ArithmeticOnly& b) { return ArithmeticOnly(a.v * b.v); }
  friend ArithmeticOnly operator/(const ArithmeticOnly& a, const ArithmeticOnly& b) { return ArithmeticOnly(a.v / b.v); }
  friend ArithmeticOnly operator-(const ArithmeticOnly& a) { return ArithmeticOnly(-a.v); }
  friend ArithmeticOnly sqrt(const ArithmeticOnly& a) { return ArithmeticOnly(std::sqrt(a.v)); }
  friend ArithmeticOnly tanh(const ArithmeticOnly& a) { return ArithmeticOnly(std::tanh(a.v)); }
};

/// The friction coefficient of Simbody's documentation, with min(vs/vt, 1) (reference for the
/// smooth saturation).
double published_friction_coefficient(double slip_velocity, const SmoothContactParams& p) {
  const double vs = std::sqrt(slip_velocity * slip_velocity + kSmoothContactConstant);
  const double a = vs / p.transition_velocity;
  return std::min(a, 1.0) * (p.dynamic_friction + 2.0 * (p.static_friction - p.dynamic_friction) / (1.0 + a * a)) +
         p.viscous_friction * vs;
}

std::string input_error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError>";
}

}  // namespace

TEST_CASE("smooth contact: far above the ground the force vanishes and its derivatives are finite",
          "[smooth_contact]") {
  const SmoothContactParams p;
  for (double clearance : {0.03, 0.05, 0.1, 1.0, 1e3}) {
    for (double vy : {-5.0, 0.0, 5.0}) {
      for (double vx : {-3.0, 0.0, 3.0}) {
        INFO("clearance " << clearance << " m, vy " << vy << ", vx " << vx);
        const Ad3 y(kRadius + clearance, 3, 0), vyy(vy, 3, 1), vxx(vx, 3, 2);
        const SphereForce<Ad3> f = smooth_sphere_force(y, vyy, vxx, kRadius, p);
        CHECK(std::abs(f.normal.value()) < kFarForceTol);
        CHECK(std::abs(f.tangential.value()) < kFarForceTol);
        CHECK(f.normal.derivatives().allFinite());
        CHECK(f.tangential.derivatives().allFinite());
      }
    }
  }
  // At the sole and inside, derivatives are finite too (no x^(-1/2) at x = 0, no 1/|v| at v = 0).
  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> depth(-0.05, 0.06), rate(-5.0, 5.0), slip(-3.0, 3.0);
  for (int n = 0; n < kRandomSamples; ++n) {
    const Ad3 y(kRadius - depth(rng), 3, 0), vy(rate(rng), 3, 1), vx(slip(rng), 3, 2);
    const SphereForce<Ad3> f = smooth_sphere_force(y, vy, vx, kRadius, p);
    REQUIRE(f.normal.derivatives().allFinite());
    REQUIRE(f.tangential.derivatives().allFinite());
  }
  for (double vx : {0.0, -0.0}) {
    const SphereForce<Ad3> f = smooth_sphere_force(Ad3(kRadius, 3, 0), Ad3(0.0, 3, 1), Ad3(vx, 3, 2), kRadius, p);
    CHECK(f.tangential.value() == 0.0);
    CHECK(f.tangential.derivatives().allFinite());
  }
}

TEST_CASE("smooth contact: deep in contact the normal force is the Hertz force", "[smooth_contact]") {
  // Bounds from the equations alone: (x² + cf)^(3/4) ≤ x^(3/2)·(1 + 0.75·cf/x²) (concavity), and
  // ½ + ½·tanh(z) ≥ 1 − e^(−2z); the damping factor is 1 at v = 0.
  SmoothContactParams other;
  other.stiffness = 4e6;
  other.dissipation = 0.5;
  for (const auto& [p, radius] : {std::pair{SmoothContactParams{}, kRadius}, std::pair{other, 0.02}}) {
    for (double depth : {0.01, 0.015, 0.02, 0.03}) {
      INFO("E " << p.stiffness << ", R " << radius << ", depth " << depth);
      const double f = normal_force(depth, 0.0, p, radius);
      const double h = hertz(depth, radius, p.stiffness);
      const double upper = h * (1.0 + 0.75 * kSmoothContactConstant / (depth * depth));
      const double lower = h * (1.0 - std::exp(-2.0 * p.hertz_smoothing * depth)) *
                           (1.0 - std::exp(-4.0 * p.hunt_crossley_smoothing / (3.0 * p.dissipation)));
      CHECK(f <= upper);
      CHECK(f >= lower);
    }
  }
  // Falisse's values: 84.3 N at 1 cm (7.4 % above Hertz there: cf's offset), within 1 % from 2.9 cm.
  const SmoothContactParams p;
  CHECK(hertz(0.01, kRadius, p.stiffness) == Approx(84.327).epsilon(1e-4));
  CHECK(normal_force(0.03, 0.0, p) / hertz(0.03, kRadius, p.stiffness) == Approx(1.0).margin(0.01));
  // Hunt–Crossley: F = F_hertz·(1 + 1.5·c·v) when loading.
  CHECK(normal_force(0.03, 0.4, p) / normal_force(0.03, 0.0, p) == Approx(1.0 + 1.5 * 2.0 * 0.4).epsilon(1e-12));
}

TEST_CASE("smooth contact: the normal force and its first and second derivatives are continuous at first contact",
          "[smooth_contact]") {
  // Around δ = 0 (±5 mm, beyond the tanh's width 1/bd = 3.3 mm): for a function whose k-th derivative
  // is continuous with a bounded next derivative, the largest change of the k-th finite difference
  // between neighbouring samples is ≤ h·max|f^(k+1)| and halves when h halves; a jump J in f^(k)
  // keeps it ≥ J at every h. So the largest change must shrink about twofold per halving (ratio in
  // [1.8, 2.2]: the next derivative is nearly constant over one step at these h).
  const SmoothContactParams p;
  for (double rate : {0.0, 0.5, -0.2}) {
    const auto f = [&](double d) { return normal_force(d, rate, p); };
    for (int k = 0; k <= 2; ++k) {
      INFO("rate " << rate << " m/s, difference order " << k);
      const double coarse = largest_step_of_difference(f, -0.005, 0.005, 2e-5, k);
      const double fine = largest_step_of_difference(f, -0.005, 0.005, 1e-5, k);
      CHECK(coarse / fine == Approx(2.0).margin(0.2));
    }
  }
  // The same test detects the jump in the second derivative of the plain δ₊^1.5 law (the
  // stance simulation's ContactParams model, which is C¹ only): there the largest change grows.
  const ContactParams plain;
  const auto g = [&](double d) { return contact_normal_force(d, 0.0, plain); };
  const double coarse = largest_step_of_difference(g, -0.005, 0.005, 2e-5, 2);
  const double fine = largest_step_of_difference(g, -0.005, 0.005, 1e-5, 2);
  CHECK(coarse / fine < 1.0);
}

TEST_CASE("smooth contact: autodiff derivatives match central differences", "[smooth_contact]") {
  const SmoothContactParams p;
  std::mt19937 rng(kSeed + 1);
  std::uniform_real_distribution<double> depth(-0.01, 0.04), rate(-2.0, 2.0), slip(-1.0, 1.0);
  const double step[3] = {1e-7, 1e-6, 1e-6};
  for (int n = 0; n < 200; ++n) {
    const double in[3] = {kRadius - depth(rng), rate(rng), slip(rng)};
    const SphereForce<Ad3> ad = smooth_sphere_force(Ad3(in[0], 3, 0), Ad3(in[1], 3, 1), Ad3(in[2], 3, 2), kRadius, p);
    for (int i = 0; i < 3; ++i) {
      double hi[3] = {in[0], in[1], in[2]}, lo[3] = {in[0], in[1], in[2]};
      hi[i] += step[i];
      lo[i] -= step[i];
      const SphereForce<double> a = smooth_sphere_force(hi[0], hi[1], hi[2], kRadius, p);
      const SphereForce<double> b = smooth_sphere_force(lo[0], lo[1], lo[2], kRadius, p);
      const double dn = (a.normal - b.normal) / (2 * step[i]), dt = (a.tangential - b.tangential) / (2 * step[i]);
      INFO("sample " << n << ", input " << i);
      const double scale_n = 1.0 + std::abs(dn), scale_t = 1.0 + std::abs(dt);
      CHECK(std::abs(ad.normal.derivatives()(i) - dn) <= 1e-4 * scale_n);
      CHECK(std::abs(ad.tangential.derivatives()(i) - dt) <= 1e-4 * scale_t);
    }
  }
}

TEST_CASE("smooth contact: damping dissipates, the elastic part is conservative", "[smooth_contact]") {
  // Loading–unloading cycle δ(t) = −a + (δmax + a)·sin(πt/T), t ∈ [0, T], from 2.5 cm above the
  // ground to δmax and back; work on the foot W = ∫ F_n·ẏ dt = −∫ F_n·δ̇ dt (trapezoidal rule).
  const auto cycle_work = [](const SmoothContactParams& p, double depth_max, double period) {
    constexpr int kSteps = 200000;
    constexpr double kAbove = 0.025;
    const double amplitude = depth_max + kAbove;
    double work = 0.0, gross = 0.0, previous = 0.0;
    for (int i = 0; i <= kSteps; ++i) {
      const double t = period * i / kSteps;
      const double d = -kAbove + amplitude * std::sin(std::numbers::pi * t / period);
      const double rate = amplitude * std::numbers::pi / period * std::cos(std::numbers::pi * t / period);
      const double power = -normal_force(d, rate, p) * rate;
      if (i > 0) {
        work += 0.5 * (power + previous) * period / kSteps;
        gross += 0.5 * (std::abs(power) + std::abs(previous)) * period / kSteps;
      }
      previous = power;
    }
    return std::pair{work, gross};
  };
  SmoothContactParams elastic;
  elastic.dissipation = 0.0;
  for (double period : {0.05, 0.2}) {
    for (double depth_max : {0.005, 0.02}) {
      INFO("period " << period << " s, depth " << depth_max << " m");
      const auto [w_damped, gross] = cycle_work(SmoothContactParams{}, depth_max, period);
      CHECK(w_damped < -0.01 * gross);  // at least 1 % of the gross work is lost
      const auto [w_elastic, gross_elastic] = cycle_work(elastic, depth_max, period);
      CHECK(std::abs(w_elastic) <= 1e-9 * gross_elastic);
    }
  }
  // Pointwise: the force beyond the elastic one opposes the penetration rate (power of the damping
  // on the foot ≤ 0), up to the tanh cut-off's exponentially small remainder near v = 0.
  std::mt19937 rng(kSeed + 2);
  std::uniform_real_distribution<double> depth(-0.01, 0.05), rate(-3.0, 3.0);
  const SmoothContactParams p;
  for (int n = 0; n < kRandomSamples; ++n) {
    const double d = depth(rng), v = rate(rng);
    const double conservative = normal_force(d, v, elastic);
    const double damping_power = -(normal_force(d, v, p) - conservative) * v;
    CHECK(damping_power <= 1e-12 * conservative * std::abs(v));
    // The pull during fast separation: F_n ≥ −max_s(−s/(1 + e^(−2s)))·1.5·c/bv·fhs, with the
    // maximum 0.13923 at s = −0.639 (smooth_contact.hpp).
    CHECK(normal_force(d, v, p) >= -0.13923 * 1.5 * p.dissipation / p.hunt_crossley_smoothing * conservative);
  }
  // ... and the bound is reached: 0.84 % of the elastic force 0.64/bv below the cut-off speed.
  const double v_pull = -2.0 / (3.0 * p.dissipation) - 0.639 / p.hunt_crossley_smoothing;
  CHECK(normal_force(0.02, v_pull, p) / normal_force(0.02, v_pull, elastic) ==
        Approx(-0.13923 * 1.5 * p.dissipation / p.hunt_crossley_smoothing).epsilon(1e-3));
}

TEST_CASE("smooth contact: friction opposes slip, is odd in the slip velocity and bounded", "[smooth_contact]") {
  SmoothContactParams stribeck;  // a second, differently parameterized set, μd < μs
  stribeck.static_friction = 1.0;
  stribeck.dynamic_friction = 0.6;
  stribeck.viscous_friction = 0.2;
  stribeck.transition_velocity = 0.05;
  std::mt19937 rng(kSeed + 3);
  std::uniform_real_distribution<double> depth(0.0, 0.04), rate(-1.0, 1.0), slip(-4.0, 4.0);
  for (const SmoothContactParams& p : {SmoothContactParams{}, stribeck}) {
    for (int n = 0; n < kRandomSamples; ++n) {
      const double y = kRadius - depth(rng), vy = rate(rng), vx = slip(rng);
      const SphereForce<double> f = smooth_sphere_force(y, vy, vx, kRadius, p);
      const SphereForce<double> mirrored = smooth_sphere_force(y, vy, -vx, kRadius, p);
      // Friction opposes slip wherever the normal force pushes; during fast separation the published
      // model's small pull (F_n < 0, tested below) reverses it.
      const double fn = std::abs(f.normal);
      CHECK(f.tangential * vx * f.normal <= 0.0);
      CHECK(mirrored.tangential == -f.tangential);
      CHECK(mirrored.normal == f.normal);
      // |F_t| ≤ F_n·(μs + μv·vs)·|v|/vs, with vs = sqrt(v² + cf) (μd ≤ μs; smooth_contact.hpp).
      const double vs = std::sqrt(vx * vx + kSmoothContactConstant);
      CHECK(std::abs(f.tangential) <=
            fn * (p.static_friction + p.viscous_friction * vs) * std::abs(vx) / vs * (1.0 + kRoundingTol));
      // Against the published law with min(vs/vt, 1): at most the saturation gap, at a = 1; within
      // 2e-6 relative where vs/vt < 0.5 or > 2 (sat(a) = a·(1 − a¹⁶/16 + …) or 1 − a⁻¹⁶/16 + …).
      const double published = fn * published_friction_coefficient(vx, p) * std::abs(vx) / vs;
      const double a = vs / p.transition_velocity;
      const double static_part = fn * p.static_friction * std::abs(vx) / vs;
      CHECK(std::abs(f.tangential) <= published * (1.0 + kRoundingTol));
      CHECK(published - std::abs(f.tangential) <= kSaturationGap * static_part + kRoundingTol * published);
      if (a < 0.5 || a > 2.0) CHECK(std::abs(f.tangential) == Approx(published).epsilon(2e-6));
    }
  }
  // Sliding fast: μd + μv·v (Coulomb plus viscous), the Stribeck term gone.
  const SmoothContactParams p = stribeck;
  const SphereForce<double> fast = smooth_sphere_force(kRadius - 0.02, 0.0, 3.0, kRadius, p);
  const double vs = std::sqrt(9.0 + kSmoothContactConstant);
  const double mu_fast = p.dynamic_friction + 2.0 * (p.static_friction - p.dynamic_friction) / (1.0 + (vs / 0.05) * (vs / 0.05)) +
                         p.viscous_friction * vs;
  CHECK(-fast.tangential / fast.normal == Approx(mu_fast * 3.0 / vs).epsilon(1e-12));
}

TEST_CASE("smooth contact: the force law uses arithmetic, sqrt and tanh only", "[smooth_contact]") {
  // Compiles for a scalar without comparisons (as casadi::SX needs) and gives the double result.
  const SmoothContactParams p;
  const SphereForce<ArithmeticOnly> f =
      smooth_sphere_force(ArithmeticOnly(0.02), ArithmeticOnly(-0.3), ArithmeticOnly(0.1), kRadius, p);
  const SphereForce<double> g = smooth_sphere_force(0.02, -0.3, 0.1, kRadius, p);
  CHECK(f.normal.v == Approx(g.normal).epsilon(kRoundingTol));
  CHECK(f.tangential.v == Approx(g.tangential).epsilon(kRoundingTol));
}

TEST_CASE("smooth contact parameters: every field validated with its range", "[smooth_contact]") {
  SmoothContactParams p;
  p.spheres = {{"heel", 0.0, -0.03, kRadius}};
  CHECK_NOTHROW(validate(p));
  const auto message = [&](auto edit) {
    SmoothContactParams q = p;
    edit(q);
    return input_error_message([&] { validate(q, "fc"); });
  };
  CHECK(message([](auto& q) { q.stiffness = 1e3; }) == "fc.stiffness = 1000 is out of range: allowed [1e+05, 1e+09] N/m^2");
  CHECK(message([](auto& q) { q.dissipation = -1; }) == "fc.dissipation = -1 is out of range: allowed [0, 5] s/m");
  CHECK(message([](auto& q) { q.dynamic_friction = 0.9; }) ==
        "fc.dynamic_friction = 0.9 is out of range: allowed [0, static_friction] = [0, 0.8]");
  CHECK(message([](auto& q) { q.transition_velocity = 0.001; }) ==
        "fc.transition_velocity = 0.001 is out of range: allowed [0.01, 1] m/s");
  CHECK(message([](auto& q) { q.hertz_smoothing = NAN; }) == "fc.hertz_smoothing = nan is out of range: allowed [100, 10000] 1/m");
  CHECK(message([](auto& q) { q.hunt_crossley_smoothing = 5; }) ==
        "fc.hunt_crossley_smoothing = 5 is out of range: allowed [10, 1000] s/m");
  CHECK(message([](auto& q) { q.spheres[0].radius = 0.2; }) == "fc.spheres.0.radius = 0.2 is out of range: allowed [0.005, 0.1] m");
  CHECK(message([](auto& q) { q.spheres.push_back(q.spheres[0]); }) == "fc.spheres.1.name: the name 'heel' is used twice");
  CHECK(message([](auto& q) { q.spheres[0].name = "Heel"; }).find("fc.spheres.0.name = \"Heel\" is not allowed") == 0);
  CHECK(message([](auto& q) { q.spheres.clear(); }) == "fc.spheres: the foot needs at least one contact sphere");
  CHECK(ContactSphere{}.count == 1);
  CHECK(message([](auto& q) { q.spheres[0].count = 0; }) == "fc.spheres.0.count = 0 is out of range: allowed [1, 4]");
  CHECK(message([](auto& q) { q.spheres[0].count = 5; }) == "fc.spheres.0.count = 5 is out of range: allowed [1, 4]");
  CHECK(message([](auto& q) { q.spheres[0].count = -2; }) == "fc.spheres.0.count = -2 is out of range: allowed [1, 4]");
  for (int n : {1, 2, 4}) {
    SmoothContactParams q = p;
    q.spheres[0].count = n;
    CHECK_NOTHROW(validate(q));
  }
}

TEST_CASE("default spheres: Falisse 2019's centres projected on the sagittal plane of the foot", "[smooth_contact]") {
  const BodyParams body = scale_body(70.0, 1.75);
  const FootParams& foot = body.foot;
  const std::vector<ContactSphere> s = sagittal_contact_spheres(foot);
  REQUIRE(s.size() == 4);
  CHECK(s[0].name == "heel");
  // count: the Falisse spheres each stands for (heel 1, midfoot 4; metatarsal 2 and 3; toe 5 and 6).
  CHECK(s[0].count == 1);
  CHECK(s[1].count == 1);
  CHECK(s[2].count == 2);
  CHECK(s[3].count == 2);
  CHECK(s[0].x == foot.heel.x);
  CHECK(s[2].x == foot.metatarsal_head.x);
  // Sphere 4 (x = 0.06623) between sphere 1 (0.0019) and the mean of spheres 2/3 (0.140695).
  CHECK((s[1].x - foot.heel.x) / (foot.metatarsal_head.x - foot.heel.x) ==
        Approx((0.06623 - 0.0019) / (0.140695 - 0.0019)).epsilon(1e-12));
  CHECK(s[3].x - s[2].x == Approx(0.0525 * foot.length / 0.2581).epsilon(1e-12));
  CHECK(s[3].x < foot.heel.x + foot.length);  // the toe sphere's contact point is under the toes
  for (const ContactSphere& c : s) {
    CHECK(c.radius == kRadius);
    CHECK(c.y - c.radius == Approx(foot.heel.y).epsilon(1e-14));  // touching the sole line
  }
  // Flat foot with the ankle 1 mm lower than on the unloaded sole: every sphere pushes, equally.
  const SmoothContactParams p;
  const double ankle = -foot.heel.y - 0.001;
  for (const ContactSphere& c : s)
    CHECK(smooth_sphere_force(ankle + c.y, 0.0, 0.0, c.radius, p).normal == Approx(normal_force(0.001, 0.0, p)));
}
