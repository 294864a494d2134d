"""The ``legsim`` command line: ``legsim run`` (the main job of ``make run``), ``legsim simulate``
(``legsim predict``) and ``legsim sweep``, by gait prediction unless ``--method matching``. Model parameters can be changed with ``--set PATH=VALUE`` and swept with
``--param PATH=VALUES`` (paths as in ``Model.with_params``)."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from . import __version__
from .errors import Error, InputError


def _load_model(path, sets=None, volume_weights=False):
    """The model file (or the built-in runner) with ``--set PATH=VALUE`` changes applied, and with
    volume-weighted effort (legsim.volume_effort_weights) when asked."""
    from . import Model, volume_effort_weights
    model = Model.load(path) if path else Model.default()
    params = volume_effort_weights(model) if volume_weights else {}
    for text in sets or []:
        path_, value = _split_assignment(text, "--set", "PATH=VALUE, e.g. contact.stiffness=4.9e5")
        try:
            params[path_] = float(value)
        except ValueError:
            raise InputError(f"--set {text!r}: the value {value!r} is not a number") from None
    return model.with_params(params) if params else model


def _split_assignment(text: str, option: str, usage: str):
    """'PATH=VALUE' → (path, value); ``usage`` is the expected form with an example, for the error."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip() or not value.strip():
        raise InputError(f"{option} {text!r}: expected {usage}")
    return path.strip(), value.strip()


def _parse_strikes(text: str | None):
    """'rearfoot', 'midfoot,forefoot' or touchdown ankle angles in degrees ('-10,5')."""
    if text is None:
        return None
    out = []
    for item in text.split(","):
        item = item.strip()
        try:
            out.append(float(item))
        except ValueError:
            out.append(item)
    return out


def _print_metrics(metrics: dict, keys=None) -> None:
    keys = keys or sorted(metrics)
    width = max(len(k) for k in keys)
    for k in keys:
        print(f"  {k:<{width}}  {metrics[k]:10.4f}")


