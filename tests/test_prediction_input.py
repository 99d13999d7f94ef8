"""Predictions take a short path for plain float arrays; every other input,
and every bad one, still goes through scikit-learn's validation."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris

from skperceptron import MLPClassifier, MLPRegressor, Perceptron

X, y = load_iris(return_X_y=True)
LABELS = np.array(["setosa", "versicolor", "virginica"])[y]


def _fitted():
    kw = dict(hidden_layer_sizes=(5,), max_iter=30, random_state=0)
    return [
        MLPClassifier(**kw).fit(X, LABELS),
        MLPClassifier(**kw).fit(X, LABELS == "setosa"),
        MLPRegressor(**kw).fit(X, X[:, 0]),
        Perceptron(random_state=0).fit(X, LABELS),
    ]


@pytest.mark.parametrize("est", _fitted(), ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("rows", [slice(0, 1), slice(40, 60), slice(None)])
def test_short_path_gives_the_validated_path_results(est, rows):
    part = X[rows]
    methods = ["predict"] + [
        m for m in ("predict_proba", "decision_function") if hasattr(est, m)
    ]
    for method in methods:
        fast = getattr(est, method)(part)
        slow = getattr(est, method)(part.tolist())  # a list takes the long way
        assert_array_equal(fast, slow)
        assert fast.dtype == slow.dtype
    assert_array_equal(
        est.predict(part.astype(np.float32)),
        est.predict(part.astype(np.float32).tolist()),
    )


@pytest.mark.parametrize("est", _fitted(), ids=lambda e: type(e).__name__)
def test_short_path_keeps_every_error(est):
    row = X[:1].copy()
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:1, :3])
    for bad in (np.nan, np.inf, -np.inf):
        row[0, 1] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            est.predict(row)
    with pytest.raises(ValueError, match="0 sample"):
        est.predict(X[:0])
    with pytest.raises(ValueError, match="2D array"):
        est.predict(X[0])
    # finite values whose sum overflows are valid input: same as the long way
    huge = np.full((1, 4), np.finfo(np.float64).max)
    with np.errstate(all="ignore"):
        assert_array_equal(est.predict(huge), est.predict(huge.tolist()))


def test_short_path_keeps_the_feature_names_warning():
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0)
    est.fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X[:1])
