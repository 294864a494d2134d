#include "legsim/sim/stance_pipeline.hpp"

#include <cmath>

#include "legsim/core/error.hpp"
#include "legsim/sim/simulate.hpp"

namespace legsim {

ToeOffSignals toe_off_signals(const StanceConstants<double>& c, const double* x) {
  StanceSignals<double> s;
  const Kinematics<double> k = contact_signals(c, x, s);
  return {s.grf_y, k.body_com_velocity(1)};
}

std::vector<int> stiff_tendon_states(const StanceConstants<double>& c) {
  std::vector<int> out;
  for (int i = 0; i < c.n_muscles; ++i)
    if (!c.muscles[i].rigid_tendon) out.push_back(tendon_state_index(c.n_muscles, i));
  return out;
}

StanceSettings stance_settings(const Model& model, double relative_tolerance, double absolute_tolerance,
                               double event_tolerance) {
  const IntegratorSettings& is = model.integrator();
  StanceSettings s;
  s.relative_tolerance = relative_tolerance > 0 ? relative_tolerance : is.relative_tolerance;
  s.absolute_tolerance = absolute_tolerance > 0 ? absolute_tolerance : is.absolute_tolerance;
  s.event_tolerance = event_tolerance > 0 ? event_tolerance : is.event_tolerance;
  require(s.relative_tolerance <= 1e-2, "options.relative_tolerance", s.relative_tolerance, "(0, 0.01]");
  require(s.absolute_tolerance <= 1e-2, "options.absolute_tolerance", s.absolute_tolerance, "(0, 0.01]");
  require(s.event_tolerance <= 1e-3, "options.event_tolerance", s.event_tolerance, "(0, 0.001]");
  s.initial_step = is.initial_step;
  s.min_step = is.min_step;
  s.max_stance_time = is.max_stance_time;
  s.output_interval = is.output_interval;
  s.body_weight = model.body_weight();
  return s;
}

void validate_capacity_factors(const Model& model, std::span<const double> factors, const std::string& path) {
  if (factors.empty()) return;
  const std::size_t nm = model.muscles().size();
  if (factors.size() != nm)
    throw InputError(path + ": expected " + std::to_string(nm) + " values (one per muscle), got " +
                     std::to_string(factors.size()));
  for (std::size_t i = 0; i < nm; ++i)
    require(factors[i] > 0 && factors[i] <= 1, path + "[" + model.muscles()[i].name + "]", factors[i], "(0, 1]");
}

void validate_controller(const Model& model, const ControllerParams& controller, const std::string& path) {
  const std::size_t nm = model.muscles().size();
  if (controller.muscles.size() != nm)
    throw InputError(path + ": expected settings for " + std::to_string(nm) + " muscles, got " +
                     std::to_string(controller.muscles.size()));
}

StanceStatus ToeOffRule::timeout_status() const {
  return bore_load_ ? StanceStatus::kNoToeOff : StanceStatus::kNoContact;
}

std::string crawl_problem(std::span<const std::string> muscle_names, std::span<const double> norm_fiber_length,
                          double step, double t) {
  for (std::size_t i = 0; i < norm_fiber_length.size(); ++i) {
    const double l = norm_fiber_length[i];
    if (l >= curves::kMinNormFiberLength && l <= curves::kMaxNormFiberLength) continue;
    return "the steps shrank to " + format_value(step) + " s by t = " + format_value(t) + " s, with the " +
           muscle_names[i] + " fibre at " + format_value(l) +
           " of its optimal length, outside the force–length curves' domain [" +
           format_value(curves::kMinNormFiberLength) + ", " + format_value(curves::kMaxNormFiberLength) + "]" +
           (l < curves::kMinNormFiberLength ? " (its tendon slack)" : "");
  }
  return {};
}

std::string ToeOffRule::collapse_reason(double hip_height, double touchdown_hip_height, double t) {
  return "the runner collapsed: the hip sank to " + format_value(hip_height) + " m at t = " + format_value(t) +
         " s, below " + format_value(100.0 * kCollapseHipFraction) + " % of its touchdown height " +
         format_value(touchdown_hip_height) + " m";
}

std::string ToeOffRule::timeout_reason(double max_stance_time) const {
  return bore_load_ ? "the foot did not leave the ground within " + format_value(max_stance_time) + " s"
                    : "the normal force never reached " + format_value(100.0 * kLoadFraction) +
                          " % of body weight within " + format_value(max_stance_time) + " s";
}

std::string stance_result_problem(double contact_time, std::span<const NamedValue> values) {
  if (!(contact_time >= kMinContactTime))
    return "the contact lasted " + format_value(contact_time) + " s, shorter than the " +
           format_value(kMinContactTime) + " s of the shortest running stance";
  for (const NamedValue& v : values)
    if (!std::isfinite(v.value)) return std::string(v.name) + " = " + format_value(v.value) + " is not finite";
  return {};
}

std::string stance_summary_problem(const StanceSummary& s) {
  const CentreOfMassState &a = s.com_touchdown, &b = s.com_toeoff;
  const NamedValue values[] = {{"com_touchdown", a.x + a.y + a.vx + a.vy},
                               {"com_toeoff", b.x + b.y + b.vx + b.vy},
                               {"trunk_lean_change", s.trunk_lean_change},
                               {"effort", s.effort},
                               {"peak_pfj_force", s.peak_pfj_force},
                               {"peak_pfj_stress", s.peak_pfj_stress},
                               {"pfj_impulse", s.pfj_impulse},
                               {"pfj_stress_impulse", s.pfj_stress_impulse},
                               {"peak_quadriceps_force", s.peak_quadriceps_force},
                               {"peak_vertical_grf", s.peak_vertical_grf},
                               {"peak_knee_flexion", s.peak_knee_flexion},
                               {"knee_flexion_at_contact", s.knee_flexion_at_contact}};
  return stance_result_problem(s.contact_time, values);
}

StanceSummary summarize(const StanceAccumulator<double>& acc, double contact_time, double trunk_lean_change) {
  StanceSummary s;
  s.contact_time = contact_time;
  s.com_touchdown = {acc.com_first[0], acc.com_first[1], acc.com_first[2], acc.com_first[3]};
  s.com_toeoff = {acc.com_last[0], acc.com_last[1], acc.com_last[2], acc.com_last[3]};
  s.trunk_lean_change = trunk_lean_change;
  s.effort = acc.effort;
  s.peak_pfj_force = acc.peak_pfj_force;
  s.peak_pfj_stress = acc.peak_pfj_stress;
  s.pfj_impulse = acc.pfj_impulse;
  s.pfj_stress_impulse = acc.pfj_stress_impulse;
  s.peak_quadriceps_force = acc.peak_quadriceps_force;
  s.peak_vertical_grf = acc.peak_vertical_grf;
  s.peak_knee_flexion = acc.peak_knee_flexion;
  s.knee_flexion_at_contact = acc.knee_flexion_at_contact;
  return s;
}

std::array<double, kMaxMuscles> effort_weights(const Model& model) {
  std::array<double, kMaxMuscles> w{};
  for (std::size_t i = 0; i < model.muscles().size() && i < w.size(); ++i)
    w[i] = model.controller().muscles.at(i).effort_weight;
  return w;
}

}  // namespace legsim
