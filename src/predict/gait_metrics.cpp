// Metrics of a predicted step (include/legsim/predict/predict.hpp). Names, units and definitions as
// the stance metrics of src/sim/metrics.cpp (DESIGN 5; every key legsim.simulate's gait matching
// gives), read off the collocation nodes of the right leg's stance; the quantities that need more
// than the recorded trajectories (centre of mass, contact power, fiber velocity, tendon strain) come
// from the nodes' states through the shared physics of predict/biped_physics.hpp. Stride keys beside
// them: flight time, swing peak knee flexion, hip flexion at contact, peak ankle dorsiflexion, both
// legs' joint work over the step (`<joint>_{positive,negative}_work_step_j_per_kg`), the contact's
// work over the step (`contact_work_step_j_per_kg`; with the joints' it sums to zero in a periodic
// step) and the reserve-torque fraction.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "legsim/core/constants.hpp"
#include "legsim/joint_load/pfj.hpp"
#include "legsim/predict/biped_physics.hpp"
#include "legsim/predict/predict.hpp"
#include "legsim/sim/metrics.hpp"

namespace legsim::predict {

namespace {

double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

/// Index of the toe-off node of the right foot and the interpolated contact time: the stance lasts
/// while the vertical force stays above the 20 N threshold that defines initial contact.
std::pair<std::size_t, double> right_stance(const PredictedGait& g) {
  constexpr double threshold = kStanceForceThreshold;
  std::size_t k = 1;
  while (k < g.time.size() && g.grf[k][1] > threshold) ++k;
  if (k >= g.time.size()) return {g.time.size() - 1, g.time.back()};
  const double f0 = g.grf[k - 1][1], f1 = g.grf[k][1];
  const double w = (f0 - threshold) / std::max(f0 - f1, 1e-12);
  return {k - 1, g.time[k - 1] + w * (g.time[k] - g.time[k - 1])};
}

}  // namespace

std::map<std::string, double> gait_metrics(const Model& model_in, const GaitCondition& condition,
                                           const PredictedGait& g) {
  std::map<std::string, double> m;
  if (!g.converged || g.time.size() < 3) return m;
  const Model model = condition_model(model_in, condition);
  const double mass = g.body_mass, bw = mass * kGravity;
  const auto [last, contact_time] = right_stance(g);
  const std::size_t n = last + 1;  // stance nodes 0..last
  std::vector<double> t(g.time.begin(), g.time.begin() + n);
  auto series = [&](auto f) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = f(k);
    return v;
  };
  const auto knee_deg = series([&](std::size_t k) { return g.q[k][4] * kRadToDeg; });
  const auto fy = series([&](std::size_t k) { return g.grf[k][1]; });
  const auto quad = series([&](std::size_t k) { return g.quadriceps_force[k][0]; });
  std::vector<double> pfj_f(n), pfj_s(n), pfj_mm(n);
  for (std::size_t k = 0; k < n; ++k) {
    const PfjLoad<double> l = pfj_load(quad[k], knee_deg[k], model.pfj());
    pfj_f[k] = l.force;
    pfj_s[k] = l.stress;
    const double ext = -g.joint_moment[k][1];
    pfj_mm[k] = pfj_force(quadriceps_force_moment_method(ext, knee_deg[k]), knee_deg[k]);
  }
  const double steps_per_km = 1000.0 / g.step_length;
  m["contact_time_s"] = contact_time;
  m["flight_time_s"] = g.step_time - contact_time;
  m["step_length_m"] = g.step_length;
  m["cadence_spm"] = 60.0 / g.step_time;
  m["speed_m_per_s"] = g.speed;
  m["peak_vertical_grf_bw"] = max_of(fy) / bw;
  const VerticalGrfLandmarks vg = vertical_grf_landmarks(t, fy);
  m["impact_peak_vertical_grf_bw"] = vg.impact_peak / bw;
  m["active_peak_vertical_grf_bw"] = vg.active_peak / bw;
  m["vertical_average_loading_rate_bw_per_s"] = vg.average_loading_rate / bw;
  m["vertical_instantaneous_loading_rate_bw_per_s"] = vg.instantaneous_loading_rate / bw;
  m["peak_pfj_force_bw"] = max_of(pfj_f) / bw;
  m["peak_pfj_stress_mpa"] = max_of(pfj_s) * 1e-6;
  m["pfj_impulse_bw_s"] = integral(t, pfj_f) / bw;
  m["pfj_impulse_per_km_bw_s"] = m["pfj_impulse_bw_s"] * steps_per_km;
  m["pfj_stress_impulse_mpa_s"] = integral(t, pfj_s) * 1e-6;
  m["pfj_stress_impulse_per_km_mpa_s"] = m["pfj_stress_impulse_mpa_s"] * steps_per_km;
  m["peak_pfj_force_moment_method_bw"] = max_of(pfj_mm) / bw;
  m["peak_quadriceps_force_bw"] = max_of(quad) / bw;
  m["peak_knee_extension_moment_nm_per_kg"] = max_of(series([&](std::size_t k) { return -g.joint_moment[k][1]; })) / mass;
  m["peak_ankle_plantarflexion_moment_nm_per_kg"] =
      max_of(series([&](std::size_t k) { return -g.joint_moment[k][2]; })) / mass;
  m["peak_knee_flexion_deg"] = max_of(knee_deg);
  m["knee_flexion_at_contact_deg"] = knee_deg[0];
  m["hip_flexion_at_contact_deg"] = g.q[0][3] * kRadToDeg;
  m["peak_ankle_dorsiflexion_deg"] = max_of(series([&](std::size_t k) { return g.q[k][5] * kRadToDeg; }));
  // Swing: the right knee after toe-off and the left knee before its touchdown (half a stride later).
  double swing = -std::numeric_limits<double>::infinity();
  for (std::size_t k = n; k < g.time.size(); ++k) swing = std::max(swing, g.q[k][4] * kRadToDeg);
  for (std::size_t k = 0; k < g.time.size(); ++k) swing = std::max(swing, g.q[k][7] * kRadToDeg);
  m["swing_peak_knee_flexion_deg"] = swing;
  // ---- through the shared physics of predict/biped_physics.hpp, at the nodes' states ----
  const BipedPhysicsConstants pc = make_biped_physics_constants(model_in, condition);
  const BipedConstants<double> b = make_biped_constants<double>(pc.body);
  const auto state = [&](std::size_t k) {
    BipedVector<double> q, qd;
    std::copy(g.q[k].begin(), g.q[k].end(), q.begin());
    std::copy(g.qd[k].begin(), g.qd[k].end(), qd.begin());
    return std::pair{q, qd};
  };
  // Ground contact of both feet at node k: its power on the body Σ F·v_centre (W; the point where
  // add_foot_contact applies each sphere's force), the tangential part of it, and the velocity of the
  // bottom point of the right foot's most loaded sphere (the sphere that lands first, at node 0).
  struct ContactAudit {
    double power = 0.0, friction_power = 0.0, most_load = -1.0;
    std::array<double, 2> loaded_bottom_velocity{};
  };
  const auto contact_audit = [&](std::size_t k) {
    const auto [q, qd] = state(k);
    ContactAudit a;
    for (const Side side : {Side::kRight, Side::kLeft}) {
      BipedVector<double> unused{};
      add_foot_contact(b, pc.contact, q, qd, side, unused,
                       [&](const ContactSphere&, const PointState<double>& centre, const PointState<double>& bottom,
                           const SphereForce<double>& f) {
                         a.friction_power += f.tangential * centre.velocity[0];
                         a.power += f.tangential * centre.velocity[0] + f.normal * centre.velocity[1];
                         if (side == Side::kRight && f.normal > a.most_load) {
                           a.most_load = f.normal;
                           a.loaded_bottom_velocity = bottom.velocity;
                         }
                       });
    }
    return a;
  };
  // Fore–aft GRF of the right foot split into braking (< 0) and propulsive (> 0) parts, as the
  // stance metrics (sim/metrics.hpp).
  const auto fx = series([&](std::size_t k) { return g.grf[k][0]; });
  const auto [propulsive, braking] = work_parts(t, fx);
  m["peak_braking_grf_bw"] = -*std::min_element(fx.begin(), fx.end()) / bw;
  m["braking_impulse_bw_s"] = braking / bw;
  m["propulsive_impulse_bw_s"] = propulsive / bw;
  // Whole-body centre of mass at touchdown and at toe-off (linear between the nodes around the
  // interpolated contact time).
  const auto com_vy = [&](std::size_t k) {
    const auto [q, qd] = state(k);
    return biped_kinematics(b, q, qd).com_velocity[1];
  };
  m["touchdown_com_vertical_velocity_m_per_s"] = com_vy(0);
  double toe_off_vy = com_vy(last);
  if (last + 1 < g.time.size()) {
    const double w = (contact_time - g.time[last]) / (g.time[last + 1] - g.time[last]);
    toe_off_vy += w * (com_vy(last + 1) - toe_off_vy);
  }
  m["toe_off_com_vertical_velocity_m_per_s"] = toe_off_vy;
  const ContactAudit touchdown = contact_audit(0);
  m["touchdown_foot_velocity_x_m_per_s"] = touchdown.loaded_bottom_velocity[0];
  m["touchdown_foot_velocity_y_m_per_s"] = touchdown.loaded_bottom_velocity[1];
  // Energy audit: joint moments and ground contact are the only non-conservative generalized forces,
  // so Δ(kinetic + potential) = joint work (both legs) + contact work (both feet).
  std::vector<double> contact_power(g.time.size()), friction_power(g.time.size());
  for (std::size_t k = 0; k < g.time.size(); ++k) {
    const ContactAudit a = k == 0 ? touchdown : contact_audit(k);
    contact_power[k] = a.power;
    friction_power[k] = a.friction_power;
  }
  const std::vector<double> stance_contact(contact_power.begin(), contact_power.begin() + n);
  const auto [cp, cn] = work_parts(t, stance_contact);
  m["contact_work_j_per_kg"] = (cp + cn) / mass;
  m["contact_negative_work_j_per_kg"] = cn / mass;
  m["friction_work_j_per_kg"] =
      integral(t, std::vector<double>(friction_power.begin(), friction_power.begin() + n)) / mass;
  m["contact_work_step_j_per_kg"] = integral(g.time, contact_power) / mass;
  const auto energy = [&](std::size_t k) {
    const auto [q, qd] = state(k);
    return biped_kinetic_energy(b, q, qd) + biped_potential_energy(b, q);
  };
  m["mechanical_energy_change_j_per_kg"] = (energy(last) - energy(0)) / mass;
  // Muscles of the right leg over its stance: forces, fiber lengths, the fiber's negative work
  // (power −F_fiber·v_fiber < 0 while it lengthens under load) and the Achilles tendon (the muscles
  // tagged "calf"). Fiber velocity and force from the explicit MTU at the node's activation and
  // tendon force, which the collocation's implicit Hill balance satisfies.
  const auto& muscles = model.muscles();
  const std::size_t nm = muscles.size();
  std::vector<double> achilles(n, 0.0);
  double achilles_strain = 0.0;
  for (std::size_t i = 0; i < nm; ++i) {
    const MuscleConstants<double>& mc = pc.muscles.muscles[i];
    const auto f = series([&](std::size_t k) { return g.tendon_force[k][i]; });
    std::vector<double> fiber_power(n), strain(n);
    for (std::size_t k = 0; k < n; ++k) {
      const auto [q, qd] = state(k);
      const MusclePath<double> path = leg_muscle_path(mc, q, qd, Side::kRight);
      const double a = g.activation[k][i];
      const MtuOutputs<double> o =
          mc.rigid_tendon ? evaluate_rigid_mtu(mc.mtu, path.length, path.velocity, a)
                          : evaluate_compliant_mtu(mc.mtu, path.length, path.velocity, a, f[k] / mc.mtu.max_isometric_force);
      fiber_power[k] = -o.total_fiber_force * o.fiber_velocity;
      strain[k] = o.tendon_strain;
    }
    m["peak_" + muscles[i].name + "_force_bw"] = max_of(f) / bw;
    m["peak_" + muscles[i].name + "_fiber_length_norm"] =
        max_of(series([&](std::size_t k) { return g.fiber_length_norm[k][i]; }));
    m[muscles[i].name + "_negative_work_j_per_kg"] = work_parts(t, fiber_power).second / mass;
    if (muscles[i].has_tag("calf")) {
      for (std::size_t k = 0; k < n; ++k) achilles[k] += f[k];
      achilles_strain = std::max(achilles_strain, max_of(strain));
    }
  }
  m["peak_achilles_force_bw"] = max_of(achilles) / bw;
  m["peak_achilles_strain"] = achilles_strain;
  // Joint work: the stance leg over its stance (DESIGN 5 keys), both legs over the step (stride keys).
  const char* joints[3] = {"hip", "knee", "ankle"};
  for (int j = 0; j < 3; ++j) {
    auto power = [&](int side, std::size_t k) {
      return g.joint_moment[k][3 * side + j] * g.qd[k][leg_joint_coordinate(side == 0 ? Side::kRight : Side::kLeft, j)];
    };
    const auto [pos, neg] = work_parts(t, series([&](std::size_t k) { return power(0, k); }));
    m[std::string(joints[j]) + "_positive_work_j_per_kg"] = pos / mass;
    m[std::string(joints[j]) + "_negative_work_j_per_kg"] = neg / mass;
    double step_pos = 0.0, step_neg = 0.0;
    for (int side = 0; side < 2; ++side) {
      std::vector<double> p(g.time.size());
      for (std::size_t k = 0; k < g.time.size(); ++k) p[k] = power(side, k);
      const auto [sp, sn] = work_parts(g.time, p);
      step_pos += sp;
      step_neg += sn;
    }
    m[std::string(joints[j]) + "_positive_work_step_j_per_kg"] = step_pos / mass;
    m[std::string(joints[j]) + "_negative_work_step_j_per_kg"] = step_neg / mass;
  }
  // Periodic by construction: the last node is the mirrored first one (collocation.cpp substitutes it),
  // so the predicted step has no periodicity residual, unlike a matched stance.
  m["periodicity_error"] = 0.0;
  // Reserve torques relative to the peak moment of the joint they supplement.
  double reserve_fraction = 0.0;
  for (int j = 0; j < 6; ++j) {
    double peak_moment = 1e-9, peak_reserve = 0.0;
    for (std::size_t k = 0; k < g.time.size(); ++k) {
      peak_moment = std::max(peak_moment, std::abs(g.joint_moment[k][j]));
      peak_reserve = std::max(peak_reserve, std::abs(g.reserve[k][j]));
    }
    reserve_fraction = std::max(reserve_fraction, peak_reserve / peak_moment);
  }
  m["peak_reserve_fraction"] = reserve_fraction;
  m["effort"] = g.objective_terms.count("effort") ? g.objective_terms.at("effort") : 0.0;
  // Muscle metabolic energy per kg body mass and metre (Bhargava et al. 2004), whichever the objective.
  m["metabolic_cost_j_per_kg_m"] = g.metabolic_cost.count("total") ? g.metabolic_cost.at("total") : 0.0;
  return m;
}

}  // namespace legsim::predict
