"""Calls run in a fresh chunk of CPython's frame stack, and the package's
uses of it."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skperceptron import MLPClassifier, Perceptron, _frame_stack


def test_call_with_room_passes_arguments_and_result():
    assert _frame_stack.call_with_room(divmod, 7, 2) == (3, 1)
    assert _frame_stack.call_with_room(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]


def test_call_with_room_propagates_exceptions():
    with pytest.raises(ZeroDivisionError):
        _frame_stack.call_with_room(divmod, 1, 0)


@pytest.mark.skipif(
    sys.implementation.name != "cpython", reason="a CPython frame-stack detail"
)
def test_roomy_frame_reserves_the_slots():
    code = _frame_stack._call_with_room.__code__
    assert code.co_nlocals >= _frame_stack._SLOTS


def _recurse(depth, function):
    return function() if depth == 0 else _recurse(depth - 1, function)


@pytest.mark.parametrize("depth", [0, 37, 113])
def test_fits_are_the_same_at_any_depth(depth):
    X, y = load_iris(return_X_y=True)
    reference = MLPClassifier(max_iter=20, random_state=0).fit(X, y)
    model = _recurse(
        depth, lambda: MLPClassifier(max_iter=20, random_state=0).fit(X, y)
    )
    np.testing.assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-12)
    perceptron = _recurse(depth, lambda: Perceptron(random_state=0).fit(X, y))
    np.testing.assert_array_equal(
        perceptron.coef_, Perceptron(random_state=0).fit(X, y).coef_
    )


def test_failed_fit_through_the_roomy_frame_restores_the_model():
    X, y = load_iris(return_X_y=True)
    model = MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    coefs = [c.copy() for c in model.coefs_]
    with pytest.raises(ValueError, match="non-finite"):  # diverges in the loop
        model.set_params(learning_rate_init=1e300, solver="sgd").fit(X * 1e200, y)
    for before, after in zip(coefs, model.coefs_):
        np.testing.assert_array_equal(before, after)
