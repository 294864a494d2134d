"""One stance phase (touchdown to toe-off) of the muscle-driven leg."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from . import _core
from ._validate import as_bool, as_float, as_float_array
from .errors import InputError, SimulationError

__all__ = ["Touchdown", "StanceResult", "simulate_stance", "default_excitation"]


#: The C++ touchdown state's defaults (include/legsim/sim/simulate.hpp, TouchdownState): Touchdown's
#: defaults are read off it, so the two cannot differ.
_CORE_TOUCHDOWN = _core.TouchdownState()


@dataclass
class Touchdown:
    """Posture (rad) and velocities (m/s, rad/s) at touchdown; the hip height is set so the lowest
    foot point just touches the ground. Defaults: those of the C++ ``TouchdownState``.
    ``activations``: dict muscle → activation (a muscle not given: its ``min_activation``)."""
    trunk_lean: float = _CORE_TOUCHDOWN.trunk_lean
    hip_flexion: float = _CORE_TOUCHDOWN.hip_flexion
    knee_flexion: float = _CORE_TOUCHDOWN.knee_flexion
    ankle_dorsiflexion: float = _CORE_TOUCHDOWN.ankle_dorsiflexion
    hip_velocity_x: float = _CORE_TOUCHDOWN.hip_velocity_x
    hip_velocity_y: float = _CORE_TOUCHDOWN.hip_velocity_y
    trunk_angular_velocity: float = _CORE_TOUCHDOWN.trunk_angular_velocity
    hip_angular_velocity: float = _CORE_TOUCHDOWN.hip_angular_velocity
    knee_angular_velocity: float = _CORE_TOUCHDOWN.knee_angular_velocity
    ankle_angular_velocity: float = _CORE_TOUCHDOWN.ankle_angular_velocity
    activations: dict = field(default_factory=dict)

    def _to_core(self, model) -> "_core.TouchdownState":
        td = _core.TouchdownState()
        for f in fields(self):
            if f.name != "activations":
                setattr(td, f.name, as_float(f"touchdown.{f.name}", getattr(self, f.name)))
        if self.activations:
            names = model.muscle_names
            unknown = set(self.activations) - set(names)
            if unknown:
                raise InputError(f"touchdown.activations: unknown muscle(s) {sorted(unknown)}; the model has {', '.join(names)}")
            # A muscle not given starts at its minimum activation, as with no activations at all (C++).
            td.activations = [float(self.activations[n]) if n in self.activations
                              else model.param(f"muscles.{n}.min_activation") for n in names]
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


#: Feedforward levels of default_excitation by muscle role (model-file tag), in order of precedence:
#: calf and knee extensors carry the stance, hip extensors act early (teaching values, not fitted).
_EXCITATION_BY_TAG = (("calf", 0.5), ("knee_extensor", 0.4), ("hip_extensor", 0.2))
_REST_EXCITATION = 0.05


def stance_integrator(integrator) -> _core.StanceIntegrator:
    """The stance integration method a name gives (``"stiff_switching"`` or ``"dormand_prince"``)."""
    methods = _core.StanceIntegrator.__members__
    if not isinstance(integrator, str) or integrator not in methods:
        raise InputError(f"integrator: expected one of {', '.join(repr(k) for k in methods)}, got {integrator!r}")
    return methods[integrator]


def default_excitation(model) -> dict:
    """A simple open-loop feedforward pattern for teaching: muscle → (times s, levels). Calf and
    knee-extensor (quadriceps) muscles active through stance, hip extensors early, everything else
    near rest; muscles are found by their role tags in the model file, not by name."""
    def level(m):
        tags = model.muscle_tags(m)
        return next((lv for tag, lv in _EXCITATION_BY_TAG if tag in tags), _REST_EXCITATION)
    return {m: ([0.0, 0.15, 0.3], [level(m), level(m), 0.02]) for m in model.muscle_names}


def simulate_stance(model, touchdown: Touchdown | None = None, excitation=None, *, controller=None,
                    capacity_factors=None, rtol: float | None = None, atol: float | None = None,
                    record: bool = True, integrator: str = "stiff_switching") -> StanceResult:
    """Simulates one stance from ``touchdown`` to toe-off.

    ``excitation``: a dict muscle → (times, levels) of piecewise-linear feedforward excitation (runs
    entirely in C++ and releases the GIL), or a callable ``e(t, state) -> array`` of per-muscle
    excitations (called from the integrator; slower). Default: :func:`default_excitation`.
    ``controller``: instead of ``excitation``, the stance controller (feedforward + reflexes, evaluated
    in C++): a dict of control settings named as the columns of :func:`legsim.simulate_stances`
    (``legsim.control_columns(model)``, e.g. ``{"muscles.soleus.level": 0.6}``); a setting not given
    is the model's own, so ``{}`` is the model's controller. With it, a muscle missing from
    ``capacity_factors`` keeps the model's own factor.
    ``capacity_factors``: dict muscle → force-capacity factor in (0, 1] (fatigue).
    ``integrator``: ``"stiff_switching"`` (default: Dormand–Prince, a Rosenbrock–W step while the
    stance is stiff; docs/decisions.md, "faster stance") or ``"dormand_prince"`` throughout (the
    batch engine's method: the two paths then agree to what they achieve).
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
    method = stance_integrator(integrator)
    if controller is not None:
        res = _controller_stance(model, touchdown or Touchdown(), excitation, controller, capacity_factors,
                                 r_tol, a_tol, record, method)
    else:
        res = _excitation_stance(model, td, excitation, caps, r_tol, a_tol, record, method)
    ts = pd.DataFrame(res.series) if res.ok and record else pd.DataFrame()
    return StanceResult(converged=res.ok, status=res.status, message=res.message, metrics=dict(res.metrics),
                        timeseries=ts, steps=res.steps, rhs_evaluations=res.rhs_evaluations)


def _excitation_stance(model, td, excitation, caps, rtol, atol, record, method):
    """The stance under an open-loop excitation: a feedforward dict (C++) or a Python callable."""
    names = model.muscle_names
    if excitation is None:
        excitation = default_excitation(model)
    if callable(excitation):
        return _core.simulate_stance_callback(model, td, excitation, caps, rtol, atol, record, method)
    if not isinstance(excitation, dict):
        raise InputError(f"excitation: expected a dict muscle -> (times, levels) or a callable, got {type(excitation).__name__}")
    unknown = set(excitation) - set(names)
    if unknown:
        raise InputError(f"excitation: unknown muscle(s) {sorted(unknown)}; the model has {', '.join(names)}")
    times, levels = [], []
    for n in names:
        t, l = excitation.get(n, ([0.0], [0.01]))
        times.append([float(x) for x in as_float_array(f"excitation[{n}].times", t).ravel()])
        levels.append([float(x) for x in as_float_array(f"excitation[{n}].levels", l, lo=0.0, hi=1.0).ravel()])
    return _core.simulate_stance_feedforward(model, td, times, levels, caps, rtol, atol, record, method)


def _controller_stance(model, touchdown: Touchdown, excitation, controller, capacity_factors, rtol, atol, record,
                       method):
    """The controller-driven stance: the inputs go through the batch API's columns (one row), so both
    paths read a touchdown and a controller the same way."""
    if excitation is not None:
        raise InputError("excitation and controller: give one of them, not both")
    if not isinstance(controller, dict):
        raise InputError(f"controller: expected a dict of control settings, got {type(controller).__name__}")
    td = {f.name: getattr(touchdown, f.name) for f in fields(touchdown) if f.name != "activations"}
    td.update({f"activations.{m}": a for m, a in touchdown.activations.items()})
    def one_row(d):
        return {k: np.atleast_1d(v) for k, v in d.items()}
    return _core.simulate_stance_controller(model, one_row(td), one_row(controller), one_row(capacity_factors or {}),
                                            rtol, atol, record, method)
