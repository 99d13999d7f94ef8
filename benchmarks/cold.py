"""First fits in fresh processes: compile time with an empty and a warm numba
cache, and the cold start after ``precompile``."""

import os
import subprocess
import sys
import tempfile
import time

_COMPILE_SNIPPET = """
import time, warnings
t0 = time.perf_counter()
from skperceptron import MLPClassifier
import numpy as np
t1 = time.perf_counter()
X = np.random.RandomState(0).normal(size=(40, 5)); y = np.arange(40) % 3
warnings.simplefilter("ignore")
MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y).predict(X)
t2 = time.perf_counter()
MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y).predict(X)
t3 = time.perf_counter()
print(t1 - t0, (t2 - t1) - (t3 - t2))
"""


def run_compile_rows():
    """First fit in a fresh process, empty cache then warm cache (dense f64 adam)."""
    results = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("first fit, empty numba cache", "first fit, warm numba cache"):
            out = subprocess.run(
                [sys.executable, "-c", _COMPILE_SNIPPET],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            import_s, compile_s = map(float, out.split())
            results.append(dict(workload=label, compile_s=compile_s, import_s=import_s))
            print(
                f"{label:<42}{compile_s:>9.2f} s compile/load   "
                f"(import {import_s:.2f} s)"
            )
    return results


_TEN_VARIANTS_SNIPPET = """
import time, warnings
t0 = time.perf_counter()
import numpy as np, scipy.sparse as sp
from skperceptron import MLPClassifier, MLPRegressor, Perceptron
t1 = time.perf_counter()
warnings.simplefilter("ignore")
rng = np.random.RandomState(0)
X = rng.normal(size=(40, 5)); y = np.arange(40) % 3
fits = [
    lambda: MLPClassifier((4,), solver="adam", max_iter=2).fit(X, y).predict(X),
    lambda: MLPClassifier((4,), solver="sgd", max_iter=2).fit(X, y).predict(X),
    lambda: MLPClassifier((4,), solver="lbfgs", max_iter=2).fit(X, y).predict(X),
    lambda: MLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, X[:, 0]),
    lambda: MLPRegressor(hidden_layer_sizes=(4,), solver="sgd").fit(X, X[:, 0]),
    lambda: MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs").fit(X, X[:, 0]),
    lambda: MLPClassifier((4,), max_iter=2).fit(sp.csr_matrix(X), y),
    lambda: MLPClassifier((4,), max_iter=2).fit(X.astype(np.float32), y),
    lambda: Perceptron(max_iter=2).fit(X, y),
    lambda: Perceptron(max_iter=2).fit(sp.csr_matrix(X), y),
]
for fit in fits:
    fit()
print(t1 - t0, time.perf_counter() - t1)
"""


def run_cold_start_rows():
    """Ten variants' first fits in a fresh process, after ``precompile``."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "skperceptron", "precompile"],
            env=env,
            capture_output=True,
            check=True,
        )
        precompile_s = time.perf_counter() - start
        out = subprocess.run(
            [sys.executable, "-c", _TEN_VARIANTS_SNIPPET],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    import_s, fits_s = map(float, out.split())
    print(
        f"{'precompile (fresh cache, own process)':<42}{precompile_s:>9.2f} s\n"
        f"{'then ten variants first fits, new process':<42}{fits_s:>9.2f} s"
        f"   (import {import_s:.2f} s)"
    )
    return [
        dict(
            workload="ten variants after precompile",
            fits_s=fits_s,
            import_s=import_s,
            precompile_s=precompile_s,
        )
    ]
