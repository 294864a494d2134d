"""Gait-matching sweeps on Dask (legsim.sweep(..., client=)): the dataset is the local sweep's, and a
worker killed mid-sweep loses no finished point (the journal keeps them, a rerun resumes). Also the
local walk's warm-start chains, which the Dask walk reproduces."""
import importlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
import xarray as xr

import legsim

try:
    import distributed
except ImportError:  # legsim[dask] not installed: the Dask tests skip, the local one runs
    distributed = None

sweep_mod = importlib.import_module("legsim.sweep")
def assert_same_sweep(a, b):
    """Identical datasets (values, coordinates, every attribute) apart from when each was made."""
    a, b = a.copy(), b.copy()
    for d in (a, b):
        d.attrs.pop("date_created", None)
    xr.testing.assert_identical(a, b)


needs_dask = pytest.mark.skipif(distributed is None, reason="needs dask.distributed (pip install legsim[dask])")

def test_a_failed_predecessor_passes_on_its_own_warm_start(model, monkeypatch):
    """When the grid predecessor did not converge, a point warm-starts from the predecessor's own
    warm start (up its chain), not from the last converged point in storage order (another row's
    end): the seeds do not depend on the order in which the rows run."""
    names = legsim._core.gait_variable_names()
    seen = {}

    def tagging(model, condition, *, warm_start=None, max_evaluations=None, max_stances=None, record=True):
        key = (condition.cadence, condition.calf_fatigue)
        seen.setdefault(key, None if warm_start is None else tuple(warm_start[:2]))
        ok = key != (170, 0.0)
        return legsim.GaitResult(converged=ok, message="converged" if ok else "failed", metrics={"effort": 1.0},
                                 residuals={}, solution={n: ([condition.cadence, condition.calf_fatigue]
                                                             + [0.0] * len(names))[i] for i, n in enumerate(names)},
                                 timeseries=None, evaluations=1)

    monkeypatch.setattr(sweep_mod, "match", tagging)
    legsim.sweep(model, method="matching", speed=3.5, cadence=[160, 170], calf_fatigue=[0.0, 0.3], backward_pass=False)
    assert seen == {(160, 0.0): None, (160, 0.3): (160, 0.0), (170, 0.0): (160, 0.0), (170, 0.3): (160, 0.0)}


# A small grid: 3 rows of 2 points (last axis: calf fatigue), so two rows can run at once.
GRID = dict(method="matching", speed=3.5, cadence=[160, 170, 180], calf_fatigue=[0.0, 0.3], threads=1)


@pytest.fixture(scope="module")
def client():
    # The workers are separate processes: they import legsim from the same place as this process.
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(Path(legsim.__file__).parents[1]),
                                                       os.environ.get("PYTHONPATH")]))}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  env=env) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def local(model):
    t0 = time.perf_counter()
    ds = legsim.sweep(model, **GRID)
    print(f"\nlocal sweep: {time.perf_counter() - t0:.1f} s")
    return ds


def _journal(out):
    lines = Path(str(out) + ".partial.jsonl").read_text().splitlines()
    return lines[0], [json.loads(line) for line in lines[1:]]


@needs_dask
def test_dask_sweep_equals_local(model, client, local, tmp_path):
    t0 = time.perf_counter()
    ds = legsim.sweep(model, client=client, out=tmp_path / "s.nc", **GRID)
    print(f"\nDask sweep (2 workers): {time.perf_counter() - t0:.1f} s")
    assert bool(ds.converged.all())
    assert_same_sweep(ds, local)
    _, recs = _journal(tmp_path / "s.nc")
    forward = [r["index"] for r in recs if r.get("pass") != "backward"]
    backward = [r["index"] for r in recs if r.get("pass") == "backward"]
    assert sorted(forward) == list(range(6)) and sorted(backward) == list(range(5))


