"""Muscles by role, not by name (issue 20, item 3): gait matching finds its muscles by model-file
tags, so a renamed muscle keeps its part and a model without one fails with a message."""
import pytest

import legsim
from legsim import _core


def _renamed(model, old, new):
    return legsim.Model.from_toml(model.to_toml().replace(old, new))


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
