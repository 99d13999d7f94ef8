"""fit on an iterable of batches: one batch gives the in-memory model, several
reach its accuracy, only the batches are read, and bad batches are refused."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits

from skperceptron import MLPClassifier, MLPRegressor, Perceptron


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def _batches(X, y, rows, sample_weight=None):
    cuts = range(0, X.shape[0], rows)
    if sample_weight is None:
        return [(X[i : i + rows], y[i : i + rows]) for i in cuts]
    return [
        (X[i : i + rows], y[i : i + rows], sample_weight[i : i + rows]) for i in cuts
    ]


def _weights(est):
    return est.coefs_ + est.intercepts_


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_one_batch_gives_the_in_memory_model(digits, solver):
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), solver=solver, max_iter=4, random_state=0)
    local = MLPClassifier(**params).fit(X, y)
    batched = MLPClassifier(**params).fit([(X, y)])
    assert batched.loss_curve_ == local.loss_curve_
    for a, b in zip(_weights(batched), _weights(local)):
        assert_array_equal(a, b)


def test_one_weighted_batch_with_dropout_gives_the_in_memory_model():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 5))
    y = X @ rng.normal(size=5) + 0.1 * rng.normal(size=300)
    w = rng.uniform(0.5, 2, size=300)
    params = dict(hidden_layer_sizes=(8,), dropout=0.2, max_iter=3, random_state=0)
    local = MLPRegressor(**params).fit(X, y, sample_weight=w)
    batched = MLPRegressor(**params).fit([(X, y, w)])
    for a, b in zip(_weights(batched), _weights(local)):
        assert_array_equal(a, b)


def test_lbfgs_sums_the_batches_objective(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=15, random_state=0)
    local = MLPClassifier(**params).fit(X, y)
    batched = MLPClassifier(**params).fit(_batches(X, y, 500))
    # the same objective, summed in another order: equal to rounding
    assert batched.n_iter_ == local.n_iter_
    assert batched.loss_ == pytest.approx(local.loss_, rel=1e-9)


def test_several_batches_reach_the_in_memory_accuracy(digits):
    X, y = digits
    train, test = slice(0, 1400), slice(1400, None)
    params = dict(hidden_layer_sizes=(32,), max_iter=30, random_state=0)
    local = MLPClassifier(**params).fit(X[train], y[train])
    batched = MLPClassifier(**params).fit(_batches(X[train], y[train], 300))
    assert batched.score(X[test], y[test]) > local.score(X[test], y[test]) - 0.04
    assert batched.n_features_in_ == 64 and batched.t_ == 30 * 1400


def test_one_batch_perceptron_gives_the_in_memory_model(digits):
    X, y = digits
    local = Perceptron(random_state=0).fit(X, y)
    batched = Perceptron(random_state=0).fit([(X, y)])
    assert batched.n_iter_ == local.n_iter_
    assert_array_equal(batched.coef_, local.coef_)
    assert_array_equal(batched.intercept_, local.intercept_)


def test_several_batches_train_the_perceptron(digits):
    X, y = digits
    est = Perceptron(random_state=0, early_stopping=True).fit(_batches(X, y, 400))
    assert est.score(X, y) > 0.85
    assert_array_equal(est.classes_, np.arange(10))


def test_a_function_returning_an_iterator_is_read_once_per_pass(digits):
    X, y = digits
    calls = []

    def read():
        calls.append(1)
        for i in range(0, X.shape[0], 600):
            yield X[i : i + 600], y[i : i + 600]

    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, n_iter_no_change=100)
    est.fit(read)
    # one pass to learn the classes and sizes, then one per epoch
    assert len(calls) == 1 + 3 and est.n_iter_ == 3


def test_early_stopping_holds_out_rows_of_every_batch(digits):
    X, y = digits
    est = MLPClassifier(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        validation_fraction=0.2,
        learning_rate_init=0.01,
        max_iter=8,
        random_state=0,
    ).fit(_batches(X, y, 450))
    assert len(est.validation_scores_) == est.n_iter_
    assert 0.5 < est.best_validation_score_ <= 1
    # 0.2 of each batch is held out, rounded up
    assert est.t_ == est.n_iter_ * sum(
        n - int(np.ceil(0.2 * n)) for n in (450,) * 3 + (447,)
    )


def test_validation_data_next_to_batches(digits):
    X, y = digits
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    est.fit(_batches(X[:1500], y[:1500], 500), X_val=X[1500:], y_val=y[1500:])
    assert len(est.validation_loss_curve_) == 3


def test_sparse_batches_give_the_dense_model(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(8,), solver="sgd", max_iter=3, random_state=0)
    dense = MLPClassifier(**params).fit(_batches(X, y, 700))
    sparse = MLPClassifier(**params).fit(
        [(sp.csr_matrix(Xb), yb) for Xb, yb in _batches(X, y, 700)]
    )
    for a, b in zip(_weights(dense), _weights(sparse)):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_regression_batches_with_several_outputs():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 4))
    Y = np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])
    est = MLPRegressor(hidden_layer_sizes=(16,), max_iter=60, random_state=0)
    est.fit(_batches(X, Y, 150))
    assert est.n_outputs_ == 2 and est.predict(X).shape == (600, 2)
    assert est.score(X, Y) > 0.8


@pytest.mark.parametrize(
    "batches, error, match",
    [
        ((b for b in [(np.zeros((2, 2)), [0, 1])]), TypeError, "can be read once"),
        (
            [(np.zeros((2, 2)), [0, 1]), (np.zeros((2, 3)), [0, 1])],
            ValueError,
            "features",
        ),
        ([(np.zeros((2, 2)), [0, 1, 1])], ValueError, "rows"),
        ([(np.zeros((2, 2)), [0, 1], [1.0, -1.0])], ValueError, "Negative"),
        ([(np.full((2, 2), np.nan), [0, 1])], ValueError, "NaN"),
    ],
)
def test_bad_batches_are_refused_and_leave_the_model(batches, error, match):
    est = MLPClassifier(max_iter=2)
    with pytest.raises(error, match=match):
        est.fit(batches)
    assert not hasattr(est, "coefs_")


def test_batches_that_change_between_passes_are_refused():
    sizes = iter([(4, 4), (4, 3), (4, 3)])

    def read():
        for n in next(sizes):
            yield np.ones((n, 2)), np.arange(n) % 2

    with pytest.raises(ValueError, match="changed between passes"):
        MLPClassifier(max_iter=2).fit(read)


def test_sample_weight_beside_batches_is_refused(digits):
    X, y = digits
    with pytest.raises(ValueError, match="inside it"):
        MLPClassifier().fit(_batches(X, y, 500), sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match="inside it"):
        Perceptron().fit(_batches(X, y, 500), sample_weight=np.ones(len(y)))


def test_arrays_without_y_still_ask_for_y(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="requires y"):
        MLPClassifier().fit(X)
    with pytest.raises(ValueError, match="requires y"):
        MLPClassifier().fit(X.tolist())
