"""Backpropagation against finite differences, and the forward pass against
scikit-learn's with the same weights."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn import neural_network as sknn

from skperceptron import MLPClassifier, MLPRegressor
from skperceptron._data import kernel_input
from skperceptron._kernels import compiled
from skperceptron._kernels.specs import LOSS_CODES, loss_spec, no_dropout, workspace
from skperceptron._params import ParamLayout

HIDDEN = ["identity", "logistic", "tanh", "relu", "softplus"]
TARGETS = {  # a target maker for each output activation's range
    "identity": lambda r, n, k: r.normal(size=(n, k)),
    "tanh": lambda r, n, k: r.uniform(-1, 1, size=(n, k)),
    "logistic": lambda r, n, k: r.uniform(0, 1, size=(n, k)),
    "relu": lambda r, n, k: r.exponential(size=(n, k)),
    "softplus": lambda r, n, k: r.exponential(size=(n, k)),
    "exp": lambda r, n, k: r.poisson(1.5, size=(n, k)).astype(float),
}
OUTPUTS = [  # (output activation, loss, target maker)
    *(
        (out, loss, TARGETS[out])
        for out in ("identity", "relu", "softplus", "logistic", "tanh")
        for loss in ("squared_error", "absolute_error", "huber")
    ),
    ("exp", "poisson", TARGETS["exp"]),
    (
        "logistic",
        "binary_log_loss",
        lambda r, n, k: (r.uniform(size=(n, k)) > 0.5) * 1.0,
    ),
    ("softmax", "log_loss", lambda r, n, k: np.eye(k)[r.randint(k, size=n)]),
]


def _objective(X, Y, sw, flat, layout, activations, loss, alpha, dtype=np.float64):
    spec = layout.kernel_spec(activations)
    flat = flat.astype(dtype)
    work = workspace(spec, Y.shape[0], flat.shape[0], dtype, gather_rows=False)
    value = compiled.loss_and_gradient(
        kernel_input(X, dtype),
        Y.astype(dtype),
        sw.astype(dtype),
        flat,
        spec,
        loss_spec(LOSS_CODES[loss], float(np.finfo(dtype).eps), 0.4),
        alpha,
        work,
        no_dropout(layout.n_weights),
    )
    return value, work.grad


def _problem(hidden, output, loss, make_y, sparse):
    rng = np.random.RandomState(0)
    n, n_features, n_out = 13, 5, 3
    X = rng.normal(size=(n, n_features))
    if sparse:
        X[rng.uniform(size=X.shape) < 0.5] = 0.0
        X = sp.csr_matrix(X)
    Y = np.ascontiguousarray(make_y(rng, n, n_out))
    sw = rng.uniform(0.5, 2.0, size=n)
    layout = ParamLayout((n_features, 4, 3, n_out))
    # Keep relu pre-activations away from the kink, where the derivative jumps.
    flat = rng.uniform(-0.5, 0.5, size=layout.n_params)
    flat += 0.3 if "relu" in (hidden, output) else 0.0
    return X, Y, sw, layout, flat, [hidden, hidden, output]


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,loss,make_y", OUTPUTS)
@pytest.mark.parametrize("sparse", [False, True])
def test_gradient_matches_finite_differences(hidden, output, loss, make_y, sparse):
    X, Y, sw, layout, flat, activations = _problem(hidden, output, loss, make_y, sparse)
    value, grad = _objective(X, Y, sw, flat, layout, activations, loss, alpha=0.3)
    assert np.isfinite(value)

    numeric = np.empty_like(flat)
    h = 1e-6
    for j in range(flat.shape[0]):
        up, down = flat.copy(), flat.copy()
        up[j] += h
        down[j] -= h
        numeric[j] = (
            _objective(X, Y, sw, up, layout, activations, loss, 0.3)[0]
            - _objective(X, Y, sw, down, layout, activations, loss, 0.3)[0]
        ) / (2 * h)
    assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,loss,make_y", OUTPUTS)
@pytest.mark.parametrize("sparse", [False, True])
def test_float32_gradient_tracks_float64(hidden, output, loss, make_y, sparse):
    X, Y, sw, layout, flat, activations = _problem(hidden, output, loss, make_y, sparse)
    value64, grad64 = _objective(X, Y, sw, flat, layout, activations, loss, 0.3)
    value32, grad32 = _objective(
        X, Y, sw, flat, layout, activations, loss, 0.3, dtype=np.float32
    )
    assert grad32.dtype == np.float32
    assert_allclose(value32, value64, rtol=1e-5)
    assert_allclose(grad32, grad64, rtol=1e-3, atol=1e-5)


def test_objective_matches_closed_form_squared_error():
    rng = np.random.RandomState(1)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    layout = ParamLayout((3, 2))
    flat = rng.normal(size=layout.n_params)
    (W,), (b,) = layout.views(flat)
    alpha = 0.5
    expected = (0.5 * ((X @ W + b - Y) ** 2).sum() + 0.5 * alpha * (W**2).sum()) / 7
    value, _ = _objective(
        X, Y, np.empty(0), flat, layout, ["identity"], "squared_error", alpha
    )
    assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "loss,expected",
    [
        ("absolute_error", lambda r: np.abs(r)),
        (
            "huber",
            lambda r: np.where(np.abs(r) <= 0.4, 0.5 * r**2, 0.4 * (np.abs(r) - 0.2)),
        ),
    ],
)
def test_robust_losses_match_closed_forms(loss, expected):
    rng = np.random.RandomState(2)
    X, Y = rng.normal(size=(9, 3)), rng.normal(size=(9, 2))
    layout = ParamLayout((3, 2))
    flat = rng.normal(size=layout.n_params)
    (W,), (b,) = layout.views(flat)
    value, _ = _objective(X, Y, np.empty(0), flat, layout, ["identity"], loss, 0.0)
    expected = expected(X @ W + b - Y).sum() / 9
    assert_allclose(value, expected, rtol=1e-12)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize(
    "Est,SkEst,y",
    [
        (MLPClassifier, sknn.MLPClassifier, np.arange(60) % 2),
        (MLPClassifier, sknn.MLPClassifier, np.arange(60) % 4),
        (MLPRegressor, sknn.MLPRegressor, np.linspace(-1, 1, 60)),
    ],
)
def test_forward_pass_with_sklearn_weights(activation, Est, SkEst, y):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 6))
    theirs = SkEst(
        hidden_layer_sizes=(9, 7), activation=activation, max_iter=3, random_state=0
    ).fit(X, y)
    ours = Est(
        hidden_layer_sizes=(9, 7), activation=activation, max_iter=1, random_state=5
    ).fit(X, y)
    ours.coefs_ = [c.copy() for c in theirs.coefs_]
    ours.intercepts_ = [i.copy() for i in theirs.intercepts_]
    X_new = rng.normal(size=(500, 6))
    if Est is MLPClassifier:
        assert_allclose(
            ours.predict_proba(X_new),
            theirs.predict_proba(X_new),
            rtol=1e-10,
            atol=1e-14,
        )
    assert_allclose(ours.predict(X_new), theirs.predict(X_new), rtol=1e-10, atol=1e-14)
