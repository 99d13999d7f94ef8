"""Minibatch steps split over two threads: the model of the one-thread
epoch, whichever thread computes the second half, and only where it pays."""

import threading
from concurrent.futures import Future

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from threadpoolctl import threadpool_limits

from skperceptron import MLPClassifier, MLPRegressor, _mlp_training, _threads
from skperceptron._sources import split_steps
from skperceptron.presets import tabular

_PART = split_steps.SplitSteps._part


def _fit(monkeypatch, estimator, X, y, split, **fit_params):
    """Fit with ``split_steps`` answering ``split`` (0: whole steps, else the
    threads; or a function deciding it); the estimator and the names of the
    threads that computed parts of steps."""
    decide = split if callable(split) else lambda *args: split
    monkeypatch.setattr(_mlp_training, "split_steps", decide)
    names = set()

    def spy(self, *args):
        names.add(threading.current_thread().name)
        return _PART(self, *args)

    monkeypatch.setattr(split_steps.SplitSteps, "_part", spy)
    return estimator.fit(X, y, **fit_params), names


def _data(n_samples, dtype, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 12)).astype(dtype)
    return X, X[:, 0] + X[:, 1] ** 2 - X[:, 2] * X[:, 3], rng


CASES = {
    "classifier float32, dropout, weights, nadam": (
        MLPClassifier((32, 32), solver="nadam", dropout=0.2, batch_size=40, max_iter=4),
        np.float32,
        True,
        1e-4,
    ),
    "regressor float64, sgd, one-row last batch": (
        MLPRegressor(hidden_layer_sizes=(32,), solver="sgd", batch_size=33, max_iter=4),
        np.float64,
        False,
        1e-9,
    ),
    "classifier float32, the tables preset": (
        MLPClassifier(**{**tabular("classification"), "max_iter": 3}),
        np.float32,
        False,
        1e-3,
    ),
    "regressor float64, the tables preset": (
        MLPRegressor(
            **{**tabular("regression"), "max_iter": 3, "hidden_layer_sizes": (32, 32)}
        ),
        np.float64,
        True,
        1e-8,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_split_steps_fit_the_one_thread_model(monkeypatch, case):
    """The halves' gradients sum to the whole minibatch's, dropout masks are
    keyed by row position and the step is taken once: the model is the
    one-thread epoch's, up to the order of the sums."""
    estimator, dtype, weighted, rtol = CASES[case]
    X, y, rng = _data(331, dtype)  # 331 = 10 * 33 + 1
    if isinstance(estimator, MLPClassifier):
        y = y > 0.5
    fit_params = {"sample_weight": rng.uniform(0.5, 2, 331)} if weighted else {}
    estimator.set_params(random_state=0)
    one, one_names = _fit(monkeypatch, estimator, X, y, 0, **fit_params)
    one = {"coefs": [c.copy() for c in one.coefs_], "loss": list(one.loss_curve_)}
    split, names = _fit(monkeypatch, estimator, X, y, 2, **fit_params)
    assert not one_names
    assert threading.main_thread().name in names
    assert any(name.startswith("skperceptron-step") for name in names)
    assert_allclose(split.loss_curve_, one["loss"], rtol=rtol)
    for a, b in zip(split.coefs_, one["coefs"]):
        assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


class _NeverStarted:
    """An executor whose helper never gets to a task (it waits for a core)."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, *args):
        return Future()  # pending: cancel() succeeds


def test_the_model_does_not_depend_on_the_threads(monkeypatch):
    """Split steps give the same model in two threads, in one (a thread
    limit), and when the calling thread takes back every half the helper
    has not started."""
    X, y, _ = _data(500, np.float32)
    clf = MLPClassifier((32, 32), batch_size=64, max_iter=3, random_state=0)
    two, names = _fit(monkeypatch, clf, X, y > 0.5, 2)
    assert len(names) == 2
    two = [c.copy() for c in two.coefs_]
    one, names = _fit(monkeypatch, clf, X, y > 0.5, 1)
    assert names == {threading.main_thread().name}
    for a, b in zip(one.coefs_, two):
        assert_array_equal(a, b)
    monkeypatch.setattr(split_steps, "ThreadPoolExecutor", _NeverStarted)
    taken_back, names = _fit(monkeypatch, clf, X, y > 0.5, 2)
    assert names == {threading.main_thread().name}
    for a, b in zip(taken_back.coefs_, two):
        assert_array_equal(a, b)


def test_a_thread_limit_computes_the_halves_in_one_thread(monkeypatch):
    X, y, _ = _data(600, np.float32)
    clf = MLPClassifier((256, 256, 256), batch_size=256, max_iter=2, random_state=0)
    models = []
    decide = _mlp_training.split_steps
    for limit in (2, 1):
        with threadpool_limits(limit):
            assert decide([12, 256, 256, 256, 1], 256) == limit
            model, names = _fit(monkeypatch, clf, X, y > 0.5, decide)
        assert len(names) == limit
        models.append(model.coefs_)
    for a, b in zip(*models):
        assert_array_equal(a, b)


def test_split_steps_only_where_they_pay():
    preset = ([76, 256, 256, 256, 2], 256)  # the tables preset's shapes
    with threadpool_limits(2):
        assert _threads.split_steps(*preset) == 2
        assert _threads.split_steps([12, 100, 2], 200) == 0  # short steps
        assert _threads.split_steps([2000, 256, 2], 256) == 0  # BLAS threads
    with threadpool_limits(1):  # the user's or joblib's limit
        assert _threads.split_steps(*preset) == 1
    assert _threads.step_multiply_adds([10, 20, 3], 4) == 4 * (3 * 260 - 200)


def test_sparse_rows_are_not_split(monkeypatch):
    X, y, _ = _data(300, np.float64)
    clf = MLPClassifier((16,), max_iter=2, random_state=0)
    _, names = _fit(monkeypatch, clf, sp.csr_matrix(X), y > 0.5, 2)
    assert not names
