"""Where the animation draws each muscle: a polyline per muscle and pose, consistent with the model's
lumped muscle geometry (pure functions of the pose and the model; no plotting here).

The model has no attachment points: per crossed joint a muscle has a moment arm r(φ) and an action
(Geyer & Herr 2010, include/legsim/muscle/geometry.hpp; :func:`legsim.muscle_path`). A moment arm is
the perpendicular distance from the joint centre to the muscle's line of action, so the drawing passes
each crossed joint at exactly |r(φ)| of the current pose, on the side where a pull produces the
moment's sign: the path stays outside the circle of radius |r| about the joint centre and touches it.

- Side. The moment on the distal segment, counter-clockwise in the picture (x forward, y up), is
  ρ = κ·r_q, with r_q the moment arm about +q from ``muscle_path`` and κ the sense of +q (hip flexion
  and ankle dorsiflexion turn the distal segment counter-clockwise, knee flexion clockwise:
  include/legsim/body/biped_dynamics.hpp). Near the joint the muscle runs beside each segment axis
  at |r| on the side n where a pull towards the proximal segment gives ρ's sign: hip extensors,
  knee flexors and plantarflexors behind, their antagonists in front. Where r(φ) changes sign (the
  hamstrings' knee arm r0·cos(φ − π) beyond 90° of flexion) the drawing crosses the joint with it.
- On the outside of a bend the muscle wraps the circle: straight along the proximal tangent, a
  polygon whose edges are tangent to the circle, straight along the distal tangent (the closest points
  are the tangent points, at |r| exactly). On the inside of a bend it is pulled in to touch the circle
  on the bend's bisector, with a short segment tangent there.
- Attachments are not in the model, so they are placed by rule from the joint crossings alone: a
  muscle crossing one joint starts part-way up its proximal segment (``_BELLY``); one crossing more
  starts just above its first joint (its belly lies along the segment between its joints); every
  muscle inserts just below its last joint, or for the foot at the heel's height below the ankle.
  Attachments slide with |r| (the muscle keeps to its tangent lines): a picture of the lumped model,
  not an anatomical one.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import InputError
from .muscle import muscle_path

JOINTS = ("hip", "knee", "ankle")  # proximal to distal
#: Sense of + joint coordinate of the distal segment relative to the proximal one, +1 counter-clockwise
#: in the picture: ψ_th = hip − lean, ψ_sh = ψ_th − knee, ψ_f = ψ_sh + ankle (biped_dynamics.hpp).
CCW_SENSE = {"hip": 1.0, "knee": -1.0, "ankle": 1.0}
_COLUMNS = {"hip": "hip_flexion_{}_deg", "knee": "knee_flexion_{}_deg", "ankle": "ankle_dorsiflexion_{}_deg"}
#: Proximal and distal segment of each joint (the axis names of leg_axes).
_SEGMENTS = {"hip": ("up", "thigh"), "knee": ("thigh", "shank"), "ankle": ("shank", "foot_down")}
#: A muscle crossing one joint starts this fraction of its proximal segment's length above the joint.
_BELLY = {"up": 0.3, "thigh": 0.5, "shank": 0.5}
_MIN_CLEARANCE = 0.02   # m, how far along a segment the path leaves a joint whose moment arm is ~0
_WRAP_STEP = math.radians(10.0)   # largest angle of one edge of a wrap polygon


def leg_axes(ts, geo: dict, side: str) -> dict:
    """Joint centres (``hip``, ``knee``, ``ankle``; frames × 2, m) and unit axes (frames × 2) of leg
    ``side`` for each row of ``ts``: ``up`` (trunk, hip → shoulder), ``thigh`` and ``shank``
    (proximal → distal), ``foot_x`` (heel → toe along the sole), ``foot_y`` (up when the foot is flat)
    and ``foot_down`` = −foot_y (the shank's continuation at 0° dorsiflexion)."""
    cols = ["pelvis_x_m", "pelvis_y_m", "trunk_lean_deg"] + [c.format(side) for c in _COLUMNS.values()]
    missing = [c for c in cols if c not in ts]
    if missing:
        raise InputError(f"pose: missing column(s) {', '.join(missing)}")
    lean = np.radians(np.asarray(ts["trunk_lean_deg"], dtype=float))
    psi_th = np.radians(np.asarray(ts[f"hip_flexion_{side}_deg"], dtype=float)) - lean
    psi_sh = psi_th - np.radians(np.asarray(ts[f"knee_flexion_{side}_deg"], dtype=float))
    psi_f = psi_sh + np.radians(np.asarray(ts[f"ankle_dorsiflexion_{side}_deg"], dtype=float))
    thigh = np.column_stack([np.sin(psi_th), -np.cos(psi_th)])
    shank = np.column_stack([np.sin(psi_sh), -np.cos(psi_sh)])
    foot_y = np.column_stack([-np.sin(psi_f), np.cos(psi_f)])
    hip = np.column_stack([np.asarray(ts["pelvis_x_m"], dtype=float), np.asarray(ts["pelvis_y_m"], dtype=float)])
    knee = hip + geo["thigh"] * thigh
    return {"hip": hip, "knee": knee, "ankle": knee + geo["shank"] * shank,
            "up": np.column_stack([np.sin(lean), np.cos(lean)]), "thigh": thigh, "shank": shank,
            "foot_x": np.column_stack([np.cos(psi_f), np.sin(psi_f)]), "foot_y": foot_y, "foot_down": -foot_y}


def _rot90(v):
    return np.array([-v[1], v[0]])


def _unit(v):
    return v / np.hypot(v[0], v[1])


def _around_joint(centre, r, n_p, n_d, u_p, u_d, h) -> list:
    """Path points past one joint, from beside the proximal segment to beside the distal one, at
    distance ≥ r from ``centre`` and touching the circle of radius r (see the module docstring).
    n_p, n_d: unit normals of the segments on the muscle's side; u_p, u_d: unit axes from the joint
    towards the proximal and the distal segment; h (≥ r): how far along each segment it starts."""
    entry, leave = centre + r * n_p + h * u_p, centre + r * n_d + h * u_d
    if float(u_d @ n_p) > 0.0:
        # Inside of the bend (θ from straight): touch at P on the bisector. Entry and exit lie beyond
        # P's tangent line, (entry − P)·m = r·cos(θ/2) + h·sin(θ/2) − r ≥ 0 for h ≥ r·tan(θ/4) (so for
        # h ≥ r, θ ≤ π), so no segment comes nearer than r.
        m = _unit(n_p + n_d)
        t = _unit(u_d - u_p)
        p = centre + r * m
        return [entry, p - 0.2 * h * t, p + 0.2 * h * t, leave]
    # Outside of the bend: a polygon circumscribed about the circle from n_p to n_d, its vertices at
    # r / cos(δ/2), every edge (and the two straight runs) tangent to the circle.
    beta = math.atan2(n_p[0] * n_d[1] - n_p[1] * n_d[0], float(n_p @ n_d))
    k = math.ceil(abs(beta) / _WRAP_STEP)
    if k == 0:
        return [entry, leave]
    delta = beta / k
    radius = r / math.cos(0.5 * delta)
    angles = (np.arange(k) + 0.5) * delta
    vertices = [centre + radius * (math.cos(a) * n_p + math.sin(a) * _rot90(n_p)) for a in angles]
    return [entry, *vertices, leave]


def _muscle_polyline(axes: dict, k: int, arms: dict, geo: dict) -> np.ndarray:
    """Polyline (n × 2, m) of one muscle in frame k, given its moment arms about +q (joint → m)."""
    crossed = [j for j in JOINTS if j in arms]
    points = []
    for i, j in enumerate(crossed):
        rho = CCW_SENSE[j] * arms[j]           # counter-clockwise moment on the distal segment per newton
        sigma = 1.0 if rho >= 0.0 else -1.0
        r, h = abs(rho), max(1.2 * abs(rho), _MIN_CLEARANCE)
        prox, dist = _SEGMENTS[j]
        # Unit axes from the joint towards each segment (the trunk's axis already points away from the hip).
        u_p, u_d = (axes[prox][k] if prox == "up" else -axes[prox][k]), axes[dist][k]
        # A pull towards the proximal segment along −u_d at r·n_d gives the moment r·σ (n_d = σ·rot90(u_d)).
        n_p, n_d = -sigma * _rot90(u_p), sigma * _rot90(u_d)
        centre = axes[j][k]
        if i == 0:
            belly = _BELLY[prox] * _segment_length(prox, geo) if len(crossed) == 1 else h
            points.append(centre + r * n_p + max(belly, h) * u_p)
        points += _around_joint(centre, r, n_p, n_d, u_p, u_d, h)
        if i == len(crossed) - 1:
            reach = max(0.8 * geo["ankle_height"], h) if dist == "foot_down" else h
            points.append(centre + r * n_d + reach * u_d)
    pts = np.array(points)
    keep = np.r_[True, np.any(np.abs(np.diff(pts, axis=0)) > 1e-12, axis=1)]  # drop repeated points
    return pts[keep]


def _segment_length(axis: str, geo: dict) -> float:
    return {"up": geo["hat"], "thigh": geo["thigh"], "shank": geo["shank"]}[axis]


def moment_arms(model, ts, side: str) -> dict:
    """muscle → list over the rows of ``ts`` of {joint: moment arm about +q (m)} for leg ``side``,
    from :func:`legsim.muscle_path` (only the joints each muscle crosses)."""
    q = {j: np.radians(np.asarray(ts[c.format(side)], dtype=float)) for j, c in _COLUMNS.items()}
    return {m: [muscle_path(model, m, {j: float(q[j][k]) for j in JOINTS})[1] for k in range(len(ts))]
            for m in model.muscle_names}


def muscle_polylines(model, ts, side: str, geo: dict) -> dict:
    """muscle → list over the rows (poses) of ``ts`` of its polyline (n × 2 array, m, picture frame:
    x forward, y up) for leg ``side`` (``"r"`` or ``"l"``). ``geo``: ``_animate.body_geometry(model)``.
    Every muscle of ``model`` is drawn, from its joint crossings; see the module docstring."""
    if side not in ("r", "l"):
        raise InputError(f"side: expected 'r' or 'l', got {side!r}")
    axes = leg_axes(ts, geo, side)
    return {m: [_muscle_polyline(axes, k, a, geo) for k, a in enumerate(per_frame)]
            for m, per_frame in moment_arms(model, ts, side).items()}
