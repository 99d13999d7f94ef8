"""Bad input gets a clear error and never corrupts a fitted model; divergence
is reported, not stored; extreme pre-activations stay finite."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skperceptron import MLPClassifier, MLPRegressor, Perceptron

RNG = np.random.RandomState(0)
X_GOOD = RNG.normal(size=(60, 4))
Y_CLASS = np.arange(60) % 3
Y_REG = X_GOOD[:, 0] - X_GOOD[:, 1]

ESTIMATORS = {
    "MLPClassifier": lambda: MLPClassifier(
        hidden_layer_sizes=(5,), max_iter=5, random_state=0
    ),
    "MLPRegressor": lambda: MLPRegressor(
        hidden_layer_sizes=(5,), max_iter=5, random_state=0
    ),
    "Perceptron": lambda: Perceptron(max_iter=5, random_state=0),
}


def _targets(name):
    return Y_REG if name == "MLPRegressor" else Y_CLASS


def _with(values, where=(3, 1)):
    X = X_GOOD.copy()
    X[where] = values
    return X


def _sparse_with_nan():
    X = sp.csr_matrix(np.where(np.abs(X_GOOD) > 0.5, X_GOOD, 0.0))
    X.data[0] = np.nan
    return X


# (case, estimators it applies to, call(est, y), error type, message pattern)
BAD_INPUTS = [
    ("NaN in X", None, lambda e, y: e.fit(_with(np.nan), y), ValueError, "NaN"),
    ("inf in X", None, lambda e, y: e.fit(_with(np.inf), y), ValueError, "infinity"),
    (
        "NaN in y",
        None,
        lambda e, y: e.fit(X_GOOD, np.where(np.arange(60) == 3, np.nan, y)),
        ValueError,
        "NaN",
    ),
    (
        "inf in y",
        ("MLPRegressor",),
        lambda e, y: e.fit(X_GOOD, np.where(np.arange(60) == 3, np.inf, y)),
        ValueError,
        "infinity",
    ),
    (
        "empty X",
        None,
        lambda e, y: e.fit(X_GOOD[:0], y[:0]),
        ValueError,
        "0 sample|empty",
    ),
    ("1-D X", None, lambda e, y: e.fit(X_GOOD[:, 0], y), ValueError, "Expected 2D"),
    ("complex X", None, lambda e, y: e.fit(X_GOOD + 1j, y), ValueError, "Complex"),
    (
        "object X with strings",
        None,
        lambda e, y: e.fit(np.array([["a"] * 4] * 60, dtype=object), y),
        ValueError,
        "could not convert|string",
    ),
    (
        "string targets for a regressor",
        ("MLPRegressor",),
        lambda e, y: e.fit(X_GOOD, np.array(["a", "b"] * 30, dtype=object)),
        ValueError,
        "could not convert|numeric|string",
    ),
    # MLPClassifier fits a single class as scikit-learn's does (test_mlp.py)
    (
        "a single class",
        ("Perceptron",),
        lambda e, y: e.fit(X_GOOD, np.zeros(60)),
        ValueError,
        "one class|greater than one",
    ),
    (
        "one sample (so one class)",
        ("Perceptron",),
        lambda e, y: e.fit(X_GOOD[:1], y[:1]),
        ValueError,
        "one class|greater than one",
    ),
    (
        "y of the wrong length",
        None,
        lambda e, y: e.fit(X_GOOD, y[:-1]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "negative sample weights",
        None,
        lambda e, y: e.fit(X_GOOD, y, sample_weight=np.r_[-1.0, np.ones(59)]),
        ValueError,
        "Negative values",
    ),
    (
        "all-zero sample weights",
        None,
        lambda e, y: e.fit(X_GOOD, y, sample_weight=np.zeros(60)),
        ValueError,
        "non-zero|all of them are zero",
    ),
    (
        "sample_weight of the wrong length",
        None,
        lambda e, y: e.fit(X_GOOD, y, sample_weight=np.ones(59)),
        ValueError,
        "sample_weight.shape|shape",
    ),
    (
        "NaN sample weight",
        None,
        lambda e, y: e.fit(X_GOOD, y, sample_weight=np.r_[np.nan, np.ones(59)]),
        ValueError,
        "NaN",
    ),
    (
        "sparse X with an explicit NaN",
        None,
        lambda e, y: e.fit(_sparse_with_nan(), y),
        ValueError,
        "NaN",
    ),
    (
        "wrong number of features at predict",
        None,
        lambda e, y: e.predict(X_GOOD[:, :3]),
        ValueError,
        "features",
    ),
    (
        "wrong number of features in partial_fit",
        None,
        lambda e, y: e.partial_fit(X_GOOD[:, :3], y),
        ValueError,
        "features",
    ),
    (
        "unseen class in partial_fit",
        ("MLPClassifier", "Perceptron"),
        lambda e, y: e.partial_fit(X_GOOD, y + 1),
        ValueError,
        "classes",
    ),
    (
        "invalid parameter set then fit",
        None,
        lambda e, y: e.set_params(max_iter=-3).fit(X_GOOD, y),
        InvalidParameterError,
        "max_iter",
    ),
    (
        "divergence: X near the float maximum",
        None,
        lambda e, y: e.fit(np.full((60, 4), 1e306) * np.sign(X_GOOD), y),
        ValueError,
        "non-finite|overflow",
    ),
]
CASES = [
    pytest.param(name, case, call, error, pattern, id=f"{name}-{case}")
    for case, only, call, error, pattern in BAD_INPUTS
    for name in ESTIMATORS
    if only is None or name in only
]


def _fitted(name):
    est = ESTIMATORS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "Perceptron":
            return est.partial_fit(X_GOOD, _targets(name), classes=[0, 1, 2])
        return est.partial_fit(
            X_GOOD,
            _targets(name),
            **({"classes": [0, 1, 2]} if name == "MLPClassifier" else {}),
        )


@pytest.mark.parametrize("name,case,call,error,pattern", CASES)
def test_bad_input_raises_clear_error_and_keeps_fitted_model(
    name, case, call, error, pattern
):
    est = _fitted(name)
    params = est.get_params()
    state = pickle.dumps(est)
    before = est.predict(X_GOOD)
    with pytest.raises(error, match=pattern):
        call(est, _targets(name))
    est.set_params(**params)  # the bad-parameter case changed a parameter on purpose
    assert pickle.dumps(est) == state, "a failed call changed the fitted model"
    assert_array_equal(est.predict(X_GOOD), before)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_unfitted_model_raises_not_fitted(name):
    est = ESTIMATORS[name]()
    with pytest.raises(NotFittedError):
        est.predict(X_GOOD)
    with pytest.raises(NotFittedError):
        est.score(X_GOOD, _targets(name))


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_divergence_stops_with_a_remedy(Est, solver):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)) * 1e300
    y = (X[:, 0] > 0).astype(int) if Est is MLPClassifier else X[:, 0] / 1e300
    est = Est(solver=solver, learning_rate_init=10.0, max_iter=50, random_state=0)
    with pytest.raises(ValueError, match="non-finite.*(scale X|StandardScaler)"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_divergence_to_infinite_weights_reports_without_numpy_warnings():
    # weights of both signs overflow: the check itself must not warn
    X, y = load_iris(return_X_y=True)
    est = MLPClassifier(solver="sgd", learning_rate_init=1e300, random_state=0)
    with pytest.raises(ValueError, match="non-finite"):
        est.fit(X * 1e200, y)


def test_divergence_stops_at_the_first_bad_epoch(capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)) * 1e100
    reg = MLPRegressor(
        solver="sgd",
        learning_rate_init=1e3,
        momentum=0.0,
        max_iter=500,
        verbose=True,
        random_state=0,
    )
    with pytest.raises(ValueError, match="at epoch"):
        reg.fit(X, X[:, 0])
    # verbose printed every finished epoch: far fewer than max_iter ran
    assert capsys.readouterr().out.count("Iteration") < 10