def cmd_run(args) -> int:
    """Main job on the default model: muscle demonstration and one stance, with plots."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import calf_raise_moments, curves, simulate_stance
    model = _load_model(args.model)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    print(f"legsim {__version__} — model '{model.name}': {model.body_mass:g} kg, {model.height:g} m")
    print("\nMuscle curves (De Groote et al. 2016, OpenSim refit):")
    print(f"  {'l_norm':>7} {'fL':>7} {'fPE':>7} | {'v_norm':>7} {'fV':>7}")
    for l, v in zip((0.6, 0.8, 1.0, 1.2, 1.4), (-1.0, -0.5, 0.0, 0.5, 1.0)):
        print(f"  {l:7.2f} {curves.active_force_length(l):7.4f} {curves.passive_force_length(l):7.4f} | "
              f"{v:7.2f} {curves.force_velocity(v):7.4f}")

    print("\nCalf raise: isometric plantarflexion moment at full activation (N·m), ankle at 0°:")
    cr = calf_raise_moments(model, np.linspace(-30, 20, 26), [0.0, 90.0])
    suffix = "_plantarflexion_moment_nm"
    for knee in (0.0, 90.0):
        row = cr[(cr.knee_flexion_deg == knee) & (cr.ankle_dorsiflexion_deg == 0.0)].iloc[0]
        # The model's calf muscles, whatever their names (calf_raise_moments finds them by tag).
        moments = ", ".join(f"{c[:-len(suffix)]} {row[c]:7.1f}" for c in cr.columns if c.endswith(suffix))
        print(f"  knee {knee:4.0f}°: {moments}")

    res = simulate_stance(model)
    print(f"\nOne stance (teaching feedforward pattern, default touchdown): {res.status}")
    if not res.converged:
        print(f"  {res.message}")
        return 1
    _print_metrics(res.metrics, [k for k in (
        "contact_time_s", "peak_vertical_grf_bw", "knee_flexion_at_contact_deg", "peak_knee_flexion_deg",
        "peak_knee_extension_moment_nm_per_kg", "peak_quadriceps_force_bw", "peak_pfj_force_bw",
        "peak_pfj_stress_mpa", "peak_pfj_force_moment_method_bw", "pfj_impulse_bw_s", "peak_achilles_force_bw",
        "peak_soleus_force_bw", "peak_gastrocnemius_force_bw", "effort") if k in res.metrics])

    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    l = np.linspace(0.3, 1.8, 200)
    axes[0, 0].plot(l, curves.active_force_length(l), label="active fL")
    axes[0, 0].plot(l, curves.passive_force_length(l), label="passive fPE")
    axes[0, 0].set(xlabel="normalized fiber length", ylabel="normalized force", title="force–length")
    axes[0, 0].legend()
    v = np.linspace(-1, 1, 200)
    axes[0, 1].plot(v, curves.force_velocity(v))
    axes[0, 1].set(xlabel="normalized fiber velocity (lengthening +)", ylabel="fV", title="force–velocity")
    for knee, ls in ((0.0, "-"), (90.0, "--")):
        d = cr[cr.knee_flexion_deg == knee]
        for i, c in enumerate(c for c in cr.columns if c.endswith(suffix)):
            axes[1, 0].plot(d.ankle_dorsiflexion_deg, d[c], f"C{i}{ls}", label=f"{c[:-len(suffix)]}, knee {knee:g}°")
    axes[1, 0].set(xlabel="ankle dorsiflexion (deg)", ylabel="plantarflexion moment (N·m)", title="calf raise")
    axes[1, 0].legend(fontsize=7)
    ts = res.timeseries
    bw = model.body_mass * 9.80665
    axes[1, 1].plot(ts.time_s * 1e3, ts.grf_y_n / bw, label="vertical GRF")
    axes[1, 1].plot(ts.time_s * 1e3, ts.pfj_force_n / bw, label="PFJ force")
    axes[1, 1].plot(ts.time_s * 1e3, ts.quadriceps_force_n / bw, label="quadriceps")
    axes[1, 1].set(xlabel="time from touchdown (ms)", ylabel="body weights", title="one stance")
    axes[1, 1].legend()
    fig.tight_layout()
    png = out / "legsim_run.png"
    fig.savefig(png, dpi=110)
    ts.to_csv(out / "stance_timeseries.csv", index=False)
    print(f"\nwrote {png} and {out / 'stance_timeseries.csv'}")

    from .predict import available
    if args.method == "predict" and not available():
        print("\nGait prediction: not in this build (CasADi was not found); the gait-matching sweep instead")
    if args.method == "matching" or not available():
        print("\nDefault sweep: 3.5 m/s, cadence 150–190 steps/min, calf fatigue 0 / 0.2 / 0.4 (gait matching):")
        rc = _run_sweep(model, {"speed": [3.5], "cadence": [150.0, 160.0, 170.0, 180.0, 190.0],
                                "calf_fatigue": [0.0, 0.2, 0.4]}, out / "default_sweep.nc",
                        out / "default_sweep_pfj_stress.png", method="matching")
        _print_plausibility(out / "default_sweep.nc")
        return rc
    # The default condition first, from the generic guess; its four neighbours warm-start from it.
    return _run_predicted_directions(model, out, plt)


#: The neighbours of the default condition whose directions runners show (issue 19): label →
#: condition change.
_DIRECTIONS = {"160 steps/min": {"cadence": 160.0}, "180 steps/min": {"cadence": 180.0},
               "forefoot strike": {"foot_strike": "forefoot"}, "calf fatigue 0.3": {"calf_fatigue": 0.3}}


def _run_predicted_directions(model, out: Path, plt) -> int:
    """The default condition predicted cold, its four neighbours warm-started from it; prints the
    plausibility table and the four directions runners show with their measured sizes, and writes
    the metrics (CSV), the default step's time series (CSV) and a figure."""
    import pandas as pd

    from .gait import Condition
    from .predict import Predictor
    base = {"speed": 3.5, "cadence": 170.0}
    predictor = Predictor(model)  # the problem is built once for the five conditions
    print("\nGait prediction (docs/gait_prediction.md; `--method matching` for the gait-matching sweep): "
          "3.5 m/s, 170 steps/min, rearfoot, no fatigue, from the generic guess ...", flush=True)
    p0 = predictor.predict(Condition(**base))
    print(f"  {p0.solver['status']}, {p0.solver['iterations']} iterations, {p0.solver['seconds']:.0f} s, "
          f"objective {p0.solver['objective']:.5f}; variables on bounds: {p0.solver['variables_on_bounds'] or 'none'}")
    if not p0.converged:
        print(f"  {p0.message}")
        return 1
    results = {"170 steps/min (default)": p0}
    for label, change in _DIRECTIONS.items():
        print(f"  {label}, warm-started from the default ...", flush=True)
        r = predictor.predict(Condition(**{**base, **change}), warm_start=p0)
        print(f"    {r.solver['status']}, {r.solver['iterations']} iterations, {r.solver['seconds']:.0f} s")
        results[label] = r
    print("\nPlausibility check at 3.5 m/s, 170 steps/min, no fatigue (published ranges, docs/published_ranges.md):")
    _print_plausibility_metrics(p0.metrics, "predict")
    print("  reported without a verified published range: " + ", ".join(
        f"{k} {p0.metrics.get(k, float('nan')):.3g}" for k in (
            "flight_time_s", "swing_peak_knee_flexion_deg")))
    _print_directions(results)
    rows = [{"condition": k, "converged": r.converged, "objective": r.solver["objective"], **r.metrics}
            for k, r in results.items()]
    pd.DataFrame(rows).to_csv(out / "predicted_conditions.csv", index=False)
    p0.timeseries.to_csv(out / "predicted_step_timeseries.csv", index=False)
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ts, bw = p0.timeseries, model.body_mass * 9.80665
    for side, ls in (("r", "-"), ("l", "--")):
        ax[0].plot(ts.time_s * 1e3, ts[f"grf_y_{side}_n"] / bw, "C0" + ls, label=f"vertical GRF ({side})")
        ax[0].plot(ts.time_s * 1e3, ts[f"pfj_force_{side}_n"] / bw, "C3" + ls, label=f"PFJ force ({side})")
    ax[0].set(xlabel="time from right touchdown (ms)", ylabel="body weights", title="predicted step, default condition")
    ax[0].legend(fontsize=7)
    labels = list(results)
    ax[1].barh(labels, [results[k].metrics.get("peak_pfj_force_bw", float("nan")) for k in labels])
    ax[1].set(xlabel="peak PFJ force (BW)", title="the default and its neighbours")
    fig.tight_layout()
    fig.savefig(out / "predicted_directions.png", dpi=110)
    print(f"\nwrote {out / 'predicted_conditions.csv'}, {out / 'predicted_step_timeseries.csv'} and "
          f"{out / 'predicted_directions.png'}")
    return 0 if all(r.converged for r in results.values()) else 1


