#pragma once
// legsim_predict (predictive gait simulation by direct collocation with CasADi + IPOPT): the link
// check. This header includes no CasADi header, so code that only asks for the version does not need
// CasADi's include directory.
#include <string>

namespace legsim::predict {

/// Version of the CasADi library loaded at run time ("3.8.2"), from casadi::CasadiMeta::version().
/// It can differ from the headers legsim_predict was compiled with when the casadi wheel was
/// upgraded after the build; the library's soname guards the ABI, this string reports the release.
std::string casadi_version();

}  // namespace legsim::predict
