#pragma once
// The numeric fields of a model file, as a table per struct (src/io/schema.hpp holds them all).
// MuscleParams' table is public so that the Python bindings (python/src/muscle.cpp) and legsim.muscle
// take the muscle parameter list from the same table the model-file reader and writer use, instead
// of keeping copies that could drift apart (issue 20).
#include <span>
#include <string>
#include <string_view>

#include "legsim/control/controller.hpp"
#include "legsim/muscle/params.hpp"

namespace legsim {

/// One numeric key of a model-file table and the member of Obj it fills.
template <class Obj>
struct NumField {
  std::string_view key;   ///< the key in the file; a key ending in "_deg" is degrees there, radians in Obj
  std::string_view unit;  ///< SI unit (and what it means), written as a comment next to the value
  double Obj::*member;
  bool required;          ///< the reader rejects a table without it
};

/// Every numeric (double) field of MuscleParams, in the order the model file lists them;
/// MuscleParams::tendon, an enum, is the one field not here.
std::span<const NumField<MuscleParams>> muscle_parameter_fields();

/// The controller's numeric fields (ControllerParams' own, then MuscleControl's per muscle), in the
/// order of the model file's [controller] table: the Python batch API (python/src/batch.cpp) names
/// its control columns after them.
std::span<const NumField<ControllerParams>> controller_fields();
std::span<const NumField<MuscleControl>> muscle_control_fields();

/// The allowed range of every controller setting (control/controller.hpp), the model reader's rule;
/// throws InputError naming `path.<field>` (per muscle `path.muscles.<name>.<field>`, names from
/// c.muscle_names). The engines check only a controller's size (validate_controller): a controller
/// from outside a model file goes through this first.
void validate_controller_ranges(const ControllerParams& c, const std::string& path);

}  // namespace legsim
