"""legsim.simulate_stance's integrator option (issue 22.5): the default, Dormand–Prince switching to a
Rosenbrock–W step while the stance is stiff, against Dormand–Prince throughout and against a
tight-tolerance reference; the option's validation."""
from __future__ import annotations

import pytest

import legsim

# Issue 22.5: the stance metrics within 0.5 % of a tight-tolerance reference.
BAR = 0.005
METRICS = ("contact_time_s", "peak_pfj_force_bw", "peak_pfj_stress_mpa", "pfj_impulse_bw_s",
           "peak_vertical_grf_bw", "braking_impulse_bw_s", "propulsive_impulse_bw_s", "effort")


@pytest.fixture(scope="module")
def model():
    return legsim.Model.default()


@pytest.mark.parametrize("touchdown", [legsim.Touchdown(), legsim.Touchdown(hip_flexion=0.5, hip_velocity_x=3.2)])
def test_default_integrator_within_half_a_percent_of_a_tight_reference(model, touchdown):
    ref = legsim.simulate_stance(model, touchdown, controller={}, rtol=1e-10, atol=1e-12, record=False,
                                 integrator="dormand_prince")
    res = legsim.simulate_stance(model, touchdown, controller={}, record=False)
    assert ref.converged and res.converged
    for key in METRICS:
        assert res.metrics[key] == pytest.approx(ref.metrics[key], rel=BAR), key
    # It is the faster of the two at the default tolerance (the reason it is the default).
    dp = legsim.simulate_stance(model, touchdown, controller={}, record=False, integrator="dormand_prince")
    assert res.rhs_evaluations < dp.rhs_evaluations


def test_feedforward_and_callback_stances_take_the_option(model):
    ff = legsim.simulate_stance(model, integrator="dormand_prince", record=False)
    sw = legsim.simulate_stance(model, record=False)
    assert ff.converged and sw.converged
    assert ff.rhs_evaluations != sw.rhs_evaluations  # the option reaches the C++ integrator
    assert sw.metrics["peak_pfj_force_bw"] == pytest.approx(ff.metrics["peak_pfj_force_bw"], rel=BAR)


def test_unknown_integrator_is_an_input_error(model):
    with pytest.raises(legsim.InputError, match="integrator: expected one of 'stiff_switching', 'dormand_prince', got 'rk4'"):
        legsim.simulate_stance(model, integrator="rk4")
