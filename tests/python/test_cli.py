"""The ``legsim`` console script: model changes (--set, --volume-weights), parameter axes (--param),
foot strike, and its error handling (exit code 2 and a message naming the option and the value)."""
import os

import numpy as np

import pytest
import xarray as xr

import legsim
from legsim import _cli_inputs, _cli_print, _cli_run, _cli_sweep, cli


@pytest.mark.parametrize("argv, message", [
    (["simulate", "--set", "contact.stiffness=abc"], "--set 'contact.stiffness=abc': the value 'abc' is not a number"),
    (["simulate", "--set", "contact.stiffness"], "--set 'contact.stiffness': expected PATH=VALUE"),
    (["simulate", "--set", "nope.x=1"], "unknown numeric model parameter 'nope.x'"),
    (["simulate", "--set", "contact.stiffness=-5"], "contact.stiffness = -5 is out of range"),
    (["simulate", "--foot-strike", "heel"], "condition.foot_strike = 'heel' is out of range"),
    (["simulate", "--foot-strike", "rearfoot,forefoot"], "simulate takes one foot strike"),
    (["sweep", "--param", "muscles.soleus.tendon_slack_length"], "--param 'muscles.soleus.tendon_slack_length': expected PATH=VALUES"),
    (["sweep", "--param", "muscles.soleus.tendon_slack_length=a,b"],
     "--param muscles.soleus.tendon_slack_length 'a,b': expected 'lo:hi:step' (lo <= hi, step > 0), 'a,b,c'"),
    (["simulate", "--method", "matching", "--foot-velocity", "1"], "--foot-velocity '1': expected VX,VY"),
    (["sweep", "--method", "matching", "--foot-velocity", "1,x"], "--foot-velocity '1,x': expected VX,VY"),
    (["simulate", "--method", "matching", "--foot-velocity", "1,-11"],
     "options.touchdown_foot_velocity[1] = -11 is out of range"),
    # An option of the other method is refused before any work.
    (["simulate", "--foot-velocity", "1,-1"], "--foot-velocity: an option of --method matching, not of --method predict"),
    (["sweep", "--method", "matching", "--mesh-intervals", "20"],
     "--mesh-intervals: an option of --method predict, not of --method matching (sweep)"),
    (["sweep", "--also-cold", "--method", "matching"], "--also-cold: an option of --method predict"),
    (["sweep", "--no-backward-pass"], "--no-backward-pass: an option of --method matching"),
])
def test_bad_input_exits_2_with_a_message(argv, message, capsys):
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


def test_set_and_volume_weights_change_the_model():
    m = _cli_inputs._load_model(None, ["contact.stiffness=4.9e5", "controller.muscles.tibialis_anterior.pretension=1"], True)
    assert m.param("contact.stiffness") == 4.9e5
    assert m.param("controller.muscles.tibialis_anterior.pretension") == 1.0
    w = legsim.volume_effort_weights(legsim.Model.default())
    assert m.param("controller.muscles.soleus.effort_weight") == pytest.approx(w["controller.muscles.soleus.effort_weight"])
    assert _cli_inputs._load_model(None).param("contact.stiffness") == legsim.Model.default().param("contact.stiffness")


