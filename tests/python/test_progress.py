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
