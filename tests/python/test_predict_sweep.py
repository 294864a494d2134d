"""Gait prediction as legsim's gait model (issue 19, items 6 and 7): ``legsim.simulate`` and
``legsim.sweep`` predict by default (method="predict"), keep gait matching's metric keys, report
failures as IPOPT's status, and sweeps warm-start from the nearest solved grid neighbour with a
journal that resumes exactly.

Real solves use a coarse mesh (20 intervals, seconds each; the default 100 is mesh-converged, these
are not): they check physics that holds on any mesh (energy, ballistic flight) and the plumbing. The
sweep's neighbour logic and journal are tested with a stand-in for legsim.predict."""
import importlib
import json
import os
import pickle

import numpy as np
import pandas as pd
import pytest

import legsim
from legsim import _journal, _sweep_dataset
from legsim.predict import available

sweep_mod = importlib.import_module("legsim.sweep")
needs_predict = pytest.mark.skipif(not available(), reason="this build has no gait prediction (CasADi not found)")
MESH = 20
DEFAULT = dict(speed=3.5, cadence=170)


@pytest.fixture(scope="module")
def coarse_gait():
    """The default condition predicted through legsim.simulate on a 20-interval mesh (≈ 10–20 s)."""
    return legsim.simulate(legsim.Model.default(), legsim.Condition(**DEFAULT), mesh_intervals=MESH)


@needs_predict
def test_simulate_predicts_by_default_and_keeps_every_metric_key_of_gait_matching(model, coarse_gait):
    r = coarse_gait
    assert isinstance(r, legsim.PredictionResult) and r.converged, r.message
    for key in ("method", "status", "iterations", "seconds", "objective", "objective_effort", "variables_on_bounds"):
        assert key in r.solver, key
    assert r.solver["method"].startswith("direct collocation")
    matched = legsim.simulate(model, legsim.Condition(**DEFAULT), method="matching", record=False)
    assert matched.converged and matched.solver["method"].startswith("gait matching")
    missing = set(matched.metrics) - set(r.metrics)
    assert not missing, sorted(missing)
    for key in _sweep_dataset._stride_keys(model):
        assert np.isfinite(r.metrics[key]), key
    # The dataset's keys come from C++ (issue 20.2): exactly the keys a real prediction gives.
    assert sorted(r.metrics) == list(legsim._core.predicted_gait_metric_names(model))
    assert "metabolic_cost_j_per_kg_m" in _sweep_dataset._stride_keys(model)
    for key in set(matched.metrics) - {"impact_peak_vertical_grf_bw", "vertical_average_loading_rate_bw_per_s",
                                       "vertical_instantaneous_loading_rate_bw_per_s"}:
        assert np.isfinite(r.metrics[key]), key  # those three are NaN without an impact peak
    assert r.metrics["flight_time_s"] == pytest.approx(60 / 170 - r.metrics["contact_time_s"], abs=1e-12)
    # The time series covers the whole step, both legs labelled by side.
    assert {"knee_flexion_r_deg", "knee_flexion_l_deg", "grf_y_r_n", "grf_y_l_n"} <= set(r.timeseries.columns)


@needs_predict
def test_the_flight_of_the_predicted_step_is_ballistic(coarse_gait):
    """Between toe-off and the other foot's touchdown only gravity acts on the centre of mass:
    v_touchdown = v_toe-off − g·t_flight (the next touchdown is this one mirrored). Within 0.02 m/s,
    the vertical-velocity tolerance of gait matching (measured 0.011 m/s at 20 intervals: toe-off
    falls between two nodes)."""
    m = coarse_gait.metrics
    landing = m["toe_off_com_vertical_velocity_m_per_s"] - 9.80665 * m["flight_time_s"]
    assert landing == pytest.approx(m["touchdown_com_vertical_velocity_m_per_s"], abs=0.02)


@needs_predict
def test_prediction_results_pickle(coarse_gait):
    back = pickle.loads(pickle.dumps(coarse_gait))
    assert back.metrics == coarse_gait.metrics and back.solver == coarse_gait.solver
    assert back.raw.x == coarse_gait.raw.x and back.raw.lam_g == coarse_gait.raw.lam_g
    pd.testing.assert_frame_equal(back.timeseries, coarse_gait.timeseries)


