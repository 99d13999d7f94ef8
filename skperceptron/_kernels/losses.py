"""Loss values and output-layer deltas, fused in one pass over the outputs.

A loss paired with its canonical output activation (identity for squared
error, softmax for multiclass log-loss, logistic for binary log-loss, exp for
Poisson) has the delta ``prediction - target`` with respect to the output
pre-activation. Any other pairing (absolute or Huber loss, or a bounded or
positive output activation) takes the chain rule: ``dL/dprediction`` times the
activation's derivative, computed from the prediction.

Per-sample losses are summed over outputs and multiplied by the sample weight;
the caller divides by the batch's weight sum and multiplies by
``LossSpec.scale`` (scikit-learn averages the squared error over outputs while
its delta stays the summed loss's).
"""

import numpy as np

from ._jit import jit
from .activations import multiply_by_derivative
from .specs import (
    ABSOLUTE_ERROR,
    BINARY_LOG_LOSS,
    EXP,
    HUBER,
    IDENTITY,
    LOG_LOSS,
    LOGISTIC,
    POISSON,
    QUANTILE,
    SOFTMAX,
    SQUARED_ERROR,
)


@jit
def is_canonical(loss_code, out_code):
    """Whether the delta is simply ``prediction - target``."""
    return (
        (loss_code == SQUARED_ERROR and out_code == IDENTITY)
        or (loss_code == LOG_LOSS and out_code == SOFTMAX)
        or (loss_code == BINARY_LOG_LOSS and out_code == LOGISTIC)
        or (loss_code == POISSON and out_code == EXP)
    )


@jit
def _sample_loss(a, y, code, eps, huber_delta, quantile):
    """One output's contribution to one sample's loss, in float64."""
    a = float(a)
    y = float(y)
    if code == SQUARED_ERROR:
        return 0.5 * (y - a) * (y - a)
    if code == QUANTILE:
        r = y - a
        return max(quantile * r, (quantile - 1.0) * r)
    if code == ABSOLUTE_ERROR:
        return abs(a - y)
    if code == HUBER:
        r = abs(a - y)
        if r <= huber_delta:
            return 0.5 * r * r
        return huber_delta * (r - 0.5 * huber_delta)
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
def _loss_gradient(a, y, code, huber_delta, quantile):
    """d loss / d prediction for the non-canonical pairings."""
    r = a - y
    if code == ABSOLUTE_ERROR:
        return np.sign(r)
    if code == QUANTILE:
        if r > 0:
            return 1.0 - quantile
        return -quantile if r < 0 else 0.0
    if code == HUBER:
        return max(-huber_delta, min(huber_delta, r))
    if code == BINARY_LOG_LOSS or code == LOG_LOSS:
        # only reached with a non-logistic output; the canonical pair skips this
        return r / max(a * (1.0 - a), 1e-12)
    if code == POISSON:
        return 1.0 - y / a
    return r  # SQUARED_ERROR


@jit
def _quantile_of(quantiles, k):
    if quantiles.shape[0] == 0:
        return 0.0
    return quantiles[k % quantiles.shape[0]]


@jit(inline=True)
def output_delta_and_loss(A_out, Y, sample_weight, rows, delta, out_code, loss):
    """Fill ``delta`` with the output deltas and return the weighted loss sum.

    ``rows[i]`` is the row of ``Y`` (and ``sample_weight``) that batch row ``i``
    holds; an empty ``sample_weight`` means unit weights. ``loss`` is a
    ``LossSpec`` (its ``scale`` is left to the caller).
    """
    n_rows, n_out = A_out.shape
    weighted = sample_weight.shape[0] > 0
    loss_code, eps, huber_delta = loss.code, loss.log_eps, loss.huber_delta
    quantiles = loss.quantiles
    pinball = loss_code == QUANTILE  # else no per-output call (measured: 3% of
    # a digits epoch)
    canonical = is_canonical(loss_code, out_code)
    total = 0.0
    # 2-D indexing rather than row views: with few outputs per row, making
    # three views per row costs more than the arithmetic (docs/benchmarks.md).
    for i in range(n_rows):
        r = rows[i]
        row_loss = 0.0
        for k in range(n_out):
            row_loss += _sample_loss(
                A_out[i, k],
                Y[r, k],
                loss_code,
                eps,
                huber_delta,
                _quantile_of(quantiles, k) if pinball else 0.0,
            )
        if canonical:
            for k in range(n_out):
                delta[i, k] = A_out[i, k] - Y[r, k]
        else:
            for k in range(n_out):
                delta[i, k] = _loss_gradient(
                    A_out[i, k],
                    Y[r, k],
                    loss_code,
                    huber_delta,
                    _quantile_of(quantiles, k) if pinball else 0.0,
                )
        if weighted:
            w = sample_weight[r]
            for k in range(n_out):
                delta[i, k] = delta[i, k] * w
            row_loss *= w
        total += row_loss
    if not canonical:
        multiply_by_derivative(A_out, delta, out_code, 0.0)
    return total


@jit
def loss_sum(A_out, Y, sample_weight, rows, delta, out_code, loss):
    """``output_delta_and_loss`` as a function of its own (the validation
    loss, called from Python)."""
    return output_delta_and_loss(A_out, Y, sample_weight, rows, delta, out_code, loss)
