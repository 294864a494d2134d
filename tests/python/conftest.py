import numpy as np
import pytest


@pytest.fixture(scope="session")
def model():
    import legsim
    return legsim.Model.default()


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)
