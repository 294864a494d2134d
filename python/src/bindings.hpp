#pragma once
#include <pybind11/pybind11.h>

namespace legsim::py_bind {
void bind_curves(pybind11::module_& m);
void bind_muscle(pybind11::module_& m);
void bind_model(pybind11::module_& m);
void bind_sim(pybind11::module_& m);
void bind_gait(pybind11::module_& m);
#ifdef LEGSIM_HAS_PREDICT
void bind_predict(pybind11::module_& m);
#endif
}  // namespace legsim::py_bind
