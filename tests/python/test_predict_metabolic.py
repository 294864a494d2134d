"""The metabolic-energy objective of the gait prediction (legsim.predict(..., objective="metabolic"),
issue 19 item 3; the model: include/legsim/muscle/metabolics.hpp, Bhargava et al. 2004).

Solved at a coarse mesh (30 intervals; 1–2 minutes on 2 shared cores for the metabolic solve, well
under one for the effort solve), enough to check that the option converges, reports what it
minimizes, and costs what running muscles plausibly cost."""
import numpy as np
import pytest

import legsim
from legsim.predict import available

pytestmark = pytest.mark.skipif(not available(), reason="this build has no gait prediction (CasADi not found)")

MESH = 30


@pytest.fixture(scope="module")
def model():
    return legsim.Model.default()


@pytest.fixture(scope="module")
def condition():
    return legsim.Condition(speed=3.5, cadence=170)


@pytest.fixture(scope="module")
def metabolic_gait(model, condition):
    return legsim.predict(model, condition, mesh_intervals=MESH, objective="metabolic")


@pytest.fixture(scope="module")
def effort_gait(model, condition):
    return legsim.predict(model, condition, mesh_intervals=MESH)


def test_metabolic_objective_converges_and_reports_its_terms(metabolic_gait):
    r = metabolic_gait
    assert r.converged, r.message
    sv = r.solver
    assert sv["criterion"] == "metabolic"
    # A cold metabolic solve starts from the effort optimum (Predictor::solve): effort phases first,
    # then the metabolic run, and the totals count them all.
    objectives = [p["objective"] for p in sv["phases"]]
    assert objectives[0] == "effort" and objectives[-1] == "metabolic", objectives
    assert sum(p["iterations"] for p in sv["phases"]) == sv["iterations"]
    terms = {k: v for k, v in sv.items() if k.startswith("objective_")}
    assert sum(terms.values()) == pytest.approx(sv["objective"], rel=1e-9)
    # What is minimized is the metabolic term; the effort term (weight 0.1) and the regularization are small.
    assert terms["objective_metabolic"] > 10 * terms["objective_effort"]
    assert terms["objective_metabolic"] > 10 * terms["objective_acceleration"]
    # The objective's metabolic term is the reported cost (the same trapezoidal integral per kg and metre).
    assert sv["metabolic_cost"]["total"] == pytest.approx(terms["objective_metabolic"], rel=1e-6)
    assert r.metrics["metabolic_cost_j_per_kg_m"] == pytest.approx(sv["metabolic_cost"]["total"], rel=1e-12)


def test_metabolic_cost_is_a_plausible_running_cost(metabolic_gait):
    """Running costs about 3.5–4.5 J/(kg·m) gross, whole body, by indirect calorimetry (Margaria et al.
    1963, J Appl Physiol 18(2):367–370: ≈ 1 kcal/(kg·km) ≈ 4.2 J/(kg·m) above rest, nearly independent of
    speed; docs/gait_prediction.md). The model's 14 leg muscles alone, without basal metabolism, arms,
    trunk and respiration, must cost less than that and more than nothing: the order of magnitude, not a
    calibration target (measured 2.27 J/(kg·m) at 30 intervals, 2026-12-06)."""
    cost = metabolic_gait.solver["metabolic_cost"]
    assert 1.0 < cost["total"] < 4.5
    # Its parts add up; the heat terms keep their signs; lengthening work is reported, not counted.
    parts = ("activation_heat", "maintenance_heat", "shortening_heat", "heat_floor", "work")
    assert sum(cost[p] for p in parts) == pytest.approx(cost["total"], rel=1e-9)
    assert cost["activation_heat"] > 0 and cost["maintenance_heat"] > 0 and cost["work"] > 0
    assert cost["heat_floor"] >= 0 and cost["negative_work"] <= 0
    # Every muscle's energy rate is positive at every node (heat ≥ 1 W/kg of muscle, work ≥ 0).
    ts = metabolic_gait.timeseries
    rates = ts[[c for c in ts.columns if c.endswith("_metabolic_rate_w")]].to_numpy()
    assert rates.shape[1] == 2 * len(legsim.Model.default().muscle_names)
    assert (rates > 0).all()


def test_each_objective_is_cheapest_in_its_own_currency(metabolic_gait, effort_gait):
    """The metabolic optimum spends less metabolic energy than the effort optimum, and more effort
    (measured at 30 intervals before the metabolic solve started from the effort optimum: 2.47 against
    3.52 J/(kg·m); Σ∫a³/m 0.31 against 0.13 s/m; since: 2.27 J/(kg·m))."""
    assert effort_gait.converged, effort_gait.message
    assert effort_gait.solver["criterion"] == "effort"
    assert effort_gait.solver["objective_metabolic"] == 0.0  # reported, not minimized
    assert metabolic_gait.metrics["metabolic_cost_j_per_kg_m"] < effort_gait.metrics["metabolic_cost_j_per_kg_m"]
    effort_of_metabolic = metabolic_gait.solver["objective_effort"] / 0.1  # weight 0.1
    assert effort_of_metabolic > effort_gait.solver["objective_effort"]


def test_objective_options_are_validated(model, condition):
    with pytest.raises(legsim.InputError, match="objective"):
        legsim.predict(model, condition, mesh_intervals=MESH, objective="economy")
    with pytest.raises(legsim.InputError, match="objective"):
        legsim.predict(model, condition, mesh_intervals=MESH, objective=None)
    with pytest.raises(legsim.InputError, match="metabolic_effort_weight"):
        legsim.predict(model, condition, mesh_intervals=MESH, objective="metabolic", metabolic_effort_weight=-1.0)
    with pytest.raises(legsim.InputError, match="metabolic_effort_weight"):
        legsim.predict(model, condition, mesh_intervals=MESH, objective="metabolic", metabolic_effort_weight=float("nan"))
