"""What ``legsim run`` and ``legsim simulate`` print about one condition: its metrics and the
plausibility table against the published ranges, with the impact diagnostics and the energy audit."""
from __future__ import annotations

import math
from pathlib import Path


def _print_metrics(metrics: dict, keys=None) -> None:
    keys = keys or sorted(metrics)
    width = max(len(k) for k in keys)
    for k in keys:
        print(f"  {k:<{width}}  {metrics[k]:10.4f}")


def _print_plausibility(nc: Path) -> None:
    """The default condition of the sweep (3.5 m/s, 170 steps/min, no fatigue) against the published ranges (docs/published_ranges.md)."""
    import xarray as xr

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


def _print_plausibility_table(metrics: dict) -> None:
    from .plausibility import plausibility_table
    table = plausibility_table(metrics)
    print(f"  {int(table.inside.sum())} of {len(table)} inside")
    for r in table.itertuples():
        mark = "ok " if r.inside else "OUT"
        print(f"  {mark} {r.quantity:<38} {r.model:8.3f}  [{r.published_low:g}, {r.published_high:g}] {r.unit}")
