// Tests of the forward simulation of a predicted gait (include/legsim/predict/forward.hpp): its
// physics against the collocation's node physics at random states, and the verification
// (19, item 5) of a solved default step.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/model.hpp"
#include "legsim/predict/biped_physics.hpp"
#include "legsim/predict/forward.hpp"
#include "legsim/predict/predict.hpp"

using namespace legsim;
using namespace legsim::predict;

namespace {

GaitCondition default_condition() {
  GaitCondition c;
  c.speed = 3.5;
  c.cadence = 170.0;
  return c;
}

bool close(double a, double b, double rel, double scale) { return std::abs(a - b) <= rel * std::max(std::abs(b), scale); }

}  // namespace

// (a) The forward model's q̈ = M⁻¹(Q − h) and ḟ_T (explicit Hill form) zero the collocation's node
// residuals (M q̈ + h − Q and the implicit Hill balance), and both give the same forces, at random
// states with the right foot on the ground and the joints partly beyond their passive ranges.
TEST_CASE("forward physics zero the collocation's node residuals at random states", "[predict][forward]") {
  const Model model = Model::default_model();
  const GaitCondition cond = default_condition();
  const BipedPhysicsConstants c = make_biped_physics_constants(model, cond);
  const BipedConstants<double> b = make_biped_constants<double>(c.body);
  const int m = c.n_muscles, nc = c.n_compliant;
  REQUIRE(nc > 0);
  REQUIRE(nc < m);  // both tendon models are exercised
  std::mt19937 rng(19);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  for (const bool with_reserves : {false, true}) {
    PredictOptions opt;
    opt.reserve_weight = with_reserves ? 1.0 : 0.0;
    int hill_checked = 0, hill_total = 0, in_contact = 0;
    for (int n = 0; n < 40; ++n) {
      BipedVector<double> q, qd;
      q[0] = uniform(-0.5, 0.5);
      q[2] = uniform(-0.2, 0.4);
      for (int s = 0; s < 2; ++s) {
        q[3 + 3 * s] = uniform(-0.6, 2.15);  // hip: −34…123°, a few degrees beyond −30…120°
        q[4 + 3 * s] = uniform(-0.06, 2.4);  // knee: −3…138°, beyond 0…135°
        q[5 + 3 * s] = uniform(-0.92, 0.57); // ankle: −53…33°, beyond −50…30°
      }
      // Hip height: the right foot's lowest sphere 0.5 cm above to 1.5 cm into the ground.
      q[1] = 0.0;
      double lowest = 1e9;
      const BipedVector<double> zero{};
      for (const ContactSphere& sp : c.contact.spheres)
        lowest = std::min(lowest, biped_foot_point(b, q, zero, Side::kRight, sp.x, sp.y).position[1] - sp.radius);
      q[1] = -lowest + uniform(-0.015, 0.005);
      for (int j = 0; j < kBipedDof; ++j) qd[j] = uniform(-2.0, 2.0) * (j < 2 ? 1.0 : 3.0);
      std::vector<double> a(2 * m), e(2 * m), ft(2 * nc), res(6, 0.0);
      for (double& v : a) v = uniform(0.05, 1.0);
      for (double& v : e) v = uniform(0.01, 1.0);
      for (double& v : ft) v = uniform(0.0, 1.2);
      if (with_reserves)
        for (double& v : res) v = uniform(-30.0, 30.0);
      const BipedForces<double> f =
          biped_applied_forces<double>(c, b, q, qd, a.data(), ft.data(), e.data(), with_reserves ? res.data() : nullptr);
      const BipedVector<double> qdd = biped_forward_dynamics(b, q, qd, f.Q);
      std::vector<double> dft(f.tendon_force_rate.begin(), f.tendon_force_rate.begin() + 2 * nc);
      const CollocationNode node = evaluate_collocation_node(
          model, cond, opt, std::vector<double>(q.begin(), q.end()), std::vector<double>(qd.begin(), qd.end()),
          std::vector<double>(qdd.begin(), qdd.end()), a, ft, dft, e, res);
      INFO("state " << n << (with_reserves ? " with reserves" : ""));
      if (f.grf[1] > 100.0) ++in_contact;
      // Skeletal rows: a residual of 1 is an acceleration error of 100 rad/s² (m/s²); rounding grows
      // with the accelerations (up to 1e6 rad/s² for a light foot pushed beyond a passive limit).
      double qdd_max = 0.0;
      for (double v : qdd) qdd_max = std::max(qdd_max, std::abs(v));
      for (int j = 0; j < kBipedDof; ++j) {
        INFO("skeletal row " << j << ": q̈ = " << qdd[j]);
        CHECK(std::abs(node.residual[j]) < 1e-10 + 1e-15 * qdd_max);
      }
      // Hill balances, where the explicit form's clamps are inactive (|ṽ| < 1 and no damped solve
      // outside it): there it is the root of the implicit residual.
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < m; ++i) {
          const int slot = c.compliant_slot[i];
          if (slot < 0) continue;
          const MuscleConstants<double>& mc = c.muscles.muscles[i];
          const Side side = s == 0 ? Side::kRight : Side::kLeft;
          const MusclePath<double> path = leg_muscle_path(mc, q, qd, side);
          const MtuOutputs<double> o =
              evaluate_compliant_mtu(mc.mtu, path.length, path.velocity, a[s * m + i], ft[s * nc + slot]);
          ++hill_total;
          if (std::abs(o.norm_fiber_velocity) >= 0.999) continue;
          ++hill_checked;
          INFO("muscle " << i << " side " << s << ": ḟ_T = " << dft[s * nc + slot] << ", ṽ = " << o.norm_fiber_velocity);
          CHECK(std::abs(node.residual[kBipedDof + s * nc + slot]) < 1e-9);
        }
      // State derivative and reported forces.
      for (int j = 0; j < kBipedDof; ++j) {
        CHECK(node.xdot[j] == qd[j]);
        CHECK(close(node.xdot[kBipedDof + j], qdd[j], 1e-12, 1.0));
      }
      for (int i = 0; i < 2 * m; ++i) {
        CHECK(close(node.xdot[2 * kBipedDof + i], f.activation_rate[i], 1e-12, 1.0));
        CHECK(close(node.tendon_force[i], f.tendon_force[i], 1e-12, 1.0));
      }
      for (int i = 0; i < 4; ++i) CHECK(close(node.grf[i], f.grf[i], 1e-12, 1.0));
      for (int i = 0; i < 6; ++i) CHECK(close(node.joint_moment[i], f.joint_moment[i], 1e-12, 1.0));
      for (int i = 0; i < 2; ++i) CHECK(close(node.quadriceps_force[i], f.quadriceps_force[i], 1e-12, 1.0));
    }
    CHECK(in_contact >= 10);
    CHECK(hill_checked >= hill_total / 4);
  }
}

