"""BLAS threads per fit: one for small products, and one for the hold-out's
predictions between the steps of fits whose products run in several; hold-out
scores computed in a second thread while training goes on."""

import threading

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris
from threadpoolctl import threadpool_info, threadpool_limits

from skperceptron import MLPClassifier, MLPRegressor, _mlp_training, _threads
from skperceptron._sources.validation import Validation


def _blas_threads():
    libraries = threadpool_info()
    return [lib["num_threads"] for lib in libraries if lib["user_api"] == "blas"]


def test_tiny_products_skip_threadpoolctl(monkeypatch):
    def fail():
        raise AssertionError("threadpoolctl consulted for a tiny product")

    monkeypatch.setattr(_threads, "_blas_libraries", fail)
    with _threads.blas_threads_for([4, 100, 3], 100):
        pass
    X, y = load_iris(return_X_y=True)
    MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(AssertionError, match="threadpoolctl"):
        # one row a step: BLAS may thread matrix-vector products of this size
        _threads.blas_threads_for([784, 100], 1)


def test_hold_out_of_a_threaded_fit_predicts_in_one_thread(monkeypatch):
    """numpy's and scipy's BLAS are separate pools in wheels: while the
    kernels' products run threaded, the hold-out's evaluation (a custom
    scorer's predictions use numpy's BLAS) runs in one thread, and the
    user's limits are back afterwards."""
    monkeypatch.setattr(_threads, "SMALL_PRODUCT", 1)  # every product threaded
    seen = []
    score = Validation.score

    def spy(self, *args):
        seen.append(_blas_threads())
        return score(self, *args)

    monkeypatch.setattr(Validation, "score", spy)
    X, y = load_iris(return_X_y=True)
    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads()
        MLPClassifier(max_iter=3, early_stopping=True, random_state=0).fit(X, y)
        after = _blas_threads()
    assert len(seen) == 3
    assert all(n == 1 for counts in seen for n in counts)
    assert after == before


def test_hold_out_of_a_single_threaded_fit_is_left_alone(monkeypatch):
    """Small products already run in one thread for the whole fit: the
    hold-out adds no threadpoolctl call of its own."""
    calls = []
    one_thread = _threads._one_thread

    def counting():
        calls.append(1)
        return one_thread()

    monkeypatch.setattr(_threads, "_one_thread", counting)
    X, y = load_iris(return_X_y=True)
    MLPClassifier(max_iter=3, early_stopping=True, random_state=0).fit(X, y)
    assert calls == []


_SCORE = Validation.score


def _fit_recording_threads(monkeypatch, spare, estimator, X, y):
    """Fit with ``spare_core`` answering ``spare``; the estimator and the
    names of the threads that evaluated the hold-out."""
    monkeypatch.setattr(_mlp_training, "spare_core", lambda *args: spare)
    threads = []

    def spy(self, *args):
        threads.append(threading.current_thread().name)
        return _SCORE(self, *args)

    monkeypatch.setattr(Validation, "score", spy)
    return estimator.fit(X, y), threads


@pytest.mark.parametrize(
    "estimator, X_dtype",
    [
        (
            MLPClassifier(hidden_layer_sizes=(64, 64), restore_best_weights=True),
            np.float32,
        ),
        (
            MLPRegressor(
                hidden_layer_sizes=(64, 64), restore_best_weights=True, dropout=0.1
            ),
            np.float64,
        ),
    ],
)
def test_hold_out_scored_alongside_training_gives_the_same_fit(
    monkeypatch, estimator, X_dtype
):
    """Without early stopping the hold-out's scores cannot change training:
    with a spare core they are computed in a second thread while the next
    epoch trains, and the records and restored weights are those of the
    inline fit."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 40)).astype(X_dtype)
    y = X[:, 0] + X[:, 1] ** 2 > 1
    if isinstance(estimator, MLPRegressor):
        y = X[:, 0] + X[:, 1] ** 2
    estimator.set_params(max_iter=12, batch_size=64, random_state=0)
    inline, inline_threads = _fit_recording_threads(monkeypatch, False, estimator, X, y)
    inline = {
        "scores": list(inline.validation_scores_),
        "losses": list(inline.validation_loss_curve_),
        "best": inline.best_validation_score_,
        "coefs": [c.copy() for c in inline.coefs_],
    }
    alongside, threads = _fit_recording_threads(monkeypatch, True, estimator, X, y)
    main = threading.main_thread().name
    assert set(inline_threads) == {main}
    assert len(threads) == 12 and main not in threads
    assert_array_equal(alongside.validation_scores_, inline["scores"])
    assert_array_equal(alongside.validation_loss_curve_, inline["losses"])
    assert alongside.best_validation_score_ == inline["best"]
    for a, b in zip(alongside.coefs_, inline["coefs"]):
        assert_array_equal(a, b)


def test_hold_out_of_early_stopping_or_custom_scores_stays_inline(monkeypatch):
    """Early stopping's scores decide when training stops, and a user's
    scorer is called where the fit was: both keep the hold-out inline."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 10))
    y = X[:, 0] > 0
    main = threading.main_thread().name
    for params in (
        dict(early_stopping=True),
        dict(restore_best_weights=True, scoring="balanced_accuracy"),
    ):
        clf = MLPClassifier(max_iter=4, random_state=0, **params)
        _, threads = _fit_recording_threads(monkeypatch, True, clf, X, y)
        assert threads and set(threads) == {main}


def test_a_failing_hold_out_thread_fails_the_fit_and_keeps_the_model(monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 10))
    y = X[:, 0] > 0
    clf = MLPClassifier(max_iter=3, random_state=0).fit(X, y)
    before = [c.copy() for c in clf.coefs_]
    monkeypatch.setattr(_mlp_training, "spare_core", lambda *args: True)

    def broken(self, *args):
        raise MemoryError("hold-out")

    monkeypatch.setattr(Validation, "score", broken)
    clf.set_params(restore_best_weights=True)
    with pytest.raises(MemoryError, match="hold-out"):
        clf.fit(X, y)
    for a, b in zip(clf.coefs_, before):
        assert_array_equal(a, b)


def test_a_diverging_fit_scored_alongside_records_as_inline(monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 20)) * 1e3
    y = X[:, 0]
    reg = MLPRegressor(
        hidden_layer_sizes=(32,),
        restore_best_weights=True,
        learning_rate_init=10.0,
        solver="sgd",
        momentum=0.99,
        max_iter=30,
        random_state=0,
    )
    records = []
    for spare in (False, True):
        with pytest.warns(Warning):
            fitted, _ = _fit_recording_threads(monkeypatch, spare, reg, X, y)
        records.append(
            (fitted.n_iter_, fitted.validation_scores_, fitted.best_validation_score_)
        )
    (n_inline, scores_inline, best_inline), (n, scores, best) = records
    assert n == n_inline and np.isnan(scores[-1])
    assert_allclose(scores, scores_inline, equal_nan=True, rtol=0)
    assert best == best_inline


def test_spare_core_only_for_products_run_in_one_thread_by_choice():
    big_enough = ([64, 64, 64], 256)  # 1M multiply-adds a step
    assert not _threads.spare_core([4, 10, 3], 100)  # BLAS single-threaded anyway
    assert not _threads.spare_core([1000, 1000], 256)  # products run threaded
    with threadpool_limits(1, user_api="blas"):  # the user's or joblib's limit
        assert not _threads.spare_core(*big_enough)
    with threadpool_limits(2):
        assert _threads.spare_core(*big_enough)
