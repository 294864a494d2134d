"""Issue 18 physics: calf fatigue weakens the contractile element only, muscle paths conserve
energy (moment arm = −∂l_MT/∂angle), the calf-fatigue split is an input, and the vertical-GRF
peaks are checked separately."""
import math

import numpy as np
import pytest

import legsim

JOINT_RANGES = {"hip": (-0.5, 2.0), "knee": (0.0, 2.6), "ankle": (-0.85, 0.5)}  # rad


def test_muscle_path_moment_arms_are_minus_the_length_derivative(model):
    h = 1e-6
    checked = 0
    for name in model.muscle_names:
        _, arms = legsim.muscle_path(model, name, {"hip": 0.3, "knee": 0.5, "ankle": 0.1})
        for joint in arms:
            for angle in np.linspace(*JOINT_RANGES[joint], 25):
                angles = {"hip": 0.3, "knee": 0.5, "ankle": 0.1, joint: angle}
                _, r = legsim.muscle_path(model, name, angles)
                lp, _ = legsim.muscle_path(model, name, {**angles, joint: angle + h})
                lm, _ = legsim.muscle_path(model, name, {**angles, joint: angle - h})
                fd = -(lp - lm) / (2 * h)
                assert abs(r[joint] - fd) <= 1e-6 * max(abs(r[joint]), 1e-3), (name, joint, angle, r[joint], fd)
                checked += 1
    assert checked == 9 * 25  # every crossing of the default model


def test_muscle_path_signs_and_input_errors(model):
    length, arms = legsim.muscle_path(model, "soleus", {"ankle": 0.0})
    assert set(arms) == {"ankle"} and arms["ankle"] < 0  # a plantarflexor
    assert 0.25 < length < 0.35
    _, gas = legsim.muscle_path(model, "gastrocnemius", {"knee": 0.3, "ankle": 0.0})
    assert gas["knee"] > 0 and gas["ankle"] < 0  # flexes the knee, plantarflexes the ankle
    with pytest.raises(legsim.InputError, match="give knee too"):
        legsim.muscle_path(model, "gastrocnemius", {"ankle": 0.0})
    with pytest.raises(legsim.InputError, match="unknown joint"):
        legsim.muscle_path(model, "soleus", {"ankle": 0.0, "toe": 0.1})
    with pytest.raises(legsim.InputError, match="angles.ankle"):
        legsim.muscle_path(model, "soleus", {"ankle": float("nan")})
    with pytest.raises(ValueError, match="calf"):
        legsim.muscle_path(model, "calf", {"ankle": 0.0})


def test_fatigue_keeps_the_relaxed_tendon_force_and_scales_the_active_force(model):
    fresh = legsim.MuscleTendon.from_model(model, "soleus")
    tired = legsim.MuscleTendon.from_model(model, "soleus", capacity=0.7)
    assert tired.max_isometric_force == fresh.max_isometric_force
    # Fiber at its optimal length: l_MT = l_s·(1 + strain at the tendon force) + l_opt·cos α0; use the
    # rigid-tendon form of the same muscle to pin the fiber there.
    p = {k: v for k, v in fresh.params.items() if k != "tendon"}
    rigid = legsim.MuscleTendon(name="soleus", tendon="rigid", **p)
    rigid_tired = legsim.MuscleTendon(name="soleus", tendon="rigid", **{**p, "capacity_factor": 0.7})
    l_opt_mt = fresh.tendon_slack_length + fresh.optimal_fiber_length * math.cos(fresh.pennation_angle_at_optimal)
    full, weak = rigid.equilibrium(l_opt_mt, 0.0, 1.0), rigid_tired.equilibrium(l_opt_mt, 0.0, 1.0)
    assert full["norm_fiber_length"] == pytest.approx(1.0, abs=1e-12)
    assert weak["active_fiber_force"] == pytest.approx(0.7 * full["active_fiber_force"], rel=1e-12)
    assert weak["passive_fiber_force"] == full["passive_fiber_force"]
    # Compliant tendon at minimum activation, fiber stretched (passive force carries the tendon): the
    # tendon force differs only by the fatigued share of the tiny active force a_min·fL·F_max ...
    l = fresh.tendon_slack_length * 1.02 + 1.3 * fresh.optimal_fiber_length
    a_min = fresh.min_activation
    f1 = fresh.equilibrium(l, 0.0, a_min)["tendon_force"]
    f07 = tired.equilibrium(l, 0.0, a_min)["tendon_force"]
    assert abs(f1 - f07) <= 0.3 * a_min * fresh.max_isometric_force
    # ... and with no activation at all it is the same force (scaling F_max would change it by 30 %).
    p0 = {**p, "min_activation": 0.0}
    relaxed = legsim.MuscleTendon(name="soleus", **p0).equilibrium(l, 0.0, 0.0)["tendon_force"]
    relaxed_tired = legsim.MuscleTendon(name="soleus", **{**p0, "capacity_factor": 0.7}).equilibrium(l, 0.0, 0.0)
    assert relaxed > 50.0
    assert relaxed_tired["tendon_force"] == pytest.approx(relaxed, rel=1e-10)
    with pytest.raises(legsim.InputError, match="capacity"):
        legsim.MuscleTendon.from_model(model, "soleus", capacity=0.0)


