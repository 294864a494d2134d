"""The ``xarray.Dataset`` of a sweep: its metric keys (from the C++ code) and the assembly of the
finished points' records (run now or read from the journal) into variables over the swept axes."""
from __future__ import annotations

import datetime
import hashlib
import json
import re

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
    toml = model.to_toml()
    attrs = {"Conventions": "CF-1.8", "legsim_version": __version__,
             # When the dataset was made (ISO 8601, UTC): the model file and legsim may change after it.
             "date_created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "model_name": model.name, "model_sha256": hashlib.sha256(toml.encode()).hexdigest(),
             # The whole model file, not only its hash, so a file found later can be rerun.
             "model_toml": toml, "condition": _condition_text(dims, coords),
             "description": ("legsim sweep: metrics of predicted running steps (NaN where not converged)"
                             if method == "predict" else
                             "legsim sweep: metrics of matched periodic stances (NaN where not converged)")}
    ds = xr.Dataset(variables, coords=coord_values, attrs=attrs)
    _label(ds, model, method)
    return ds


def _condition_text(dims, coords) -> str:
    """The condition settings of every point as JSON: the swept fields say "swept" (their values are
    the coordinates), the others hold the value every point ran with (legsim.Condition's defaults)."""
    from .gait import Condition
    fields = [f for f in Condition.__slots__ if not f.startswith("_")]
    first = Condition(**{d: coords[d][0] for d in dims if d in fields})
    return json.dumps({f: "swept" if f in dims else getattr(first, f) for f in fields})


# --- Units and names (CF conventions: every variable and coordinate has ``units`` and ``long_name``).
# Units are UDUNITS strings, so CF tools and xarray's plots read them. Body weight has no UDUNITS unit:
# a force in body weights is a ratio of two forces, so it gets units "1" (a BW·s impulse "s", a
# BW/s loading rate "s-1") and its long_name says "(body weights)"; a custom "BW" would be clearer to a
# person but unreadable to every unit library. Text and flag variables get "1" too (CF: dimensionless).

#: Metric-key suffix → (UDUNITS units, what the number is in words for the long_name). Longest
#: suffixes first: "_per_km_bw_s" must win over "_bw_s" and "_s". One table for every metric key, so
#: a new C++ metric with a known suffix is labelled without an entry here.
_SUFFIXES = (
    ("_per_km_mpa_s", "MPa s km-1", "MPa seconds per km"),
    ("_per_km_bw_s", "s km-1", "body-weight seconds per km"),
    ("_j_per_kg_m", "J kg-1 m-1", "J per kg body mass per metre"),
    ("_nm_per_kg", "N m kg-1", "N m per kg body mass"),
    ("_j_per_kg", "J kg-1", "J per kg body mass"),
    ("_bw_per_s", "s-1", "body weights per second"),
    ("_m_per_s", "m s-1", "m/s"),
    ("_mpa_s", "MPa s", "MPa seconds"),
    ("_bw_s", "s", "body-weight seconds"),
    ("_mpa", "MPa", "MPa"),
    ("_spm", "min-1", "steps per minute"),
    ("_deg", "degree", "degrees"),
    ("_rad", "rad", "radians"),
    ("_rel", "1", "relative"),
    ("_bw", "1", "body weights"),
    ("_s", "s", "seconds"),
    ("_m", "m", "metres"),
    ("_norm", "1", "optimal fiber lengths"),
)

