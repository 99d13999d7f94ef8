"""Loss values and output-layer deltas, fused in one pass over the outputs.

Every loss here is paired with its canonical output activation (identity for
squared error, softmax for multiclass log-loss, logistic for binary log-loss,
exp for Poisson), so the delta with respect to the output pre-activation is
``(prediction - target) * sample_weight``.

Per-sample losses are summed over outputs; the caller divides by the batch's
sample-weight sum.
"""

import numpy as np

from ._jit import jit

SQUARED_ERROR = 0
LOG_LOSS = 1
BINARY_LOG_LOSS = 2
POISSON = 3

LOSS_CODES = {
    "squared_error": SQUARED_ERROR,
    "log_loss": LOG_LOSS,
    "binary_log_loss": BINARY_LOG_LOSS,
    "poisson": POISSON,
}


@jit
def _sample_loss(a, y, code, eps):
    """One output's contribution to one sample's loss, in float64."""
    a = float(a)
    y = float(y)
    if code == SQUARED_ERROR:
        return 0.5 * (y - a) * (y - a)
    if code == LOG_LOSS:
        if y == 0.0:
            return 0.0
        return -y * np.log(min(max(a, eps), 1.0 - eps))
    if code == BINARY_LOG_LOSS:
        p = min(max(a, eps), 1.0 - eps)
        loss = 0.0
        if y != 0.0:
            loss -= y * np.log(p)
        if y != 1.0:
            loss -= (1.0 - y) * np.log(1.0 - p)
        return loss
    # POISSON: half deviance y log(y / a) - y + a, with 0 log 0 = 0
    loss = a - y
    if y != 0.0:
        loss += y * np.log(y / a)
    return loss


@jit
def output_delta_and_loss(A_out, Y, sample_weight, rows, delta, code, eps):
    """Fill ``delta`` with the output deltas and return the weighted loss sum.

    ``rows[i]`` is the row of ``Y`` (and ``sample_weight``) that batch row ``i``
    holds; an empty ``sample_weight`` means unit weights.
    """
    n_rows, n_out = A_out.shape
    weighted = sample_weight.shape[0] > 0
    total = 0.0
    for i in range(n_rows):
        r = rows[i]
        a = A_out[i]
        y = Y[r]
        d = delta[i]
        row_loss = 0.0
        for k in range(n_out):
            row_loss += _sample_loss(a[k], y[k], code, eps)
            d[k] = a[k] - y[k]
        if weighted:
            w = sample_weight[r]
            for k in range(n_out):
                d[k] = d[k] * w
            row_loss *= w
        total += row_loss
    return total
