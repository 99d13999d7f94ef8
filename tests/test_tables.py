"""The tabular ingredients: input transform, periodic embeddings, front scale,
per-parameter step sizes, per-step schedules, best-epoch restore, target
scaling, and the preset that combines them."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.model_selection import GridSearchCV

from skperceptron import MLPClassifier, MLPRegressor
from skperceptron._data import kernel_input
from skperceptron._forward import input_layer, predict
from skperceptron._input_transform import (
    columns_to_embed,
    robust_statistics,
    robust_transform,
)
from skperceptron._kernels import compiled
from skperceptron._kernels.specs import (
    ACTIVATION_CODES,
    LOSS_CODES,
    loss_spec,
    no_dropout,
    workspace,
)
from skperceptron._params import ParamLayout, factor_blocks, parameter_factors
from skperceptron._stochastic_optimizers import step_schedule
from skperceptron.presets import tabular

EMBEDDED = (0, 2, 3)  # of five columns
K, D = 4, 2


def _layout(front_scale, embedding):
    m = len(EMBEDDED) if embedding else 0
    return ParamLayout(
        (5 + m * D, 4, 3, 3),
        front_scale=front_scale,
        embedding=(m, K, D) if m else (0, 0, 0),
    )


def _objective(X, Y, flat, layout, loss, dtype=np.float64, alpha=0.2):
    activations = ["tanh", "selu", "softmax" if loss == "log_loss" else "identity"]
    embedded = EMBEDDED if layout.embedding[0] else ()
    spec = layout.kernel_spec(activations, embedded=embedded)
    flat = flat.astype(dtype)
    work = workspace(spec, Y.shape[0], flat.shape[0], dtype, gather_rows=False)
    sw = np.linspace(0.5, 2.0, Y.shape[0]).astype(dtype)
    value = compiled.loss_and_gradient(
        kernel_input(X, dtype),
        Y.astype(dtype),
        sw,
        flat,
        spec,
        loss_spec(LOSS_CODES[loss], float(np.finfo(dtype).eps), 0.4),
        alpha,
        work,
        no_dropout(layout.n_weights),
    )
    return value, work.grad.copy()


def _problem(front_scale, embedding, loss, sparse):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(11, 5))
    if sparse:
        X[rng.uniform(size=X.shape) < 0.4] = 0.0
        X = sp.csr_matrix(X)
    if loss == "log_loss":
        Y = np.eye(3)[rng.randint(3, size=11)]
    else:
        Y = rng.normal(size=(11, 3))
    layout = _layout(front_scale, embedding)
    flat = rng.uniform(-0.6, 0.6, size=layout.n_params)
    views = layout.extra_views(flat)
    if "front_scale" in views:
        views["front_scale"][...] = rng.uniform(0.5, 1.5, size=layout.n_front)
    return X, Y, layout, flat


EXTRAS = [(True, False), (False, True), (True, True)]


@pytest.mark.parametrize("front_scale,embedding", EXTRAS)
@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
@pytest.mark.parametrize("sparse", [False, True])
def test_input_layer_gradient_matches_finite_differences(
    front_scale, embedding, loss, sparse
):
    X, Y, layout, flat = _problem(front_scale, embedding, loss, sparse)
    value, grad = _objective(X, Y, flat, layout, loss)
    assert np.isfinite(value)
    numeric = np.empty_like(flat)
    h = 1e-6
    for j in range(flat.shape[0]):
        up, down = flat.copy(), flat.copy()
        up[j] += h
        down[j] -= h
        numeric[j] = (
            _objective(X, Y, up, layout, loss)[0]
            - _objective(X, Y, down, layout, loss)[0]
        ) / (2 * h)
    # the extras' block must be nonzero, or the check proves nothing there
    assert np.abs(grad[layout.n_base :]).max() > 1e-4
    assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("front_scale,embedding", EXTRAS)
@pytest.mark.parametrize("sparse", [False, True])
def test_input_layer_float32_tracks_float64(front_scale, embedding, sparse):
    X, Y, layout, flat = _problem(front_scale, embedding, "log_loss", sparse)
    value64, grad64 = _objective(X, Y, flat, layout, "log_loss")
    value32, grad32 = _objective(X, Y, flat, layout, "log_loss", dtype=np.float32)
    assert grad32.dtype == np.float32
    assert_allclose(value32, value64, rtol=1e-5)
    assert_allclose(grad32, grad64, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 1e-5)])
def test_kernel_forward_matches_numpy_forward(sparse, dtype, rtol):
    """The kernels' loss of the numpy prediction path's outputs (squared error,
    no penalty), so the compiled cosine and the numpy one agree: to float64
    accuracy, and to float32 accuracy for float32 networks, whose kernels
    compute their cosines in float32 (numpy's prediction path in float64)."""
    X, Y, layout, flat = _problem(True, True, "squared_error", sparse)
    # large phases and frequencies exercise the cosine's range reduction
    views = layout.extra_views(flat)
    views["frequencies"][...] *= 40.0
    views["phases"][...] += 300.0
    value, _ = _objective(X, Y, flat, layout, "squared_error", dtype=dtype, alpha=0.0)
    coefs, intercepts = layout.views(flat)
    codes = [ACTIVATION_CODES[a] for a in ("tanh", "selu", "identity")]
    out = predict(X, coefs, intercepts, codes, 0.01, 4, input_layer(views, EMBEDDED))
    sw = np.linspace(0.5, 2.0, Y.shape[0])
    expected = 0.5 * (sw[:, None] * (out - Y) ** 2).sum() / sw.sum()
    assert_allclose(value, expected, rtol=rtol)


def test_float32_cosines_match_libm():
    """The float32 embedding's cosines and sines, in float32 arithmetic, are
    within two float32 steps of the exact values over the range its range
    reduction promises."""
    from numba import njit

    from skperceptron._kernels.inputs import _cos_sin32

    @njit
    def cos_sin(theta):
        c, s = np.empty_like(theta), np.empty_like(theta)
        for i in range(theta.shape[0]):
            c[i], s[i] = _cos_sin32(theta[i])
        return c, s

    theta = np.random.RandomState(0).uniform(-1e4, 1e4, 100_000).astype(np.float32)
    theta[:5] = [0.0, np.pi / 4, np.pi / 2, -3 * np.pi / 4, 9999.0]
    c, s = cos_sin(theta)
    assert c.dtype == s.dtype == np.float32
    exact = theta.astype(np.float64)
    assert_allclose(c, np.cos(exact), rtol=0, atol=2.5e-7)
    assert_allclose(s, np.sin(exact), rtol=0, atol=2.5e-7)


def test_robust_statistics_match_numpy():
    rng = np.random.RandomState(0)
    X = rng.standard_t(2, size=(101, 4))
    X[:, 2] = 7.0  # constant
    X[:, 3] = np.where(np.arange(101) < 90, 1.0, rng.normal(size=101))  # q25 == q75
    center, scale = robust_statistics(X)
    q25, median, q75 = np.quantile(X, (0.25, 0.5, 0.75), axis=0)
    assert_allclose(center, median)
    assert_allclose(scale[:2], 1.0 / (q75 - q25)[:2])
    assert scale[2] == 0.0
    assert_allclose(scale[3], 2.0 / (X[:, 3].max() - X[:, 3].min()))

    Z = robust_transform(X, center, scale, 3.0)
    raw = (X - median) * scale
    assert_allclose(Z, raw / np.sqrt(1.0 + (raw / 3.0) ** 2))
    assert np.all(np.abs(Z) < 3.0)
    assert_array_equal(Z[:, 2], 0.0)
    assert_allclose(robust_transform(X, center, scale, None), raw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_robust_statistics_count_the_zeros(dtype):
    rng = np.random.RandomState(1)
    X = rng.exponential(size=(60, 5)) * np.sign(rng.normal(size=(60, 5)))
    X[rng.uniform(size=X.shape) < 0.6] = 0.0
    X[:, 4] = 0.0
    X = X.astype(dtype)
    center, scale = robust_statistics(sp.csr_matrix(X))
    assert_array_equal(center, 0.0)  # sparse columns are not centred
    q25, q75 = np.quantile(X.astype(np.float64), (0.25, 0.75), axis=0)
    spread = np.where(q75 > q25, q75 - q25, 0.5 * (X.max(0) - X.min(0)))
    with np.errstate(divide="ignore"):
        assert_allclose(scale, np.where(spread > 0, 1.0 / spread, 0.0), rtol=1e-6)
    Z = robust_transform(sp.csr_matrix(X), center, scale, 3.0)
    assert sp.issparse(Z) and Z.dtype == dtype
    raw = X * scale
    assert_allclose(
        Z.toarray(), raw / np.sqrt(1.0 + (raw / 3.0) ** 2), rtol=1e-6, atol=1e-7
    )


def test_columns_to_embed_skips_binary_columns():
    X = np.array([[0, 1, 2.5, 5], [1, 1, 3.5, 5], [0, 1, 1.0, 5], [1, 1, 9.0, 4]])
    assert_array_equal(columns_to_embed(X), [2])
    assert_array_equal(columns_to_embed(sp.csr_matrix(X)), [2])
    X[0, 3] = 0.0  # three values now
    assert_array_equal(columns_to_embed(X), [2, 3])
    assert_array_equal(columns_to_embed(sp.csr_matrix(X)), [2, 3])


def test_fitted_input_transform_is_applied_in_predict():
    X, y = make_regression(n_samples=120, n_features=4, random_state=0)
    X[:, 0] = X[:, 0] * 1000 + 50
    reg = MLPRegressor(
        input_transform="robust", hidden_layer_sizes=(8,), max_iter=30, random_state=0
    ).fit(X, y)
    center, scale = robust_statistics(X)
    assert_allclose(reg.input_center_, center)
    assert_allclose(reg.input_scale_, scale)
    plain = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    plain.fit(robust_transform(X, center, scale, 3.0), y)
    assert_allclose(
        reg.predict(X), plain.predict(robust_transform(X, center, scale, 3.0))
    )


def test_input_options_leave_dense_and_sparse_fits_equal():
    X, y = load_iris(return_X_y=True)
    params = dict(
        input_transform="robust",
        numeric_embedding="periodic",
        front_scale=True,
        hidden_layer_sizes=(8,),
        max_iter=20,
        random_state=0,
    )
    dense = MLPClassifier(**params).fit(X, y)
    sparse = MLPClassifier(**params).fit(sp.csr_matrix(X), y)
    # iris has no zeros: CSR and dense rows are the same numbers, but sparse
    # columns are not centred, so compare each with its own kind of input
    assert dense.embedding_coefs_.shape == (4, 16, 3)
    assert_array_equal(sparse.embedded_features_, dense.embedded_features_)
    assert_allclose(sparse.predict_proba(sp.csr_matrix(X)).sum(axis=1), 1.0, rtol=1e-12)
    f32 = MLPClassifier(**params).fit(X.astype(np.float32), y)
    assert f32.coefs_[0].dtype == np.float32
    assert f32.front_scale_.dtype == np.float32
    assert (f32.predict(X.astype(np.float32)) == dense.predict(X)).mean() > 0.9


def test_best_epoch_is_the_one_restored():
    rng = np.random.RandomState(0)
    X, y = make_regression(n_samples=200, n_features=6, noise=30, random_state=0)
    X_val = rng.normal(size=(60, 6))
    y_val = rng.normal(size=60) * y.std()
    params = dict(
        hidden_layer_sizes=(32,),
        learning_rate_init=0.05,
        max_iter=40,
        n_iter_no_change=np.inf,
        random_state=0,
        restore_best_weights=True,
    )
    reg = MLPRegressor(**params).fit(X, y, X_val=X_val, y_val=y_val)
    assert reg.n_iter_ == 40
    scores = np.asarray(reg.validation_scores_)
    best = len(scores) - 1 - int(np.argmax(scores[::-1]))  # the last best
    assert best < 39, "the problem must peak before the end to test anything"
    assert_allclose(reg.score(X_val, y_val), scores.max(), rtol=1e-10)
    assert reg.best_validation_score_ == scores.max()
    # the weights of the best epoch: a fit that ends there has them
    short = MLPRegressor(**{**params, "max_iter": best + 1})
    short.fit(X, y, X_val=X_val, y_val=y_val)
    for a, b in zip(reg.coefs_, short.coefs_):
        assert_allclose(a, b, rtol=1e-12)


def test_target_scaling_standardises_and_clips():
    X, y = make_regression(n_samples=150, n_features=5, noise=5, random_state=0)
    y = 1e4 + 300 * y
    reg = MLPRegressor(
        target_scaling="standard",
        clip_predictions=True,
        hidden_layer_sizes=(16,),
        max_iter=200,
        random_state=0,
    ).fit(X, y)
    assert_allclose(reg.target_mean_, y.mean())
    assert_allclose(reg.target_scale_, y.std())
    assert reg.score(X, y) > 0.9  # unscaled targets this size defeat adam
    prediction = reg.predict(100 * X)
    assert prediction.min() >= y.min() and prediction.max() <= y.max()


def test_step_schedules_follow_their_formulas():
    t = np.linspace(0, 1, 9, endpoint=False)
    assert_allclose(
        step_schedule("coslog4", t),
        0.5 - 0.5 * np.cos(2 * np.pi * np.log2(1 + 15 * t)),
    )
    # four cycles: zero at the start and where log2(1 + 15 t) is an integer
    zeros = (2.0 ** np.arange(4) - 1) / 15
    assert_allclose(step_schedule("coslog4", zeros), 0.0, atol=1e-12)
    flat = step_schedule("flat_cosine", t)
    assert_array_equal(flat[t < 0.5], 1.0)
    assert_allclose(flat[t >= 0.5], 0.5 + 0.5 * np.cos(np.pi * (2 * t[t >= 0.5] - 1)))


def test_parameter_factors():
    layout = ParamLayout((6, 4, 2), front_scale=True, embedding=(2, 3, 1))
    assert parameter_factors(ParamLayout((6, 4, 2)), None, None, np.float64)[
        0
    ].shape == (0,)
    lr, decay = parameter_factors(layout, "ntk", {"bias": 0.5}, np.float64)
    assert lr.shape == decay.shape == (layout.n_params,)
    assert_allclose(lr[:24], 1 / np.sqrt(6))
    assert_allclose(lr[24:32], 1 / np.sqrt(4))
    assert_array_equal(lr[layout.n_coef : layout.n_base], 0.5)
    assert_array_equal(decay[layout.n_coef : layout.n_base], 0.0)
    assert_array_equal(lr[layout.n_base : layout.n_base + 6], 6.0)
    assert_array_equal(decay[layout.n_base : layout.n_base + 6], 36.0)
    assert_array_equal(lr[layout.n_base + 6 :], 0.1)
    with pytest.raises(ValueError, match="lr_factors takes the keys"):
        parameter_factors(layout, None, {"weights": 2.0}, np.float64)


def test_factor_blocks_hold_the_parameter_factors():
    layout = ParamLayout((6, 4, 3, 2), front_scale=True, embedding=(2, 3, 1))
    lr, decay = parameter_factors(layout, "ntk", {"bias": 0.5}, np.float32)
    ends, lr_blocks, decay_blocks = factor_blocks(lr, decay, layout.n_coef)
    assert ends[-1] == layout.n_params and layout.n_coef in ends
    sizes = np.diff(ends, prepend=0)
    assert np.all(sizes > 0)
    assert_array_equal(np.repeat(lr_blocks, sizes), lr)
    assert_array_equal(np.repeat(decay_blocks, sizes), decay)
    assert lr_blocks.dtype == np.float32 and ends.dtype == np.int64
    # three weight matrices (fan-ins 6, 4, 3), biases, front scale, embeddings
    assert len(ends) == 3 + 1 + 1 + 1
    empty = factor_blocks(np.empty(0), np.empty(0), layout.n_coef)
    assert all(a.shape == (0,) for a in empty)


def test_unknown_lr_factor_fails_the_fit_and_keeps_the_model():
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(X, y)
    before = [c.copy() for c in clf.coefs_]
    with pytest.raises(ValueError, match="lr_factors takes the keys"):
        clf.set_params(lr_factors={"weight": 1.0}).fit(X, y)
    for a, b in zip(before, clf.coefs_):
        assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore:Got `batch_size`")  # 256 rows > a fold of iris
@pytest.mark.parametrize(
    "Est,task", [(MLPClassifier, "classification"), (MLPRegressor, "regression")]
)
def test_preset_is_accepted_cloned_and_searchable(Est, task):
    params = tabular(task)
    assert params is not tabular(task)
    est = Est(**params, random_state=0)
    assert clone(est).get_params() == est.get_params()
    est.set_params(max_iter=3, hidden_layer_sizes=(8,))
    X, y = load_iris(return_X_y=True)
    if task == "regression":
        X, y = X[:, 1:], X[:, 0]
    search = GridSearchCV(est, {"learning_rate_init": [0.01, 0.04]}, cv=2)
    search.fit(X, y)
    assert search.best_estimator_.get_params()["numeric_embedding"] == "periodic"
    with pytest.raises(ValueError, match="task must be one of"):
        tabular("ranking")


def test_chunked_input_refuses_statistics_options():
    X, y = load_iris(return_X_y=True)
    batches = [(X[:75], y[:75]), (X[75:], y[75:])]
    clf = MLPClassifier(input_transform="robust", max_iter=2)
    with pytest.raises(ValueError, match="input_transform"):
        clf.fit(batches)
