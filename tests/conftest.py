import hashlib
import os
import pathlib
import subprocess
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

# rough seconds to compile (numba 0.59): the epoch kernels dominate
_COMPILE_WEIGHTS = {
    "run_epoch": 40,
    "minibatch_loss_and_gradient": 35,
    "loss_and_gradient": 22,
    "forward_pass_fast": 10,
    "perceptron_epoch": 5,
}


def _shares(variants, n):
    """Variant names in ``n`` shares of about equal compile time."""
    loads, shares = [0] * n, [[] for _ in range(n)]
    for name, kernel, _ in sorted(
        variants, key=lambda v: -_COMPILE_WEIGHTS.get(v[1], 1)
    ):
        lightest = loads.index(min(loads))
        shares[lightest].append(name)
        loads[lightest] += _COMPILE_WEIGHTS.get(kernel, 1)
    return shares


def pytest_configure(config):
    """Before a parallel session on the JIT path, compile every JIT kernel
    variant into the suite's cache, on as many cores as there are workers.
    Cold, the workers would meet the same uncompiled variants at the same
    time and each compile them; once per cache directory and numba version.
    (With the ahead-of-time kernels, the few tests that compile JIT kernels
    take less time than this.)"""
    workers = getattr(config.option, "numprocesses", None)
    if hasattr(config, "workerinput") or not isinstance(workers, int) or workers < 2:
        return
    from importlib.metadata import version

    from skperceptron._kernels import compiled
    from skperceptron._precompile import _variants

    if os.environ.get("NUMBA_DISABLE_JIT") == "1" or compiled.aot_module():
        return

    cache = os.environ["NUMBA_CACHE_DIR"]
    marker = os.path.join(cache, f"warm-numba-{version('numba')}")
    if os.path.exists(marker):
        return
    script = pathlib.Path(__file__).with_name("_warm_jit_cache.py")
    root = str(KERNELS.parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    children = [
        subprocess.Popen([sys.executable, str(script), *share], env=env, cwd=root)
        for share in _shares(list(_variants()), min(workers, 2))
    ]
    if all([child.wait() == 0 for child in children]):  # wait for each
        os.makedirs(cache, exist_ok=True)
        open(marker, "w").close()


# Tests of several seconds and more (JIT compiles, dask clusters, subprocesses),
# longest first. They start the session, so that pytest-xdist's workers take
# them on while the many short tests fill the gaps: started last, one of them
# kept a single worker busy after the other had finished.
_LONGEST_FIRST = (
    "test_environment.py::test_fallbacks_for_numba_internals",
    "test_aot.py::test_ahead_of_time_and_jit_kernels_give_the_same_model",
    "test_dask_fit.py::test_killed_workers_fail_cleanly_or_are_retried",
    "test_dask_fit.py::test_early_stopping_holds_out_rows_of_every_chunk",
    "test_environment.py::test_read_only_package_and_home",
    "test_dask_fit.py::test_several_chunks_reach_in_memory_accuracy_on_digits",
    "test_sklearn_suite.py::test_sklearn_suite_passes_against_skperceptron",
    "test_aot.py::test_ahead_of_time_and_jit_perceptrons_are_the_same",
)


def _start_rank(item):
    for rank, name in enumerate(_LONGEST_FIRST):
        if item.nodeid.split("/")[-1].startswith(name):
            return rank
    return len(_LONGEST_FIRST)


def pytest_collection_modifyitems(config, items):
    items.sort(key=_start_rank)  # stable: the rest keep their order


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    # pytest-xdist's default "load" hands each worker a fixed first chunk
    # (all of _LONGEST_FIRST to one); "worksteal" lets an idle worker take
    # unstarted tests from the other. An explicit --dist is kept.
    if getattr(config.option, "numprocesses", None) and config.option.dist == "no":
        config.option.dist = "worksteal"


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
