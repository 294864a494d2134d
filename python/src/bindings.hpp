#pragma once
#include <pybind11/pybind11.h>

namespace legsim {
struct StanceResult;
}

namespace legsim::py_bind {
/// A stance's time series as a dict column name → numpy array (sim.cpp).
pybind11::dict series_dict(const StanceResult& r);

void bind_curves(pybind11::module_& m);
void bind_muscle(pybind11::module_& m);
void bind_model(pybind11::module_& m);
void bind_sim(pybind11::module_& m);
void bind_gait(pybind11::module_& m);
void bind_batch(pybind11::module_& m);
#ifdef LEGSIM_HAS_PREDICT
void bind_predict(pybind11::module_& m);
#endif
}  // namespace legsim::py_bind
