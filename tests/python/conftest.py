import os
from pathlib import Path

import numpy as np
import pytest


def pytest_report_header(config):
    import legsim
    where = Path(legsim.__file__).parent
    # .ci/run tests the installed wheel: then legsim must come from site-packages, not the source tree.
    if os.environ.get("LEGSIM_TEST_INSTALLED") and "site-packages" not in where.parts:
        raise pytest.UsageError(f"LEGSIM_TEST_INSTALLED is set but legsim was imported from {where}")
    return f"legsim {legsim.__version__} from {where}"


@pytest.fixture(scope="session")
def model():
    import legsim
    return legsim.Model.default()


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)
