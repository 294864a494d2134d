"""Progress bars (issue 21.3): a sweep or prediction shows a tqdm bar of work done, converged and
time left when asked or on a terminal, and nothing when told not to or when stderr is not a terminal."""
import sys

import pytest

import legsim
from legsim import _progress
from legsim.errors import InputError


def _tiny_sweep(model, progress):
    return legsim.sweep(model, method="matching", speed=3.5, cadence=[170, 175], backward_pass=False,
                        progress=progress)


def test_progress_false_prints_nothing(model, capsys):
    _tiny_sweep(model, False)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_progress_true_draws_a_bar_with_the_converged_count(model, capsys):
    ds = _tiny_sweep(model, True)
    out, err = capsys.readouterr()
    assert out == ""
    n = int(ds["converged"].sum())
    assert "sweep" in err and "2/2" in err and f"{n} converged" in err, err
    assert "point" in err  # tqdm's rate, from which it estimates the time left


def test_default_is_off_when_stderr_is_not_a_terminal(model, capsys):
    # capsys replaces stderr with a file that is not a TTY, as a log file or pipe would be.
    assert not sys.stderr.isatty()
    _tiny_sweep(model, None)
    assert capsys.readouterr().err == ""


def test_default_is_on_for_a_terminal_and_off_inside_an_open_bar(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert _progress.wanted(None)
    with _progress.Progress("outer", False):
        assert not _progress.wanted(None)  # a prediction inside a sweep leaves the bar to the sweep
        assert _progress.wanted(True)
    assert _progress.wanted(None)


def test_a_new_phase_starts_a_new_bar_and_close_is_idempotent(capsys):
    bar = _progress.Progress("sweep", True)
    bar.update(1, 2, converged=1)
    bar.update(2, 2, converged=2)
    bar.update(1, 1, "backward pass ", converged=2)
    bar.close()
    bar.close()
    err = capsys.readouterr().err
    assert "sweep: backward pass" in err and "2 converged" in err
    assert _progress._open == 0


def test_invalid_progress_is_an_input_error():
    with pytest.raises(InputError, match="progress"):
        _progress.wanted("yes")


def test_a_ticking_bar_stops_its_thread_when_closed(capsys):
    import threading
    import time
    before = threading.active_count()
    with _progress.Progress("predict", True, unit="solve", ticking=True) as bar:
        bar.update(0, 1)
        assert threading.active_count() == before + 1
        bar.update(1, 1, converged=1)
    deadline = time.time() + 3.0
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before
    assert "1 converged" in capsys.readouterr().err


def _failed_solve():
    """An unconverged C++ solve (a real PredictedGait, as the C++ report functions take one): enough
    to test legsim.predict's bar without IPOPT."""
    state = legsim._core.PredictedGait().__getstate__()
    state.update(status="Maximum_Iterations_Exceeded", iterations=1)
    g = legsim._core.PredictedGait.__new__(legsim._core.PredictedGait)
    g.__setstate__(state)
    return g


class _FakePredictor:
    def __init__(self, model):
        pass

    def solve(self, condition, options, guess):
        return _failed_solve()


def test_predict_draws_a_bar_over_its_starts_unless_inside_a_sweep(model, monkeypatch, capsys):
    monkeypatch.setattr(legsim._core, "Predictor", _FakePredictor)  # the _core legsim.predict builds with
    cond = legsim.Condition(speed=3.5, cadence=170)
    res = legsim.predict(model, cond, starts=2, progress=True)
    assert not res.converged
    err = capsys.readouterr().err
    assert "predict" in err and "2/2" in err and "0 converged" in err, err
    legsim.predict(model, cond, progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with _progress.Progress("sweep", False):  # a sweep's points: the sweep's bar, not one per point
        legsim.predict(model, cond)
    assert capsys.readouterr().err == ""


def test_default_follows_a_running_jupyter_kernel_not_an_imported_module(monkeypatch):
    import types
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    # ipykernel imported in a plain process (as a test that starts notebook kernels does): no bar.
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert not _progress.wanted(None)
    # Inside a kernel, IPython's shell has a kernel: the notebook's widget bar.
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: types.SimpleNamespace(kernel=object())))
    assert _progress.wanted(None)
