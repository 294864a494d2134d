"""Input checks shared by the Python front: every message names the argument, the value and the
allowed range, and every failure raises :class:`legsim.InputError` (a ``ValueError``)."""
from __future__ import annotations

import numbers

import numpy as np

from .errors import InputError


def as_float_array(name: str, value, *, lo: float | None = None, hi: float | None = None,
                   lo_open: bool = False, hi_open: bool = False) -> np.ndarray:
    """``value`` as a float ndarray; raises InputError for non-numeric, non-finite or out-of-range input."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: expected a number or an array of numbers, got {type(value).__name__}") from exc
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InputError(f"{name} = {arr[bad].flat[0]} is out of range: allowed a finite number")
    if lo is not None:
        below = arr <= lo if lo_open else arr < lo
        if below.any():
            raise InputError(f"{name} = {arr[below].flat[0]:g} is out of range: allowed "
                             f"{'(' if lo_open else '['}{lo:g}, {hi if hi is not None else 'inf'}{')' if hi_open or hi is None else ']'}")
    if hi is not None:
        above = arr >= hi if hi_open else arr > hi
        if above.any():
            raise InputError(f"{name} = {arr[above].flat[0]:g} is out of range: allowed "
                             f"{'(' if lo_open else '['}{lo if lo is not None else '-inf'}, {hi:g}{')' if hi_open else ']'}")
    return arr


def as_float(name: str, value, **kw) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise InputError(f"{name}: expected a number, got {type(value).__name__}")
    return float(as_float_array(name, value, **kw))


def restore(arr: np.ndarray, like):
    """Returns a Python float when the input was a scalar, else the array."""
    return float(arr) if np.ndim(like) == 0 and not isinstance(like, np.ndarray) else arr


def as_bool(name: str, value) -> bool:
    """``value`` as a bool; raises InputError unless it is True or False (numpy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def as_int(name: str, value, *, lo: int | None = None, hi: int = 2**31 - 1) -> int:
    """``value`` as an int (Python or numpy integer; bools and floats are refused, so a typo like
    ``max_evaluations="abc"`` or ``2.5`` is an InputError naming the argument, not a TypeError)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise InputError(f"{name}: expected an integer, got {type(value).__name__} {value!r}")
    if (lo is not None and value < lo) or value > hi:
        raise InputError(f"{name} = {value} is out of range: allowed [{lo if lo is not None else -hi - 1}, {hi}]")
    return int(value)
