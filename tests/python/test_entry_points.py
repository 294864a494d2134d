"""Wrong types at the Python entry points are legsim.InputError naming the argument, never an
AttributeError or TypeError from deep inside."""
import importlib

import pytest

import legsim

sweep_mod = importlib.import_module("legsim.sweep")
COND = dict(speed=3.5, cadence=170)


@pytest.mark.parametrize("call, names", [
    (lambda m: legsim.simulate_stance(None), "model"),
    (lambda m: legsim.simulate_stance("runner"), "model"),
    (lambda m: legsim.simulate_stance(m, touchdown="upright"), "touchdown"),
    (lambda m: legsim.simulate_stance(m, capacity_factors=[0.5]), "capacity_factors"),
    (lambda m: legsim.simulate_stance(m, record="yes"), "record"),
    (lambda m: legsim.simulate(None, legsim.Condition(**COND)), "model"),
    (lambda m: legsim.simulate(m, "speed=3.5, cadence=170"), "condition"),
    (lambda m: legsim.simulate(m, COND), "condition"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", max_evaluations="abc"), "max_evaluations"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", max_evaluations=-1), "max_evaluations"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", max_stances=2.5), "max_stances"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", max_stances=2**40), "max_stances"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", warm_start="abc"), "warm_start"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", warm_start={"x": 1.0}), "warm_start"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", touchdown_hip_angular_velocity="fast"),
     "touchdown_hip_angular_velocity"),
    (lambda m: legsim.simulate(m, legsim.Condition(**COND), method="matching", record="no"), "record"),
    (lambda m: legsim.sweep(m, speed=3.5, cadence=170, method="matching", max_evaluations="abc"), "max_evaluations"),
    (lambda m: legsim.sweep(m, speed=3.5, cadence=170, method="matching", max_stances="many"), "max_stances"),
])
def test_wrong_types_are_input_errors(model, call, names, monkeypatch):
    monkeypatch.setattr(sweep_mod, "match", lambda *a, **k: pytest.fail("the sweep started work"))
    monkeypatch.setattr(sweep_mod, "predict", lambda *a, **k: pytest.fail("the sweep started work"))
    with pytest.raises(legsim.InputError, match=names):
        call(model)
