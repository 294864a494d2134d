"""Sweeps of running conditions and model parameters into an ``xarray.Dataset``.

Points run in a fixed order (the last axis varies fastest). With ``method="predict"`` (default) each
point is a gait prediction warm-started from its nearest converged grid neighbour among the points
before it along every axis (a cold start from the generic guess when there is none or the warm start
fails); with ``method="matching"`` each
point is a gait matching warm-started from its grid predecessor, and a backward pass matches every
point again from the next point's solution, keeping the lower-effort result. With ``out=``, every
finished point is appended at once to a journal (``<out>.partial.jsonl``, flushed and fsync'ed), so a
crash or Ctrl-C loses nothing finished; running the same sweep again skips the finished work (a
prediction's journal record holds its solution vector, so the points after a resume warm-start
exactly as without the interruption); the dataset is written to ``out`` (netCDF) at the end.

Here: ``sweep`` (its inputs, the grid walk) and the point runners of the two methods; the grid's
neighbours are in ``_grid``, the journal in ``_journal``, the dataset's assembly in ``_sweep_dataset``.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import _core
from ._grid import _Grid
from ._progress import Progress
from ._journal import _append, _build, _decode_solution, _describe, _encode_solution, _open_journal
from ._sweep_dataset import _assemble
from ._validate import as_bool, as_int
from .errors import InputError
from .gait import METHODS, Condition, _options_of, _split_text, foot_velocity, match
from .predict import PredictionResult, Predictor, predict

__all__ = ["sweep", "CONDITION_AXES"]

#: Condition fields that can be swept.
CONDITION_AXES = ("speed", "cadence", "step_length", "stride_length", "calf_fatigue", "calf_fatigue_split",
                  "foot_strike", "body_mass", "height")


def _as_axis(name, values):
    vals = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values]
    if not vals:
        raise InputError(f"sweep axis {name!r} is empty")
    return vals


def sweep(model, *, method: str = "predict", out=None, params=None, progress: bool | None = None,
          predict_options: dict | None = None, also_cold: bool = False, max_evaluations: int | None = None,
          max_stances: int | None = None, backward_pass: bool | None = None, touchdown_foot_velocity=None,
          periodic_trunk_lean: bool = False, threads: int | None = None, client=None, **axes) -> xr.Dataset:
    """Solves every combination of the given axes and returns an ``xarray.Dataset`` whose dimensions
    are the swept axes and whose variables are the metrics (NaN where not converged), ``converged``,
    ``finished``, ``message`` and the solver's report per point.

    ``axes``: condition fields (``speed``, ``cadence``, ``step_length``, ``stride_length``,
    ``calf_fatigue``, ``calf_fatigue_split``, ``foot_strike``, ``body_mass``, ``height``), each a value
    or a list. The calf-fatigue split used is recorded in the dataset (as its axis, and in the
    attribute ``calf_fatigue_split``).
    ``params``: dict of model-parameter paths (``Model.with_params``) to lists of values.
    ``out``: netCDF path; finished points are journaled as they complete and a rerun resumes.
    ``progress``: a bar of points done, converged and time left (None: when stderr is a terminal or in Jupyter).

    ``method="predict"`` (default): each point is :func:`legsim.predict` (the metric keys of
    :func:`legsim.simulate`, stride keys included), warm-started from its nearest already-solved grid
    neighbour — among the converged points before it (or level with it) along every axis, the one
    fewest grid steps away, counting steps along each axis in sorted order of its values (categories
    in the order given), ties going to the neighbour along the later axis, then to the earlier point
    — or cold-started from the generic running guess when no point
    has converged yet or the warm start fails. The dataset adds ``objective``, ``solver_iterations``,
    ``solver_seconds``, ``start`` ("cold" or the neighbour warm-started from) and
    ``variables_on_bounds``. ``predict_options``: keywords of :func:`legsim.predict` for every point
    (e.g. ``{"mesh_intervals": 40}``). ``also_cold``: also solve every warm-started point from the
    generic guess and keep the solution with the lower objective (local optima; about twice the time).

    ``method="matching"``: each point is gait matching (:func:`legsim.gait.match`), warm-started from
    its grid predecessor (the previous value of the last axis; at the start of a row, the same point of
    the row before), or when that did not converge, from the predecessor's own warm start (so along
    the chain of predecessors, never from another row's end: the seeds do not depend on the order in
    which the rows run, and a sweep on Dask gets the same dataset). ``backward_pass`` (default True):
    after the forward pass, match every point again (reverse order) warm-started from its grid
    successor (the next value of the last axis; at the end of a row, the same point of the row after)
    and keep the lower-effort result. A forward warm start can stay on a worse local effort minimum until it
    vanishes, which shows as a jump (measured: 15 % in peak PFJ force at 3.0 m/s, cadence 180→182);
    the backward pass removes such trapped branches. ``touchdown_foot_velocity``: (forward, up) m/s
    of the landing foot point at every point (default: the swing-leg joint rates);
    ``periodic_trunk_lean``: also match the trunk lean at toe-off to that at touchdown; ``threads``:
    worker threads of each matching (default None = every hardware thread; give 1 when running sweeps
    in several processes at once); ``max_evaluations``, ``max_stances`` as in
    :func:`legsim.gait.match`. The dataset adds the periodicity residuals.

    ``client``: a ``dask.distributed.Client`` (``pip install legsim[dask]``): each point is a Dask
    task, submitted as soon as every point it may warm-start from has finished, so the dataset is the
    local sweep's. Matching: the rows along the last axis run in parallel, each on the local walk's
    warm-start chain. Prediction: the points before a point along every axis must have finished, so
    the grid runs in waves (anti-diagonals: up to the shorter axis's length at once; a sweep along one
    axis runs point by point); each worker keeps one Predictor per model (the problem is built once
    per worker, ≈ 9 s at the default options). The journal is written
    here, in the calling process, as each task's result arrives: a worker that dies loses only the
    points it was solving (Dask runs them again on another worker), and a sweep that stops (e.g. on
    ``KilledWorker``) resumes from the journal. The workers need legsim installed, the same build (the
    journal records this process's; a worker of another build refuses its points); give ``threads``
    the cores one worker thread may use (default: every hardware thread of its machine).

    While it runs, a sweep with ``out=`` holds a lock on ``<out>.lock``: a second sweep with the same
    ``out`` refuses at once (InputError) instead of writing the same files. The lock goes with the
    process (normal end, exception or crash); the lock file stays, naming the last holder.
    """
    if not isinstance(model, _core.Model):
        raise InputError(f"model: expected a legsim.Model, got {type(model).__name__}")
    if method not in METHODS:
        raise InputError(f"method = {method!r} is out of range: allowed {', '.join(repr(m) for m in METHODS)}")
    unknown = set(axes) - set(CONDITION_AXES)
    if unknown:
        raise InputError(f"sweep: unknown axis {sorted(unknown)}; allowed: {', '.join(CONDITION_AXES)} "
                         "and params={'model.parameter.path': [...]}")
    dims, coords = [], {}
    for name, values in axes.items():
        if values is None:
            continue
        dims.append(name)
        coords[name] = _as_axis(name, values)
        if name == "calf_fatigue_split":  # canonical text, so a dict and its string form are one value
            coords[name] = [_split_text(v) for v in coords[name]]
    for path, values in (params or {}).items():
        model.param(path)  # unknown paths raise InputError
        dims.append(path)
        coords[path] = [float(v) for v in _as_axis(path, values)]
    if not dims:
        raise InputError("sweep: give at least one axis, e.g. speed=3.5, cadence=[160, 170, 180]")
    cond_dims = [d for d in dims if d in CONDITION_AXES]
    param_dims = [d for d in dims if d not in CONDITION_AXES]
    shape = tuple(len(coords[d]) for d in dims)
    points = list(itertools.product(*(range(n) for n in shape)))

    # Validate every condition up front: a bad value fails before any work is done.
    def condition_at(idx):
        kw = {d: coords[d][i] for d, i in zip(dims, idx) if d in cond_dims}
        return Condition(**kw)

    def model_at(k):
        return model.with_params({d: coords[d][i] for d, i in zip(dims, points[k]) if d in param_dims}) \
            if param_dims else model

    def model_key(k):  # points with equal model parameters share a model (and a Predictor)
        return tuple(points[k][dims.index(d)] for d in dims if d in param_dims)

    conditions = [condition_at(idx) for idx in points]
    if client is not None:
        from . import _dask  # Dask is an optional extra: imported only when asked for
        _dask.check_client(client)
    # Checked here, not at the first point: a typo fails before any work or file is written.
    if method == "predict":
        options = _predict_options(predict_options)
        also_cold = as_bool("also_cold", also_cold)
        for name, value, default in (("max_evaluations", max_evaluations, None), ("max_stances", max_stances, None),
                                     ("backward_pass", backward_pass, None),
                                     ("touchdown_foot_velocity", touchdown_foot_velocity, None),
                                     ("periodic_trunk_lean", periodic_trunk_lean, False), ("threads", threads, None)):
            if value is not default:
                raise InputError(f"{name}: an option of method='matching', not of method='predict' "
                                 "(whose options per point are predict_options={...})")
        signature_items = {"method": "predict", "predict_options": {k: repr(v) for k, v in options.items()},
                           "also_cold": also_cold}
    else:
        if predict_options is not None or also_cold is not False:
            raise InputError(f"{'predict_options' if predict_options is not None else 'also_cold'}: an option of "
                             "method='predict', not of method='matching'")
        backward_pass = True if backward_pass is None else as_bool("backward_pass", backward_pass)
        swing = {}
        if touchdown_foot_velocity is not None:
            touchdown_foot_velocity = foot_velocity(touchdown_foot_velocity)
            swing = {"touchdown_foot_velocity": touchdown_foot_velocity}
        if as_bool("periodic_trunk_lean", periodic_trunk_lean):
            swing["periodic_trunk_lean"] = True
        if threads is not None:
            swing["threads"] = as_int("threads", threads, lo=1)
        for name, value, lo in (("max_evaluations", max_evaluations, 0), ("max_stances", max_stances, 1)):
            if value is not None:
                as_int(name, value, lo=lo)
        # The signature of gait-matching sweeps is unchanged since before gait prediction, so their
        # journals still resume.
        signature_items = {"max_evaluations": max_evaluations, "max_stances": max_stances,
                           "backward_pass": bool(backward_pass),
                           **({"touchdown_foot_velocity": [float(v) for v in touchdown_foot_velocity]}
                              if touchdown_foot_velocity is not None else {}),
                           **({"periodic_trunk_lean": True} if periodic_trunk_lean else {})}

    signature = hashlib.sha256(json.dumps({"dims": dims, "coords": {d: [repr(v) for v in coords[d]] for d in dims},
                                           "model": model.to_toml(), **signature_items},
                                          sort_keys=True).encode()).hexdigest()
    build = _build(method)
    records = {}
    backward_done = set()
    journal = None
    lock = None
    if out is not None:
        out = Path(out)
        lock, journal, records, backward_done = _open_journal(out, signature, build)

    def journal_write(rec):
        if journal is not None:
            _append(journal, rec)

    def report(what, done, total):
        bar.update(done, total, what, converged=sum(r["converged"] for r in records.values()))

    grid = _Grid(dims, coords, shape, points)
    bar = Progress("sweep", progress)  # legsim._progress: a tqdm bar on a terminal or in Jupyter; closed below
    try:
        if method == "predict":
            walk = _predict_points if client is None else functools.partial(_dask.predict_points, client)
            walk(grid, model_at, model_key, conditions, options, also_cold, records, journal_write, report)
        else:
            walk = _match_points if client is None else functools.partial(_dask.match_points, client)
            walk(grid, model_at, conditions, records, backward_done, journal_write, report,
                 backward_pass=backward_pass, max_evaluations=max_evaluations, max_stances=max_stances, swing=swing)
    finally:
        bar.close()
        ds = _assemble(model, method, dims, coords, shape, points, records)
        ds.attrs["method"] = method
        ds.attrs["calf_fatigue_split"] = ";".join(coords.get("calf_fatigue_split", ["fiber_type"]))
        if method == "predict":
            ds.attrs["solver"] = ("direct collocation (trapezoidal), IPOPT; options "
                                  + json.dumps({k: repr(v) for k, v in options.items()})
                                  + (", each point also solved cold (the lower objective kept)" if also_cold else ""))
            ds.attrs["periodicity"] = "the whole step, left-right symmetric by construction (docs/gait_prediction.md)"
        else:
            ds.attrs["swing_leg_input"] = (
                f"touchdown_foot_velocity = {list(touchdown_foot_velocity)} m/s (forward, up)"
                if touchdown_foot_velocity is not None else "touchdown hip and knee angular velocities (defaults)")
            ds.attrs["periodicity"] = ("centre of mass and trunk lean" if periodic_trunk_lean
                                       else "centre of mass (docs/gait_matching.md); trunk lean change reported, not matched")
        ds.attrs["legsim_build"] = _describe(build)
        ds.attrs["sweep_settings"] = json.dumps(signature_items)  # the solver settings the points ran with
        if out is not None:
            try:
                tmp = out.with_name(out.name + ".tmp")
                ds.to_netcdf(tmp)
                os.replace(tmp, out)
            finally:
                lock.close()  # releases the lock
    return ds


def _predict_options(options) -> dict:
    """``predict_options`` as a dict of legsim.predict's keywords (InputError for another name);
    their values are checked by legsim.predict at the first point, before its solve."""
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InputError(f"predict_options: expected a dict of legsim.predict keywords, got {type(options).__name__}")
    if "predictor" in options:
        raise InputError("predict_options: predictor is the sweep's own (one legsim.Predictor per model)")
    allowed = _options_of("predict")
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise InputError(f"predict_options: {', '.join(map(str, unknown))} is not an option of legsim.predict "
                         f"(its options: {', '.join(allowed)})")
    return dict(options)


def _predict_seed(grid, k, records):
    """The warm start of prediction k: the converged point nearest to k (``_Grid.nearest``) among
    those before it along every axis (``_Grid.below``), or None (a cold start)."""
    return grid.nearest(k, grid.below(k, [j for j, r in records.items() if r["converged"] and r.get("solution")]))


def _predict_points(grid, model_at, model_key, conditions, options, also_cold, records, journal_write, report):
    """Predicts every unfinished point in order (sweep, method="predict"), each from its seed
    (``_predict_seed``); journals each record as it finishes. Points of one model share a
    :class:`Predictor`, so the problem is built once per model (the last two models are kept)."""
    total = len(grid.points)
    predictors = {}
    for k in range(total):
        if k in records:
            continue
        key = model_key(k)
        if key not in predictors:
            if len(predictors) >= 2:
                predictors.pop(next(iter(predictors)))
            predictors[key] = Predictor(model_at(k))
        seed = _predict_seed(grid, k, records)
        records[k] = _predict_one(predictors[key], conditions[k], *_seed_of(grid, k, seed, records), options,
                                  also_cold, k)
        journal_write(records[k])
        report("", len(records), total)


def _seed_of(grid, k, seed, records):
    """(solution, label) of the warm start ``seed`` of point k; (None, None) for a cold start."""
    if seed is None:
        return None, None
    return records[seed]["solution"], f"warm from {grid.describe(seed, k)}"


def _predict_one(predictor, cond, warm_solution, warm_label, options, also_cold, index):
    """Predicts one point with ``predictor`` from the journaled solution ``warm_solution`` (None:
    cold), and cold as well when the warm start fails or ``also_cold``; returns its journal record
    (the attempt with the lower objective among the converged ones). Module-level so that Dask
    workers run the very same code (legsim._dask)."""
    m = predictor.model
    attempts = []
    if warm_solution is not None:
        warm = PredictionResult(converged=True, message="", metrics={}, solver={}, timeseries=pd.DataFrame(),
                                raw=_decode_solution(warm_solution))
        attempts.append((warm_label, predict(m, cond, warm_start=warm, predictor=predictor, **options)))
    if warm_solution is None or not attempts[-1][1].converged or also_cold:
        attempts.append(("cold", predict(m, cond, predictor=predictor, **options)))
    solved = [a for a in attempts if a[1].converged]
    start, res = min(solved, key=lambda a: a[1].solver["objective"]) if solved else attempts[-1]
    return {"index": index, "converged": res.converged, "message": res.message, "metrics": res.metrics,
            "solver": _plain(res.solver), "start": start,
            "attempts": [{"start": s, "status": r.solver["status"], "iterations": r.solver["iterations"],
                          "seconds": r.solver["seconds"], "objective": r.solver["objective"]}
                         for s, r in attempts],
            "solution": _encode_solution(res.raw) if res.converged else None}


def _match_one(model, condition, warm, stances, max_evaluations, swing, index):
    """Matches one point warm-started from ``warm`` (a solution vector; None: cold) and returns its
    journal record. Module-level so that Dask workers run the very same code (legsim._dask)."""
    res = match(model, condition, warm_start=warm, max_evaluations=max_evaluations, max_stances=stances,
                record=False, **swing)
    names = _core.gait_variable_names()
    return {"index": index, "converged": res.converged, "message": res.message, "metrics": res.metrics,
            "residuals": res.residuals, "solution": [res.solution[n] for n in names]}


def _backward_stances(max_stances):
    # Half the forward budget: the backward pass only has to find a better branch, not to
    # converge the descent along a flat valley (measured: 5× the forward time otherwise).
    return (max_stances or _core.MatchingOptions().max_stances) // 2


def _backward_record(k, new, old):
    """The backward pass's journal record of point k from its new matching ``new`` and its forward
    record ``old``: the new result is kept when it converged with lower effort."""
    better = new["converged"] and (not old["converged"] or new["metrics"].get("effort", math.inf) <
                                   old["metrics"].get("effort", math.inf) * (1.0 - 1e-9))
    rec = {"index": k, "pass": "backward", "improved": bool(better)}
    if better:
        rec.update({key: new[key] for key in ("converged", "message", "metrics", "residuals", "solution")})
    return rec


def _match_points(grid, model_at, conditions, records, backward_done, journal_write, report, *, backward_pass,
                  max_evaluations, max_stances, swing):
    """Matches every unfinished point, then the backward pass (sweep, method="matching")."""
    total = len(grid.points)

    def run(k, seed, stances):
        warm = records[seed]["solution"] if seed is not None else None
        return _match_one(model_at(k), conditions[k], warm, stances, max_evaluations, swing, k)

    def converged(j):
        return j in records and records[j]["converged"]

    for k in range(total):
        if k not in records:
            # Warm start from the grid predecessor (the previous value of the last axis; at the
            # start of a row, the same point of the row before), not from the previous point in
            # storage order, which at the start of a row is the far end of the previous row.
            records[k] = run(k, grid.warm_seed(k, -1, converged), max_stances)
            journal_write(records[k])
            report("", len(records), total)
    if backward_pass:
        backward_stances = _backward_stances(max_stances)
        for k in range(total - 2, -1, -1):
            succ = grid.neighbour(k, +1)
            if k in backward_done or succ is None or not converged(succ):
                continue
            rec = _backward_record(k, run(k, succ, backward_stances), records[k])
            if rec["improved"]:
                records[k] = rec
            backward_done.add(k)
            journal_write(rec)
            report("backward pass ", total - 1 - k, total - 1)


def _plain(solver: dict) -> dict:
    """A solver report with JSON types only."""
    return {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in solver.items()}
