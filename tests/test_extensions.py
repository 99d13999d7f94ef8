"""What scikit-learn's MLP lacks: the theory's activations, losses, output
layers, class weights and early-stopping scores, each doing what it should."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits, make_classification
from sklearn.metrics import recall_score
from sklearn.preprocessing import StandardScaler

from skperceptron import MLPClassifier, MLPRegressor


def _linear_data_with_outliers(seed=0, n=400, share=0.05):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 3))
    y_clean = X @ np.array([1.5, -2.0, 0.5]) + 0.1 * rng.normal(size=n)
    y = y_clean.copy()
    bad = rng.choice(n, int(share * n), replace=False)
    y[bad] += rng.choice([-1, 1], bad.size) * 40.0
    return X, y, y_clean


@pytest.mark.parametrize("robust", ["absolute_error", "huber"])
def test_robust_losses_are_less_pulled_by_outliers(robust):
    X, y, y_clean = _linear_data_with_outliers()
    params = dict(
        hidden_layer_sizes=(16,),
        solver="lbfgs",
        max_iter=800,
        random_state=0,
        alpha=1e-4,
    )
    errors = {}
    for loss in ("squared_error", robust):
        reg = MLPRegressor(loss=loss, **params).fit(X, y)
        errors[loss] = np.mean(np.abs(reg.predict(X) - y_clean))
    assert errors[robust] < 0.5 * errors["squared_error"]


def test_loss_curve_is_reported_in_the_chosen_loss():
    X, y, _ = _linear_data_with_outliers()
    reg = MLPRegressor(
        loss="absolute_error", max_iter=5, alpha=0.0, random_state=0
    ).fit(X, y)
    # The last epoch's mean absolute error, measured after training, is close
    # to the last loss_curve_ entry (measured during the epoch).
    mae = np.mean(np.abs(reg.predict(X) - y))
    assert abs(reg.loss_curve_[-1] - mae) < 0.2 * mae
    huber = MLPRegressor(
        loss="huber",
        huber_delta=0.5,
        solver="lbfgs",
        alpha=0.0,
        max_iter=50,
        random_state=0,
    ).fit(X, y)
    r = np.abs(huber.predict(X) - y)
    expected = np.mean(np.where(r <= 0.5, 0.5 * r**2, 0.5 * (r - 0.25)))
    assert_allclose(huber.loss_, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "out,low,high",
    [
        ("logistic", 0.0, 1.0),
        ("tanh", -1.0, 1.0),
        ("relu", 0.0, np.inf),
        ("softplus", 0.0, np.inf),
    ],
)
def test_output_activations_stay_in_their_range(out, low, high):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4))
    signal = np.tanh(X[:, 0] - X[:, 1])
    y = {
        "logistic": (signal + 1) / 2,
        "tanh": signal,
        "relu": np.maximum(3 * signal, 0),
        "softplus": np.exp(signal),
    }[out]
    reg = MLPRegressor(
        out_activation=out,
        hidden_layer_sizes=(10,),
        solver="lbfgs",
        max_iter=300,
        random_state=0,
    ).fit(X, y)
    assert reg.out_activation_ == out
    far = rng.normal(scale=50.0, size=(2000, 4))  # far outside the training data
    pred = reg.predict(far)
    assert pred.min() >= low and pred.max() <= high
    assert reg.score(X, y) > 0.8


@pytest.mark.parametrize(
    "out,y,message",
    [
        ("logistic", [0.5, 1.5], r"\[0.0, 1.0\].*TransformedTargetRegressor"),
        ("tanh", [-2.0, 0.0], r"\[-1.0, 1.0\]"),
        ("relu", [-0.1, 1.0], r"\[0.0, inf\]"),
    ],
)
def test_targets_outside_the_output_range_are_rejected(out, y, message):
    X = np.arange(20.0).reshape(10, 2)
    y = np.resize(np.asarray(y), 10)
    with pytest.raises(ValueError, match=message):
        MLPRegressor(out_activation=out).fit(X, y)


def test_poisson_keeps_its_exp_output():
    X = np.arange(20.0).reshape(10, 2)
    reg = MLPRegressor(loss="poisson", max_iter=3).fit(X, np.arange(10))
    assert reg.out_activation_ == "exp"
    with pytest.raises(ValueError, match="exp output"):
        MLPRegressor(loss="poisson", out_activation="relu").fit(X, np.arange(10))


def test_softplus_hidden_layers_learn():
    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier(
        hidden_layer_sizes=(40,), activation="softplus", max_iter=60, random_state=0
    ).fit(X / 16, y)
    assert clf.score(X / 16, y) > 0.95


def test_per_layer_activations_change_the_model():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    params = dict(hidden_layer_sizes=(20, 10), max_iter=10, random_state=0)
    same = MLPClassifier(activation="tanh", **params).fit(X, y)
    listed = MLPClassifier(activation=["tanh", "tanh"], **params).fit(X, y)
    mixed = MLPClassifier(activation=["relu", "tanh"], **params).fit(X, y)
    assert_allclose(same.coefs_[0], listed.coefs_[0])
    assert not np.allclose(same.coefs_[0], mixed.coefs_[0])
    assert not np.allclose(same.predict_proba(X), mixed.predict_proba(X))
    with pytest.raises(ValueError, match="one name per hidden layer"):
        MLPClassifier(activation=["relu"], **params).fit(X, y)
    with pytest.raises(ValueError, match="Unknown activation"):
        MLPClassifier(activation=["relu", "swish"], **params).fit(X, y)


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(
        n_samples=2000, n_features=10, weights=[0.95], class_sep=0.5, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    recall = {}
    for cw in (None, "balanced"):
        clf = MLPClassifier(
            hidden_layer_sizes=(10,), class_weight=cw, max_iter=100, random_state=0
        ).fit(X, y)
        recall[cw] = recall_score(y, clf.predict(X))
    assert recall["balanced"] > recall[None] + 0.1


def test_class_weight_composes_with_sample_weight():
    X, y = make_classification(n_samples=300, random_state=0)
    sw = np.random.RandomState(0).uniform(0.5, 2, 300)
    params = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=20, random_state=0)
    weighted = MLPClassifier(class_weight={0: 3.0, 1: 1.0}, **params).fit(X, y, sw)
    by_hand = MLPClassifier(**params).fit(X, y, sw * np.where(y == 0, 3.0, 1.0))
    assert_allclose(weighted.coefs_[0], by_hand.coefs_[0])
    assert not hasattr(MLPClassifier(class_weight="balanced"), "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="multilabel"):
        MLPClassifier(class_weight="balanced").fit(X, np.c_[y, 1 - y])


@pytest.mark.parametrize("scoring", [None, "loss", "neg_log_loss", "f1_macro"])
def test_early_stopping_scoring_and_validation_loss_curve(scoring):
    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier(
        hidden_layer_sizes=(20,),
        early_stopping=True,
        scoring=scoring,
        max_iter=200,
        n_iter_no_change=3,
        random_state=0,
    ).fit(X / 16, y)
    assert clf.n_iter_ < 200
    assert len(clf.validation_loss_curve_) == len(clf.validation_scores_) == clf.n_iter_
    if scoring == "loss":
        assert_allclose(clf.validation_scores_, -np.asarray(clf.validation_loss_curve_))
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # the validation loss falls from the first epoch to the best one
    best = int(np.argmax(clf.validation_scores_))
    assert clf.validation_loss_curve_[best] < clf.validation_loss_curve_[0]


def test_validation_loss_curve_for_regression_matches_held_out_loss():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 4))
    y = X[:, 0] - 2 * X[:, 1]
    reg = MLPRegressor(
        early_stopping=True, scoring="loss", max_iter=30, random_state=0
    ).fit(X, y)
    assert len(reg.validation_loss_curve_) == reg.n_iter_
    assert np.all(np.isfinite(reg.validation_loss_curve_))
    assert reg.validation_loss_curve_[-1] < reg.validation_loss_curve_[0]
