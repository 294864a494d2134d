"""``legsim sweep``: the swept values (lists and ranges) and the grid-size check, then the sweep
itself, its table and its plot (also the default sweep of ``legsim run --method matching``)."""
from __future__ import annotations

import contextlib
import math
import os
import re
from pathlib import Path

import numpy as np

from ._cli_inputs import (_check_writable, _load_model, _method_options, _parse_splits, _parse_strikes,
                          _split_assignment)
from .errors import InputError

#: Above this many grid points `legsim sweep` asks for --allow-large-grid (a point takes seconds).
MAX_GRID_POINTS = 10_000


def _parse_values(text: str, option: str = "values", unit: str = "", limit: int | None = None):
    """'150:190:10' (lo to hi inclusive in steps, lo <= hi, step > 0), '0,0.2,0.4' or a single number;
    InputError naming ``option`` otherwise, or when a range has more than ``limit`` values (checked
    before the list is built)."""
    if text is None:
        return None
    forms = f"expected 'lo:hi:step' (lo <= hi, step > 0), 'a,b,c' or one number{f' ({unit})' if unit else ''}"
    try:
        parts = [float(x) for x in text.split(":" if ":" in text else ",")]
    except ValueError:
        raise InputError(f"{option} {text!r}: {forms}") from None
    if not all(math.isfinite(v) for v in parts):
        raise InputError(f"{option} {text!r}: {forms}; values must be finite")
    if ":" not in text:
        return parts
    if len(parts) != 3 or not (parts[0] <= parts[1] and parts[2] > 0):
        raise InputError(f"{option} {text!r}: {forms}")
    lo, hi, step = parts
    n = int(math.floor((hi - lo) / step + 1e-9)) + 1  # never past hi
    if limit is not None and n > limit:
        raise InputError(f"{option} {text!r}: {n} values; at most {limit} without --allow-large-grid")
    return [round(lo + i * step, 10) for i in range(n)]


def _check_grid_size(axes: dict, params: dict, allow_large: bool) -> None:
    """Refuses grids above MAX_GRID_POINTS unless --allow-large-grid, naming each option's count."""
    counts = {f"--{k.replace('_', '-')}": len(v) for k, v in axes.items()}
    counts.update({f"--param {k}": len(v) for k, v in params.items()})
    size = math.prod(counts.values())
    if size > MAX_GRID_POINTS and not allow_large:
        detail = " × ".join(f"{k} ({n})" for k, n in counts.items() if n > 1)
        raise InputError(f"the grid {detail} has {size} points; at most {MAX_GRID_POINTS} run without "
                         "--allow-large-grid (each point takes seconds)")


_TABLE = ("peak_pfj_force_bw", "peak_pfj_stress_mpa", "pfj_impulse_per_km_bw_s")


def _coord(value, fmt: str = "g") -> str:
    """A sweep coordinate as text: numbers formatted, foot-strike names as they are."""
    v = value.values.item() if hasattr(value, "values") else value
    return format(v, fmt) if isinstance(v, (int, float, np.number)) else str(v)


