"""The worker side of a prediction sweep on Dask (legsim._dask.predict_points): the task and the
worker plugin that keeps each worker's Predictors. A module of its own because the plugin must
derive from Dask's WorkerPlugin, so importing it imports Dask: legsim._dask imports it only after
checking that Dask is installed (legsim[dask])."""
from __future__ import annotations

import importlib

import distributed

from ._dask import _check_build

PLUGIN = "legsim-predictors"


class Predictors(distributed.WorkerPlugin):
    """A Dask worker plugin that keeps the worker's Predictors, one per model (by its model file
    text; the last two, as the local walk keeps), so the collocation problem is built once per
    worker. Registered by ``predict_points``; a worker that joins later (e.g. one replacing a killed
    worker) gets it too."""

    name = PLUGIN

    def __init__(self):
        self.predictors = {}

    def setup(self, worker):
        self.predictors = {}

    def get(self, model):
        key = model.to_toml()
        if key not in self.predictors:
            if len(self.predictors) >= 2:
                self.predictors.pop(next(iter(self.predictors)))
            self.predictors[key] = importlib.import_module("legsim.predict").Predictor(model)
        return self.predictors[key]


def run_prediction(build, model, *args):
    """``sweep._predict_one(predictor, *args)`` on a worker of the build ``build``, with the worker's
    Predictor of ``model``."""
    _check_build("predict", build)
    plugin = distributed.get_worker().plugins.get(PLUGIN)
    predictor = plugin.get(model) if plugin is not None else Predictors().get(model)
    return importlib.import_module("legsim.sweep")._predict_one(predictor, *args)
