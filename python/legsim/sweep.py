"""Sweeps of running conditions and model parameters into an ``xarray.Dataset``.

Points run in a fixed order (the last axis varies fastest). With ``method="predict"`` (default) each
point is a gait prediction warm-started from its nearest already-solved grid neighbour (a cold start
from the generic guess when there is none or the warm start fails); with ``method="matching"`` each
point is a gait matching warm-started from its grid predecessor, and a backward pass matches every
point again from the next point's solution, keeping the lower-effort result. With ``out=``, every
finished point is appended at once to a journal (``<out>.partial.jsonl``, flushed and fsync'ed), so a
crash or Ctrl-C loses nothing finished; running the same sweep again skips the finished work (a
prediction's journal record holds its solution vector, so the points after a resume warm-start
exactly as without the interruption); the dataset is written to ``out`` (netCDF) at the end.
"""
from __future__ import annotations

import base64
import hashlib
import inspect
import itertools
import json
import math
import os
import sys
import zlib
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: sweeps run without the lock on out=
    fcntl = None

import numpy as np
import pandas as pd
import xarray as xr

from . import _core
from ._validate import as_bool, as_int
from .errors import InputError
from .gait import METHODS, Condition, _options_of, _split_text, foot_velocity, match
from .predict import PredictionResult, Predictor, predict

__all__ = ["sweep", "CONDITION_AXES"]

#: Condition fields that can be swept.
CONDITION_AXES = ("speed", "cadence", "step_length", "stride_length", "calf_fatigue", "calf_fatigue_split",
                  "foot_strike", "body_mass", "height")
#: Axes whose values are categories (strings), not numbers.
_CATEGORICAL_AXES = ("foot_strike", "calf_fatigue_split")


def _as_axis(name, values):
    vals = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values]
    if not vals:
        raise InputError(f"sweep axis {name!r} is empty")
    return vals


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