@needs_predict
def test_a_failed_prediction_reports_ipopt_status_and_no_numbers(model):
    r = legsim.simulate(model, legsim.Condition(**DEFAULT), mesh_intervals=10, max_iterations=3)
    assert not r.converged
    assert r.solver["status"] == "Maximum_Iterations_Exceeded"
    assert r.message == ("not converged: IPOPT stopped with Maximum_Iterations_Exceeded after 3 iterations "
                         "(the iteration limit, max_iterations = 3, was reached)")
    assert r.metrics == {} and r.timeseries.empty


@needs_predict
def test_a_stored_solution_warm_starts_exactly_as_the_solution_itself(model, coarse_gait):
    """A sweep's journal keeps each solution as text (legsim._journal._encode_solution): decoded, it gives the
    very same warm start, so a resumed sweep continues as an uninterrupted one (30 iterations compared
    bit for bit)."""
    stored = _journal._decode_solution(json.loads(json.dumps(_journal._encode_solution(coarse_gait.raw))))
    assert stored.x == coarse_gait.raw.x
    faster = legsim.Condition(speed=3.5, cadence=180)
    a = legsim.predict(model, faster, mesh_intervals=MESH, max_iterations=30, warm_start=coarse_gait)
    b = legsim.predict(model, faster, mesh_intervals=MESH, max_iterations=30,
                       warm_start=legsim.PredictionResult(converged=True, message="", metrics={}, solver={},
                                                          timeseries=pd.DataFrame(), raw=stored))
    assert a.raw.x == b.raw.x and a.solver["iterations"] == b.solver["iterations"] == 30


@needs_predict
def test_a_predictor_reuses_its_problem_and_solves_exactly_as_a_fresh_one(model, coarse_gait):
    """The condition's step length, mesh and muscle capacities are parameters of the Predictor's
    problem, not constants of it: a Predictor that first solved another cadence, and then a fatigued
    condition, returns for the fatigued one the very iterates of a fresh prediction (40 iterations
    compared bit for bit), from one problem structure; an ankle-angle foot strike constrains another
    quantity and gets a second."""
    tired = legsim.Condition(speed=3.5, cadence=180, calf_fatigue=0.3)
    p = legsim.Predictor(model)
    p.predict(legsim.Condition(speed=3.5, cadence=160), mesh_intervals=MESH, max_iterations=40,
              warm_start=coarse_gait)
    a = p.predict(tired, mesh_intervals=MESH, max_iterations=40, warm_start=coarse_gait)
    b = legsim.predict(model, tired, mesh_intervals=MESH, max_iterations=40, warm_start=coarse_gait)
    assert a.raw.x == b.raw.x and a.solver["iterations"] == b.solver["iterations"] == 40
    assert p._core.transcriptions == 1
    p.predict(legsim.Condition(speed=3.5, cadence=170, foot_strike=5.0), mesh_intervals=MESH,
              max_iterations=1)
    assert p._core.transcriptions == 2
    with pytest.raises(legsim.InputError, match="predictor"):
        legsim.predict(legsim.Model.default(), tired, mesh_intervals=MESH, predictor=p)


@pytest.mark.parametrize("call, message", [
    (lambda m, c: legsim.simulate(m, c, method="shooting"), "method = 'shooting' is out of range: allowed 'predict', "
                                                             "'matching'"),
    (lambda m, c: legsim.simulate(m, c, max_stances=3), "max_stances: not an option of method='predict'"),
    (lambda m, c: legsim.simulate(m, c, method="matching", mesh_intervals=20),
     "mesh_intervals: not an option of method='matching' .*; mesh_intervals is an option of method='predict'"),
    (lambda m, c: legsim.simulate(m, c, mesh_intervals=5), "mesh_intervals = 5 is out of range"),
    (lambda m, c: legsim.simulate(m, c, warm_start={"x": 1.0}), "warm_start: expected a PredictionResult"),
    (lambda m, c: legsim.sweep(m, speed=3.5, cadence=170, threads=2), "threads: an option of method='matching'"),
    (lambda m, c: legsim.sweep(m, speed=3.5, cadence=170, method="matching", also_cold=True),
     "also_cold: an option of method='predict'"),
    (lambda m, c: legsim.sweep(m, speed=3.5, cadence=170, predict_options={"mesh": 20}),
     "predict_options: mesh is not an option of legsim.predict"),
    (lambda m, c: legsim.sweep(m, speed=3.5, cadence=170, predict_options=20), "predict_options: expected a dict"),
    (lambda m, c: legsim.sweep(m, speed=3.5, cadence=170, predict_options={"predictor": None}),
     "predict_options: predictor is the sweep's own"),
    (lambda m, c: legsim.sweep(m, speed=3.5, cadence=170, method="both"), "method = 'both' is out of range"),
])
def test_methods_and_their_options_are_validated(model, monkeypatch, call, message):
    monkeypatch.setattr(sweep_mod, "predict", lambda *a, **k: pytest.fail("a sweep started work"))
    with pytest.raises(legsim.InputError, match=message):
        call(model, legsim.Condition(**DEFAULT))


