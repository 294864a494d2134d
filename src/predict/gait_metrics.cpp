// Metrics of a predicted step (include/legsim/predict/predict.hpp). Names and units as the stance
// metrics of src/sim/metrics.cpp (DESIGN 5), read off the collocation nodes of the right leg's stance.
#include <algorithm>
#include <cmath>
#include <limits>

#include "legsim/core/constants.hpp"
#include "legsim/joint_load/pfj.hpp"
#include "legsim/predict/predict.hpp"
#include "legsim/sim/metrics.hpp"

namespace legsim::predict {

namespace {

double trapezoid(const std::vector<double>& t, const std::vector<double>& f) {
  double s = 0.0;
  for (std::size_t i = 1; i < t.size(); ++i) s += 0.5 * (f[i] + f[i - 1]) * (t[i] - t[i - 1]);
  return s;
}

double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

/// Index of the toe-off node of the right foot and the interpolated contact time: the stance lasts
/// while the vertical force stays above the 20 N threshold that defines initial contact.
std::pair<std::size_t, double> right_stance(const PredictedGait& g) {
  constexpr double threshold = 20.0;  // N
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
  m["pfj_impulse_bw_s"] = trapezoid(t, pfj_f) / bw;
  m["pfj_impulse_per_km_bw_s"] = m["pfj_impulse_bw_s"] * steps_per_km;
  m["pfj_stress_impulse_mpa_s"] = trapezoid(t, pfj_s) * 1e-6;
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
  // Muscle forces over the right stance.
  const auto& muscles = model.muscles();
  const std::size_t nm = muscles.size();
  std::vector<double> achilles(n, 0.0);
  for (std::size_t i = 0; i < nm; ++i) {
    const auto f = series([&](std::size_t k) { return g.tendon_force[k][i]; });
    m["peak_" + muscles[i].name + "_force_bw"] = max_of(f) / bw;
    m["peak_" + muscles[i].name + "_fiber_length_norm"] =
        max_of(series([&](std::size_t k) { return g.fiber_length_norm[k][i]; }));
    if (muscles[i].has_tag("calf"))
      for (std::size_t k = 0; k < n; ++k) achilles[k] += f[k];
  }
  m["peak_achilles_force_bw"] = max_of(achilles) / bw;
  // Joint work: the stance leg over its stance (DESIGN 5 keys), both legs over the step (stride keys).
  const char* joints[3] = {"hip", "knee", "ankle"};
  const int coord[2][3] = {{3, 4, 5}, {6, 7, 8}};
  for (int j = 0; j < 3; ++j) {
    auto power = [&](int side, std::size_t k) { return g.joint_moment[k][3 * side + j] * g.qd[k][coord[side][j]]; };
    std::vector<double> pos(n), neg(n);
    for (std::size_t k = 0; k < n; ++k) {
      pos[k] = std::max(power(0, k), 0.0);
      neg[k] = std::min(power(0, k), 0.0);
    }
    m[std::string(joints[j]) + "_positive_work_j_per_kg"] = trapezoid(t, pos) / mass;
    m[std::string(joints[j]) + "_negative_work_j_per_kg"] = trapezoid(t, neg) / mass;
    std::vector<double> spos(g.time.size(), 0.0), sneg(g.time.size(), 0.0);
    for (std::size_t k = 0; k < g.time.size(); ++k)
      for (int side = 0; side < 2; ++side) {
        spos[k] += std::max(power(side, k), 0.0);
        sneg[k] += std::min(power(side, k), 0.0);
      }
    m[std::string(joints[j]) + "_positive_work_step_j_per_kg"] = trapezoid(g.time, spos) / mass;
    m[std::string(joints[j]) + "_negative_work_step_j_per_kg"] = trapezoid(g.time, sneg) / mass;
  }
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
