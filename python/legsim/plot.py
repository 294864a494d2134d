"""Publication plots of legsim results and sweep datasets (matplotlib).

- :func:`metric_vs` — a metric against one swept axis, one line per level of another (e.g. peak PFJ
  stress vs cadence by calf fatigue); a categorical axis (foot strike) becomes grouped bars.
- :func:`categories` — a metric over a categorical axis as grouped bars, never joined by lines.
- :func:`heatmap` — a metric over two swept axes, each cell annotated with its value.
- :func:`stance` — the time series of one predicted step (GRF, joint angles and moments, muscle
  forces, PFJ force), stance phases shaded where the vertical GRF exceeds a threshold.

Every axis carries its unit: from a variable's ``attrs["units"]``/``attrs["long_name"]`` when the
dataset has them, else from the key's suffix (``_bw`` → BW, ``_mpa`` → MPa, ...; :func:`unit`).
matplotlib is imported inside the functions so ``import legsim`` works without it.
"""
from __future__ import annotations

import numpy as np

#: Key suffix → unit label, the naming convention of legsim's metric and time-series keys. Matched
#: longest first, so "_bw_per_s" wins over "_s".
_SUFFIX_UNITS = {
    "_per_km_mpa_s": "MPa·s/km", "_per_km_bw_s": "BW·s/km", "_mpa_s": "MPa·s", "_bw_per_s": "BW/s",
    "_bw_s": "BW·s", "_j_per_kg_m": "J/(kg·m)", "_nm_per_kg": "N·m/kg", "_j_per_kg": "J/kg",
    "_m_per_s": "m/s", "_fiber_length_norm": "optimal fiber lengths", "_bw": "BW", "_mpa": "MPa",
    "_deg": "deg", "_spm": "steps/min", "_nm": "N·m", "_pa": "Pa", "_n": "N", "_w": "W", "_s": "s",
    "_m": "m", "_strain": "strain, fraction", "_fraction": "fraction", "_rel": "fraction",
}

#: Swept axes (dataset coordinates) → unit, for axes whose name carries no suffix.
_AXIS_UNITS = {"speed": "m/s", "cadence": "steps/min", "step_length": "m", "stride_length": "m",
               "calf_fatigue": "fraction of calf force lost", "effort": "dimensionless",
               "periodicity_error": "dimensionless", "foot_strike": None, "calf_fatigue_split": None}

#: Words spelled out or capitalised in labels.
_WORDS = {"pfj": "PFJ", "grf": "GRF", "bw": "BW", "spm": "steps/min", "cop": "CoP", "norm": "normalized"}


def _pyplot():
    """matplotlib.pyplot, or an ImportError that says how to install it."""
    from ._extras import require  # the plot extra is optional: say how to get it

    return require("matplotlib.pyplot", "plot")


def _strip_unit(key: str) -> tuple[str, str | None]:
    for suffix in sorted(_SUFFIX_UNITS, key=len, reverse=True):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)], _SUFFIX_UNITS[suffix]
    return key, None


def unit(key: str, da=None) -> str | None:
    """The unit of a metric or axis ``key`` as a reader writes it (BW, MPa, steps/min): from the key's
    suffix or the known axes, else ``da.attrs["units"]`` (the dataset's CF unit, "1" meaning none);
    None if unknown (a categorical axis has none). The dataset's CF units are for programs; a figure
    speaks the field's units (a force in body weights is CF's "1", but "BW" on an axis)."""
    if key in _AXIS_UNITS:
        return _AXIS_UNITS[key]
    suffix_unit = _strip_unit(key)[1]
    if suffix_unit:
        return suffix_unit
    if da is not None and getattr(da, "attrs", {}).get("units") not in (None, "", "1"):
        return str(da.attrs["units"])
    if key.startswith(("muscles.", "body.", "pfj.", "contact.")):
        return "SI unit of the model parameter"  # a --param axis: model files are in SI units
    return None


def label(key: str, da=None) -> str:
    """Axis label "name (unit)" of a metric or axis key, e.g. "peak PFJ stress (MPa)": the name from
    the key for the metrics and axes legsim knows, else the dataset's long_name."""
    attrs = getattr(da, "attrs", {}) if da is not None else {}
    u = unit(key, da)
    known = key in _AXIS_UNITS or _strip_unit(key)[1] is not None
    if not known and attrs.get("long_name"):
        name = str(attrs["long_name"])
        return f"{name} ({u})" if u and f"({u})" not in name else name
    base = key if key in _AXIS_UNITS else _strip_unit(key)[0]
    name = " ".join(_WORDS.get(w, w) for w in base.split("_"))
    return f"{name} ({u})" if u else name


def _is_categorical(ds, dim: str) -> bool:
    return ds[dim].dtype.kind in "OUS"


