#pragma once
// Parameters of one Hill-type muscle–tendon unit (MTU). Names follow OpenSim's vocabulary.
// Every parameter is per instance: no function may cache a muscle's values in static storage.
#include <string>
#include <string_view>

namespace legsim {

enum class TendonModel { kCompliant, kRigid };

struct MuscleParams {
  double max_isometric_force = 1000.0;       ///< F_max (N), (0, inf)
  double optimal_fiber_length = 0.1;         ///< l_opt (m), (0, inf)
  double tendon_slack_length = 0.2;          ///< l_s (m), (0, inf)
  double pennation_angle_at_optimal = 0.0;   ///< α_0 (rad), [0, π/2)
  double max_contraction_velocity = 10.0;    ///< v_max (optimal fiber lengths / s), (0, inf)
  double tendon_strain_at_one_norm_force = 0.049;       ///< ε_0, (0, 1)
  double passive_fiber_strain_at_one_norm_force = 0.6;  ///< e_0, (0, inf)
  double activation_time_constant = 0.015;    ///< τ_act (s), (0, inf)
  double deactivation_time_constant = 0.060;  ///< τ_deact (s), (0, inf)
  double activation_smoothing = 10.0;         ///< b of the tanh-smoothed activation model, (0, inf)
  double min_activation = 0.01;               ///< lower bound of activation, [0, 1)
  double fiber_damping = 0.0;                 ///< normalized fiber damping β (force / (v_max·l_opt)), [0, inf)
  /// Contractile capacity c for static fatigue, (0, 1]: scales the active fiber force c·a·fL·fV
  /// only; tendon, passive force, damping and reflex normalization keep F_max (mtu.hpp).
  double capacity_factor = 1.0;
  TendonModel tendon = TendonModel::kCompliant;
};

/// Validates every field; throws legsim::InputError naming "<prefix>.<field>", the value and the
/// allowed range. prefix is e.g. "muscles.soleus".
void validate(const MuscleParams& p, std::string_view prefix = "muscle");

}  // namespace legsim
