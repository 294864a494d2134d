"""The ``xarray.Dataset`` of a sweep: its metric keys (from the C++ code) and the assembly of the
finished points' records (run now or read from the journal) into variables over the swept axes."""
from __future__ import annotations

import hashlib

import numpy as np
import xarray as xr

from . import _core

#: Axes whose values are categories (strings), not numbers.
_CATEGORICAL_AXES = ("foot_strike", "calf_fatigue_split")


def _metric_keys(model, method: str) -> list:
    """Metric keys of one point of a sweep by ``method``, sorted: from the C++ code that computes
    them (``_core.gait_metric_names`` / ``predicted_gait_metric_names`` run the metric functions on
    a synthetic step), so a new C++ metric reaches the dataset without a list here to update."""
    if method == "predict":
        return list(_core.predicted_gait_metric_names(model))
    return list(_core.gait_metric_names(model))


def _stride_keys(model) -> list:
    """Keys of a predicted step beside the stance keys of gait matching (legsim.simulate,
    method="predict"): whole-step joint work, swing and reserve keys and the metabolic cost."""
    stance = set(_core.gait_metric_names(model))
    return [k for k in _core.predicted_gait_metric_names(model) if k not in stance]


_RESIDUALS = ("speed_change_rel", "vertical_velocity_mismatch_m_per_s", "height_mismatch_m", "step_length_error_rel",
              "trunk_lean_change_rad")


#: Per-point solver variables of a prediction sweep: dataset name → how to read it off a record.
_SOLVER_FLOATS = {"objective": lambda r: r["solver"]["objective"],
                  "solver_iterations": lambda r: r["solver"]["iterations"],
                  "solver_seconds": lambda r: sum(a["seconds"] for a in r["attempts"])}
_SOLVER_TEXTS = {"start": lambda r: r["start"],
                 "variables_on_bounds": lambda r: ", ".join(r["solver"]["variables_on_bounds"])}


def _assemble(model, method, dims, coords, shape, points, records) -> xr.Dataset:
    keys = _metric_keys(model, method)
    data = {k: np.full(shape, np.nan) for k in keys}
    if method == "predict":
        floats, texts = _SOLVER_FLOATS, _SOLVER_TEXTS
    else:
        floats = {k: (lambda r, k=k: r["residuals"].get(k, np.nan)) for k in _RESIDUALS}
        texts = {}
    extra = {k: np.full(shape, np.nan) for k in floats}
    extra_text = {k: np.full(shape, "", dtype=object) for k in texts}
    converged = np.zeros(shape, dtype=bool)
    finished = np.zeros(shape, dtype=bool)
    message = np.full(shape, "not run", dtype=object)
    for k, idx in enumerate(points):
        rec = records.get(k)
        if rec is None:
            continue
        finished[idx] = True
        converged[idx] = rec["converged"]
        message[idx] = rec["message"]
        for key, read in floats.items():
            extra[key][idx] = read(rec)
        for key, read in texts.items():
            extra_text[key][idx] = read(rec)
        if rec["converged"]:
            for key in keys:
                if key in rec["metrics"]:
                    data[key][idx] = rec["metrics"][key]
    variables = {k: (dims, v) for k, v in data.items()}
    variables.update({k: (dims, v) for k, v in extra.items()})
    variables.update({k: (dims, v.astype(str)) for k, v in extra_text.items()})
    variables["converged"] = (dims, converged)
    variables["finished"] = (dims, finished)
    variables["message"] = (dims, message.astype(str))
    coord_values = {d: (np.array(coords[d], dtype=object).astype(str) if d in _CATEGORICAL_AXES and
                        any(isinstance(v, str) for v in coords[d]) else np.array(coords[d], dtype=float))
                    for d in dims}
    from . import __version__
    attrs = {"legsim_version": __version__, "model_name": model.name,
             "model_sha256": hashlib.sha256(model.to_toml().encode()).hexdigest(),
             "description": ("legsim sweep: metrics of predicted running steps (NaN where not converged)"
                             if method == "predict" else
                             "legsim sweep: metrics of matched periodic stances (NaN where not converged)")}
    return xr.Dataset(variables, coords=coord_values, attrs=attrs)
