"""legsim.simulate_stances (the batch engine from Python) against the scalar path, its determinism
across threads and row order, its shape and value errors, and DataFrame in / DataFrame out."""
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

import legsim
from legsim import _core

# The C++ batch tests' bars (tests/cpp/test_batch_engine.cpp): the two engines integrate the same
# equations to the same tolerance (peaks ≈ 2e-6 apart, measured over 240 lanes), while each locates
# toe-off on its own dense output (contact time and effort ≈ 5e-5 apart). These tests run both with
# Dormand–Prince throughout (integrator="dormand_prince"); with the default stiffness switching both
# switch by the same rule, and agree within SWITCHING_BAR (C++: 4.3e-5 measured over 214 lanes).
PEAK_BAR = 2.5e-5
TOE_OFF_BAR = 2.5e-4
SWITCHING_BAR = 5e-4
PEAK_METRICS = ("peak_pfj_force_bw", "peak_vertical_grf_bw", "peak_knee_flexion_deg")
TOE_OFF_METRICS = ("contact_time_s", "effort")
N_STANCES = 20
FOOT_ANGLE = np.radians(15.0)  # rearfoot strike, as the C++ batch test


@pytest.fixture(scope="module")
def model():
    return legsim.Model.default()


def random_inputs(model, n, seed=7):
    """Touchdowns, controls and calf capacities around the model's defaults, perturbed as the C++
    batch test perturbs them (every third stance with a fatigued calf)."""
    rng = np.random.default_rng(seed)
    u = lambda: rng.uniform(0.0, 1.0, n)  # noqa: E731
    hip, knee = 0.45 + 0.20 * u(), 0.25 + 0.15 * u()
    lean = 0.105
    td = pd.DataFrame({
        "trunk_lean": lean, "hip_flexion": hip, "knee_flexion": knee,
        "ankle_dorsiflexion": np.clip(FOOT_ANGLE - ((hip - lean) - knee), -0.8, 0.6),
        "hip_velocity_x": 3.0 + u(), "hip_velocity_y": -0.7 + 0.4 * u(), "hip_angular_velocity": -3.0,
    }, index=[f"s{i}" for i in range(n)])
    controls = {}
    for m in model.muscle_names:
        level = model.param(f"controller.muscles.{m}.level")
        onset = model.param(f"controller.muscles.{m}.onset")
        offset = model.param(f"controller.muscles.{m}.offset")
        controls[f"muscles.{m}.level"] = np.clip(2.0 * level * (0.8 + 0.4 * u()), 0.0, 1.0)
        controls[f"muscles.{m}.offset"] = np.maximum(offset * (0.9 + 0.2 * u()), onset + 0.01)
    calf = [m for m in model.muscle_names if "calf" in model.muscle_tags(m)]
    fatigued = np.arange(n) % 3 == 0
    caps = {m: np.where(fatigued, 1.0 - 0.5 * u(), 1.0) for m in calf}
    return td, pd.DataFrame(controls, index=td.index), pd.DataFrame(caps, index=td.index)


def test_batch_equals_the_scalar_path(model):
    td, ctl, caps = random_inputs(model, N_STANCES)
    batch = legsim.simulate_stances(model, td, ctl, capacity_factors=caps, threads=2,
                                    integrator="dormand_prince").metrics
    both_ok = 0
    for label in td.index:
        scalar = legsim.simulate_stance(model, legsim.Touchdown(**td.loc[label].to_dict()),
                                        controller=ctl.loc[label].to_dict(),
                                        capacity_factors=caps.loc[label].to_dict(), record=False,
                                        integrator="dormand_prince")
        row = batch.loc[label]
        assert row["status"] == scalar.status, (label, row["message"], scalar.message)
        if not scalar.converged:
            continue
        both_ok += 1
        for key in PEAK_METRICS:
            assert row[key] == pytest.approx(scalar.metrics[key], rel=PEAK_BAR), (label, key)
        for key in TOE_OFF_METRICS:
            assert row[key] == pytest.approx(scalar.metrics[key], rel=TOE_OFF_BAR), (label, key)
    assert both_ok >= 15  # the perturbations keep most stances healthy (C++ test: 200 of 240)


