"""Issue 20: the muscle parameter list exists once, in the model file's schema (src/io/schema.hpp).
These tests fail if Python's list, the bound MuscleParams, the model file or MuscleTendon drift apart."""
import math

import pytest

import legsim
from legsim import _core
from legsim.muscle import _NUMERIC_FIELDS

FIELDS = _core.muscle_parameter_fields()
NAMES = [name for name, _unit in FIELDS]


def test_schema_lists_each_field_once_with_a_unit():
    assert len(NAMES) == len(set(NAMES)) >= 13
    assert all(isinstance(unit, str) and unit for _name, unit in FIELDS)
    assert dict(FIELDS)["max_isometric_force"] == "N" and dict(FIELDS)["tendon_slack_length"] == "m"


def test_python_takes_its_list_from_the_schema():
    assert list(_NUMERIC_FIELDS) == NAMES
    assert list(legsim.MuscleTendon().params) == NAMES + ["tendon"]


def test_bound_muscle_params_are_exactly_the_schema_and_tendon():
    p = _core.MuscleParams()
    attributes = {a for a in dir(p) if not a.startswith("_") and not callable(getattr(p, a))}
    assert attributes == set(NAMES) | {"tendon"}
    for name in NAMES:
        assert isinstance(getattr(p, name), float), name
        setattr(p, name, 0.5)
        assert getattr(p, name) == 0.5, name


@pytest.mark.parametrize("name", NAMES)
def test_every_field_round_trips_through_the_model_file(name, tmp_path):
    model = legsim.Model.default()
    path = f"muscles.{model.muscle_names[0]}.{name}"
    value = model.param(path)
    # One ulp towards zero (a zero becomes the smallest denormal): still valid, and only an exact
    # writer gives it back.
    value = math.nextafter(value, 0.0) if value != 0.0 else math.nextafter(0.0, 1.0)
    changed = model.with_params({path: value})
    assert changed.param(path) == value
    assert legsim.Model.from_toml(changed.to_toml()).param(path) == value
    changed.save(tmp_path / "m.toml")
    back = legsim.Model.load(tmp_path / "m.toml")
    assert back.param(path) == value
    assert getattr(legsim.MuscleTendon.from_model(back, model.muscle_names[0]), name) == value
