"""Muscles by role, not by name (issue 20, item 3): gait matching, the teaching excitation and the calf
demonstration find their muscles by model-file tags, so a renamed muscle keeps its part and a model
without one fails with a message; the Python touchdown defaults are the C++ ones."""
from dataclasses import fields

import pytest

import legsim
from legsim import _core
from legsim.stance import Touchdown, default_excitation
from legsim.teaching import calf_raise_moments


def _renamed(model, old, new):
    return legsim.Model.from_toml(model.to_toml().replace(old, new))


def test_touchdown_defaults_are_the_cpp_ones(model):
    core = _core.TouchdownState()
    td = Touchdown()
    for f in fields(Touchdown):
        if f.name != "activations":
            assert getattr(td, f.name) == getattr(core, f.name), f.name
    # A muscle left out of activations starts at its min_activation, as with no activations at all.
    got = Touchdown(activations={"soleus": 0.3})._to_core(model).activations
    names = model.muscle_names
    assert got[names.index("soleus")] == 0.3
    assert all(a == model.param(f"muscles.{n}.min_activation") for n, a in zip(names, got) if n != "soleus")


def test_default_excitation_finds_muscles_by_tag(model):
    base = default_excitation(model)
    assert base["soleus"][1][0] == 0.5 and base["quadriceps"][1][0] == 0.4 and base["gluteus"][1][0] == 0.2
    assert base["hamstrings"][1][0] == 0.2 and base["tibialis_anterior"][1][0] == 0.05
    renamed = default_excitation(_renamed(model, "soleus", "soleus_m"))
    assert renamed["soleus_m"] == base["soleus"]


def test_calf_raise_moments_use_the_calf_muscles_whatever_their_names(model):
    df = calf_raise_moments(_renamed(model, "soleus", "soleus_m"), [0.0], [0.0])
    assert "soleus_m_plantarflexion_moment_nm" in df and "gastrocnemius_plantarflexion_moment_nm" in df
    no_calf = legsim.Model.from_toml(model.to_toml().replace('"calf", ', ""))
    with pytest.raises(legsim.InputError, match='no muscle tagged "calf"'):
        calf_raise_moments(no_calf, [0.0], [0.0])


def test_matching_acts_on_roles_so_a_renamed_muscle_matches_the_same(model):
    c = legsim.Condition(speed=3.5, cadence=170)
    a = legsim.simulate(model, c, method="matching", max_stances=30, record=False)
    b = legsim.simulate(_renamed(model, "soleus", "soleus_m"), c, method="matching", max_stances=30, record=False)
    assert a.solution == b.solution and a.residuals == b.residuals
    untagged = legsim.Model.from_toml(model.to_toml().replace(', "uniarticular_plantarflexor"', ""))
    with pytest.raises(legsim.InputError, match='tagged "uniarticular_plantarflexor".*soleus_level'):
        legsim.simulate(untagged, c, method="matching", max_stances=30, record=False)


def test_metric_names_follow_the_model_muscles(model):
    names = _core.gait_metric_names(_renamed(model, "soleus", "soleus_m"))
    assert "peak_soleus_m_force_bw" in names and "peak_soleus_force_bw" not in names
    assert names == sorted(names)
