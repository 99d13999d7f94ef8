"""Forward and backward passes over all layers, dense and CSR input.

A network is described by plain integer arrays (the "spec" tuple) so that one
compiled kernel per dtype serves every architecture:

``units``      layer widths, input first: ``(n_features, h1, ..., n_outputs)``
``coef_off``   start of each weight matrix in the flat parameter vector
``int_off``    start of each bias vector in the flat parameter vector
``act_codes``  activation code of each non-input layer (last one = output)
``unit_cum``   ``unit_cum[l] = sum(units[1:l])``: where layer ``l`` starts in the
               activation/delta buffers, in units of batch rows

Input data travel as ``(X, X_data, X_indices, X_indptr)``: a C-contiguous dense
``X`` with empty CSR arrays, or an empty ``X`` with the CSR arrays. Batches are
given by ``rows`` (indices into X); when ``start >= 0`` the rows are the
contiguous range ``start:start + n_rows`` and dense X is used without a copy.
"""

import numpy as np

from ._jit import jit
from .activations import add_bias_and_activate, multiply_by_derivative
from .losses import output_delta_and_loss
from .optimizers import ALPHA, optimizer_step, scale_gradient


@jit
def _block(buf, offset, n_rows, n_cols):
    return buf[offset : offset + n_rows * n_cols].reshape((n_rows, n_cols))


@jit
def _weights(params, spec, layer):
    units, coef_off, int_off, _, _ = spec
    fan_in = units[layer]
    fan_out = units[layer + 1]
    start = coef_off[layer]
    W = params[start : start + fan_in * fan_out].reshape((fan_in, fan_out))
    b = params[int_off[layer] : int_off[layer] + fan_out]
    return W, b


# Elementwise loops below are written out: numba's slice assignment
# (``a[i, :] = b``) costs about 2 s of compile time per call site.


@jit
def _copy(src, dst):
    for j in range(src.shape[0]):
        dst[j] = src[j]


@jit
def _fill_zero(a):
    zero = a.dtype.type(0)
    for j in range(a.shape[0]):
        a[j] = zero


@jit
def _gather_rows(X, rows, out):
    for i in range(rows.shape[0]):
        _copy(X[rows[i]], out[i])


@jit
def _csr_rows_dot(data, indices, indptr, rows, W, Z):
    """Z = X[rows] @ W for CSR X, without densifying X."""
    n_cols = Z.shape[1]
    for i in range(rows.shape[0]):
        r = rows[i]
        z = Z[i]
        _fill_zero(z)
        for k in range(indptr[r], indptr[r + 1]):
            v = data[k]
            w = W[indices[k]]
            for j in range(n_cols):
                z[j] += v * w[j]


@jit
def _csr_rows_tdot(data, indices, indptr, rows, D, G):
    """G = X[rows].T @ D for CSR X: scatter-add each stored value's row of D."""
    n_cols = G.shape[1]
    _fill_zero(G.reshape(-1))
    for i in range(rows.shape[0]):
        r = rows[i]
        d = D[i]
        for k in range(indptr[r], indptr[r + 1]):
            v = data[k]
            g = G[indices[k]]
            for j in range(n_cols):
                g[j] += v * d[j]


@jit
def _column_sums(D, out):
    _fill_zero(out)
    for i in range(D.shape[0]):
        row = D[i]
        for j in range(out.shape[0]):
            out[j] += row[j]


@jit(inline=True)
def forward_batch(data, rows, start, params, spec, act_buf, x_buf):
    """Fill the activation buffer for the batch ``rows``; return the output block."""
    X, X_data, X_indices, X_indptr = data
    units, _, _, act_codes, unit_cum = spec
    n_rows = rows.shape[0]
    n_weights = units.shape[0] - 1
    Z = _block(act_buf, 0, n_rows, units[1])
    for layer in range(n_weights):
        W, b = _weights(params, spec, layer)
        Z = _block(act_buf, unit_cum[layer + 1] * n_rows, n_rows, units[layer + 1])
        if layer > 0:
            A = _block(act_buf, unit_cum[layer] * n_rows, n_rows, units[layer])
            np.dot(A, W, Z)
        elif X_indptr.shape[0] > 0:
            _csr_rows_dot(X_data, X_indices, X_indptr, rows, W, Z)
        elif start >= 0:
            np.dot(X[start : start + n_rows], W, Z)
        else:
            Xb = _block(x_buf, 0, n_rows, units[0])
            _gather_rows(X, rows, Xb)
            np.dot(Xb, W, Z)
        add_bias_and_activate(Z, b, act_codes[layer])
    return Z


