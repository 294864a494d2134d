#include "legsim/core/error.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace legsim {

std::string format_value(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

void require(bool ok, std::string_view field, double value, std::string_view allowed_range) {
  if (ok) return;
  throw InputError(std::string(field) + " = " + format_value(value) +
                   " is out of range: allowed " + std::string(allowed_range));
}

void require_finite(std::string_view field, double value) {
  require(std::isfinite(value), field, value, "a finite number");
}

void require_positive(std::string_view field, double value) {
  require(std::isfinite(value) && value > 0.0, field, value, "(0, inf)");
}

void require_in_range(std::string_view field, double value, double lo, double hi) {
  if (std::isfinite(value) && value >= lo && value <= hi) return;
  // Appended piece by piece: `"[" + std::string` trips GCC 12's false -Wrestrict at -O3 (GCC bug 105329).
  std::string range = "[";
  range += format_value(lo);
  range += ", ";
  range += format_value(hi);
  range += "]";
  require(false, field, value, range);
}

}  // namespace legsim
