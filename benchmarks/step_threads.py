"""Two cores for one minibatch step: BLAS threads against two half-batches.

A step of the tables preset multiplies 256 rows through 256 x 256 float32
layers: in one BLAS thread these products run at that thread's peak, and
two BLAS threads make them faster on an idle machine but collapse next to
other CPU-bound work (each product waits for its slowest thread). This
measures the alternative of splitting the step's rows into two halves, each
multiplied in one BLAS thread by its own Python thread (numpy releases the
GIL), joined once per step, on an idle machine and next to one CPU-bound
process per core:

- ``one thread``: six 256 x 256 x 256 products per step;
- ``halves``: two threads, six 128 x 256 x 256 products each, joined per
  step;
- ``halves, help if free``: the same, but the main thread takes the second
  half itself when the helper has not started it (a descheduled helper then
  costs nothing);
- ``BLAS two threads``: the six products of ``one thread`` in a pool of two.

Then whole fits, their steps in one thread against split over two
(``skperceptron._sources.split_steps``, which the package uses from
``_threads.SPLIT_STEP`` multiply-adds a step on): the tables preset and
plain networks of several sizes on 5,000 generated float32 rows, best of
three fits, idle and next to the hogs; and, under a limit of one thread
(joblib's workers), whole steps against split steps computed one half after
the other (what keeps the model independent of the threads costs).

Run: ``python benchmarks/step_threads.py [--steps 300] [--epochs 20]``;
prints milliseconds per step, then seconds per fit.
"""

import argparse
import multiprocessing
import os
import threading
import time

import numpy as np
from threadpoolctl import threadpool_limits

from skperceptron import MLPClassifier, _mlp_training, _threads
from skperceptron.presets import tabular

ROWS, UNITS, PRODUCTS = 256, 256, 6


def _products(rows, weights, out):
    for w in weights:
        np.matmul(rows, w, out=out)


class _Halves:
    """Steps whose two halves of rows run in two threads."""

    def __init__(self, X, weights, help_if_free):
        half = X.shape[0] // 2
        self.parts = [np.ascontiguousarray(X[:half]), np.ascontiguousarray(X[half:])]
        self.outs = [np.empty((half, UNITS), X.dtype) for _ in range(2)]
        self.weights, self.help_if_free = weights, help_if_free
        self.lock, self.start, self.done = (
            threading.Lock(),
            threading.Event(),
            threading.Event(),
        )
        self.claimed = self.stopping = False
        self.helper = threading.Thread(target=self._helper, daemon=True)
        self.helper.start()

    def _claim(self):
        with self.lock:
            mine, self.claimed = not self.claimed, True
        return mine

    def _second_half(self):
        _products(self.parts[1], self.weights, self.outs[1])

    def _helper(self):
        while True:
            self.start.wait()
            self.start.clear()
            if self.stopping:
                return
            if self._claim():
                self._second_half()
            self.done.set()

    def step(self):
        self.claimed = False
        self.done.clear()
        self.start.set()
        _products(self.parts[0], self.weights, self.outs[0])
        if self.help_if_free and self._claim():
            self._second_half()
        self.done.wait()

    def close(self):
        self.stopping = True
        self.start.set()
        self.helper.join()


def _ms_per_step(step, steps):
    for _ in range(10):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1e3


def _rows(steps):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((ROWS, UNITS)).astype(np.float32)
    weights = [
        rng.standard_normal((UNITS, UNITS)).astype(np.float32) for _ in range(PRODUCTS)
    ]
    out = np.empty((ROWS, UNITS), np.float32)
    row = {}
    with threadpool_limits(1):
        row["one thread"] = _ms_per_step(lambda: _products(X, weights, out), steps)
        for label, help_if_free in (("halves", False), ("halves, help if free", True)):
            halves = _Halves(X, weights, help_if_free)
            row[label] = _ms_per_step(halves.step, steps)
            halves.close()
    with threadpool_limits(2):
        row["BLAS two threads"] = _ms_per_step(
            lambda: _products(X, weights, out), steps
        )
    return row


def _spin():
    while True:
        pass


FITS = {
    "tables preset": tabular("classification"),
    "(256, 256, 256), batch 256": dict(hidden_layer_sizes=(256,) * 3, batch_size=256),
    "(256, 256), batch 256": dict(hidden_layer_sizes=(256, 256), batch_size=256),
    "(128, 128), batch 256": dict(hidden_layer_sizes=(128, 128), batch_size=256),
}


def _fit_seconds(params, split, X, y):
    _mlp_training.split_steps = lambda *args: split
    best = np.inf
    for _ in range(3):
        clf = MLPClassifier(**params, random_state=0)
        start = time.perf_counter()
        clf.fit(X, y)
        best = min(best, time.perf_counter() - start)
    return best


def _fits(epochs, limited):
    """Seconds per fit of each of ``FITS``: whole and split steps, and with
    ``limited`` the same under a one-thread limit."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5000, 20)).astype(np.float32)
    y = X[:, 0] + X[:, 1] ** 2 > 1
    decide = _mlp_training.split_steps
    rows = {}
    try:
        for label, params in FITS.items():
            params = {**params, "max_iter": epochs}
            row = [_fit_seconds(params, split, X, y) for split in (0, 2)]
            if limited:
                with threadpool_limits(1):  # the halves one after the other
                    row += [_fit_seconds(params, split, X, y) for split in (0, 1)]
            rows[label] = row
    finally:
        _mlp_training.split_steps = decide
    return rows


def _with_hogs(measure):
    hogs = [
        multiprocessing.Process(target=_spin, daemon=True)
        for _ in range(os.cpu_count() or 1)
    ]
    for hog in hogs:
        hog.start()
    try:
        return measure()
    finally:
        for hog in hogs:
            hog.terminate()


def _step_madds(params):
    units = [20, *params.get("hidden_layer_sizes", (100,)), 1]
    if params.get("numeric_embedding") == "periodic":
        units[0] += 20 * params["embedding_size"]
    return _threads.step_multiply_adds(units, params.get("batch_size", 200)) / 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args(argv)
    quiet = _rows(args.steps)
    busy = _with_hogs(lambda: _rows(args.steps))
    print(f"{'ms per step':<24}{'idle':>8}{'busy':>8}")
    for label in quiet:
        print(f"{label:<24}{quiet[label]:>8.3f}{busy[label]:>8.3f}")
    quiet = _fits(args.epochs, limited=True)
    busy = _with_hogs(lambda: _fits(args.epochs, limited=False))
    print()
    print("s per fit: whole steps / split steps, and their ratio")
    header = f"{'':<30}{'M madds':>8}"
    for column in ("idle", "busy", "1 thread idle"):
        header += f"{column:>23}"
    print(header)
    for label, (whole, split, whole_1, split_1) in quiet.items():
        b_whole, b_split = busy[label]
        line = f"{label:<30}{_step_madds(FITS[label]):>8.0f}"
        for a, b in ((whole, split), (b_whole, b_split), (whole_1, split_1)):
            line += f"{a:>8.3f}{b:>8.3f}{b / a:>7.2f}"
        print(line)


if __name__ == "__main__":
    main()
