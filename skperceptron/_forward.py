"""The forward pass of prediction, in numpy and scipy calls only.

Prediction is one BLAS product per layer (numpy's, or scipy's for CSR input)
and an elementwise activation, which numpy's ufuncs compute in place: serving
a fitted model needs no compiler and never imports numba. The activations
are the training kernels' functions (``_kernels/activations.py``) computed by
numpy, in the dtype of the weights: the outputs agree with the kernels' to
rounding (tests/test_numerics.py, tests/test_tables.py).
"""

from typing import NamedTuple

import numpy as np
from scipy.special import erf, expit

from ._kernels.specs import (
    ELU,
    EXP,
    GELU,
    IDENTITY,
    LEAKY_RELU,
    LOGISTIC,
    MISH,
    RELU,
    SELU,
    SILU,
    SOFTMAX,
    SOFTPLUS,
    TANH,
)

_SQRT_HALF = 0.7071067811865476
_TWO_PI = 2.0 * np.pi
_SELU_SCALE = 1.0507009873554805
_SELU_ALPHA = 1.6732632423543772


def _softplus(Z, out):
    """``log(1 + exp(z))`` as ``max(z, 0) + log1p(exp(-|z|))`` (no overflow)."""
    tail = np.log1p(np.exp(-np.abs(Z)))
    np.maximum(Z, 0, out=out)
    out += tail
    return out


def _expm1_negative(Z):
    """``exp(z) - 1`` of ``Z <= 0``, in place. In float32 as
    ``tanh(z / 2) * (exp(z) + 1)`` (within 2 ulp): numpy vectorises float32
    ``exp`` and ``tanh`` but not ``expm1``, which took three times as long."""
    if Z.dtype != np.float32:
        return np.expm1(Z, out=Z)
    exp_plus_one = np.exp(Z)
    exp_plus_one += np.float32(1)
    Z *= np.float32(0.5)
    np.tanh(Z, out=Z)
    Z *= exp_plus_one
    return Z


def _mish_tanh(Z):
    """``tanh(softplus(z))`` as ``(n^2 + 2n) / (n^2 + 2n + 2)``, ``n = e^z``,
    as the kernels compute it: one vectorised ``exp`` instead of ``exp``,
    ``log1p`` and ``tanh`` (beyond z = 20 the ratio is 1 to double precision)."""
    n = np.minimum(Z, Z.dtype.type(20))
    np.exp(n, out=n)
    m = n + 2
    m *= n
    np.add(m, 2, out=n)
    np.divide(m, n, out=n)
    return n


def activate(Z, code, negative_slope):
    """Replace ``Z`` (rows x units, biases added) by ``f(Z)`` in place."""
    if code == IDENTITY:
        return
    if code == RELU:
        np.maximum(Z, 0, out=Z)
    elif code == LOGISTIC:
        expit(Z, out=Z)
    elif code == TANH:
        np.tanh(Z, out=Z)
    elif code == SOFTMAX:
        Z -= Z.max(axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=1, keepdims=True)
    elif code == EXP:
        # the kernels clip the exponent well inside the dtype's range
        cap = 80.0 if Z.itemsize == 4 else 690.0
        np.clip(Z, -cap, cap, out=Z)
        np.exp(Z, out=Z)
    elif code == SOFTPLUS:
        _softplus(Z, Z)
    elif code == LEAKY_RELU:
        np.multiply(Z, Z.dtype.type(negative_slope), out=Z, where=Z <= 0)
    elif code == ELU:
        negative = _expm1_negative(np.minimum(Z, 0))
        np.copyto(Z, negative, where=Z <= 0)
    elif code == SELU:
        negative = _expm1_negative(np.minimum(Z, 0))
        negative *= Z.dtype.type(_SELU_ALPHA * _SELU_SCALE)
        np.maximum(Z, 0, out=Z)
        Z *= Z.dtype.type(_SELU_SCALE)
        Z += negative
    elif code == GELU:
        cdf = erf(Z * Z.dtype.type(_SQRT_HALF))
        cdf += 1
        cdf *= 0.5
        Z *= cdf
    elif code == SILU:
        Z *= expit(Z)
    elif code == MISH:
        Z *= _mish_tanh(Z)
    else:
        raise ValueError(f"Unknown activation code {code}.")