def _print_directions(results: dict) -> None:
    """The four directions runners show (issue 19), each with the measured values and whether the
    prediction reproduces it. Checks on the physics, not calibration targets."""
    d = results["170 steps/min (default)"].metrics

    def m(label, key):
        r = results[label]
        return r.metrics.get(key, float("nan")) if r.converged else float("nan")

    def mark(ok):
        return "as runners" if ok else "NOT as runners"

    f160, f170, f180 = m("160 steps/min", "peak_pfj_force_bw"), d["peak_pfj_force_bw"], m("180 steps/min", "peak_pfj_force_bw")
    s160, s170 = m("160 steps/min", "peak_pfj_stress_mpa"), d["peak_pfj_stress_mpa"]
    kf, k0 = m("forefoot strike", "peak_knee_extension_moment_nm_per_kg"), d["peak_knee_extension_moment_nm_per_kg"]
    sf = m("forefoot strike", "peak_pfj_stress_mpa")
    af, a0 = m("forefoot strike", "peak_ankle_plantarflexion_moment_nm_per_kg"), d["peak_ankle_plantarflexion_moment_nm_per_kg"]
    at, kt = m("calf fatigue 0.3", "peak_ankle_plantarflexion_moment_nm_per_kg"), m("calf fatigue 0.3", "peak_knee_extension_moment_nm_per_kg")
    print("\nDirections runners show (3.5 m/s; each neighbour warm-started from the default):")
    print(f"  higher cadence lowers peak PFJ force: {f160:.2f} / {f170:.2f} / {f180:.2f} BW at 160/170/180 "
          f"steps/min — {mark(f160 > f170 > f180)}")
    print(f"  longer steps (160 steps/min) raise peak PFJ stress: {s160:.1f} vs {s170:.1f} MPa — {mark(s160 > s170)}")
    print(f"  a forefoot strike lowers the knee extension moment ({kf:.2f} vs {k0:.2f} N·m/kg) and PFJ stress "
          f"({sf:.1f} vs {s170:.1f} MPa) and raises the ankle plantarflexion moment ({af:.2f} vs {a0:.2f} N·m/kg) — "
          f"{mark(kf < k0 and sf < s170 and af > a0)}")
    print(f"  calf fatigue 0.3 lowers the ankle plantarflexion moment ({at:.2f} vs {a0:.2f} N·m/kg) and raises "
          f"the knee extension moment ({kt:.2f} vs {k0:.2f}) — {mark(at < a0 and kt > k0)}")


