"""Self-describing sweep datasets (issue 21.2): every variable and coordinate carries CF ``units``
and ``long_name``, and the attributes say how the file was made (legsim version, model file,
condition, solver settings, date)."""
import json
import re

import pytest
import xarray as xr

import legsim
from legsim import _core
from legsim._sweep_dataset import _RESIDUALS, _param_units, _units_of


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    model = legsim.Model.default()
    out = tmp_path_factory.mktemp("attrs") / "sweep.nc"
    legsim.sweep(model, method="matching", speed=3.5, cadence=[170, 175], backward_pass=False,
                 params={"muscles.soleus.tendon_slack_length": [0.26]}, out=out, progress=False)
    with xr.open_dataset(out) as ds:
        yield model, ds.load()


def test_every_variable_and_coordinate_has_units_and_long_name(saved):
    _, ds = saved
    missing = [n for n in ds.variables if not (ds[n].attrs.get("units") and ds[n].attrs.get("long_name"))]
    assert missing == []
    assert ds["speed"].attrs["units"] == "m s-1" and ds["cadence"].attrs["units"] == "min-1"
    assert ds["peak_pfj_force_bw"].attrs == {"units": "1", "long_name": "peak PFJ force (body weights)"}
    assert ds["peak_pfj_stress_mpa"].attrs["units"] == "MPa"
    assert ds["pfj_impulse_per_km_bw_s"].attrs["units"] == "s km-1"
    assert ds["muscles.soleus.tendon_slack_length"].attrs["units"] == "m"  # from the model file's comment


def test_the_attributes_say_how_the_file_was_made(saved):
    model, ds = saved
    a = ds.attrs
    assert a["Conventions"].startswith("CF-") and a["legsim_version"] == legsim.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["date_created"])
    assert a["model_toml"] == model.to_toml()
    assert legsim.Model.from_toml(a["model_toml"]).to_toml() == model.to_toml()  # the file can be rerun
    condition = json.loads(a["condition"])
    assert condition["speed"] == "swept" and condition["foot_strike"] == "rearfoot" and condition["calf_fatigue"] == 0
    assert json.loads(a["sweep_settings"])["backward_pass"] is False
    assert a["method"] == "matching" and "legsim" in a["legsim_build"]


def test_every_metric_key_has_a_unit_from_the_table(model):
    """No metric of either method falls through the suffix table: a new C++ metric with a new
    unit suffix has to be added to legsim._sweep_dataset._SUFFIXES."""
    for method in ("matching", "predict"):
        names = list(_core.gait_metric_names(model)) + list(_core.predicted_gait_metric_names(model)) + list(_RESIDUALS)
        assert [n for n in names if _units_of(n, method) is None] == []
    assert _units_of("effort", "matching")[0] == "s" and _units_of("effort", "predict")[0] == "s m-1"
    assert _units_of("vertical_average_loading_rate_bw_per_s") == ("s-1", "vertical average loading rate (body weights per second)")


def test_a_parameter_without_a_plain_unit_says_where_to_look(model):
    units, long_name = _param_units(model, "contact.stiffness")  # "N/m^exponent" is no UDUNITS unit
    assert units == "1" and "model_toml" in long_name
    assert _param_units(model, "muscles.soleus.max_isometric_force")[0] == "N"


def test_xarray_plots_come_out_labelled(saved):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    _, ds = saved
    line, = ds["peak_pfj_force_bw"].squeeze().plot()
    ax = line.axes
    assert "body weights" in ax.get_ylabel() and "steps per minute" in ax.get_xlabel()
    plt.close(ax.figure)
