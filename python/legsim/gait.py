"""Running conditions, ``simulate`` (the gait at a condition: predicted by default, or matched), and
the stance-only gait matching (docs/gait_matching.md)."""
from __future__ import annotations

import inspect
import numbers
import time
from dataclasses import dataclass, field

import pandas as pd

from . import _core
from ._validate import as_bool, as_float, as_float_array, as_int
from .errors import InputError

__all__ = ["Condition", "GaitResult", "simulate", "match", "METHODS"]

_STRIKES = {"rearfoot": _core.FootStrike.rearfoot, "midfoot": _core.FootStrike.midfoot,
            "forefoot": _core.FootStrike.forefoot}


class Condition:
    """A running condition: any two of ``speed`` (m/s), ``cadence`` (steps/min), ``step_length`` (m),
    ``stride_length`` (m, two steps); ``calf_fatigue`` φ ∈ [0, 0.9] and ``calf_fatigue_split``, how φ
    divides among the calf muscles (each keeps the contractile capacity 1 − φ·wᵢ): ``"fiber_type"``
    (default; wᵢ from fast-twitch fractions, the most fatigable = 1), ``"equal"`` (wᵢ = 1), or a dict
    ``{"soleus": w, "gastrocnemius": w}`` (or the string ``"soleus=0.5,gastrocnemius=1"``; unnamed calf
    muscles 0) — the split decides the sign of the fatigue effect on PFJ load, so results record it;
    ``fatigue_override``, a dict muscle → φ_i, replaces φ·wᵢ for the named muscles; ``foot_strike``
    "rearfoot" / "midfoot" / "forefoot" or a touchdown ankle dorsiflexion angle in degrees; optional ``body_mass`` (kg) and ``height`` (m).

    Validated at construction: a missing, redundant or inconsistent combination, or a value out of
    range, raises :class:`legsim.InputError` naming what was given. Speed, cadence and step length,
    whether given or derived, must lie in running ranges: 1.5–7 m/s, 120–240 steps/min, 0.4–2.5 m
    (the model's distance-running scope; sources in src/gait/condition.cpp). Conditions pickle.
    """

    __slots__ = ("speed", "cadence", "step_length", "stride_length", "calf_fatigue", "calf_fatigue_split",
                 "foot_strike", "fatigue_override", "body_mass", "height", "_resolved")

    def __init__(self, *, speed=None, cadence=None, step_length=None, stride_length=None, calf_fatigue=0.0,
                 foot_strike="rearfoot", fatigue_override=None, body_mass=None, height=None,
                 calf_fatigue_split="fiber_type"):
        def opt(name, v):
            return None if v is None else as_float(f"condition.{name}", v)
        self.speed = opt("speed", speed)
        self.cadence = opt("cadence", cadence)
        self.step_length = opt("step_length", step_length)
        self.stride_length = opt("stride_length", stride_length)
        self.calf_fatigue = as_float("condition.calf_fatigue", calf_fatigue)
        self.calf_fatigue_split = _split_text(calf_fatigue_split)
        if isinstance(foot_strike, str):
            if foot_strike not in _STRIKES:
                raise InputError(f"condition.foot_strike = {foot_strike!r} is out of range: allowed 'rearfoot', "
                                 "'midfoot', 'forefoot' or a touchdown ankle angle in degrees")
            self.foot_strike = foot_strike
        else:
            self.foot_strike = as_float("condition.foot_strike (touchdown ankle angle, deg)", foot_strike)
        self.fatigue_override = {str(k): as_float(f"condition.fatigue_override.{k}", v)
                                 for k, v in (fatigue_override or {}).items()}
        self.body_mass = opt("body_mass", body_mass)
        self.height = opt("height", height)
        self._resolved = _core.resolve_condition(self._to_core())

    def _to_core(self) -> "_core.GaitCondition":
        c = _core.GaitCondition()
        c.speed, c.cadence, c.step_length, c.stride_length = self.speed, self.cadence, self.step_length, self.stride_length
        c.calf_fatigue = self.calf_fatigue
        c.calf_fatigue_split = self.calf_fatigue_split
        c.fatigue_override = self.fatigue_override
        if isinstance(self.foot_strike, str):
            c.foot_strike = _STRIKES[self.foot_strike]
        else:
            c.foot_strike = _core.FootStrike.ankle_angle
            c.touchdown_ankle_angle_deg = self.foot_strike
        c.body_mass, c.height = self.body_mass, self.height
        return c

    @property
    def resolved(self) -> dict:
        """Speed, cadence, step length and step time, completed from the two given."""
        r = self._resolved
        return {"speed": r.speed, "cadence": r.cadence, "step_length": r.step_length, "step_time": r.step_time}

    def replace(self, **changes) -> "Condition":
        kw = {k: getattr(self, k) for k in self.__slots__ if not k.startswith("_")}
        kw.update(changes)
        return Condition(**kw)

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__ if not k.startswith("_")}

    def __setstate__(self, state):
        self.__init__(**state)

    def __eq__(self, other):
        return isinstance(other, Condition) and self.__getstate__() == other.__getstate__()

    def __repr__(self):
        given = ", ".join(f"{k}={v!r}" for k, v in self.__getstate__().items()
                          if (v not in (None, {}, 0.0) or k == "calf_fatigue")
                          and not (k == "calf_fatigue_split" and v == "fiber_type"))
        return f"Condition({given})"


