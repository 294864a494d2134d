"""``legsim run``, the main job of ``make run``: the muscle demonstration, one stance, and the default
condition predicted with its four neighbours (the directions runners show), or the default gait-matching
sweep."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import __version__
from ._cli_inputs import _load_model
from ._cli_print import _print_metrics, _print_plausibility, _print_plausibility_metrics
from ._cli_sweep import _run_sweep


def cmd_run(args) -> int:
    """Main job on the default model: muscle demonstration and one stance, with plots."""
    from ._extras import require  # matplotlib is the plot extra: a clear message when missing
    matplotlib = require("matplotlib", "plot")
    matplotlib.use("Agg")
    plt = require("matplotlib.pyplot", "plot")

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
    from . import plot
    plot.stance(res, model=model).savefig(out / "stance.png", dpi=110)
    print(f"\nwrote {png}, {out / 'stance.png'} and {out / 'stance_timeseries.csv'}")

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
    from . import plot
    from ._animate import animate
    plot.stance(p0, model=model).savefig(out / "predicted_step.png", dpi=110)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    labels = list(results)
    ax.barh(labels, [results[k].metrics.get("peak_pfj_force_bw", float("nan")) for k in labels])
    ax.set(xlabel="peak patellofemoral joint force (BW)", ylabel="condition (3.5 m/s)",
           title="the default and its neighbours")
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "predicted_directions.png", dpi=110)
    # The default stride animated: a GIF needs only Pillow, which the plot extra brings with matplotlib.
    animate(p0, out / "predicted_stride.gif", model=model, dpi=80)
    print(f"\nwrote {out / 'predicted_conditions.csv'}, {out / 'predicted_step_timeseries.csv'}, "
          f"{out / 'predicted_step.png'}, {out / 'predicted_directions.png'} and {out / 'predicted_stride.gif'}")
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