TEST_CASE("simulate_biped rejects a gait of another layout and a bad duration", "[predict][forward]") {
  const Model model = Model::default_model();
  PredictedGait g;
  CHECK_THROWS_AS(simulate_biped(model, default_condition(), g, 0.1), InputError);
  g.time = {0.0, 0.01};
  g.muscle_names = {"x_r"};
  CHECK_THROWS_WITH(simulate_biped(model, default_condition(), g, 0.1),
                    Catch::Contains("gait.muscle_names: expected"));
}

TEST_CASE("mesh_times: uniform at ratio 1, graded over the impact window otherwise", "[predict][mesh]") {
  PredictOptions o;
  o.mesh_intervals = 100;
  const double T = 60.0 / 170.0;
  o.impact_mesh_ratio = 1.0;
  const std::vector<double> u = mesh_times(T, o);
  REQUIRE(u.size() == 101);
  for (int k = 0; k < 100; ++k) CHECK(u[k + 1] - u[k] == Approx(T / 100).epsilon(1e-12));
  o.impact_mesh_ratio = 3.0;
  o.impact_window = 0.04;
  const std::vector<double> t = mesh_times(T, o);
  REQUIRE(t.size() == 101);
  CHECK(t.front() == 0.0);
  CHECK(t.back() == T);
  double fine = 1e9, coarse = 0.0;
  for (int k = 0; k < 100; ++k) {
    const double h = t[k + 1] - t[k];
    REQUIRE(h > 0.0);
    if (t[k + 1] <= o.impact_window + 1e-12) fine = std::min(fine, h); else coarse = std::max(coarse, h);
  }
  // Rounding the number of fine intervals to an integer moves the ratio a little off 3.
  CHECK(coarse / fine == Approx(3.0).epsilon(0.1));
  // The window boundary is a node.
  CHECK(std::any_of(t.begin(), t.end(), [&](double v) { return std::abs(v - o.impact_window) < 1e-12; }));
  o.impact_mesh_ratio = 0.5;
  CHECK_THROWS_WITH(mesh_times(T, o), Catch::Contains("impact_mesh_ratio = 0.5"));
  o.impact_mesh_ratio = 3.0;
  o.impact_window = 0.0;
  CHECK_THROWS_WITH(mesh_times(T, o), Catch::Contains("impact_window"));
}

