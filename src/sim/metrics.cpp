#include "legsim/sim/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "legsim/body/dynamics.hpp"
#include "legsim/core/constants.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_dynamics.hpp"
#include "series.hpp"

namespace legsim {
namespace {

/// The largest of f(0) … f(n − 1) (n > 0): the first of equal or NaN values, as std::max_element.
template <class F>
double peak_of(std::size_t n, F f) {
  double p = f(0);
  for (std::size_t i = 1; i < n; ++i) p = std::max(p, f(i));
  return p;
}

double peak(std::span<const double> v) { return *std::max_element(v.begin(), v.end()); }

/// Generalized coordinates and velocities of a full state vector (stance_dynamics.hpp layout).
std::pair<Vec6<double>, Vec6<double>> coordinates(std::span<const double> x) {
  if (x.size() < static_cast<std::size_t>(kStateQd + kDof))
    throw InputError("a stance state vector needs at least " + std::to_string(kStateQd + kDof) + " values, got " +
                     std::to_string(x.size()));
  Vec6<double> q, qd;
  for (int i = 0; i < kDof; ++i) {
    q(i) = x[kStateQ + i];
    qd(i) = x[kStateQd + i];
  }
  return {q, qd};
}

/// ∫ f dt by the trapezoidal rule over the sample times t, f(i) the value at sample i: integral and
/// work_parts without a vector of the integrand (metrics of a stance integrate ~20 of them).
template <class F>
double trapezoid(std::span<const double> t, F f) {
  double s = 0.0;
  for (std::size_t i = 1; i < t.size(); ++i) s += 0.5 * (f(i) + f(i - 1)) * (t[i] - t[i - 1]);
  return s;
}

/// work_parts of the integrand f(i).
template <class F>
std::pair<double, double> trapezoid_parts(std::span<const double> t, F f) {
  return {trapezoid(t, [&](std::size_t i) { return std::max(f(i), 0.0); }),
          trapezoid(t, [&](std::size_t i) { return std::min(f(i), 0.0); })};
}

}  // namespace

double integral(std::span<const double> t, std::span<const double> f) {
  return trapezoid(t, [&](std::size_t i) { return f[i]; });
}

std::pair<double, double> work_parts(std::span<const double> t, std::span<const double> f) {
  return trapezoid_parts(t, [&](std::size_t i) { return f[i]; });
}

VerticalGrfLandmarks vertical_grf_landmarks(std::span<const double> t, std::span<const double> f) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  VerticalGrfLandmarks g{nan, nan, nan, nan, nan};
  const std::size_t n = std::min(t.size(), f.size());
  if (n < 3) return g;
  const double window_end = t[0] + 0.2 * (t[n - 1] - t[0]);
  std::size_t last = 0;  // last sample inside the impact window
  while (last + 1 < n && t[last + 1] <= window_end) ++last;
  const auto ip = static_cast<std::size_t>(std::max_element(f.begin(), f.begin() + last + 1) - f.begin());
  if (last + 1 < n) g.active_peak = *std::max_element(f.begin() + last + 1, f.begin() + n);
  if (ip == 0 || !(f[last] < f[ip])) return g;  // still rising (or flat) at the window's end
  g.impact_peak = f[ip];
  g.impact_peak_time = t[ip] - t[0];
  // First crossings of 20 % and 80 % of the impact peak on the way up, linearly interpolated.
  const auto crossing = [&](double level, std::size_t& after) {
    std::size_t i = 0;
    while (i < ip && f[i + 1] < level) ++i;
    after = i + 1;
    if (f[i] >= level) return t[i];  // only if the curve starts at or above the level
    return t[i] + (level - f[i]) / (f[i + 1] - f[i]) * (t[i + 1] - t[i]);
  };
  std::size_t i20 = 0, i80 = 0;
  const double t20 = crossing(0.2 * g.impact_peak, i20), t80 = crossing(0.8 * g.impact_peak, i80);
  if (!(t80 > t20)) return g;
  g.average_loading_rate = 0.6 * g.impact_peak / (t80 - t20);
  // Steepest slope of the sample intervals that overlap [t20, t80].
  double steepest = -std::numeric_limits<double>::infinity();
  for (std::size_t i = i20 - 1; i < i80; ++i) steepest = std::max(steepest, (f[i + 1] - f[i]) / (t[i + 1] - t[i]));
  g.instantaneous_loading_rate = steepest;
  return g;
}

