"""Time skperceptron against scikit-learn (and PyTorch where installed) in one run.

Usage::

    python benchmarks/run.py                 # every workload
    python benchmarks/run.py --quick         # small workloads only
    python benchmarks/run.py --json out.json # also write the results

Each workload fits both libraries on the same data with the same
hyperparameters, epochs and batch size, and prints fit times, their ratio and
the test scores. Compile time is measured apart, in fresh processes: with an
empty numba cache and with a warm one.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn import neural_network as sknn
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

import skperceptron

warnings.simplefilter("ignore", ConvergenceWarning)


def _best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def _digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def _friedman():
    X, y = make_friedman1(n_samples=20000, n_features=10, noise=0.5, random_state=0)
    return train_test_split(X, y, test_size=0.2, random_state=0)


def _wide(dtype):
    X, y = make_classification(n_samples=70000, n_features=784, n_informative=100,
                               n_classes=10, random_state=0)
    X = X.astype(dtype)
    return X[:60000], X[60000:], y[:60000], y[60000:]


def workloads(quick):
    """(name, data maker, estimator name, params, repeats, epochs-per-fit)."""
    rows = [
        ("digits (100,) adam 200 ep f64", _digits, "MLPClassifier",
         dict(hidden_layer_sizes=(100,), max_iter=200, tol=0.0, n_iter_no_change=10**9), 3),
        ("digits (100,) lbfgs f64", _digits, "MLPClassifier",
         dict(hidden_layer_sizes=(100,), solver="lbfgs", max_iter=200), 3),
        ("friedman1 20000x10 (64,64) adam 50 ep", _friedman, "MLPRegressor",
         dict(hidden_layer_sizes=(64, 64), max_iter=50, tol=0.0, n_iter_no_change=10**9), 1),
    ]
    if not quick:
        for dtype in (np.float32, np.float64):
            rows.append((f"60000x784 (256,128) adam 3 ep {np.dtype(dtype).name}",
                         lambda dtype=dtype: _wide(dtype), "MLPClassifier",
                         dict(hidden_layer_sizes=(256, 128), max_iter=3), 1))
    return rows


def run_fit_rows(quick):
    results = []
    for name, make_data, est_name, params, repeats in workloads(quick):
        X_train, X_test, y_train, y_test = make_data()
        params = dict(params, random_state=0)
        ours_cls = getattr(skperceptron, est_name)
        theirs_cls = getattr(sknn, est_name)
        ours_cls(**dict(params, max_iter=1)).fit(X_train[:50], y_train[:50])  # compile
        t_ours, ours = _best_time(lambda: ours_cls(**params).fit(X_train, y_train), repeats)
        t_theirs, theirs = _best_time(lambda: theirs_cls(**params).fit(X_train, y_train),
                                      repeats)
        results.append(dict(
            workload=name, ours_s=t_ours, sklearn_s=t_theirs, ratio=t_ours / t_theirs,
            ours_score=ours.score(X_test, y_test), sklearn_score=theirs.score(X_test, y_test),
            ours_epochs=ours.n_iter_, sklearn_epochs=theirs.n_iter_,
        ))
        _print_row(results[-1])
    return results


def run_perceptron_rows(quick):
    """Perceptron, 20 epochs, tol=None, on 200,000 x 100 (two and ten classes)."""
    results = []
    n_samples = 50000 if quick else 200000
    for n_classes in (2, 10):
        X, y = make_classification(n_samples=n_samples, n_features=100, n_informative=20,
                                   n_classes=n_classes, random_state=0)
        params = dict(max_iter=20, tol=None, random_state=0)
        skperceptron.Perceptron(max_iter=1).fit(X[:100], y[:100])  # compile
        t_ours, ours = _best_time(lambda: skperceptron.Perceptron(**params).fit(X, y), 1)
        t_theirs, theirs = _best_time(lambda: SklearnPerceptron(**params).fit(X, y), 1)
        results.append(dict(
            workload=f"Perceptron {n_samples}x100 {n_classes} classes 20 ep",
            ours_s=t_ours, sklearn_s=t_theirs, ratio=t_ours / t_theirs,
            ours_score=ours.score(X, y), sklearn_score=theirs.score(X, y),
            ours_epochs=ours.n_iter_, sklearn_epochs=theirs.n_iter_,
        ))
        _print_row(results[-1])
    return results


def run_predict_rows():
    X_train, X_test, y_train, _ = _digits()
    params = dict(hidden_layer_sizes=(100,), max_iter=20, random_state=0)
    ours = skperceptron.MLPClassifier(**params).fit(X_train, y_train)
    theirs = sknn.MLPClassifier(**params).fit(X_train, y_train)
    big = np.tile(X_test, (23, 1))[:10000]
    results = []
    for label, X, repeats in (("predict_proba 1 row", X_test[:1], 2000),
                              ("predict_proba 10000 rows", big, 20)):
        ours.predict_proba(X)
        t_ours = _best_time(lambda: ours.predict_proba(X), repeats)[0]
        t_theirs = _best_time(lambda: theirs.predict_proba(X), repeats)[0]
        results.append(dict(workload=label, ours_s=t_ours, sklearn_s=t_theirs,
                            ratio=t_ours / t_theirs))
        _print_row(results[-1])
    return results


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
            out = subprocess.run([sys.executable, "-c", _COMPILE_SNIPPET], env=env,
                                 capture_output=True, text=True, check=True).stdout
            import_s, compile_s = map(float, out.split())
            results.append(dict(workload=label, compile_s=compile_s, import_s=import_s))
            print(f"{label:<42}{compile_s:>9.2f} s compile/load   (import {import_s:.2f} s)")
    return results


def _print_row(row):
    line = f"{row['workload']:<42}{row['ours_s']:>10.4f}{row['sklearn_s']:>10.4f}{row['ratio']:>8.2f}"
    if "ours_score" in row:
        line += (f"{row['ours_score']:>9.4f}{row['sklearn_score']:>9.4f}"
                 f"{row['ours_epochs']:>5}/{row['sklearn_epochs']}")
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 60000x784 rows")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    print(f"skperceptron {skperceptron.__version__} | numpy {np.__version__} | "
          f"{platform.processor() or platform.machine()} | {os.cpu_count()} cores")
    print(f"{'workload':<42}{'ours [s]':>10}{'sklearn':>10}{'ratio':>8}"
          f"{'ours sc':>9}{'sk sc':>9}{'epochs':>8}")
    results = {"compile": run_compile_rows(), "fit": run_fit_rows(args.quick),
               "perceptron": run_perceptron_rows(args.quick),
               "predict": run_predict_rows()}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