def _run_sweep(model, axes, out: Path, plot: Path | None, params=None, method: str = "predict", options=None) -> int:
    """Runs legsim.sweep (``options``: its method's keywords), prints the table and writes the plot."""
    from . import sweep
    ds = sweep(model, out=out, progress=True, params=params or None, method=method, **(options or {}), **axes)
    # Table and plot in increasing order of each numeric axis (the sweep runs in the order given).
    numeric = [d for d in ds.peak_pfj_force_bw.dims if ds[d].dtype.kind == "f"]
    if numeric:
        ds = ds.sortby(numeric)
    dims = list(ds.peak_pfj_force_bw.dims)
    print(f"\n{'  '.join(f'{d:>12}' for d in dims)}  {'conv':>5}  " + "  ".join(f"{k:>24}" for k in _TABLE))
    stacked = ds.stack(point=dims)
    for i in range(stacked.sizes["point"]):
        p = stacked.isel(point=i)
        coords = "  ".join(f"{_coord(p[d], '.3f'):>12}" for d in dims)
        vals = "  ".join(f"{float(p[k]):24.3f}" for k in _TABLE)
        print(f"{coords}  {str(bool(p.converged)):>5}  {vals}")
    if "objective" in ds:  # a prediction sweep: how each point was solved
        print("\nsolver per point (start, iterations, wall time of all attempts, objective, variables on a bound):")
        for i in range(stacked.sizes["point"]):
            p = stacked.isel(point=i)
            if bool(p.finished):
                print(f"  {', '.join(f'{d}={_coord(p[d])}' for d in dims)}: {p.start.item()}, "
                      f"{float(p.solver_iterations):.0f} iterations, {float(p.solver_seconds):.1f} s, "
                      f"objective {float(p.objective):.5f}, on bounds: {p.variables_on_bounds.item() or 'none'}")
    n_conv = int(ds.converged.sum())
    print(f"\n{n_conv} of {ds.converged.size} conditions converged; results in {out}")
    if n_conv < ds.converged.size:
        for i in range(stacked.sizes["point"]):
            p = stacked.isel(point=i)
            if not bool(p.converged):
                print(f"  {', '.join(f'{d}={_coord(p[d])}' for d in dims)}: {str(p.message.values)}")
    if plot is not None:
        _write_sweep_plots(ds, dims, plot, model.name)
    return 0


def _write_sweep_plots(ds, dims, plot: Path, model_name: str) -> None:
    """Peak PFJ stress over the sweep (legsim.plot): against the first numeric axis with several
    values, one line per value of the next such axis and one panel per combination of any others;
    grouped bars when only a categorical axis (foot strike) varies; and, when two numeric axes vary,
    a heatmap over them beside the plot (``<plot>_heatmap.png``)."""
    from ._extras import require

    require("matplotlib", "plot").use("Agg")  # files only: no display needed
    plt = require("matplotlib.pyplot", "plot")

    from . import plot as lp
    metric = "peak_pfj_stress_mpa"
    varying = [d for d in dims if ds.sizes[d] > 1]
    numeric = [d for d in varying if ds[d].dtype.kind == "f"]
    x = numeric[0] if numeric else (varying[0] if varying else dims[0])
    hue = next((d for d in varying if d != x), None)
    facets = [d for d in varying if d not in (x, hue)]
    panels = ds[metric].stack(panel=facets).panel.values if facets else [None]
    if len(panels) > 12:  # more panels than a page holds: the first value of each further axis
        print(f"plot: {len(panels)} combinations of {facets}; plotting the first value of each")
        ds, panels = ds.isel({d: 0 for d in facets}), [None]
        facets = []
    ncol = min(len(panels), 3)
    nrow = -(-len(panels) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.4 * ncol, 4.4 * nrow), squeeze=False)
    for ax, key in zip(axes.ravel(), panels):
        sel = ds.isel({d: 0 for d in dims if d not in (x, hue) and ds.sizes[d] == 1})
        if key is not None:
            sel = sel.sel(dict(zip(facets, key if isinstance(key, tuple) else (key,))))
            ax.set_title(", ".join(lp._level_label(d, sel[d].values, ds) for d in facets), fontsize=9)
        lp.metric_vs(sel, metric, x=x, hue=hue, ax=ax)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"legsim sweep — model '{model_name}'")
    fig.tight_layout()
    fig.savefig(plot, dpi=110)
    plt.close(fig)
    print(f"wrote {plot}")
    if len(numeric) >= 2:
        fixed = [d for d in dims if d not in numeric[:2]]
        sel = ds.isel({d: 0 for d in fixed})
        ax = lp.heatmap(sel, metric, x=numeric[0], y=numeric[1])
        # The title names the value of every other axis, so the map is not mistaken for the whole sweep.
        where = ", ".join(lp._level_label(d, sel[d].values, ds) for d in fixed)
        ax.set_title(f"legsim sweep — model '{model_name}'" + (f"\n{where}" if where else ""), fontsize=10)
        ax.figure.tight_layout()
        heat = plot.with_name(plot.stem + "_heatmap" + plot.suffix)
        ax.figure.savefig(heat, dpi=110)
        plt.close(ax.figure)
        print(f"wrote {heat}")


