"""Activation functions: bias add + activation fused in one pass, and the
derivative expressed through the activation's output (what backprop stores).

Integer codes select the function so that one compiled kernel serves every
network; the names live in :data:`ACTIVATION_CODES`.
"""

import numpy as np

from ._jit import jit

IDENTITY = 0
LOGISTIC = 1
TANH = 2
RELU = 3
SOFTPLUS = 4
SOFTMAX = 5
EXP = 6

ACTIVATION_CODES = {
    "identity": IDENTITY,
    "logistic": LOGISTIC,
    "tanh": TANH,
    "relu": RELU,
    "softplus": SOFTPLUS,
    "softmax": SOFTMAX,
    "exp": EXP,
}


@jit
def add_bias_and_activate(Z, bias, code):
    """Replace ``Z`` (C-contiguous, rows x units) by ``f(Z + bias)`` in place."""
    n_rows, n_units = Z.shape
    one = Z.dtype.type(1)
    zero = Z.dtype.type(0)
    for i in range(n_rows):
        row = Z[i]
        if code == IDENTITY:
            for j in range(n_units):
                row[j] = row[j] + bias[j]
        elif code == LOGISTIC:
            for j in range(n_units):
                row[j] = one / (one + np.exp(-(row[j] + bias[j])))
        elif code == TANH:
            for j in range(n_units):
                row[j] = np.tanh(row[j] + bias[j])
        elif code == RELU:
            for j in range(n_units):
                row[j] = max(row[j] + bias[j], zero)
        elif code == SOFTPLUS:
            for j in range(n_units):
                z = row[j] + bias[j]
                row[j] = max(z, zero) + np.log1p(np.exp(-abs(z)))
        elif code == EXP:
            # The exponent is clipped to [-cap, cap], well inside the dtype's
            # range: outputs never underflow to 0 (Poisson's log(y / a) stays
            # finite) nor overflow, even summed over many samples. A diverging
            # model still shows as huge outputs and non-finite weights.
            cap = Z.dtype.type(80.0 if Z.itemsize == 4 else 690.0)
            for j in range(n_units):
                row[j] = np.exp(max(min(row[j] + bias[j], cap), -cap))
        else:  # SOFTMAX
            top = row[0] + bias[0]
            for j in range(n_units):
                row[j] = row[j] + bias[j]
                top = max(top, row[j])
            total = zero
            for j in range(n_units):
                row[j] = np.exp(row[j] - top)
                total += row[j]
            for j in range(n_units):
                row[j] = row[j] / total


@jit
def multiply_by_derivative(A, delta, code):
    """``delta *= f'(z)`` in place, with ``f'`` computed from ``A = f(z)``."""
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
        # IDENTITY: derivative 1, nothing to do
