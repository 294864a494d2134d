"""Sweep files under concurrency and crashes (a lock on out=, torn journal lines, the build in the
journal) and the caller's choice of threads."""
import importlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import legsim

sweep_mod = importlib.import_module("legsim.sweep")
gait_mod = importlib.import_module("legsim.gait")
CADENCES = [150, 160, 170]


def _fake(calls, during=None):
    """Stands in for gait matching (a smooth function of the cadence), recording each call; ``during``
    runs inside the first call, while the sweep is under way."""
    names = legsim._core.gait_variable_names()

    def fake(model, condition, *, warm_start=None, **kw):
        calls.append(condition.cadence)
        if during is not None and len(calls) == 1:
            during()
        return legsim.GaitResult(converged=True, message="converged",
                                 metrics={"peak_pfj_force_bw": 10.0 - condition.cadence / 50.0, "effort": 1.0},
                                 residuals={}, solution={n: 0.0 for n in names}, timeseries=None, evaluations=1)
    return fake


def _journal(out: Path) -> Path:
    return out.with_name(out.name + ".partial.jsonl")


def test_a_second_sweep_on_the_same_out_refuses_at_once_and_touches_nothing(model, monkeypatch, tmp_path):
    out = tmp_path / "s.nc"
    refused, inner_calls = [], []

    def second_sweep():
        before = _journal(out).read_bytes()
        monkeypatch.setattr(sweep_mod, "match", _fake(inner_calls))
        with pytest.raises(legsim.InputError, match="another sweep .* is writing this file") as exc:
            legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES)
        refused.append(str(exc.value))
        assert _journal(out).read_bytes() == before and not out.exists()
        monkeypatch.setattr(sweep_mod, "match", outer)

    calls = []
    outer = _fake(calls, during=second_sweep)
    monkeypatch.setattr(sweep_mod, "match", outer)
    ds = legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES)
    assert refused and f"pid {os.getpid()}" in refused[0]
    assert inner_calls == []  # the second sweep did no work
    assert bool(ds.finished.all())
    # Released at the end: the same sweep now resumes (nothing left to run).
    calls.clear()
    legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES)
    assert calls == []


def test_the_lock_is_released_when_the_sweep_fails(model, monkeypatch, tmp_path):
    out = tmp_path / "s.nc"

    def failing(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_mod, "match", failing)
    with pytest.raises(KeyboardInterrupt):
        legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES)
    calls = []
    monkeypatch.setattr(sweep_mod, "match", _fake(calls))
    assert bool(legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES).finished.all())


def test_the_lock_goes_with_a_killed_process(model, tmp_path):
    """A sweep in another process holds out= until it is killed (kill -9: no clean-up runs)."""
    out = tmp_path / "s.nc"
    script = textwrap.dedent(f"""
        import sys, time, legsim, importlib
        sweep_mod = importlib.import_module("legsim.sweep")
        def slow(*a, **k):
            print("running", flush=True)
            time.sleep(60)
        sweep_mod.match = slow
        legsim.sweep(legsim.Model.default(), method="matching", out={str(out)!r}, speed=3.5, cadence={CADENCES!r})
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert child.stdout.readline().strip() == "running"
        with pytest.raises(legsim.InputError, match=f"another sweep \\(pid {child.pid}\\)"):
            legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    calls = []
    mp = pytest.MonkeyPatch()
    mp.setattr(sweep_mod, "match", _fake(calls))
    try:
        assert bool(legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES).finished.all())
    finally:
        mp.undo()


def test_a_torn_last_journal_line_is_run_again_and_the_next_record_starts_a_line(model, monkeypatch, tmp_path):
    out = tmp_path / "s.nc"
    calls = []
    monkeypatch.setattr(sweep_mod, "match", _fake(calls))
    legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES, backward_pass=False)
    journal = _journal(out)
    lines = journal.read_text().splitlines()
    # A crash in the middle of writing the last point's record: half a line, no newline.
    journal.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])
    calls.clear()
    legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES, backward_pass=False)
    assert calls == [CADENCES[-1]]  # only the torn point ran again
    text = journal.read_text().splitlines()
    assert json.loads(text[-1])["index"] == len(CADENCES) - 1  # on its own line, readable
    calls.clear()
    ds = legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES, backward_pass=False)
    assert calls == [] and bool(ds.finished.all())  # nothing lost this time


def test_a_journal_of_another_build_is_not_resumed(model, monkeypatch, tmp_path):
    out = tmp_path / "s.nc"
    calls = []
    monkeypatch.setattr(sweep_mod, "match", _fake(calls))
    legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES, backward_pass=False)
    header = json.loads(_journal(out).read_text().splitlines()[0])
    assert header["build"]["version"] == legsim.__version__
    assert header["build"]["instruction_set"] == legsim._core.build_info["instruction_set"]
    for key, other in (("instruction_set", "some-other-isa"), ("version", "0.0.0-other")):
        info = dict(legsim._core.build_info, **{key: other})
        monkeypatch.setattr(legsim._core, "build_info", info)
        with pytest.raises(legsim.InputError, match="written by another legsim build"):
            legsim.sweep(model, method="matching", out=out, speed=3.5, cadence=CADENCES, backward_pass=False)
        monkeypatch.undo()
        monkeypatch.setattr(sweep_mod, "match", _fake(calls))


def test_build_info_names_the_instruction_set_and_lanes():
    info = legsim._core.build_info
    assert info["version"] == legsim.__version__
    assert isinstance(info["instruction_set"], str) and info["instruction_set"]
    assert info["simd_lanes"] in (1, 2, 4, 8)


def test_threads_reach_the_matching_options(model, monkeypatch):
    seen = []
    real = legsim._core.match_gait

    def spy(m, c, o, warm):
        seen.append(o.threads)
        return real(m, c, o, warm)

    monkeypatch.setattr(gait_mod._core, "match_gait", spy)
    c = legsim.Condition(speed=3.5, cadence=170)
    legsim.simulate(model, c, method="matching", max_stances=1, record=False, threads=3)
    legsim.simulate(model, c, method="matching", max_stances=1, record=False)
    assert seen == [3, 0]  # 0: the C++ default, every hardware thread

    calls = []
    monkeypatch.setattr(sweep_mod, "match", lambda *a, **kw: calls.append(kw.get("threads")) or _fake([])(*a, **kw))
    legsim.sweep(model, method="matching", speed=3.5, cadence=[160, 170], threads=2, backward_pass=False)
    assert calls == [2, 2]


def test_one_and_two_threads_give_identical_matchings(model):
    c = legsim.Condition(speed=3.5, cadence=170)
    one = legsim.simulate(model, c, method="matching", max_stances=30, record=False, threads=1)
    two = legsim.simulate(model, c, method="matching", max_stances=30, record=False, threads=2)
    assert one.solution == two.solution and one.residuals == two.residuals and one.message == two.message


@pytest.mark.parametrize("threads", [0, -1, "x", 1.5, True])
def test_invalid_threads_are_input_errors(model, threads):
    c = legsim.Condition(speed=3.5, cadence=170)
    with pytest.raises(legsim.InputError, match="threads"):
        legsim.simulate(model, c, method="matching", threads=threads)
    with pytest.raises(legsim.InputError, match="threads"):
        legsim.sweep(model, method="matching", speed=3.5, cadence=170, threads=threads)