def _value_text(v) -> str:
    v = v.item() if hasattr(v, "item") else v
    return f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)


def _level_label(dim: str, value, ds) -> str:
    """Legend entry of one level of an axis, e.g. "calf fatigue 0.2" or "forefoot"."""
    if _is_categorical(ds, dim):
        return _value_text(value)
    u = _AXIS_UNITS.get(dim) or unit(dim, ds[dim])
    u = "" if u is None or dim == "calf_fatigue" else f" {u}"  # a fraction reads best without a unit
    return f"{dim.replace('_', ' ')} {_value_text(value)}{u}"


def _select_rest(da, keep: list[str], where: str):
    """``da`` reduced to the dims ``keep``: every other dim must have one value (it is dropped).
    A dim with several values would silently mix points, so it is an error naming it."""
    extra = [d for d in da.dims if d not in keep and da.sizes[d] > 1]
    if extra:
        raise ValueError(f"{where}: the data has more than one value along {extra}; select one first, "
                         f"e.g. ds.sel({extra[0]}=...)")
    return da.squeeze([d for d in da.dims if d not in keep], drop=True)


def _default_hue(ds, da, x):
    return next((d for d in da.dims if d != x and da.sizes[d] > 1), None)


def _groups(ds, metric, x, hue, ax, where):
    """The metric reduced to ``x`` and ``hue`` (default: the other axis with several values), the
    Axes to draw on (a new figure if None) and the hue levels ([None] without a hue)."""
    plt = _pyplot()
    da = ds[metric]
    hue = hue if hue is not None else _default_hue(ds, da, x)
    da = _select_rest(da, [x] + ([hue] if hue else []), where)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    return da, hue, ax, (list(da[hue].values) if hue else [None])


def _label_axes(ax, ds, metric, x, hue):
    ax.set_xlabel(label(x, ds[x]))
    ax.set_ylabel(label(metric, ds[metric]))
    if hue:  # the legend's title names the axis whose levels the lines are
        ax.legend(title=label(hue, ds[hue]), fontsize=8, title_fontsize=8)


def metric_vs(ds, metric: str, x: str = "cadence", hue: str | None = None, ax=None, marker: str = "o"):
    """``metric`` of a sweep dataset against ``x``, one line per value of ``hue`` (default: the other
    axis with several values). ``x`` is a swept axis, or a metric of the dataset (e.g. "step_length_m"
    for PFJ stress vs step length in a sweep over cadence): then each line runs along the one other
    varying axis, its points in the order of ``x``. A categorical ``x`` (foot strike) gives grouped
    bars (:func:`categories`) rather than lines. Not-converged points (NaN) are gaps. Returns the Axes."""
    if x not in ds.dims:
        if x in ds.data_vars:
            return _metric_vs_metric(ds, metric, x, hue, ax, marker)
        raise ValueError(f"metric_vs: x={x!r} is neither an axis nor a variable of the dataset "
                         f"(axes: {list(ds.dims)})")
    if _is_categorical(ds, x):
        return categories(ds, metric, x=x, hue=hue, ax=ax)
    da, hue, ax, levels = _groups(ds, metric, x, hue, ax, "metric_vs")
    for i, level in enumerate(levels):
        line = da.sel({hue: level}) if hue else da
        ax.plot(np.asarray(ds[x].values, dtype=float), np.asarray(line.values, dtype=float), marker=marker,
                color=f"C{i}", label=_level_label(hue, level, ds) if hue else None)
    _label_axes(ax, ds, metric, x, hue)
    ax.grid(True, alpha=0.3)
    return ax


def _metric_vs_metric(ds, metric, x, hue, ax, marker):
    """metric_vs with ``x`` a metric: one line per ``hue`` level (default: the second varying axis),
    along the remaining varying axis, sorted by ``x``."""
    varying = [d for d in ds[metric].dims if ds.sizes[d] > 1]
    hue = hue if hue is not None else (varying[1] if len(varying) > 1 else None)
    along = [d for d in varying if d != hue]
    if len(along) != 1:
        raise ValueError(f"metric_vs: against the metric {x!r} each line must run along one axis, but "
                         f"{along or 'none'} vary besides hue={hue!r}; select values first")
    da, hue, ax, levels = _groups(ds, metric, along[0], hue, ax, "metric_vs")
    xs = _select_rest(ds[x], [along[0]] + ([hue] if hue else []), "metric_vs")
    for i, level in enumerate(levels):
        xv = np.asarray((xs.sel({hue: level}) if hue else xs).transpose(along[0]).values, dtype=float)
        yv = np.asarray((da.sel({hue: level}) if hue else da).transpose(along[0]).values, dtype=float)
        order = np.argsort(xv)  # a metric need not grow with the swept axis: draw the line left to right
        ax.plot(xv[order], yv[order], marker=marker, color=f"C{i}",
                label=_level_label(hue, level, ds) if hue else None)
    _label_axes(ax, ds, metric, x, hue)
    ax.grid(True, alpha=0.3)
    return ax


