// The two-legged body instantiated for casadi::SX, the scalar of the collocation problem: every
// template builds (no branch or comparison on values of T), the expression graphs evaluate to the
// double results, and the symbolic Jacobian of the inverse dynamics in q̈ is the mass matrix.
// Built only when CMake finds CasADi (tests/cpp/CMakeLists.txt).
#include <array>
#include <cmath>
#include <random>
#include <vector>

#include <casadi/casadi.hpp>
#include <catch2/catch.hpp>

#include "legsim/body/biped.hpp"
#include "legsim/body/params.hpp"

using namespace legsim;
using casadi::DM;
using casadi::SX;

namespace {

constexpr unsigned kSeed = 20260420u;
constexpr int kRandomStates = 20;
constexpr double kRelTol = 1e-12;

SX stack(const std::vector<SX>& v) { return SX::vertcat(v); }
template <std::size_t N>
SX stack(const std::array<SX, N>& v) {
  return SX::vertcat(std::vector<SX>(v.begin(), v.end()));
}

BipedVector<SX> split(const SX& x) {
  BipedVector<SX> v;
  for (int i = 0; i < kBipedDof; ++i) v[i] = x(i);
  return v;
}

std::vector<double> values(const DM& m) { return m.get_elements(); }

}  // namespace

TEST_CASE("biped templates for casadi::SX evaluate to the double results", "[body][biped][casadi]") {
  const BipedParams p = biped_params(scale_body(70.0, 1.75));
  const BipedConstants<SX> bs = make_biped_constants<SX>(p);
  const BipedConstants<double> bd = make_biped_constants<double>(p);
  const SX qs = SX::sym("q", kBipedDof), qds = SX::sym("qd", kBipedDof), qdds = SX::sym("qdd", kBipedDof);
  const SX fs = SX::sym("f", 2);
  const BipedVector<SX> q = split(qs), qd = split(qds), qdd = split(qdds);

  const BipedVector<SX> id = biped_inverse_dynamics(bs, q, qd, qdd);
  const BipedVector<SX> fd = biped_forward_dynamics(bs, q, qd, qdd);
  const PointState<SX> heel_l = biped_foot_point(bs, q, qd, Side::kLeft, p.foot.heel.x, p.foot.heel.y);
  const BipedVector<SX> gf_r = biped_foot_point_generalized_force(
      bs, q, Side::kRight, p.foot.metatarsal_head.x, p.foot.metatarsal_head.y, std::array<SX, 2>{fs(0), fs(1)});
  const BipedKinematics<SX> k = biped_kinematics(bs, q, qd);
  const SX energy = biped_kinetic_energy(bs, q, qd) + biped_potential_energy(bs, q);
  const BipedVector<SX> qm = mirror(q);
  casadi::Function f("biped", {qs, qds, qdds, fs},
                     {stack(id), stack(fd),
                      stack(std::vector<SX>{heel_l.position[0], heel_l.position[1], heel_l.velocity[0],
                                            heel_l.velocity[1]}),
                      stack(gf_r), stack(std::vector<SX>{k.com[0], k.com[1], k.com_velocity[0], k.com_velocity[1]}),
                      energy, stack(qm), SX::jacobian(stack(id), qdds)});

  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int n = 0; n < kRandomStates; ++n) {
    BipedVector<double> a, ad, add;
    for (int i = 0; i < kBipedDof; ++i) {
      a[i] = (i == 1 ? 1.0 : 0.0) + 0.7 * u(rng);
      ad[i] = 3.0 * u(rng);
      add[i] = 30.0 * u(rng);
    }
    const std::array<double, 2> force = {120.0 * u(rng), 1500.0};
    const std::vector<DM> out =
        f(std::vector<DM>{DM(std::vector<double>(a.begin(), a.end())), DM(std::vector<double>(ad.begin(), ad.end())),
                          DM(std::vector<double>(add.begin(), add.end())),
                          DM(std::vector<double>(force.begin(), force.end()))});
    const BipedVector<double> id_d = biped_inverse_dynamics(bd, a, ad, add);
    const BipedVector<double> fd_d = biped_forward_dynamics(bd, a, ad, add);
    const PointState<double> heel_d = biped_foot_point(bd, a, ad, Side::kLeft, p.foot.heel.x, p.foot.heel.y);
    const BipedVector<double> gf_d = biped_foot_point_generalized_force(
        bd, a, Side::kRight, p.foot.metatarsal_head.x, p.foot.metatarsal_head.y, force);
    const BipedKinematics<double> k_d = biped_kinematics(bd, a, ad);
    const double energy_d = biped_kinetic_energy(bd, a, ad) + biped_potential_energy(bd, a);
    const BipedVector<double> qm_d = mirror(a);
    BipedMatrix<double> M;
    BipedVector<double> h;
    biped_mass_matrix_and_bias(bd, a, ad, M, h);

    const std::vector<double> id_s = values(out[0]), fd_s = values(out[1]), heel_s = values(out[2]),
                              gf_s = values(out[3]), com_s = values(out[4]), qm_s = values(out[6]);
    for (int i = 0; i < kBipedDof; ++i) {
      CHECK(id_s[i] == Approx(id_d[i]).margin(kRelTol * 1e3));
      CHECK(fd_s[i] == Approx(fd_d[i]).margin(kRelTol * 1e3));
      CHECK(gf_s[i] == Approx(gf_d[i]).margin(kRelTol * 1e3));
      CHECK(qm_s[i] == qm_d[i]);
    }
    const std::array<double, 4> heel_v = {heel_d.position[0], heel_d.position[1], heel_d.velocity[0],
                                          heel_d.velocity[1]};
    const std::array<double, 4> com_v = {k_d.com[0], k_d.com[1], k_d.com_velocity[0], k_d.com_velocity[1]};
    for (int i = 0; i < 4; ++i) {
      CHECK(heel_s[i] == Approx(heel_v[i]).margin(kRelTol * 10.0));
      CHECK(com_s[i] == Approx(com_v[i]).margin(kRelTol * 10.0));
    }
    CHECK(double(out[5]) == Approx(energy_d).epsilon(kRelTol));
    // ∂(M q̈ + h)/∂q̈ = M, symbolically differentiated.
    const DM& jac = out[7];
    for (int i = 0; i < kBipedDof; ++i)
      for (int j = 0; j < kBipedDof; ++j) CHECK(double(jac(i, j)) == Approx(M[i][j]).margin(kRelTol * 100.0));
  }
}
