#include "legsim/gait/condition.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
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

void validate_split(const CalfFatigueSplit& s) {
  if (s.kind != CalfFatigueSplit::Kind::kWeights) return;
  if (s.weights.empty())
    throw InputError("condition.calf_fatigue_split: explicit weights need at least one calf muscle (name → weight in [0, 1])");
  for (const auto& [name, w] : s.weights) require_in_range("condition.calf_fatigue_split." + name, w, 0.0, 1.0);
}

}  // namespace

std::string describe(const GaitCondition& c) {
  return given_list(c) + ", calf_fatigue = " + format_value(c.calf_fatigue) + " (split " + to_string(c.calf_fatigue_split) + ")";
}

std::string to_string(const CalfFatigueSplit& s) {
  switch (s.kind) {
    case CalfFatigueSplit::Kind::kFiberType: return "fiber_type";
    case CalfFatigueSplit::Kind::kEqual: return "equal";
    case CalfFatigueSplit::Kind::kWeights: break;
  }
  std::string out;
  for (const auto& [name, w] : s.weights) out += (out.empty() ? "" : ",") + name + "=" + format_value(w);
  return out;
}

CalfFatigueSplit parse_calf_fatigue_split(const std::string& text) {
  const std::string allowed = "allowed \"fiber_type\", \"equal\" or \"muscle=weight,...\" with weights in [0, 1]";
  if (text == "fiber_type") return {};
  if (text == "equal") return {CalfFatigueSplit::Kind::kEqual, {}};
  CalfFatigueSplit s{CalfFatigueSplit::Kind::kWeights, {}};
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || s.weights.contains(item.substr(0, eq)))
      throw InputError("calf_fatigue_split = \"" + text + "\" is not a split: " + allowed);
    const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
    char* parse_end = nullptr;
    const double w = std::strtod(value.c_str(), &parse_end);
    if (value.empty() || parse_end != value.c_str() + value.size())
      throw InputError("calf_fatigue_split = \"" + text + "\": weight of " + name + " is not a number: " + allowed);
    s.weights[name] = w;
    start = end + 1;
  }
  validate_split(s);
  return s;
}

double foot_strike_angle(FootStrike s) {
  switch (s) {
    case FootStrike::kRearfoot: return 15.0 * kDegToRad;
    case FootStrike::kMidfoot: return 3.0 * kDegToRad;
    case FootStrike::kForefoot: return -8.0 * kDegToRad;
    case FootStrike::kAnkleAngle: break;
  }
  return 0.0;
}

// Running ranges of the three gait quantities, applied alike to given and derived values (issue 18,
// item 6), so a condition the model cannot run is rejected at once instead of after minutes of
// failing stances. Speed: from slow jogging (1.5 m/s, below the walk-run transition at ~2.1 m/s,
// Hreljac AL (1993) Med Sci Sports Exerc 25(10):1158-1162) to 7 m/s, the fastest running speed
// before sprinting in Dorn TW, Schache AG, Pandy MG (2012) J Exp Biol 215(11):1944-1956 (3.5, 5.2,
// 7.0 m/s running; 8.95 m/s sprinting): this model's controller and muscle set are those of
// distance running, not sprinting. Cadence: step frequencies of 2-4 Hz (sprinters exceed 4 Hz only
// near top speed, Weyand PG et al. (2000) J Appl Physiol 89(5):1991-1999). Step length: 0.4 m (1.5
// m/s at 225 steps/min) to 2.5 m (7 m/s at 168 steps/min). A modelling choice within those data.
struct GaitRange {
  const char* name;
  double lo, hi;
  const char* unit;
};
constexpr GaitRange kSpeedRange{"speed", 1.5, 7.0, "m/s"};
constexpr GaitRange kCadenceRange{"cadence", 120.0, 240.0, "steps/min"};
constexpr GaitRange kStepLengthRange{"step_length", 0.4, 2.5, "m"};

/// Throws unless v is in r; `origin` says whether v was given or derived (and from what).
void check_running_range(const GaitRange& r, double v, const std::string& origin) {
  require(v >= r.lo && v <= r.hi, "condition." + std::string(r.name) + origin, v,
          "[" + format_value(r.lo) + ", " + format_value(r.hi) + "] " + r.unit + " (running)");
}

