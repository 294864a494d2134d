// Patellofemoral joint load: the published contact-area fit and measurements (Brechter & Powers
// 2002, Besier et al. 2005) as cited in include/legsim/joint_load/pfj.hpp.
#include <cmath>
#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "legsim/core/error.hpp"
#include "legsim/core/ops.hpp"
#include "legsim/joint_load/pfj.hpp"

using namespace legsim;

namespace {

constexpr double kRatioTol = 1e-3;        // k(θ) against the published key values
constexpr double kLeverArmTol = 1e-4;     // m (0.1 mm)
constexpr double kAreaTolMm2 = 1.0;       // mm²
constexpr double kMm2 = 1e-6;
constexpr double kRelTol = 1e-13;
constexpr unsigned kSeed = 99u;

// The non-typo van Eijden fit, written out independently.
double k_formula(double t) {
  return (0.462 + 0.00147 * t - 0.0000384 * t * t) /
         (1.0 - 0.0162 * t + 0.000155 * t * t - 0.000000698 * t * t * t);
}

}  // namespace

TEST_CASE("k(theta): van Eijden fit key values", "[pfj]") {
  CHECK(pfj_force_ratio(0.0) == Approx(0.462).margin(kRatioTol));
  CHECK(pfj_force_ratio(30.0) == Approx(0.743).margin(kRatioTol));
  CHECK(pfj_force_ratio(50.0) == Approx(0.896).margin(kRatioTol));
  CHECK(pfj_force_ratio(80.0) == Approx(0.986).margin(kRatioTol));
  for (double t = 0.0; t <= 120.0; t += 7.5) CHECK(pfj_force_ratio(t) == Approx(k_formula(t)).epsilon(kRelTol));
  // Positive and finite over the clamped range; hyperextension treated as straight.
  for (double t = -20.0; t <= 180.0; t += 1.0) {
    CHECK(pfj_force_ratio(t) > 0.0);
    CHECK(std::isfinite(pfj_force_ratio(t)));
  }
  CHECK(pfj_force_ratio(-10.0) == pfj_force_ratio(0.0));
  CHECK(pfj_force_ratio(150.0) == pfj_force_ratio(kPfjMaxFlexionDeg));
}

TEST_CASE("quadriceps lever arm r_Q(theta), metre form", "[pfj]") {
  CHECK(quadriceps_lever_arm(0.0) == Approx(0.0460).margin(kLeverArmTol));
  CHECK(quadriceps_lever_arm(30.0) == Approx(0.0449).margin(kLeverArmTol));
  CHECK(quadriceps_lever_arm(45.0) == Approx(0.0396).margin(kLeverArmTol));
  CHECK(quadriceps_lever_arm(60.0) == Approx(0.0333).margin(kLeverArmTol));
  for (double t = 0.0; t <= 120.0; t += 1.0) CHECK(quadriceps_lever_arm(t) > 0.02);
}

TEST_CASE("contact area: Brechter & Powers fit (default) and Besier measured", "[pfj]") {
  const PfjParams fit;
  CHECK(fit.contact_area == PfjContactArea::kBrechterPowers2002Fit);
  CHECK(pfj_contact_area(0.0, fit) / kMm2 == Approx(152.0).margin(kAreaTolMm2));
  CHECK(pfj_contact_area(30.0, fit) / kMm2 == Approx(242.0).margin(kAreaTolMm2));
  CHECK(pfj_contact_area(45.0, fit) / kMm2 == Approx(340.0).margin(kAreaTolMm2));
  CHECK(pfj_contact_area(60.0, fit) / kMm2 == Approx(474.0).margin(kAreaTolMm2));
  PfjParams besier;
  besier.contact_area = PfjContactArea::kBesier2005Measured;
  CHECK(pfj_contact_area(0.0, besier) / kMm2 == Approx(210.0).epsilon(kRelTol));
  CHECK(pfj_contact_area(30.0, besier) / kMm2 == Approx(414.0).epsilon(kRelTol));
  CHECK(pfj_contact_area(60.0, besier) / kMm2 == Approx(520.0).epsilon(kRelTol));
  CHECK(pfj_contact_area(15.0, besier) / kMm2 == Approx(312.0).epsilon(kRelTol));
  CHECK(pfj_contact_area(45.0, besier) / kMm2 == Approx(467.0).epsilon(kRelTol));
  CHECK(pfj_contact_area(90.0, besier) / kMm2 == Approx(520.0).epsilon(kRelTol));   // held outside
  CHECK(pfj_contact_area(-5.0, besier) / kMm2 == Approx(210.0).epsilon(kRelTol));
  besier.besier_weight_bearing = true;
  CHECK(pfj_contact_area(30.0, besier) / kMm2 == Approx(414.0 * 1.24).epsilon(kRelTol));
}

