#include "legsim/gait/condition.hpp"

#include <cmath>
#include <vector>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/muscle/fatigue.hpp"

namespace legsim {

namespace {

std::string given_list(const GaitCondition& c) {
  std::string s;
  const auto add = [&](const char* name, const std::optional<double>& v) {
    if (v) s += (s.empty() ? "" : ", ") + std::string(name) + " = " + format_value(*v);
  };
  add("speed", c.speed);
  add("cadence", c.cadence);
  add("step_length", c.step_length);
  add("stride_length", c.stride_length);
  return s.empty() ? "nothing" : s;
}

}  // namespace

std::string describe(const GaitCondition& c) { return given_list(c) + ", calf_fatigue = " + format_value(c.calf_fatigue); }

double foot_strike_angle(FootStrike s) {
  switch (s) {
    case FootStrike::kRearfoot: return 15.0 * kDegToRad;
    case FootStrike::kMidfoot: return 3.0 * kDegToRad;
    case FootStrike::kForefoot: return -8.0 * kDegToRad;
    case FootStrike::kAnkleAngle: break;
  }
  return 0.0;
}

ResolvedCondition resolve(const GaitCondition& c) {
  if (c.speed) require(std::isfinite(*c.speed) && *c.speed > 0 && *c.speed <= 15, "condition.speed", *c.speed, "(0, 15] m/s");
  if (c.cadence)
    require(std::isfinite(*c.cadence) && *c.cadence > 0 && *c.cadence <= 400, "condition.cadence", *c.cadence,
            "(0, 400] steps/min");
  if (c.step_length)
    require(std::isfinite(*c.step_length) && *c.step_length > 0 && *c.step_length <= 5, "condition.step_length",
            *c.step_length, "(0, 5] m");
  if (c.stride_length)
    require(std::isfinite(*c.stride_length) && *c.stride_length > 0 && *c.stride_length <= 10,
            "condition.stride_length", *c.stride_length, "(0, 10] m");
  require_in_range("condition.calf_fatigue", c.calf_fatigue, 0.0, kMaxCalfFatigue);
  for (const auto& [name, phi] : c.fatigue_override) require_in_range("condition.fatigue_override." + name, phi, 0.0, kMaxCalfFatigue);
  if (c.foot_strike == FootStrike::kAnkleAngle)
    require_in_range("condition.foot_strike (touchdown ankle angle, deg)", c.touchdown_ankle_angle_deg, -45.0, 30.0);
  if (c.body_mass) require_in_range("condition.body_mass", *c.body_mass, 20.0, 250.0);
  if (c.height) require_in_range("condition.height", *c.height, 1.0, 2.5);

  if (c.step_length && c.stride_length)
    throw InputError("condition: step_length and stride_length both set the step length (given: " + given_list(c) +
                     "); give one of them and speed or cadence");
  // Not a ternary of optionals: GCC 12 then warns that the value read at `*step` below may be uninitialized.
  const std::optional<double> step = c.stride_length ? std::optional<double>(*c.stride_length / 2.0) : c.step_length;
  const int n = (c.speed ? 1 : 0) + (c.cadence ? 1 : 0) + (step ? 1 : 0);
  if (n < 2)
    throw InputError("condition: give two of speed, cadence, step_length, stride_length (given: " + given_list(c) + ")");
  ResolvedCondition r{};
  if (c.speed && c.cadence) {
    r.speed = *c.speed;
    r.cadence = *c.cadence;
    r.step_length = r.speed * 60.0 / r.cadence;
    if (step && std::abs(*step - r.step_length) > 1e-9 * r.step_length)
      throw InputError("condition: inconsistent (given: " + given_list(c) + "): speed and cadence imply a step length of " +
                       format_value(r.step_length) + " m; give only two of them");
  } else if (c.speed) {
    r.speed = *c.speed;
    r.step_length = *step;
    r.cadence = 60.0 * r.speed / r.step_length;
  } else {
    r.cadence = *c.cadence;
    r.step_length = *step;
    r.speed = r.step_length * r.cadence / 60.0;
  }
  r.step_time = 60.0 / r.cadence;
  r.calf_fatigue = c.calf_fatigue;
  r.foot_strike = c.foot_strike;
  r.touchdown_ankle_angle_deg = c.touchdown_ankle_angle_deg;
  return r;
}

Model condition_model(const Model& model, const GaitCondition& c) {
  std::map<std::string, double> p;
  if (c.body_mass) p["body.mass"] = *c.body_mass;
  if (c.height) p["body.height"] = *c.height;
  return p.empty() ? model : model.with_params(p);
}

std::vector<double> capacity_factors(const Model& model, const GaitCondition& c) {
  const auto& muscles = model.muscles();
  for (const auto& [name, phi] : c.fatigue_override) (void)model.muscle_index(name);  // unknown names throw
  std::vector<double> slow;
  std::vector<std::size_t> calf;
  for (std::size_t i = 0; i < muscles.size(); ++i)
    if (muscles[i].has_tag("calf")) {
      calf.push_back(i);
      slow.push_back(muscles[i].slow_twitch_fraction);
    }
  std::vector<double> caps(muscles.size(), 1.0);
  if (!calf.empty()) {
    const std::vector<double> w = calf_fatigue_weights(slow);
    for (std::size_t k = 0; k < calf.size(); ++k) caps[calf[k]] = fatigue_capacity_factor(c.calf_fatigue, w[k]);
  }
  for (const auto& [name, phi] : c.fatigue_override) caps[model.muscle_index(name)] = 1.0 - phi;
  return caps;
}

}  // namespace legsim
