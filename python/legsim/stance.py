"""One stance phase (touchdown to toe-off) of the muscle-driven leg."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import _core
from ._validate import as_bool, as_float, as_float_array
from .errors import InputError, SimulationError

__all__ = ["Touchdown", "StanceResult", "simulate_stance", "default_excitation"]


@dataclass
class Touchdown:
    """Posture (rad) and velocities (m/s, rad/s) at touchdown; the hip height is set so the lowest
    foot point just touches the ground. ``activations``: dict muscle → activation (default minimum)."""
    trunk_lean: float = 0.1
    hip_flexion: float = 0.45
    knee_flexion: float = 0.3
    ankle_dorsiflexion: float = -0.05
    hip_velocity_x: float = 3.5
    hip_velocity_y: float = -0.5
    trunk_angular_velocity: float = 0.0
    hip_angular_velocity: float = -3.0
    knee_angular_velocity: float = 0.0
    ankle_angular_velocity: float = 0.0
    activations: dict = field(default_factory=dict)

    def _to_core(self, model) -> "_core.TouchdownState":
        td = _core.TouchdownState()
        for k in ("trunk_lean", "hip_flexion", "knee_flexion", "ankle_dorsiflexion", "hip_velocity_x",
                  "hip_velocity_y", "trunk_angular_velocity", "hip_angular_velocity", "knee_angular_velocity",
                  "ankle_angular_velocity"):
            setattr(td, k, as_float(f"touchdown.{k}", getattr(self, k)))
        if self.activations:
            names = model.muscle_names
            unknown = set(self.activations) - set(names)
            if unknown:
                raise InputError(f"touchdown.activations: unknown muscle(s) {sorted(unknown)}; the model has {', '.join(names)}")
            td.activations = [float(self.activations.get(n, 0.01)) for n in names]
        return td


@dataclass
class StanceResult:
    """Outcome of one stance. ``converged`` is False when the run failed numerically; ``message`` then
    says why and ``metrics`` is empty (never numbers from a failed run)."""
    converged: bool
    status: str
    message: str
    metrics: dict
    timeseries: pd.DataFrame
    steps: int = 0
    rhs_evaluations: int = 0

    def raise_if_failed(self) -> "StanceResult":
        if not self.converged:
            raise SimulationError(self.message)
        return self


def default_excitation(model) -> dict:
    """A simple open-loop feedforward pattern for teaching: muscle → (times s, levels). Calf and
    quadriceps active through stance, hip extensors early, everything else near rest."""
    levels = {"soleus": 0.5, "gastrocnemius": 0.5, "quadriceps": 0.4, "hamstrings": 0.2, "gluteus": 0.2}
    return {m: ([0.0, 0.15, 0.3], [levels.get(m, 0.05), levels.get(m, 0.05), 0.02]) for m in model.muscle_names}


def simulate_stance(model, touchdown: Touchdown | None = None, excitation=None, *, capacity_factors=None,
                    rtol: float | None = None, atol: float | None = None, record: bool = True) -> StanceResult:
    """Simulates one stance from ``touchdown`` to toe-off.

    ``excitation``: a dict muscle → (times, levels) of piecewise-linear feedforward excitation (runs
    entirely in C++ and releases the GIL), or a callable ``e(t, state) -> array`` of per-muscle
    excitations (called from the integrator; slower). Default: :func:`default_excitation`.
    ``capacity_factors``: dict muscle → force-capacity factor in (0, 1] (fatigue).
    """
    if not isinstance(model, _core.Model):
        raise InputError(f"model: expected a legsim.Model, got {type(model).__name__}")
    if touchdown is not None and not isinstance(touchdown, Touchdown):
        raise InputError(f"touchdown: expected a legsim.Touchdown, got {type(touchdown).__name__}")
    if capacity_factors is not None and not isinstance(capacity_factors, dict):
        raise InputError(f"capacity_factors: expected a dict muscle -> factor in (0, 1], got {type(capacity_factors).__name__}")
    record = as_bool("record", record)
    names = model.muscle_names
    td = (touchdown or Touchdown())._to_core(model)
    caps = []
    if capacity_factors:
        unknown = set(capacity_factors) - set(names)
        if unknown:
            raise InputError(f"capacity_factors: unknown muscle(s) {sorted(unknown)}; the model has {', '.join(names)}")
        caps = [as_float(f"capacity_factors[{n}]", capacity_factors.get(n, 1.0), lo=0.0, hi=1.0, lo_open=True) for n in names]
    r_tol = 0.0 if rtol is None else as_float("rtol", rtol, lo=0.0, hi=1e-2, lo_open=True)
    a_tol = 0.0 if atol is None else as_float("atol", atol, lo=0.0, hi=1e-2, lo_open=True)
    if excitation is None:
        excitation = default_excitation(model)
    if callable(excitation):
        res = _core.simulate_stance_callback(model, td, excitation, caps, r_tol, a_tol, record)
    elif isinstance(excitation, dict):
        unknown = set(excitation) - set(names)
        if unknown:
            raise InputError(f"excitation: unknown muscle(s) {sorted(unknown)}; the model has {', '.join(names)}")
        times, levels = [], []
        for n in names:
            t, l = excitation.get(n, ([0.0], [0.01]))
            times.append([float(x) for x in as_float_array(f"excitation[{n}].times", t).ravel()])
            levels.append([float(x) for x in as_float_array(f"excitation[{n}].levels", l, lo=0.0, hi=1.0).ravel()])
        res = _core.simulate_stance_feedforward(model, td, times, levels, caps, r_tol, a_tol, record)
    else:
        raise InputError(f"excitation: expected a dict muscle -> (times, levels) or a callable, got {type(excitation).__name__}")
    ts = pd.DataFrame(res.series) if res.ok and record else pd.DataFrame()
    return StanceResult(converged=res.ok, status=res.status, message=res.message, metrics=dict(res.metrics),
                        timeseries=ts, steps=res.steps, rhs_evaluations=res.rhs_evaluations)
