#pragma once
namespace legsim {
inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kDegToRad = kPi / 180.0;
inline constexpr double kRadToDeg = 180.0 / kPi;
/// Standard gravity (m/s²), CGPM 1901.
inline constexpr double kGravity = 9.80665;
}  // namespace legsim
