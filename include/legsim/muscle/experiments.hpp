#pragma once
// Teaching experiments on one muscle–tendon unit, integrated over time with Boost.Odeint:
// prescribed muscle–tendon length history (isometric hold, quick release, ramp stretch) and
// excitation, compliant tendon + activation dynamics as states.
#include <functional>
#include <vector>

#include "legsim/muscle/params.hpp"

namespace legsim {

/// A prescribed muscle–tendon path: length l(t) (m) and velocity v(t) = dl/dt (m/s).
struct MtuPath {
  std::function<double(double)> length;
  std::function<double(double)> velocity;
};

/// Time histories of one MTU experiment (one row per output time).
struct MtuTrace {
  std::vector<double> time, excitation, activation, mtu_length, fiber_length, norm_fiber_length,
      fiber_velocity, tendon_length, tendon_force, norm_tendon_force, active_fiber_force, passive_fiber_force;
};

/// Integrates activation and tendon-force states (compliant tendon; a rigid-tendon muscle has no
/// tendon state and is evaluated directly) from t = 0 to t_end, starting at static equilibrium with
/// the initial activation, recording every `output_interval` seconds. Dense-output
/// Dormand–Prince 5(4), tolerances rtol/atol. Throws InputError on bad input and SimulationError
/// if the integration fails.
MtuTrace simulate_mtu(const MuscleParams& p, const MtuPath& path, const std::function<double(double)>& excitation,
                      double initial_activation, double t_end, double output_interval = 1e-3,
                      double rtol = 1e-8, double atol = 1e-10);

}  // namespace legsim
