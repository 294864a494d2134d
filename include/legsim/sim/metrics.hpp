#pragma once
// Per-stance metrics (DESIGN 5) from a recorded stance time series.
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "legsim/model.hpp"

namespace legsim {

struct StanceResult;
struct StanceSummary;

/// The metrics of a stance that come from its summary alone (sim/stance_pipeline.hpp) — the ones
/// the batch engine gives as well — named and scaled as stance_metrics names them:
/// `contact_time_s`, `peak_pfj_force_bw`, `peak_pfj_stress_mpa`, `pfj_impulse_bw_s`,
/// `pfj_stress_impulse_mpa_s`, `peak_quadriceps_force_bw`, `peak_knee_flexion_deg`,
/// `knee_flexion_at_contact_deg`, `peak_vertical_grf_bw`, `touchdown_com_vertical_velocity_m_per_s`,
/// `toe_off_com_vertical_velocity_m_per_s`, `effort`. stance_metrics takes them from here, and the
/// Python batch API (python/src/batch.cpp) names its metric columns after them.
std::vector<std::pair<std::string, double>> summary_metrics(const Model& model, const StanceSummary& s);

/// The metric keys of DESIGN 5 that one stance gives on its own (those that need the gait
/// condition — per-km values, flight time, step length, cadence, speed — are added by the gait
/// layer), plus the fore–aft GRF variables `peak_braking_grf_bw` (magnitude), `braking_impulse_bw_s`
/// (≤ 0), `propulsive_impulse_bw_s` (≥ 0) and the centre-of-mass vertical velocities
/// `touchdown_com_vertical_velocity_m_per_s` and `toe_off_com_vertical_velocity_m_per_s`, and the
/// velocity at touchdown of the foot point that lands first, `touchdown_foot_velocity_x_m_per_s` and
/// `touchdown_foot_velocity_y_m_per_s` (x forward, y up).
/// It also gives the vertical-GRF variables of running-impact studies (`vertical_grf_landmarks`):
/// `impact_peak_vertical_grf_bw`, `active_peak_vertical_grf_bw`,
/// `vertical_average_loading_rate_bw_per_s` and `vertical_instantaneous_loading_rate_bw_per_s`
/// (NaN when the stance has no impact peak). `peak_vertical_grf_bw` stays the maximum over stance.
/// Energy audit (J/kg): `hip_positive_work_j_per_kg` and `hip_negative_work_j_per_kg` (as for knee
/// and ankle), `contact_work_j_per_kg` (net work of the ground contact on the body, ≤ 0: what the
/// heel pad, sole and friction dissipated), `contact_negative_work_j_per_kg`,
/// `friction_work_j_per_kg` (the tangential, bristle-friction part of the contact work), and
/// `mechanical_energy_change_j_per_kg` (kinetic + potential energy at toe-off minus touchdown), which
/// equals the joint work plus the contact work.
/// Peaks are over the recorded samples; integrals use the trapezoidal rule.
std::map<std::string, double> stance_metrics(const Model& model, const StanceResult& result);

/// ∫ f dt by the trapezoidal rule over the sample times t (f and t of equal length).
double integral(std::span<const double> t, std::span<const double> f);

/// Positive and negative parts of ∫ f dt by the trapezoidal rule, each applied to max(f, 0) and
/// min(f, 0) at the samples (power → positive and negative work in J, force → impulse in N·s).
std::pair<double, double> work_parts(std::span<const double> t, std::span<const double> f);

/// True for the metrics that are NaN by definition when they do not apply (the impact peak and the
/// loading rates of a stance without an impact peak); every other metric of an ok stance is finite.
bool metric_may_be_nan(std::string_view key);

/// Landmarks of a vertical GRF curve f(t) (any force unit; rates in that unit per second), t from
/// touchdown (t[0]) to toe-off (t.back()), as running-impact studies report them:
///  - impact window: the first 20 % of stance (a convention of this library, wide enough for the
///    impact peak of a rearfoot strike, ≈ 20–40 ms after touchdown, at running contact times);
///  - impact peak: the largest force in the impact window, if the force has fallen below it by the
///    end of the window (a local maximum, as in a rearfoot strike); otherwise there is none (NaN),
///    as in many forefoot strikes;
///  - active peak: the largest force after the impact window;
///  - loading rates over the rise to the impact peak from 20 % to 80 % of it: average (VALR, the
///    force change over the time between the two crossings) and instantaneous (VILR, the steepest
///    slope between neighbouring samples there) — the definitions of Milner CE et al. (2006) Med Sci
///    Sports Exerc 38(2):323–328. NaN without an impact peak.
struct VerticalGrfLandmarks {
  double impact_peak, impact_peak_time, active_peak, average_loading_rate, instantaneous_loading_rate;
};
VerticalGrfLandmarks vertical_grf_landmarks(std::span<const double> t, std::span<const double> f);

}  // namespace legsim
