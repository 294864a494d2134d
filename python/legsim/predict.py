"""Predictive running over one step by direct collocation (C++ ``legsim::predict``, CasADi + IPOPT).

The whole step is optimized — right touchdown to left touchdown, with left–right symmetry — so the
touchdown emerges from the swing; every muscle's excitation is free at every mesh node; the objective
is muscle effort per metre, or as an option the muscles' metabolic energy per metre (Bhargava et al.
2004; docs/decisions.md, "Gait prediction" and "Metabolic-energy objective")."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import _core
from ._progress import Progress
from ._validate import as_bool, as_float, as_int
from .errors import InputError
from .gait import Condition, _check_model

__all__ = ["PredictionResult", "Predictor", "predict", "available"]


def available() -> bool:
    """True when this build of legsim includes the gait prediction (it needs CasADi)."""
    return hasattr(_core, "predict_gait")


class Predictor:
    """Gait prediction for one model that keeps what it builds: the collocation problem and its exact
    derivatives (CasADi) are built once per problem structure — the model with the condition's body
    size, a foot-strike band or a given ankle angle, and the options that shape the problem
    (``mesh_intervals``, ``objective`` and its weights, ``reserve_weight``) — and reused for every
    condition: cadence, speed, step length, foot strike and calf fatigue are parameters of it. At
    the default options building takes ≈ 9 s, which :func:`predict` pays on every call;
    :func:`legsim.sweep` keeps one Predictor per model. ``predict`` takes the keywords of
    :func:`legsim.predict`. Calls on one Predictor run one at a time (C++ holds a lock)."""

    def __init__(self, model):
        if not available():
            raise InputError("Predictor: this build of legsim has no gait prediction (CasADi was not found at build time)")
        _check_model(model)
        self._model = model
        self._core = _core.Predictor(model)

    @property
    def model(self):
        return self._model

    def predict(self, condition: Condition, **options) -> "PredictionResult":
        return predict(self._model, condition, predictor=self, **options)

    def __repr__(self) -> str:
        return f"Predictor({self._core.transcriptions} problem structure(s) built)"


@dataclass
class PredictionResult:
    """A predicted running step. ``converged`` False means IPOPT did not find a solution:
    ``message`` gives IPOPT's status and what it means, ``metrics`` and ``timeseries`` are empty
    (``solver`` and ``raw`` still describe the last iterate). Pickles."""
    converged: bool
    message: str
    metrics: dict
    #: method, criterion ("effort" or "metabolic"), status, iterations, seconds (all phases), phases
    #: (each IPOPT run: hessian, status, iterations, seconds, setup_seconds), objective, objective
    #: terms (objective_<term>, summing to objective), variables_on_bounds, and metabolic_cost (the
    #: muscles' metabolic energy per kg body mass and metre, J/(kg·m), by part, whichever the criterion)
    solver: dict
    #: the whole step, both legs (columns suffixed _r / _l), one row per mesh node
    timeseries: pd.DataFrame = field(repr=False)
    condition: "Condition | None" = None
    capacity: dict = field(default_factory=dict)
    #: the C++ solution (decision variables and multipliers), for warm starts
    raw: object = field(default=None, repr=False)


def _message(g, options) -> str:
    """The status of a solve: IPOPT's status, and for a failure also why (C++ gait_message)."""
    return _core.predicted_gait_message(g, options)


def _timeseries(g) -> pd.DataFrame:
    """The whole step, one row per mesh node (C++ gait_timeseries); the stance flags as booleans."""
    cols = _core.predicted_gait_timeseries(g)
    for side in ("r", "l"):
        cols[f"stance_{side}"] = cols[f"stance_{side}"] != 0.0
    return pd.DataFrame(cols)


_OBJECTIVES = ("effort", "metabolic")
_HESSIANS = ("auto", "exact", "limited-memory")