@jit(inline=True)
def backward_batch(data, rows, start, params, spec, act_buf, delta_buf, x_buf, grad):
    """Raw gradients (A.T @ delta, column sums of delta) from the output delta.

    Expects ``forward_batch`` to have filled ``act_buf`` (and ``x_buf`` for
    gathered dense rows) and the output delta to sit in its block of
    ``delta_buf``. The L2 term and the 1/S scaling are left to the caller.
    """
    X, X_data, X_indices, X_indptr = data
    units, coef_off, int_off, act_codes, unit_cum = spec
    n_rows = rows.shape[0]
    n_weights = units.shape[0] - 1
    for layer in range(n_weights - 1, -1, -1):
        W, _ = _weights(params, spec, layer)
        fan_in = units[layer]
        fan_out = units[layer + 1]
        D = _block(delta_buf, unit_cum[layer + 1] * n_rows, n_rows, fan_out)
        G, gb = _weights(grad, spec, layer)
        if layer > 0:
            A = _block(act_buf, unit_cum[layer] * n_rows, n_rows, fan_in)
            np.dot(A.T, D, G)
        elif X_indptr.shape[0] > 0:
            _csr_rows_tdot(X_data, X_indices, X_indptr, rows, D, G)
        elif start >= 0:
            np.dot(X[start : start + n_rows].T, D, G)
        else:
            np.dot(_block(x_buf, 0, n_rows, fan_in).T, D, G)
        _column_sums(D, gb)
        if layer > 0:
            D_prev = _block(delta_buf, unit_cum[layer] * n_rows, n_rows, fan_in)
            np.dot(D, W.T, D_prev)
            multiply_by_derivative(A, D_prev, act_codes[layer - 1])


@jit
def _batch_weight_sum(sample_weight, rows):
    if sample_weight.shape[0] == 0:
        return float(rows.shape[0])
    total = 0.0
    for i in range(rows.shape[0]):
        total += sample_weight[rows[i]]
    return total


@jit(inline=True)
def _output_loss(out, Y, sample_weight, rows, spec, loss, delta_buf):
    """Weighted loss sum of a forward pass; the output delta goes to ``delta_buf``.

    ``loss`` is ``(loss_code, log_eps, huber_delta)``.
    """
    units, _, _, act_codes, unit_cum = spec
    n_layers = units.shape[0]
    n_rows = rows.shape[0]
    D = _block(delta_buf, unit_cum[n_layers - 1] * n_rows, n_rows, units[n_layers - 1])
    loss_code, log_eps, huber_delta = loss
    return output_delta_and_loss(out, Y, sample_weight, rows, D, loss_code,
                                 act_codes[n_layers - 2], log_eps, huber_delta)


@jit(inline=True)
def _loss_and_raw_gradient(data, Y, sample_weight, rows, start, params, spec, loss,
                           act_buf, delta_buf, x_buf, grad):
    out = forward_batch(data, rows, start, params, spec, act_buf, x_buf)
    loss_sum = _output_loss(out, Y, sample_weight, rows, spec, loss, delta_buf)
    backward_batch(data, rows, start, params, spec, act_buf, delta_buf, x_buf, grad)
    return loss_sum


@jit
def run_epoch(data, Y, sample_weight, order, contiguous, batch_size, params, grad,
              spec, loss, solver, hyper, state_a, state_b, step,
              act_buf, delta_buf, x_buf):
    """One epoch of minibatch training; returns sum of batch_loss * batch_rows.

    ``loss`` is ``(loss_code, log_eps, huber_delta)``; ``hyper`` is laid out
    as optimizers.ALPHA ... optimizers.EPSILON say; ``step`` (length-1 int array) counts minibatches for Adam's bias correction
    and is advanced in place.
    """
    alpha = hyper[ALPHA]
    n_coef = spec[2][0]
    n_samples = order.shape[0]
    total = 0.0
    for first in range(0, n_samples, batch_size):
        last = min(first + batch_size, n_samples)
        rows = order[first:last]
        start = first if contiguous else -1
        weight_sum = _batch_weight_sum(sample_weight, rows)
        loss_sum = _loss_and_raw_gradient(
            data, Y, sample_weight, rows, start, params, spec, loss,
            act_buf, delta_buf, x_buf, grad,
        )
        sumsq = optimizer_step(params, grad, n_coef, weight_sum, solver, hyper,
                               state_a, state_b, step)
        batch_loss = (loss_sum + 0.5 * alpha * sumsq) / weight_sum
        total += batch_loss * (last - first)
    return total


@jit
def loss_and_gradient(data, Y, sample_weight, params, grad, spec, loss, alpha,
                      act_buf, delta_buf):
    """Full-batch objective and its gradient (for L-BFGS), L2 term included."""
    n_samples = Y.shape[0]
    rows = np.arange(n_samples)
    weight_sum = _batch_weight_sum(sample_weight, rows)
    loss_sum = _loss_and_raw_gradient(
        data, Y, sample_weight, rows, 0, params, spec, loss,
        act_buf, delta_buf, act_buf[:0], grad,
    )
    sumsq = scale_gradient(params, grad, spec[2][0], weight_sum, alpha)
    return (loss_sum + 0.5 * alpha * sumsq) / weight_sum


@jit
def predict(data, n_samples, params, spec, chunk_rows):
    """Network output for every row of X, computed ``chunk_rows`` rows at a time."""
    units, _, _, _, unit_cum = spec
    n_layers = units.shape[0]
    n_out = units[n_layers - 1]
    out = np.empty((n_samples, n_out), dtype=params.dtype)
    chunk_rows = max(1, min(chunk_rows, n_samples))
    act_buf = np.empty(chunk_rows * unit_cum[n_layers], dtype=params.dtype)
    for first in range(0, n_samples, chunk_rows):
        last = min(first + chunk_rows, n_samples)
        rows = np.arange(first, last)
        block = forward_batch(data, rows, first, params, spec, act_buf, act_buf[:0])
        _copy(block.reshape(-1), out[first:last].reshape(-1))
    return out