def _print_plausibility(nc: Path) -> None:
    """The default condition of the sweep (3.5 m/s, 170 steps/min, no fatigue) against the published ranges (docs/published_ranges.md)."""
    import xarray as xr

    from .plausibility import plausibility_table
    with xr.open_dataset(nc) as ds:
        point = ds.sel(speed=3.5, cadence=170.0, calf_fatigue=0.0)
        if not bool(point.converged):
            print("\nPlausibility check: the default condition did not converge")
            return
        metrics = {k: float(point[k]) for k in ds.data_vars if point[k].dtype.kind == "f"}
        method = ds.attrs.get("method", "matching")  # files of older sweeps: gait matching
    print("\nPlausibility check at 3.5 m/s, 170 steps/min, no fatigue (published ranges, docs/published_ranges.md):")
    _print_plausibility_metrics(metrics, method)


def _print_plausibility_metrics(metrics: dict, method: str) -> None:
    """The published-range table of one condition's metrics, with the impact diagnostics."""
    _print_plausibility_table(metrics)
    # What sets the impact (docs/plausibility.md); reported, not range-checked.
    diag = [(k, metrics.get(k, float("nan"))) for k in (
        "touchdown_com_vertical_velocity_m_per_s", "toe_off_com_vertical_velocity_m_per_s",
        "touchdown_foot_velocity_x_m_per_s", "touchdown_foot_velocity_y_m_per_s", "peak_braking_grf_bw",
        "impact_peak_vertical_grf_bw", "active_peak_vertical_grf_bw", "vertical_average_loading_rate_bw_per_s")]
    print("  impact diagnostics: " + ", ".join(f"{k} {v:.2f}" for k, v in diag))
    # Energy audit: what the passive contact dissipates goes unseen by the effort Σ∫a³ (README).
    lost = -metrics.get("contact_work_j_per_kg", float("nan"))
    landing = 0.5 * metrics.get("touchdown_com_vertical_velocity_m_per_s", float("nan")) ** 2
    print(f"  the contact dissipates {lost:.3f} J/kg per step ({100 * lost / landing:.0f} % of the centre of "
          f"mass's vertical kinetic energy at touchdown, {landing:.3f} J/kg)")
    if method == "matching":
        # Gait matching makes the centre of mass periodic, not the trunk (docs/gait_matching.md); its change is reported.
        change = metrics.get("trunk_lean_change_rad", float("nan"))
        print(f"  trunk lean at toe-off minus at touchdown: {math.degrees(change):.2f} deg "
              "(not matched unless --periodic-trunk-lean)")


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


def _check_writable(option: str, path: Path) -> None:
    """Fails now, not after the work, when ``path`` cannot be written: creates its folder and a
    scratch file beside it."""
    import tempfile
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        raise InputError(f"{option} {str(path)!r}: cannot write there ({exc.strerror or exc}); "
                         "give a file path in a writable folder") from None


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
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        x = next((d for d in dims if ds.sizes[d] > 1), dims[0])
        others = [d for d in dims if d != x]
        fig, ax = plt.subplots(figsize=(7, 4.5))
        flat = ds.peak_pfj_stress_mpa.stack(other=others) if others else ds.peak_pfj_stress_mpa.expand_dims("other")
        for j in range(flat.sizes["other"]):
            line = flat.isel(other=j)
            label = ", ".join(f"{d}={_coord(line[d])}" for d in others) if others else None
            ax.plot(ds[x], line, "o-", label=label)
        ax.set(xlabel=x, ylabel="peak PFJ stress (MPa)", title=f"legsim sweep — model '{model.name}'")
        if others:
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(plot, dpi=110)
        print(f"wrote {plot}")
    return 0


