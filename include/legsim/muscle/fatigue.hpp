#pragma once
// Static calf fatigue (DESIGN 3.4): calf_fatigue φ ∈ [0, 0.9] lowers each calf muscle's force
// capacity, F_max,i ← F_max,i·(1 − φ·w_i), with w_i from the muscle's fast-twitch (type II) fiber
// fraction 1 − s_i, normalized so the most fatigable calf muscle has w = 1:
//   w_i = (1 − s_i) / max_j (1 − s_j).
// Splitting fatigue between soleus and gastrocnemius by fast-twitch fraction is a modelling choice
// (fast-twitch fibers fatigue faster), not a measured law.
#include <span>
#include <vector>

namespace legsim {

/// Slow-twitch (type I) fiber fractions, Uchida TK, Hicks JL, Dembia CL, Delp SL (2016) PLoS One
/// 11(3):e0150378, doi:10.1371/journal.pone.0150378 (mostly from Johnson et al. 1973).
inline constexpr double kSlowFractionSoleus = 0.803;
inline constexpr double kSlowFractionGastrocnemiusMedialis = 0.566;
inline constexpr double kSlowFractionGastrocnemiusLateralis = 0.507;

/// Upper bound of calf_fatigue φ (DESIGN 3.4).
inline constexpr double kMaxCalfFatigue = 0.9;

/// Fatigue weights w_i = (1 − s_i)/max_j(1 − s_j) from slow fractions s_i ∈ [0, 1] (at least one
/// s_i < 1). Throws InputError ("slow_fractions[i] = … is out of range: allowed [0, 1]") otherwise.
std::vector<double> calf_fatigue_weights(std::span<const double> slow_fractions);

/// Capacity factor 1 − φ·w for calf_fatigue φ ∈ [0, 0.9] and weight w ∈ [0, 1]; result ∈ [0.1, 1].
/// Throws InputError naming "calf_fatigue" or "fatigue_weight" with the value and range.
double fatigue_capacity_factor(double calf_fatigue, double weight);

}  // namespace legsim