class InputLayer(NamedTuple):
    """The first layer's extras (see ``_kernels/inputs.py``): ``front_scale``
    (one per input of the first layer, or None), and the periodic embeddings
    of the columns ``embedded`` of X: ``frequencies`` and ``phases`` (m, k),
    ``coefs`` (m, k, d) and ``intercepts`` (m, d), or None without them."""

    front_scale: object
    embedded: object
    frequencies: object
    phases: object
    coefs: object
    intercepts: object


def input_layer(extras, embedded):
    """The ``InputLayer`` of ``ParamLayout.extra_views``'s dict, or None."""
    if not extras:
        return None
    return InputLayer(
        extras.get("front_scale"),
        np.asarray(embedded, dtype=np.intp),
        extras.get("frequencies"),
        extras.get("phases"),
        extras.get("embedding_coefs"),
        extras.get("embedding_intercepts"),
    )


def embed(A, inputs):
    """The first layer's input rows: ``A`` (dense or CSR rows) and, with
    embeddings, each embedded column's ``d`` outputs after the raw columns."""
    if inputs is None or inputs.frequencies is None:
        return A
    if not isinstance(A, np.ndarray):
        A = A.toarray()
    # in the weights' dtype, as training computes them (float32 cosines are
    # some 30 times faster than float64 ones)
    x = A[:, inputs.embedded]
    # feature-major (m, n, k): one batched matrix product per feature below
    theta = (_TWO_PI * x.T)[:, :, None] * inputs.frequencies[:, None, :]
    theta += inputs.phases[:, None, :]
    outputs = np.matmul(np.cos(theta, out=theta), inputs.coefs)  # (m, n, d)
    outputs += inputs.intercepts[:, None, :]
    flat = outputs.transpose(1, 0, 2).reshape(A.shape[0], -1).astype(A.dtype)
    return np.hstack([A, flat])


def first_weights(coefs, inputs):
    """The first weight matrix as the input meets it (front scale folded in)."""
    if inputs is None or inputs.front_scale is None:
        return coefs[0]
    return inputs.front_scale[:, None] * coefs[0]


def predict(X, coefs, intercepts, act_codes, negative_slope, chunk_rows, inputs=None):
    """Network output for every row of X, computed ``chunk_rows`` rows at a time.

    ``X`` is dense (C-contiguous) or CSR, in the dtype of the weights;
    ``act_codes`` holds one activation code per layer, ``negative_slope`` leaky
    relu's slope; ``inputs`` the ``InputLayer`` of the first layer's extras
    (None: none).
    """
    n_samples = X.shape[0]
    n_weights = len(coefs)
    dtype = coefs[0].dtype
    out = np.empty((n_samples, coefs[-1].shape[1]), dtype=dtype)
    chunk_rows = max(1, min(chunk_rows, n_samples))
    hidden = [np.empty((chunk_rows, W.shape[1]), dtype=dtype) for W in coefs[:-1]]
    weights = [first_weights(coefs, inputs), *coefs[1:]]
    for first in range(0, n_samples, chunk_rows):
        last = min(first + chunk_rows, n_samples)
        A = embed(X[first:last], inputs)
        for k in range(n_weights):
            Z = out[first:last] if k == n_weights - 1 else hidden[k][: last - first]
            if k == 0 and not isinstance(A, np.ndarray):
                Z[...] = A @ weights[0]  # CSR rows times dense weights
            else:
                np.dot(A, weights[k], out=Z)
            Z += intercepts[k]
            activate(Z, int(act_codes[k]), negative_slope)
            A = Z
    return out
