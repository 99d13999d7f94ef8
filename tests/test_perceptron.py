"""Perceptron: the textbook rule exactly, the convergence theorem, and the
scikit-learn interface."""

import os

import numpy as np
import pytest
import scipy.sparse as sp
from joblib import parallel_config
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_iris,
    make_blobs,
    make_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.linear_model import SGDClassifier
from threadpoolctl import threadpool_limits

from skperceptron import Perceptron
from skperceptron._data import kernel_input
from skperceptron._sources import arrays
from skperceptron._threads import thread_budget

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def rosenblatt(X, signs, eta, epochs):
    """The textbook rule, one unit per column of ``signs`` (+1/-1)."""
    n_units = signs.shape[1]
    W, b = np.zeros((n_units, X.shape[1])), np.zeros(n_units)
    for _ in range(epochs):
        mistakes = 0
        for x, s in zip(X, signs):
            for k in range(n_units):
                if s[k] * (W[k] @ x + b[k]) <= 0:
                    W[k] += eta * s[k] * x
                    b[k] += eta * s[k]
                    mistakes += 1
        if mistakes == 0:
            break
    return W, b


def multiclass_perceptron(X, y, n_classes, eta, epochs):
    """The textbook multiclass rule: true class up, strongest rival down."""
    W, b = np.zeros((n_classes, X.shape[1])), np.zeros(n_classes)
    for _ in range(epochs):
        mistakes = 0
        for x, c in zip(X, y):
            scores = W @ x + b
            rivals = np.where(np.arange(n_classes) == c, -np.inf, scores)
            r = int(np.argmax(rivals))
            if scores[r] >= scores[c]:
                W[c] += eta * x
                b[c] += eta
                W[r] -= eta * x
                b[r] -= eta
                mistakes += 1
        if mistakes == 0:
            break
    return W, b


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


def test_binary_rule_is_exactly_the_textbook_one(iris):
    X, y = iris
    y = (y == 1).astype(int)
    clf = Perceptron(tol=None, shuffle=False, eta0=0.5, max_iter=7).fit(X, y)
    W, b = rosenblatt(X, np.where(y == 1, 1, -1)[:, None], 0.5, 7)
    assert clf.coef_.shape == (1, 4)
    assert_allclose(clf.coef_, W, rtol=1e-12, atol=1e-12)
    assert_allclose(clf.intercept_, b, rtol=1e-12, atol=1e-12)


def test_one_vs_rest_units_are_textbook_units(iris):
    X, y = iris
    clf = Perceptron(tol=None, shuffle=False, max_iter=5).fit(X, y)
    signs = np.where(y[:, None] == np.arange(3), 1, -1)
    W, b = rosenblatt(X, signs, 1.0, 5)
    assert_allclose(clf.coef_, W, rtol=1e-12, atol=1e-12)
    assert_allclose(clf.intercept_, b, rtol=1e-12, atol=1e-12)


def test_multinomial_rule_is_exactly_the_textbook_one(iris):
    X, y = iris
    clf = Perceptron(
        multi_class="multinomial", tol=None, shuffle=False, max_iter=6
    ).fit(X, y)
    W, b = multiclass_perceptron(X, y, 3, 1.0, 6)
    assert_allclose(clf.coef_, W, rtol=1e-12, atol=1e-12)
    assert_allclose(clf.intercept_, b, rtol=1e-12, atol=1e-12)
    assert clf.score(X, y) > 0.6


def test_stops_after_first_error_free_epoch_on_separable_data():
    X, y = make_blobs(n_samples=300, centers=[[-3, -3], [3, 3]], random_state=0)
    clf = Perceptron(tol=None, max_iter=1000, random_state=0).fit(X, y)
    assert clf.n_iter_ < 20
    assert clf.score(X, y) == 1.0
    # One more epoch cannot change an error-free solution.
    coef = clf.coef_.copy()
    clf.partial_fit(X, y)
    assert_array_equal(clf.coef_, coef)
    # scikit-learn runs all epochs when tol=None.
    assert SklearnPerceptron(tol=None, max_iter=50).fit(X, y).n_iter_ == 50