bool metric_may_be_nan(std::string_view key) {
  // The landmarks vertical_grf_landmarks leaves NaN when there is no impact peak.
  return key == "impact_peak_vertical_grf_bw" || key == "vertical_average_loading_rate_bw_per_s" ||
         key == "vertical_instantaneous_loading_rate_bw_per_s";
}

std::vector<std::pair<std::string, double>> summary_metrics(const Model& model, const StanceSummary& s) {
  const double bw = model.body_weight();
  return {{"contact_time_s", s.contact_time},
          {"peak_pfj_force_bw", s.peak_pfj_force / bw},
          {"peak_pfj_stress_mpa", s.peak_pfj_stress * 1e-6},
          {"pfj_impulse_bw_s", s.pfj_impulse / bw},
          {"pfj_stress_impulse_mpa_s", s.pfj_stress_impulse * 1e-6},
          {"peak_quadriceps_force_bw", s.peak_quadriceps_force / bw},
          {"peak_knee_flexion_deg", s.peak_knee_flexion * kRadToDeg},
          {"knee_flexion_at_contact_deg", s.knee_flexion_at_contact * kRadToDeg},
          {"peak_vertical_grf_bw", s.peak_vertical_grf / bw},
          // Vertical centre-of-mass velocity at touchdown and toe-off: with the flight time they say
          // whether the step lands harder than it takes off (a ballistic flight of time t_f links
          // them, v_touchdown = v_toe_off − g·t_f, in a periodic gait).
          {"touchdown_com_vertical_velocity_m_per_s", s.com_touchdown.vy},
          {"toe_off_com_vertical_velocity_m_per_s", s.com_toeoff.vy},
          // Σ wᵢ ∫ aᵢ³ dt (docs/gait_matching.md; wᵢ = the model controller's effort_weight, 1 by default)
          {"effort", s.effort}};
}

std::map<std::string, double> stance_metrics(const Model& model, const StanceResult& r) {
  return stance_metrics(
      model, [&r](std::string_view name) -> std::span<const double> { return r.column(name); }, r.summary,
      r.touchdown_state, r.toeoff_state);
}