def _split_text(split) -> str:
    """The canonical text of a calf-fatigue split ("fiber_type", "equal" or "name=w,...")."""
    if isinstance(split, dict):
        if not split:
            raise InputError("condition.calf_fatigue_split: an empty dict; give {muscle: weight in [0, 1]}, "
                             "'fiber_type' or 'equal'")
        parts = []
        for name, w in sorted(split.items()):
            parts.append(f"{name}={as_float(f'condition.calf_fatigue_split.{name}', w)!r}")
        split = ",".join(parts)
    if not isinstance(split, str):
        raise InputError(f"condition.calf_fatigue_split = {split!r} is out of range: allowed 'fiber_type', 'equal' "
                         "or a dict {muscle: weight in [0, 1]}")
    c = _core.GaitCondition()
    c.calf_fatigue_split = split  # parses and range-checks; InputError otherwise
    return c.calf_fatigue_split


@dataclass
class GaitResult:
    """A matched stance. ``converged`` False means no periodic gait was found: ``message`` says why,
    ``metrics`` is empty and ``residuals`` show how far it got."""
    converged: bool
    message: str
    metrics: dict
    residuals: dict
    solution: dict
    timeseries: pd.DataFrame = field(repr=False)
    evaluations: int = 0
    #: the condition matched (its ``calf_fatigue_split`` says how fatigue was divided)
    condition: "Condition | None" = None
    #: contractile capacity of each muscle under the condition's fatigue (1 = unfatigued)
    capacity: dict = field(default_factory=dict)
    #: method, status (= message), iterations (stance evaluations), seconds (wall time)
    solver: dict = field(default_factory=dict)


def _check_model(model):
    if not isinstance(model, _core.Model):
        raise InputError(f"model: expected a legsim.Model, got {type(model).__name__}")


def foot_velocity(value) -> tuple[float, float]:
    """A stated touchdown foot velocity (forward, up) in m/s as two floats; InputError otherwise."""
    v = as_float_array("touchdown_foot_velocity", value).ravel()
    if v.size != 2:
        raise InputError(f"touchdown_foot_velocity: expected (forward, up) in m/s, got {v.size} values")
    return float(v[0]), float(v[1])


#: The gait models of :func:`simulate` and :func:`legsim.sweep`.
METHODS = ("predict", "matching")