# ---- the prediction sweep's neighbours and journal, with a stand-in for legsim.predict ---------------

def _fake_predict(calls, objective=None, fails=()):
    """Stands in for legsim.predict: the solution vector x holds the condition (cadence, fatigue), so a
    warm start shows which point it came from; ``objective(condition, seed)`` (seed: the warm start's
    (cadence, fatigue) or None) sets the objective; conditions in ``fails`` fail when warm-started.
    The Predictor a sweep passes is recorded in ``fake.predictors``, not among the options."""
    def fake(model, condition, *, warm_start=None, predictor=None, **options):
        seed = None if warm_start is None else tuple(warm_start.raw.x)
        here = (condition.cadence, condition.calf_fatigue)
        assert predictor is not None and predictor.model is model
        fake.predictors.append(predictor)
        calls.append((here, seed, options))
        ok = not (seed is not None and here in fails)
        gait = legsim._core.PredictedGait()
        gait.x = list(here)
        obj = objective(here, seed) if objective else 1.0
        return legsim.PredictionResult(
            converged=ok, message="Solve_Succeeded" if ok else "not converged: IPOPT stopped with Restoration_Failed",
            metrics={"peak_pfj_force_bw": 10.0 - here[0] / 50.0 + here[1]} if ok else {},
            solver={"method": "fake", "status": "Solve_Succeeded" if ok else "Restoration_Failed", "iterations": 1,
                    "seconds": 0.5, "objective": obj, "variables_on_bounds": []},
            timeseries=pd.DataFrame(), raw=gait)
    fake.predictors = []
    return fake


GRID = dict(speed=3.5, cadence=[170, 160, 180], calf_fatigue=[0.0, 0.3])


def test_prediction_sweep_warm_starts_each_point_from_its_nearest_solved_neighbour(model, monkeypatch):
    """Nearest in grid steps along each axis's sorted values (160 and 180 are both one step from 170,
    two from each other); ties go to the neighbour along the later axis (calf fatigue)."""
    calls = []
    fake = _fake_predict(calls)
    monkeypatch.setattr(sweep_mod, "predict", fake)
    ds = legsim.sweep(model, predict_options={"mesh_intervals": 20}, **GRID)
    # One model, one Predictor: the problem is built once for the whole sweep.
    assert len(fake.predictors) == 6 and len({id(p) for p in fake.predictors}) == 1
    assert [(here, seed) for here, seed, _ in calls] == [
        ((170, 0.0), None), ((170, 0.3), (170, 0.0)), ((160, 0.0), (170, 0.0)), ((160, 0.3), (160, 0.0)),
        ((180, 0.0), (170, 0.0)), ((180, 0.3), (180, 0.0))]
    assert all(opts == {"mesh_intervals": 20} for _, _, opts in calls)
    assert ds.attrs["method"] == "predict" and bool(ds.converged.all())
    assert ds.start.sel(cadence=160, calf_fatigue=0.3).item() == "warm from calf_fatigue=0.0"
    assert ds.start.sel(cadence=170, calf_fatigue=0.0).item() == "cold"
    np.testing.assert_allclose(ds.peak_pfj_force_bw.sel(speed=3.5, cadence=180, calf_fatigue=0.3), 10 - 3.6 + 0.3)
    assert set(_sweep_dataset._stride_keys(model)) <= set(ds.data_vars) and "objective" in ds.data_vars


