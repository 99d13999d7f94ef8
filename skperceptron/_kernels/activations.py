"""Activation functions: bias add + activation fused in one pass, and their
derivatives.

Integer codes select the function so that one compiled kernel serves every
network; the names live in ``specs.ACTIVATION_CODES``. Most derivatives are
expressed through the activation's output, which backprop stores anyway;
gelu, silu and mish cannot be inverted from their outputs, so training keeps
their pre-activations too (``specs.NEEDS_PRE_ACTIVATION``) and differentiates
those (``multiply_by_pre_derivative``).

Float32 networks compute elu, selu, silu and mish (and the derivatives of
the last two) in float32 arithmetic (``_exp32``, ``_expm1_32``): a vector
instruction holds 8 float32 where it holds 4 float64, and a shorter
polynomial suffices, so they run three to four times as fast, within 2 ulp
of float32. scikit-learn's own activations keep float64 exponentials.
"""

import math

import numpy as np

from ._intrinsics import as_vector, float_from_bits
from ._jit import jit
from .specs import (
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

_SELU_SCALE = 1.0507009873554805
_SELU_ALPHA = 1.6732632423543772
_SQRT_HALF = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327


# exp(x) = 2**k * exp(r) with k = round(x / ln 2), |r| <= ln(2) / 2; ln 2 is
# split in two so that k * ln 2 is exact to double precision.
_LOG2_E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
# 1 / n! for the Taylor polynomial of exp(r); the next term is below 2e-17.
_INV_FACTORIALS = (
    1.0,
    1.0,
    0.5,
    1.0 / 6,
    1.0 / 24,
    1.0 / 120,
    1.0 / 720,
    1.0 / 5040,
    1.0 / 40320,
    1.0 / 362880,
    1.0 / 3628800,
    1.0 / 39916800,
    1.0 / 479001600,
    1.0 / 6227020800,
)


@jit(inline=True)
def _exp(x):
    """exp of a float64 as arithmetic only, so that loops calling it vectorise.

    numba's ``np.exp`` is a scalar libm call; loops over this run an order of
    magnitude faster (docs/benchmarks.md). Arguments are clamped to [-708,
    709], so results stay finite and normal (exp(-708) ~ 3e-308 stands for
    smaller values). The relative error is about 2 ulp.
    """
    c = _INV_FACTORIALS
    x = min(max(x, -708.0), 709.0)
    k = np.floor(x * _LOG2_E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = c[13]
    p = p * r + c[12]
    p = p * r + c[11]
    p = p * r + c[10]
    p = p * r + c[9]
    p = p * r + c[8]
    p = p * r + c[7]
    p = p * r + c[6]
    p = p * r + c[5]
    p = p * r + c[4]
    p = p * r + c[3]
    p = p * r + c[2]
    p = p * r + c[1]
    p = p * r + c[0]
    return p * float_from_bits((np.int64(k) + 1023) << 52)  # times 2**k


# float32: the same reduction, ln 2 split so that k * _LN2_HI32 is exact in
# float32 (its 9 significant bits times |k| <= 127), and the Taylor
# polynomial of exp(r) - 1 to r^7 (the next term is below 2e-9 of it).
_F32 = np.float32
_LOG2_E32 = _F32(_LOG2_E)
_LN2_HI32 = _F32(0.693359375)
_LN2_LO32 = _F32(-2.12194440e-4)
_EXP32_LOW = _F32(-87.0)
_EXP32_HIGH = _F32(88.0)
_HALF32 = _F32(0.5)
_ONE32 = _F32(1.0)
_TWO32 = _F32(2.0)
_EXPM1_32 = tuple(_F32(c) for c in _INV_FACTORIALS[1:8])
_SELU_SCALE32 = _F32(_SELU_SCALE)
_SELU_ALPHA32 = _F32(_SELU_ALPHA)
_MISH_CAP32 = _F32(20.0)
_SILU_CAP32 = _F32(40.0)


@jit(inline=True)
def _expm1_parts32(x):
    """``(2**k, exp(r) - 1)`` with ``exp(x) = 2**k * exp(r)``, x a float32
    clamped to [-87, 88] (finite, normal results), in float32 arithmetic."""
    c = _EXPM1_32
    x = min(max(x, _EXP32_LOW), _EXP32_HIGH)
    k = np.floor(x * _LOG2_E32 + _HALF32)
    r = (x - k * _LN2_HI32) - k * _LN2_LO32
    q = c[6]
    q = q * r + c[5]
    q = q * r + c[4]
    q = q * r + c[3]
    q = q * r + c[2]
    q = q * r + c[1]
    q = q * r + c[0]
    return float_from_bits(np.int32((np.int32(k) + 127) << 23)), q * r


@jit(inline=True)
def _exp32(x):
    """exp of a float32 in float32 arithmetic (about 1 ulp), vectorisable."""
    scale, q = _expm1_parts32(x)
    return scale * q + scale


@jit(inline=True)
def _expm1_32(x):
    """``exp(x) - 1`` of a float32: ``2**k (e^r - 1) + (2**k - 1)``, which
    never cancels badly (exact expm1(r) for |x| < ln(2) / 2)."""
    scale, q = _expm1_parts32(x)
    return scale * q + (scale - _ONE32)


@jit
def exp_inplace(values):
    """``values[j] = exp(values[j])`` in a loop LLVM can vectorise (``_exp``).

    The work is done in float64 whatever the dtype of ``values``: logistic,
    tanh and softmax keep the accuracy scikit-learn's float32 networks have.
    """
    for j in range(values.shape[0]):
        values[j] = _exp(float(values[j]))


@jit(inline=True)
def _expm1_negative(z):
    """``exp(z) - 1`` for ``z <= 0``: a Taylor polynomial near 0, where the
    difference would cancel (relative error below 1e-13 either side)."""
    if z > -1e-3:
        return z * (1.0 + z * (0.5 + z * (1.0 / 6.0 + z * (1.0 / 24.0))))
    return _exp(z) - 1.0


@jit(inline=True)
def _mish_tanh(z):
    """``tanh(softplus(z))`` through ``n = e^z``: ``(n^2 + 2n) / (n^2 + 2n + 2)``."""
    n = _exp(min(z, 20.0))  # beyond 20 the ratio is 1 to double precision
    m = n * (n + 2.0)
    return m / (m + 2.0)


@jit(inline=True)
def _mish_tanh32(z):
    """``_mish_tanh`` of a float32, in float32 arithmetic."""
    n = _exp32(min(z, _MISH_CAP32))
    m = n * (n + _TWO32)
    return m / (m + _TWO32)


@jit
def _activate_float32(row, bias, code):
    """One float32 row of elu, selu, silu or mish, bias added (``_exp32``)."""
    zero = _F32(0.0)
    if code == ELU:
        for j in range(row.shape[0]):
            z = row[j] + bias[j]
            negative = _expm1_32(min(z, zero))
            row[j] = z if z > zero else negative
    elif code == SELU:
        for j in range(row.shape[0]):
            z = row[j] + bias[j]
            negative = _SELU_ALPHA32 * _expm1_32(min(z, zero))
            row[j] = _SELU_SCALE32 * (z if z > zero else negative)
    elif code == SILU:
        for j in range(row.shape[0]):
            z = row[j] + bias[j]
            row[j] = z / (_ONE32 + _exp32(-z))
    else:  # MISH
        for j in range(row.shape[0]):
            z = row[j] + bias[j]
            row[j] = z * _mish_tanh32(z)


@jit
def _activate_extended(row, bias, code, negative_slope):
    """One row of leaky_relu, elu, gelu, silu or mish, bias added.

    All but gelu (libm's ``erf``) are arithmetic and ``_exp``, which vectorise.
    """
    zero = row.dtype.type(0)
    if row.itemsize == 4 and code != LEAKY_RELU and code != GELU:
        _activate_float32(row, bias, code)
    elif code == LEAKY_RELU:
        slope = row.dtype.type(negative_slope)
        for j in range(row.shape[0]):
            z = row[j] + bias[j]
            row[j] = z if z > zero else slope * z
    elif code == ELU:
        for j in range(row.shape[0]):
            z = float(row[j] + bias[j])
            row[j] = z if z > 0.0 else _expm1_negative(z)
    elif code == SELU:
        for j in range(row.shape[0]):
            z = float(row[j] + bias[j])
            negative = _SELU_ALPHA * _expm1_negative(min(z, 0.0))
            row[j] = _SELU_SCALE * (z if z > 0.0 else negative)
    elif code == SILU:
        for j in range(row.shape[0]):
            z = float(row[j] + bias[j])
            row[j] = z / (1.0 + _exp(-z))
    elif code == MISH:
        for j in range(row.shape[0]):
            z = float(row[j] + bias[j])
            row[j] = z * _mish_tanh(z)
    else:  # GELU
        for j in range(row.shape[0]):
            z = float(row[j] + bias[j])
            row[j] = 0.5 * z * (1.0 + math.erf(z * _SQRT_HALF))


@jit
def add_bias_and_activate(Z, bias, code, negative_slope):
    """Replace ``Z`` (C-contiguous, rows x units) by ``f(Z + bias)`` in place.

    ``negative_slope`` is leaky relu's slope for negative inputs.

    Logistic, tanh, softmax and exp share one call of the vectorised
    ``exp_inplace`` over the whole block (one call site keeps compile time
    down, and a 10-unit softmax row is too short for vector loops): a first
    pass writes each exponent into place, then the exponentials are turned
    into the output row by row. No scratch memory is needed.
    """
    n_rows, n_units = Z.shape
    zero = Z.dtype.type(0)
    # The exp output's exponent is clipped to [-cap, cap], well inside the
    # dtype's range: outputs never underflow to 0 (Poisson's log(y / a) stays
    # finite) nor overflow, even summed over many samples. A diverging model
    # still shows as huge outputs and non-finite weights.
    cap = 80.0 if Z.itemsize == 4 else 690.0
    for i in range(n_rows):
        row = Z[i]
        if code == IDENTITY:
            for j in range(n_units):
                row[j] = row[j] + bias[j]
        elif code == RELU:
            for j in range(n_units):
                row[j] = max(row[j] + bias[j], zero)
        elif code == SOFTPLUS:
            for j in range(n_units):
                z = row[j] + bias[j]
                row[j] = max(z, zero) + np.log1p(np.exp(-abs(z)))
        elif code >= LEAKY_RELU:
            _activate_extended(row, bias, code, negative_slope)
        elif code == LOGISTIC:
            for j in range(n_units):
                row[j] = -(row[j] + bias[j])
        elif code == TANH:
            for j in range(n_units):
                row[j] = -2.0 * (row[j] + bias[j])
        elif code == EXP:
            for j in range(n_units):
                row[j] = max(min(row[j] + bias[j], cap), -cap)
        else:  # SOFTMAX: exponentials of z - max(z)
            top = row[0] + bias[0]
            for j in range(n_units):
                row[j] = row[j] + bias[j]
                top = max(top, row[j])
            for j in range(n_units):
                row[j] = row[j] - top
    if code != LOGISTIC and code != TANH and code != EXP and code != SOFTMAX:
        return
    exp_inplace(as_vector(Z))
    if code == EXP:
        return
    for i in range(n_rows):
        row = Z[i]
        if code == LOGISTIC:
            for j in range(n_units):
                row[j] = 1.0 / (1.0 + row[j])
        elif code == TANH:  # 2 / (1 + exp(-2z)) - 1, absolute error ~2e-16
            for j in range(n_units):
                row[j] = 2.0 / (1.0 + row[j]) - 1.0
        else:  # SOFTMAX
            total = 0.0
            for j in range(n_units):
                total += row[j]
            for j in range(n_units):
                row[j] = row[j] / total


@jit
def _derivative_extended(a, d, code, negative_slope):
    """One row of leaky_relu's, elu's or selu's derivative, from the outputs
    ``a``."""
    zero = a.dtype.type(0)
    if code == LEAKY_RELU:
        slope = a.dtype.type(negative_slope)
        for j in range(a.shape[0]):
            if a[j] <= zero:
                d[j] = d[j] * slope
    elif code == SELU:  # scale for z > 0, else f(z) + scale * alpha
        scale = a.dtype.type(_SELU_SCALE)
        shift = a.dtype.type(_SELU_SCALE * _SELU_ALPHA)
        for j in range(a.shape[0]):
            d[j] = d[j] * (scale if a[j] > zero else a[j] + shift)
    else:  # f(z) = e^z - 1 for z <= 0 gives f'(z) = f(z) + 1
        for j in range(a.shape[0]):
            if a[j] <= zero:
                d[j] = d[j] * (a[j] + 1)


@jit
def multiply_by_derivative(A, delta, code, negative_slope):
    """``delta *= f'(z)`` in place, with ``f'`` computed from ``A = f(z)``.

    Not for the codes from ``NEEDS_PRE_ACTIVATION`` on (see
    ``multiply_by_pre_derivative``); ``negative_slope`` as
    ``add_bias_and_activate`` takes it.
    """
    n_rows, n_units = A.shape
    one = A.dtype.type(1)
    zero = A.dtype.type(0)
    for i in range(n_rows):
        a = A[i]
        d = delta[i]
        if code == LOGISTIC:
            for j in range(n_units):
                d[j] = d[j] * a[j] * (one - a[j])
        elif code == TANH:
            for j in range(n_units):
                d[j] = d[j] * (one - a[j] * a[j])
        elif code == RELU:
            for j in range(n_units):
                if a[j] == 0:
                    d[j] = zero
        elif code == SOFTPLUS:
            # f(z) = log(1 + e^z) gives f'(z) = sigmoid(z) = 1 - e^{-f(z)}
            for j in range(n_units):
                d[j] = d[j] * -np.expm1(-a[j])
        elif code == LEAKY_RELU or code == ELU or code == SELU:
            _derivative_extended(a, d, code, negative_slope)
        # IDENTITY: derivative 1, nothing to do


@jit
def _pre_derivative_float32(z_row, d, code):
    """One float32 row of ``multiply_by_pre_derivative`` for silu or mish.

    ``1 - s`` and ``1 - t^2`` are formed from ``e^-z`` and ``m`` below, not
    by subtraction, which loses float32's digits as ``s`` and ``t`` near 1.
    silu's ``z`` is clamped to +-40, where its derivative is 0 or 1 to
    float32 precision, so that no reassociation of ``z * e^-z * s`` overflows.
    """
    if code == SILU:
        for j in range(z_row.shape[0]):
            z = min(max(z_row[j], -_SILU_CAP32), _SILU_CAP32)
            n = _exp32(-z)
            s = _ONE32 / (_ONE32 + n)
            d[j] = d[j] * (s * (_ONE32 + z * (n * s)))
    else:  # MISH: t = m / (m + 2), so 1 - t^2 = 2 (1 + t) / (m + 2)
        for j in range(z_row.shape[0]):
            z = z_row[j]
            n = _exp32(min(z, _MISH_CAP32))
            m = n * (n + _TWO32)
            t = m / (m + _TWO32)
            one_minus_t2 = _TWO32 * (_ONE32 + t) / (m + _TWO32)
            sigmoid = _ONE32 / (_ONE32 + _exp32(-z))
            d[j] = d[j] * (t + z * one_minus_t2 * sigmoid)


@jit
def multiply_by_pre_derivative(Z, delta, code):
    """``delta *= f'(z)`` in place for gelu, silu or mish, from ``Z = z``."""
    n_rows, n_units = Z.shape
    for i in range(n_rows):
        z_row = Z[i]
        d = delta[i]
        if Z.itemsize == 4 and code != GELU:
            _pre_derivative_float32(z_row, d, code)
        elif code == SILU:
            for j in range(n_units):
                z = float(z_row[j])
                s = 1.0 / (1.0 + _exp(-z))
                d[j] = d[j] * (s * (1.0 + z * (1.0 - s)))
        elif code == MISH:
            for j in range(n_units):
                z = float(z_row[j])
                t = _mish_tanh(z)
                sigmoid = 1.0 / (1.0 + _exp(-z))
                d[j] = d[j] * (t + z * (1.0 - t * t) * sigmoid)
        else:  # GELU
            for j in range(n_units):
                z = float(z_row[j])
                cdf = 0.5 * (1.0 + math.erf(z * _SQRT_HALF))
                d[j] = d[j] * (cdf + z * _INV_SQRT_2PI * _exp(-0.5 * z * z))