_SPLIT_HELP = ("how calf fatigue divides among the calf muscles (1 = loses the full fraction): fiber_type "
               "(default; by fast-twitch fraction), equal, or weights in [0, 1] per calf muscle, e.g. "
               "gastrocnemius=1,soleus=0.5")


def _parse_splits(text: str | None, option: str):
    """';'-separated calf-fatigue splits in their canonical text; InputError naming the option."""
    if text is None:
        return None
    from .gait import _split_text
    try:
        return [_split_text(item.strip()) for item in text.split(";")]
    except InputError as e:
        raise InputError(f"{option} {text!r}: {e}") from None


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
    model = _load_model(args.model, args.set, args.volume_weights and args.method == "matching")
    return _run_sweep(model, axes, out, plot, params=params, method=args.method, options=options)


def _condition(args, command: str):
    """The one gait condition of _condition_options' arguments; `command` names the subcommand in errors."""
    from . import Condition
    split = _parse_splits(args.calf_fatigue_split, "--calf-fatigue-split")
    if len(split) != 1:
        raise InputError(f"--calf-fatigue-split {args.calf_fatigue_split!r}: {command} takes one split")
    kw = {k: getattr(args, k) for k in ("speed", "cadence", "step_length", "stride_length") if getattr(args, k) is not None}
    strikes = _parse_strikes(args.foot_strike)
    if strikes is not None:
        if len(strikes) != 1:
            raise InputError(f"--foot-strike {args.foot_strike!r}: {command} takes one foot strike")
        kw["foot_strike"] = strikes[0]
    return Condition(calf_fatigue=args.calf_fatigue, calf_fatigue_split=split[0], **kw)


def cmd_simulate(args) -> int:
    """The gait at one condition (gait prediction by default, --method matching for gait matching):
    the solver's report, for a prediction the plausibility table (published ranges), and the metrics."""
    from . import simulate
    condition = _condition(args, args.command)
    options = _method_options(args, args.command)
    if args.out:
        _check_writable("--out", Path(args.out))
    model = _load_model(args.model, args.set, args.volume_weights and args.method == "matching")
    res = simulate(model, condition, method=args.method, **options)
    sv = res.solver
    if args.method == "matching":
        print(res.message)
        for k, v in res.residuals.items():
            print(f"  residual {k}: {v:.5f}")
    else:
        print(f"{sv['method']}: {sv['status']} after {sv['iterations']} iterations, {sv['seconds']:.1f} s; "
              f"objective {sv['objective']:.5f} (effort {sv['objective_effort']:.5f})")
        print("  variables resting on a bound: " + (", ".join(sv["variables_on_bounds"]) or "none"))
        if not res.converged:
            print(f"  {res.message}")
    if not res.converged:
        return 1
    if args.method == "predict":
        print("Plausibility against published ranges (docs/published_ranges.md):")
        _print_plausibility_table(res.metrics)
    _print_metrics(res.metrics)
    if args.out:
        res.timeseries.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


def _print_plausibility_table(metrics: dict) -> None:
    from .plausibility import plausibility_table
    table = plausibility_table(metrics)
    print(f"  {int(table.inside.sum())} of {len(table)} inside")
    for r in table.itertuples():
        mark = "ok " if r.inside else "OUT"
        print(f"  {mark} {r.quantity:<38} {r.model:8.3f}  [{r.published_low:g}, {r.published_high:g}] {r.unit}")


#: Options of one method only: option name → the method it belongs to.
_METHOD_ONLY = {"mesh_intervals": "predict", "also_cold": "predict", "foot_velocity": "matching",
                "periodic_trunk_lean": "matching", "threads": "matching", "no_backward_pass": "matching"}


