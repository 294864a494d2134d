#pragma once
// Gait conditions (docs/gait_matching.md): any two of speed, cadence, step length, stride length; calf fatigue;
// foot strike; optional body mass and height.
#include <map>
#include <optional>
#include <string>

#include "legsim/model.hpp"

namespace legsim {

enum class FootStrike { kRearfoot, kMidfoot, kForefoot, kAnkleAngle };

/// How calf_fatigue φ divides among the muscles tagged "calf": muscle i keeps the contractile
/// capacity 1 − φ·w_i. The split decides the sign of the fatigue effect on PFJ load, so it is an
/// input of the condition and results record it (docs/decisions.md).
struct CalfFatigueSplit {
  enum class Kind {
    /// w_i from fast-twitch fractions, most fatigable = 1 (muscle/fatigue.hpp): the default. The
    /// ordering (gastrocnemius tires before soleus) is measured: plantarflexion torque falls faster
    /// with the knee straight, where the gastrocnemius contributes more (Kawakami Y et al. (2000)
    /// J Appl Physiol 88(6):1969–1975), and EMG median frequency falls faster in the gastrocnemii
    /// than in the soleus during heel raises to exhaustion (Hébert-Losier K et al. (2012) J Strength
    /// Cond Res 26(11):3134–3147). The magnitude of each weight is the fiber-type proxy.
    kFiberType,
    kEqual,    ///< w_i = 1 for every calf muscle
    kWeights,  ///< w_i given per calf muscle by name (unnamed calf muscles: 0)
  };
  Kind kind = Kind::kFiberType;
  std::map<std::string, double> weights;  ///< kWeights: calf muscle name → w ∈ [0, 1]
  bool operator==(const CalfFatigueSplit&) const = default;
};

/// "fiber_type", "equal", or "name=w,name=w" (names sorted).
std::string to_string(const CalfFatigueSplit& s);
/// Parses the forms to_string writes; throws InputError naming "calf_fatigue_split" otherwise.
CalfFatigueSplit parse_calf_fatigue_split(const std::string& text);

/// Speed, cadence and step length — given or derived from the two given — must lie in running
/// ranges: [1.5, 7] m/s, [120, 240] steps/min, [0.4, 2.5] m (their sources: src/gait/condition.cpp).
struct GaitCondition {
  std::optional<double> speed;          ///< m/s
  std::optional<double> cadence;        ///< steps/min
  std::optional<double> step_length;    ///< m
  std::optional<double> stride_length;  ///< m (two steps)
  double calf_fatigue = 0.0;            ///< φ ∈ [0, 0.9] (DESIGN 3.4)
  CalfFatigueSplit calf_fatigue_split;  ///< how φ divides among the calf muscles
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

/// Checks every value of a condition on its own, not their combination: the given speed, cadence,
/// step and stride length are positive, the first three in their running ranges; fatigue,
/// split, touchdown ankle angle, body mass and height in theirs. Throws InputError naming the field,
/// the value and the range. For interfaces that set one value at a time (the C API); resolve()
/// runs it first.
void validate_values(const GaitCondition& c);

/// Validates and completes a condition; throws InputError naming what was given when the
/// combination is missing, redundant or inconsistent, or a value is out of range.
ResolvedCondition resolve(const GaitCondition& c);

/// The model the condition runs on (body mass/height overrides applied).
Model condition_model(const Model& model, const GaitCondition& c);

/// Per-muscle contractile capacities (model order) for the condition's fatigue: 1 − φ·w_i for calf
/// muscles (w from the condition's calf_fatigue_split), 1 − φ_i for overrides, 1 otherwise. Throws
/// InputError if the split names a muscle that is not a calf muscle of the model.
std::vector<double> capacity_factors(const Model& model, const GaitCondition& c);

/// Foot–ground angle at touchdown (rad, toe up +) for a named foot strike: rearfoot 15°, midfoot 3°,
/// forefoot −8°, inside the bands of the foot-strike angle of Altman AR, Davis IS (2012) Gait Posture
/// 35(2):298–300 (rearfoot > 8°, midfoot −1.6° to 8°, forefoot < −1.6°).
double foot_strike_angle(FootStrike s);

std::string describe(const GaitCondition& c);

}  // namespace legsim
