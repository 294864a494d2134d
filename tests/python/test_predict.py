"""Gait prediction by direct collocation (legsim.predict, issue 19).

One cold solve at the default condition is shared by the module (1–3 minutes on 2 cores); the
neighbouring conditions warm-start from it, as sweeps do."""
import math

import numpy as np
import pytest

import legsim
from legsim.predict import available

pytestmark = pytest.mark.skipif(not available(), reason="this build has no gait prediction (CasADi not found)")


@pytest.fixture(scope="module")
def model():
    return legsim.Model.default()


@pytest.fixture(scope="module")
def default_gait(model):
    return legsim.predict(model, legsim.Condition(speed=3.5, cadence=170))


def test_default_condition_converges_with_a_full_report(default_gait):
    r = default_gait
    assert r.converged, r.message
    for key in ("method", "status", "iterations", "seconds", "objective", "objective_effort",
                "objective_acceleration", "variables_on_bounds"):
        assert key in r.solver
    assert r.solver["iterations"] > 0 and r.solver["seconds"] > 0
    # The objective is the sum of its terms.
    terms = sum(v for k, v in r.solver.items() if k.startswith("objective_"))
    assert terms == pytest.approx(r.solver["objective"], rel=1e-9)
    # The effort term dominates the regularization (it is what is optimized; the rest is small).
    assert r.solver["objective_effort"] > 10 * r.solver["objective_acceleration"]
    for k in ("contact_time_s", "peak_pfj_force_bw", "peak_knee_extension_moment_nm_per_kg", "active_peak_vertical_grf_bw",
              "knee_flexion_at_contact_deg", "hip_flexion_at_contact_deg", "swing_peak_knee_flexion_deg", "flight_time_s"):
        assert math.isfinite(r.metrics[k]), k


def test_step_is_periodic_and_mirrored(default_gait):
    """The last node is the first one with the legs swapped, advanced by the step length: the
    symmetry the problem imposes by substitution."""
    ts = default_gait.timeseries
    first, last = ts.iloc[0], ts.iloc[-1]
    step_length = default_gait.metrics["step_length_m"]
    assert last["pelvis_x_m"] - first["pelvis_x_m"] == pytest.approx(step_length, abs=1e-9)
    assert last["pelvis_y_m"] == pytest.approx(first["pelvis_y_m"], abs=1e-9)
    for joint in ("hip_flexion", "knee_flexion", "ankle_dorsiflexion"):
        assert last[f"{joint}_r_deg"] == pytest.approx(first[f"{joint}_l_deg"], abs=1e-7)
        assert last[f"{joint}_l_deg"] == pytest.approx(first[f"{joint}_r_deg"], abs=1e-7)
    # Mean horizontal speed = step length / step time.
    assert step_length / ts["time_s"].iloc[-1] == pytest.approx(3.5, rel=1e-9)


def test_momentum_balance_over_the_step(default_gait, model):
    """Periodicity means the net vertical impulse of the ground equals the body weight times the
    step time, and the net horizontal impulse is zero (within the trapezoidal mesh's accuracy)."""
    ts = default_gait.timeseries
    t = ts["time_s"].to_numpy()
    fy = (ts["grf_y_r_n"] + ts["grf_y_l_n"]).to_numpy()
    fx = (ts["grf_x_r_n"] + ts["grf_x_l_n"]).to_numpy()
    bw = model.body_mass * 9.80665
    assert np.trapz(fy, t) == pytest.approx(bw * t[-1], rel=0.02)
    assert abs(np.trapz(fx, t)) < 0.02 * bw * t[-1]


def test_touchdown_satisfies_the_foot_strike_band(default_gait):
    ts = default_gait.timeseries
    assert ts["grf_y_r_n"].iloc[0] == pytest.approx(20.0, abs=1e-3)  # initial contact threshold
    r0 = ts.iloc[0]
    foot_angle = (-r0["trunk_lean_deg"] + r0["hip_flexion_r_deg"] - r0["knee_flexion_r_deg"]
                  + r0["ankle_dorsiflexion_r_deg"])
    assert foot_angle >= 8.0 - 1e-6  # rearfoot: > 8° (Altman & Davis 2012)


def test_warm_start_from_the_solution_is_immediate(model, default_gait):
    r = legsim.predict(model, legsim.Condition(speed=3.5, cadence=170), warm_start=default_gait)
    assert r.converged
    assert r.solver["iterations"] < default_gait.solver["iterations"]
    assert r.metrics["peak_pfj_force_bw"] == pytest.approx(default_gait.metrics["peak_pfj_force_bw"], rel=0.005)


def test_bad_options_name_the_field(model):
    with pytest.raises(legsim.InputError, match="mesh_intervals"):
        legsim.predict(model, legsim.Condition(speed=3.5, cadence=170), mesh_intervals=5)
    with pytest.raises(legsim.InputError, match="warm_start"):
        legsim.predict(model, legsim.Condition(speed=3.5, cadence=170), warm_start={"x": 1})
    with pytest.raises(legsim.InputError, match="condition"):
        legsim.predict(model, {"speed": 3.5})