#: Keys without a unit suffix (dimensionless, or one whose unit depends on the method).
_UNSUFFIXED = {
    "peak_achilles_strain": ("1", "peak Achilles tendon strain"),
    "peak_reserve_fraction": ("1", "peak reserve torque (fraction of the joint's peak moment)"),
    "periodicity_error": ("1", "largest periodicity residual (in units of its tolerance; 0 for a predicted step)"),
    # Σ∫a³ dt: over the stance in gait matching, per metre of travel in a prediction (its objective term).
    "effort": ("s", "muscle effort (sum over muscles of the integral of activation cubed over the stance)"),
    "objective": ("1", "objective at the solution (effort s/m, or metabolic J/(kg m) plus weighted effort)"),
    "solver_iterations": ("1", "IPOPT iterations of the kept solve"),
    "solver_seconds": ("s", "solver wall time (all attempts)"),
    "converged": ("1", "the point converged (metrics are NaN where not)"),
    "finished": ("1", "the point was run (False: not run yet, e.g. an interrupted sweep)"),
    "message": ("1", "solver status message"),
    "start": ("1", "start of the kept solve (cold, or the grid neighbour warm-started from)"),
    "variables_on_bounds": ("1", "decision variables on a bound at the solution"),
    # Swept condition fields (legsim.Condition).
    "speed": ("m s-1", "running speed"),
    "cadence": ("min-1", "cadence (steps per minute)"),
    "step_length": ("m", "step length"),
    "stride_length": ("m", "stride length (two steps)"),
    "calf_fatigue": ("1", "calf fatigue (fraction of contractile capacity lost, before the split)"),
    "calf_fatigue_split": ("1", "how calf fatigue divides among the calf muscles"),
    "foot_strike": ("1", "foot strike (pattern, or touchdown ankle dorsiflexion angle in degrees)"),
    "body_mass": ("kg", "body mass"),
    "height": ("m", "body height"),
}

#: Abbreviations written out in long names.
_WORDS = {"pfj": "PFJ", "grf": "GRF", "com": "centre-of-mass", "bw": "BW"}


def _readable(stem: str) -> str:
    return " ".join(_WORDS.get(w, w) for w in stem.split("_"))


def _units_of(name: str, method: str = "matching"):
    """(units, long_name) of a dataset variable or coordinate by its name; None when the name is
    neither listed nor ends in a known unit suffix (tests check that no metric key is)."""
    if name in _UNSUFFIXED:
        units, long_name = _UNSUFFIXED[name]
        if name == "effort" and method == "predict":
            units, long_name = "s m-1", long_name.replace("over the stance", "over the step, per metre")
        return units, long_name
    for suffix, units, words in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return units, f"{_readable(name[:-len(suffix)])} ({words})"
    return None


_UNIT_TOKEN = re.compile(r"^(N|m|s|kg|rad|J|W|Pa|MPa|deg|1)(\^-?\d+)?$")


def _param_units(model, path: str):
    """(units, long_name) of a swept model parameter: the unit written beside it in the model file
    (its comment starts with the unit, e.g. ``# N, Rajagopal 2016``), when that is a plain SI unit."""
    table, key = path.rpartition(".")[::2]
    section = None
    for line in model.to_toml().splitlines():
        s = line.strip()
        if s.startswith("["):
            section = s.strip("[]")
        elif section == table and s.split("=")[0].strip() == key and "#" in s:
            text = s.split("#", 1)[1].split(",")[0].split("(")[0].strip()
            if text and all(_UNIT_TOKEN.match(t) for t in re.split(r"[ /]", text) if t):
                return text, f"model parameter {path}"
            break
    # The model file gives no plain unit (e.g. a count or a fraction with a source only).
    return "1", f"model parameter {path} (unit: see its comment in the model_toml attribute)"


def _label(ds: xr.Dataset, model, method: str) -> None:
    """Sets ``units`` and ``long_name`` on every variable and coordinate of a sweep dataset."""
    for name, var in ds.variables.items():
        found = _units_of(name, method)
        if found is None:
            found = _param_units(model, name) if "." in name else ("1", _readable(name))
        if name == "foot_strike" and var.dtype.kind == "f":  # a touchdown ankle angle, not a pattern
            found = ("degree", "foot strike (touchdown ankle dorsiflexion angle)")
        var.attrs["units"], var.attrs["long_name"] = found
