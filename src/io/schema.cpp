// The schema's functions: the muscle field table for the bindings, degrees for the file.
#include "schema.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "legsim/core/constants.hpp"

namespace legsim {

std::span<const NumField<MuscleParams>> muscle_parameter_fields() { return model_file::kMuscleFields; }
std::span<const NumField<ControllerParams>> controller_fields() { return model_file::kControllerFields; }
std::span<const NumField<MuscleControl>> muscle_control_fields() { return model_file::kMuscleControlFields; }

namespace model_file {

/// The angle in degrees, as the shortest decimal that converts back to exactly `rad`: the value a
/// file gave (80.0, not 80.00000000000001), so messages and saved files show it unchanged, and
/// load(save(m)) keeps the radians. rad * kRadToDeg itself can be an ulp off every such value (about
/// 1 % of full-precision angles; make fuzz found -70.09272859363746 deg, saved as ...747, which loads
/// an ulp away), so its neighbours are candidates too; one ulp sufficed in 300 000 random angles.
double to_degrees(double rad) {
  const double deg = rad * kRadToDeg;
  const double below = std::nextafter(deg, -INFINITY), above = std::nextafter(deg, INFINITY);
  const double candidates[] = {deg, below, above, std::nextafter(below, -INFINITY), std::nextafter(above, INFINITY)};
  for (int digits = 1; digits <= 17; ++digits) {
    for (const double c : candidates) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.*g", digits, c);
      const double d = std::strtod(buf, nullptr);
      if (d * kDegToRad == rad) return d;
    }
  }
  return deg;
}

}  // namespace model_file
}  // namespace legsim