def test_calf_fatigue_split_sets_each_calf_muscles_capacity(model):
    base = dict(speed=3.5, cadence=170, calf_fatigue=0.4)
    caps = lambda c: dict(zip(model.muscle_names, legsim._core.capacity_factors(model, c._to_core())))
    fiber = caps(legsim.Condition(**base))
    # Fiber type (default): the gastrocnemius (most fast-twitch) loses φ, the soleus φ·(1−0.803)/(1−0.566).
    assert fiber["gastrocnemius"] == pytest.approx(0.6)
    assert fiber["soleus"] == pytest.approx(1 - 0.4 * (1 - 0.803) / (1 - 0.566))
    equal = caps(legsim.Condition(**base, calf_fatigue_split="equal"))
    assert equal["soleus"] == pytest.approx(0.6) and equal["gastrocnemius"] == pytest.approx(0.6)
    gas_only = legsim.Condition(**base, calf_fatigue_split={"gastrocnemius": 1.0})
    assert gas_only.calf_fatigue_split == "gastrocnemius=1"
    c = caps(gas_only)
    assert c["soleus"] == 1.0 and c["gastrocnemius"] == pytest.approx(0.6)
    assert caps(legsim.Condition(**base, calf_fatigue_split="soleus=0.5"))["soleus"] == pytest.approx(0.8)
    assert all(v == 1.0 for k, v in fiber.items() if k not in ("soleus", "gastrocnemius"))
    # Recorded and round-tripped.
    import pickle
    assert pickle.loads(pickle.dumps(gas_only)) == gas_only
    assert "calf_fatigue_split='gastrocnemius=1'" in repr(gas_only)


def test_calf_fatigue_split_rejects_bad_input(model):
    with pytest.raises(legsim.InputError, match="calf_fatigue_split"):
        legsim.Condition(speed=3.5, cadence=170, calf_fatigue_split="fast")
    with pytest.raises(legsim.InputError, match=r"calf_fatigue_split\.soleus = 1\.5 is out of range"):
        legsim.Condition(speed=3.5, cadence=170, calf_fatigue_split={"soleus": 1.5})
    with pytest.raises(legsim.InputError, match="calf_fatigue_split"):
        legsim.Condition(speed=3.5, cadence=170, calf_fatigue_split=3)
    bad = legsim.Condition(speed=3.5, cadence=170, calf_fatigue=0.2, calf_fatigue_split={"quadriceps": 1.0})
    for method, options in (("matching", {"max_evaluations": 1}), ("predict", {"mesh_intervals": 10})):
        with pytest.raises(legsim.InputError, match="'quadriceps' is not a calf muscle of the model"):
            legsim.simulate(model, bad, method=method, **options)


def test_plausibility_checks_impact_and_active_vertical_grf_peaks_separately():
    ranges = legsim.PUBLISHED_RANGES
    assert ranges["active_peak_vertical_grf_bw"][:2] == (2.2, 3.0)
    assert ranges["impact_peak_vertical_grf_bw"][:2] == (1.5, 2.2)
    assert "peak_vertical_grf_bw" not in ranges
    t = legsim.plausibility_table({"impact_peak_vertical_grf_bw": 6.2, "active_peak_vertical_grf_bw": 2.9,
                                   "peak_vertical_grf_bw": 6.2}).set_index("quantity")
    assert bool(t.loc["active_peak_vertical_grf_bw", "inside"])
    assert not bool(t.loc["impact_peak_vertical_grf_bw", "inside"])


def test_sweep_records_the_calf_fatigue_split(model, tmp_path):
    ds = legsim.sweep(model, speed=3.5, cadence=170, calf_fatigue=0.2,
                      calf_fatigue_split=["fiber_type", {"gastrocnemius": 1.0}], max_evaluations=1,
                      max_stances=4, backward_pass=False, out=tmp_path / "s.nc", method="matching")
    assert list(ds.calf_fatigue_split.values) == ["fiber_type", "gastrocnemius=1"]
    assert ds.attrs["calf_fatigue_split"] == "fiber_type;gastrocnemius=1"
    import xarray as xr
    with xr.open_dataset(tmp_path / "s.nc") as back:
        assert list(back.calf_fatigue_split.values) == ["fiber_type", "gastrocnemius=1"]
    default = legsim.sweep(model, speed=3.5, cadence=170, max_evaluations=1, max_stances=4, backward_pass=False,
                           method="matching")
    assert default.attrs["calf_fatigue_split"] == "fiber_type"


def test_a_model_without_calf_muscles_has_no_calf_fatigue(model):
    text = model.to_toml().replace('"calf", ', "")
    assert '"calf"' not in text
    no_calf = legsim.Model.from_toml(text)
    c = legsim.Condition(speed=3.5, cadence=170, calf_fatigue=0.4)
    caps = legsim._core.capacity_factors(no_calf, c._to_core())
    assert list(caps) == [1.0] * len(no_calf.muscle_names)
    with pytest.raises(legsim.InputError, match="not a calf muscle of the model \\(allowed: none\\)"):
        legsim._core.capacity_factors(no_calf, legsim.Condition(
            speed=3.5, cadence=170, calf_fatigue=0.4, calf_fatigue_split={"soleus": 1.0})._to_core())
