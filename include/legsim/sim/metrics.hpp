#pragma once
// Per-stance metrics (DESIGN 5) from a recorded stance time series.
#include <map>
#include <string>

#include "legsim/model.hpp"

namespace legsim {

struct StanceResult;

/// The metric keys of DESIGN 5 that one stance gives on its own (those that need the gait
/// condition — per-km values, flight time, step length, cadence, speed — are added by the gait
/// layer), plus the fore–aft GRF variables `peak_braking_grf_bw` (magnitude), `braking_impulse_bw_s`
/// (≤ 0), `propulsive_impulse_bw_s` (≥ 0) and the centre-of-mass vertical velocities
/// `touchdown_com_vertical_velocity_m_per_s` and `toe_off_com_vertical_velocity_m_per_s`, and the
/// velocity at touchdown of the foot point that lands first, `touchdown_foot_velocity_x_m_per_s` and
/// `touchdown_foot_velocity_y_m_per_s` (x forward, y up).
/// Peaks are over the recorded samples; integrals use the trapezoidal rule.
std::map<std::string, double> stance_metrics(const Model& model, const StanceResult& result);

}  // namespace legsim
