"""Sweeps of running conditions and model parameters into an ``xarray.Dataset``.

Points run in a fixed order (the last axis varies fastest) and each warm-starts gait matching from
the previous converged point, so results vary smoothly along an axis and the same sweep gives the
same numbers bit for bit. A backward pass then matches every point again from the next point's
solution and keeps the lower-effort result (see ``sweep``). With ``out=``, every finished point (of
either pass) is appended at once to a journal (``<out>.partial.jsonl``, flushed and fsync'ed), so a
crash or Ctrl-C loses nothing finished; running the same sweep again skips the finished work; the
dataset is written to ``out`` (netCDF) at the end.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import sys
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: sweeps run without the lock on out=
    fcntl = None

import numpy as np
import xarray as xr

from . import _core
from ._validate import as_bool, as_int
from .errors import InputError
from .gait import Condition, _split_text, foot_velocity, simulate

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


def _metric_keys(model):
    keys = ["peak_pfj_force_bw", "peak_pfj_stress_mpa", "pfj_impulse_bw_s", "pfj_impulse_per_km_bw_s",
            "pfj_stress_impulse_mpa_s", "pfj_stress_impulse_per_km_mpa_s", "peak_pfj_force_moment_method_bw",
            "peak_quadriceps_force_bw", "peak_gastrocnemius_force_bw", "peak_soleus_force_bw",
            "peak_hamstrings_force_bw", "peak_achilles_force_bw", "peak_knee_extension_moment_nm_per_kg",
            "peak_ankle_plantarflexion_moment_nm_per_kg", "peak_knee_flexion_deg", "knee_flexion_at_contact_deg",
            "peak_vertical_grf_bw", "contact_time_s", "flight_time_s", "step_length_m", "cadence_spm",
            "speed_m_per_s", "knee_negative_work_j_per_kg", "knee_positive_work_j_per_kg",
            "ankle_negative_work_j_per_kg", "ankle_positive_work_j_per_kg", "peak_achilles_strain", "effort",
            "periodicity_error", "peak_braking_grf_bw", "braking_impulse_bw_s", "propulsive_impulse_bw_s",
            "touchdown_com_vertical_velocity_m_per_s", "toe_off_com_vertical_velocity_m_per_s",
            "touchdown_foot_velocity_x_m_per_s", "touchdown_foot_velocity_y_m_per_s",
            "impact_peak_vertical_grf_bw", "active_peak_vertical_grf_bw", "vertical_average_loading_rate_bw_per_s",
            "vertical_instantaneous_loading_rate_bw_per_s", "hip_negative_work_j_per_kg",
            "hip_positive_work_j_per_kg", "contact_work_j_per_kg", "contact_negative_work_j_per_kg",
            "friction_work_j_per_kg", "mechanical_energy_change_j_per_kg"]
    for m in model.muscle_names:
        for k in (f"peak_{m}_force_bw", f"peak_{m}_fiber_length_norm", f"{m}_negative_work_j_per_kg"):
            if k not in keys:
                keys.append(k)
    return keys


_RESIDUALS = ("speed_change_rel", "vertical_velocity_mismatch_m_per_s", "height_mismatch_m", "step_length_error_rel",
              "trunk_lean_change_rad")


def sweep(model, *, out=None, params=None, progress: bool = False, max_evaluations: int | None = None,
          max_stances: int | None = None, backward_pass: bool = True, touchdown_foot_velocity=None,
          periodic_trunk_lean: bool = False, threads: int | None = None, **axes) -> xr.Dataset:
    """Matches every combination of the given axes and returns an ``xarray.Dataset`` whose dimensions
    are the swept axes and whose variables are the metrics (NaN where not converged), ``converged``,
    the periodicity residuals and ``message``.

    ``axes``: condition fields (``speed``, ``cadence``, ``step_length``, ``stride_length``,
    ``calf_fatigue``, ``calf_fatigue_split``, ``foot_strike``, ``body_mass``, ``height``), each a value
    or a list. The calf-fatigue split used is recorded in the dataset (as its axis, and in the
    attribute ``calf_fatigue_split``).
    ``params``: dict of model-parameter paths (``Model.with_params``) to lists of values.
    ``out``: netCDF path; finished points are journaled as they complete and a rerun resumes.
    Each point warm-starts from its grid predecessor (the previous value of the last axis; at the
    start of a row, the same point of the row before).
    ``backward_pass``: after the forward pass, match every point again (reverse order) warm-started
    from its grid successor (defined the same way) and keep the lower-effort result. A forward warm
    start can stay on a worse local effort minimum until it vanishes, which shows as a jump
    (measured: 15 % in peak PFJ force at 3.0 m/s, cadence 180→182); the backward pass removes such
    trapped branches.
    ``touchdown_foot_velocity``: (forward, up) m/s of the landing foot point at every point, as in
    :func:`legsim.simulate` (default: the swing-leg joint rates).
    ``periodic_trunk_lean``: also match the trunk lean at toe-off to that at touchdown, as in
    :func:`legsim.simulate`.
    ``threads``: worker threads of each matching, as in :func:`legsim.simulate` (default None = every
    hardware thread; give 1 when running sweeps in several processes at once).

    While it runs, a sweep with ``out=`` holds a lock on ``<out>.lock``: a second sweep with the same
    ``out`` refuses at once (InputError) instead of writing the same files. The lock goes with the
    process (normal end, exception or crash); the lock file stays, naming the last holder.
    """
    if not isinstance(model, _core.Model):
        raise InputError(f"model: expected a legsim.Model, got {type(model).__name__}")
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

    def params_at(idx):
        return {d: coords[d][i] for d, i in zip(dims, idx) if d in param_dims}

    conditions = [condition_at(idx) for idx in points]
    swing = {}
    if touchdown_foot_velocity is not None:
        touchdown_foot_velocity = foot_velocity(touchdown_foot_velocity)
        swing = {"touchdown_foot_velocity": touchdown_foot_velocity}
    if as_bool("periodic_trunk_lean", periodic_trunk_lean):
        swing["periodic_trunk_lean"] = True
    if threads is not None:
        swing["threads"] = as_int("threads", threads, lo=1)
    # Checked here, not at the first point: a typo fails before any work or file is written.
    for name, value, lo in (("max_evaluations", max_evaluations, 0), ("max_stances", max_stances, 1)):
        if value is not None:
            as_int(name, value, lo=lo)

    signature = hashlib.sha256(json.dumps({"dims": dims, "coords": {d: [repr(v) for v in coords[d]] for d in dims},
                                           "model": model.to_toml(), "max_evaluations": max_evaluations,
                                           "max_stances": max_stances, "backward_pass": bool(backward_pass),
                                           **({"touchdown_foot_velocity": [float(v) for v in touchdown_foot_velocity]}
                                              if touchdown_foot_velocity is not None else {}),
                                           **({"periodic_trunk_lean": True} if periodic_trunk_lean else {})},
                                          sort_keys=True).encode()).hexdigest()
    records = {}
    backward_done = set()
    journal = None
    lock = None
    if out is not None:
        out = Path(out)
        lock = _lock(out)  # before anything is read or written: a second sweep on out= stops here
        journal = out.with_name(out.name + ".partial.jsonl")
        try:
            records, backward_done = _read_journal(journal, signature)
            _end_torn_line(journal)
            if not journal.exists() or not (records or backward_done):
                with open(journal, "w") as f:
                    f.write(json.dumps({"signature": signature, "build": _build()}) + "\n")
                    f.flush()
                    os.fsync(f.fileno())
        except BaseException:
            lock.close()
            raise

    names = _core.gait_variable_names()
    strides = [int(np.prod(shape[d + 1:])) for d in range(len(shape))]

    def grid_neighbour(k, step):
        """The grid point one step (−1 or +1) from k along the last axis where that exists, else
        along the nearest earlier axis; None at the grid's first (step −1) or last (step +1) point."""
        idx = points[k]
        for d in range(len(shape) - 1, -1, -1):
            if 0 <= idx[d] + step < shape[d]:
                return k + step * strides[d]
        return None

    def journal_write(rec):
        if journal is not None:
            with open(journal, "a") as f:
                f.write(json.dumps(rec) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def match(k, seed, stances):
        """Matches point k warm-started from point seed's solution (None: cold) and returns its record."""
        m = model.with_params(params_at(points[k])) if param_dims else model
        warm = records[seed]["solution"] if seed is not None else None
        res = simulate(m, conditions[k], warm_start=warm, max_evaluations=max_evaluations,
                       max_stances=stances, record=False, **swing)
        return {"index": k, "converged": res.converged, "message": res.message, "metrics": res.metrics,
                "residuals": res.residuals, "solution": [res.solution[n] for n in names]}

    def converged(j):
        return j in records and records[j]["converged"]

    try:
        last = None  # the last converged point: the warm start when the grid predecessor did not converge
        for k in range(len(points)):
            if k not in records:
                # Warm start from the grid predecessor (the previous value of the last axis; at the
                # start of a row, the same point of the row before), not from the previous point in
                # storage order, which at the start of a row is the far end of the previous row.
                pred = grid_neighbour(k, -1)
                records[k] = match(k, pred if pred is not None and converged(pred) else last, max_stances)
                journal_write(records[k])
                if progress:
                    done = len(records)
                    sys.stderr.write(f"\rsweep: {done}/{len(points)} points "
                                     f"({sum(r['converged'] for r in records.values())} converged)")
                    sys.stderr.flush()
            if records[k]["converged"]:
                last = k
        if backward_pass:
            # Half the forward budget: the backward pass only has to find a better branch, not to
            # converge the descent along a flat valley (measured: 5× the forward time otherwise).
            backward_stances = (max_stances or _core.MatchingOptions().max_stances) // 2
            for k in range(len(points) - 2, -1, -1):
                succ = grid_neighbour(k, +1)
                if k in backward_done or succ is None or not converged(succ):
                    continue
                new, old = match(k, succ, backward_stances), records[k]
                better = new["converged"] and (not old["converged"] or new["metrics"].get("effort", math.inf) <
                                               old["metrics"].get("effort", math.inf) * (1.0 - 1e-9))
                rec = {"index": k, "pass": "backward", "improved": bool(better)}
                if better:
                    rec.update({key: new[key] for key in ("converged", "message", "metrics", "residuals", "solution")})
                    records[k] = rec
                backward_done.add(k)
                journal_write(rec)
                if progress:
                    sys.stderr.write(f"\rsweep: backward pass {len(points) - 1 - k}/{len(points) - 1} points "
                                     f"({sum(r['converged'] for r in records.values())} converged)")
                    sys.stderr.flush()
    finally:
        if progress:
            sys.stderr.write("\n")
        ds = _assemble(model, dims, coords, shape, points, records)
        ds.attrs["swing_leg_input"] = (
            f"touchdown_foot_velocity = {list(touchdown_foot_velocity)} m/s (forward, up)"
            if touchdown_foot_velocity is not None else "touchdown hip and knee angular velocities (defaults)")
        ds.attrs["calf_fatigue_split"] = ";".join(coords.get("calf_fatigue_split", ["fiber_type"]))
        ds.attrs["periodicity"] = ("centre of mass and trunk lean" if periodic_trunk_lean
                                   else "centre of mass (docs/gait_matching.md); trunk lean change reported, not matched")
        ds.attrs["legsim_build"] = _describe(_build())
        if out is not None:
            try:
                tmp = out.with_name(out.name + ".tmp")
                ds.to_netcdf(tmp)
                os.replace(tmp, out)
            finally:
                lock.close()  # releases the lock
    return ds


def _build() -> dict:
    """What results depend on besides the inputs: legsim's version, the compiled instruction set
    and SIMD width, the compiler (``legsim._core.build_info``)."""
    info = _core.build_info
    return {k: info[k] for k in ("version", "instruction_set", "simd_lanes", "compiler")}


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


def _read_journal(path: Path, signature: str) -> tuple[dict, set]:
    """Finished points of a journal: the forward-pass records (the backward pass's improvements
    replacing them) and the indices the backward pass has finished."""
    if not path.exists():
        return {}, set()
    records, backward_done = {}, set()
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines:
        return {}, set()
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError:
        header = {}
    if header.get("build") != _build():
        raise InputError(f"{path}: this journal was written by another legsim build ({_describe(header.get('build'))}; "
                         f"this is {_describe(_build())}); results of different binaries are not mixed: "
                         "remove it or choose another out= path")
    if header.get("signature") != signature:
        raise InputError(f"{path}: this journal belongs to a different sweep (other axes, values or model); "
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
    return f"legsim {build.get('version')}, {build.get('instruction_set')} × {build.get('simd_lanes')}, {build.get('compiler')}"


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


def _assemble(model, dims, coords, shape, points, records) -> xr.Dataset:
    keys = _metric_keys(model)
    data = {k: np.full(shape, np.nan) for k in keys}
    res = {k: np.full(shape, np.nan) for k in _RESIDUALS}
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
        for key, v in rec["residuals"].items():
            if key in res:
                res[key][idx] = v
        if rec["converged"]:
            for key in keys:
                if key in rec["metrics"]:
                    data[key][idx] = rec["metrics"][key]
    variables = {k: (dims, v) for k, v in data.items()}
    variables.update({k: (dims, v) for k, v in res.items()})
    variables["converged"] = (dims, converged)
    variables["finished"] = (dims, finished)
    variables["message"] = (dims, message.astype(str))
    coord_values = {d: (np.array(coords[d], dtype=object).astype(str) if d in _CATEGORICAL_AXES and
                        any(isinstance(v, str) for v in coords[d]) else np.array(coords[d], dtype=float))
                    for d in dims}
    from . import __version__
    attrs = {"legsim_version": __version__, "model_name": model.name,
             "model_sha256": hashlib.sha256(model.to_toml().encode()).hexdigest(),
             "description": "legsim sweep: metrics of matched periodic stances (NaN where not converged)"}
    return xr.Dataset(variables, coords=coord_values, attrs=attrs)
