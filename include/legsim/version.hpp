#pragma once
namespace legsim {
/// legsim's version string (from CMake's project version).
inline constexpr const char* kVersion = LEGSIM_VERSION;
}  // namespace legsim
