"""The ``legsim`` command line: ``legsim run`` (the main job of ``make run``), ``legsim simulate`` and
``legsim sweep``. Model parameters can be changed with ``--set PATH=VALUE`` and swept with
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
    for knee in (0.0, 90.0):
        row = cr[(cr.knee_flexion_deg == knee) & (cr.ankle_dorsiflexion_deg == 0.0)].iloc[0]
        print(f"  knee {knee:4.0f}°: soleus {row.soleus_plantarflexion_moment_nm:7.1f}, "
              f"gastrocnemius {row.gastrocnemius_plantarflexion_moment_nm:7.1f}")

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
        axes[1, 0].plot(d.ankle_dorsiflexion_deg, d.soleus_plantarflexion_moment_nm, "C0" + ls, label=f"soleus, knee {knee:g}°")
        axes[1, 0].plot(d.ankle_dorsiflexion_deg, d.gastrocnemius_plantarflexion_moment_nm, "C1" + ls,
                        label=f"gastrocnemius, knee {knee:g}°")
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

    print("\nDefault sweep: 3.5 m/s, cadence 150–190 steps/min, calf fatigue 0 / 0.2 / 0.4 (gait matching):")
    rc = _run_sweep(model, {"speed": [3.5], "cadence": [150.0, 160.0, 170.0, 180.0, 190.0],
                            "calf_fatigue": [0.0, 0.2, 0.4]}, out / "default_sweep.nc",
                    out / "default_sweep_pfj_stress.png")
    _print_plausibility(out / "default_sweep.nc")
    rc_predict = _run_default_prediction(model, out)
    return rc or rc_predict


def _run_default_prediction(model, out: Path) -> int:
    """The predicted step (whole stride, both legs, direct collocation) at the default condition and
    the runners' cadence direction from a warm start, with the plausibility table."""
    from . import Condition, predict
    from .plausibility import plausibility_table
    from .predict import available
    if not available():
        print("\nGait prediction: not in this build (CasADi was not found)")
        return 0
    print("\nPredicted step at 3.5 m/s, 170 steps/min, rearfoot (direct collocation, docs/gait_prediction.md):")
    res = predict(model, Condition(speed=3.5, cadence=170))
    sv = res.solver
    print(f"  {sv['status']} after {sv['iterations']} iterations, {sv['seconds']:.1f} s; variables on bounds: "
          f"{', '.join(sv['variables_on_bounds']) or 'none'}")
    if not res.converged:
        return 1
    table = plausibility_table(res.metrics)
    print(f"  plausibility: {int(table.inside.sum())} of {len(table)} inside the published ranges")
    for r in table.itertuples():
        mark = "ok " if r.inside else "OUT"
        print(f"  {mark} {r.quantity:<38} {r.model:8.3f}  [{r.published_low:g}, {r.published_high:g}] {r.unit}")
    res.timeseries.to_csv(out / "predicted_step.csv", index=False)
    fast = predict(model, Condition(speed=3.5, cadence=180), warm_start=res)
    if fast.converged:
        a, b = res.metrics["peak_pfj_force_bw"], fast.metrics["peak_pfj_force_bw"]
        print(f"  cadence 170 → 180 steps/min: peak PFJ force {a:.2f} → {b:.2f} BW ({100 * (b - a) / a:+.1f} %)")
    print(f"  wrote {out / 'predicted_step.csv'}")
    return 0


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
    table = plausibility_table(metrics)
    print(f"\nPlausibility check at 3.5 m/s, 170 steps/min, no fatigue (published ranges, docs/published_ranges.md): "
          f"{int(table.inside.sum())} of {len(table)} inside")
    for r in table.itertuples():
        mark = "ok " if r.inside else "OUT"
        print(f"  {mark} {r.quantity:<38} {r.model:8.3f}  [{r.published_low:g}, {r.published_high:g}] {r.unit}")
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


