"""A sweep's grid walk on Dask (``legsim.sweep(..., client=Client)``), for both methods.

Gait matching. Each point is one task, submitted as soon as the point it warm-starts from has finished: the forward
pass seeds point k from the first converged point along its chain of grid predecessors
(``_Grid.warm_seed``), the backward pass from its grid successor once that one's backward result is
settled. Those are the local walk's seeds, so the dataset is the local sweep's; what runs in
parallel is whatever the chains leave independent (the rows along the last axis, once their first
points have run). One task per point, not per row: a task's result reaches the journal (written
here, in the client's process) the moment it finishes, so a dying worker takes no finished point
with it.

Gait prediction. Point k warm-starts from the nearest converged point among those before it along
every axis (``sweep._predict_seed``), so its task is submitted once its predecessors along each axis
(``_Grid.predecessors``) have finished: the grid runs in waves along its anti-diagonals, and every
seed is the local walk's. A worker keeps one Predictor per model (``_dask_worker.Predictors``, a Dask
worker plugin), as the local walk does, so the problem is built once per worker, not once per point; a
reused Predictor solves bit for bit as a fresh one (tests/python/test_predict_sweep.py).
"""
from __future__ import annotations

import importlib
import uuid

from ._extras import require
from ._journal import _build
from .errors import InputError

_INSTALL = "pip install legsim[dask]"



def _distributed():
    """dask.distributed, or the legsim error that names the extra (legsim._extras)."""
    return require("dask.distributed", "dask")


def check_client(client) -> None:
    """InputError unless ``client`` is a ``dask.distributed.Client`` (checked before the journal opens)."""
    distributed = _distributed()
    if not isinstance(client, distributed.Client):
        raise InputError(f"client: expected a dask.distributed.Client, got {type(client).__name__} "
                         f"(e.g. Client('tcp://scheduler:8786'); {_INSTALL})")


def _check_build(method, build):
    """InputError unless this worker runs the legsim build ``build`` (the journal's): results of
    different binaries are not mixed in one dataset."""
    from ._journal import _describe
    if _build(method) != build:
        raise InputError(f"sweep on Dask: a worker runs {_describe(_build(method))}, this process "
                         f"{_describe(build)}; install the same legsim build on the workers")


def _run_point(build, *args):
    """``sweep._match_one(*args)`` on a worker of the build ``build``."""
    _check_build("matching", build)
    return importlib.import_module("legsim.sweep")._match_one(*args)