def simulate(model, condition: Condition, *, method: str = "predict", warm_start=None, record: bool = True,
             **options):
    """The running gait of ``model`` at ``condition``: its metrics (from the stance) and time series.

    ``method="predict"`` (default): gait prediction by direct collocation, :func:`legsim.predict` —
    the whole step, both legs, every muscle's excitation free at every mesh node (docs/gait_prediction.md).
    Returns a :class:`legsim.PredictionResult`; its ``metrics`` keep every key of gait matching, read
    off the right leg's stance, plus stride keys (``flight_time_s``, ``swing_peak_knee_flexion_deg``,
    ``hip_flexion_at_contact_deg``, ``peak_ankle_dorsiflexion_deg``, both legs' work over the step
    ``<joint>_{positive,negative}_work_step_j_per_kg``, ``contact_work_step_j_per_kg``,
    ``peak_reserve_fraction``). ``options`` are those of :func:`legsim.predict` (``mesh_intervals``,
    ``volume_weighted_effort``, ``max_iterations``, …); ``warm_start`` a previous PredictionResult.
    Seconds to minutes per call.

    ``method="matching"``: the stance-only gait matching (docs/gait_matching.md), milliseconds to
    seconds per call; returns a :class:`GaitResult`. ``options``: ``max_evaluations``,
    ``max_stances``, ``touchdown_hip_angular_velocity``, ``touchdown_knee_angular_velocity``,
    ``touchdown_foot_velocity``, ``periodic_trunk_lean``, ``threads`` (see :func:`match`);
    ``warm_start`` a dict or list of the gait variables.

    Either result has ``converged``, ``message``, ``metrics``, ``solver`` (a dict: ``method``,
    ``status``, ``iterations``, ``seconds``, …), ``timeseries``, ``condition`` and ``capacity``. A
    failure is ``converged`` False with the solver's status and reason in ``message``, empty
    ``metrics`` and an empty ``timeseries``; ``record=False`` also leaves the time series empty.
    An unknown method or an option of the other method raises :class:`legsim.InputError`."""
    if method not in METHODS:
        raise InputError(f"method = {method!r} is out of range: allowed {', '.join(repr(m) for m in METHODS)}")
    record = as_bool("record", record)
    if method == "matching":
        _check_options("matching", options)
        return match(model, condition, warm_start=warm_start, record=record, **options)
    from .predict import predict
    _check_options("predict", options)
    res = predict(model, condition, warm_start=warm_start, **options)
    if not record:
        res.timeseries = pd.DataFrame()
    return res


def _options_of(method: str) -> list[str]:
    """The keyword options of a method's solver (legsim.predict or match), warm start and record aside."""
    if method == "predict":
        from .predict import predict as function
    else:
        function = match
    return [n for n, p in inspect.signature(function).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and n not in ("warm_start", "record")]


def _check_options(method: str, options) -> None:
    """InputError unless every name in ``options`` is an option of ``method``, naming the method the
    others belong to."""
    allowed = _options_of(method)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        other = next(m for m in METHODS if m != method)
        theirs = [n for n in unknown if n in _options_of(other)]
        hint = f"; {', '.join(theirs)} {'is an option' if len(theirs) == 1 else 'are options'} of method={other!r}" if theirs else ""
        raise InputError(f"{', '.join(unknown)}: not an option of method={method!r} (its options: "
                         f"{', '.join(allowed)}){hint}")


