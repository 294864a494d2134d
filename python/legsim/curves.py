"""Hill-type muscle curves of De Groote et al. (2016, doi:10.1007/s10439-016-1591-9) as refit in
OpenSim's DeGrooteFregly2016Muscle. Every function takes a float or an ndarray and returns the same
shape; NaN or out-of-domain input raises :class:`legsim.InputError`.

Normalized quantities: ``l_norm`` = fiber length / optimal fiber length; ``v_norm`` = fiber velocity /
(max contraction velocity × optimal fiber length), shortening negative; ``l_tendon_norm`` = tendon length
/ tendon slack length; forces are normalized by the maximum isometric force.
"""
from __future__ import annotations

from . import _core
from ._validate import as_float_array, restore

__all__ = [
    "active_force_length", "passive_force_length", "force_velocity", "force_velocity_inverse",
    "tendon_force_length", "tendon_force_length_inverse", "MAX_FORCE_VELOCITY",
]

#: fV(1), the largest force–velocity multiplier (lengthening at the maximum velocity).
MAX_FORCE_VELOCITY = float(_core.curves.force_velocity(1.0))


def active_force_length(l_norm):
    """Active force–length multiplier fL(l̃) (sum of three Gaussians); fL(1) = 1. l̃ ≥ 0."""
    x = as_float_array("l_norm", l_norm, lo=0.0)
    return restore(_core.curves.active_force_length(x), l_norm)


def passive_force_length(l_norm, strain_at_one_norm_force: float = 0.6):
    """Passive fiber force–length fPE(l̃): 0 at l̃ = 0.2, 1 at l̃ = 1 + strain. l̃ ≥ 0."""
    x = as_float_array("l_norm", l_norm, lo=0.0)
    e0 = float(as_float_array("strain_at_one_norm_force", strain_at_one_norm_force, lo=0.0, lo_open=True))
    return restore(_core.curves.passive_force_length(x, e0), l_norm)


def force_velocity(v_norm):
    """Force–velocity multiplier fV(ṽ); fV(−1) = 0, fV(0) = 1, fV(1) ≈ 1.794. Any finite ṽ."""
    x = as_float_array("v_norm", v_norm)
    return restore(_core.curves.force_velocity(x), v_norm)


def force_velocity_inverse(f):
    """ṽ with fV(ṽ) = f, closed form (a sinh); f in [0, fV(1)] maps onto ṽ in [−1, 1]."""
    x = as_float_array("f", f)
    return restore(_core.curves.force_velocity_inverse(x), f)


def tendon_force_length(l_tendon_norm, strain_at_one_norm_force: float = 0.049):
    """Normalized tendon force fT(l̃_T); fT(1) = 0, fT(1 + ε0) = 1. l̃_T > 0."""
    x = as_float_array("l_tendon_norm", l_tendon_norm, lo=0.0, lo_open=True)
    e0 = float(as_float_array("strain_at_one_norm_force", strain_at_one_norm_force, lo=0.0, lo_open=True))
    return restore(_core.curves.tendon_force_length(x, e0), l_tendon_norm)


def tendon_force_length_inverse(f, strain_at_one_norm_force: float = 0.049):
    """l̃_T with fT(l̃_T) = f, closed form; f > −0.2 (the curve's lower asymptote)."""
    x = as_float_array("f", f, lo=-0.2, lo_open=True)
    e0 = float(as_float_array("strain_at_one_norm_force", strain_at_one_norm_force, lo=0.0, lo_open=True))
    return restore(_core.curves.tendon_force_length_inverse(x, e0), f)
