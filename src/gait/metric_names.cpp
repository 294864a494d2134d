// The metric keys of a gait-matching result, derived from the code that computes them (issue 20,
// item 2): sweeps lay out their datasets by this list, so a new metric reaches them without a second
// list to update.
#include <algorithm>

#include "legsim/gait/matching.hpp"
#include "legsim/sim/metrics.hpp"
#include "legsim/sim/simulate.hpp"
#include "../sim/series.hpp"

namespace legsim {

std::map<std::string, double> matched_gait_metrics(std::map<std::string, double> m, double contact_time,
                                                   const ResolvedCondition& cond, double periodicity_error) {
  // Metrics of DESIGN 5, per step and per kilometre.
  const double per_km = 1000.0 / cond.step_length;
  m["flight_time_s"] = cond.step_time - contact_time;
  m["step_length_m"] = cond.step_length;
  m["cadence_spm"] = cond.cadence;
  m["speed_m_per_s"] = cond.speed;
  m["pfj_impulse_per_km_bw_s"] = m.at("pfj_impulse_bw_s") * per_km;
  m["pfj_stress_impulse_per_km_mpa_s"] = m.at("pfj_stress_impulse_mpa_s") * per_km;
  m["periodicity_error"] = periodicity_error;
  return m;
}

std::vector<std::string> gait_metric_names(const Model& model) {
  StanceResult s;
  s.columns = series_columns(model);
  s.touchdown_state.assign(state_size(static_cast<int>(model.muscles().size())), 0.0);
  // A synthetic ok stance on those columns: three samples of a ramp in every column (increasing
  // time), the toe-off state set as in every ok stance. The values do not matter, only the keys the
  // metric functions then write.
  s.status = StanceStatus::kOk;
  s.series.assign(s.columns.size(), std::vector<double>{0.0, 1e-3, 2e-3});
  s.contact_time = 2e-3;
  s.toeoff_state = s.touchdown_state;
  ResolvedCondition cond{};
  cond.speed = 3.5;
  cond.cadence = 170.0;
  cond.step_time = 60.0 / cond.cadence;
  cond.step_length = cond.speed * cond.step_time;
  const std::map<std::string, double> m = matched_gait_metrics(stance_metrics(model, s), s.contact_time, cond, 0.0);
  std::vector<std::string> names;
  names.reserve(m.size());
  for (const auto& [key, value] : m) names.push_back(key);
  return names;
}

}  // namespace legsim
