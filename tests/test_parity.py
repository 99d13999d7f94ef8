"""Same random_state, same data, same hyperparameters: same network as sklearn."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import neural_network as sknn
from sklearn.datasets import (
    load_digits,
    make_multilabel_classification,
    make_regression,
)

from skperceptron import MLPClassifier, MLPRegressor

RTOL = 1e-6


def _digits(n=400, n_classes=10):
    X, y = load_digits(n_class=n_classes, return_X_y=True)
    return X[:n] / 16.0, y[:n]


def _regression(n_targets=1):
    X, y = make_regression(
        n_samples=300, n_features=8, n_targets=n_targets, noise=0.5, random_state=0
    )
    return X, y / np.std(y)


def _fit_both(ours_cls, sk_cls, X, y, X_ours=None, sample_weight=None, **params):
    ours = ours_cls(**params).fit(X if X_ours is None else X_ours, y, sample_weight)
    theirs = sk_cls(**params).fit(X, y, sample_weight)
    return ours, theirs


def _assert_same_network(ours, theirs, rtol=RTOL, atol=1e-12):
    assert len(ours.coefs_) == len(theirs.coefs_)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert a.dtype == b.dtype
        assert_allclose(a, b, rtol=rtol, atol=atol)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    assert ours.out_activation_ == theirs.out_activation_


SOLVER_SETTINGS = [
    dict(solver="sgd", momentum=0.0, learning_rate_init=0.1),
    dict(solver="sgd", momentum=0.9, nesterovs_momentum=False, learning_rate_init=0.05),
    dict(solver="sgd", momentum=0.9, nesterovs_momentum=True, learning_rate_init=0.05),
    dict(solver="adam"),
    dict(solver="adam", alpha=0.1, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
]


@pytest.mark.parametrize("settings", SOLVER_SETTINGS)
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_classifier_ten_epochs_match_sklearn(settings, shuffle, activation):
    X, y = _digits()
    ours, theirs = _fit_both(
        MLPClassifier,
        sknn.MLPClassifier,
        X,
        y,
        hidden_layer_sizes=(20, 10),
        activation=activation,
        max_iter=10,
        shuffle=shuffle,
        random_state=1,
        batch_size=64,
        **settings,
    )
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
    assert_allclose(ours.best_loss_, theirs.best_loss_, rtol=RTOL)
    assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL, atol=1e-12
    )


@pytest.mark.parametrize("settings", SOLVER_SETTINGS)
@pytest.mark.parametrize("shuffle", [True, False])
def test_regressor_ten_epochs_match_sklearn(settings, shuffle):
    X, y = _regression()
    ours, theirs = _fit_both(
        MLPRegressor,
        sknn.MLPRegressor,
        X,
        y,
        hidden_layer_sizes=(16,),
        max_iter=10,
        shuffle=shuffle,
        random_state=0,
        **settings,
    )
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
    assert_allclose(ours.predict(X), theirs.predict(X), rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multilabel"])
def test_logistic_output_kinds_match_sklearn(kind):
    if kind == "binary":
        X, y = _digits(n_classes=2)
    else:
        X, y = make_multilabel_classification(
            n_samples=200, n_features=10, n_classes=4, random_state=0
        )
    ours, theirs = _fit_both(
        MLPClassifier,
        sknn.MLPClassifier,
        X,
        y,
        hidden_layer_sizes=(15,),
        max_iter=10,
        random_state=3,
    )
    assert ours.out_activation_ == "logistic"
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_string_labels_match_sklearn():
    X, y = _digits(n_classes=3)
    labels = np.array(["zero", "one", "two"])[y]
    ours, theirs = _fit_both(
        MLPClassifier,
        sknn.MLPClassifier,
        X,
        labels,
        hidden_layer_sizes=(8,),
        max_iter=10,
        random_state=0,
    )
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    _assert_same_network(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize(
    "settings", [dict(solver="sgd", learning_rate_init=0.01), dict(solver="adam")]
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_multioutput_regression_matches_sklearn_to_convergence(settings, shuffle):
    """Loss averaged over outputs, as scikit-learn reports it: same tol stops."""
    X, y = _regression(n_targets=2)
    ours, theirs = _fit_both(
        MLPRegressor,
        sknn.MLPRegressor,
        X,
        y,
        hidden_layer_sizes=(10,),
        max_iter=500,
        shuffle=shuffle,
        random_state=0,
        **settings,
    )
    assert ours.n_iter_ < 500  # stopped by tol, not by max_iter
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
    assert_allclose(ours.best_loss_, theirs.best_loss_, rtol=RTOL)


def test_multioutput_lbfgs_follows_one_function_and_reports_sklearn_scale():
    X, y = _regression(n_targets=3)
    reg = MLPRegressor(
        solver="lbfgs", hidden_layer_sizes=(6,), alpha=1e-3, max_iter=30, random_state=0
    ).fit(X, y)
    residual = reg.predict(X) - y
    penalty = 0.5 * 1e-3 * sum((W**2).sum() for W in reg.coefs_) / len(X)
    assert_allclose(reg.loss_, 0.5 * (residual**2).mean() + penalty, rtol=1e-10)


@pytest.mark.parametrize(
    "Est,SkEst,data",
    [
        (MLPClassifier, sknn.MLPClassifier, _digits),
        (MLPRegressor, sknn.MLPRegressor, _regression),
    ],
)
def test_sample_weight_matches_sklearn(Est, SkEst, data):
    X, y = data()
    sw = np.random.RandomState(0).uniform(0.1, 3.0, size=X.shape[0])
    ours, theirs = _fit_both(
        Est,
        SkEst,
        X,
        y,
        sample_weight=sw,
        hidden_layer_sizes=(12,),
        max_iter=10,
        random_state=0,
    )
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)


def test_poisson_matches_sklearn():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    y = rng.poisson(np.exp(0.3 * X[:, 0] - 0.2 * X[:, 1]))
    ours, theirs = _fit_both(
        MLPRegressor,
        sknn.MLPRegressor,
        X,
        y,
        loss="poisson",
        hidden_layer_sizes=(8,),
        max_iter=10,
        random_state=0,
    )
    assert ours.out_activation_ == "exp"
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)


@pytest.mark.parametrize("learning_rate", ["invscaling", "adaptive"])
def test_sgd_schedules_match_sklearn(learning_rate):
    X, y = _digits()
    ours, theirs = _fit_both(
        MLPClassifier,
        sknn.MLPClassifier,
        X,
        y,
        solver="sgd",
        learning_rate=learning_rate,
        learning_rate_init=0.2,
        power_t=0.3,
        hidden_layer_sizes=(10,),
        max_iter=40,
        tol=1e-2,
        n_iter_no_change=2,
        random_state=0,
    )
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)


@pytest.mark.parametrize(
    "Est,SkEst,data",
    [
        (MLPClassifier, sknn.MLPClassifier, _digits),
        (MLPRegressor, sknn.MLPRegressor, _regression),
    ],
)
def test_early_stopping_matches_sklearn(Est, SkEst, data):
    X, y = data()
    ours, theirs = _fit_both(
        Est,
        SkEst,
        X,
        y,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        tol=1e-2,
        hidden_layer_sizes=(10,),
        max_iter=60,
        random_state=0,
    )
    assert ours.n_iter_ < 60  # it did stop early, and restored the best weights
    _assert_same_network(ours, theirs)
    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=RTOL)
    assert_allclose(ours.best_validation_score_, theirs.best_validation_score_)
    assert ours.best_loss_ is None and theirs.best_loss_ is None


def test_stopping_on_training_loss_matches_sklearn():
    X, y = _digits()
    ours, theirs = _fit_both(
        MLPClassifier,
        sknn.MLPClassifier,
        X,
        y,
        tol=1e-2,
        n_iter_no_change=2,
        hidden_layer_sizes=(10,),
        max_iter=200,
        random_state=0,
    )
    assert ours.n_iter_ < 200
    _assert_same_network(ours, theirs)


@pytest.mark.parametrize(
    "Est,SkEst,data",
    [
        (MLPClassifier, sknn.MLPClassifier, _digits),
        (MLPRegressor, sknn.MLPRegressor, _regression),
    ],
)
def test_lbfgs_reaches_sklearn_loss(Est, SkEst, data):
    X, y = data()
    ours, theirs = _fit_both(
        Est,
        SkEst,
        X[:150],
        y[:150],
        solver="lbfgs",
        hidden_layer_sizes=(6,),
        max_iter=50,
        random_state=0,
    )
    assert_allclose(ours.loss_, theirs.loss_, rtol=1e-6)
    _assert_same_network(ours, theirs, rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_sklearn_dense(fmt):
    X, y = _digits()
    ours, theirs = _fit_both(
        MLPClassifier,
        sknn.MLPClassifier,
        X,
        y,
        X_ours=sp.csr_matrix(X).asformat(fmt),
        hidden_layer_sizes=(12,),
        max_iter=10,
        random_state=0,
    )
    _assert_same_network(ours, theirs)
    assert_allclose(
        ours.predict_proba(sp.csr_matrix(X)), theirs.predict_proba(X), rtol=RTOL
    )


def test_float32_stays_float32_and_tracks_sklearn():
    X, y = _digits()
    X = X.astype(np.float32)
    ours, theirs = _fit_both(
        MLPClassifier,
        sknn.MLPClassifier,
        X,
        y,
        hidden_layer_sizes=(12,),
        max_iter=5,
        random_state=0,
    )
    for a in ours.coefs_ + ours.intercepts_:
        assert a.dtype == np.float32
    assert ours.predict_proba(X).dtype == np.float32
    _assert_same_network(ours, theirs, rtol=1e-3, atol=1e-5)


def test_warm_start_and_partial_fit_match_sklearn():
    X, y = _digits()
    params = dict(hidden_layer_sizes=(10,), max_iter=5, random_state=0, warm_start=True)
    ours, theirs = MLPClassifier(**params), sknn.MLPClassifier(**params)
    for _ in range(2):
        ours.fit(X, y)
        theirs.fit(X, y)
    _assert_same_network(ours, theirs)
    assert len(ours.loss_curve_) == 10
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)

    ours, theirs = (
        MLPClassifier(hidden_layer_sizes=(10,), random_state=0),
        sknn.MLPClassifier(hidden_layer_sizes=(10,), random_state=0),
    )
    classes = np.unique(y)
    for start in range(0, 400, 100):
        ours.partial_fit(
            X[start : start + 100], y[start : start + 100], classes=classes
        )
        theirs.partial_fit(
            X[start : start + 100], y[start : start + 100], classes=classes
        )
    _assert_same_network(ours, theirs)
    assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