def test_every_summary_metric_matches_the_scalar_metric_of_that_name(model):
    """The batch columns carry the scalar path's names and units: each agrees with the scalar metric."""
    res = legsim.simulate_stances(model, {"hip_flexion": [0.5]}, integrator="dormand_prince").metrics.iloc[0]
    scalar = legsim.simulate_stance(model, legsim.Touchdown(hip_flexion=0.5), controller={}, record=False,
                                    integrator="dormand_prince")
    assert res["converged"] and scalar.converged
    metric_columns = [c for c in res.index if c in scalar.metrics]
    assert len(metric_columns) >= 10
    for key in metric_columns:
        assert res[key] == pytest.approx(scalar.metrics[key], rel=TOE_OFF_BAR, abs=1e-9), key


@pytest.mark.parametrize("hip_flexion", [0.45, 0.5, 0.6])
def test_default_stiffness_switching_agrees_with_the_scalar_default(model, hip_flexion):
    """Both engines' default: Dormand–Prince switching to the Rosenbrock–W step late in stance, per
    stance by the same rule — the same stiff steps, the same metrics within SWITCHING_BAR."""
    row = legsim.simulate_stances(model, {"hip_flexion": [hip_flexion]}).metrics.iloc[0]
    scalar = legsim.simulate_stance(model, legsim.Touchdown(hip_flexion=hip_flexion), controller={}, record=False)
    assert row["converged"] and scalar.converged
    assert row["implicit_steps"] >= 0.2 * row["steps"]  # these stances are stiff late on
    for key in PEAK_METRICS + TOE_OFF_METRICS:
        assert row[key] == pytest.approx(scalar.metrics[key], rel=SWITCHING_BAR), key
    dp = legsim.simulate_stances(model, {"hip_flexion": [hip_flexion]}, integrator="dormand_prince").metrics.iloc[0]
    assert dp["implicit_steps"] == 0
    assert row["rhs_evaluations"] < dp["rhs_evaluations"]


def test_simd_targets_agree_and_an_unknown_one_is_named(model):
    """simd= runs another compiled target: the same stances, not bit for bit (FMA, transcendental
    functions and lane counts differ; measured 1.1e-6 relative for SSE2, 7e-9 for AVX2 on these, with
    the same implicit steps), within 3e-5; a target this build or CPU does not have is an InputError
    naming simd and the ones it could take."""
    td = {"hip_flexion": [0.45, 0.5, 0.55]}
    runnable = [t["name"] for t in legsim.build_info()["simd_targets"] if t["supported"]]
    base = legsim.simulate_stances(model, td).metrics
    for target in runnable:
        other = legsim.simulate_stances(model, td, simd=target).metrics
        for key in PEAK_METRICS + TOE_OFF_METRICS:
            np.testing.assert_allclose(other[key], base[key], rtol=3e-5, err_msg=f"{target}: {key}")
    with pytest.raises(legsim.InputError, match=r"simd: expected .* got 'neon'"):
        legsim.simulate_stances(model, td, simd="neon")


def test_results_do_not_depend_on_threads_or_row_order(model):
    td, ctl, caps = random_inputs(model, 12, seed=3)
    one = legsim.simulate_stances(model, td, ctl, capacity_factors=caps, threads=1).metrics
    two = legsim.simulate_stances(model, td, ctl, capacity_factors=caps, threads=2).metrics
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    rev = td.index[::-1]
    reversed_ = legsim.simulate_stances(model, td.loc[rev], ctl.loc[rev], capacity_factors=caps.loc[rev]).metrics
    pd.testing.assert_frame_equal(one, reversed_.loc[td.index], check_exact=True)


def test_a_failed_stance_gives_its_status_and_nan_metrics(model):
    # The hip rising at 3 m/s lifts the foot off at once: the normal force never bears load.
    res = legsim.simulate_stances(model, {"hip_velocity_y": [-0.5, 3.0]}).metrics
    ok, failed = res.iloc[0], res.iloc[1]
    assert ok["converged"] and ok["status"] == "ok" and ok["message"] == ""
    assert not failed["converged"] and failed["status"] != "ok" and failed["message"]
    for key in PEAK_METRICS + TOE_OFF_METRICS:
        assert np.isfinite(ok[key]) and np.isnan(failed[key]), key


def test_dataframe_in_dataframe_out_with_series_on_request(model):
    td, ctl, _ = random_inputs(model, 4, seed=11)
    res = legsim.simulate_stances(model, td, ctl, series=["s2"])
    assert isinstance(res.metrics, pd.DataFrame) and list(res.metrics.index) == list(td.index)
    assert res.metrics["rhs_evaluations"].dtype.kind == "i" and (res.metrics["rhs_evaluations"] > 0).all()
    assert set(res.timeseries) == {"s2"}
    ts = res.timeseries["s2"]
    assert {"time_s", "pfj_force_n", "grf_y_n"} <= set(ts.columns)
    # The series (scalar path) ends at toe-off, which the batch row's contact time locates too.
    row = res.metrics.loc["s2"]
    assert ts["time_s"].iloc[-1] - ts["time_s"].iloc[0] == pytest.approx(row["contact_time_s"], rel=TOE_OFF_BAR)
    bw = model.body_mass * 9.81
    assert ts["grf_y_n"].max() / bw == pytest.approx(row["peak_vertical_grf_bw"], rel=2e-3)


