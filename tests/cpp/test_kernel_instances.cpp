// Kernels on two instances with different parameters (issue 20.7). A kernel that caches a value of
// its parameters between calls (a function-local static, a member set on first use) gives the first
// instance's answer to the second — a known bug class of simulation codes. Each kernel here is
// called on instances A, B, A in turn: A's two answers must be identical and differ from B's.
// And one SIMD batch whose lanes carry different models' constants must give, lane by lane, each
// model's scalar right-hand side.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "legsim/batch/stance_batch.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/joint_load/pfj.hpp"
#include "legsim/muscle/mtu.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_dynamics.hpp"

using namespace legsim;

namespace {

using B = BatchD;

/// Two runners that differ in every group of per-lane constants: body size, muscle strength and
/// tendon compliance, and the controller.
std::array<Model, 2> two_runners() {
  const Model& a = Model::default_model();
  const Model b = a.with_params({{"body.mass", 82.0},
                                 {"body.height", 1.86},
                                 {"muscles.soleus.max_isometric_force", 5200.0},
                                 {"muscles.quadriceps.max_isometric_force", 6900.0},
                                 {"muscles.gastrocnemius.tendon_strain_at_one_norm_force", 0.06},
                                 {"controller.muscles.soleus.level", 0.55},
                                 {"controller.trunk_kp", 12.0}});
  return {a, b};
}

TouchdownState touchdown(double hip_flexion, double knee_flexion, double vx) {
  TouchdownState td;
  td.trunk_lean = 0.1;
  td.hip_flexion = hip_flexion;
  td.knee_flexion = knee_flexion;
  td.ankle_dorsiflexion = 0.1;
  td.hip_velocity_x = vx;
  td.hip_velocity_y = -0.5;
  td.hip_angular_velocity = -3.0;
  return td;
}

struct RhsCall {
  std::vector<double> dx;
  StanceSignals<double> sig;
};

RhsCall scalar_rhs(const StanceConstants<double>& c, double t, const std::vector<double>& x) {
  RhsCall r;
  r.dx.assign(x.size(), 0.0);
  const std::array<double, kMaxMuscles> u{};
  stance_rhs(c, t, x.data(), u.data(), r.dx.data(), &r.sig);
  return r;
}

}  // namespace

TEST_CASE("stance_rhs on instances A, B, A: A's answers are identical and differ from B's", "[kernels]") {
  const auto models = two_runners();
  std::array<StanceConstants<double>, 2> c;
  std::array<std::vector<double>, 2> x;
  for (int k = 0; k < 2; ++k) {
    c[k] = make_stance_constants(models[k], nullptr, &models[k].controller());
    x[k] = touchdown_state_vector(models[k], c[k], touchdown(0.5, 0.3, 3.5));
  }
  // The same posture and velocities for both, so that only the constants differ.
  x[1] = x[0];
  const RhsCall a1 = scalar_rhs(c[0], 0.02, x[0]);
  const RhsCall b = scalar_rhs(c[1], 0.02, x[1]);
  const RhsCall a2 = scalar_rhs(c[0], 0.02, x[0]);
  CHECK(a1.dx == a2.dx);
  CHECK(a1.sig.pfj_force == a2.sig.pfj_force);
  // Every generalized acceleration depends on the body's size and the muscles' strength.
  for (int i = 0; i < kDof; ++i) CHECK(a1.dx[kStateQd + i] != b.dx[kStateQd + i]);
  CHECK(a1.sig.body_com_y != b.sig.body_com_y);  // the taller runner's centre of mass is higher
}