TEST_CASE("PFJ force, stress and the moment method", "[pfj]") {
  const double fq = 4000.0, t = 45.0;
  const PfjLoad<double> load = pfj_load(fq, t);
  CHECK(load.force == Approx(k_formula(t) * fq).epsilon(kRelTol));
  CHECK(load.stress == Approx(load.force / (340.3 * kMm2)).epsilon(1e-3));
  CHECK(pfj_stress(load.force, t) == Approx(load.stress).epsilon(kRelTol));
  // Moment method equals the muscle method when only the quadriceps act: M = F_Q·r_Q(θ).
  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> force(0.0, 8000.0), angle(0.0, 90.0);
  for (int n = 0; n < 100; ++n) {
    const double f = force(rng), a = angle(rng);
    const double moment = f * quadriceps_lever_arm(a);
    CHECK(quadriceps_force_moment_method(moment, a) == Approx(f).epsilon(kRelTol));
  }
  // A knee flexion (negative extension) moment gives zero quadriceps and PFJ force.
  CHECK(quadriceps_force_moment_method(-50.0, 30.0) == 0.0);
  CHECK(pfj_force(quadriceps_force_moment_method(-50.0, 30.0), 30.0) == 0.0);
}

TEST_CASE("PFJ functions: SIMD lanes and autodiff agree with the scalar path", "[pfj][simd]") {
  constexpr std::size_t kL = BatchD::size;
  alignas(64) double t[kL];
  for (std::size_t l = 0; l < kL; ++l) t[l] = -10.0 + 17.0 * static_cast<double>(l);
  const BatchD tb = BatchD::load_aligned(t);
  PfjParams besier;
  besier.contact_area = PfjContactArea::kBesier2005Measured;
  const BatchD k = pfj_force_ratio(tb), r = quadriceps_lever_arm(tb), a = pfj_contact_area(tb),
               ab = pfj_contact_area(tb, besier), fq = quadriceps_force_moment_method(BatchD(100.0) - tb, tb);
  for (std::size_t l = 0; l < kL; ++l) {
    CHECK(k.get(l) == Approx(pfj_force_ratio(t[l])).epsilon(kRelTol));
    CHECK(r.get(l) == Approx(quadriceps_lever_arm(t[l])).epsilon(kRelTol));
    CHECK(a.get(l) == Approx(pfj_contact_area(t[l])).epsilon(kRelTol));
    CHECK(ab.get(l) == Approx(pfj_contact_area(t[l], besier)).epsilon(kRelTol));
    CHECK(fq.get(l) == Approx(quadriceps_force_moment_method(100.0 - t[l], t[l])).epsilon(kRelTol));
  }
  // dk/dθ by autodiff against a central difference.
  using Ad = Eigen::AutoDiffScalar<Eigen::Matrix<double, 1, 1>>;
  for (double th : {10.0, 40.0, 75.0}) {
    const Ad kd = pfj_force_ratio(Ad(th, 1, 0));
    const double fd = (pfj_force_ratio(th + 1e-5) - pfj_force_ratio(th - 1e-5)) / 2e-5;
    CHECK(kd.derivatives()(0) == Approx(fd).epsilon(1e-7));
  }
}

TEST_CASE("validate(PfjParams)", "[pfj]") {
  CHECK_NOTHROW(validate(PfjParams{}));
  PfjParams p;
  p.contact_area = static_cast<PfjContactArea>(7);
  std::string msg;
  try {
    validate(p);
  } catch (const InputError& e) {
    msg = e.what();
  }
  CHECK(msg ==
        "pfj.contact_area = 7 is out of range: allowed {0 (brechter_powers_2002_fit), 1 (besier_2005_measured)}");
}