def test_xor_cannot_be_learned_by_one_layer():
    clf = Perceptron(tol=None, shuffle=False, max_iter=100).fit(XOR_X, XOR_Y)
    assert clf.n_iter_ == 100  # no epoch is ever error-free
    assert clf.score(XOR_X, XOR_Y) < 1.0


@pytest.mark.parametrize("load", [load_iris, load_digits, load_breast_cancer])
def test_accuracy_matches_sklearn_within_noise(load):
    X, y = load(return_X_y=True)
    ours = np.mean([Perceptron(random_state=s).fit(X, y).score(X, y) for s in range(5)])
    theirs = np.mean(
        [SklearnPerceptron(random_state=s).fit(X, y).score(X, y) for s in range(5)]
    )
    assert abs(ours - theirs) < 0.08


def test_multilabel_units_equal_separate_binary_perceptrons():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 6))
    Y = (X @ rng.normal(size=(6, 3)) + 0.3 * rng.normal(size=(200, 3)) > 0).astype(int)
    clf = Perceptron(tol=None, max_iter=30, random_state=1).fit(X, Y)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.predict(X).shape == (200, 3)
    assert set(np.unique(clf.predict(X))) <= {0, 1}
    for k in range(3):
        single = Perceptron(tol=None, max_iter=30, random_state=1).fit(X, Y[:, k])
        assert_allclose(clf.coef_[k], single.coef_[0], rtol=1e-12, atol=1e-12)
        assert_allclose(clf.intercept_[k], single.intercept_[0], rtol=1e-12, atol=1e-12)
    assert (clf.predict(X) == Y).mean() > 0.85


@pytest.mark.parametrize("penalty", [None, "l2", "l1", "elasticnet"])
@pytest.mark.parametrize("average", [False, True])
def test_sparse_equals_dense(penalty, average):
    X, y = load_digits(n_class=4, return_X_y=True)
    dense = Perceptron(
        penalty=penalty, average=average, max_iter=10, alpha=1e-3, random_state=0
    ).fit(X, y)
    sparse = Perceptron(
        penalty=penalty, average=average, max_iter=10, alpha=1e-3, random_state=0
    ).fit(sp.csr_matrix(X), y)
    if penalty == "elasticnet" or (penalty == "l1" and average):
        # Sparse rows apply the L1 part lazily, to the features a sample touches
        # (the rest at the end of the epoch); dense rows apply it to every
        # feature at every step, as scikit-learn does. Between touches the L2
        # shrink and the averaging see the weights before the pending L1 part.
        scale = np.abs(dense.coef_).max()
        assert np.abs(sparse.coef_ - dense.coef_).max() < 0.01 * scale
        assert np.abs(sparse.intercept_ - dense.intercept_).max() < 0.01 * scale
        return
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10, atol=1e-10)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-10, atol=1e-10)


