import hashlib
import os
import pathlib
import sys
import tempfile
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

KERNELS = pathlib.Path(__file__).resolve().parents[1] / "skperceptron" / "_kernels"


def _numba_cache_dir():
    """A numba cache directory of its own for every version of the kernel sources.

    numba revalidates a cached function against its own file only: after an
    edit of ``activations.py`` the cached ``network.run_epoch`` would still run
    the old activation. A directory keyed by a hash of every kernel source
    makes each edit compile afresh.
    """
    digest = hashlib.sha256()
    for path in sorted(KERNELS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    key = digest.hexdigest()[:16]
    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        tempfile.gettempdir(), "skperceptron-tests-numba-cache"
    )
    # pytest-xdist workers inherit the directory their parent already chose
    return base if os.path.basename(base) == key else os.path.join(base, key)


os.environ["NUMBA_CACHE_DIR"] = _numba_cache_dir()
if "numba" in sys.modules:  # a plugin imported numba before this file
    from numba.core import config

    config.reload_config()


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


@pytest.fixture(scope="session")
def digits_small():
    """Digits scaled to [0, 1], as float64 X and integer y (1797 rows)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / 16.0, y