// (b) The verification: forward-simulate the predicted right stance from the collocation's
// touchdown state under its excitations; joint angles within 2° at the stance nodes, peak PFJ force
// within 3 %, contact time within 5 ms.
//
// Measured 2026-12-05, default options (150 intervals graded 4:1 over the first 40 ms, passive-moment
// cost 0.5; rosenbrock4 at the model's tolerances): joint angles within 1.36° (right knee at toe-off),
// peak PFJ force −0.02 %, contact time +0.07 ms. On a uniform mesh of 100 intervals (no passive cost)
// the check failed (9.2°, −3.47 %, +2.0 ms): one-interval restarts put the collocation's local error
// in the impact intervals, and the open-loop stance grew it; the graded mesh is that finding's remedy
// (docs/decisions.md, "Gait prediction: 150 intervals, graded 4:1").
// Thresholds are the issue's; do not loosen them.
TEST_CASE("forward simulation reproduces the predicted stance (default condition and mesh)",
          "[predict][forward][slow]") {
  const Model model = Model::default_model();
  const GaitCondition cond = default_condition();
  const PredictOptions opt;  // the default mesh
  const PredictedGait g = predict_gait(model, cond, opt);
  REQUIRE(g.converged);
  const double h = (g.time.back() - g.time.front()) / opt.mesh_intervals;  // the mean interval
  const double tc = gait_metrics(model, cond, g).at("contact_time_s");
  const BipedSimulation sim = simulate_biped(model, cond, g, std::min(g.time.back(), tc + 4 * h));
  const StanceAgreement s = compare_stance(model, cond, g, sim);
  std::printf("forward vs collocation (N = %d): max joint angle diff %.3f deg (coordinate %d at %.4f s), trunk %.3f deg; "
              "peak PFJ %.4f vs %.4f BW (%+.2f %%; at nodes %+.2f %%); contact time %.4f vs %.4f s (%+.2f ms)\n",
              opt.mesh_intervals, s.max_joint_angle_difference_deg, s.worst_coordinate, s.worst_time,
              s.max_trunk_lean_difference_deg, s.peak_pfj_force_simulated_bw, s.peak_pfj_force_predicted_bw,
              100 * s.peak_pfj_force_relative_difference, 100 * s.peak_pfj_force_relative_difference_at_nodes,
              s.contact_time_simulated, s.contact_time_predicted, 1e3 * s.contact_time_difference);
  CHECK(std::abs(s.contact_time_difference) <= 0.005);
  CHECK(s.max_joint_angle_difference_deg <= 2.0);
  CHECK(std::abs(s.peak_pfj_force_relative_difference) <= 0.03);
}