def test_sparse_index_types_give_the_same_model():
    # CSR input reaches the kernel with 4-byte column indices whatever the
    # matrix holds; 8-byte indices and the other sparse formats must give
    # the model of 4-byte CSR.
    X, y = load_digits(n_class=3, return_X_y=True)
    narrow = sp.csr_matrix(X)
    wide = narrow.copy()
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    assert wide.indices.dtype == np.int64
    assert kernel_input(wide, np.float64)[1][1].dtype == np.int32
    params = dict(max_iter=5, tol=None, random_state=0)
    reference = Perceptron(**params).fit(narrow, y)
    for X_other in (wide, sp.csc_matrix(X), sp.coo_matrix(X)):
        other = Perceptron(**params).fit(X_other, y)
        assert_allclose(other.coef_, reference.coef_, rtol=1e-12, atol=1e-12)
        assert_allclose(other.intercept_, reference.intercept_, rtol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3, 10])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"shuffle": False},
        {"penalty": "l2"},
        {"penalty": "l1"},
        {"penalty": "elasticnet", "alpha": 1e-3},
        {"tol": None, "max_iter": 30},
        {"class_weight": "balanced", "random_state": 7},
        {"fit_intercept": False},
        {"eta0": 0.1, "n_iter_no_change": 3},
    ],
)
def test_same_model_as_sklearn_on_dense_data(n_classes, params):
    """Same random_state, same shuffles (one per one-vs-rest unit), same model."""
    X, y = load_digits(n_class=n_classes, return_X_y=True)
    X = X / 16
    ours = Perceptron(**params).fit(X, y)
    theirs = SklearnPerceptron(**params).fit(X, y)
    # Dot products may be summed in another order, hence the tolerance.
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-9)
    assert ours.t_ == 1 + ours.n_iter_ * X.shape[0]
    if params.get("penalty") is not None:
        assert ours.n_iter_ == theirs.n_iter_
    # an error-free epoch ends our fit early (the convergence theorem)
    assert ours.n_iter_ <= theirs.n_iter_
    ours.partial_fit(X, y)
    theirs.partial_fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9)


def _brute_force_average(X, signs, eta, alpha, epochs):
    """Averaged perceptron with per-sample L2 shrinkage, written out naively."""
    w, b = np.zeros(X.shape[1]), 0.0
    w_sum, b_sum, count = np.zeros(X.shape[1]), 0.0, 0
    for _ in range(epochs):
        for x, s in zip(X, signs):
            score = w @ x + b
            w *= max(0.0, 1 - eta * alpha)
            if s * score <= 0:
                w += eta * s * x
                b += eta * s
            w_sum += w
            b_sum += b
            count += 1
    return w_sum / count, b_sum / count


@pytest.mark.parametrize("penalty,alpha", [(None, 0.0), ("l2", 0.01)])
def test_averaged_perceptron_matches_brute_force(penalty, alpha, iris):
    X, y = iris
    signs = np.where(y == 2, 1, -1)
    clf = Perceptron(
        penalty=penalty,
        alpha=alpha,
        average=True,
        tol=None,
        shuffle=False,
        max_iter=4,
        eta0=0.1,
    ).fit(X, y == 2)
    w, b = _brute_force_average(X, signs, 0.1, alpha, 4)
    assert_allclose(clf.coef_[0], w, rtol=1e-9, atol=1e-12)
    assert_allclose(clf.intercept_[0], b, rtol=1e-9, atol=1e-12)


def test_averaging_generalises_better_on_noisy_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4000, 20))
    y = (X @ rng.normal(size=20) + 2.0 * rng.normal(size=4000) > 0).astype(int)
    X_train, X_test, y_train, y_test = X[:2000], X[2000:], y[:2000], y[2000:]
    plain = np.mean(
        [
            Perceptron(max_iter=20, tol=None, random_state=s)
            .fit(X_train, y_train)
            .score(X_test, y_test)
            for s in range(5)
        ]
    )
    averaged = np.mean(
        [
            Perceptron(max_iter=20, tol=None, random_state=s, average=True)
            .fit(X_train, y_train)
            .score(X_test, y_test)
            for s in range(5)
        ]
    )
    assert averaged > plain + 0.02


def test_l1_penalty_zeroes_weights():
    X, y = load_digits(return_X_y=True)
    dense = Perceptron(random_state=0).fit(X, y)
    l1 = Perceptron(penalty="l1", alpha=1e-3, random_state=0).fit(X, y)
    assert (l1.coef_ == 0).sum() > (dense.coef_ == 0).sum() + 50
    assert l1.score(X, y) > 0.8