def sweep(model, *, method: str = "predict", out=None, params=None, progress: bool = False,
          predict_options: dict | None = None, also_cold: bool = False, max_evaluations: int | None = None,
          max_stances: int | None = None, backward_pass: bool | None = None, touchdown_foot_velocity=None,
          periodic_trunk_lean: bool = False, threads: int | None = None, **axes) -> xr.Dataset:
    """Solves every combination of the given axes and returns an ``xarray.Dataset`` whose dimensions
    are the swept axes and whose variables are the metrics (NaN where not converged), ``converged``,
    ``finished``, ``message`` and the solver's report per point.

    ``axes``: condition fields (``speed``, ``cadence``, ``step_length``, ``stride_length``,
    ``calf_fatigue``, ``calf_fatigue_split``, ``foot_strike``, ``body_mass``, ``height``), each a value
    or a list. The calf-fatigue split used is recorded in the dataset (as its axis, and in the
    attribute ``calf_fatigue_split``).
    ``params``: dict of model-parameter paths (``Model.with_params``) to lists of values.
    ``out``: netCDF path; finished points are journaled as they complete and a rerun resumes.

    ``method="predict"`` (default): each point is :func:`legsim.predict` (the metric keys of
    :func:`legsim.simulate`, stride keys included), warm-started from its nearest already-solved grid
    neighbour — the converged point fewest grid steps away, counting steps along each axis in sorted
    order of its values (categories in the order given), ties going to the neighbour along the later
    axis, then to the earlier point — or cold-started from the generic running guess when no point
    has converged yet or the warm start fails. The dataset adds ``objective``, ``solver_iterations``,
    ``solver_seconds``, ``start`` ("cold" or the neighbour warm-started from) and
    ``variables_on_bounds``. ``predict_options``: keywords of :func:`legsim.predict` for every point
    (e.g. ``{"mesh_intervals": 40}``). ``also_cold``: also solve every warm-started point from the
    generic guess and keep the solution with the lower objective (local optima; about twice the time).

    ``method="matching"``: each point is gait matching (:func:`legsim.gait.match`), warm-started from
    its grid predecessor (the previous value of the last axis; at the start of a row, the same point of
    the row before). ``backward_pass`` (default True): after the forward pass, match every point again
    (reverse order) warm-started from its grid successor (defined the same way) and keep the
    lower-effort result. A forward warm start can stay on a worse local effort minimum until it
    vanishes, which shows as a jump (measured: 15 % in peak PFJ force at 3.0 m/s, cadence 180→182);
    the backward pass removes such trapped branches. ``touchdown_foot_velocity``: (forward, up) m/s
    of the landing foot point at every point (default: the swing-leg joint rates);
    ``periodic_trunk_lean``: also match the trunk lean at toe-off to that at touchdown; ``threads``:
    worker threads of each matching (default None = every hardware thread; give 1 when running sweeps
    in several processes at once); ``max_evaluations``, ``max_stances`` as in
    :func:`legsim.gait.match`. The dataset adds the periodicity residuals.

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
        lock = _lock(out)  # before anything is read or written: a second sweep on out= stops here
        journal = out.with_name(out.name + ".partial.jsonl")
        try:
            records, backward_done = _read_journal(journal, signature, build)
            _end_torn_line(journal)
            if not journal.exists() or not (records or backward_done):
                with open(journal, "w") as f:
                    f.write(json.dumps({"signature": signature, "build": build}) + "\n")
                    f.flush()
                    os.fsync(f.fileno())
        except BaseException:
            lock.close()
            raise

    def journal_write(rec):
        if journal is not None:
            with open(journal, "a") as f:
                f.write(json.dumps(rec) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def report(what, done, total):
        if progress:
            sys.stderr.write(f"\rsweep: {what}{done}/{total} points "
                             f"({sum(r['converged'] for r in records.values())} converged)")
            sys.stderr.flush()

    grid = _Grid(dims, coords, shape, points)
    try:
        if method == "predict":
            _predict_points(grid, model_at, model_key, conditions, options, also_cold, records, journal_write, report)
        else:
            _match_points(grid, model_at, conditions, records, backward_done, journal_write, report,
                          backward_pass=backward_pass, max_evaluations=max_evaluations, max_stances=max_stances,
                          swing=swing)
    finally:
        if progress:
            sys.stderr.write("\n")
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


class _Grid:
    """The points of a sweep (index tuples, last axis fastest) and their neighbourhood."""

    def __init__(self, dims, coords, shape, points):
        self.dims, self.coords, self.shape, self.points = dims, coords, shape, points
        self.strides = [int(np.prod(shape[d + 1:])) for d in range(len(shape))]
        # Rank of each value along its axis: sorted order for numbers, the given order for categories.
        self.rank = []
        for d in dims:
            vals = coords[d]
            if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in vals):
                order = sorted(range(len(vals)), key=lambda i: (vals[i], i))
                self.rank.append([order.index(i) for i in range(len(vals))])
            else:
                self.rank.append(list(range(len(vals))))

    def neighbour(self, k, step):
        """The grid point one step (−1 or +1) from k along the last axis where that exists, else
        along the nearest earlier axis; None at the grid's first (step −1) or last (step +1) point."""
        idx = self.points[k]
        for d in range(len(self.shape) - 1, -1, -1):
            if 0 <= idx[d] + step < self.shape[d]:
                return k + step * self.strides[d]
        return None

    def nearest(self, k, candidates):
        """The candidate fewest grid steps (in ranks) from k; ties go to the one that differs from k
        along the later axis, then to the earlier point. None without candidates."""
        def key(j):
            a, b = self.points[k], self.points[j]
            steps = [abs(self.rank[d][a[d]] - self.rank[d][b[d]]) for d in range(len(a))]
            last_axis = max((d for d in range(len(a)) if steps[d]), default=-1)
            return sum(steps), -last_axis, j
        return min(candidates, key=key, default=None)

    def describe(self, j, k):
        """Point j by its coordinates that differ from point k's ("cadence=160")."""
        a, b = self.points[j], self.points[k]
        return ", ".join(f"{d}={self.coords[d][a[i]]}" for i, d in enumerate(self.dims) if a[i] != b[i])


