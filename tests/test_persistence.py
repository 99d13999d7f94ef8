"""Secure persistence with skops: fitted estimators round-trip with only the
package's own classes to trust, and predict as before."""

import copy
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris

from skperceptron import MLPClassifier, MLPRegressor, Perceptron
from skperceptron.presets import tabular

sio = pytest.importorskip("skops.io", reason="skops is not installed")


def _fit(make, X, y, how):
    est = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if how == "csr":
            est.fit(sp.csr_matrix(X), y)
        elif how == "float32":
            est.fit(X.astype(np.float32), y)
        elif how == "warm_start":
            est.set_params(warm_start=True).fit(X, y).fit(X, y)
        elif how == "partial_fit":
            classes = np.unique(y) if not isinstance(est, MLPRegressor) else None
            kwargs = {} if classes is None else {"classes": classes}
            est.partial_fit(X, y, **kwargs)
            est.partial_fit(X, y)
        else:
            est.fit(X, y)
    return est


CLASSIFIERS = {
    "adam": lambda: MLPClassifier(hidden_layer_sizes=(5,), max_iter=20),
    "sgd": lambda: MLPClassifier(solver="sgd", hidden_layer_sizes=(5,), max_iter=20),
    "lbfgs": lambda: MLPClassifier(
        solver="lbfgs", hidden_layer_sizes=(5,), max_iter=20
    ),
    "nadam_dropout": lambda: MLPClassifier(
        solver="nadam", dropout=0.2, hidden_layer_sizes=(6, 5), max_iter=20
    ),
    "early_stopping": lambda: MLPClassifier(early_stopping=True, max_iter=20),
    "tabular": lambda: MLPClassifier(
        **{**tabular("classification"), "hidden_layer_sizes": (8,), "max_iter": 5}
    ),
    "perceptron": lambda: Perceptron(),
    "perceptron_averaged_l1": lambda: Perceptron(average=True, penalty="l1"),
}
REGRESSORS = {
    "adam": lambda: MLPRegressor(hidden_layer_sizes=(5,), max_iter=20),
    "quantiles": lambda: MLPRegressor(
        loss="quantile", quantile=[0.1, 0.9], hidden_layer_sizes=(5,), max_iter=20
    ),
    "tabular": lambda: MLPRegressor(
        **{**tabular("regression"), "hidden_layer_sizes": (8,), "max_iter": 5}
    ),
}
HOWS = ["dense", "csr", "float32", "warm_start", "partial_fit"]


def _round_trip(est, X, method):
    dumped = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=dumped)
    # the package's own classes (the estimator, its optimizer state) only
    assert all(name.startswith("skperceptron.") for name in untrusted), untrusted
    assert type(est).__name__ in {name.rsplit(".", 1)[1] for name in untrusted}
    loaded = sio.loads(dumped, trusted=untrusted)
    X = X.astype(est.coefs_[0].dtype if hasattr(est, "coefs_") else X.dtype)
    assert_array_equal(getattr(loaded, method)(X), getattr(est, method)(X))
    return loaded


@pytest.mark.parametrize("name", CLASSIFIERS)
@pytest.mark.parametrize("how", HOWS)
def test_classifiers_round_trip(name, how):
    make = CLASSIFIERS[name]
    if how == "partial_fit" and name in ("lbfgs", "early_stopping"):
        pytest.skip("partial_fit does not take lbfgs or early stopping")
    if how == "csr" and name == "tabular":
        pytest.skip("the preset's robust transform is tested on CSR elsewhere")
    X, y = load_iris(return_X_y=True)
    est = _fit(make, X, y, how)
    loaded = _round_trip(est, X, "predict")
    method = "predict_proba" if hasattr(est, "predict_proba") else "decision_function"
    assert_array_equal(getattr(loaded, method)(X), getattr(est, method)(X))


@pytest.mark.parametrize("name", REGRESSORS)
@pytest.mark.parametrize("how", HOWS)
def test_regressors_round_trip(name, how):
    X, y = load_iris(return_X_y=True)
    X, y = X[:, 1:], X[:, 0]
    est = _fit(REGRESSORS[name], X, y, how)
    _round_trip(est, X, "predict")


@pytest.mark.parametrize("version_key", ["_sklearn_version", "_skperceptron_version"])
def test_pickle_from_another_version_warns(version_key):
    """The promise of docs/user_guide/deploying.md: a pickle loads in the
    versions of skperceptron and scikit-learn that wrote it; any other warns."""
    import pickle

    from sklearn.exceptions import InconsistentVersionWarning

    X, y = load_iris(return_X_y=True)
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    assert_array_equal(pickle.loads(pickle.dumps(est)).predict(X), est.predict(X))
    state = est.__getstate__()
    # a copy in the same versions neither warns nor keeps the records
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = MLPClassifier.__new__(MLPClassifier)
        same.__setstate__(dict(state))
        copy.deepcopy(est)
    assert not hasattr(same, "_sklearn_version")
    assert not hasattr(same, "_skperceptron_version")
    state[version_key] = "0.0.1"
    with pytest.warns(InconsistentVersionWarning):
        MLPClassifier.__new__(MLPClassifier).__setstate__(state)
