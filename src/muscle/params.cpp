// Validation of MuscleParams (every field, finite, in its documented range).
#include <cmath>
#include <string>

#include "legsim/core/constants.hpp"
#include "legsim/core/error.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim {

void validate(const MuscleParams& p, std::string_view prefix) {
  const std::string pre = std::string(prefix) + ".";
  const auto field = [&](const char* name) { return pre + name; };

  require_positive(field("max_isometric_force"), p.max_isometric_force);
  require_positive(field("optimal_fiber_length"), p.optimal_fiber_length);
  require_positive(field("tendon_slack_length"), p.tendon_slack_length);
  // Pennation at optimal fiber length: [0, π/2) rad = [0, 90) deg (at 90° the constant-thickness
  // geometry has no fiber projection along the tendon).
  require(std::isfinite(p.pennation_angle_at_optimal) && p.pennation_angle_at_optimal >= 0.0 &&
              p.pennation_angle_at_optimal < kPi / 2.0,
          field("pennation_angle_at_optimal"), p.pennation_angle_at_optimal,
          "[0, " + format_value(kPi / 2.0) + ") rad, i.e. [0, 90) deg");
  require_positive(field("max_contraction_velocity"), p.max_contraction_velocity);
  require(std::isfinite(p.tendon_strain_at_one_norm_force) && p.tendon_strain_at_one_norm_force > 0.0 &&
              p.tendon_strain_at_one_norm_force < 1.0,
          field("tendon_strain_at_one_norm_force"), p.tendon_strain_at_one_norm_force, "(0, 1)");
  require_positive(field("passive_fiber_strain_at_one_norm_force"), p.passive_fiber_strain_at_one_norm_force);
  require_positive(field("activation_time_constant"), p.activation_time_constant);
  require_positive(field("deactivation_time_constant"), p.deactivation_time_constant);
  require_positive(field("activation_smoothing"), p.activation_smoothing);
  require(std::isfinite(p.min_activation) && p.min_activation >= 0.0 && p.min_activation < 1.0,
          field("min_activation"), p.min_activation, "[0, 1)");
  require(std::isfinite(p.fiber_damping) && p.fiber_damping >= 0.0, field("fiber_damping"), p.fiber_damping,
          "[0, inf)");
  require(std::isfinite(p.capacity_factor) && p.capacity_factor > 0.0 && p.capacity_factor <= 1.0,
          field("capacity_factor"), p.capacity_factor, "(0, 1]");
  const int tendon = static_cast<int>(p.tendon);
  require(p.tendon == TendonModel::kCompliant || p.tendon == TendonModel::kRigid, field("tendon"), tendon,
          "0 (compliant) or 1 (rigid)");
}

}  // namespace legsim