std::map<std::string, double> stance_metrics(const Model& model, const ColumnLookup& col, const StanceSummary& s,
                                             std::span<const double> touchdown_state,
                                             std::span<const double> toeoff_state) {
  std::map<std::string, double> m;
  const double bw = model.body_weight();
  const double mass = model.body_mass();
  const std::span<const double> t = col("time_s");

  // The quantities the batch engine reports too come from the shared summary (stance_pipeline.hpp).
  for (auto& [key, value] : summary_metrics(model, s)) m[key] = value;
  m["peak_pfj_force_moment_method_bw"] = peak(col("pfj_force_moment_method_n")) / bw;
  m["peak_knee_extension_moment_nm_per_kg"] = peak(col("knee_extension_moment_nm")) / mass;
  m["peak_ankle_plantarflexion_moment_nm_per_kg"] = peak(col("ankle_plantarflexion_moment_nm")) / mass;
  const VerticalGrfLandmarks vg = vertical_grf_landmarks(t, col("grf_y_n"));
  m["impact_peak_vertical_grf_bw"] = vg.impact_peak / bw;
  m["active_peak_vertical_grf_bw"] = vg.active_peak / bw;
  m["vertical_average_loading_rate_bw_per_s"] = vg.average_loading_rate / bw;
  m["vertical_instantaneous_loading_rate_bw_per_s"] = vg.instantaneous_loading_rate / bw;

  // Fore–aft GRF split into braking (< 0) and propulsive (> 0) parts, the usual running-GRF variables;
  // by impulse–momentum their sum is m·Δv_x of the centre of mass over the stance.
  const std::span<const double> fx = col("grf_x_n");
  const auto [propulsive, braking] = work_parts(t, fx);
  m["peak_braking_grf_bw"] = -*std::min_element(fx.begin(), fx.end()) / bw;
  m["braking_impulse_bw_s"] = braking / bw;
  m["propulsive_impulse_bw_s"] = propulsive / bw;
  // Velocity of the foot point that touches first (the heel in a rearfoot strike) at touchdown:
  // the swing leg's landing speed, which sets the impact (DESIGN 3.2). For comparison, in-vivo heel
  // drop tests use ≈ 0.9 m/s as a running heel-impact velocity (Kinoshita H et al. (1993) Int J
  // Sports Med 14(6):312–319: 0.93 m/s).
  const BodyConstants<double> body = make_body_constants<double>(model.body());
  const auto [q, qd] = coordinates(touchdown_state);
  const Kinematics<double> k = kinematics(body, q, qd);
  const ContactIndex first = first_contact(k);
  m["touchdown_foot_velocity_x_m_per_s"] = k.contact_velocity[first](0);
  m["touchdown_foot_velocity_y_m_per_s"] = k.contact_velocity[first](1);

  // Joint work: internal moment along +q times q̇ (knee: flexion coordinate; ankle: dorsiflexion).
  const auto joint_work = [&](const char* moment, const char* velocity, double sign) {
    const std::span<const double> mo = col(moment), w = col(velocity);
    return trapezoid_parts(t, [&](std::size_t i) { return sign * mo[i] * w[i]; });
  };
  // knee_extension_moment = −M_q4, so P = M_q4·q̇4 = −M_ext·q̇4 (likewise at the ankle).
  // hip_extension_moment = −M_q3 along hip flexion, likewise.
  const auto [hp, hn] = joint_work("hip_extension_moment_nm", "hip_flexion_velocity_rad_per_s", -1.0);
  const auto [kp, kn] = joint_work("knee_extension_moment_nm", "knee_flexion_velocity_rad_per_s", -1.0);
  const auto [ap, an] = joint_work("ankle_plantarflexion_moment_nm", "ankle_dorsiflexion_velocity_rad_per_s", -1.0);
  m["hip_positive_work_j_per_kg"] = hp / mass;
  m["hip_negative_work_j_per_kg"] = hn / mass;
  m["knee_positive_work_j_per_kg"] = kp / mass;
  m["knee_negative_work_j_per_kg"] = kn / mass;
  m["ankle_positive_work_j_per_kg"] = ap / mass;
  m["ankle_negative_work_j_per_kg"] = an / mass;

  // Energy audit of the stance. The joint moments and the contact forces are the only
  // non-conservative generalized forces, so d(T + V)/dt = Σ_joints M·q̇ + Σ_contacts F·v: the
  // change of the body's mechanical energy equals the joint work plus the contact work (a check of
  // the integration, tested). The contact's net work is what the heel pad, sole and friction
  // dissipated (their springs are unloaded at touchdown and toe-off); no muscle pays for it in the
  // effort Σ ∫ a³, while the joints must then restore it with positive work for a periodic gait.
  const auto [cp, cn] = work_parts(t, col("contact_power_w"));
  m["contact_work_j_per_kg"] = (cp + cn) / mass;
  m["contact_negative_work_j_per_kg"] = cn / mass;
  m["friction_work_j_per_kg"] = integral(t, col("friction_power_w")) / mass;
  const auto mechanical_energy = [&](std::span<const double> x) {
    const auto [qe, qde] = coordinates(x);
    return kinetic_energy(body, qe, qde) + potential_energy(body, qe);
  };
  if (!toeoff_state.empty())
    m["mechanical_energy_change_j_per_kg"] =
        (mechanical_energy(toeoff_state) - mechanical_energy(touchdown_state)) / mass;

  // Calf (Achilles) = muscles tagged "calf".
  std::vector<std::span<const double>> calf;
  double achilles_strain = 0.0;
  for (const MuscleSpec& mu : model.muscles()) {
    const std::span<const double> f = col(mu.name + "_force_n"), lf = col(mu.name + "_norm_fiber_length"),
                                  vf = col(mu.name + "_fiber_velocity_m_per_s"), ff = col(mu.name + "_fiber_force_n");
    m["peak_" + mu.name + "_force_bw"] = peak(f) / bw;
    m["peak_" + mu.name + "_fiber_length_norm"] = peak(lf);
    // Power the fiber delivers, −F·v; < 0 while lengthening under load.
    m[mu.name + "_negative_work_j_per_kg"] = trapezoid_parts(t, [&](std::size_t i) { return -ff[i] * vf[i]; }).second / mass;
    if (mu.has_tag("calf")) {
      calf.push_back(f);
      achilles_strain = std::max(achilles_strain, peak(col(mu.name + "_tendon_strain")));
    }
  }
  const auto achilles = [&](std::size_t i) {
    double sum = 0.0;
    for (const std::span<const double>& f : calf) sum += f[i];
    return sum;
  };
  m["peak_achilles_force_bw"] = peak_of(t.size(), achilles) / bw;
  m["peak_achilles_strain"] = achilles_strain;
  return m;
}

}  // namespace legsim
