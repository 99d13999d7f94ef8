import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning


@pytest.fixture(autouse=True)
def _quiet_convergence():
    # Most tests run a few epochs on purpose; the warning itself is tested in
    # test_mlp.py with pytest.warns, which overrides this filter.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture
def rng():
    return np.random.RandomState(0)