def match(model, condition: Condition, *, warm_start=None, max_evaluations: int | None = None,
          max_stances: int | None = None, record: bool = True,
          touchdown_hip_angular_velocity: float | None = None,
          touchdown_knee_angular_velocity: float | None = None,
          touchdown_foot_velocity: tuple[float, float] | None = None,
          periodic_trunk_lean: bool = False, threads: int | None = None) -> GaitResult:
    """Matches a periodic running stance to ``condition`` (gait matching) and returns its metrics
    and time series: ``simulate(model, condition, method="matching", ...)``. The C++ work releases
    the GIL.

    ``touchdown_hip_angular_velocity`` (rad/s, default −3: swing-leg retraction) and
    ``touchdown_knee_angular_velocity`` (rad/s, default 0; > 0 = flexing) are the swing leg's stated
    inputs at touchdown, not matched; both in [−20, 20]. ``touchdown_foot_velocity`` = (forward, up)
    (m/s, each in [−10, 10]) states instead the velocity of the foot point that lands first; the hip
    and knee rates are then solved from it for every candidate, so it cannot be combined with them.

    ``periodic_trunk_lean``: also require the trunk lean at toe-off to return to its touchdown value
    (within 1°), a fifth periodicity condition beyond the four on the centre of mass
    (docs/gait_matching.md). Either way the change is reported as ``residuals["trunk_lean_change_rad"]``.

    ``threads``: worker threads of the C++ batch engine that evaluates the candidate stances, ≥ 1;
    default None = every hardware thread. Give 1 when running many matchings in parallel processes
    (as ``legsim.sweep`` users with a process pool should), so N processes do not each start N
    threads. The result does not depend on it."""
    _check_model(model)
    if not isinstance(condition, Condition):
        raise InputError(f"condition: expected a legsim.Condition, got {type(condition).__name__}")
    o = _core.MatchingOptions()
    if max_evaluations is not None:
        o.max_evaluations = as_int("max_evaluations", max_evaluations, lo=0)
    if max_stances is not None:
        o.max_stances = as_int("max_stances", max_stances, lo=1)
    o.threads = 0 if threads is None else as_int("threads", threads, lo=1)  # C++: 0 = all hardware threads
    o.record = as_bool("record", record)
    o.periodic_trunk_lean = as_bool("periodic_trunk_lean", periodic_trunk_lean)
    for name, value in (("touchdown_hip_angular_velocity", touchdown_hip_angular_velocity),
                        ("touchdown_knee_angular_velocity", touchdown_knee_angular_velocity)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise InputError(f"{name}: expected a number (rad/s), got {type(value).__name__}")
            setattr(o, name, float(value))  # the range, NaN included, is checked in C++
    if touchdown_foot_velocity is not None:
        if touchdown_hip_angular_velocity is not None or touchdown_knee_angular_velocity is not None:
            raise InputError("touchdown_foot_velocity: give either the foot velocity or the hip/knee angular "
                             "velocities at touchdown, not both (the joint rates are solved from the foot velocity)")
        o.touchdown_foot_velocity = list(foot_velocity(touchdown_foot_velocity))
    names = _core.gait_variable_names()
    ws = None
    if warm_start is not None:
        if isinstance(warm_start, dict):
            missing = [n for n in names if n not in warm_start]
            if missing:
                raise InputError(f"warm_start: missing gait variable(s) {missing}")
            warm_start = [warm_start[n] for n in names]
        ws = [float(v) for v in as_float_array("warm_start", warm_start).ravel()]
    start = time.perf_counter()
    r = _core.match_gait(model, condition._to_core(), o, ws)
    seconds = time.perf_counter() - start
    ts = pd.DataFrame(r.stance.series) if (r.converged and record) else pd.DataFrame()
    capacity = dict(zip(model.muscle_names, _core.capacity_factors(model, condition._to_core())))
    solver = {"method": "gait matching (stance shooting, docs/gait_matching.md)", "status": r.message,
              "iterations": r.evaluations, "seconds": seconds}
    return GaitResult(converged=r.converged, message=r.message, metrics=dict(r.metrics), residuals=dict(r.residuals),
                      solution=dict(zip(names, r.solution)), timeseries=ts, evaluations=r.evaluations,
                      condition=condition, capacity=capacity, solver=solver)


def volume_effort_weights(model) -> dict:
    """Effort weights proportional to muscle volume, for ``model.with_params(...)``.

    Returns ``{"controller.muscles.<name>.effort_weight": w}`` with w ∝ F_max·l_opt (maximum
    isometric force times optimal fiber length, proportional to PCSA·l_opt, i.e. fiber volume),
    normalized to a mean of 1. Gait matching then minimizes Σ wᵢ ∫ aᵢ³ dt, in which a large muscle
    costs more per unit activation than a small one; the default (all wᵢ = 1) is the plain Σ ∫ a³ (docs/gait_matching.md)."""
    _check_model(model)
    return dict(_core.volume_effort_weights(model))