def _kill_a_busy_worker_after(client, out, n_points):
    """In a thread: once the journal holds n_points records, SIGKILLs a worker that is solving a
    point (its nanny starts a new one). Returns the thread and a dict that gets the records journaled
    at the kill."""
    seen = {}
    journal = Path(str(out) + ".partial.jsonl")
    pids = client.run(os.getpid)

    def watch():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and len(journal.read_text().splitlines()) - 1 >= n_points:
                busy = [w for w, keys in client.processing().items() if keys]
                if busy:
                    seen["records"] = len(journal.read_text().splitlines()) - 1
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    return
            time.sleep(0.02)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread, seen


@needs_dask
def test_killed_worker_loses_no_finished_point(model, client, local, tmp_path):
    out = tmp_path / "k.nc"
    scheduler = client.cluster.scheduler
    # Dask reruns a dead worker's task elsewhere; with no failures allowed it gives up instead
    # (KilledWorker), which stops the sweep as a crash of the whole run would.
    allowed, scheduler.allowed_failures = scheduler.allowed_failures, 0
    try:
        thread, seen = _kill_a_busy_worker_after(client, out, 2)
        with pytest.raises(distributed.KilledWorker):
            legsim.sweep(model, client=client, out=out, **GRID)
        thread.join()
    finally:
        scheduler.allowed_failures = allowed
    header, before = _journal(out)
    assert len(before) >= seen["records"] >= 2  # every point finished before the kill is in the journal
    assert len(before) < 11
    # The other worker lives on (the killed one's nanny starts a new one, which can take a minute on
    # a loaded machine): the rerun needs one.
    client.wait_for_workers(1, timeout=120)

    # The rerun resumes: it keeps the journal and adds only the missing points.
    ds = legsim.sweep(model, client=client, out=out, **GRID)
    header2, after = _journal(out)
    assert header2 == header and after[:len(before)] == before
    assert sorted(r["index"] for r in after if r.get("pass") != "backward") == list(range(6))
    assert sorted(r["index"] for r in after if r.get("pass") == "backward") == list(range(5))
    assert_same_sweep(ds, local)


@needs_dask
def test_worker_killed_mid_sweep_is_replaced(model, client, local, tmp_path):
    """With Dask's default retries a killed worker's point runs again on another worker; the sweep
    finishes with the local dataset and journals each point once."""
    out = tmp_path / "r.nc"
    thread, seen = _kill_a_busy_worker_after(client, out, 1)
    ds = legsim.sweep(model, client=client, out=out, **GRID)
    thread.join()
    assert "records" in seen
    _, recs = _journal(out)
    assert sorted(r["index"] for r in recs if r.get("pass") != "backward") == list(range(6))
    assert_same_sweep(ds, local)


# ---- prediction sweeps ----------------------------------------------------------------------------

def _fake_prediction(fails_warm=(), fails=(), delay=0.0):
    """Stands in for legsim.predict: the solution vector holds the condition (cadence, fatigue), so a
    warm start shows where it came from; points in ``fails`` never converge, those in ``fails_warm``
    not when warm-started. Counts how many run at once (``fake.most``)."""
    lock = threading.Lock()

    def fake(model, condition, *, warm_start=None, predictor=None, **options):
        with lock:
            fake.now += 1
            fake.most = max(fake.most, fake.now)
        time.sleep(delay)
        here = (condition.cadence, condition.calf_fatigue)
        ok = here not in fails and not (warm_start is not None and here in fails_warm)
        gait = legsim._core.PredictedGait()
        gait.x = list(here) + ([] if warm_start is None else list(warm_start.raw.x))
        with lock:
            fake.now -= 1
        return legsim.PredictionResult(
            converged=ok, message="Solve_Succeeded" if ok else "not converged: IPOPT stopped with Restoration_Failed",
            metrics={"peak_pfj_force_bw": 10.0 - here[0] / 50.0 + here[1] + 0.01 * len(gait.x)} if ok else {},
            solver={"method": "fake", "status": "Solve_Succeeded" if ok else "Restoration_Failed", "iterations": 1,
                    "seconds": 0.5, "objective": 1.0 + len(gait.x), "variables_on_bounds": []},
            timeseries=None, raw=gait)
    fake.now = fake.most = 0
    return fake