def categories(ds, metric: str, x: str = "foot_strike", hue: str | None = None, ax=None):
    """``metric`` over the categorical axis ``x`` as grouped bars (one bar per value of ``hue``):
    categories are not ordered, so they are never joined by lines. Returns the Axes."""
    da, hue, ax, levels = _groups(ds, metric, x, hue, ax, "categories")
    cats = [_value_text(v) for v in ds[x].values]
    width = 0.8 / len(levels)
    pos = np.arange(len(cats))
    for i, level in enumerate(levels):
        vals = da.sel({hue: level}) if hue else da
        vals = np.asarray(vals.transpose(x).values, dtype=float)
        ax.bar(pos + (i - (len(levels) - 1) / 2) * width, vals, width, color=f"C{i}",
               label=_level_label(hue, level, ds) if hue else None)
    ax.set_xticks(pos, cats)
    _label_axes(ax, ds, metric, x, hue)
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def heatmap(ds, metric: str, x: str = "cadence", y: str = "calf_fatigue", ax=None, cmap: str = "viridis",
            annotate: bool = True):
    """``metric`` over the two axes ``x`` and ``y`` as a grid of cells (each axis's values as tick
    labels, categorical or not, so uneven spacing shows no false gaps), with a colour bar labelled
    with the unit and each cell's value written in it. Not-converged cells are blank. Returns the Axes."""
    plt = _pyplot()
    da = _select_rest(ds[metric], [x, y], "heatmap").transpose(y, x)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.6))
    z = np.asarray(da.values, dtype=float)
    mesh = ax.pcolormesh(np.arange(z.shape[1] + 1) - 0.5, np.arange(z.shape[0] + 1) - 0.5,
                         np.ma.masked_invalid(z), cmap=cmap, shading="flat")
    ax.set_xticks(np.arange(z.shape[1]), [_value_text(v) for v in ds[x].values])
    ax.set_yticks(np.arange(z.shape[0]), [_value_text(v) for v in ds[y].values])
    ax.set_xlabel(label(x, ds[x]))
    ax.set_ylabel(label(y, ds[y]))
    ax.figure.colorbar(mesh, ax=ax, label=label(metric, ds[metric]))
    if annotate and np.isfinite(z).any():
        mid = np.nanmean([np.nanmin(z), np.nanmax(z)])
        for (i, j), v in np.ndenumerate(z):
            if np.isfinite(v):  # dark text on the light half of viridis, light on the dark half
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8,
                        color="black" if v > mid else "white")
    return ax


# ---------------------------------------------------------------------------------------------
# Time series of one step


def _sides(ts) -> list[str]:
    """The legs a time series has: "r" and "l" for a predicted step, "" for a single stance."""
    sides = [s for s in ("r", "l") if f"grf_y_{s}_n" in ts.columns]
    return sides or [""]


def _c(base: str, side: str, suffix: str) -> str:
    return f"{base}_{side}_{suffix}" if side else f"{base}_{suffix}"


def contact_phases(ts, side: str = "r", threshold_n: float = 20.0) -> list[tuple[float, float]]:
    """(start, end) times (s) of the contacts of leg ``side`` ("" for a single-stance series): where
    its vertical GRF exceeds ``threshold_n`` (20 N, the threshold of the predicted ``stance_`` columns)."""
    t = np.asarray(ts["time_s"], dtype=float)
    on = np.asarray(ts[_c("grf_y", side, "n")], dtype=float) > threshold_n
    phases, start = [], None
    for k, flag in enumerate(on):
        if flag and start is None:
            start = t[k]
        if not flag and start is not None:
            phases.append((start, t[k]))
            start = None
    if start is not None:
        phases.append((start, t[-1]))
    return phases


_SIDE_NAME = {"r": "right", "l": "left", "": ""}
_SIDE_STYLE = {"r": "-", "l": "--", "": "-"}


