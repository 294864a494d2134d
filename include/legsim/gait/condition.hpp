#pragma once
// Gait conditions (docs/gait_matching.md): any two of speed, cadence, step length, stride length; calf fatigue;
// foot strike; optional body mass and height.
#include <map>
#include <optional>
#include <string>

#include "legsim/model.hpp"

namespace legsim {

enum class FootStrike { kRearfoot, kMidfoot, kForefoot, kAnkleAngle };

struct GaitCondition {
  std::optional<double> speed;          ///< m/s, (0, 15]
  std::optional<double> cadence;        ///< steps/min, (0, 400]
  std::optional<double> step_length;    ///< m, (0, 5]
  std::optional<double> stride_length;  ///< m (two steps), (0, 10]
  double calf_fatigue = 0.0;            ///< φ ∈ [0, 0.9] (DESIGN 3.4)
  /// Per-muscle fatigue φ_i ∈ [0, 0.9] replacing φ·w_i for the named muscles.
  std::map<std::string, double> fatigue_override;
  FootStrike foot_strike = FootStrike::kRearfoot;
  double touchdown_ankle_angle_deg = 0.0;  ///< with FootStrike::kAnkleAngle: dorsiflexion at touchdown, [−45, 30]
  std::optional<double> body_mass;         ///< kg, overrides the model's (segments rescale)
  std::optional<double> height;            ///< m
};

/// A validated condition with every derived quantity.
struct ResolvedCondition {
  double speed;        ///< m/s
  double cadence;      ///< steps/min
  double step_length;  ///< m
  double step_time;    ///< s = 60 / cadence
  double calf_fatigue;
  FootStrike foot_strike;
  double touchdown_ankle_angle_deg;
};

/// Validates and completes a condition; throws InputError naming what was given when the
/// combination is missing, redundant or inconsistent, or a value is out of range.
ResolvedCondition resolve(const GaitCondition& c);

/// The model the condition runs on (body mass/height overrides applied).
Model condition_model(const Model& model, const GaitCondition& c);

/// Per-muscle capacity factors (model order) for the condition's fatigue: 1 − φ·w_i for calf
/// muscles (w from fast-twitch fractions, most fatigable = 1; DESIGN 3.4), 1 − φ_i for overrides,
/// 1 otherwise.
std::vector<double> capacity_factors(const Model& model, const GaitCondition& c);

/// Foot–ground angle at touchdown (rad, toe up +) for a named foot strike: rearfoot 15°, midfoot 3°,
/// forefoot −8°, inside the bands of the foot-strike angle of Altman AR, Davis IS (2012) Gait Posture
/// 35(2):298–300 (rearfoot > 8°, midfoot −1.6° to 8°, forefoot < −1.6°).
double foot_strike_angle(FootStrike s);

std::string describe(const GaitCondition& c);

}  // namespace legsim