_SWEEP_UNITS = {"speed": "m/s", "cadence": "steps/min", "step_length": "m", "stride_length": "m",
                "calf_fatigue": "fraction of calf force lost, 0 to 0.9"}


def cmd_sweep(args) -> int:
    # Every option is checked before any work: the values, the grid size, the output paths.
    limit = None if args.allow_large_grid else MAX_GRID_POINTS
    axes = {k: _parse_values(getattr(args, k), f"--{k.replace('_', '-')}", unit, limit)
            for k, unit in _SWEEP_UNITS.items()}
    axes = {k: v for k, v in axes.items() if v is not None}
    strikes = _parse_strikes(args.foot_strike)
    if strikes is not None:
        axes["foot_strike"] = strikes
    splits = _parse_splits(args.calf_fatigue_split, "--calf-fatigue-split")
    if splits is not None:
        axes["calf_fatigue_split"] = splits
    params = {}
    for text in args.param or []:
        path_, values = _split_assignment(text, "--param", "PATH=VALUES, e.g. muscles.soleus.tendon_slack_length=0.24,0.26")
        params[path_] = _parse_values(values, f"--param {path_}", "the parameter's SI unit", limit)
    _check_grid_size(axes, params, args.allow_large_grid)
    out = Path(args.out)
    _check_writable("--out", out)
    plot = Path(args.plot) if args.plot else None
    if plot is not None:
        _check_writable("--plot", plot)
    options = _method_options(args, "sweep")
    if args.method == "predict":
        options = {"predict_options": options}
        if args.also_cold:
            options["also_cold"] = True
    elif args.no_backward_pass:
        options["backward_pass"] = False
    scheduler = _parse_scheduler(args.scheduler)
    if scheduler and scheduler[0] == "local" and args.method == "matching" and "threads" not in options:
        # N matchings at once share this machine's cores (a matching takes every core by default).
        options["threads"] = max(1, (os.cpu_count() or 1) // scheduler[1])
    model = _load_model(args.model, args.set, args.volume_weights and args.method == "matching")
    with _dask_client(scheduler) as client:
        if client is not None:
            options["client"] = client
        return _run_sweep(model, axes, out, plot, params=params, method=args.method, options=options)


def _parse_scheduler(spec: str | None):
    """``--scheduler`` as ("local", N) or ("address", text); None without it. InputError otherwise."""
    if spec is None:
        return None
    local = re.fullmatch(r"local:(\d+)", spec.strip())
    if local:
        n = int(local.group(1))
        if not 1 <= n <= 256:
            raise InputError(f"--scheduler {spec!r}: expected local:N with N from 1 to 256 worker processes")
        return "local", n
    if not re.fullmatch(r"[a-z]+://\S+|[^\s:]+:\d+", spec.strip()):
        raise InputError(f"--scheduler {spec!r}: expected a scheduler address (tcp://host:8786) or local:N")
    return "address", spec.strip()


@contextlib.contextmanager
def _dask_client(scheduler):
    """A dask.distributed.Client for ``--scheduler`` (``_parse_scheduler``; None: no client): a local
    cluster of N worker processes of one thread each, or the scheduler at an address. Closed when
    the sweep ends."""
    if scheduler is None:
        yield None
        return
    from ._extras import require
    distributed = require("dask.distributed", "dask")
    kind, value = scheduler
    if kind == "local":
        cluster = distributed.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(value, timeout="30s")
    except OSError as exc:
        raise InputError(f"--scheduler {value}: no Dask scheduler answered there ({exc})") from exc
    with client:
        yield client