def _run_sweep(model, axes, out: Path, plot: Path | None, backward_pass: bool = True, params=None,
               swing=None) -> int:
    from . import sweep
    ds = sweep(model, out=out, progress=True, backward_pass=backward_pass, params=params or None, **(swing or {}),
               **axes)
    dims = list(ds.peak_pfj_force_bw.dims)
    print(f"\n{'  '.join(f'{d:>12}' for d in dims)}  {'conv':>5}  " + "  ".join(f"{k:>24}" for k in _TABLE))
    stacked = ds.stack(point=dims)
    for i in range(stacked.sizes["point"]):
        p = stacked.isel(point=i)
        coords = "  ".join(f"{_coord(p[d], '.3f'):>12}" for d in dims)
        vals = "  ".join(f"{float(p[k]):24.3f}" for k in _TABLE)
        print(f"{coords}  {str(bool(p.converged)):>5}  {vals}")
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
    model = _load_model(args.model, args.set, args.volume_weights)
    return _run_sweep(model, axes, out, plot, backward_pass=not args.no_backward_pass, params=params,
                      swing=_matching_options(args))


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
    from . import simulate
    condition = _condition(args, "simulate")
    if args.out:
        _check_writable("--out", Path(args.out))
    model = _load_model(args.model, args.set, args.volume_weights)
    swing = _matching_options(args)
    res = simulate(model, condition, **swing)
    print(res.message)
    for k, v in res.residuals.items():
        print(f"  residual {k}: {v:.5f}")
    if res.converged:
        _print_metrics(res.metrics)
        if args.out:
            res.timeseries.to_csv(args.out, index=False)
            print(f"wrote {args.out}")
    return 0 if res.converged else 1


def cmd_predict(args) -> int:
    """Predict one running step by direct collocation and print the solver report, the plausibility
    table (published ranges) and the metrics."""
    from . import predict
    from .plausibility import plausibility_table
    condition = _condition(args, "predict")
    if args.out:
        _check_writable("--out", Path(args.out))
    model = _load_model(args.model, args.set)
    res = predict(model, condition, mesh_intervals=args.mesh_intervals, volume_weighted_effort=args.volume_weights)
    sv = res.solver
    print(f"{sv['method']}: {sv['status']} after {sv['iterations']} iterations, {sv['seconds']:.1f} s; "
          f"objective {sv['objective']:.5f} (effort {sv['objective_effort']:.5f})")
    print("  variables resting on a bound: " + (", ".join(sv["variables_on_bounds"]) or "none"))
    if not res.converged:
        return 1
    table = plausibility_table(res.metrics)
    print(f"Plausibility against published ranges (docs/published_ranges.md): {int(table.inside.sum())} of "
          f"{len(table)} inside")
    for r in table.itertuples():
        mark = "ok " if r.inside else "OUT"
        print(f"  {mark} {r.quantity:<38} {r.model:8.3f}  [{r.published_low:g}, {r.published_high:g}] {r.unit}")
    _print_metrics(res.metrics)
    if args.out:
        res.timeseries.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


def _matching_options(args) -> dict:
    """The simulate/sweep keywords of the swing-leg input and the optional trunk-lean periodicity."""
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
                        "plain sum of activation cubed (docs/gait_matching.md)")
    p.add_argument("--foot-velocity", dest="foot_velocity", metavar="VX,VY",
                   help="state the landing foot point's touchdown velocity (m/s, forward and up) instead of "
                        "the default swing-leg joint rates, e.g. 1.0,-0.9")
    p.add_argument("--periodic-trunk-lean", dest="periodic_trunk_lean", action="store_true",
                   help="also match the trunk lean (rad) at toe-off to that at touchdown, a fifth periodicity "
                        "condition beyond the four on the centre of mass (docs/gait_matching.md)")
    p.add_argument("--threads", type=_threads, metavar="N",
                   help="worker threads of each gait matching (a count, >= 1; default: every hardware thread)")


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
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("simulate", help="match one periodic stance to a condition and print its metrics")
    _condition_options(p)
    _model_options(p)
    p.add_argument("--out", metavar="FILE", help="CSV file for the time series (SI units, one column per quantity)")
    p.set_defaults(func=cmd_simulate)
    p = sub.add_parser("predict", help="predict one running step (whole stride, both legs) by direct collocation")
    _condition_options(p)
    p.add_argument("--model", metavar="FILE", help="model file (TOML, SI units); default: the built-in runner")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="change a model parameter, in the SI unit of its model-file key (repeatable)")
    p.add_argument("--volume-weights", dest="volume_weights", action="store_true",
                   help="weight each muscle's effort by its volume (F_max·l_opt, mean weight 1)")
    p.add_argument("--mesh-intervals", dest="mesh_intervals", type=int, default=100,
                   help="collocation intervals over the step (default 100, mesh-converged)")
    p.add_argument("--out", metavar="FILE", help="CSV file for the time series of the step (both legs)")
    p.set_defaults(func=cmd_predict)
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
    _model_options(p)
    p.add_argument("--out", default="out/sweep.nc", metavar="FILE",
                   help="netCDF results, metrics in the units their names end in (journaled as they finish; "
                        "rerun resumes; default out/sweep.nc)")
    p.add_argument("--no-backward-pass", dest="no_backward_pass", action="store_true",
                   help="skip the backward pass (re-matching each point from its successor; about halves the time)")
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