def test_sweep_over_a_model_parameter_axis(tmp_path):
    out, plot = tmp_path / "s.nc", tmp_path / "p.png"
    code = cli.main(["sweep", "--method", "matching", "--speed", "3.5", "--cadence", "170", "--calf-fatigue", "0",
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
    code = cli.main(["sweep", "--method", "matching", "--speed", "3.5", "--cadence", "170", "--calf-fatigue", "0",
                     "--foot-strike", "rearfoot,forefoot", "--no-backward-pass", "--out", str(out), "--plot", str(plot)])
    assert code == 0
    table = capsys.readouterr().out
    assert "rearfoot" in table and "forefoot" in table
    with xr.open_dataset(out) as ds:
        assert list(ds.foot_strike.values) == ["rearfoot", "forefoot"]
        assert bool(ds.converged.all())


def test_run_plausibility_report_marks_ranges_and_prints_the_impact_diagnostics(tmp_path, capsys):
    """`legsim run` ends with the default condition against the published ranges (docs/published_ranges.md), then the impact
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
    _cli_print._print_plausibility(tmp_path / "s.nc")
    out = capsys.readouterr().out
    assert "8 of 9 inside" in out
    assert "OUT impact_peak_vertical_grf_bw" in out  # impact and active peaks are checked separately
    assert "ok  active_peak_vertical_grf_bw" in out
    assert "touchdown_com_vertical_velocity_m_per_s -0.94" in out
    assert "touchdown_foot_velocity_y_m_per_s nan" in out
    assert "trunk lean at toe-off minus at touchdown: 4.50 deg" in out


def test_simulate_periodic_trunk_lean_matches_the_trunk_lean(capsys):
    assert cli.main(["simulate", "--method", "matching", "--periodic-trunk-lean"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "residual trunk_lean_change_rad" in ln)
    assert abs(float(line.split(":")[1])) < np.radians(1.0)


@pytest.mark.parametrize("argv, message", [
    (["--cadence", "150:190:0"], "--cadence '150:190:0': expected 'lo:hi:step' (lo <= hi, step > 0), 'a,b,c' or one "
                                 "number (steps/min)"),
    (["--cadence", "150:190"], "--cadence '150:190': expected 'lo:hi:step'"),
    (["--cadence", "190:150:10"], "--cadence '190:150:10': expected 'lo:hi:step' (lo <= hi"),
    (["--cadence", "150:190:-5"], "--cadence '150:190:-5': expected 'lo:hi:step' (lo <= hi, step > 0)"),
    (["--cadence", "a,b"], "--cadence 'a,b': expected 'lo:hi:step'"),
    (["--speed", "inf"], "--speed 'inf': expected"),
    (["--calf-fatigue", "0:1e9:1"], "--calf-fatigue '0:1e9:1': 1000000001 values; at most 10000 without --allow-large-grid"),
    (["--speed", "2:5:0.01", "--cadence", "150:190:1"],
     "the grid --speed (301) × --cadence (41) × --calf-fatigue (3) has 37023 points; at most 10000 run without "
     "--allow-large-grid"),
    (["--threads", "0"], "argument --threads: '0': expected a whole number of threads >= 1"),
    (["--scheduler", "local:0"], "--scheduler 'local:0': expected local:N with N from 1 to 256 worker processes"),
    (["--scheduler", "my cluster"], "--scheduler 'my cluster': expected a scheduler address (tcp://host:8786) or local:N"),
    (["--calf-fatigue-split", "fast"], "--calf-fatigue-split 'fast': calf_fatigue_split = \"fast\" is not a split"),
    (["--calf-fatigue-split", "equal;soleus=2"],
     "--calf-fatigue-split 'equal;soleus=2': condition.calf_fatigue_split.soleus = 2 is out of range: allowed [0, 1]"),
])
def test_sweep_option_errors_are_one_line_and_exit_2_before_any_work(argv, message, capsys, monkeypatch):
    monkeypatch.setattr(legsim, "sweep", lambda *a, **k: pytest.fail("the sweep started"))
    with_exit = None
    try:
        code = cli.main(["sweep", *argv, "--out", "unused/s.nc", "--plot", ""])
    except SystemExit as exc:  # argparse's own errors
        code = with_exit = exc.code
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert with_exit in (None, 2)


def test_an_unwritable_out_fails_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(legsim, "sweep", lambda *a, **k: pytest.fail("the sweep started"))
    monkeypatch.setattr(legsim.Model, "default", lambda: pytest.fail("the model was loaded"))
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    for option, path in (("--out", blocker / "s.nc"), ("--out", tmp_path), ("--plot", blocker / "p.png")):
        argv = ["sweep", "--cadence", "170", "--out", str(tmp_path / "ok.nc"), "--plot", str(tmp_path / "ok.png")]
        argv[argv.index(option) + 1] = str(path)
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"legsim: error: {option} '{path}': cannot write there") and err.count("\n") == 1
    assert cli.main(["simulate", "--out", str(blocker / "t.csv")]) == 2
    assert "--out" in capsys.readouterr().err


def test_a_large_grid_runs_when_confirmed(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(_cli_sweep, "_run_sweep", lambda model, axes, *a, **k: seen.update(axes) or 0)
    argv = ["sweep", "--cadence", "150:190:0.001", "--out", str(tmp_path / "s.nc"), "--plot", ""]
    assert cli.main(argv) == 2
    assert cli.main([*argv, "--allow-large-grid"]) == 0
    assert len(seen["cadence"]) == 40001 and seen["cadence"][-1] == 190.0


def test_ranges_never_pass_their_upper_end():
    assert _cli_sweep._parse_values("150:195:10", "--cadence") == [150.0, 160.0, 170.0, 180.0, 190.0]
    assert _cli_sweep._parse_values("0:0.4:0.2", "--calf-fatigue") == [0.0, 0.2, 0.4]


def test_sweep_passes_calf_fatigue_splits_as_an_axis(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(_cli_sweep, "_run_sweep", lambda model, axes, *a, **k: seen.update(axes) or 0)
    assert cli.main(["sweep", "--calf-fatigue-split", "fiber_type;gastrocnemius=1,soleus=0.5",
                     "--out", str(tmp_path / "s.nc"), "--plot", ""]) == 0
    assert seen["calf_fatigue_split"] == ["fiber_type", "gastrocnemius=1,soleus=0.5"]


def test_simulate_takes_one_calf_fatigue_split(capsys):
    assert cli.main(["simulate", "--calf-fatigue-split", "equal;fiber_type"]) == 2
    assert "simulate takes one split" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--mesh-intervals", "5"], "mesh_intervals = 5 is out of range: allowed [10, 1000]"),
    (["--cadence", "0"], "cadence"),
    (["--foot-strike", "heel"], "condition.foot_strike = 'heel' is out of range"),
])
def test_predict_option_errors_are_one_line_and_exit_2_before_any_solve(argv, message, capsys):
    code = cli.main(["predict", *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_run_directions_report_marks_each_direction_from_the_measured_values(capsys):
    """legsim run's direction report (issue 19): each of the four directions is marked from the
    numbers it prints, in both senses."""
    from types import SimpleNamespace

    def res(pfj, stress, knee, ankle):
        return SimpleNamespace(converged=True, metrics={
            "peak_pfj_force_bw": pfj, "peak_pfj_stress_mpa": stress,
            "peak_knee_extension_moment_nm_per_kg": knee, "peak_ankle_plantarflexion_moment_nm_per_kg": ankle})
    runner_like = {"170 steps/min (default)": res(7.0, 10.0, 2.5, 2.5), "160 steps/min": res(7.5, 11.0, 2.6, 2.4),
                   "180 steps/min": res(6.5, 9.0, 2.4, 2.6), "forefoot strike": res(6.0, 9.0, 2.0, 3.0),
                   "calf fatigue 0.3": res(7.2, 10.5, 2.9, 2.1)}
    _cli_run._print_directions(runner_like)
    out = capsys.readouterr().out
    assert out.count("— as runners") == 4 and "NOT" not in out
    assert "7.50 / 7.00 / 6.50 BW" in out
    opposite = dict(runner_like, **{"180 steps/min": res(7.2, 9.0, 2.4, 2.6),
                                    "calf fatigue 0.3": res(7.2, 10.5, 2.9, 2.7)})
    _cli_run._print_directions(opposite)
    out = capsys.readouterr().out
    assert out.count("NOT as runners") == 2
    assert "calf fatigue 0.3 lowers the ankle plantarflexion moment (2.70 vs 2.50 N·m/kg)" in out


def test_sweep_on_a_local_dask_cluster(monkeypatch, tmp_path):
    """--scheduler local:N hands legsim.sweep a Dask client of N worker processes (and gives each
    matching its share of the cores); the cluster is closed when the sweep ends."""
    distributed = pytest.importorskip("distributed")
    seen = {}

    def fake(model, axes, out, plot, params=None, method="predict", options=None):
        client = options["client"]
        seen.update(workers=len(client.scheduler_info()["workers"]), threads=options["threads"], client=client)
        return 0

    monkeypatch.setattr(_cli_sweep, "_run_sweep", fake)
    assert cli.main(["sweep", "--method", "matching", "--cadence", "170", "--scheduler", "local:2",
                     "--out", str(tmp_path / "s.nc"), "--plot", ""]) == 0
    assert isinstance(seen["client"], distributed.Client) and seen["workers"] == 2
    assert seen["threads"] == max(1, (os.cpu_count() or 1) // 2)
    assert seen["client"].status == "closed"
