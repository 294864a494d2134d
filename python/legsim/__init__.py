"""legsim — muscle-driven planar running-leg simulation: stance dynamics and patellofemoral joint load.

Quick tour::

    import legsim
    legsim.curves.active_force_length([0.8, 1.0, 1.2])
    model = legsim.Model.default()
    res = legsim.simulate_stance(model)
    res.metrics["peak_pfj_force_bw"], res.timeseries.head()
    batch = legsim.simulate_stances(model, {"hip_flexion": [0.45, 0.5, 0.55]}, threads=2)  # batch engine
    gait = legsim.simulate(model, legsim.Condition(speed=3.5, cadence=170))   # gait prediction
    quick = legsim.simulate(model, legsim.Condition(speed=3.5, cadence=170), method="matching")
"""
from __future__ import annotations

from . import _core
from . import curves
from .errors import Error, InputError, ModelFileError, SimulationError
from .muscle import MuscleTendon, muscle_path
from .stance import StanceResult, Touchdown, default_excitation, simulate_stance
from .batch import StanceBatchResult, control_columns, simulate_stances, touchdown_columns
from .teaching import calf_raise_moments
from .gait import Condition, GaitResult, simulate, volume_effort_weights
from .sweep import sweep
from .predict import PredictionResult, Predictor, predict
from .plausibility import PUBLISHED_RANGES, STRIDE_RANGES, plausibility_table

Model = _core.Model
__version__ = _core.__version__


def build_info() -> dict:
    """How this legsim was built and what it runs on (a copy of ``legsim._core.build_info``):
    ``version``, ``compiler``, and the batch engine's SIMD target in use — ``simd_target`` (its
    name), ``instruction_set`` (xsimd's name, e.g. ``"avx512bw"``) and ``simd_lanes`` — chosen at
    import as the widest of ``simd_targets`` (each: ``name``, ``instruction_set``, ``lanes``,
    ``supported`` by this CPU) that this CPU runs. The environment variable ``LEGSIM_SIMD=<name>``
    (e.g. ``sse2``) forces another; one this build or CPU does not have fails the import."""
    import copy
    return copy.deepcopy(_core.build_info)

#: What needs an extra (legsim[plot]: matplotlib, Pillow) loads on first use, so that ``import legsim``
#: imports no plotting, Dask or netCDF library (issue 21.8; legsim._extras): the ``legsim.plot``
#: module, and the ``legsim.animate`` function (from the private ``_animate`` module: a public module
#: of that name would replace the function on the package once imported).
_LAZY = {"plot": (".plot", None), "animate": ("._animate", "animate")}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        module, attribute = _LAZY[name]
        value = importlib.import_module(module, __name__)
        if attribute is not None:
            value = getattr(value, attribute)
            globals()[name] = value  # cached: the next lookup does not come here
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Error", "InputError", "ModelFileError", "SimulationError", "Model", "MuscleTendon", "muscle_path", "curves",
    "Condition", "GaitResult", "simulate", "predict", "Predictor", "PredictionResult", "volume_effort_weights", "sweep", "Touchdown", "StanceResult", "simulate_stance", "default_excitation", "simulate_stances", "StanceBatchResult", "touchdown_columns", "control_columns", "calf_raise_moments", "PUBLISHED_RANGES", "STRIDE_RANGES", "plausibility_table",
    "plot", "animate", "build_info", "__version__",
]