def test_numpy_2d_touchdowns_and_calf_fatigue(model):
    names = [name for name, _ in _core.touchdown_fields()]
    base = legsim.Touchdown()
    arr = np.array([[getattr(base, n) for n in names]] * 2)
    arr[1, names.index("hip_flexion")] = 0.5
    res = legsim.simulate_stances(model, arr, calf_fatigue=[0.0, 0.3]).metrics
    dict_in = legsim.simulate_stances(model, {"hip_flexion": [0.45, 0.5]},
                                      calf_fatigue=np.array([0.0, 0.3])).metrics
    pd.testing.assert_frame_equal(res, dict_in, check_exact=True)
    assert res["converged"].all()


@pytest.mark.parametrize("touchdowns, controls, message", [
    ({"hip_flexion": np.full(5, 0.45), "knee_flexion": np.full(3, 0.3)}, None,
     "touchdowns.knee_flexion: expected 5 values (one per stance) or 1, got 3"),
    ({"hip_flexion": np.full(5, 0.45)}, {"trunk_kp": np.full(4, 1.0)},
     "controls.trunk_kp: expected 5 values (one per stance) or 1, got 4"),
    (np.zeros((3, 4)), None, "touchdowns: expected 10 columns"),
    ({"hip_flexion": np.zeros((2, 2))}, None, "touchdowns.hip_flexion: expected a 1-D array"),
    ({"hip_flexion_deg": [0.4]}, None, "touchdowns: unknown column 'hip_flexion_deg'"),
    ({"hip_flexion": [0.4]}, {"muscles.soleus.gain": [1.0]}, "controls: unknown column 'muscles.soleus.gain'"),
    (pd.DataFrame({"hip_flexion": []}), None, "touchdowns: expected at least 1 stance, got 0"),
])
def test_shape_and_name_errors(model, touchdowns, controls, message):
    with pytest.raises(legsim.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        legsim.simulate_stances(model, touchdowns, controls)


def test_nan_and_out_of_range_inputs_name_the_row_and_field(model):
    with pytest.raises(legsim.InputError, match=r"row 2: touchdown\.hip_flexion = nan"):
        legsim.simulate_stances(model, {"hip_flexion": [0.4, 0.45, np.nan]})
    with pytest.raises(legsim.InputError, match=r"row 1: controls\.muscles\.soleus\.level = 1\.5"):
        legsim.simulate_stances(model, {"hip_flexion": [0.4, 0.45]}, {"muscles.soleus.level": [0.5, 1.5]})
    with pytest.raises(legsim.InputError, match=r"row 0: capacity_factors\[soleus\] = 0"):
        legsim.simulate_stances(model, {"hip_flexion": [0.4]}, capacity_factors={"soleus": [0.0]})
    with pytest.raises(legsim.InputError, match=r"row 1: calf_fatigue = 0\.95"):
        legsim.simulate_stances(model, {"hip_flexion": [0.4, 0.45]}, calf_fatigue=[0.1, 0.95])
    with pytest.raises(legsim.InputError, match="give one of them"):
        legsim.simulate_stances(model, {"hip_flexion": [0.4]}, capacity_factors={"soleus": 0.9}, calf_fatigue=0.1)


def test_scalar_controller_path_refuses_an_excitation_too(model):
    with pytest.raises(legsim.InputError, match="excitation and controller"):
        legsim.simulate_stance(model, excitation=legsim.default_excitation(model), controller={})
    with pytest.raises(legsim.InputError, match=r"controls\.trunk_kp = 30"):
        legsim.simulate_stance(model, controller={"trunk_kp": 30.0})


def test_column_names_come_from_the_core(model):
    """Touchdown's fields, the touchdown columns and the control columns are the C++ tables'."""
    core_fields = [name for name, _ in _core.touchdown_fields()]
    assert [f.name for f in fields(legsim.Touchdown) if f.name != "activations"] == core_fields
    assert legsim.touchdown_columns(model) == core_fields + [f"activations.{m}" for m in model.muscle_names]
    for col in legsim.control_columns(model):
        model.param(f"controller.{col}")  # every control column is a key of the model file