def predict(model, condition: Condition, *, mesh_intervals: int | None = None, warm_start: "PredictionResult | None" = None,
            objective: str = "effort", metabolic_effort_weight: float = 0.1,
            volume_weighted_effort: bool = False, reserve_weight: float = 0.0, tolerance: float = 1e-4,
            max_iterations: int = 5000, starts: int = 1, hessian: str = "auto", verbose: bool = False,
            predictor: Predictor | None = None, progress: bool | None = None) -> PredictionResult:
    """Predicts one running step for ``condition`` by direct collocation (C++, GIL released).

    ``mesh_intervals``: trapezoidal intervals over the step; None = the default, 150, graded 4:1 over
    the impact (mesh-converged and forward-verified; docs/decisions.md). ``objective``: ``"effort"`` (Σ∫a³ dt per metre, the default) or ``"metabolic"`` (the muscles'
    metabolic energy per kg body mass and metre, Bhargava et al. 2004, plus ``metabolic_effort_weight``
    × the effort term). ``warm_start``: a previous result with the same model and mesh (a neighbouring
    condition), used as the initial guess; otherwise a generic running guess. ``reserve_weight`` > 0
    adds penalized reserve joint torques (reported in ``timeseries`` and
    ``metrics['peak_reserve_fraction']``).

    ``starts``: number of cold starts (generic guesses 0 … starts−1, see ``PredictOptions.start`` in
    include/legsim/predict/predict.hpp); the converged solution with the lowest objective is kept and
    ``solver['start_objectives']`` lists every start's objective (NaN where it failed). The effort
    optimum is not unique, so more starts find a lower one at the cost of one solve each. With
    ``warm_start`` the warm start is one more candidate.

    ``hessian``: ``"auto"`` (L-BFGS to tol 0.1, then the exact Hessian from there; a warm start
    that is this condition's own solution goes to the exact Hessian at once; L-BFGS again if the
    exact run fails; with ``objective="metabolic"``, a cold start first solves for the effort optimum
    and then runs L-BFGS alone on the metabolic objective from that trajectory), ``"exact"`` or
    ``"limited-memory"``;
    ``solver['phases']`` lists the IPOPT runs.

    ``predictor``: a :class:`Predictor` of this model, to reuse the problem it has built (a sweep's
    points); None builds it for this call.

    ``progress``: a bar over the solves (the warm start and each of ``starts``) with the converged
    count and time left; its elapsed time runs during a solve, whose IPOPT iterations C++ does not
    report while it runs. None (default): on a terminal or in Jupyter, and not inside a sweep's bar."""
    if not available():
        raise InputError("predict: this build of legsim has no gait prediction (CasADi was not found at build time)")
    _check_model(model)
    if predictor is not None and (not isinstance(predictor, Predictor) or predictor.model is not model):
        raise InputError("predictor: expected a legsim.Predictor built for this model (Predictor(model))")
    if not isinstance(condition, Condition):
        raise InputError(f"condition: expected a legsim.Condition, got {type(condition).__name__}")
    o = _core.PredictOptions()
    if mesh_intervals is not None:  # None: the C++ default (PredictOptions::mesh_intervals)
        o.mesh_intervals = as_int("mesh_intervals", mesh_intervals, lo=10, hi=1000)
    if not isinstance(objective, str) or objective not in _OBJECTIVES:
        raise InputError(f"objective = {objective!r} is not one of {', '.join(map(repr, _OBJECTIVES))}")
    o.objective = objective
    o.metabolic_effort_weight = as_float("metabolic_effort_weight", metabolic_effort_weight, lo=0.0, hi=1e3)
    o.volume_weighted_effort = as_bool("volume_weighted_effort", volume_weighted_effort)
    o.reserve_weight = as_float("reserve_weight", reserve_weight, lo=0.0)
    o.tolerance = as_float("tolerance", tolerance, lo=1e-12, hi=1.0)
    o.max_iterations = as_int("max_iterations", max_iterations, lo=0)
    if not isinstance(hessian, str) or hessian not in _HESSIANS:
        raise InputError(f"hessian = {hessian!r} is not one of {', '.join(map(repr, _HESSIANS))}")
    o.hessian = hessian
    n_starts = as_int("starts", starts, lo=1, hi=100)
    o.print_level = 5 if as_bool("verbose", verbose) else 0
    warm = None
    if warm_start is not None:
        if not isinstance(warm_start, PredictionResult) or warm_start.raw is None:
            raise InputError("warm_start: expected a PredictionResult from legsim.predict")
        warm = warm_start.raw
    core_cond = condition._to_core()
    # The solves: the warm start (start None), then the cold starts 0 … starts−1.
    jobs = [(None, warm)] if warm is not None else []
    if warm is None or n_starts > 1:
        jobs += [(k, None) for k in range(n_starts)]
    candidates = []
    with Progress("predict", progress, unit="solve", ticking=True) as bar:
        bar.update(0, len(jobs))  # shown from the start: building the problem alone takes seconds
        solver_core = predictor._core if predictor is not None else _core.Predictor(model)
        for start, guess in jobs:
            if start is not None:
                o.start = start
            candidates.append(solver_core.solve(core_cond, o, guess))
            bar.update(len(candidates), len(jobs), converged=sum(c.converged for c in candidates))
    converged = [c for c in candidates if c.converged]
    g = min(converged, key=lambda c: c.objective) if converged else candidates[-1]
    metrics = dict(_core.predicted_gait_metrics(model, core_cond, g)) if g.converged else {}
    solver = {"method": f"direct collocation (trapezoidal, {o.mesh_intervals} intervals, "
                        f"{o.impact_mesh_ratio:g}× finer over the first {1e3 * o.impact_window:g} ms), IPOPT",
              "criterion": objective, "status": g.status, "iterations": g.iterations, "seconds": g.seconds,
              "seconds_all_starts": sum(c.seconds for c in candidates),
              "phases": [{"hessian": p.hessian, "status": p.status, "iterations": p.iterations, "seconds": p.seconds,
                          "setup_seconds": p.setup_seconds, "objective": p.objective}
                         for p in g.phases],
              "objective": g.objective, **{f"objective_{k}": v for k, v in g.objective_terms.items()},
              "variables_on_bounds": list(g.variables_on_bounds),
              "start_objectives": [c.objective if c.converged else float("nan") for c in candidates],
              "metabolic_cost": dict(g.metabolic_cost)}
    capacity = dict(zip(model.muscle_names, _core.capacity_factors(model, core_cond)))
    return PredictionResult(converged=g.converged, message=_message(g, o), metrics=metrics, solver=solver,
                            timeseries=_timeseries(g) if g.converged else pd.DataFrame(), condition=condition,
                            capacity=capacity, raw=g)