def stance(result, model=None, threshold_n: float = 20.0, muscles: list[str] | None = None, fig=None):
    """Multi-panel figure of one step's time series (a PredictionResult, GaitResult or StanceResult,
    or their ``timeseries`` DataFrame): GRF, joint angles, joint moments, muscle forces and PFJ force
    over time; each leg's contact phases (vertical GRF > ``threshold_n``) shaded, the right leg solid,
    the left dashed. Forces are in body weights when ``model`` is given (its body mass), else in N;
    moments in N·m/kg likewise. ``muscles``: names to draw (default all). Returns the Figure."""
    plt = _pyplot()
    ts = getattr(result, "timeseries", result)
    if ts is None or len(ts) == 0:
        raise ValueError("stance: the result has no time series (not converged, or record=False)")
    t_ms = np.asarray(ts["time_s"], dtype=float) * 1e3
    sides = _sides(ts)
    mass = float(model.body_mass) if model is not None else None
    bw = mass * 9.80665 if mass else None
    f_unit, f_scale = ("BW", 1 / bw) if bw else ("N", 1.0)
    m_unit, m_scale = ("N·m/kg", 1 / mass) if mass else ("N·m", 1.0)
    if fig is None:
        fig = plt.figure(figsize=(11, 9.5))
    axes = fig.subplots(3, 2, sharex=True).ravel()

    def shade(ax):
        for side, color in zip(sides, ("0.55", "tab:orange")):
            for k, (a, b) in enumerate(contact_phases(ts, side, threshold_n)):
                ax.axvspan(a * 1e3, b * 1e3, color=color, alpha=0.15, lw=0,
                           label=f"{_SIDE_NAME[side]} stance".strip() if k == 0 else None)

    ax = axes[0]
    for side in sides:
        n = _SIDE_NAME[side]
        ax.plot(t_ms, ts[_c("grf_y", side, "n")] * f_scale, "C0" + _SIDE_STYLE[side], label=f"vertical {n}".strip())
        ax.plot(t_ms, ts[_c("grf_x", side, "n")] * f_scale, "C1" + _SIDE_STYLE[side], label=f"fore–aft {n}".strip())
    ax.set(ylabel=f"ground reaction force ({f_unit})", title="ground reaction force")
    #: The opposite-named moment of one stance (extension / plantarflexion +), negated so both
    #: kinds of result are drawn in the step's convention (flexion / dorsiflexion +).
    opposite = {"hip_flexion": "hip_extension", "knee_flexion": "knee_extension",
                "ankle_dorsiflexion": "ankle_plantarflexion"}
    for i, joint in enumerate(opposite):
        for side in sides:
            n = f"{joint.replace('_', ' ')} {_SIDE_NAME[side]}".strip()
            sfx = f"{side}_" if side else ""
            axes[1].plot(t_ms, ts[f"{joint}_{sfx}deg"], f"C{i}" + _SIDE_STYLE[side], label=n)
            if f"{joint}_moment_{sfx}nm" in ts:
                moment = ts[f"{joint}_moment_{sfx}nm"]
            else:
                moment = -ts[f"{opposite[joint]}_moment_{sfx}nm"]
            axes[2].plot(t_ms, moment * m_scale, f"C{i}" + _SIDE_STYLE[side], label=n)
    axes[1].set(ylabel="joint angle (deg)", title="joint angles (+ = flexion / dorsiflexion)")
    axes[2].set(ylabel=f"joint moment ({m_unit})", title="net joint moments (+ = flexion / dorsiflexion)")
    ax = axes[3]
    # A muscle is a name with an activation column: "<muscle>_<side>_activation" (a step) or
    # "<muscle>_activation" (one stance); its force is "<muscle>[_<side>]_force_n".
    names = muscles or sorted({c[: -len("_activation")].removesuffix("_r").removesuffix("_l")
                               for c in ts.columns if c.endswith("_activation")})
    names = [n for n in names if any(_c(n, s, "force_n") in ts for s in sides)]
    for i, name in enumerate(names):
        for side in sides:
            col = _c(name, side, "force_n")
            if col in ts:
                ax.plot(t_ms, ts[col] * f_scale, f"C{i}" + _SIDE_STYLE[side],
                        label=f"{name.replace('_', ' ')} {_SIDE_NAME[side]}".strip())
    ax.set(ylabel=f"muscle–tendon force ({f_unit})", title="muscle forces")
    ax = axes[4]
    for side in sides:
        ax.plot(t_ms, ts[_c("pfj_force", side, "n")] * f_scale, "C3" + _SIDE_STYLE[side],
                label=f"PFJ force {_SIDE_NAME[side]}".strip())
    ax.set(ylabel=f"patellofemoral joint force ({f_unit})", title="patellofemoral joint force")
    ax = axes[5]
    for side in sides:
        col = _c("pfj_stress", side, "pa")
        if col in ts:
            ax.plot(t_ms, ts[col] / 1e6, "C4" + _SIDE_STYLE[side], label=f"PFJ stress {_SIDE_NAME[side]}".strip())
    ax.set(ylabel="patellofemoral joint stress (MPa)", title="patellofemoral joint stress")
    first = "right " if sides[0] == "r" else ""
    for ax in axes:
        shade(ax)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=6, ncol=2 if len(ax.get_lines()) > 6 else 1, loc="best")
    for ax in axes[-2:]:
        ax.set_xlabel(f"time from {first}touchdown (ms)")
    fig.tight_layout()
    return fig
