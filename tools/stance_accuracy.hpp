#pragma once
// The accuracy of a stance integration against a tight reference (issue 22.5), shared by the test
// tests/cpp/test_stiff_stance.cpp and the diagnostic tools/stance_tolerance.cpp: the metrics compared,
// the default stance and its seeded variants, the tight Dormand–Prince reference, and the largest
// relative deviation.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "legsim/model.hpp"
#include "legsim/sim/simulate.hpp"
#include "legsim/sim/stance_dynamics.hpp"

namespace legsim::stance_accuracy {

inline const char* const kMetrics[] = {"contact_time_s",     "peak_pfj_force_bw",     "peak_pfj_stress_mpa",
                                "pfj_impulse_bw_s",   "peak_vertical_grf_bw",  "braking_impulse_bw_s",
                                "propulsive_impulse_bw_s", "effort",           "peak_quadriceps_force_bw",
                                "peak_achilles_force_bw"};

struct Case {
  TouchdownState td;
  ControllerParams controller;
};

/// The default stance and seeded variants of its touchdown and feedforward levels.
inline std::vector<Case> cases(const Model& model, int variants) {
  std::vector<Case> out{{TouchdownState{}, model.controller()}};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  while (static_cast<int>(out.size()) < variants + 1) {
    Case c{TouchdownState{}, model.controller()};
    c.td.hip_flexion = 0.40 + 0.15 * u(rng);
    c.td.knee_flexion = 0.25 + 0.10 * u(rng);
    c.td.hip_velocity_x = 3.0 + 1.0 * u(rng);
    c.td.hip_velocity_y = -0.7 + 0.4 * u(rng);
    for (MuscleControl& m : c.controller.muscles) m.level = std::clamp(m.level * (0.8 + 0.4 * u(rng)), 0.0, 1.0);
    out.push_back(c);
  }
  return out;
}

inline StanceResult reference(const Model& model, const Case& c) {
  StanceOptions o;
  o.relative_tolerance = 1e-10;
  o.absolute_tolerance = 1e-12;
  o.event_tolerance = 1e-9;
  o.integrator = StanceIntegrator::kDormandPrince;
  return simulate_stance(model, c.td, c.controller, o);
}

/// Largest relative deviation over the metrics and the toe-off state (q in m/rad and q̇ in m/s,
/// rad/s, each relative to the largest magnitude of its group in the reference).
inline double deviation(const StanceResult& r, const StanceResult& ref, std::string* worst) {
  double w = 0.0;
  const auto take = [&](double d, const std::string& what) {
    if (d > w) w = d, *worst = what;
  };
  for (const char* k : kMetrics)
    take(std::abs(r.metrics.at(k) - ref.metrics.at(k)) / std::abs(ref.metrics.at(k)), k);
  double qs = 0.0, vs = 0.0;
  for (int i = 0; i < 6; ++i) {
    qs = std::max(qs, std::abs(ref.toeoff_state[kStateQ + i]));
    vs = std::max(vs, std::abs(ref.toeoff_state[kStateQd + i]));
  }
  for (int i = 0; i < 12; ++i)
    take(std::abs(r.toeoff_state[i] - ref.toeoff_state[i]) / (i < 6 ? qs : vs), "toe-off state " + std::to_string(i));
  return w;
}

/// The impact metrics, read from the 0.5 ms output samples (the dense output between steps, outside
/// the step's error control): the loading rates, the impact peak and the peak braking GRF.
inline const char* const kImpactMetrics[] = {"vertical_average_loading_rate_bw_per_s",
                                             "vertical_instantaneous_loading_rate_bw_per_s",
                                             "impact_peak_vertical_grf_bw", "peak_braking_grf_bw"};

/// Largest relative deviation over the impact metrics; a metric that is NaN in one result only (no
/// impact peak found) counts as 1.
inline double impact_deviation(const StanceResult& r, const StanceResult& ref, std::string* worst) {
  double w = 0.0;
  for (const char* k : kImpactMetrics) {
    const double a = r.metrics.at(k), b = ref.metrics.at(k);
    if (std::isnan(a) && std::isnan(b)) continue;
    const double d = std::isnan(a) != std::isnan(b) ? 1.0 : std::abs(a - b) / std::abs(b);
    if (d > w) w = d, *worst = k;
  }
  return w;
}

}  // namespace legsim::stance_accuracy
