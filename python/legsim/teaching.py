"""Teaching demonstrations on the model's own muscles and geometry."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _core
from ._validate import as_float_array, as_float
from .errors import InputError
from .muscle import MuscleTendon

__all__ = ["calf_raise_moments"]


def calf_raise_moments(model, ankle_dorsiflexion_deg=None, knee_flexion_deg=(0.0, 90.0), *,
                       activation: float = 1.0, hip_flexion_deg: float = 0.0) -> pd.DataFrame:
    """Isometric plantarflexion moment (N·m) that the calf muscles (tagged "calf" in the model file:
    soleus and gastrocnemius in the default model) can produce at full activation, over ankle
    angles, with the knee straight and bent.

    The gastrocnemius also crosses the knee: bending the knee shortens it until it goes slack and its
    moment collapses, while the soleus is unaffected — why seated (knee-bent) calf raises train the
    soleus. Geometry and strengths are the model's (Geyer & Herr 2010 paths). One row per
    (knee angle, ankle angle).
    """
    if ankle_dorsiflexion_deg is None:
        ankle_dorsiflexion_deg = np.linspace(-30.0, 20.0, 26)
    ankles = as_float_array("ankle_dorsiflexion_deg", ankle_dorsiflexion_deg, lo=-60.0, hi=40.0).ravel()
    knees = as_float_array("knee_flexion_deg", knee_flexion_deg, lo=0.0, hi=150.0).ravel()
    a = as_float("activation", activation, lo=0.0, hi=1.0)
    hip = np.radians(as_float("hip_flexion_deg", hip_flexion_deg, lo=-30.0, hi=120.0))
    rows = []
    calf = [m for m in model.muscle_names if "calf" in model.muscle_tags(m)]
    if not calf:
        raise InputError("calf_raise_moments: the model has no muscle tagged \"calf\" (model file: muscles.<name>.tags)")
    units = {m: MuscleTendon.from_model(model, m) for m in calf}
    for knee in knees:
        for ankle in ankles:
            row = {"knee_flexion_deg": knee, "ankle_dorsiflexion_deg": ankle}
            for name, unit in units.items():
                length, arms, _ = _core.muscle_path(model, name, hip, np.radians(knee), np.radians(ankle))
                eq = unit.equilibrium(length, 0.0, a)
                row[f"{name}_mtu_length_m"] = length
                row[f"{name}_force_n"] = eq["tendon_force"]
                row[f"{name}_norm_fiber_length"] = eq["norm_fiber_length"]
                # Plantarflexion moment = −(moment about +dorsiflexion).
                row[f"{name}_plantarflexion_moment_nm"] = -arms[2] * eq["tendon_force"]
            rows.append(row)
    return pd.DataFrame(rows)
