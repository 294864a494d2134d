#pragma once
// Exceptions thrown by legsim. Every exception derives from legsim::Error. Hot kernels never throw:
// numerical failure during a simulation is reported as a status in the result instead.
#include <stdexcept>
#include <string>
#include <string_view>

namespace legsim {

/// Base of every exception legsim throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad user input: a parameter, a model-file field, a condition. The message names the field,
/// the value and the allowed range.
class InputError : public Error {
 public:
  using Error::Error;
};

/// A model file that cannot be read or parsed (missing file, TOML syntax, wrong type, unknown key).
class ModelFileError : public InputError {
 public:
  using InputError::InputError;
};

/// A simulation that failed numerically, raised only where a caller asked for numbers and the run
/// could not give them (the result types carry the same information as a status).
class SimulationError : public Error {
 public:
  using Error::Error;
};

/// Formats a value for an error message (shortest round-trip representation of doubles).
std::string format_value(double value);

/// Throws InputError "<field> = <value> is out of range: allowed <range>" unless ok.
void require(bool ok, std::string_view field, double value, std::string_view allowed_range);

/// Throws InputError unless lo <= value <= hi and value is finite.
void require_in_range(std::string_view field, double value, double lo, double hi);

/// Throws InputError unless value > 0 and finite.
void require_positive(std::string_view field, double value);

/// Throws InputError unless value is finite.
void require_finite(std::string_view field, double value);

}  // namespace legsim
