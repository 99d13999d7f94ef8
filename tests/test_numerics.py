"""Property tests: the kernels against straightforward numpy references, with
pre-activations up to |z| = 1e4, dense and sparse, float32 and float64."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose
from scipy.special import erf, expit, softmax, xlogy

from skperceptron._data import prediction_input
from skperceptron._forward import activate, predict
from skperceptron._kernels.activations import (
    add_bias_and_activate,
    multiply_by_derivative,
    multiply_by_pre_derivative,
)
from skperceptron._kernels.losses import output_delta_and_loss
from skperceptron._kernels.specs import ACTIVATION_CODES, LOSS_CODES, loss_spec
from skperceptron._params import ParamLayout

DTYPES = [np.float32, np.float64]
EXP_CAP = {np.float32: 80.0, np.float64: 690.0}

REFERENCE = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "softplus": lambda z: np.logaddexp(0, z),
    "softmax": lambda z: softmax(z, axis=1),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
    "selu": lambda z: (
        1.0507009873554805
        * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0)))
    ),
    "gelu": lambda z: 0.5 * z * (1 + erf(z / np.sqrt(2))),
    "silu": lambda z: z * expit(z),
    "mish": lambda z: z * np.tanh(np.logaddexp(0, z)),
}


def _matrix(dtype):
    return st.tuples(st.integers(1, 6), st.integers(1, 5)).flatmap(
        lambda shape: arrays(
            np.float64, shape, elements=st.floats(-1e4, 1e4, allow_nan=False)
        )
    )


def _numpy_forward(Z, bias, code, negative_slope):
    Z += bias
    activate(Z, code, negative_slope)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(REFERENCE) + ["exp"])
@pytest.mark.parametrize(
    "implementation",
    [add_bias_and_activate, _numpy_forward],
    ids=["training kernel", "prediction"],
)
@settings(max_examples=60, deadline=None)
@given(Z=_matrix(np.float64))
def test_activations_are_finite_and_match_numpy(implementation, name, dtype, Z):
    bias = np.linspace(-1, 1, Z.shape[1])
    out = Z.astype(dtype)
    implementation(out, bias.astype(dtype), ACTIVATION_CODES[name], 0.01)
    z = (Z.astype(dtype) + bias.astype(dtype)).astype(np.float64)  # rounded like ours
    if name == "exp":
        expected = np.exp(np.clip(z, -EXP_CAP[dtype], EXP_CAP[dtype]))
    else:
        expected = REFERENCE[name](z)
    assert np.all(np.isfinite(out))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_allclose(out, expected.astype(dtype), rtol=tol, atol=tol)
    if name in ("logistic", "tanh", "relu", "softplus"):
        delta = np.ones_like(out)
        multiply_by_derivative(out, delta, ACTIVATION_CODES[name], 0.01)
        assert np.all(np.isfinite(delta))


LOSS_PAIRS = [
    ("squared_error", "identity"),
    ("absolute_error", "identity"),
    ("huber", "identity"),
    ("poisson", "exp"),
    ("log_loss", "softmax"),
    ("binary_log_loss", "logistic"),
    ("squared_error", "logistic"),
    ("huber", "tanh"),
    ("absolute_error", "softplus"),
]


def _reference_loss(loss, a, y, eps):
    r = a - y
    if loss == "squared_error":
        return 0.5 * r**2
    if loss == "absolute_error":
        return np.abs(r)
    if loss == "huber":
        return np.where(np.abs(r) <= 1.0, 0.5 * r**2, np.abs(r) - 0.5)
    if loss == "poisson":
        return xlogy(y, y / a) - y + a
    p = np.clip(a, eps, 1 - eps)
    if loss == "log_loss":
        return -xlogy(y, p)
    return -(xlogy(y, p) + xlogy(1 - y, 1 - p))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss,out", LOSS_PAIRS)
@settings(max_examples=60, deadline=None)
@given(Z=_matrix(np.float64), seed=st.integers(0, 2**16))
def test_losses_and_deltas_are_finite_and_match_numpy(loss, out, dtype, Z, seed):
    rng = np.random.RandomState(seed)
    n, k = Z.shape
    if loss == "log_loss":
        Y = np.eye(k)[rng.randint(k, size=n)]
    elif loss in ("binary_log_loss",) or out == "logistic":
        Y = (rng.uniform(size=(n, k)) > 0.5) * 1.0
    elif loss == "poisson":
        Y = rng.poisson(2.0, size=(n, k)) * 1.0
    else:
        Y = rng.normal(size=(n, k))
    A = Z.astype(dtype)
    add_bias_and_activate(A, np.zeros(k, dtype), ACTIVATION_CODES[out], 0.01)
    delta = np.empty_like(A)
    eps = float(np.finfo(dtype).eps)
    total = output_delta_and_loss(
        A,
        Y.astype(dtype),
        np.empty(0, dtype),
        np.arange(n),
        delta,
        ACTIVATION_CODES[out],
        loss_spec(LOSS_CODES[loss], eps),
    )
    assert np.isfinite(total)
    assert np.all(np.isfinite(delta))
    expected = _reference_loss(loss, A.astype(np.float64), Y, eps).sum()
    assert_allclose(
        total, expected, rtol=1e-4 if dtype == np.float32 else 1e-9, atol=1e-6
    )


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    scale=st.sampled_from([1e-3, 1.0, 1e2, 1e4]),
    density=st.floats(0.05, 1.0),
)
def test_sparse_and_dense_forward_passes_agree(dtype, seed, scale, density):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(rng.randint(1, 30), 7)) * scale
    X[rng.uniform(size=X.shape) > density] = 0.0
    layout = ParamLayout((7, 5, 3))
    flat = rng.uniform(-1, 1, size=layout.n_params).astype(dtype)
    spec = layout.kernel_spec(["tanh", "softmax"])
    coefs, intercepts = layout.views(flat)
    dense = predict(
        prediction_input(X, dtype), coefs, intercepts, spec.act_codes, 0.01, 8
    )
    sparse = predict(
        prediction_input(sp.csr_matrix(X), dtype),
        coefs,
        intercepts,
        spec.act_codes,
        0.01,
        8,
    )
    assert np.all(np.isfinite(dense))
    assert_allclose(
        sparse, dense, rtol=1e-4 if dtype == np.float32 else 1e-12, atol=1e-6
    )


@pytest.mark.parametrize("name", ["elu", "selu", "silu", "mish"])
def test_float32_activations_are_within_a_few_ulp_of_float64(name):
    """Float32 networks compute these in float32 arithmetic: outputs and
    (silu, mish) derivatives within 4 ulp of the float64 kernels', from deep
    in the saturated tails to tiny arguments where exp(z) - 1 cancels."""
    z = np.concatenate(
        [
            np.linspace(-120, 100, 20_001),
            -np.logspace(-30, 1.5, 2_000),
            np.logspace(-30, 1, 1_000),
        ]
    )
    z32 = z.astype(np.float32)[None, :]
    code = ACTIVATION_CODES[name]
    out32, out64 = z32.copy(), z32.astype(np.float64)
    add_bias_and_activate(out32, np.zeros(z.size, np.float32), code, 0.01)
    add_bias_and_activate(out64, np.zeros(z.size), code, 0.01)
    eps = np.finfo(np.float32).eps
    assert_allclose(out32, out64, rtol=4 * eps, atol=1e-30)
    if name in ("silu", "mish"):
        d32, d64 = np.ones_like(z32), np.ones_like(out64)
        multiply_by_pre_derivative(z32.copy(), d32, code)
        multiply_by_pre_derivative(z32.astype(np.float64), d64, code)
        assert_allclose(d32, d64, rtol=4 * eps, atol=4 * eps)
