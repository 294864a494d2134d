"""Many stances at once: the batch engine (one SIMD lane per stance, threads across cores) from Python.

The column names of every table come from the C++ core (``legsim._core.touchdown_columns`` and
``control_columns``): touchdown columns are the fields of :class:`legsim.Touchdown` plus
``activations.<muscle>``; control columns are the model file's ``[controller]`` keys — ``ramp_time``,
``trunk_kp``, ``trunk_kd``, ``trunk_reference_lean`` and ``muscles.<muscle>.<field>`` for ``level``,
``onset``, ``offset``, ``force_gain``, ``length_gain``, ``length_offset``, ``trunk_gain``,
``pretension``, ``effort_weight``. Metric columns are the scalar path's metric keys that the batch
engine computes (``legsim.simulate_stance(...).metrics``).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _core
from ._validate import as_int, as_float
from .errors import InputError
from .stance import stance_integrator

__all__ = ["simulate_stances", "StanceBatchResult", "touchdown_columns", "control_columns"]

_FATIGUE_SPLIT_DEFAULT = "fiber_type"


def touchdown_columns(model) -> list[str]:
    """The columns a touchdown table may have: TouchdownState's fields, then ``activations.<muscle>``."""
    return list(_core.touchdown_columns(model))


def control_columns(model) -> list[str]:
    """The columns a control table may have (the model file's controller keys, muscles in model order)."""
    return list(_core.control_columns(model))


@dataclass
class StanceBatchResult:
    """Outcome of :func:`simulate_stances`.

    ``metrics``: one row per stance (the index of the touchdown table), columns ``status`` (``"ok"``
    or why the stance failed), ``message``, ``converged`` (bool), the metrics (NaN where a stance
    failed, never numbers from a failed run) and the integration's ``steps`` (``implicit_steps`` of
    them with the Rosenbrock–W step), ``rejected_steps`` and ``rhs_evaluations``. ``timeseries``: row label → time-series DataFrame, for the rows asked for
    with ``series=`` (empty for a row whose stance failed)."""
    metrics: pd.DataFrame
    timeseries: dict = field(default_factory=dict)

    @property
    def converged(self) -> np.ndarray:
        return self.metrics["converged"].to_numpy()


def _table(name: str, table, full_columns: list[str] | None) -> tuple[dict, int | None, pd.Index | None]:
    """A table as named 1-D float arrays, its row count (None when every column is a single value)
    and its index (a DataFrame's; None otherwise). A 2-D ndarray must hold every one of
    ``full_columns`` in that order."""
    if table is None:
        return {}, None, None
    if isinstance(table, pd.DataFrame):
        cols = {str(c): table[c].to_numpy() for c in table.columns}
        rows, index = len(table), table.index
    elif isinstance(table, np.ndarray) and table.ndim == 2 and full_columns is not None:
        if table.shape[1] != len(full_columns):
            raise InputError(f"{name}: expected {len(full_columns)} columns ({', '.join(full_columns)}), "
                             f"got {table.shape[1]}")
        cols = {c: table[:, k] for k, c in enumerate(full_columns)}
        rows, index = table.shape[0], None
    elif isinstance(table, Mapping):
        cols = {str(k): np.atleast_1d(v) for k, v in table.items()}
        lengths = {len(v) for v in cols.values() if np.ndim(v) == 1}
        rows, index = (max(lengths) if lengths - {1} else None), None
    else:
        raise InputError(f"{name}: expected a pandas DataFrame, a mapping column -> array or a 2-D numpy array, "
                         f"got {type(table).__name__}")
    out = {}
    for c, v in cols.items():
        try:
            out[c] = np.ascontiguousarray(v, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name}.{c}: expected numbers, got {np.asarray(v).dtype}") from exc
        if out[c].ndim != 1:
            raise InputError(f"{name}.{c}: expected a 1-D array (one value per stance), got shape {out[c].shape}")
    return out, rows, index