def _predict_points(grid, model_at, model_key, conditions, options, also_cold, records, journal_write, report):
    """Predicts every unfinished point in order (sweep, method="predict"), each from its nearest
    converged neighbour; journals each record as it finishes. Points of one model share a
    :class:`Predictor`, so the problem is built once per model (the last two models are kept)."""
    total = len(grid.points)
    predictors = {}
    for k in range(total):
        if k in records:
            continue
        seed = grid.nearest(k, [j for j, r in records.items() if r["converged"] and r.get("solution")])
        key = model_key(k)
        if key not in predictors:
            if len(predictors) >= 2:
                predictors.pop(next(iter(predictors)))
            predictors[key] = Predictor(model_at(k))
        predictor = predictors[key]
        m, cond = predictor.model, conditions[k]
        attempts = []
        if seed is not None:
            warm = PredictionResult(converged=True, message="", metrics={}, solver={}, timeseries=pd.DataFrame(),
                                    raw=_decode_solution(records[seed]["solution"]))
            attempts.append((f"warm from {grid.describe(seed, k)}", predict(m, cond, warm_start=warm, predictor=predictor,
                                                                            **options)))
        if seed is None or not attempts[-1][1].converged or also_cold:
            attempts.append(("cold", predict(m, cond, predictor=predictor, **options)))
        solved = [a for a in attempts if a[1].converged]
        start, res = min(solved, key=lambda a: a[1].solver["objective"]) if solved else attempts[-1]
        records[k] = {"index": k, "converged": res.converged, "message": res.message, "metrics": res.metrics,
                      "solver": _plain(res.solver), "start": start,
                      "attempts": [{"start": s, "status": r.solver["status"], "iterations": r.solver["iterations"],
                                    "seconds": r.solver["seconds"], "objective": r.solver["objective"]}
                                   for s, r in attempts],
                      "solution": _encode_solution(res.raw) if res.converged else None}
        journal_write(records[k])
        report("", len(records), total)


def _match_points(grid, model_at, conditions, records, backward_done, journal_write, report, *, backward_pass,
                  max_evaluations, max_stances, swing):
    """Matches every unfinished point, then the backward pass (sweep, method="matching")."""
    names = _core.gait_variable_names()
    total = len(grid.points)

    def run(k, seed, stances):
        """Matches point k warm-started from point seed's solution (None: cold) and returns its record."""
        warm = records[seed]["solution"] if seed is not None else None
        res = match(model_at(k), conditions[k], warm_start=warm, max_evaluations=max_evaluations,
                    max_stances=stances, record=False, **swing)
        return {"index": k, "converged": res.converged, "message": res.message, "metrics": res.metrics,
                "residuals": res.residuals, "solution": [res.solution[n] for n in names]}

    def converged(j):
        return j in records and records[j]["converged"]

    last = None  # the last converged point: the warm start when the grid predecessor did not converge
    for k in range(total):
        if k not in records:
            # Warm start from the grid predecessor (the previous value of the last axis; at the
            # start of a row, the same point of the row before), not from the previous point in
            # storage order, which at the start of a row is the far end of the previous row.
            pred = grid.neighbour(k, -1)
            records[k] = run(k, pred if pred is not None and converged(pred) else last, max_stances)
            journal_write(records[k])
            report("", len(records), total)
        if records[k]["converged"]:
            last = k
    if backward_pass:
        # Half the forward budget: the backward pass only has to find a better branch, not to
        # converge the descent along a flat valley (measured: 5× the forward time otherwise).
        backward_stances = (max_stances or _core.MatchingOptions().max_stances) // 2
        for k in range(total - 2, -1, -1):
            succ = grid.neighbour(k, +1)
            if k in backward_done or succ is None or not converged(succ):
                continue
            new, old = run(k, succ, backward_stances), records[k]
            better = new["converged"] and (not old["converged"] or new["metrics"].get("effort", math.inf) <
                                           old["metrics"].get("effort", math.inf) * (1.0 - 1e-9))
            rec = {"index": k, "pass": "backward", "improved": bool(better)}
            if better:
                rec.update({key: new[key] for key in ("converged", "message", "metrics", "residuals", "solution")})
                records[k] = rec
            backward_done.add(k)
            journal_write(rec)
            report("backward pass ", total - 1 - k, total - 1)