def _method_options(args, command: str) -> dict:
    """The solver keywords of --method's method from the command line (for legsim.simulate, or the
    per-point options of legsim.sweep); an option of the other method is an InputError."""
    for name, method in _METHOD_ONLY.items():
        given = getattr(args, name, None)
        if given not in (None, False) and method != args.method:
            raise InputError(f"--{name.replace('_', '-')}: an option of --method {method}, not of "
                             f"--method {args.method} ({command})")
    if args.method == "predict":
        kw = {"volume_weighted_effort": True} if args.volume_weights else {}
        if args.mesh_intervals is not None:
            kw["mesh_intervals"] = args.mesh_intervals
        return kw
    kw = _swing_leg(args.foot_velocity)
    if args.periodic_trunk_lean:
        kw["periodic_trunk_lean"] = True
    if args.threads is not None:
        kw["threads"] = args.threads
    return kw


def _swing_leg(text):
    """--foot-velocity 'VX,VY' → the simulate/sweep keyword for the stated touchdown foot velocity."""
    if text is None:
        return {}
    try:
        v = [float(x) for x in text.split(",")]
    except ValueError:
        v = []
    if len(v) != 2:
        raise InputError(f"--foot-velocity {text!r}: expected VX,VY (m/s, forward and up), e.g. 1.0,-0.9")
    return {"touchdown_foot_velocity": tuple(v)}


