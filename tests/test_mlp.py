"""Behaviour of MLPClassifier and MLPRegressor as scikit-learn estimators."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skperceptron import MLPClassifier, MLPRegressor


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_fitted_attributes_by_problem_kind(iris):
    X, y = iris
    multiclass = MLPClassifier(hidden_layer_sizes=(5, 4), max_iter=5).fit(X, y)
    assert multiclass.out_activation_ == "softmax"
    assert (multiclass.n_layers_, multiclass.n_outputs_) == (4, 3)
    assert [c.shape for c in multiclass.coefs_] == [(4, 5), (5, 4), (4, 3)]
    assert [b.shape for b in multiclass.intercepts_] == [(5,), (4,), (3,)]
    assert multiclass.n_features_in_ == 4
    assert_array_equal(multiclass.classes_, [0, 1, 2])

    binary = MLPClassifier(max_iter=5).fit(X, y == 1)
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1
    assert binary.predict_proba(X).shape == (150, 2)

    Xm, Ym = make_multilabel_classification(n_samples=50, n_classes=3, random_state=0)
    multilabel = MLPClassifier(max_iter=5).fit(Xm, Ym)
    assert multilabel.out_activation_ == "logistic" and multilabel.n_outputs_ == 3
    assert multilabel.predict(Xm).shape == (50, 3)

    reg = MLPRegressor(max_iter=5).fit(X, np.c_[X[:, 0], X[:, 1]])
    assert reg.out_activation_ == "identity" and reg.predict(X).shape == (150, 2)


def test_learns_iris_and_digits():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    assert MLPClassifier(max_iter=500, random_state=0).fit(X, y).score(X, y) > 0.95
    assert MLPClassifier(solver="lbfgs", random_state=0).fit(X, y).score(X, y) > 0.95
    Xd, yd = load_digits(return_X_y=True)
    clf = MLPClassifier(hidden_layer_sizes=(50,), max_iter=100, random_state=0)
    assert clf.fit(Xd[:1200] / 16, yd[:1200]).score(Xd[1200:] / 16, yd[1200:]) > 0.9


def test_coefs_and_intercepts_are_views_of_one_vector(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X, y)
    flat = clf._flat
    for array in clf.coefs_ + clf.intercepts_:
        assert np.shares_memory(array, flat)
    before = clf.predict_proba(X)
    clf.coefs_[0][...] = 0.0  # an in-place edit is seen by the kernels
    after = clf.predict_proba(X)
    assert not np.allclose(before, after)
    assert_allclose(after, after[:1].repeat(150, axis=0))


def test_replaced_coefs_are_repacked(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    clf.coefs_ = [c.copy() for c in clf.coefs_]
    clf.intercepts_ = [b.copy() for b in clf.intercepts_]
    assert_allclose(clf.predict_proba(X), expected)
    assert all(np.shares_memory(c, clf._flat) for c in clf.coefs_)


def test_pickle_round_trip_and_continue_training(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(6,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    restored = pickle.loads(pickle.dumps(clf))
    assert "_flat" not in restored.__dict__  # the weights are pickled once
    assert "_flat" in clf.__dict__  # and pickling left the original alone
    assert_allclose(restored.predict_proba(X), clf.predict_proba(X))
    clf.partial_fit(X, y)
    restored.partial_fit(X, y)
    for a, b in zip(
        clf.coefs_ + clf.intercepts_, restored.coefs_ + restored.intercepts_
    ):
        assert_allclose(a, b)


def test_clone_pipeline_and_grid_search_in_parallel(iris):
    X, y = iris
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(max_iter=100, random_state=0, learning_rate_init=0.01),
    )
    grid = GridSearchCV(
        pipe,
        {
            "mlpclassifier__hidden_layer_sizes": [(5,), (10,)],
            "mlpclassifier__alpha": [1e-4, 1e-1],
        },
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    serial = GridSearchCV(clone(pipe), grid.param_grid, cv=3, n_jobs=1).fit(X, y)
    assert grid.best_params_ == serial.best_params_
    assert_allclose(
        grid.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert grid.best_score_ > 0.8
    cloned = clone(grid.best_estimator_)
    assert not hasattr(cloned[-1], "coefs_")


def test_warm_start_semantics(iris):
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(5,), max_iter=4, warm_start=True, random_state=0
    )
    clf.fit(X, y)
    first = clf.coefs_[0].copy()
    clf.fit(X, y)
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 8 and clf.t_ == 8 * 150
    assert not np.allclose(first, clf.coefs_[0])
    with pytest.raises(ValueError, match="warm_start can only be used"):
        clf.fit(X[y < 2], y[y < 2])
    clf.set_params(hidden_layer_sizes=(7,))
    with pytest.raises(ValueError, match="layout"):
        clf.fit(X, y)


def test_partial_fit_errors(iris):
    X, y = iris
    with pytest.raises(ValueError, match="classes must be passed"):
        MLPClassifier().partial_fit(X, y)
    clf = MLPClassifier(random_state=0).partial_fit(X[y < 2], y[y < 2], classes=[0, 1])
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X, y)
    with pytest.raises(ValueError, match="not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y)
    for est in (MLPClassifier(solver="lbfgs"), MLPRegressor(solver="lbfgs")):
        assert not hasattr(est, "partial_fit")
        with pytest.raises(AttributeError, match="partial_fit"):
            est.partial_fit(X, y)


def test_partial_fit_with_class_missing_from_a_batch(iris):
    X, y = iris
    clf = MLPClassifier(random_state=0)
    clf.partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    assert clf.n_outputs_ == 3 and clf.n_iter_ == 1
    clf.partial_fit(X, y)
    assert clf.t_ == 50 + 150


def test_failed_fit_leaves_fitted_model_unchanged(iris):
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(5,), max_iter=5, random_state=0, warm_start=True
    ).fit(X, y)
    state = {
        k: (v.copy() if isinstance(v, np.ndarray) else v)
        for k, v in clf.__dict__.items()
    }
    proba = clf.predict_proba(X)
    for bad in (
        lambda: clf.fit(X[:, :3], y),
        lambda: clf.fit(X, np.where(y == 2, 5, y)),
        lambda: clf.fit(X * 1e200, y),
        lambda: clf.partial_fit(X, y + 1),
    ):
        with pytest.raises(ValueError):
            bad()
        assert_allclose(clf.predict_proba(X), proba)
        assert (
            clf.n_iter_ == state["n_iter_"] and clf.loss_curve_ == state["loss_curve_"]
        )


def test_divergence_is_reported_not_stored():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 5)) * 1e6
    y = X @ rng.normal(size=5)
    reg = MLPRegressor(
        solver="sgd", learning_rate_init=10.0, momentum=0.0, max_iter=20, random_state=0
    )
    with pytest.raises(ValueError, match="non-finite.*scale X"):
        reg.fit(X, y)
    assert not hasattr(reg, "coefs_")


def test_convergence_warning_at_max_iter(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        MLPClassifier(max_iter=3).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        MLPClassifier(solver="lbfgs", max_iter=3).fit(X, y)


def test_verbose_prints_each_epoch(iris, capsys):
    X, y = iris
    MLPClassifier(max_iter=3, verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 3, loss = " in out
    MLPClassifier(
        max_iter=40, verbose=True, early_stopping=True, tol=0.5, n_iter_no_change=2
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "Validation score:" in out and "Stopping." in out
    MLPClassifier(solver="lbfgs", max_iter=3, verbose=True).fit(X, y)
    assert "Iteration 2, loss = " in capsys.readouterr().out


def test_adaptive_learning_rate_divides_by_five(iris, capsys):
    X, y = iris
    clf = MLPClassifier(
        solver="sgd",
        learning_rate="adaptive",
        tol=10.0,
        n_iter_no_change=1,
        max_iter=30,
        verbose=True,
    ).fit(X, y)
    out = capsys.readouterr().out
    assert "Setting learning rate to 0.000200" in out
    assert "Learning rate too small. Stopping." in out
    assert clf.n_iter_ < 30


def test_dtypes(iris):
    X, y = iris
    for Est, target in ((MLPClassifier, y), (MLPRegressor, X[:, 0])):
        est = Est(max_iter=3).fit(X.astype(np.float32), target)
        assert all(c.dtype == np.float32 for c in est.coefs_ + est.intercepts_)
        assert est.predict(X.astype(np.float32)).dtype in (np.float32, y.dtype)
        est = Est(max_iter=3).fit(X.astype(np.int64), target)
        assert all(c.dtype == np.float64 for c in est.coefs_)
    reg = MLPRegressor(max_iter=3).fit(sp.csr_matrix(X, dtype=np.float32), X[:, 0])
    assert reg.predict(sp.csc_matrix(X, dtype=np.float32)).dtype == np.float32


def test_sparse_and_dense_give_the_same_model(iris):
    X, y = iris
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = MLPClassifier(max_iter=10, random_state=0).fit(X, y)
    for fmt in ("csr", "csc"):
        sparse = MLPClassifier(max_iter=10, random_state=0).fit(
            sp.csr_matrix(X).asformat(fmt), y
        )
        for a, b in zip(dense.coefs_, sparse.coefs_):
            assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_not_fitted_and_parameter_errors(iris):
    X, y = iris
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X)
    with pytest.raises(ValueError, match="solver"):
        MLPClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPClassifier(hidden_layer_sizes=(5, 0)).fit(X, y)
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True, validation_fraction=0.01).fit(X[:60], y[:60])
    with pytest.raises(ValueError, match="negative"):
        MLPRegressor(loss="poisson").fit(X, X[:, 0])
    with pytest.warns(UserWarning, match="batch_size"):
        MLPClassifier(batch_size=1000, max_iter=2).fit(X, y)
    clf = MLPClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :2])


def test_infinite_patience_runs_max_iter(iris):
    X, y = iris
    clf = MLPClassifier(max_iter=15, tol=10.0, n_iter_no_change=np.inf).fit(X, y)
    assert clf.n_iter_ == 15


def test_predict_log_proba_and_feature_names(iris):
    pd = pytest.importorskip("pandas", reason="pandas is in the test extras")
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = MLPClassifier(max_iter=5).fit(frame, y)
    assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    assert_allclose(clf.predict_log_proba(frame), np.log(clf.predict_proba(frame)))


def _weights(est):
    return est.coefs_ + est.intercepts_


def test_single_class_fits_like_sklearn():
    from sklearn import neural_network as sknn

    rng = np.random.RandomState(0)
    # numeric labels: scikit-learn < 1.9 fails to score string labels when
    # early stopping
    X, y = rng.normal(size=(30, 3)), np.full(30, 7)
    for params in (
        dict(),
        dict(solver="lbfgs"),
        dict(solver="sgd", early_stopping=True),
    ):
        ours = MLPClassifier(
            hidden_layer_sizes=(5,), max_iter=20, random_state=0, **params
        ).fit(X, y)
        theirs = sknn.MLPClassifier(
            hidden_layer_sizes=(5,), max_iter=20, random_state=0, **params
        ).fit(X, y)
        assert_array_equal(ours.classes_, [7])
        assert (ours.n_outputs_, ours.out_activation_) == (1, "logistic")
        for a, b in zip(_weights(ours), _weights(theirs)):
            assert_allclose(a, b, rtol=1e-6, atol=1e-12)
        assert_array_equal(ours.predict(X), theirs.predict(X))
        assert_array_equal(ours.predict(X), y)
        # scikit-learn's shape: [1 - p, p] of the one logistic output
        assert ours.predict_proba(X).shape == (30, 2)
        assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6)
        assert ours.score(X, y) == 1.0
    clf = MLPClassifier(early_stopping=True, max_iter=5).fit(X, ["only"] * 30)
    assert_array_equal(clf.predict(X[:2]), ["only", "only"])
    clf = MLPClassifier(solver="sgd", random_state=0)
    clf.partial_fit(X, y, classes=[7])
    assert_array_equal(clf.predict(X[:2]), [7, 7])


def _diverging_regression(scale=1.0):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 5)) * 1e6
    return X * scale, X @ rng.normal(size=5)


_DIVERGING = dict(
    solver="sgd",
    learning_rate_init=10.0,
    momentum=0.0,
    max_iter=20,
    hidden_layer_sizes=(5,),
    random_state=0,
)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy overflows
def test_diverging_loss_with_early_stopping_keeps_best_weights():
    from sklearn import neural_network as sknn

    X, y = _diverging_regression()
    reg = MLPRegressor(early_stopping=True, **_DIVERGING)
    with pytest.warns(
        ConvergenceWarning,
        match="diverged.*at epoch 4.*best validation "
        "score.*restored.*lower learning_rate_init",
    ):
        reg.fit(X, y)
    # stopped at the first non-finite epoch, recorded with a NaN score
    assert reg.n_iter_ == 4 < reg.max_iter
    assert len(reg.loss_curve_) == len(reg.validation_scores_) == reg.n_iter_
    assert not np.isfinite(reg.loss_curve_[-1])
    assert isinstance(reg.validation_scores_[-1], float)
    assert np.isnan(reg.validation_scores_[-1])
    assert np.isnan(reg.validation_loss_curve_[-1])
    best_epoch = int(np.nanargmax(reg.validation_scores_)) + 1
    assert reg.best_validation_score_ == reg.validation_scores_[best_epoch - 1]
    assert np.isfinite(reg.predict(X)).all()
    # the weights are those of the best epoch: a fit stopped there has them
    stopped = MLPRegressor(
        early_stopping=True, **{**_DIVERGING, "max_iter": best_epoch}
    )
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        stopped.fit(X, y)
    for a, b in zip(_weights(reg), _weights(stopped)):
        assert_array_equal(a, b)
    # and scikit-learn's, which runs on to max_iter, restores the same weights
    with pytest.warns(ConvergenceWarning):
        theirs = sknn.MLPRegressor(early_stopping=True, **_DIVERGING).fit(X, y)
    for a, b in zip(_weights(reg), _weights(theirs)):
        assert_allclose(a, b, rtol=1e-6)

    # diverging before any epoch scored: the initial weights are kept
    X, y = _diverging_regression(1e160)
    first = MLPRegressor(early_stopping=True, **_DIVERGING)
    with pytest.warns(ConvergenceWarning, match="initial weights were kept"):
        first.fit(X, y)
    assert first.n_iter_ == 1 and first.best_validation_score_ == -np.inf
    with pytest.warns(ConvergenceWarning):
        theirs = sknn.MLPRegressor(early_stopping=True, **_DIVERGING).fit(X, y)
    for a, b in zip(_weights(first), _weights(theirs)):
        assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy overflows
def test_diverging_loss_without_early_stopping_raises_and_keeps_model():
    X, y = _diverging_regression()
    reg = MLPRegressor(**{**_DIVERGING, "learning_rate_init": 1e-12, "max_iter": 3})
    reg.fit(X / 1e6, y / 1e6)
    state = pickle.dumps(reg)
    prediction = reg.predict(X / 1e6)
    reg.set_params(learning_rate_init=10.0, max_iter=20)
    with pytest.raises(
        ValueError,
        match="non-finite parameter weights.*at epoch 4.*"
        "scale X.*lower learning_rate_init",
    ):
        reg.fit(X, y)
    reg.set_params(learning_rate_init=1e-12, max_iter=3)
    assert pickle.dumps(reg) == state
    assert_array_equal(reg.predict(X / 1e6), prediction)


def test_stratified_split_error_names_original_labels():
    X = [[1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]
    # scikit-learn stratifies on the label-indicator column and so names its
    # value ('True' is the second class); the message adds the label of y
    with pytest.raises(
        ValueError,
        match=r"too few members are: \['True'\].*fewer "
        r"than 2 samples: \['dog'\].*early_stopping=False",
    ):
        MLPClassifier(early_stopping=True).fit(X, ["cat"] * 4 + ["dog"])
    with pytest.raises(
        ValueError,
        match=r"too few members are: \['False'\].*fewer "
        r"than 2 samples: \['ant'\]",
    ):
        MLPClassifier(early_stopping=True).fit(X, ["ant"] + ["bee"] * 4)
    # the split itself is scikit-learn's
    from sklearn import neural_network as sknn

    rng = np.random.RandomState(0)
    Xb = rng.normal(size=(80, 4))
    yb = np.where(Xb[:, 0] + 0.3 * rng.normal(size=80) > 0.8, 3, 8)
    params = dict(
        early_stopping=True,
        validation_fraction=0.25,
        max_iter=8,
        hidden_layer_sizes=(4,),
        random_state=3,
    )
    with pytest.warns(ConvergenceWarning):
        ours = MLPClassifier(**params).fit(Xb, yb)
    with pytest.warns(ConvergenceWarning):
        theirs = sknn.MLPClassifier(**params).fit(Xb, yb)
    assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-6)
