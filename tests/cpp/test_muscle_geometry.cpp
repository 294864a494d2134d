// Muscle paths: every moment arm is −∂l_MT/∂q (virtual work), so the power the muscles deliver to
// the joints equals the power their tendon forces do along their paths.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "legsim/core/constants.hpp"
#include "legsim/model.hpp"
#include "legsim/muscle/geometry.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_dynamics.hpp"

using namespace legsim;

namespace {

/// Joint-coordinate ranges (rad) wider than a running stride's: hip flexion −30…120°, knee flexion
/// 0…150°, ankle dorsiflexion −50…30°.
constexpr std::array<std::array<double, 2>, kNumJoints> kRange{{{-30.0 * kDegToRad, 120.0 * kDegToRad},
                                                               {0.0, 150.0 * kDegToRad},
                                                               {-50.0 * kDegToRad, 30.0 * kDegToRad}}};

}  // namespace

TEST_CASE("geometry: every moment arm of the default model is −∂l_MT/∂q (central differences)") {
  const Model& model = Model::default_model();
  constexpr double h = 1e-6;  // rad; truncation ~h²·l''' ≈ 1e-14 m, rounding ~1e-16·0.4/h ≈ 4e-11 m
  int checked = 0;
  for (const MuscleSpec& m : model.muscles()) {
    const double l_ref = m.params.optimal_fiber_length + m.params.tendon_slack_length;
    for (const JointCrossing& c : m.joints) {
      const int j = static_cast<int>(c.joint);
      for (int k = 0; k <= 40; ++k) {
        std::array<double, kNumJoints> q{0.4, 0.5, 0.1};
        q[j] = kRange[j][0] + (kRange[j][1] - kRange[j][0]) * k / 40.0;
        const PathGeometry g = path_geometry(m.joints, l_ref, q);
        std::array<double, kNumJoints> qp = q, qm = q;
        qp[j] += h;
        qm[j] -= h;
        const double dl_dq = (path_geometry(m.joints, l_ref, qp).length - path_geometry(m.joints, l_ref, qm).length) / (2 * h);
        INFO(m.name << " at joint " << j << ", q = " << q[j] << " rad: arm " << g.moment_arm[j] << " m, −dl/dq "
                    << -dl_dq << " m");
        // Relative error < 1e-6, measured against |r| floored at 1 mm where the arm crosses zero.
        CHECK(std::abs(g.moment_arm[j] + dl_dq) <= 1e-6 * std::max(std::abs(g.moment_arm[j]), 1e-3));
        ++checked;
      }
    }
  }
  CHECK(checked == 9 * 41);  // nine crossings in the default model
}

TEST_CASE("geometry: joint power of the muscle moments equals the tendon forces' power along their paths") {
  // Σ_j M_j·q̇_j = −Σ_i F_i·v_MT,i at any state: the muscles neither create nor lose energy in their
  // paths (fails by the factor 1/ρ when the moment arm and the length change disagree).
  const Model& model = Model::default_model();
  const StanceConstants<double> c = make_stance_constants(model);
  TouchdownState td;
  td.activations.assign(model.muscles().size(), 0.5);
  std::vector<double> x = touchdown_state_vector(model, c, td);
  const int n = c.n_muscles;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int trial = 0; trial < 50; ++trial) {
    for (int j = 0; j < kNumJoints; ++j) {
      x[kStateQ + kJointCoordinate[j]] = 0.5 * (kRange[j][0] + kRange[j][1]) + 0.3 * u(rng);
      x[kStateQd + kJointCoordinate[j]] = 8.0 * u(rng);
    }
    for (int i = 0; i < n; ++i) x[tendon_state_index(n, i)] = 0.5 + 0.4 * u(rng);  // tendons loaded
    std::vector<double> dx(x.size()), e(n, 0.5);
    StanceSignals<double> s;
    stance_rhs(c, 0.0, x.data(), e.data(), dx.data(), &s);
    double joint_power = 0.0, path_power = 0.0, scale = 0.0;
    for (int j = 0; j < kNumJoints; ++j) joint_power += s.joint_moment[j] * s.joint_velocity[j];
    for (int i = 0; i < n; ++i) {
      path_power -= s.force[i] * s.mtu_velocity[i];
      scale += std::abs(s.force[i] * s.mtu_velocity[i]);
    }
    REQUIRE(x[kStateQ + 4] > 0.0);  // knee flexed: the hyperextension limit adds no moment
    INFO("trial " << trial << ": joint power " << joint_power << " W, path power " << path_power << " W");
    CHECK(std::abs(joint_power - path_power) <= 1e-12 * scale);
  }
}