def _number(unit: str):
    """An argparse type: a finite number, else an error naming what is allowed (with its unit)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r}: expected a number ({unit})")
        return value
    return parse


def _threads(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of threads >= 1")
    return n


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line ('legsim sweep: error: argument --x: ...'), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _model_options(p) -> None:
    p.add_argument("--model", metavar="FILE", help="model file (TOML, SI units); default: the built-in runner")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="change a model parameter, in the SI unit of its model-file key, e.g. "
                        "contact.stiffness=4.9e5 (N/m^exponent) (repeatable)")
    p.add_argument("--volume-weights", dest="volume_weights", action="store_true",
                   help="weight each muscle's effort by its volume (F_max·l_opt, mean weight 1) instead of the "
                        "plain sum of activation cubed")
    p.add_argument("--foot-velocity", dest="foot_velocity", metavar="VX,VY",
                   help="gait matching: state the landing foot point's touchdown velocity (m/s, forward and up) instead of "
                        "the default swing-leg joint rates, e.g. 1.0,-0.9")
    p.add_argument("--periodic-trunk-lean", dest="periodic_trunk_lean", action="store_true",
                   help="gait matching: also match the trunk lean (rad) at toe-off to that at touchdown, a fifth periodicity "
                        "condition beyond the four on the centre of mass (docs/gait_matching.md)")
    p.add_argument("--threads", type=_threads, metavar="N",
                   help="gait matching: worker threads of each matching (a count, >= 1; default: every hardware thread)")


def _method_option(p, choose: bool = True) -> None:
    """--method (unless the command is one method's) and the gait prediction's --mesh-intervals."""
    if choose:
        p.add_argument("--method", choices=("predict", "matching"), default="predict",
                       help="gait prediction by direct collocation (default; seconds to minutes per condition, "
                            "docs/gait_prediction.md) or the stance-only gait matching (milliseconds to seconds, "
                            "docs/gait_matching.md)")
    p.add_argument("--mesh-intervals", dest="mesh_intervals", type=int, metavar="N",
                   help="gait prediction: collocation intervals over the step (default 150, graded over the impact; mesh-converged)")


def _condition_options(p) -> None:
    """One gait condition (simulate, predict)."""
    p.add_argument("--speed", type=_number("m/s"), default=3.5, help="running speed, m/s (default 3.5)")
    p.add_argument("--cadence", type=_number("steps/min"), default=170.0,
                   help="cadence, steps/min (default 170); give two of speed, cadence, step and stride length")
    p.add_argument("--step-length", dest="step_length", type=_number("m"), help="step length, m")
    p.add_argument("--stride-length", dest="stride_length", type=_number("m"), help="stride length (two steps), m")
    p.add_argument("--calf-fatigue", dest="calf_fatigue", type=_number("fraction of calf force lost, 0 to 0.9"),
                   default=0.0, help="fraction of calf force lost, 0 to 0.9 (default 0)")
    p.add_argument("--calf-fatigue-split", dest="calf_fatigue_split", default="fiber_type", metavar="SPLIT",
                   help=_SPLIT_HELP)
    p.add_argument("--foot-strike", dest="foot_strike",
                   help="rearfoot (default), midfoot, forefoot, or a touchdown ankle dorsiflexion angle in degrees")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="legsim", description="Muscle-driven running-leg simulation")
    parser.add_argument("--version", action="version", version=f"legsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="main job: muscle demo, one stance, the default sweep, plots")
    p.add_argument("--model", metavar="FILE", help="model file (TOML, SI units); default: the built-in runner")
    p.add_argument("--out", default="out", metavar="FOLDER", help="output folder (default: out)")
    p.add_argument("--method", choices=("predict", "matching"), default="predict",
                   help="the default sweep by gait prediction (default: 3 cadences, a few minutes) or by gait "
                        "matching (15 conditions, cadence and calf fatigue)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("simulate", help="the gait at one condition (predicted; --method matching: matched) and its "
                                        "metrics")
    _condition_options(p)
    _method_option(p)
    _model_options(p)
    p.add_argument("--out", metavar="FILE", help="CSV file for the time series (SI units, one column per quantity; "
                                                 "a prediction: the whole step, both legs)")
    p.set_defaults(func=cmd_simulate)
    p = sub.add_parser("predict", help="the same as simulate --method predict")
    _condition_options(p)
    _method_option(p, choose=False)
    _model_options(p)
    p.add_argument("--out", metavar="FILE", help="CSV file for the time series of the step (both legs)")
    p.set_defaults(func=cmd_simulate, method="predict")
    p = sub.add_parser("sweep", help="sweep conditions (values as 'a,b,c' or 'lo:hi:step'); resumable")
    p.add_argument("--speed", default="3.5", metavar="VALUES", help="running speeds, m/s (default 3.5)")
    p.add_argument("--cadence", default="150:190:10", metavar="VALUES",
                   help="cadences, steps/min (default 150:190:10)")
    p.add_argument("--step-length", dest="step_length", metavar="VALUES", help="step lengths, m")
    p.add_argument("--stride-length", dest="stride_length", metavar="VALUES", help="stride lengths (two steps), m")
    p.add_argument("--calf-fatigue", dest="calf_fatigue", default="0,0.2,0.4", metavar="VALUES",
                   help="fractions of calf force lost, 0 to 0.9 (default 0,0.2,0.4)")
    p.add_argument("--calf-fatigue-split", dest="calf_fatigue_split", metavar="SPLITS",
                   help=_SPLIT_HELP + "; several separated by ';' sweep them (default fiber_type)")
    p.add_argument("--foot-strike", dest="foot_strike",
                   help="e.g. 'rearfoot,forefoot' or touchdown ankle dorsiflexion angles in degrees")
    p.add_argument("--param", action="append", metavar="PATH=VALUES",
                   help="sweep a model parameter in the SI unit of its model-file key, e.g. "
                        "muscles.soleus.tendon_slack_length=0.24,0.26 (m) (repeatable)")
    _method_option(p)
    p.add_argument("--also-cold", dest="also_cold", action="store_true",
                   help="gait prediction: also solve every warm-started point from the generic guess and keep the "
                        "lower objective (about twice the time)")
    _model_options(p)
    p.add_argument("--out", default="out/sweep.nc", metavar="FILE",
                   help="netCDF results, metrics in the units their names end in (journaled as they finish; "
                        "rerun resumes; default out/sweep.nc)")
    p.add_argument("--no-backward-pass", dest="no_backward_pass", action="store_true",
                   help="gait matching: skip the backward pass (re-matching each point from its successor; about "
                        "halves the time)")
    p.add_argument("--plot", default="out/sweep_pfj_stress.png", metavar="FILE",
                   help="PNG of peak PFJ stress (MPa) along the first swept axis (default out/sweep_pfj_stress.png)")
    p.add_argument("--allow-large-grid", dest="allow_large_grid", action="store_true",
                   help=f"run grids of more than {MAX_GRID_POINTS} points (a point takes seconds)")
    p.set_defaults(func=cmd_sweep)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Error as exc:
        print(f"legsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