def match_points(client, grid, model_at, conditions, records, backward_done, journal_write, report, *,
                 backward_pass, max_evaluations, max_stances, swing):
    """``sweep._match_points`` with every matching a Dask task; same arguments, same records."""
    # The backward pass's helpers (the module, not the function legsim.sweep that the package's
    # attribute of that name is).
    _sweep = importlib.import_module("legsim.sweep")
    distributed = _distributed()
    total = len(grid.points)
    # Task keys name the pass and the point (readable on the dashboard) and a token of this run, so
    # two sweeps on one scheduler, or a rerun, never share a key.
    token = uuid.uuid4().hex[:12]
    build = _build("matching")

    def converged(j):
        return j in records and records[j]["converged"]

    def submit(k, seed, stances, tag, pending, running):
        warm = records[seed]["solution"] if seed is not None else None
        future = client.submit(_run_point, build, model_at(k), conditions[k], warm, stances, max_evaluations, swing, k,
                               key=f"legsim-sweep-{tag}-{k}-{token}", pure=False)
        running[future.key] = k
        pending.add(future)

    def results(pending, running):
        """(k, record) of each task as it finishes; a task that failed (its matching raised, or
        Dask gave up on it after workers died: KilledWorker) raises here and stops the sweep,
        whose journal keeps every point finished so far."""
        for future in pending:
            k = running.pop(future.key)
            rec = future.result()
            # Journaled from here on: Dask need not keep (or, when its worker dies, recompute) it.
            future.release()
            yield k, rec

    # Forward pass. Point k is ready when its chain of predecessors has finished up to the first
    # converged one (its warm start) or to the grid's start (a cold start).
    children = {}
    for k in range(total):
        children.setdefault(grid.neighbour(k, -1), []).append(k)

    def ready(k):
        j = grid.neighbour(k, -1)
        while j is not None:
            if j not in records:
                return False
            if records[j]["converged"]:
                return True
            j = grid.neighbour(j, -1)
        return True

    pending, running = distributed.as_completed(), {}
    for k in range(total):
        if k not in records and ready(k):
            submit(k, grid.warm_seed(k, -1, converged), max_stances, "forward", pending, running)
    for k, rec in results(pending, running):
        records[k] = rec
        journal_write(rec)
        report("", len(records), total)
        for c in children.get(k, []):
            # A child of a point that did not converge warm-starts further up the chain, which
            # ready() finds finished (the chain ran before k).
            if c not in records and c not in running.values() and ready(c):
                submit(c, grid.warm_seed(c, -1, converged), max_stances, "forward", pending, running)
    missing = [k for k in range(total) if k not in records]
    if missing:  # cannot happen when every point has a chain to the grid's start; guards the walk
        raise RuntimeError(f"sweep on Dask: forward pass left points {missing} unsolved")
    if not backward_pass:
        return

    # Backward pass: point k (all but the grid's last) is matched again from its successor once the
    # successor is settled (its backward result journaled, or skipped); the local walk's order
    # (k = total−2 … 0) settles every successor before its predecessor the same way.
    stances = _sweep._backward_stances(max_stances)
    preds = {}
    for k in range(total - 1):
        preds.setdefault(grid.neighbour(k, +1), []).append(k)
    pending, running = distributed.as_completed(), {}

    def settle(k):
        """k's backward result is final: decide its predecessors (skip, keep the journaled result, or submit)."""
        work = [k]
        while work:
            j = work.pop()
            for p in preds.get(j, []):
                if p in backward_done or not converged(j):
                    work.append(p)  # journaled before a resume, or nothing to warm-start from (as locally)
                else:
                    submit(p, j, stances, "backward", pending, running)

    settle(total - 1)
    done = len(backward_done)
    for k, new in results(pending, running):
        rec = _sweep._backward_record(k, new, records[k])
        if rec["improved"]:
            records[k] = rec
        backward_done.add(k)
        journal_write(rec)
        done += 1
        report("backward pass ", done, total - 1)
        settle(k)


def predict_points(client, grid, model_at, model_key, conditions, options, also_cold, records, journal_write,
                   report):
    """``sweep._predict_points`` with every prediction a Dask task; same arguments, same records
    (``model_key`` unused: a worker keys its Predictors by the model file text)."""
    _sweep = importlib.import_module("legsim.sweep")
    distributed = _distributed()
    total = len(grid.points)
    token = uuid.uuid4().hex[:12]
    build = _build("predict")
    from ._dask_worker import PLUGIN, Predictors, run_prediction  # imports distributed (checked above)
    client.register_plugin(Predictors(), name=PLUGIN)
    pending, running = distributed.as_completed(), {}

    def ready(k):
        return k not in records and k not in running.values() and all(p in records for p in grid.predecessors(k))

    def submit(k):
        warm, label = _sweep._seed_of(grid, k, _sweep._predict_seed(grid, k, records), records)
        future = client.submit(run_prediction, build, model_at(k), conditions[k], warm, label, options, also_cold, k,
                               key=f"legsim-sweep-predict-{k}-{token}", pure=False)
        running[future.key] = k
        pending.add(future)

    for k in range(total):
        if ready(k):
            submit(k)
    for future in pending:
        k = running.pop(future.key)
        # A prediction that raised, or that Dask gave up on (KilledWorker), raises here and stops
        # the sweep; the journal keeps every point finished so far.
        records[k] = future.result()
        future.release()
        journal_write(records[k])
        report("", len(records), total)
        for s in grid.successors(k):
            if ready(s):
                submit(s)
    missing = [k for k in range(total) if k not in records]
    if missing:  # cannot happen: every point's predecessors finish before it; guards the walk
        raise RuntimeError(f"sweep on Dask: points {missing} were never ready")
