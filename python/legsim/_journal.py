"""The journal of a sweep with ``out=`` (``<out>.partial.jsonl``): the lock on ``<out>.lock``, the
header that ties a journal to one sweep and one legsim build, reading finished points back (torn lines
skipped), appending records (flushed and fsync'ed), and a prediction's solution vectors as exact text."""
from __future__ import annotations

import base64
import json
import os
import zlib
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: sweeps run without the lock on out=
    fcntl = None

import numpy as np

from . import _core
from .errors import InputError


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


def _open_journal(out: Path, signature: str, build: dict):
    """Takes the lock on ``out`` and opens its journal: returns the open lock file (closing it
    releases the lock), the journal's path and its finished points (records, backward-pass indices).
    A journal without a finished point is started afresh with this sweep's header."""
    lock = _lock(out)  # before anything is read or written: a second sweep on out= stops here
    journal = out.with_name(out.name + ".partial.jsonl")
    try:
        records, backward_done = _read_journal(journal, signature, build)
        _end_torn_line(journal)
        if not journal.exists() or not (records or backward_done):
            _write_line(journal, "w", {"signature": signature, "build": build})
    except BaseException:
        lock.close()
        raise
    return lock, journal, records, backward_done


def _append(journal: Path, rec: dict) -> None:
    """Appends one finished point's record to the journal."""
    _write_line(journal, "a", rec)


def _write_line(path: Path, mode: str, obj) -> None:
    """Writes ``obj`` as one JSON line, flushed and fsync'ed: on disk before the sweep goes on, so a
    crash loses nothing finished."""
    with open(path, mode) as f:
        f.write(json.dumps(obj) + "\n")
        f.flush()
        os.fsync(f.fileno())
