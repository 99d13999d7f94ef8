"""Dropout, the new activations and initializers, the pinball loss, validation
data and label smoothing: gradients, statistics and behaviour."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import log_loss

from skperceptron import MLPClassifier, MLPRegressor
from skperceptron._data import kernel_input
from skperceptron._forward import predict
from skperceptron._kernels import compiled
from skperceptron._kernels.specs import (
    LOSS_CODES,
    Dropout,
    loss_spec,
    no_dropout,
    workspace,
)
from skperceptron._params import WEIGHT_INITS, ParamLayout

NEW_ACTIVATIONS = ["leaky_relu", "elu", "gelu", "silu", "mish"]


def _objective(X, Y, flat, layout, activations, loss, dtype, dropout=None, q=None):
    spec = layout.kernel_spec(activations, 0.05)
    work = workspace(
        spec, Y.shape[0], flat.shape[0], dtype, gather_rows=False, dropout=dropout
    )
    spec_of_loss = loss_spec(LOSS_CODES[loss], float(np.finfo(dtype).eps), quantiles=q)
    value = compiled.loss_and_gradient(
        kernel_input(X, dtype),
        Y.astype(dtype),
        np.empty(0, dtype),
        flat.astype(dtype),
        spec,
        spec_of_loss,
        1e-3,
        work,
        no_dropout(layout.n_weights) if dropout is None else dropout,
    )
    return value, work.grad.astype(np.float64), work


def _finite_differences(f, flat, step):
    grad = np.empty_like(flat)
    for i in range(flat.shape[0]):
        up, down = flat.copy(), flat.copy()
        up[i] += step
        down[i] -= step
        grad[i] = (f(up) - f(down)) / (2 * step)
    return grad


def _problem(sparse, seed=0, n_out=2):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(11, 4))
    if sparse:
        X[rng.uniform(size=X.shape) < 0.4] = 0.0
        X = sp.csr_matrix(X)
    layout = ParamLayout((4, 5, 3, n_out))
    flat = rng.uniform(-0.8, 0.8, size=layout.n_params)
    return rng, X, layout, flat


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("activation", NEW_ACTIVATIONS)
def test_new_activations_gradient_matches_finite_differences(activation, sparse, dtype):
    rng, X, layout, flat = _problem(sparse)
    Y = rng.normal(size=(11, 2))
    acts = [activation, activation, "identity"]

    def f64(w):
        return _objective(X, Y, w, layout, acts, "squared_error", np.float64)[0]

    expected = _finite_differences(f64, flat, 1e-6)
    _, grad, _ = _objective(X, Y, flat, layout, acts, "squared_error", dtype)
    tol = (
        dict(rtol=1e-3, atol=1e-4)
        if dtype == np.float32
        else dict(rtol=1e-6, atol=1e-8)
    )
    assert_allclose(grad, expected, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse", [False, True])
def test_pinball_loss_value_and_gradient(sparse, dtype):
    rng, X, layout, flat = _problem(sparse, n_out=3)
    Y = rng.normal(size=(11, 3))
    q = np.array([0.1, 0.5, 0.9])
    acts = ["tanh", "tanh", "identity"]
    value, grad, work = _objective(X, Y, flat, layout, acts, "quantile", dtype, q=q)

    def f64(w):
        return _objective(X, Y, w, layout, acts, "quantile", np.float64, q=q)[0]

    tol = (
        dict(rtol=1e-3, atol=1e-4)
        if dtype == np.float32
        else dict(rtol=1e-6, atol=1e-8)
    )
    assert_allclose(grad, _finite_differences(f64, flat, 1e-6), **tol)
    # the value against the pinball definition on the network's outputs
    coefs, intercepts = layout.views(flat)
    out = predict(
        kernel_input(X, np.float64)[0] if not sparse else X.tocsr(),
        coefs,
        intercepts,
        np.array([2, 2, 0]),
        0.01,
        64,
    )
    r = Y - out
    pinball = np.maximum(q * r, (q - 1) * r).sum() / 11
    penalty = 0.5 * 1e-3 * sum((c**2).sum() for c in coefs) / 11
    assert value == pytest.approx(
        pinball + penalty, rel=1e-5 if dtype == np.float32 else 1e-12
    )


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("activation", ["logistic", "relu", "gelu"])
def test_dropout_gradient_with_fixed_mask_matches_finite_differences(
    activation, sparse
):
    rng, X, layout, flat = _problem(sparse, seed=1)
    Y = rng.normal(size=(11, 2))
    flat += 0.1  # keep relu away from its kink
    acts = [activation, activation, "identity"]
    dropout = Dropout(np.array([0.3, 0.5, 0.0]), 12345)

    def f(w):
        return _objective(X, Y, w, layout, acts, "squared_error", np.float64, dropout)[
            0
        ]

    _, grad, work = _objective(
        X, Y, flat, layout, acts, "squared_error", np.float64, dropout
    )
    assert_allclose(grad, _finite_differences(f, flat, 1e-6), rtol=1e-6, atol=1e-8)
    # dropout changes the objective (some units are dropped)
    plain = _objective(X, Y, flat, layout, acts, "squared_error", np.float64)[0]
    assert f(flat) != pytest.approx(plain)


def test_dropout_keeps_units_with_the_right_probability():
    X = np.random.RandomState(0).normal(size=(2000, 3))
    layout = ParamLayout((3, 50, 40, 1))
    flat = np.random.RandomState(1).uniform(-1, 1, layout.n_params)
    rates = np.array([0.2, 0.6, 0.0])
    _, _, work = _objective(
        X,
        np.zeros((2000, 1)),
        flat,
        layout,
        ["relu", "relu", "identity"],
        "squared_error",
        np.float64,
        Dropout(rates, 7),
    )
    masks = work.mask_buf
    n = 2000
    for layer, units, start in ((0, 50, 0), (1, 40, 50)):
        mask = masks[start * n : (start + units) * n]
        kept = mask != 0
        # binomial standard deviation of the kept share is below 0.003 here
        assert kept.mean() == pytest.approx(1 - rates[layer], abs=0.012)
        assert_allclose(mask[kept], 1 / (1 - rates[layer]))
        # draws of neighbouring units and rows are independent: a hash that
        # mixed its key poorly would correlate them (sd of each ~0.005 here)
        kept = kept.reshape(n, units).astype(float)
        next_unit = np.corrcoef(kept[:, :-1].ravel(), kept[:, 1:].ravel())[0, 1]
        next_row = np.corrcoef(kept[:-1].ravel(), kept[1:].ravel())[0, 1]
        assert abs(next_unit) < 0.03 and abs(next_row) < 0.03


def test_dropout_rate_zero_is_no_dropout(digits_small):
    X, y = digits_small
    base = MLPClassifier(hidden_layer_sizes=(20, 10), max_iter=5, random_state=0)
    reference = base.fit(X, y)
    for rate in (0.0, (0.0, 0.0)):
        model = MLPClassifier(
            hidden_layer_sizes=(20, 10), max_iter=5, random_state=0, dropout=rate
        ).fit(X, y)
        for a, b in zip(
            model.coefs_ + model.intercepts_, reference.coefs_ + reference.intercepts_
        ):
            assert_array_equal(a, b)


def test_dropout_is_reproducible_and_the_same_for_dense_and_sparse(digits_small):
    X, y = digits_small
    params = dict(hidden_layer_sizes=(30,), max_iter=4, random_state=3, dropout=0.3)
    dense = MLPClassifier(**params).fit(X, y)
    again = MLPClassifier(**params).fit(X, y)
    sparse = MLPClassifier(**params).fit(sp.csr_matrix(X), y)
    other_seed = MLPClassifier(**{**params, "random_state": 4}).fit(X, y)
    for a, b, c in zip(dense.coefs_, again.coefs_, sparse.coefs_):
        assert_array_equal(a, b)
        assert_allclose(a, c, rtol=1e-10, atol=1e-12)
    plain = MLPClassifier(**{**params, "dropout": 0.0}).fit(X, y)
    assert not np.allclose(dense.coefs_[0], plain.coefs_[0])
    assert dense.loss_ != other_seed.loss_


def test_dropout_lowers_the_test_error_of_an_overfitting_network(digits_small):
    """256 hidden units trained to memorise 500 digits, 30% of them with random
    labels: without dropout the network learns the wrong labels too; with
    dropout its test error is far lower, averaged over three draws (measured:
    14.3% against 21.7%, every draw better by 6 points or more)."""
    X, y = digits_small
    errors = {0.0: [], 0.5: []}
    for seed in range(3):
        rng = np.random.RandomState(seed)
        rows = rng.permutation(len(X))
        train, test = rows[:500], rows[500:]
        noisy = y.copy()
        flip = rng.uniform(size=len(y)) < 0.3
        noisy[flip] = rng.randint(10, size=flip.sum())
        for rate in errors:
            clf = MLPClassifier(
                hidden_layer_sizes=(256,),
                alpha=0.0,
                batch_size=32,
                learning_rate_init=0.003,
                max_iter=100,
                tol=0,
                n_iter_no_change=1000,
                dropout=rate,
                random_state=seed,
            ).fit(X[train], noisy[train])
            errors[rate].append(1 - clf.score(X[test], y[test]))
    assert np.mean(errors[0.5]) < 0.8 * np.mean(errors[0.0])


def test_dropout_with_lbfgs_raises():
    with pytest.raises(ValueError, match="dropout"):
        MLPClassifier(solver="lbfgs", dropout=0.1).fit([[0.0], [1.0]], [0, 1])


@pytest.mark.parametrize("bad", [(0.1,), (0.1, 1.0)])
def test_dropout_per_layer_is_validated(bad):
    clf = MLPClassifier(hidden_layer_sizes=(5, 5), dropout=bad)
    with pytest.raises(ValueError, match="dropout"):
        clf.fit([[0.0], [1.0]], [0, 1])


@pytest.mark.parametrize("name", list(WEIGHT_INITS))
def test_initializers_draw_with_their_variance(name):
    clf = MLPClassifier(
        hidden_layer_sizes=(300,), weight_init=name, max_iter=1, random_state=0
    )
    X = np.random.RandomState(0).normal(size=(4, 400))
    # one epoch at a negligible learning rate leaves the draws as they were
    clf.set_params(learning_rate_init=1e-12).fit(X, [0, 1, 0, 1])
    W = clf.coefs_[0]
    fan_in, fan_out = W.shape
    distribution, numerator, fan = WEIGHT_INITS[name]
    variance = numerator / (fan_in + fan_out if fan == "fan_avg" else fan_in)
    assert W.mean() == pytest.approx(0, abs=4 * np.sqrt(variance / W.size))
    # the sample variance of 120,000 draws is within 2% of the true one
    assert W.var() == pytest.approx(variance, rel=0.02)
    if distribution == "uniform":
        assert np.abs(W).max() <= np.sqrt(3 * variance)
        assert np.abs(W).max() > 0.99 * np.sqrt(3 * variance)
    else:  # normal: about 4.6% of draws beyond 2 standard deviations
        share = (np.abs(W) > 2 * np.sqrt(variance)).mean()
        assert share == pytest.approx(0.0455, abs=0.004)
    assert_allclose(clf.intercepts_[0], 0.0, atol=1e-9)


def test_sklearn_init_is_unchanged(digits_small):
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    X, y = digits_small
    ours = MLPClassifier(max_iter=2, random_state=0, weight_init="sklearn").fit(X, y)
    theirs = SklearnMLP(max_iter=2, random_state=0).fit(X, y)
    for a, b in zip(ours.coefs_, theirs.coefs_):
        assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _heteroscedastic(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 1))
    y = np.sin(X[:, 0]) + rng.normal(size=n) * (0.1 + 0.4 * np.abs(X[:, 0]))
    return X, y


def test_quantile_outputs_cover_the_interval_and_never_cross():
    X, y = _heteroscedastic(3000, 0)
    X_test, y_test = _heteroscedastic(3000, 1)
    reg = MLPRegressor(
        loss="quantile",
        quantile=[0.1, 0.5, 0.9],
        hidden_layer_sizes=(32, 32),
        learning_rate_init=0.01,
        max_iter=150,
        random_state=0,
    ).fit(X, y)
    pred = reg.predict(X_test)
    assert pred.shape == (3000, 3)
    assert np.all(np.diff(pred, axis=1) >= 0)
    coverage = np.mean((y_test >= pred[:, 0]) & (y_test <= pred[:, 2]))
    assert 0.74 < coverage < 0.86
    below_median = np.mean(y_test < pred[:, 1])
    assert 0.44 < below_median < 0.56
    # the interval is wider where the noise is
    width = pred[:, 2] - pred[:, 0]
    assert (
        width[np.abs(X_test[:, 0]) > 1.5].mean()
        > 2 * width[np.abs(X_test[:, 0]) < 0.5].mean()
    )
    assert 0 < reg.score(X_test, y_test) < 1


def test_quantile_outputs_of_several_targets():
    X, y = _heteroscedastic(400, 0)
    Y = np.column_stack([y, -2 * y])
    reg = MLPRegressor(
        loss="quantile", quantile=[0.2, 0.8], max_iter=30, random_state=0
    ).fit(X, Y)
    assert reg.n_outputs_ == 4
    pred = reg.predict(X)
    assert pred.shape == (400, 2, 2)
    assert np.all(pred[:, :, 0] <= pred[:, :, 1])
    single = MLPRegressor(loss="quantile", quantile=0.3, max_iter=30, random_state=0)
    assert single.fit(X, y).predict(X).shape == (400,)


@pytest.mark.parametrize("bad", [0.0, 1.0, [0.5, 1.2], [[0.1]], [0.9, 0.1], [0.5, 0.5]])
def test_quantile_levels_are_validated(bad):
    reg = MLPRegressor(loss="quantile", quantile=bad)
    with pytest.raises(ValueError, match="quantile"):
        reg.fit([[0.0], [1.0]], [0.0, 1.0])


def test_several_quantiles_score_early_stopping_by_pinball():
    X, y = _heteroscedastic(400, 0)
    params = dict(loss="quantile", quantile=[0.1, 0.9], max_iter=15, random_state=0)
    stopped = MLPRegressor(early_stopping=True, **params).fit(X, y)
    assert np.isfinite(stopped.validation_scores_).all()
    given = MLPRegressor(**params).fit(X[:300], y[:300], X_val=X[300:], y_val=y[300:])
    assert given.validation_scores_[-1] == pytest.approx(given.score(X[300:], y[300:]))


def test_several_quantiles_cannot_go_to_sklearn():
    X, y = _heteroscedastic(50, 0)
    reg = MLPRegressor(loss="quantile", quantile=[0.1, 0.9], max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="quantile"):
        reg.to_sklearn()


def test_validation_data_replace_the_split(digits_small):
    X, y = digits_small
    X_train, y_train, X_val, y_val = X[:1200], y[:1200], X[1200:], y[1200:]
    clf = MLPClassifier(
        hidden_layer_sizes=(20,), early_stopping=True, max_iter=30, random_state=0
    ).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    assert len(clf.validation_scores_) == clf.n_iter_
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    # the restored best weights score what the curve recorded, on X_val
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)
    assert clf.t_ == 1200 * clf.n_iter_  # every training row was used


def test_validation_loss_curve_without_early_stopping(digits_small):
    X, y = digits_small
    w = np.random.RandomState(0).uniform(0.5, 2, size=597)
    params = dict(hidden_layer_sizes=(20,), max_iter=8, random_state=0)
    clf = MLPClassifier(**params).fit(
        X[:1200], y[:1200], X_val=X[1200:], y_val=y[1200:], sample_weight_val=w
    )
    assert len(clf.validation_loss_curve_) == clf.n_iter_ == 8
    expected = log_loss(y[1200:], clf.predict_proba(X[1200:]), sample_weight=w)
    assert clf.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-9)
    # the training itself is that of a fit without validation data
    plain = MLPClassifier(**params).fit(X[:1200], y[:1200])
    assert_array_equal(clf.coefs_[0], plain.coefs_[0])
    assert plain.validation_scores_ is None


def test_validation_data_errors(digits_small):
    X, y = digits_small
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=2)
    with pytest.raises(ValueError, match="together"):
        clf.fit(X, y, X_val=X)
    with pytest.raises(ValueError, match="without X_val"):
        clf.fit(X, y, sample_weight_val=np.ones(3))
    with pytest.raises(ValueError, match="features"):
        clf.fit(X, y, X_val=X[:, :10], y_val=y)
    with pytest.raises(ValueError, match="classes"):
        clf.fit(X[y < 9], y[y < 9], X_val=X, y_val=y)
    with pytest.raises(ValueError, match="stochastic"):
        MLPClassifier(solver="lbfgs").fit(X, y, X_val=X, y_val=y)
    fitted = MLPClassifier(hidden_layer_sizes=(5,), max_iter=2).fit(X, y)
    before = fitted.coefs_[0].copy()
    with pytest.raises(ValueError):
        fitted.fit(X, y, X_val=X[:, :10], y_val=y)
    assert_array_equal(fitted.coefs_[0], before)  # a failed fit changes nothing


def test_validation_data_in_a_warm_start_after_a_fit_without(digits_small):
    X, y = digits_small
    clf = MLPClassifier(hidden_layer_sizes=(8,), warm_start=True, max_iter=3)
    clf.fit(X, y)
    assert clf.validation_scores_ is None
    clf.fit(X, y, X_val=X[:100], y_val=y[:100])
    assert len(clf.validation_loss_curve_) == len(clf.validation_scores_) == 3


def test_onecycle_needs_two_epochs_and_dropout_takes_arrays(digits_small):
    X, y = digits_small
    with pytest.raises(ValueError, match="at least 2"):
        MLPClassifier(learning_rate="onecycle", max_iter=3, warmup_epochs=2).fit(X, y)
    clf = MLPClassifier(hidden_layer_sizes=(5, 5), dropout=np.array([0.1, 0.2]))
    assert clf.set_params(max_iter=2).fit(X, y).n_iter_ == 2


def test_label_smoothing_smooths_the_targets(digits_small):
    X, y = digits_small
    clf = MLPClassifier(label_smoothing=0.2, max_iter=1)
    _, Y, _ = clf._validate_input(X[:50], y[:50], incremental=False, reset=True)
    assert_allclose(Y.max(axis=1), 0.8 + 0.02)
    assert_allclose(Y.min(axis=1), 0.02)
    assert_allclose(Y.sum(axis=1), 1.0)
    binary = MLPClassifier(label_smoothing=0.2, max_iter=1)
    _, Y, _ = binary._validate_input(X[:50], y[:50] % 2, incremental=False, reset=True)
    assert_allclose(np.unique(Y), [0.1, 0.9])


def test_label_smoothing_keeps_accuracy_and_softens_probabilities(digits_small):
    X, y = digits_small
    params = dict(hidden_layer_sizes=(32,), max_iter=60, random_state=0)
    sharp = MLPClassifier(**params).fit(X[:1200], y[:1200])
    smooth = MLPClassifier(label_smoothing=0.2, **params).fit(X[:1200], y[:1200])
    assert smooth.score(X[1200:], y[1200:]) > sharp.score(X[1200:], y[1200:]) - 0.03
    top = smooth.predict_proba(X[1200:]).max(axis=1)
    assert top.max() < 0.95  # trained towards 0.82, not 1
    assert sharp.predict_proba(X[1200:]).max(axis=1).max() > 0.99


def test_callable_learning_rate_is_called_per_epoch(digits_small):
    X, y = digits_small
    epochs = []

    def constant(epoch):
        epochs.append(epoch)
        return 0.001

    params = dict(hidden_layer_sizes=(10,), max_iter=6, random_state=0, tol=0)
    scheduled = MLPClassifier(learning_rate=constant, **params).fit(X, y)
    assert epochs == list(range(6))
    plain = MLPClassifier(**params).fit(X, y)
    assert_array_equal(scheduled.coefs_[0], plain.coefs_[0])
    with pytest.raises(ValueError, match="learning_rate callable"):
        MLPClassifier(learning_rate=lambda e: -1.0, **params).fit(X, y)


@pytest.mark.parametrize("solver", ["rmsprop", "adagrad", "nadam"])
def test_new_solvers_learn_and_support_partial_fit(digits_small, solver):
    X, y = digits_small
    lr = 0.01 if solver == "adagrad" else 0.001
    clf = MLPClassifier(
        hidden_layer_sizes=(32,),
        solver=solver,
        learning_rate_init=lr,
        max_iter=40,
        random_state=0,
    ).fit(X[:1200], y[:1200])
    assert clf.score(X[1200:], y[1200:]) > 0.85  # adam: 0.88
    # partial_fit carries the optimizer's state: ten calls are ten epochs
    params = dict(
        hidden_layer_sizes=(32,),
        solver=solver,
        learning_rate_init=lr,
        random_state=0,
        shuffle=False,
    )
    stream = MLPClassifier(**params)
    for _ in range(10):
        stream.partial_fit(X[:1200], y[:1200], classes=np.unique(y))
    whole = MLPClassifier(max_iter=10, **params).fit(X[:1200], y[:1200])
    assert_allclose(stream.coefs_[0], whole.coefs_[0], rtol=1e-12, atol=1e-14)


def test_new_options_cannot_reach_sklearn_predictions_unchanged(digits_small):
    X, y = digits_small
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        solver="nadam",
        learning_rate="cosine",
        dropout=0.2,
        weight_decay=0.01,
        label_smoothing=0.1,
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    converted = clf.to_sklearn()
    assert converted.solver == "adam" and converted.learning_rate == "constant"
    assert_allclose(converted.predict_proba(X), clf.predict_proba(X), rtol=1e-12)
    with pytest.raises(ValueError, match="gelu"):
        MLPClassifier(activation="gelu", max_iter=1).fit(X, y).to_sklearn()
