"""Animation of a predicted stride: both legs as a stick figure, each muscle coloured by its
activation, the ground reaction force drawn at the centre of pressure, and the PFJ force traced
beside it. Saved as GIF (Pillow) or MP4 (ffmpeg: on PATH, or the binary of the imageio-ffmpeg wheel). Public as the function
``legsim.animate``; this module is private because a public module ``legsim.animate`` would replace
that function on the package as soon as it was imported.

A prediction covers one step, right touchdown to left touchdown, and is periodic with left and
right swapped; the stride is that step followed by its mirror (legs swapped, hip and centre of
pressure advanced by the step's hip travel), so the animation loops seamlessly.

Simplifications, for a picture and not for measurement:

- Segment lengths and foot points are the simulation's own (``Model.body_segments()``); the HAT is
  drawn as the trunk segment (hip → shoulder).
- Each muscle is drawn along a path consistent with the model's lumped muscle geometry (Geyer & Herr
  2010; :func:`legsim.muscle_path`): it passes every joint it crosses at exactly its moment arm
  |r(φ)| at the current pose, on the side of its action (knee extensors in front of the knee,
  plantarflexors behind the ankle, the hamstrings behind hip and knee), wrapping the joint on the
  outside of a bend. Which joints a muscle crosses comes from the model, so any model file is drawn.
  The model has no attachment points: origins and insertions are placed by rule from the crossings
  (legsim/_muscle_drawing.py, whose docstring gives the construction).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ._muscle_drawing import leg_axes, muscle_polylines
from .errors import InputError

_G = 9.80665

def body_geometry(model) -> dict:
    """Segment lengths (m) and foot points (foot frame at the ankle, m) of ``model``'s body, from the
    body the simulation uses (``Model.body_segments()``)."""
    seg = model.body_segments()
    foot = seg["foot"]
    heel, ball = foot["heel"], foot["metatarsal_head"]
    return {"thigh": seg["thigh"]["length"], "shank": seg["shank"]["length"], "hat": seg["trunk"]["length"],
            "heel": tuple(heel), "toe": (heel[0] + foot["length"], heel[1]), "ball": tuple(ball),
            "ankle_height": -heel[1]}


_SIDE = re.compile(r"_(r|l)(?=_|$)")


def stride_timeseries(result) -> pd.DataFrame:
    """The predicted step (``result.timeseries``) followed by its mirror: right and left columns
    swapped, time shifted by the step's duration and the hip and centres of pressure advanced by the
    step's hip travel. The step's last node, equal to the mirror's first, appears once."""
    ts = getattr(result, "timeseries", result)
    if ts is None or len(ts) == 0:
        raise InputError("animate: the result has no time series (the prediction did not converge)")
    if "grf_y_r_n" not in ts:
        raise InputError("animate: needs a predicted step with both legs (legsim.predict or "
                         "legsim.simulate(method='predict')); a single stance has no left leg")
    mirror = ts.rename(columns=lambda c: _SIDE.sub(lambda m: "_" + ("l" if m[1] == "r" else "r"), c)).copy()
    duration = float(ts.time_s.iloc[-1] - ts.time_s.iloc[0])
    travel = float(ts.pelvis_x_m.iloc[-1] - ts.pelvis_x_m.iloc[0])
    mirror["time_s"] += duration
    for c in ["pelvis_x_m", "cop_x_r_m", "cop_x_l_m"]:
        mirror[c] += travel
    return pd.concat([ts.iloc[:-1], mirror[ts.columns]], ignore_index=True)