def simulate_stances(model, touchdowns, controls=None, *, capacity_factors=None, calf_fatigue=None,
                     calf_fatigue_split: str = _FATIGUE_SPLIT_DEFAULT, threads: int = 1,
                     rtol: float | None = None, atol: float | None = None, series=None,
                     integrator: str = "stiff_switching", simd: str = "") -> StanceBatchResult:
    """Simulates many stances, touchdown to toe-off, in the batch engine (C++, GIL released).

    ``touchdowns``: a pandas DataFrame, a mapping column → array or a 2-D array whose columns are
    :func:`touchdown_columns` (a 2-D array: TouchdownState's fields, in that order). A column not
    given takes the default of :class:`legsim.Touchdown`; ``activations.<muscle>`` columns set
    activations at touchdown (a muscle without one: its ``min_activation``).
    ``controls``: the stance controller per stance, same forms, columns :func:`control_columns`; a
    setting not given is the model's own (``model.param("controller....")``). None: the model's
    controller for every stance.
    ``capacity_factors``: per-stance force capacity, columns muscle names, each in (0, 1] (a muscle
    not given: the model's own). Or ``calf_fatigue`` φ ∈ [0, 0.9] per stance (scalar or array), divided
    among the calf muscles by ``calf_fatigue_split`` as in :class:`legsim.Condition`.
    Every column holds one value per stance or a single value for all; the touchdown table's rows
    count the stances, and the tables' rows are matched by position. ``threads``: worker threads (0 = one per core); results do not depend on it.
    ``series``: row labels whose time series to return: the batch engine records none, so those rows
    are run again in the scalar path (:func:`legsim.simulate_stance`, same inputs and method, same
    metrics to the integrators' agreement ≈ 5e-5 relative; docs/decisions.md).
    ``integrator``: each stance's method, as in :func:`legsim.simulate_stance`: ``"stiff_switching"``
    (default: Dormand–Prince, switching per stance to a Rosenbrock–W step while it is stiff) or
    ``"dormand_prince"``. ``simd``: the SIMD target to run on (``""``: the widest this CPU supports;
    see :func:`legsim.build_info`); results of different targets agree to ≈ 3e-6, not bit for bit.
    """
    if not isinstance(model, _core.Model):
        raise InputError(f"model: expected a legsim.Model, got {type(model).__name__}")
    threads = as_int("threads", threads, lo=0, hi=1024)
    r_tol = 0.0 if rtol is None else as_float("rtol", rtol, lo=0.0, hi=1e-2, lo_open=True)
    a_tol = 0.0 if atol is None else as_float("atol", atol, lo=0.0, hi=1e-2, lo_open=True)
    method = stance_integrator(integrator)
    runnable = [t["name"] for t in _core.build_info["simd_targets"] if t["supported"]]
    if not isinstance(simd, str) or (simd and simd not in runnable):
        raise InputError(f"simd: expected '' (the widest this CPU runs) or one of {', '.join(map(repr, runnable))} "
                         f"(the targets of this build this CPU runs), got {simd!r}")
    if capacity_factors is not None and calf_fatigue is not None:
        raise InputError("capacity_factors and calf_fatigue: give one of them, not both")
    if not isinstance(calf_fatigue_split, str):
        raise InputError(f"calf_fatigue_split: expected a string, got {type(calf_fatigue_split).__name__}")
    td, td_rows, index = _table("touchdowns", touchdowns, [name for name, _ in _core.touchdown_fields()])
    ctl, ctl_rows, _ = _table("controls", controls, control_columns(model))
    cap, cap_rows, _ = _table("capacity_factors", capacity_factors, list(model.muscle_names))
    fatigue, fatigue_rows = _calf_fatigue(calf_fatigue)
    # The touchdown table's rows count the stances; without one, the longest other column does.
    others = [r for r in (ctl_rows, cap_rows, fatigue_rows) if r is not None]
    n = td_rows if td_rows is not None else max(others, default=1)
    index = index if index is not None else pd.RangeIndex(n)
    rows = _series_rows(series, index)
    out = _core.simulate_stances(model, td, ctl, cap, fatigue, calf_fatigue_split, n, threads, r_tol, a_tol,
                                 method, simd, rows)
    ts = {index[r]: pd.DataFrame(s) for r, s in out.pop("series").items()}
    df = pd.DataFrame(out, index=index)
    df.insert(2, "converged", df["status"] == "ok")
    return StanceBatchResult(metrics=df, timeseries=ts)


def _calf_fatigue(calf_fatigue) -> tuple[np.ndarray | None, int | None]:
    """calf_fatigue as a 1-D float array and its length (None for a single value)."""
    if calf_fatigue is None:
        return None, None
    try:
        fatigue = np.atleast_1d(np.asarray(calf_fatigue, dtype=float))
    except (TypeError, ValueError) as exc:
        raise InputError(f"calf_fatigue: expected a number or a 1-D array of numbers, "
                         f"got {type(calf_fatigue).__name__}") from exc
    return fatigue, (len(fatigue) if fatigue.ndim == 1 and len(fatigue) != 1 else None)


def _series_rows(series, index: pd.Index) -> list[int]:
    """Positions of the row labels in ``series``; an unknown label is an InputError."""
    if series is None:
        return []
    labels = [series] if np.isscalar(series) else list(series)
    rows = []
    for label in labels:
        try:
            pos = index.get_loc(label)
        except KeyError:
            raise InputError(f"series: row {label!r} is not a row of touchdowns") from None
        if not isinstance(pos, (int, np.integer)):
            raise InputError(f"series: row label {label!r} is not unique in the touchdowns' index")
        rows.append(int(pos))
    return rows
