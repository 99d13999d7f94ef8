"""BLAS threads per fit: one for small products, and one for the hold-out's
predictions between the steps of fits whose products run in several."""

import pytest
from sklearn.datasets import load_iris
from threadpoolctl import threadpool_info, threadpool_limits

from skperceptron import MLPClassifier, _threads
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
    kernels' products run threaded, the hold-out's predictions (numpy's
    BLAS) run in one thread, and the user's limits are back afterwards."""
    monkeypatch.setattr(_threads, "SMALL_PRODUCT", 1)  # every product threaded
    seen = []
    evaluate = Validation.evaluate

    def spy(self, *args):
        seen.append(_blas_threads())
        return evaluate(self, *args)

    monkeypatch.setattr(Validation, "evaluate", spy)
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
