"""legsim.plot: units on every axis, legends naming each line, categories as bars, the stance figure
of a predicted step with its contact phases shaded."""
import sys

import numpy as np
import pytest
import xarray as xr

import legsim

pytest.importorskip("matplotlib")
from legsim import plot  # noqa: E402


@pytest.fixture(scope="module")
def step():
    # A coarse mesh keeps the prediction near 10 s; the figure does not depend on the mesh.
    r = legsim.predict(legsim.Model.default(), legsim.Condition(speed=3.5, cadence=170), mesh_intervals=30)
    assert r.converged, r.message
    return r


@pytest.fixture
def ds():
    rng = np.random.default_rng(21)
    shape = (4, 3, 2)
    return xr.Dataset({"peak_pfj_stress_mpa": (("cadence", "calf_fatigue", "foot_strike"), rng.uniform(5, 10, shape)),
                       "peak_pfj_force_bw": (("cadence", "calf_fatigue", "foot_strike"), rng.uniform(4, 7, shape),
                                             {"units": "body weights", "long_name": "peak patellofemoral force"})},
                      coords={"cadence": [150.0, 160.0, 170.0, 180.0], "calf_fatigue": [0.0, 0.2, 0.4],
                              "foot_strike": np.array(["rearfoot", "forefoot"])})


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.mark.parametrize("key, expected", [
    ("peak_pfj_stress_mpa", "peak PFJ stress (MPa)"), ("peak_pfj_force_bw", "peak PFJ force (BW)"),
    ("pfj_impulse_per_km_bw_s", "pfj impulse (BW·s/km)".replace("pfj", "PFJ")),
    ("vertical_average_loading_rate_bw_per_s", "vertical average loading rate (BW/s)"),
    ("peak_knee_extension_moment_nm_per_kg", "peak knee extension moment (N·m/kg)"),
    ("metabolic_cost_j_per_kg_m", "metabolic cost (J/(kg·m))"), ("cadence", "cadence (steps/min)"),
    ("contact_time_s", "contact time (s)"), ("foot_strike", "foot strike")])
def test_label_has_unit_from_suffix(key, expected):
    assert plot.label(key) == expected


def test_label_speaks_the_field_units_and_falls_back_to_attrs(ds):
    # A known metric is labelled in the field's units (BW), not the dataset's CF unit ("1")...
    assert plot.label("peak_pfj_force_bw", ds.peak_pfj_force_bw) == "peak PFJ force (BW)"
    # ... a key legsim does not know by its dataset attributes, with "1" meaning no unit.
    other = xr.DataArray([1.0], attrs={"long_name": "tibial acceleration", "units": "m s-2"})
    assert plot.label("tibial_shock", other) == "tibial acceleration (m s-2)"
    ratio = xr.DataArray([1.0], attrs={"long_name": "duty factor", "units": "1"})
    assert plot.label("duty", ratio) == "duty factor"


def test_metric_vs_one_labelled_line_per_hue_level(ds):
    ax = plot.metric_vs(ds.sel(foot_strike="rearfoot"), "peak_pfj_stress_mpa", x="cadence", hue="calf_fatigue")
    assert len(ax.get_lines()) == 3
    assert ax.get_xlabel() == "cadence (steps/min)" and ax.get_ylabel() == "peak PFJ stress (MPa)"
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["calf fatigue 0", "calf fatigue 0.2", "calf fatigue 0.4"]
    assert "calf fatigue" in legend.get_title().get_text()
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(),
                               ds.peak_pfj_stress_mpa.sel(foot_strike="rearfoot", calf_fatigue=0.2).values)


def test_metric_vs_refuses_to_mix_points(ds):
    with pytest.raises(ValueError, match="foot_strike"):
        plot.metric_vs(ds, "peak_pfj_stress_mpa", x="cadence", hue="calf_fatigue")


def test_categorical_axis_is_bars_not_lines(ds):
    ax = plot.metric_vs(ds.sel(cadence=170.0), "peak_pfj_force_bw", x="foot_strike")
    assert not ax.get_lines()
    assert len(ax.patches) == 2 * 3  # 2 strikes × 3 fatigue levels
    assert [t.get_text() for t in ax.get_xticklabels()] == ["rearfoot", "forefoot"]
    assert ax.get_ylabel() == "peak PFJ force (BW)"
    assert ax.get_legend() is not None


def test_heatmap_axes_and_colour_bar_have_units(ds):
    sub = ds.sel(foot_strike="rearfoot")
    sub["peak_pfj_stress_mpa"][0, 0] = np.nan  # a point that did not converge: a blank cell
    ax = plot.heatmap(sub, "peak_pfj_stress_mpa", x="cadence", y="calf_fatigue")
    assert ax.get_xlabel() == "cadence (steps/min)"
    assert ax.get_ylabel() == "calf fatigue (fraction of calf force lost)"
    colorbar_ax = [a for a in ax.figure.axes if a is not ax][0]
    assert colorbar_ax.get_ylabel() == "peak PFJ stress (MPa)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["150", "160", "170", "180"]
    assert len(ax.texts) == 11  # every converged cell carries its value


def test_stance_figure_of_a_predicted_step(step):
    fig = plot.stance(step, model=legsim.Model.default())
    axes = fig.axes
    assert len(axes) == 6
    for ax in axes:
        assert "(" in ax.get_ylabel() and ax.get_ylabel().endswith(")"), ax.get_ylabel()
        assert ax.get_legend() is not None and ax.get_lines()
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "right stance" in labels  # the contact phase is shaded and named
    assert axes[-1].get_xlabel() == "time from right touchdown (ms)"
    assert axes[0].get_ylabel() == "ground reaction force (BW)"
    # The shaded right stance is where the vertical GRF exceeds 20 N.
    (a, b), *_ = plot.contact_phases(step.timeseries, "r")
    ts = step.timeseries
    inside = ts[(ts.time_s > a) & (ts.time_s < b)]
    assert (inside.grf_y_r_n > 20).all() and 0.15 < b - a < 0.35


def test_stance_without_model_is_in_newtons(step):
    fig = plot.stance(step.timeseries)
    assert fig.axes[0].get_ylabel() == "ground reaction force (N)"


def test_missing_matplotlib_names_the_extra(monkeypatch, ds):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"legsim\[plot\]"):
        plot.metric_vs(ds.sel(foot_strike="rearfoot"), "peak_pfj_stress_mpa")


def test_metric_vs_another_metric_step_length(ds):
    sub = ds.sel(foot_strike="rearfoot")
    # Step length at 3.5 m/s: 210 m/min over the cadence, the same for every fatigue level.
    sub["step_length_m"] = (("cadence", "calf_fatigue"), np.repeat((210.0 / sub.cadence.values)[:, None], 3, axis=1))
    ax = plot.metric_vs(sub, "peak_pfj_stress_mpa", x="step_length_m")
    assert ax.get_xlabel() == "step length (m)"
    assert len(ax.get_lines()) == 3
    x = ax.get_lines()[0].get_xdata()
    assert np.all(np.diff(x) > 0)  # longest step (lowest cadence) on the right
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(),
                               sub.peak_pfj_stress_mpa.sel(calf_fatigue=0.0).values[::-1])