def _plain(solver: dict) -> dict:
    """A solver report with JSON types only."""
    return {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in solver.items()}


_SOLUTION_FIELDS = ("x", "lam_x", "lam_g")


def _encode_solution(gait) -> dict:
    """The decision vector and multipliers of a solved gait as text (float64, little-endian,
    zlib-compressed, base64): exact, so a resumed sweep warm-starts from the very same numbers."""
    return {f: base64.b64encode(zlib.compress(np.asarray(getattr(gait, f), dtype="<f8").tobytes())).decode("ascii")
            for f in _SOLUTION_FIELDS}


def _decode_solution(data: dict):
    """A ``_core.PredictedGait`` holding only the solution vectors of ``_encode_solution``'s text:
    what legsim.predict needs to warm-start on the same mesh."""
    gait = _core.PredictedGait()
    for f in _SOLUTION_FIELDS:
        setattr(gait, f, np.frombuffer(zlib.decompress(base64.b64decode(data[f])), dtype="<f8").tolist())
    return gait


def _build(method: str = "matching") -> dict:
    """What results depend on besides the inputs: legsim's version, the compiled instruction set
    and SIMD width, the compiler (``legsim._core.build_info``), and for gait prediction the CasADi
    release (with its IPOPT)."""
    info = _core.build_info
    build = {k: info[k] for k in ("version", "instruction_set", "simd_lanes", "compiler")}
    if method == "predict":
        build["casadi"] = _core.casadi_version()
    return build


def _lock(out: Path):
    """Opens ``<out>.lock`` and takes an exclusive, non-blocking flock on it, returning the open file
    (closing it releases the lock; so does the end of the process, however it ends). Raises
    InputError when ``out`` cannot be written there or another sweep holds the lock."""
    path = out.with_name(out.name + ".lock")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "a+")
    except OSError as exc:
        raise InputError(f"out = '{out}': cannot write there ({exc.strerror or exc})") from None
    if fcntl is None:
        return f
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        holder = f.read().strip() or "another process"
        f.close()
        raise InputError(f"out = '{out}': another sweep ({holder}) is writing this file now; wait for it to "
                         "finish or choose another out= path") from None
    f.truncate(0)
    f.write(f"pid {os.getpid()}")
    f.flush()
    return f


def _read_journal(path: Path, signature: str, build: dict) -> tuple[dict, set]:
    """Finished points of a journal: the forward-pass records (the backward pass's improvements
    replacing them) and the indices the backward pass has finished. A journal without a finished
    point holds nothing to keep and reads as empty (a sweep that failed at its first point, e.g. on
    an invalid option, can be rerun with other options)."""
    if not path.exists():
        return {}, set()
    records, backward_done = {}, set()
    with open(path) as f:
        lines = f.read().splitlines()
    if len(lines) < 2:
        return {}, set()
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError:
        header = {}
    if header.get("signature") != signature:
        raise InputError(f"{path}: this journal belongs to a different sweep (other axes, values, model, method or options); "
                         "remove it or choose another out= path")
    if header.get("build") != build:
        raise InputError(f"{path}: this journal was written by another legsim build ({_describe(header.get('build'))}; "
                         f"this is {_describe(build)}); results of different binaries are not mixed: "
                         "remove it or choose another out= path")
    for line in lines[1:]:
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line torn by a crash: that point is simply run again
        if rec.get("pass") == "backward":
            backward_done.add(rec["index"])
            if rec["improved"]:
                records[rec["index"]] = rec
        else:
            records.setdefault(rec["index"], rec)
    return records, backward_done


def _describe(build) -> str:
    if not isinstance(build, dict):
        return "unrecorded build"
    casadi = f", CasADi {build['casadi']}" if "casadi" in build else ""
    return (f"legsim {build.get('version')}, {build.get('instruction_set')} × {build.get('simd_lanes')}, "
            f"{build.get('compiler')}{casadi}")


def _end_torn_line(path: Path) -> None:
    """A crash can leave the journal's last line torn (no newline); end it so the next record starts
    on its own line (the torn line itself is skipped on reading and its point runs again)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) != b"\n":
            f.write(b"\n")
            f.flush()
            os.fsync(f.fileno())


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
