"""Published ranges for a healthy 70 kg runner at about 3.5 m/s and 170 steps/min (docs/published_ranges.md)
and a table comparing a matched stance's metrics with them.

Sources of the ranges: Heiderscheit BC et al. (2011) Med Sci Sports Exerc 43(2):296–302 (knee angles
at contact and peak, knee extension moment); Sinclair J, Selfe J (2015) J Biomech 48(10):2171–2175
and Roos PE, Barton N, van Deursen RWM (2012) J Biomech 45(9):1656–1660 (PFJ force and stress);
Reiter et al. (2024) Med Sci Sports Exerc (Achilles tendon force); Munro CF, Miller DI, Fuglevand AJ
(1987) J Biomech 20(2):147–155 (active vertical-GRF peak, contact time; heel-strike impact peak with
Cavanagh PR, Lafortune MA (1980) J Biomech 13(5):397–406). A model far outside these ranges has a
bug or a wrong parameter; the comparison is a check, never a fitting target.
"""
from __future__ import annotations

import pandas as pd

#: metric key → (low, high, unit) at 3.5 m/s, 170 steps/min, rearfoot strike, no fatigue.
#: The vertical GRF has two peaks, checked separately: the active (mid-stance) peak against Munro et
#: al. 1987's 2.2–3.0 BW, and the heel-strike impact peak against 1.5–2.2 BW (rearfoot strikers;
#: forefoot strikes have none). ``peak_vertical_grf_bw`` stays the overall maximum, reported beside.
PUBLISHED_RANGES = {
    "contact_time_s": (0.20, 0.30, "s"),
    "active_peak_vertical_grf_bw": (2.2, 3.0, "BW"),
    "impact_peak_vertical_grf_bw": (1.5, 2.2, "BW"),
    "knee_flexion_at_contact_deg": (15.0, 20.0, "deg"),
    "peak_knee_flexion_deg": (40.0, 50.0, "deg"),
    "peak_knee_extension_moment_nm_per_kg": (2.0, 3.5, "N·m/kg"),
    "peak_pfj_force_bw": (3.0, 8.0, "BW"),
    "peak_pfj_stress_mpa": (6.0, 14.0, "MPa"),
    "peak_achilles_force_bw": (6.0, 10.0, "BW"),
}

#: Whole-stride kinematics, checked when the metrics have them (gait prediction reports them; the
#: stance-only gait matching does not). Ranges are mean ± 1 SD of healthy runners:
#: hip flexion at contact 26.7 ± 5.5° — Heiderscheit et al. 2011, Table 3, preferred step rate: the
#: peak hip flexion of the loading response (contact to peak knee flexion), which is at or just after
#: contact because the hip extends from touchdown on (45 runners, treadmill, self-selected speed);
#: peak stance ankle dorsiflexion 22.3 ± 2.9° — Bramah C, Preece SJ, Gill N, Herrington L (2018) Am J
#: Sports Med 46(12):3023–3031, Table 4, healthy runners (36; 19 rearfoot, 17 forefoot strikers;
#: treadmill, 3.2 m/s). Both measure the thigh against the pelvis and the foot against the shank from
#: marker-based models whose zero posture need not be legsim's standing posture
#: (docs/published_ranges.md).
STRIDE_RANGES = {
    "hip_flexion_at_contact_deg": (21.0, 32.0, "deg"),
    "peak_ankle_dorsiflexion_deg": (19.0, 25.0, "deg"),
}


def plausibility_table(metrics: dict) -> pd.DataFrame:
    """One row per quantity of :data:`PUBLISHED_RANGES`, then of :data:`STRIDE_RANGES` present in
    ``metrics``: the model's value, the published range and whether the value lies inside it (NaN or
    a missing metric of PUBLISHED_RANGES counts as outside)."""
    rows = []
    ranges = {**PUBLISHED_RANGES, **{k: v for k, v in STRIDE_RANGES.items() if k in metrics}}
    for key, (lo, hi, unit) in ranges.items():
        v = float(metrics.get(key, float("nan")))
        rows.append({"quantity": key, "model": v, "published_low": lo, "published_high": hi, "unit": unit,
                     "inside": bool(lo <= v <= hi)})
    return pd.DataFrame(rows)