def _resample(ts: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` frames evenly spaced in time (linear interpolation of every numeric column), so the
    animation plays at a steady rate although the mesh nodes need not be evenly spaced."""
    t = ts.time_s.to_numpy(dtype=float)
    tn = np.linspace(t[0], t[-1], n)
    return pd.DataFrame({c: np.interp(tn, t, ts[c].to_numpy(dtype=float))
                         for c in ts.columns if ts[c].dtype.kind in "fiub"})


def _leg_points(ts, geo: dict, side: str) -> dict:
    """World positions (frames × 2, m) of the hip, knee, ankle, heel, ball, toe and shoulder of leg
    ``side``, from the coordinates (``_muscle_drawing.leg_axes``)."""
    ax = leg_axes(ts, geo, side)
    foot = {k: ax["ankle"] + geo[k][0] * ax["foot_x"] + geo[k][1] * ax["foot_y"] for k in ("heel", "ball", "toe")}
    return {"hip": ax["hip"], "knee": ax["knee"], "ankle": ax["ankle"], **foot,
            "shoulder": ax["hip"] + ax["up"] * geo["hat"]}


def ffmpeg() -> str | None:
    """The ffmpeg executable MP4s are encoded with: ffmpeg on PATH, else the one the imageio-ffmpeg
    wheel ships (``pip install imageio-ffmpeg``, where no system ffmpeg can be installed); None
    without either."""
    found = shutil.which("ffmpeg")
    if found is None:
        try:
            import imageio_ffmpeg
            found = imageio_ffmpeg.get_ffmpeg_exe()
        except (ImportError, RuntimeError):  # not installed, or its binary missing for this platform
            found = None
    return found


def check_path(path) -> Path:
    """``path`` as a Path if an animation can be written there (.gif, or .mp4 with ``ffmpeg()``),
    else an InputError; the CLI checks before the prediction's half minute."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise InputError(f"animate: path must end in .gif or .mp4, got {path.name!r}")
    if suffix == ".mp4" and ffmpeg() is None:
        raise InputError("animate: an .mp4 needs ffmpeg (on PATH, or pip install imageio-ffmpeg), not found; "
                         "write a .gif instead")
    return path


def animate(result, path, *, model=None, fps: int = 25, slow_motion: float = 4.0, frames: int | None = None,
            dpi: int = 100, threshold_n: float = 20.0):
    """Writes an animation of the predicted stride of ``result`` (a PredictionResult, or a GaitResult
    of method "predict") to ``path``: ``.gif`` (Pillow) or ``.mp4`` (needs ffmpeg on PATH).

    Both legs are drawn as a stick figure with every muscle of the model along its path, coloured by
    its activation: the path passes each joint the muscle crosses at its moment arm from
    :func:`legsim.muscle_path` at the current pose, on the side of its action (e.g. the knee
    extensors in front of the knee, the plantarflexors behind the ankle). The ground reaction force
    is an arrow from the centre of pressure; the patellofemoral joint force is traced beside.

    ``model``: the model predicted (its height and sex give the segment lengths, its mass the force
    scale); default ``legsim.Model.default()``. The stride plays ``slow_motion`` times slower than
    real time at ``fps`` frames per second, or in ``frames`` frames if given. Returns the path."""
    from ._extras import require  # matplotlib and Pillow are the plot extra: say how to get them

    require("PIL", "plot")
    matplotlib = require("matplotlib", "plot")
    plt = require("matplotlib.pyplot", "plot")
    from matplotlib import animation, cm, colors
    from matplotlib.patches import FancyArrowPatch
    path = check_path(path)
    suffix = path.suffix.lower()
    if model is None:
        from . import _core
        model = _core.Model.default()

    full = stride_timeseries(result)
    duration = float(full.time_s.iloc[-1] - full.time_s.iloc[0])
    n = frames or max(2, int(round(duration * slow_motion * fps)))
    ts = _resample(full, n)
    geo = body_geometry(model)
    legs = {s: _leg_points(ts, geo, s) for s in ("r", "l")}
    paths = {s: muscle_polylines(model, ts, s, geo) for s in ("r", "l")}
    muscles = list(model.muscle_names)
    bw = float(model.body_mass) * _G
    t_ms = ts.time_s.to_numpy() * 1e3

    fig, (ax, axp) = plt.subplots(1, 2, figsize=(10, 4.6), gridspec_kw={"width_ratios": [1.25, 1]})
    cmap, norm = matplotlib.colormaps["plasma"], colors.Normalize(0.0, 1.0)
    ax.set_aspect("equal")
    ax.set_ylim(-0.08, max(1.75, float(ts.pelvis_y_m.max()) + geo["hat"] + 0.1))
    ax.set(xlabel="forward position (m)", ylabel="height (m)")
    ax.axhline(0.0, color="0.3", lw=1)
    # Ground ticks every 0.25 m show the forward travel while the view follows the hip.
    ticks = np.arange(np.floor(ts.pelvis_x_m.min() - 1.0), ts.pelvis_x_m.max() + 1.0, 0.25)
    ax.plot(ticks, np.zeros_like(ticks), "|", color="0.3", ms=6)
    fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, pad=0.02,
                 label="muscle activation (0 = off, 1 = full)")
    # The left (far) leg drawn lighter and behind, the right (near) leg dark.
    styles = {"l": dict(color="0.65", lw=3, zorder=2), "r": dict(color="0.15", lw=3.5, zorder=4)}
    trunk, = ax.plot([], [], color="tab:brown", lw=6, alpha=0.6, solid_capstyle="round", zorder=3,
                     label="trunk (head, arms, trunk)")
    bones = {s: ax.plot([], [], marker="o", ms=3, solid_capstyle="round", **styles[s],
                        label=f"{'right' if s == 'r' else 'left'} leg")[0] for s in ("l", "r")}
    lines = {(s, m): ax.plot([], [], lw=2.5 if s == "r" else 1.8, alpha=1.0 if s == "r" else 0.55,
                             zorder=5 if s == "r" else 2.5)[0] for s in ("l", "r") for m in muscles}
    arrows = {s: ax.add_patch(FancyArrowPatch((0, 0), (0, 0), arrowstyle="-|>", mutation_scale=12, lw=2,
                                              color="tab:green", zorder=6,
                                              label="ground reaction force (0.25 m per BW)" if s == "r" else None))
              for s in ("r", "l")}
    ax.legend(loc="upper left", fontsize=7)
    title = ax.set_title("")

    for s, ls in (("r", "-"), ("l", "--")):  # every mesh node, not only the frames: the peaks are brief
        axp.plot(full.time_s * 1e3, full[f"pfj_force_{s}_n"] / bw, "C3" + ls, label=f"PFJ force, {'right' if s == 'r' else 'left'}")
    axp.set(xlabel="time from right touchdown (ms)", ylabel="patellofemoral joint force (BW)",
            title="patellofemoral joint force")
    axp.grid(True, alpha=0.3)
    cursor = axp.axvline(0.0, color="0.3", lw=1)
    dots, = axp.plot([], [], "o", color="C3")
    axp.legend(fontsize=7)
    fig.tight_layout()

    def draw(k):
        hip = legs["r"]["hip"][k]
        ax.set_xlim(hip[0] - 1.0, hip[0] + 1.0)
        trunk.set_data(*np.array([hip, legs["r"]["shoulder"][k]]).T)
        for s, leg in legs.items():
            pts = np.array([leg[p][k] for p in ("hip", "knee", "ankle", "heel", "toe", "ankle")])
            bones[s].set_data(pts[:, 0], pts[:, 1])
            for m in muscles:
                lines[(s, m)].set_data(*paths[s][m][k].T)
                lines[(s, m)].set_color(cmap(norm(ts[f"{m}_{s}_activation"].iloc[k])))
            fy = ts[f"grf_y_{s}_n"].iloc[k]
            if fy > threshold_n:  # contact: the force from the centre of pressure on the ground
                x0 = ts[f"cop_x_{s}_m"].iloc[k]
                arrows[s].set_positions((x0, 0.0), (x0 + 0.25 * ts[f"grf_x_{s}_n"].iloc[k] / bw, 0.25 * fy / bw))
                arrows[s].set_visible(True)
            else:
                arrows[s].set_visible(False)
        title.set_text(f"predicted stride, t = {t_ms[k]:.0f} ms")
        cursor.set_xdata([t_ms[k], t_ms[k]])
        dots.set_data([t_ms[k]] * 2, [ts.pfj_force_r_n.iloc[k] / bw, ts.pfj_force_l_n.iloc[k] / bw])
        return []

    anim = animation.FuncAnimation(fig, draw, frames=n, blit=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".gif":
        anim.save(str(path), writer=animation.PillowWriter(fps=fps), dpi=dpi)
    else:
        # H.264 in yuv420p, which every player opens (frames need even sizes: ffmpeg's scale pads).
        with matplotlib.rc_context({"animation.ffmpeg_path": ffmpeg()}):
            anim.save(str(path), dpi=dpi, writer=animation.FFMpegWriter(
                fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]))
    plt.close(fig)
    return path