PREDICT_GRID = dict(speed=3.5, cadence=[160, 170, 180], calf_fatigue=[0.0, 0.3, 0.6])


@needs_dask
def test_dask_prediction_walk_runs_in_waves_with_the_local_seeds(model, monkeypatch, tmp_path):
    """A prediction seeds from the points before it along every axis, so the Dask walk (waves along
    the anti-diagonals) gets the local walk's seeds, cold restarts and failures included; two
    workers solve two points at once. In-process workers (threads), so the stand-in applies there."""
    kw = dict(fails={(170, 0.0)}, fails_warm={(170, 0.3), (180, 0.6)})
    monkeypatch.setattr(sweep_mod, "predict", _fake_prediction(**kw))
    local = legsim.sweep(model, **PREDICT_GRID)
    assert not bool(local.converged.sel(cadence=170, calf_fatigue=0.0))
    assert local.start.sel(cadence=170, calf_fatigue=0.3).item() == "cold"
    assert local.start.sel(cadence=180, calf_fatigue=0.0).item() == "warm from cadence=160"
    fake = _fake_prediction(**kw, delay=0.2)
    monkeypatch.setattr(sweep_mod, "predict", fake)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        ds = legsim.sweep(model, client=c, out=tmp_path / "p.nc", **PREDICT_GRID)
    assert fake.most == 2
    assert_same_sweep(ds, local)
    _, recs = _journal(tmp_path / "p.nc")
    assert sorted(r["index"] for r in recs) == list(range(9))


@needs_dask
def test_dask_prediction_sweep_equals_local(model, client):
    """Real predictions on two worker processes (coarse mesh): the local sweep's dataset, but for the
    solver's wall-clock times."""
    kw = dict(speed=3.5, cadence=[170, 180], calf_fatigue=[0.0, 0.3], predict_options={"mesh_intervals": 20})
    t0 = time.perf_counter()
    local = legsim.sweep(model, **kw)
    t1 = time.perf_counter()
    ds = legsim.sweep(model, client=client, **kw)
    print(f"\nprediction sweep 2×2: local {t1 - t0:.1f} s, Dask (2 workers) {time.perf_counter() - t1:.1f} s")
    assert bool(ds.converged.all())
    assert (ds.start.values == local.start.values).all()
    assert_same_sweep(ds.drop_vars("solver_seconds"), local.drop_vars("solver_seconds"))


@needs_dask
def test_client_errors(model):
    with pytest.raises(legsim.InputError, match="expected a dask.distributed.Client"):
        legsim.sweep(model, client="tcp://localhost:8786", **GRID)
    with pytest.raises(legsim.InputError, match="expected a dask.distributed.Client"):
        legsim.sweep(model, client=object(), speed=3.5, cadence=[160, 170])


def test_missing_dask_names_the_extra(model, monkeypatch):
    for name in ("dask", "dask.distributed", "distributed"):  # as if legsim[dask] were not installed
        monkeypatch.setitem(sys.modules, name, None)
    # One message for every missing extra (legsim._extras): an ImportError that is also a legsim.Error.
    with pytest.raises(ImportError, match=r"dask is not installed; .* pip install 'legsim\[dask\]'") as err:
        legsim.sweep(model, client=object(), **GRID)
    assert isinstance(err.value, legsim.Error)


def test_a_worker_of_another_build_refuses(model):
    from legsim import _dask
    with pytest.raises(legsim.InputError, match="install the same legsim build on the workers"):
        _dask._run_point({"version": "0.0.0"}, model, legsim.Condition(speed=3.5, cadence=170), None, 10, None, {}, 0)