TEST_CASE("muscle and PFJ kernels on instances A, B, A", "[kernels]") {
  const auto models = two_runners();
  // The gastrocnemius of the two runners differs in tendon compliance, which the normalized kernels see
  // (a different maximum isometric force alone would cancel out of them).
  const auto gastrocnemius = [&](const Model& m) {
    for (const MuscleSpec& s : m.muscles())
      if (s.name == "gastrocnemius") return s.params;
    FAIL("no gastrocnemius");
    return MuscleParams{};
  };
  const MuscleParams pa = gastrocnemius(models[0]), pb = gastrocnemius(models[1]);
  const MtuCoefficients<double> ca = make_mtu_coefficients<double>(pa), cb = make_mtu_coefficients<double>(pb);
  const double l_mt = pa.optimal_fiber_length + pa.tendon_slack_length;
  const auto eval = [&](const MtuCoefficients<double>& c) {
    return evaluate_compliant_mtu(c, l_mt, -0.1, 0.6, 0.5).fiber_velocity;
  };
  const double a1 = eval(ca), b = eval(cb), a2 = eval(ca);
  CHECK(a1 == a2);
  CHECK(a1 != b);
  const auto equilibrium = [&](const MuscleParams& p) { return solve_mtu_equilibrium(p, l_mt, 0.0, 0.5).norm_tendon_force; };
  const double ea1 = equilibrium(pa), eb = equilibrium(pb), ea2 = equilibrium(pa);
  CHECK(ea1 == ea2);
  CHECK(ea1 != eb);

  PfjParams qa, qb;
  qa.contact_area = qb.contact_area = PfjContactArea::kBesier2005Measured;
  qb.besier_weight_bearing = true;
  const double sa1 = pfj_stress(3000.0, 45.0, qa), sb = pfj_stress(3000.0, 45.0, qb), sa2 = pfj_stress(3000.0, 45.0, qa);
  CHECK(sa1 == sa2);
  CHECK(sb == Approx(sa1 / 1.24).epsilon(1e-12));  // weight-bearing areas are 1.24 × larger (Besier 2005)
}

TEST_CASE("a batch whose lanes carry different models' constants gives each model's scalar answer", "[kernels]") {
  const auto models = two_runners();
  constexpr std::size_t kL = B::size;
  std::array<StanceConstants<double>, kL> c;
  std::array<std::vector<double>, kL> x;
  const StanceConstants<double>* ptr[kL];
  for (std::size_t l = 0; l < kL; ++l) {
    const Model& m = models[l % 2];
    c[l] = make_stance_constants(m, nullptr, &m.controller());
    x[l] = touchdown_state_vector(m, c[l], touchdown(0.45 + 0.02 * double(l), 0.25 + 0.01 * double(l), 3.0 + 0.1 * double(l)));
    ptr[l] = &c[l];
  }
  const StanceConstants<B> cb = pack_stance_constants<B>(ptr);
  const std::size_t n = x[0].size();
  std::vector<B> xb(n), dxb(n);
  for (std::size_t i = 0; i < n; ++i) {
    alignas(64) double buf[kL];
    for (std::size_t l = 0; l < kL; ++l) buf[l] = x[l][i];
    xb[i] = B::load_aligned(buf);
  }
  const std::array<B, kMaxMuscles> u{};
  StanceSignals<B> sig;
  stance_rhs(cb, B(0.02), xb.data(), u.data(), dxb.data(), &sig);
  double worst = 0.0;
  for (std::size_t l = 0; l < kL; ++l) {
    const RhsCall r = scalar_rhs(c[l], 0.02, x[l]);
    for (std::size_t i = 0; i < n; ++i) {
      alignas(64) double buf[kL];
      dxb[i].store_aligned(buf);
      worst = std::max(worst, std::abs(buf[l] - r.dx[i]) / std::max(std::abs(r.dx[i]), 1.0));
    }
    alignas(64) double pfj[kL];
    sig.pfj_force.store_aligned(pfj);
    CHECK(pfj[l] == Approx(r.sig.pfj_force).epsilon(1e-10).margin(1e-9));
  }
  INFO("worst relative difference of a lane's dx/dt from its scalar evaluation: " << worst);
  // SIMD and libm transcendental functions round differently: measured 1.1e-14 (AVX-512, Release,
  // 2026-12-06), not bits; the bar is 100× that.
  CHECK(worst < 1e-12);
}