def test_sample_weight_scales_and_removes(iris):
    X, y = iris
    params = dict(tol=None, shuffle=False, max_iter=5)
    base = Perceptron(eta0=2.0, **params).fit(X, y)
    doubled = Perceptron(eta0=1.0, **params).fit(X, y, sample_weight=np.full(150, 2.0))
    assert_array_equal(base.coef_, doubled.coef_)
    keep = np.arange(150) % 3 != 0
    removed = Perceptron(**params).fit(X[keep], y[keep])
    zeroed = Perceptron(**params).fit(X, y, sample_weight=keep.astype(float))
    assert_array_equal(removed.coef_, zeroed.coef_)


def test_class_weight_balanced_raises_minority_recall():
    X, y = make_blobs(
        n_samples=[900, 100],
        centers=[[0, 0], [1.5, 1.5]],
        cluster_std=1.2,
        random_state=0,
    )
    recall = {}
    for cw in (None, "balanced"):
        recall[cw] = np.mean(
            [
                (
                    Perceptron(class_weight=cw, average=True, random_state=s)
                    .fit(X, y)
                    .predict(X[y == 1])
                    == 1
                ).mean()
                for s in range(5)
            ]
        )
    assert recall["balanced"] > recall[None] + 0.1


def test_extreme_class_weight_like_sklearn():
    """check_class_weight_classifiers' problem: the same model as scikit-learn's."""
    X, y = make_blobs(centers=3, random_state=0, cluster_std=20)
    X_train, X_test, y_train = X[::2], X[1::2], y[::2]
    cw = {0: 1000, 1: 0.0001, 2: 0.0001}
    for seed in range(10):
        params = dict(class_weight=cw, n_iter_no_change=20, random_state=seed)
        ours = Perceptron(**params).fit(X_train, y_train)
        theirs = SklearnPerceptron(**params).fit(X_train, y_train)
        assert_array_equal(ours.predict(X_test), theirs.predict(X_test))


def _sgd_perceptron(penalty=None, **params):
    """scikit-learn's Perceptron is this SGDClassifier, which can also average."""
    return SGDClassifier(
        loss="perceptron", learning_rate="constant", eta0=1.0, penalty=penalty, **params
    )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    "params", [{"average": True}, {"average": 7}, {"average": True, "penalty": "l2"}]
)
def test_averaged_model_equals_sklearn_sgd(n_classes, params):
    X, y = load_digits(n_class=n_classes, return_X_y=True)
    X = X / 16
    ours = Perceptron(**params).fit(X, y)
    theirs = _sgd_perceptron(random_state=0, **params).fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-9)
    assert ours.n_iter_ == theirs.n_iter_


def test_sklearn_averaged_perceptron_fails_class_weight_check_too():
    """Why test_common expects Perceptron(average=True) to fail this check."""
    from sklearn.utils.estimator_checks import check_class_weight_classifiers

    with pytest.raises(AssertionError):
        check_class_weight_classifiers("SGDClassifier", _sgd_perceptron(average=True))


def test_partial_fit_equals_fit_epoch_by_epoch(iris):
    X, y = iris
    online = Perceptron(shuffle=False)
    with pytest.raises(ValueError, match="classes must be passed"):
        online.partial_fit(X, y)
    for _ in range(3):
        online.partial_fit(X, y, classes=[0, 1, 2])
        assert online.n_iter_ == 1
    batch = Perceptron(shuffle=False, tol=None, max_iter=3).fit(X, y)
    assert_array_equal(online.coef_, batch.coef_)
    assert online.t_ == batch.t_ == 1 + 3 * 150
    with pytest.raises(ValueError, match="classes not in"):
        online.partial_fit(X, y + 1)
    with pytest.raises(ValueError, match="not the same"):
        online.partial_fit(X, y, classes=[0, 1])


