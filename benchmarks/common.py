"""Timing helpers, data sets and the row printer shared by the benchmark sections."""

import time

import numpy as np
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.model_selection import train_test_split


def best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def interleaved_best_times(ours, theirs, repeats):
    """Best time of each of two functions, run alternately.

    On a shared machine a busy spell then slows both sides alike instead of
    only the one that happened to be running.
    """
    best = [(float("inf"), None), (float("inf"), None)]
    for _ in range(repeats):
        for side, fn in enumerate((ours, theirs)):
            seconds, result = best_time(fn, 1)
            if seconds < best[side][0]:
                best[side] = (seconds, result)
    return best


def timed_row(workload, ours, theirs, repeats, score_on=None):
    """Time ``ours`` against ``theirs`` alternately; print the row.

    With ``score_on=(X, y)`` the two calls return fitted models, whose scores
    on it and epoch counts join the row. Returns the row and our result.
    """
    (t_ours, ours_fit), (t_theirs, theirs_fit) = interleaved_best_times(
        ours, theirs, repeats
    )
    row = dict(
        workload=workload, ours_s=t_ours, sklearn_s=t_theirs, ratio=t_ours / t_theirs
    )
    if score_on is not None:
        row.update(
            ours_score=ours_fit.score(*score_on),
            sklearn_score=theirs_fit.score(*score_on),
            ours_epochs=ours_fit.n_iter_,
            sklearn_epochs=theirs_fit.n_iter_,
        )
    print_row(row)
    return row, ours_fit


def print_row(row):
    line = (
        f"{row['workload']:<42}{row['ours_s']:>10.4f}{row['sklearn_s']:>10.4f}"
        f"{row['ratio']:>8.2f}"
    )
    if "ours_score" in row:
        line += (
            f"{row['ours_score']:>9.4f}{row['sklearn_score']:>9.4f}"
            f"{row['ours_epochs']:>5}/{row['sklearn_epochs']}"
        )
    print(line, flush=True)


def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def friedman():
    X, y = make_friedman1(n_samples=20000, n_features=10, noise=0.5, random_state=0)
    return train_test_split(X, y, test_size=0.2, random_state=0)


def wide(dtype):
    X, y = make_classification(
        n_samples=70000, n_features=784, n_informative=100, n_classes=10, random_state=0
    )
    X = X.astype(dtype)
    return X[:60000], X[60000:], y[:60000], y[60000:]


PEAKS = {}  # best GEMM GFLOP/s seen in this run, per dtype


def gemm_peak():
    """GFLOP/s of a 2048x2048 matmul, float32 and float64 (best of 5).

    Measured again before each 60000x784 row, keeping the best figure: a
    single measurement on a shared machine can catch the other core busy.
    """
    peaks = {}
    for dtype in (np.float32, np.float64):
        A = np.random.RandomState(0).rand(2048, 2048).astype(dtype)
        seconds, _ = best_time(lambda: A @ A, 5)
        name = np.dtype(dtype).name
        peaks[name] = max(2 * 2048**3 / seconds / 1e9, PEAKS.get(name, 0.0))
    print(
        "GEMM peak (2048x2048 matmul): "
        + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in peaks.items())
    )
    return peaks