def test_a_failed_warm_start_is_solved_cold_and_also_cold_keeps_the_lower_objective(model, monkeypatch):
    calls = []
    monkeypatch.setattr(sweep_mod, "predict", _fake_predict(calls, fails={(160, 0.0)}))
    ds = legsim.sweep(model, speed=3.5, cadence=[170, 160])
    assert [(here, seed) for here, seed, _ in calls] == [((170, 0.0), None), ((160, 0.0), (170, 0.0)),
                                                         ((160, 0.0), None)]
    assert ds.start.values.ravel().tolist() == ["cold", "cold"] and bool(ds.converged.all())
    assert ds.solver_seconds.values.ravel().tolist() == [0.5, 1.0]  # both attempts count
    # also_cold: both starts at every warm-started point, the lower objective kept (here the warm one
    # at 160, the cold one at 180).
    calls.clear()
    objective = {((160, 0.0), (170, 0.0)): 0.5, ((180, 0.0), (170, 0.0)): 2.0}
    monkeypatch.setattr(sweep_mod, "predict", _fake_predict(calls, objective=lambda h, s: objective.get((h, s), 1.0)))
    ds = legsim.sweep(model, speed=3.5, cadence=[170, 160, 180], also_cold=True)
    assert len(calls) == 5
    assert ds.start.values.ravel().tolist() == ["cold", "warm from cadence=170", "cold"]
    np.testing.assert_allclose(ds.objective.values.ravel(), [1.0, 0.5, 1.0])


def test_an_interrupted_prediction_sweep_resumes_with_the_same_warm_starts(model, monkeypatch, tmp_path):
    out = tmp_path / "p.nc"
    calls = []
    fake = _fake_predict(calls)
    monkeypatch.setattr(sweep_mod, "predict", fake)
    reference = legsim.sweep(model, **GRID)
    uninterrupted = list(calls)
    calls.clear()

    def interrupting(*args, **kwargs):
        if len(calls) == 3:
            raise KeyboardInterrupt
        return fake(*args, **kwargs)

    monkeypatch.setattr(sweep_mod, "predict", interrupting)
    with pytest.raises(KeyboardInterrupt):
        legsim.sweep(model, out=out, **GRID)
    monkeypatch.setattr(sweep_mod, "predict", fake)
    ds = legsim.sweep(model, out=out, **GRID)
    # The three finished points were not solved again, and the rest warm-started from the journal's
    # solutions exactly as in the uninterrupted sweep.
    assert calls == uninterrupted
    assert bool(ds.finished.all())
    for name in ("peak_pfj_force_bw", "objective", "start"):
        assert (ds[name].values == reference[name].values).all(), name
    journal = out.with_name(out.name + ".partial.jsonl")
    recs = [json.loads(line) for line in journal.read_text().splitlines()[1:]]
    assert sorted(r["index"] for r in recs) == list(range(6))  # each point once
    assert json.loads(journal.read_text().splitlines()[0])["build"]["casadi"] == legsim._core.casadi_version()
    for other in ({"predict_options": {"mesh_intervals": 20}}, {"method": "matching"}):
        with pytest.raises(legsim.InputError, match="belongs to a different sweep"):
            legsim.sweep(model, out=out, **other, **GRID)


def test_a_journal_without_a_finished_point_does_not_block_a_corrected_rerun(model, monkeypatch, tmp_path):
    """A sweep that fails at its first point (here an option the solver rejects) leaves a journal with
    its header only; rerun with other options, it starts afresh instead of refusing."""
    out = tmp_path / "p.nc"

    def rejecting(*a, **k):
        raise legsim.InputError("mesh_intervals = 5 is out of range")
    monkeypatch.setattr(sweep_mod, "predict", rejecting)
    with pytest.raises(legsim.InputError, match="mesh_intervals = 5"):
        legsim.sweep(model, out=out, speed=3.5, cadence=[170], predict_options={"mesh_intervals": 5})
    monkeypatch.setattr(sweep_mod, "predict", _fake_predict([]))
    assert bool(legsim.sweep(model, out=out, speed=3.5, cadence=[170]).converged.all())


