"""The ``legsim`` console script: model changes (--set, --volume-weights), parameter axes (--param),
foot strike, and its error handling (exit code 2 and a message naming the option and the value)."""
import numpy as np
import pytest
import xarray as xr

import legsim
from legsim import cli


@pytest.mark.parametrize("argv, message", [
    (["simulate", "--set", "contact.stiffness=abc"], "--set 'contact.stiffness=abc': the value 'abc' is not a number"),
    (["simulate", "--set", "contact.stiffness"], "--set 'contact.stiffness': expected PATH=VALUE"),
    (["simulate", "--set", "nope.x=1"], "unknown numeric model parameter 'nope.x'"),
    (["simulate", "--set", "contact.stiffness=-5"], "contact.stiffness = -5 is out of range"),
    (["simulate", "--foot-strike", "heel"], "condition.foot_strike = 'heel' is out of range"),
    (["simulate", "--foot-strike", "rearfoot,forefoot"], "simulate takes one foot strike"),
    (["sweep", "--param", "muscles.soleus.tendon_slack_length"], "--param 'muscles.soleus.tendon_slack_length': expected PATH=VALUES"),
    (["sweep", "--param", "muscles.soleus.tendon_slack_length=a,b"], "expected numbers as 'a,b,c' or 'lo:hi:step'"),
    (["simulate", "--foot-velocity", "1"], "--foot-velocity '1': expected VX,VY"),
    (["sweep", "--foot-velocity", "1,x"], "--foot-velocity '1,x': expected VX,VY"),
    (["simulate", "--foot-velocity", "1,-11"], "options.touchdown_foot_velocity[1] = -11 is out of range"),
])
def test_bad_input_exits_2_with_a_message(argv, message, capsys):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_set_and_volume_weights_change_the_model():
    m = cli._load_model(None, ["contact.stiffness=4.9e5", "controller.muscles.tibialis_anterior.pretension=1"], True)
    assert m.param("contact.stiffness") == 4.9e5
    assert m.param("controller.muscles.tibialis_anterior.pretension") == 1.0
    w = legsim.volume_effort_weights(legsim.Model.default())
    assert m.param("controller.muscles.soleus.effort_weight") == pytest.approx(w["controller.muscles.soleus.effort_weight"])
    assert cli._load_model(None).param("contact.stiffness") == legsim.Model.default().param("contact.stiffness")


def test_sweep_over_a_model_parameter_axis(tmp_path):
    out, plot = tmp_path / "s.nc", tmp_path / "p.png"
    code = cli.main(["sweep", "--speed", "3.5", "--cadence", "170", "--calf-fatigue", "0",
                     "--param", "muscles.soleus.tendon_slack_length=0.25,0.27", "--no-backward-pass",
                     "--out", str(out), "--plot", str(plot)])
    assert code == 0
    assert plot.stat().st_size > 0
    with xr.open_dataset(out) as ds:
        axis = "muscles.soleus.tendon_slack_length"
        assert axis in ds.dims
        np.testing.assert_allclose(ds[axis].values, [0.25, 0.27])
        assert bool(ds.converged.all())
        pfj = ds.peak_pfj_force_bw.squeeze().values
        assert np.all(np.isfinite(pfj)) and pfj[0] != pfj[1]  # the parameter reached the model


def test_sweep_over_foot_strikes_prints_and_plots_named_coordinates(tmp_path, capsys):
    out, plot = tmp_path / "f.nc", tmp_path / "f.png"
    code = cli.main(["sweep", "--speed", "3.5", "--cadence", "170", "--calf-fatigue", "0",
                     "--foot-strike", "rearfoot,forefoot", "--no-backward-pass", "--out", str(out), "--plot", str(plot)])
    assert code == 0
    table = capsys.readouterr().out
    assert "rearfoot" in table and "forefoot" in table
    with xr.open_dataset(out) as ds:
        assert list(ds.foot_strike.values) == ["rearfoot", "forefoot"]
        assert bool(ds.converged.all())


def test_run_plausibility_report_marks_ranges_and_prints_the_impact_diagnostics(tmp_path, capsys):
    """`legsim run` ends with the default condition against DESIGN 7's ranges, then the impact
    diagnostics; a key missing from an older sweep file prints as nan instead of failing."""
    metrics = {"contact_time_s": 0.25, "peak_vertical_grf_bw": 6.2, "impact_peak_vertical_grf_bw": 6.2,
               "active_peak_vertical_grf_bw": 2.9, "knee_flexion_at_contact_deg": 18.0,
               "peak_knee_flexion_deg": 45.0, "peak_knee_extension_moment_nm_per_kg": 2.5,
               "peak_pfj_force_bw": 5.0, "peak_pfj_stress_mpa": 11.0, "peak_achilles_force_bw": 7.0,
               "touchdown_com_vertical_velocity_m_per_s": -0.94, "peak_braking_grf_bw": 2.9,
               "trunk_lean_change_rad": np.radians(4.5)}
    coords = {"speed": [3.5], "cadence": [170.0], "calf_fatigue": [0.0]}
    ds = xr.Dataset({k: (list(coords), np.full((1, 1, 1), v)) for k, v in metrics.items()}, coords=coords)
    ds["converged"] = (list(coords), np.ones((1, 1, 1), dtype=bool))
    ds.to_netcdf(tmp_path / "s.nc")
    cli._print_plausibility(tmp_path / "s.nc")
    out = capsys.readouterr().out
    assert "8 of 9 inside" in out
    assert "OUT impact_peak_vertical_grf_bw" in out  # impact and active peaks are checked separately
    assert "ok  active_peak_vertical_grf_bw" in out
    assert "touchdown_com_vertical_velocity_m_per_s -0.94" in out
    assert "touchdown_foot_velocity_y_m_per_s nan" in out
    assert "trunk lean at toe-off minus at touchdown: 4.50 deg" in out


def test_simulate_periodic_trunk_lean_matches_the_trunk_lean(capsys):
    assert cli.main(["simulate", "--periodic-trunk-lean"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "residual trunk_lean_change_rad" in ln)
    assert abs(float(line.split(":")[1])) < np.radians(1.0)