void validate_values(const GaitCondition& c) {
  // Given values must be positive numbers to derive the others; a given cadence, step length or
  // speed must lie in its running range on its own (in resolve's order, so a condition gets the
  // same message either way). resolve() checks the derived values, and the step length of a given
  // stride, against the same ranges.
  const auto positive = [](const char* name, const std::optional<double>& v, const char* unit) {
    if (v) require(std::isfinite(*v) && *v > 0, std::string("condition.") + name, *v, std::string("(0, inf) ") + unit);
  };
  positive("speed", c.speed, "m/s");
  positive("cadence", c.cadence, "steps/min");
  positive("step_length", c.step_length, "m");
  positive("stride_length", c.stride_length, "m");
  if (c.cadence) check_running_range(kCadenceRange, *c.cadence, "");
  if (c.step_length) check_running_range(kStepLengthRange, *c.step_length, "");
  if (c.speed) check_running_range(kSpeedRange, *c.speed, "");
  require_in_range("condition.calf_fatigue", c.calf_fatigue, 0.0, kMaxCalfFatigue);
  for (const auto& [name, phi] : c.fatigue_override) require_in_range("condition.fatigue_override." + name, phi, 0.0, kMaxCalfFatigue);
  validate_split(c.calf_fatigue_split);
  if (c.foot_strike == FootStrike::kAnkleAngle)
    require_in_range("condition.foot_strike (touchdown ankle angle, deg)", c.touchdown_ankle_angle_deg, -45.0, 30.0);
  if (c.body_mass) require_in_range("condition.body_mass", *c.body_mass, 20.0, 250.0);
  if (c.height) require_in_range("condition.height", *c.height, 1.0, 2.5);
}

ResolvedCondition resolve(const GaitCondition& c) {
  validate_values(c);
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
  const std::string derived = " (derived from " + given_list(c) + ")";
  check_running_range(kCadenceRange, r.cadence, c.cadence ? "" : derived);
  check_running_range(kStepLengthRange, r.step_length, c.step_length ? "" : derived);
  check_running_range(kSpeedRange, r.speed, c.speed ? "" : derived);
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

namespace {

/// Weights w_i of the calf muscles (indices `calf`) under a split.
std::vector<double> split_weights(const Model& model, const std::vector<std::size_t>& calf, const CalfFatigueSplit& s) {
  const auto& muscles = model.muscles();
  std::vector<double> w(calf.size(), 1.0);
  if (calf.empty() && s.kind != CalfFatigueSplit::Kind::kWeights) return w;  // a model without calf muscles
  switch (s.kind) {
    case CalfFatigueSplit::Kind::kEqual: return w;
    case CalfFatigueSplit::Kind::kFiberType: {
      std::vector<double> slow;
      for (std::size_t i : calf) slow.push_back(muscles[i].slow_twitch_fraction);
      return calf_fatigue_weights(slow);
    }
    case CalfFatigueSplit::Kind::kWeights: break;
  }
  std::string names;
  for (std::size_t i : calf) names += (names.empty() ? "" : ", ") + muscles[i].name;
  for (const auto& entry : s.weights) {
    // Not a structured binding: clang before 16 (make fuzz builds with clang 14) cannot capture one.
    const std::string& name = entry.first;
    const auto it = std::find_if(calf.begin(), calf.end(), [&](std::size_t i) { return muscles[i].name == name; });
    if (it == calf.end())
      throw InputError("condition.calf_fatigue_split: '" + name + "' is not a calf muscle of the model (allowed: " +
                       (names.empty() ? std::string("none") : names) + ")");
  }
  for (std::size_t k = 0; k < calf.size(); ++k) {
    const auto it = s.weights.find(muscles[calf[k]].name);
    w[k] = it == s.weights.end() ? 0.0 : it->second;
  }
  return w;
}

}  // namespace

std::vector<double> capacity_factors(const Model& model, const GaitCondition& c) {
  const auto& muscles = model.muscles();
  for (const auto& [name, phi] : c.fatigue_override) (void)model.muscle_index(name);  // unknown names throw
  std::vector<std::size_t> calf;
  for (std::size_t i = 0; i < muscles.size(); ++i)
    if (muscles[i].has_tag("calf")) calf.push_back(i);
  std::vector<double> caps(muscles.size(), 1.0);
  const std::vector<double> w = split_weights(model, calf, c.calf_fatigue_split);
  for (std::size_t k = 0; k < calf.size(); ++k) caps[calf[k]] = fatigue_capacity_factor(c.calf_fatigue, w[k]);
  for (const auto& [name, phi] : c.fatigue_override) caps[model.muscle_index(name)] = 1.0 - phi;
  return caps;
}

}  // namespace legsim
