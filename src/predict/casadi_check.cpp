// The link check of legsim_predict: one call into libcasadi, so a build or an import that cannot
// find the library fails here rather than in the first optimization.
#include "legsim/predict/casadi_check.hpp"

#include <casadi/casadi.hpp>

namespace legsim::predict {

std::string casadi_version() { return casadi::CasadiMeta::version(); }

}  // namespace legsim::predict
