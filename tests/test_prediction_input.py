"""Predictions take a short path for plain float arrays; every other input,
and every bad one, still goes through scikit-learn's validation."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris

from skperceptron import MLPClassifier, MLPRegressor, Perceptron

X, y = load_iris(return_X_y=True)
LABELS = np.array(["setosa", "versicolor", "virginica"])[y]


def _fitted():
    # fitted at collection, outside conftest's ConvergenceWarning filter
    kw = dict(hidden_layer_sizes=(5,), max_iter=500, tol=1e-2, random_state=0)
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
    # finite values whose sum overflows are valid input: the same result as
    # the long way, and no warning of the check's own
    huge = np.full((1, 4), np.finfo(np.float64).max)
    results, messages = [], []
    for X_huge in (huge.tolist(), huge):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results.append(est.predict(X_huge))
        messages.append(sorted(str(w.message) for w in caught))
    assert_array_equal(results[0], results[1])
    assert messages[0] == messages[1]


def test_short_path_keeps_the_feature_names_warning():
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0)
    est.fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X[:1])


def _stream(est, X_chunks, y_chunks, classes):
    for X_part, y_part in zip(X_chunks, y_chunks):
        est.partial_fit(X_part, y_part, classes=classes)
    return est


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPClassifier(hidden_layer_sizes=(5,), random_state=0),
        lambda: Perceptron(random_state=0),
        lambda: Perceptron(random_state=0, penalty="elasticnet", average=True),
    ],
    ids=["MLPClassifier", "Perceptron", "Perceptron-elasticnet-average"],
)
@pytest.mark.parametrize(
    "labels",
    [y, LABELS, LABELS == "setosa"],
    ids=["int", "str", "binary"],
)
@pytest.mark.parametrize("pass_classes", [True, False])
def test_partial_fit_short_path_gives_the_validated_path_model(
    make, labels, pass_classes
):
    rows = np.random.RandomState(0).permutation(len(X))
    X_chunks = [X[rows[i : i + 10]] for i in range(0, len(X), 10)]
    y_chunks = [labels[rows[i : i + 10]] for i in range(0, len(X), 10)]
    classes = np.unique(labels)
    first = (X_chunks[:1], y_chunks[:1], classes)
    fast, slow = _stream(make(), *first), _stream(make(), *first)
    later = classes if pass_classes else None
    _stream(fast, X_chunks[1:], y_chunks[1:], later)
    # lists take the long way through scikit-learn's validation
    _stream(
        slow,
        [x.tolist() for x in X_chunks[1:]],
        [list(v) for v in y_chunks[1:]],
        None if later is None else list(later),
    )
    for name in ("coef_", "intercept_", "coefs_", "intercepts_", "loss_curve_", "t_"):
        if hasattr(fast, name):
            ours, theirs = getattr(fast, name), getattr(slow, name)
            if isinstance(ours, list) and ours and isinstance(ours[0], np.ndarray):
                for a, b in zip(ours, theirs):
                    assert_array_equal(a, b)
            else:
                assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "est",
    [
        MLPClassifier(hidden_layer_sizes=(5,), random_state=0),
        Perceptron(random_state=0),
    ],
    ids=["MLPClassifier", "Perceptron"],
)
def test_partial_fit_short_path_keeps_every_error(est):
    est.partial_fit(X[:20], y[:20], classes=np.array([0, 1, 2]))
    before = pickle.dumps(est)
    bad_X = X[20:30].copy()
    bad_X[0, 0] = np.nan
    cases = [
        (X[20:30], np.full(10, 7), "classes"),
        (bad_X, y[20:30], "NaN"),
        (X[20:30, :3], y[20:30], "features"),
        (X[20:30], y[20:29], "inconsistent numbers of samples"),
        (X[20:30], np.array([0, 1, 2]), "inconsistent numbers of samples"),
    ]
    for X_part, y_part, match in cases:
        with pytest.raises(ValueError, match=match):
            est.partial_fit(X_part, y_part)
        assert pickle.dumps(est) == before
    with pytest.raises(ValueError, match="not the same as on last call"):
        est.partial_fit(X[20:30], y[20:30], classes=np.array([0, 1, 3]))