def test_warm_start_and_inits(iris):
    X, y = iris
    clf = Perceptron(warm_start=True, max_iter=2, tol=None, shuffle=False).fit(X, y)
    first = clf.coef_.copy()
    clf.fit(X, y)
    two_more = Perceptron(max_iter=2, tol=None, shuffle=False).fit(
        X, y, coef_init=first, intercept_init=clf.intercept_ * 0 + 0
    )
    assert not np.array_equal(first, clf.coef_)
    assert two_more.coef_.shape == first.shape
    with pytest.raises(ValueError, match="coef_init does not match"):
        Perceptron().fit(X, y, coef_init=np.zeros((2, 4)))
    with pytest.raises(ValueError, match="intercept_init does not match"):
        Perceptron().fit(X, y, intercept_init=np.zeros(2))


def test_interface_details(iris, capsys):
    X, y = iris
    clf = Perceptron(verbose=1, max_iter=3).fit(X.astype(np.float32), y)
    assert "-- Epoch 1" in capsys.readouterr().out
    assert clf.coef_.dtype == np.float32
    assert not hasattr(clf, "predict_proba")
    assert clf.decision_function(X).shape == (150, 3)
    clf.sparsify()
    assert sp.issparse(clf.coef_)
    predictions = clf.predict(X)
    clf.densify()
    assert_array_equal(clf.predict(X), predictions)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    assert set(Perceptron().fit(X, labels).predict(X)) <= set(labels)
    with pytest.warns(ConvergenceWarning, match="Maximum number of iteration"):
        Perceptron(max_iter=2, tol=0.0, n_iter_no_change=5).fit(X, y)


def test_errors_leave_fitted_model_unchanged(iris):
    X, y = iris
    clf = Perceptron(random_state=0).fit(X, y)
    coef = clf.coef_.copy()
    with pytest.raises(ValueError, match="greater than one"):
        clf.fit(X, np.zeros(150))
    with pytest.raises(ValueError, match="under-/overflow"):
        clf.set_params(eta0=1e10).fit(np.full((150, 4), 1e300), y)
    with pytest.raises(ValueError, match="multilabel"):
        Perceptron(class_weight="balanced").fit(X, np.c_[y == 0, y == 1].astype(int))
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :2])
    assert_array_equal(clf.coef_, coef)


# ------------------------------------------------------------------ n_jobs
def _six_classes():
    return make_classification(3000, 50, n_informative=20, n_classes=6, random_state=0)


@pytest.mark.parametrize("sparse", [False, True])
def test_units_in_threads_give_the_same_model_bit_for_bit(monkeypatch, sparse):
    X, y = _six_classes()
    if sparse:
        X = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0))
    pools = []

    class RecordingPool(arrays.ThreadPoolExecutor):
        def __init__(self, n_threads):
            pools.append(n_threads)
            super().__init__(n_threads)

    monkeypatch.setattr(arrays, "ThreadPoolExecutor", RecordingPool)
    monkeypatch.setattr(arrays, "_MIN_VALUES_FOR_THREADS", 0)
    params = dict(max_iter=8, random_state=0, penalty="l1", alpha=1e-4)
    one = Perceptron(n_jobs=1, **params).fit(X, y)
    assert pools == []
    two = Perceptron(n_jobs=2, **params).fit(X, y)
    assert pools == [min(2, thread_budget())] or thread_budget() == 1
    assert one.n_iter_ == two.n_iter_ and one.t_ == two.t_
    assert_array_equal(one.coef_, two.coef_)
    assert_array_equal(one.intercept_, two.intercept_)


def test_thread_count_follows_n_jobs_joblib_and_threadpool_limits():
    budget = thread_budget()
    assert Perceptron()._n_threads(6) == 1
    assert Perceptron(n_jobs=4)._n_threads(6) == min(4, budget)
    assert Perceptron(n_jobs=-1)._n_threads(3) == min(3, budget, os.cpu_count())
    with parallel_config(n_jobs=2):
        assert Perceptron()._n_threads(6) == min(2, budget)
    # a limit set by the user (or by joblib in a worker process) is a cap
    with threadpool_limits(limits=1):
        assert Perceptron(n_jobs=4)._n_threads(6) == 1
