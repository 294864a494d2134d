"""Gait-matching sweeps on Dask (legsim.sweep(..., client=)): the dataset is the local sweep's, and a
worker killed mid-sweep loses no finished point (the journal keeps them, a rerun resumes). Also the
local walk's warm-start chains, which the Dask walk reproduces."""
import importlib

import legsim

sweep_mod = importlib.import_module("legsim.sweep")


def test_a_failed_predecessor_passes_on_its_own_warm_start(model, monkeypatch):
    """When the grid predecessor did not converge, a point warm-starts from the predecessor's own
    warm start (up its chain), not from the last converged point in storage order (another row's
    end): the seeds do not depend on the order in which the rows run."""
    names = legsim._core.gait_variable_names()
    seen = {}

    def tagging(model, condition, *, warm_start=None, max_evaluations=None, max_stances=None, record=True):
        key = (condition.cadence, condition.calf_fatigue)
        seen.setdefault(key, None if warm_start is None else tuple(warm_start[:2]))
        ok = key != (170, 0.0)
        return legsim.GaitResult(converged=ok, message="converged" if ok else "failed", metrics={"effort": 1.0},
                                 residuals={}, solution={n: ([condition.cadence, condition.calf_fatigue]
                                                             + [0.0] * len(names))[i] for i, n in enumerate(names)},
                                 timeseries=None, evaluations=1)

    monkeypatch.setattr(sweep_mod, "match", tagging)
    legsim.sweep(model, method="matching", speed=3.5, cadence=[160, 170], calf_fatigue=[0.0, 0.3], backward_pass=False)
    assert seen == {(160, 0.0): None, (160, 0.3): (160, 0.0), (170, 0.0): (160, 0.0), (170, 0.3): (160, 0.0)}
