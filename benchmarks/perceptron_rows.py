"""The Perceptron against scikit-learn's: dense, threads (n_jobs) and CSR, with
the sparse rows' floor (their dot products alone, in the fit's orders)."""

import contextlib
import io
import re

import numpy as np
import scipy.sparse as sp
from common import best_time, timed_row
from sklearn.datasets import make_classification
from sklearn.linear_model import Perceptron as SklearnPerceptron

import skperceptron
from skperceptron._data import kernel_input
from skperceptron._kernels import perceptron as perceptron_kernel
from skperceptron._kernels._jit import jit


def run_perceptron_rows(quick):
    """Perceptron, 20 epochs, tol=None, on 200,000 x 100 (two and ten classes)."""
    results = []
    n_samples = 50000 if quick else 200000
    for n_classes in (2, 10):
        X, y = make_classification(
            n_samples=n_samples,
            n_features=100,
            n_informative=20,
            n_classes=n_classes,
            random_state=0,
        )
        params = dict(max_iter=20, tol=None, random_state=0)
        skperceptron.Perceptron(max_iter=1).fit(X[:100], y[:100])  # compile
        row, _ = timed_row(
            f"Perceptron {n_samples}x100 {n_classes} classes 20 ep",
            lambda: skperceptron.Perceptron(**params).fit(X, y),
            lambda: SklearnPerceptron(**params).fit(X, y),
            2,
            score_on=(X, y),
        )
        results.append(row)
    return results


def run_thread_rows():
    """Perceptron(n_jobs=2) on 200,000 x 100, 10 classes, 20 epochs: against
    n_jobs=1 (the ratio is what the second thread buys) and against
    scikit-learn's Perceptron(n_jobs=2)."""
    X, y = make_classification(
        n_samples=200000,
        n_features=100,
        n_informative=20,
        n_classes=10,
        random_state=0,
    )
    params = dict(max_iter=20, tol=None, random_state=0)
    skperceptron.Perceptron(max_iter=1).fit(X[:100], y[:100])  # compile
    two = dict(params, n_jobs=2)
    name = "Perceptron 200000x100 10 classes 20 ep"
    rows = [
        timed_row(
            f"{name} n_jobs=2 vs our n_jobs=1",
            lambda: skperceptron.Perceptron(**two).fit(X, y),
            lambda: skperceptron.Perceptron(**params, n_jobs=1).fit(X, y),
            2,
        )[0],
        timed_row(
            f"{name} n_jobs=2 vs sklearn n_jobs=2",
            lambda: skperceptron.Perceptron(**two).fit(X, y),
            lambda: SklearnPerceptron(**two).fit(X, y),
            2,
        )[0],
    ]
    return rows


def run_sparse_perceptron_rows():
    """Perceptron on CSR text-like data: 20,000 x 50,000 at 0.2% density."""
    from sklearn.linear_model import SGDClassifier

    rng = np.random.RandomState(0)
    # a Generator: with a RandomState scipy permutes all 10^9 cells (8 GB)
    X = sp.random(
        20000, 50000, density=0.002, format="csr", random_state=np.random.default_rng(0)
    )
    scores = X @ rng.normal(size=(50000, 10))
    y2 = (scores[:, 0] > np.median(scores[:, 0])).astype(int)
    y10 = scores.argmax(axis=1)
    params = dict(max_iter=20, tol=None, random_state=0)
    sgd = dict(loss="perceptron", learning_rate="constant", eta0=1.0, penalty=None)
    results = []
    for label, y, ours_params, theirs in (
        ("2 classes", y2, {}, lambda: SklearnPerceptron(**params).fit(X, y2)),
        ("10 classes", y10, {}, lambda: SklearnPerceptron(**params).fit(X, y10)),
        (
            "2 classes average (vs SGD)",
            y2,
            dict(average=True),
            lambda: SGDClassifier(average=True, **sgd, **params).fit(X, y2),
        ),
    ):

        def ours(y=y, ours_params=ours_params):
            return skperceptron.Perceptron(**ours_params, **params).fit(X, y)

        ours()  # compile
        row = timed_row(f"Perceptron CSR {label}", ours, theirs, 2)[0]
        floor = sparse_dot_floor_seconds(X, _unit_epochs(X, y, ours_params, params))
        row.update(dot_floor_s=floor, dot_floor_ratio=floor / row["sklearn_s"])
        print(
            "    the rows' dot products alone, in the same orders: "
            f"{floor:.4f} s = {floor / row['sklearn_s']:.2f} x sklearn's fit",
            flush=True,
        )
        results.append(row)
    return results


def _unit_epochs(X, y, ours_params, params):
    """How many epochs each one-vs-rest unit of our fit trained.

    A unit whose epoch made no mistake (no penalty, no averaging) cannot
    change any more and stops; the verbose report gives the active units.
    """
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        model = skperceptron.Perceptron(**ours_params, **params, verbose=1).fit(X, y)
    n_units = model.coef_.shape[0]
    after = [int(a) for a in re.findall(r"Active units: (\d+)", report.getvalue())]
    at_start = [n_units] + after[:-1]
    return np.array([sum(a > k for a in at_start) for k in range(n_units)])


@jit  # the kernels' numba options
def _sparse_dot_epochs(csr, unit_epochs, seeds, weights):
    """Each unit's epochs of the epoch kernel's row scoring (``_scores``) and
    prefetching alone, each unit in its own visiting order."""
    distance = perceptron_kernel._CSR_PREFETCH_DISTANCE
    scale, b = np.ones(1), np.zeros(1)
    active, out = np.ones(1, dtype=np.bool_), np.empty(1)
    total = 0.0
    n_rows = csr[2].shape[0] - 1
    for k in range(unit_epochs.shape[0]):
        order = np.arange(n_rows)
        for _ in range(unit_epochs[k]):
            perceptron_kernel.shuffle_like_sgd(order, seeds[k])
            for i in range(n_rows):
                if i + distance < n_rows:
                    perceptron_kernel.prefetch_csr_row(csr, order[i + distance])
                perceptron_kernel._scores(
                    None, csr, order[i], weights, scale, b, active, out
                )
                total += out[0]
    return total


def sparse_dot_floor_seconds(X, unit_epochs):
    """Seconds the Perceptron's row dot products take alone (best of 3).

    Each one-vs-rest unit reads every row once per epoch it trains, in its own
    shuffled order (scikit-learn's, which the fit keeps); this is that reading
    and the dot products with the weights, without updates or bookkeeping: the
    least any fit giving scikit-learn's models can spend on this data.
    """
    _, csr = kernel_input(X, np.float64)
    weights = np.random.RandomState(0).normal(size=(1, X.shape[1]))
    seeds = np.arange(1, len(unit_epochs) + 1, dtype=np.int64) * 7919
    once = np.ones_like(unit_epochs[:1])
    _sparse_dot_epochs(csr, once, seeds, weights)  # compile
    seconds, _ = best_time(
        lambda: _sparse_dot_epochs(csr, unit_epochs, seeds, weights), 3
    )
    return seconds
