#pragma once
// The numeric fields of TouchdownState as one table: name, unit, member and allowed range. validate()
// (sim/simulate.cpp) checks the ranges from it, and the Python bindings (python/src/sim.cpp,
// python/src/batch.cpp) name the attributes of legsim._core.TouchdownState and the columns of
// legsim.simulate_stances' touchdown table after it, so a field added here is validated and
// reachable from Python at once. TouchdownState::activations, per muscle, is the one field not here.
#include <string_view>

#include "legsim/sim/simulate.hpp"

namespace legsim {

struct TouchdownField {
  std::string_view name;
  std::string_view unit;
  double TouchdownState::*member;
  double lo, hi;  ///< allowed range, inclusive
};

inline constexpr TouchdownField kTouchdownFields[] = {
    {"trunk_lean", "rad", &TouchdownState::trunk_lean, -0.5, 1.0},
    {"hip_flexion", "rad", &TouchdownState::hip_flexion, -0.5, 1.5},
    {"knee_flexion", "rad", &TouchdownState::knee_flexion, 0.0, 1.5},
    {"ankle_dorsiflexion", "rad", &TouchdownState::ankle_dorsiflexion, -0.8, 0.6},
    {"hip_velocity_x", "m/s", &TouchdownState::hip_velocity_x, -15.0, 15.0},
    {"hip_velocity_y", "m/s", &TouchdownState::hip_velocity_y, -5.0, 5.0},
    {"trunk_angular_velocity", "rad/s", &TouchdownState::trunk_angular_velocity, -50.0, 50.0},
    {"hip_angular_velocity", "rad/s", &TouchdownState::hip_angular_velocity, -50.0, 50.0},
    {"knee_angular_velocity", "rad/s", &TouchdownState::knee_angular_velocity, -50.0, 50.0},
    {"ankle_angular_velocity", "rad/s", &TouchdownState::ankle_angular_velocity, -50.0, 50.0},
};

}  // namespace legsim
