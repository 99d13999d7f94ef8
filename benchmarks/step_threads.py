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

Run: ``python benchmarks/step_threads.py [--steps 300]``; prints
milliseconds per step.
"""

import argparse
import multiprocessing
import os
import threading
import time

import numpy as np
from threadpoolctl import threadpool_limits

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    quiet = _rows(args.steps)
    hogs = [
        multiprocessing.Process(target=_spin, daemon=True)
        for _ in range(os.cpu_count() or 1)
    ]
    for hog in hogs:
        hog.start()
    try:
        busy = _rows(args.steps)
    finally:
        for hog in hogs:
            hog.terminate()
    print(f"{'ms per step':<24}{'idle':>8}{'busy':>8}")
    for label in quiet:
        print(f"{label:<24}{quiet[label]:>8.3f}{busy[label]:>8.3f}")


if __name__ == "__main__":
    main()
