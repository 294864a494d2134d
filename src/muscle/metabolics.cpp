// Constants and validation of the muscle energy model (include/legsim/muscle/metabolics.hpp).
#include "legsim/muscle/metabolics.hpp"

#include <string>

#include "legsim/core/error.hpp"

namespace legsim::metabolics {

double muscle_mass(double max_isometric_force, double optimal_fiber_length, double specific_tension, double density) {
  require_positive("max_isometric_force", max_isometric_force);
  require_positive("optimal_fiber_length", optimal_fiber_length);
  require_positive("specific_tension", specific_tension);
  require_positive("density", density);
  return max_isometric_force / specific_tension * density * optimal_fiber_length;  // kg
}

MetabolicMuscle make_metabolic_muscle(const MuscleParams& p, double slow_twitch_fraction, double specific_tension,
                                      double density, std::string_view prefix) {
  legsim::validate(p, prefix);
  const std::string path(prefix);
  require_in_range(path + ".slow_twitch_fraction", slow_twitch_fraction, 0.0, 1.0);
  // Published values lie near 0.25 MPa (σ) and 1060 kg/m³ (ρ); the ranges refuse unit slips (MPa, g/cm³).
  require_in_range(path + ".specific_tension", specific_tension, 1e4, 1e7);
  require_in_range(path + ".density", density, 500.0, 2000.0);
  MetabolicMuscle m;
  m.mass = muscle_mass(p.max_isometric_force, p.optimal_fiber_length, specific_tension, density);
  m.slow_twitch_fraction = slow_twitch_fraction;
  m.max_fiber_velocity = p.max_contraction_velocity * p.optimal_fiber_length;
  return m;
}

void validate(const Bhargava2004Options& o) {
  require_in_range("metabolic.activation_decay", o.activation_decay, kActivationDecayFloor, 1.0 + kActivationDecayFloor);
  require_in_range("metabolic.min_heat_rate", o.min_heat_rate, 0.0, 10.0);
  require(o.velocity_smoothing > 0.0 && o.velocity_smoothing <= 0.5, "metabolic.velocity_smoothing",
          o.velocity_smoothing, "(0, 0.5]");
  require(o.length_smoothing > 0.0 && o.length_smoothing <= 0.25, "metabolic.length_smoothing", o.length_smoothing,
          "(0, 0.25]");
  require(o.heat_smoothing > 0.0 && o.heat_smoothing <= 10.0, "metabolic.heat_smoothing", o.heat_smoothing,
          "(0, 10]");
}

}  // namespace legsim::metabolics
