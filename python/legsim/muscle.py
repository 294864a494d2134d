"""One Hill-type muscle–tendon unit from Python: parameters, state derivative, static equilibrium and
teaching experiments (isometric force–length, isokinetic force–velocity, quick release, ramp stretch).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._validate import as_float, as_float_array
from .errors import InputError

__all__ = ["MuscleTendon", "muscle_path"]

_JOINTS = ("hip", "knee", "ankle")


def muscle_path(model, muscle: str, angles: dict) -> tuple[float, dict]:
    """Muscle–tendon length (m) of ``muscle`` at joint ``angles`` and its moment arm (m) about each
    joint it crosses.

    ``angles``: dict joint → angle (rad) with joints ``"hip"`` (flexion), ``"knee"`` (flexion) and
    ``"ankle"`` (dorsiflexion); every joint the muscle crosses must be given (others may be). The
    moment arm about a joint is −∂l_MT/∂angle: the moment along + that angle per newton of tendon
    force (a plantarflexor's ankle arm is negative), the same geometry the simulation uses.
    """
    if not isinstance(model, _core.Model):
        raise InputError(f"model: expected a legsim.Model, got {type(model).__name__}")
    if not isinstance(muscle, str):
        raise InputError(f"muscle: expected a muscle name, got {type(muscle).__name__}")
    if not isinstance(angles, dict):
        raise InputError(f"angles: expected a dict joint → angle (rad), got {type(angles).__name__}")
    unknown = set(angles) - set(_JOINTS)
    if unknown:
        raise InputError(f"angles: unknown joint(s) {sorted(map(str, unknown))}; allowed: {', '.join(_JOINTS)}")
    q = {j: as_float(f"angles.{j}", angles.get(j, 0.0), lo=-3.2, hi=3.2) for j in _JOINTS}
    length, arms, crossed = _core.muscle_path(model, muscle, q["hip"], q["knee"], q["ankle"])
    missing = [j for j in crossed if j not in angles]
    if missing:
        raise InputError(f"angles: {muscle} crosses {', '.join(crossed)}; give {', '.join(missing)} too")
    return float(length), {j: float(arms[_JOINTS.index(j)]) for j in crossed}


# MuscleParams' numeric fields, from the schema the model-file reader and writer use (issue 20:
# the list exists once, in C++).
_NUMERIC_FIELDS = tuple(name for name, _unit in _core.muscle_parameter_fields())


class MuscleTendon:
    """A muscle–tendon unit (SI units: N, m, s, rad).

    Parameters are keyword-only and use OpenSim's names; ``tendon`` is ``"compliant"`` (tendon force
    as state) or ``"rigid"``. Every value is validated: a bad one raises :class:`legsim.InputError`
    naming the field, the value and the allowed range. Objects pickle.
    """

    def __init__(self, *, name: str = "muscle", tendon: str = "compliant", **params: float):
        unknown = set(params) - set(_NUMERIC_FIELDS)
        if unknown:
            raise InputError(f"MuscleTendon: unknown parameter(s) {sorted(unknown)}; allowed: {', '.join(_NUMERIC_FIELDS)}")
        if tendon not in ("compliant", "rigid"):
            raise InputError(f"tendon = {tendon!r} is out of range: allowed 'compliant', 'rigid'")
        p = _core.MuscleParams()
        for key, value in params.items():
            setattr(p, key, as_float(f"{name}.{key}", value))
        p.tendon = _core.TendonModel.compliant if tendon == "compliant" else _core.TendonModel.rigid
        p.validate(name)
        self._p = p
        self.name = name

    @classmethod
    def from_model(cls, model, muscle: str, capacity: float = 1.0) -> "MuscleTendon":
        """The muscle called ``muscle`` of a :class:`legsim.Model`.

        ``capacity`` ∈ (0, 1] is the contractile capacity left by fatigue (multiplying the model
        file's own): it scales the active fiber force a·fL·fV only; tendon, passive force, damping
        and every force normalized by the maximum isometric force keep the unfatigued value."""
        p = _core.muscle_params(model, muscle)
        c = as_float("capacity", capacity, lo=0.0, hi=1.0, lo_open=True)
        params = {k: getattr(p, k) for k in _NUMERIC_FIELDS}
        params["capacity_factor"] *= c
        return cls(name=muscle, tendon=p.tendon.name, **params)

    # -- parameters ------------------------------------------------------------------------------
    @property
    def params(self) -> dict:
        d = {k: getattr(self._p, k) for k in _NUMERIC_FIELDS}
        d["tendon"] = self._p.tendon.name
        return d

    @property
    def rigid(self) -> bool:
        return self._p.tendon == _core.TendonModel.rigid

    def __getattr__(self, key):
        if key in _NUMERIC_FIELDS:
            return getattr(self._p, key)
        raise AttributeError(key)

    def __repr__(self) -> str:
        return f"MuscleTendon(name={self.name!r}, " + ", ".join(f"{k}={v!r}" for k, v in self.params.items()) + ")"

    def __reduce__(self):
        params = self.params
        tendon = params.pop("tendon")
        return (_rebuild, (self.name, tendon, params))

    def __eq__(self, other) -> bool:
        return isinstance(other, MuscleTendon) and self.params == other.params and self.name == other.name

    # -- physics ---------------------------------------------------------------------------------
    def evaluate(self, mtu_length, mtu_velocity=0.0, activation=1.0, norm_tendon_force=None) -> dict:
        """Forces, lengths and velocities of the unit (dict of arrays, broadcast shapes).

        Compliant tendon: ``norm_tendon_force`` (the state) is required and the result includes its
        time derivative ``norm_tendon_force_derivative`` (1/s). Rigid tendon: it must be None.
        """
        l = as_float_array("mtu_length", mtu_length, lo=0.0, lo_open=True)
        v = as_float_array("mtu_velocity", mtu_velocity)
        a = as_float_array("activation", activation, lo=0.0, hi=1.0)
        if self.rigid:
            if norm_tendon_force is not None:
                raise InputError("norm_tendon_force: a rigid-tendon muscle has no tendon state; pass None")
            l, v, a = np.broadcast_arrays(l, v, a)
            f = np.zeros(0)
        else:
            if norm_tendon_force is None:
                raise InputError("norm_tendon_force: required for a compliant tendon (the tendon-force state)")
            f = as_float_array("norm_tendon_force", norm_tendon_force, lo=-0.2, lo_open=True)
            l, v, a, f = np.broadcast_arrays(l, v, a, f)
        shape = l.shape
        flat = [np.ascontiguousarray(x).ravel() for x in (l, v, a, f)]
        out = _core.mtu_evaluate(self._p, *flat, self.rigid)
        return {k: (float(x[0]) if shape == () else x.reshape(shape)) for k, x in out.items()}

    def state_derivative(self, mtu_length, mtu_velocity, activation, norm_tendon_force, excitation=None) -> dict:
        """d(norm_tendon_force)/dt (1/s) and, with ``excitation``, d(activation)/dt (1/s)."""
        out = {"norm_tendon_force": self.evaluate(mtu_length, mtu_velocity, activation,
                                                  norm_tendon_force)["norm_tendon_force_derivative"]}
        if excitation is not None:
            out["activation"] = self.activation_derivative(excitation, activation)
        return out

    def activation_derivative(self, excitation, activation):
        """da/dt (1/s) of De Groote's tanh-smoothed activation dynamics."""
        e = as_float_array("excitation", excitation, lo=0.0, hi=1.0)
        a = as_float_array("activation", activation, lo=0.0, hi=1.0)
        r = _core.activation_derivative(e, a, self._p.activation_time_constant, self._p.deactivation_time_constant,
                                        self._p.activation_smoothing)
        return float(r) if np.ndim(r) == 0 else r

    def equilibrium(self, mtu_length: float, mtu_velocity: float = 0.0, activation: float = 1.0) -> dict:
        """Static equilibrium: the normalized tendon force at which fiber and tendon forces balance
        (fiber velocity along the tendon = ``mtu_velocity``), with the unit's outputs there."""
        l = as_float("mtu_length", mtu_length, lo=0.0, lo_open=True)
        v = as_float("mtu_velocity", mtu_velocity)
        a = as_float("activation", activation, lo=0.0, hi=1.0)
        if self.rigid:
            out = self.evaluate(l, v, a)
            out["residual"] = 0.0
            return out
        f, residual, converged = _core.mtu_equilibrium(self._p, l, v, a)
        if not converged:
            raise InputError(f"equilibrium: no balance of fiber and tendon force found at mtu_length = {l:g} m "
                             f"(residual {residual:g})")
        out = self.evaluate(l, v, a, f)
        out["residual"] = residual
        return out

    # -- teaching experiments --------------------------------------------------------------------
    def isometric_force_length(self, mtu_lengths=None, activation: float = 1.0) -> pd.DataFrame:
        """Isometric sweep: for each muscle–tendon length, the equilibrium tendon force split into
        active and passive fiber force (one row per length)."""
        if mtu_lengths is None:
            lo = self.tendon_slack_length + 0.4 * self.optimal_fiber_length
            hi = self.tendon_slack_length * 1.04 + 1.7 * self.optimal_fiber_length
            mtu_lengths = np.linspace(lo, hi, 60)
        lengths = as_float_array("mtu_lengths", mtu_lengths, lo=0.0, lo_open=True).ravel()
        rows = [self.equilibrium(float(l), 0.0, activation) for l in lengths]
        keys = ("norm_fiber_length", "fiber_length", "tendon_length", "active_fiber_force", "passive_fiber_force",
                "tendon_force", "norm_tendon_force")
        df = pd.DataFrame({k: [r[k] for r in rows] for k in keys})
        df.insert(0, "mtu_length", lengths)
        return df

    def isokinetic_force_velocity(self, v_norm=None, activation: float = 1.0, norm_fiber_length: float = 1.0) -> pd.DataFrame:
        """Isokinetic sweep at a fixed fiber length: fiber force against normalized fiber velocity."""
        if v_norm is None:
            v_norm = np.linspace(-1.0, 1.0, 81)
        v = as_float_array("v_norm", v_norm).ravel()
        a = as_float("activation", activation, lo=0.0, hi=1.0)
        lf = as_float("norm_fiber_length", norm_fiber_length, lo=0.2, hi=1.8)
        from . import curves
        fl = curves.active_force_length(lf)
        fpe = curves.passive_force_length(lf, self.passive_fiber_strain_at_one_norm_force)
        fv = curves.force_velocity(v)
        fmax = self.max_isometric_force  # fatigue (capacity_factor) scales the active term only
        return pd.DataFrame({
            "v_norm": v,
            "fiber_velocity": v * self.max_contraction_velocity * self.optimal_fiber_length,
            "force_velocity": fv,
            "fiber_force": (self.capacity_factor * a * fl * fv + fpe) * fmax,
        })

    def simulate(self, times, mtu_lengths, excitations, *, initial_activation: float | None = None,
                 t_end: float | None = None, output_interval: float = 1e-3) -> pd.DataFrame:
        """Integrates the unit (Boost.Odeint) along a piecewise-linear length and excitation history."""
        t = as_float_array("times", times).ravel()
        l = as_float_array("mtu_lengths", mtu_lengths, lo=0.0, lo_open=True).ravel()
        e = as_float_array("excitations", excitations, lo=0.0, hi=1.0).ravel()
        a0 = float(e[0]) if initial_activation is None else as_float("initial_activation", initial_activation, lo=0.0, hi=1.0)
        t_end = float(t[-1]) if t_end is None else as_float("t_end", t_end, lo=0.0, lo_open=True)
        out = _core.simulate_mtu(self._p, t, l, e, a0, t_end, as_float("output_interval", output_interval, lo=0.0, lo_open=True))
        return pd.DataFrame(out)

    def quick_release(self, *, release_at: float = 0.3, shortening: float | None = None, duration: float = 0.6,
                      release_time: float = 0.005) -> pd.DataFrame:
        """Fully active isometric hold, then the muscle–tendon length drops by ``shortening`` (m, default
        a tenth of the optimal fiber length) within ``release_time``: the tendon recoils at once and
        the force recovers as the fiber shortens (a classic quick-release experiment)."""
        l0 = self.tendon_slack_length * 1.02 + self.optimal_fiber_length
        d = 0.1 * self.optimal_fiber_length if shortening is None else as_float("shortening", shortening, lo=0.0)
        t = [0.0, release_at, release_at + release_time, duration]
        return self.simulate(t, [l0, l0, l0 - d, l0 - d], [1.0, 1.0, 1.0, 1.0], initial_activation=1.0,
                             output_interval=min(1e-3, release_time / 5))

    def ramp_stretch(self, *, stretch: float | None = None, speed: float | None = None, hold: float = 0.2,
                     activation: float = 1.0) -> pd.DataFrame:
        """Active ramp stretch: hold, lengthen at ``speed`` (m/s) by ``stretch`` (m), hold. Eccentric force
        rises above isometric (up to ~1.8 F_max) and relaxes back once the stretch ends."""
        l0 = self.tendon_slack_length * 1.02 + self.optimal_fiber_length
        d = 0.2 * self.optimal_fiber_length if stretch is None else as_float("stretch", stretch, lo=0.0, lo_open=True)
        s = 0.5 * self.max_contraction_velocity * self.optimal_fiber_length if speed is None else \
            as_float("speed", speed, lo=0.0, lo_open=True)
        t1 = hold + d / s
        t = [0.0, hold, t1, t1 + hold]
        return self.simulate(t, [l0, l0, l0 + d, l0 + d], [activation] * 4, initial_activation=activation)


def _rebuild(name, tendon, params):
    return MuscleTendon(name=name, tendon=tendon, **params)
