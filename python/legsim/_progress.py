"""Progress bars of long work (sweeps, predictions): tqdm's notebook widget in Jupyter (ipywidgets,
from the ``plot`` extra; tests/python/test_notebooks.py checks it in a real kernel), a plain bar
on a terminal, nothing when stderr is not a terminal (a log file, a pipe, a batch job) or when the
caller passes ``progress=False``.

tqdm is imported when a bar is first shown, not with legsim: ``tqdm.auto`` probes for IPython and
ipywidgets, which ``import legsim`` should not pay for (issue 21.8)."""
from __future__ import annotations

import sys
import threading
import time

from ._validate import as_bool

#: Open legsim bars. A prediction inside a sweep leaves the bar to the sweep (its own progress=None
#: means "off here"), so the two do not draw over each other.
_open = 0


def wanted(progress) -> bool:
    """Whether to show a bar: ``progress`` True or False as given; None (the default) when stderr is
    a terminal or the code runs in a Jupyter kernel, and no legsim bar is open already."""
    if progress is not None:
        return as_bool("progress", progress)
    if _open:
        return False
    # A Jupyter kernel's stderr is not a TTY, but its output area shows tqdm's widget. Asked of an
    # IPython already imported (importing it here would make every legsim import heavy), and of its
    # running shell: ipykernel merely imported (e.g. by a test that starts kernels) is no kernel.
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    in_jupyter = shell is not None and getattr(shell, "kernel", None) is not None
    try:
        return in_jupyter or sys.stderr.isatty()
    except (AttributeError, ValueError):  # stderr replaced or closed
        return False


class Progress:
    """One progress bar over a count of work (points, solves), with the converged count as postfix
    and tqdm's time-left estimate. ``update(done, total, what)`` sets the count; a new ``what`` (a
    sweep's backward pass) starts a new bar. ``ticking``: redraw every second from a thread, so the
    elapsed time moves while one long C++ solve (which cannot report its iterations) runs. Does
    nothing when not enabled; ``close`` is safe to call more than once."""

    def __init__(self, name: str, enabled, unit: str = "point", ticking: bool = False):
        global _open
        self.name, self.unit, self.ticking = name, unit, ticking
        self.enabled = wanted(enabled)
        self._bar = None
        self._what = None
        self._stop = threading.Event()
        self._closed = False
        self._since = time.time()  # when the current phase's work began (tqdm's clock is time.time)
        _open += 1

    def update(self, done: int, total: int, what: str = "", converged: int | None = None) -> None:
        if not self.enabled:
            return
        if self._bar is None or what != self._what:
            self._start(done, total, what)
        if converged is not None:
            self._bar.set_postfix_str(f"{converged} converged", refresh=False)
        self._bar.update(done - self._bar.n)
        self._since = time.time()  # a next phase's work begins after this report
        if done >= total:  # closed now, so its elapsed time is the phase's
            self._end_bar()

    def _start(self, done, total, what):
        from tqdm.auto import tqdm
        since = self._since
        self._end_bar()
        self._what = what
        # A sweep reports after each point, so the bar opens after the first: it starts at done − 1
        # (a resumed sweep part-way) and its clock at the phase's start, so the rate, and the time
        # left, count the first point's time. smoothing=0: the mean rate over the phase, as points
        # differ in cost and a sweep's last few say little about the rest.
        self._bar = tqdm(total=total, initial=max(done - 1, 0), desc=f"{self.name}{': ' + what.strip() if what else ''}",
                         unit=self.unit, file=sys.stderr, dynamic_ncols=True, leave=True, smoothing=0,
                         mininterval=0, miniters=1)  # reports are seconds apart: draw each one
        if done > 0:
            self._bar.start_t = self._bar.last_print_t = since
        if self.ticking:
            # The thread gets this bar's own stop event: _end_bar replaces self._stop for the next bar.
            threading.Thread(target=self._tick, args=(self._bar, self._stop), daemon=True).start()

    @staticmethod
    def _tick(bar, stop):
        while not stop.wait(1.0):
            bar.refresh()

    def _end_bar(self):
        if self._bar is not None:
            self._stop.set()
            self._bar.close()
            self._bar = None
            self._stop = threading.Event()

    def close(self) -> None:
        global _open
        if self._closed:
            return
        self._closed = True
        _open -= 1
        self._end_bar()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