# ---- grid independence (issue 19 item 6) ------------------------------------------------------------
# Measured 2026-12-05 (170 steps/min at 3.5 m/s; peak PFJ force, objective): warm-started from 160
# and from 180 steps/min, and cold (docs/gait_prediction.md, "Sweeps"):
#   mesh   from 160           from 180           cold
#    20    7.753 BW, 0.1753   7.792 BW, 0.1198   7.921 BW, 0.1289
#    30    8.619 BW, 0.1212   8.235 BW, 0.1353   8.541 BW, 0.1362
#    40    8.671 BW, 0.1208   6.259 BW, 0.1258   7.756 BW, 0.1263
#   100    8.671 BW, 0.12124  8.667 BW, 0.12138  8.670 BW, 0.12123
# On the default mesh the three agree within 0.05 %; on coarse meshes each start finds another local
# optimum, and solving cold as well (also_cold, the lower objective kept) does not reconcile them.

@needs_predict
@pytest.mark.xfail(strict=True, reason="measured 2026-12-05 on the 20-interval mesh: 170 steps/min solved cold "
                   "(first point of its grid) gives peak PFJ force 7.921 BW (objective 0.1289), warm-started from "
                   "180 steps/min 7.792 BW (objective 0.1198): 1.63 % apart, two local optima; also_cold would keep "
                   "the warm one (lower objective), still 1.63 %. On the default 100-interval mesh the same comparison "
                   "agrees within 0.03 % (test-slow)")
def test_the_same_condition_gives_the_same_answer_whichever_grid_it_sits_in(model, coarse_gait):
    """170 steps/min at 3.5 m/s first in its grid (solved cold, as legsim.simulate solves it: the
    coarse_gait fixture) and after 180 steps/min (warm-started from it, as a sweep does): peak PFJ
    force within 0.5 %."""
    after_faster = legsim.sweep(model, speed=3.5, cadence=[180, 170], predict_options={"mesh_intervals": MESH})
    assert after_faster.start.sel(speed=3.5, cadence=170).item() == "warm from cadence=180"
    b = after_faster.peak_pfj_force_bw.sel(speed=3.5, cadence=170).item()
    assert b == pytest.approx(coarse_gait.metrics["peak_pfj_force_bw"], rel=0.005)


@needs_predict
@pytest.mark.skipif(not os.environ.get("LEGSIM_SLOW_TESTS"), reason="about 4 minutes on 2 cores: run with "
                    "LEGSIM_SLOW_TESTS=1 (make test-slow)")
def test_on_the_default_mesh_the_same_condition_gives_the_same_answer_whichever_grid_it_sits_in(model):
    """170 steps/min at 3.5 m/s after 160 and after 180 steps/min, each warm-started from its
    neighbour as the default sweep does, on the default mesh: peak PFJ force within 0.5 %. Measured
    2026-12-06: 6.4493 BW from both (objectives 0.106488943 and 0.106488948). On 2026-12-05's build
    the grid from 160 ended in the neighbouring optimum (6.537 BW, objective 0.1064801, 0.008 % lower):
    which of the two a start reaches can change with rounding (docs/gait_prediction.md), so this
    test can fail again on another build or machine without any change to the physics."""
    from_slower = legsim.sweep(model, speed=3.5, cadence=[160, 170])
    from_faster = legsim.sweep(model, speed=3.5, cadence=[180, 170])
    a = from_slower.peak_pfj_force_bw.sel(speed=3.5, cadence=170).item()
    b = from_faster.peak_pfj_force_bw.sel(speed=3.5, cadence=170).item()
    assert b == pytest.approx(a, rel=0.005)


@needs_predict
@pytest.mark.skipif(not os.environ.get("LEGSIM_SLOW_TESTS"), reason="about 3 minutes on 2 cores: run with "
                    "LEGSIM_SLOW_TESTS=1 (make test-slow); measured 2026-12-06: 6.4493 BW from both grids")
def test_on_the_default_mesh_also_cold_gives_the_same_answer_whichever_grid_it_sits_in(model):
    """The same two grids with also_cold=True (each point also solved cold, the lower objective kept):
    the cold solve is the same in both grids and had the lower objective, so peak PFJ force agrees."""
    from_slower = legsim.sweep(model, speed=3.5, cadence=[160, 170], also_cold=True)
    from_faster = legsim.sweep(model, speed=3.5, cadence=[180, 170], also_cold=True)
    a = from_slower.peak_pfj_force_bw.sel(speed=3.5, cadence=170).item()
    b = from_faster.peak_pfj_force_bw.sel(speed=3.5, cadence=170).item()
    assert b == pytest.approx(a, rel=0.005)
