"""Forward and backward passes over all layers, dense and CSR input.

A network is described by a ``NetworkSpec`` of plain integer arrays so that
one compiled kernel per dtype serves every architecture. Input data travel as
``(X, csr)``: a C-contiguous dense ``X`` and ``None``, or ``None`` and the CSR
arrays ``(data, indices, indptr)``. Batches are given by ``rows`` (indices
into X). Training passes ``start=None`` and gathers dense rows into the
workspace's ``x_buf``; L-BFGS passes ``x_buf=None`` and an integer ``start``:
the rows are then the contiguous block ``start:start + n_rows`` of dense X,
used without a copy. Matrix products go through ``_blas.gemm``.

Which of these cases applies, and SGD versus Adam, is told by ``None`` in an
argument rather than by a flag: numba prunes ``is None`` branches on argument
types before typing, so each combination compiles only its own code (the
default dense Adam fit never compiles the sparse or SGD loops). Such a test
must sit in a function that takes the argument itself (``_input_times``,
``optimizers.optimizer_step``): numba does not prune a test on a field of a
NamedTuple.
"""

from typing import NamedTuple

import numpy as np

from ._blas import gemm
from ._intrinsics import as_matrix, as_vector
from ._jit import jit
from .activations import add_bias_and_activate, multiply_by_derivative
from .losses import output_delta_and_loss
from .optimizers import optimizer_step, scale_gradient


class NetworkSpec(NamedTuple):
    """The shape of a network, as ``ParamLayout.kernel_spec`` builds it.

    ``units``: layer widths, input first ``(n_features, h1, ..., n_outputs)``;
    ``coef_off`` and ``int_off``: where each weight matrix and bias vector
    starts in the flat parameter vector; ``act_codes``: the activation code of
    each non-input layer (the last is the output's); ``unit_cum``: where layer
    ``l`` starts in the activation and delta buffers, in units of batch rows
    (``sum(units[1:l])``).
    """

    units: np.ndarray
    coef_off: np.ndarray
    int_off: np.ndarray
    act_codes: np.ndarray
    unit_cum: np.ndarray


class Workspace(NamedTuple):
    """Scratch arrays of a training call, allocated once per fit.

    ``act_buf`` and ``delta_buf`` hold every layer's activations and deltas
    for one batch (``batch_rows * unit_cum[-1]`` values); ``x_buf`` the
    gathered dense input rows (None for CSR input and for L-BFGS); ``grad``
    the gradient, shaped like the flat parameter vector.
    """

    act_buf: np.ndarray
    delta_buf: np.ndarray
    x_buf: object
    grad: np.ndarray


def workspace(spec, n_rows, n_params, dtype, gather_rows):
    """A ``Workspace`` for batches of up to ``n_rows`` rows."""
    act_buf = np.empty(n_rows * int(spec.unit_cum[-1]), dtype=dtype)
    x_buf = np.empty(n_rows * int(spec.units[0]), dtype=dtype) if gather_rows else None
    return Workspace(
        act_buf, np.empty_like(act_buf), x_buf, np.empty(n_params, dtype=dtype)
    )


@jit
def _weights(params, spec, layer):
    fan_out = spec.units[layer + 1]
    W = as_matrix(params, spec.coef_off[layer], spec.units[layer], fan_out)
    b = params[spec.int_off[layer] : spec.int_off[layer] + fan_out]
    return W, b


# Elementwise loops below are written out: numba's slice assignment
# (``a[i, :] = b``) costs seconds of compile time per call site.


@jit
def _fill_zero(a):
    zero = a.dtype.type(0)
    for j in range(a.shape[0]):
        a[j] = zero


@jit
def _gather_rows(X, rows, out):
    for i in range(rows.shape[0]):
        r = rows[i]
        for j in range(out.shape[1]):
            out[i, j] = X[r, j]


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
    _fill_zero(as_vector(G))
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
        for j in range(out.shape[0]):
            out[j] += D[i, j]


# The branches below test, for each case, an argument that is None in every
# other case: numba can prune a branch on "arg is None" only when arg is None.


@jit
def _input_times(X, csr, rows, start, x_buf, W, Z):
    """Z = X[rows] @ W for the first layer (see the module docstring for the cases)."""
    n_rows = Z.shape[0]
    if csr is not None:
        _csr_rows_dot(csr[0], csr[1], csr[2], rows, W, Z)
    if X is not None:
        if start is not None:
            gemm(X[start : start + n_rows], W, Z)
        if x_buf is not None:
            Xb = as_matrix(x_buf, 0, n_rows, W.shape[0])
            _gather_rows(X, rows, Xb)
            gemm(Xb, W, Z)


@jit
def _input_t_times(X, csr, rows, start, x_buf, D, G):
    """G = X[rows].T @ D, reusing the rows ``_input_times`` gathered."""
    n_rows = D.shape[0]
    if csr is not None:
        _csr_rows_tdot(csr[0], csr[1], csr[2], rows, D, G)
    if X is not None:
        if start is not None:
            gemm(X[start : start + n_rows].T, D, G)
        if x_buf is not None:
            gemm(as_matrix(x_buf, 0, n_rows, G.shape[0]).T, D, G)


@jit(inline=True)
def forward_batch(data, rows, start, params, spec, act_buf, x_buf):
    """Fill the activation buffer for the batch ``rows``; return the output block."""
    X, csr = data
    units, act_codes, unit_cum = spec.units, spec.act_codes, spec.unit_cum
    n_rows = rows.shape[0]
    n_weights = units.shape[0] - 1
    Z = as_matrix(act_buf, 0, n_rows, units[1])
    for layer in range(n_weights):
        W, b = _weights(params, spec, layer)
        Z = as_matrix(act_buf, unit_cum[layer + 1] * n_rows, n_rows, units[layer + 1])
        if layer > 0:
            A = as_matrix(act_buf, unit_cum[layer] * n_rows, n_rows, units[layer])
            gemm(A, W, Z)
        else:
            _input_times(X, csr, rows, start, x_buf, W, Z)
        add_bias_and_activate(Z, b, act_codes[layer])
    return Z


@jit(inline=True)
def backward_batch(data, rows, start, params, spec, act_buf, delta_buf, x_buf, grad):
    """Raw gradients (A.T @ delta, column sums of delta) from the output delta.

    Expects ``forward_batch`` to have filled ``act_buf`` (and ``x_buf`` for
    gathered dense rows) and the output delta to sit in its block of
    ``delta_buf``. The L2 term and the 1/S scaling are left to the caller.
    """
    X, csr = data
    units, act_codes, unit_cum = spec.units, spec.act_codes, spec.unit_cum
    n_rows = rows.shape[0]
    n_weights = units.shape[0] - 1
    for layer in range(n_weights - 1, -1, -1):
        W, _ = _weights(params, spec, layer)
        fan_in = units[layer]
        fan_out = units[layer + 1]
        D = as_matrix(delta_buf, unit_cum[layer + 1] * n_rows, n_rows, fan_out)
        G, gb = _weights(grad, spec, layer)
        if layer > 0:
            A = as_matrix(act_buf, unit_cum[layer] * n_rows, n_rows, fan_in)
            gemm(A.T, D, G)
        else:
            _input_t_times(X, csr, rows, start, x_buf, D, G)
        _column_sums(D, gb)
        if layer > 0:
            D_prev = as_matrix(delta_buf, unit_cum[layer] * n_rows, n_rows, fan_in)
            gemm(D, W.T, D_prev)
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

    ``loss`` is a ``losses.LossSpec``; its ``scale`` applies to the value only.
    """
    units, act_codes, unit_cum = spec.units, spec.act_codes, spec.unit_cum
    n_layers = units.shape[0]
    n_rows = rows.shape[0]
    D = as_matrix(
        delta_buf, unit_cum[n_layers - 1] * n_rows, n_rows, units[n_layers - 1]
    )
    return loss.scale * output_delta_and_loss(
        out,
        Y,
        sample_weight,
        rows,
        D,
        loss.code,
        act_codes[n_layers - 2],
        loss.log_eps,
        loss.huber_delta,
    )


@jit(inline=True)
def _loss_and_raw_gradient(
    data,
    Y,
    sample_weight,
    rows,
    start,
    params,
    spec,
    loss,
    act_buf,
    delta_buf,
    x_buf,
    grad,
):
    out = forward_batch(data, rows, start, params, spec, act_buf, x_buf)
    loss_sum = _output_loss(out, Y, sample_weight, rows, spec, loss, delta_buf)
    backward_batch(data, rows, start, params, spec, act_buf, delta_buf, x_buf, grad)
    return loss_sum


@jit
def run_epoch(
    data, Y, sample_weight, order, batch_size, params, spec, loss, hyper, state, work
):
    """One epoch of minibatch training.

    Parameters
    ----------
    data : tuple
        ``(X, None)`` for dense input, ``(None, (data, indices, indptr))`` for CSR.
    Y : ndarray of shape (n_samples, n_outputs)
        The targets as the output layer sees them.
    sample_weight : ndarray of shape (n_samples,) or (0,)
        Sample weights; empty for unit weights.
    order : ndarray of shape (n_train,), int64
        The rows of the epoch, in the order they are visited.
    batch_size : int
        Rows per minibatch (the last one may be shorter).
    params : ndarray of shape (n_params,)
        The flat parameter vector, updated in place.
    spec : NetworkSpec
        The network's shape.
    loss : losses.LossSpec
        The loss.
    hyper : optimizers.OptimizerParams
        The optimizer's hyper-parameters.
    state : optimizers.OptimizerState
        The optimizer's memory, updated in place; Adam's steps are numbered
        from ``state.t + 1`` (the caller advances ``t`` by the batch count).
    work : Workspace
        Scratch arrays; ``work.x_buf`` None for CSR input.

    Returns
    -------
    total : float
        The sum over batches of batch loss (L2 term included) times batch rows.
    """
    alpha = hyper.alpha
    n_coef = spec.int_off[0]
    n_samples = order.shape[0]
    total = 0.0
    t = state.t
    for first in range(0, n_samples, batch_size):
        last = min(first + batch_size, n_samples)
        rows = order[first:last]
        weight_sum = _batch_weight_sum(sample_weight, rows)
        loss_sum = _loss_and_raw_gradient(
            data,
            Y,
            sample_weight,
            rows,
            None,
            params,
            spec,
            loss,
            work.act_buf,
            work.delta_buf,
            work.x_buf,
            work.grad,
        )
        t += 1
        sumsq = optimizer_step(
            params,
            work.grad,
            n_coef,
            weight_sum,
            hyper,
            state.m,
            state.v,
            state.velocity,
            t,
        )
        batch_loss = (loss_sum + 0.5 * alpha * sumsq) / weight_sum
        total += batch_loss * (last - first)
    return total


@jit
def loss_and_gradient(data, Y, sample_weight, params, spec, loss, alpha, work):
    """Full-batch objective and its gradient (for L-BFGS), L2 term included.

    Parameters
    ----------
    data, Y, sample_weight, params, spec, loss
        As ``run_epoch`` takes them; every row of ``Y`` is used.
    alpha : float
        Strength of the L2 penalty.
    work : Workspace
        Scratch arrays for all rows at once (``x_buf`` None: dense rows are
        read in place); ``work.grad`` receives the gradient.

    Returns
    -------
    value : float
        ``(loss sum * loss.scale + alpha / 2 * ||W||^2) / sum of weights``.
    """
    n_samples = Y.shape[0]
    rows = np.arange(n_samples)
    weight_sum = _batch_weight_sum(sample_weight, rows)
    loss_sum = _loss_and_raw_gradient(
        data,
        Y,
        sample_weight,
        rows,
        0,
        params,
        spec,
        loss,
        work.act_buf,
        work.delta_buf,
        None,
        work.grad,
    )
    sumsq = scale_gradient(params, work.grad, spec.int_off[0], weight_sum, alpha)
    return (loss_sum + 0.5 * alpha * sumsq) / weight_sum


def predict(X, coefs, intercepts, act_codes, chunk_rows):
    """Network output for every row of X, computed ``chunk_rows`` rows at a time.

    Plain Python on purpose: each layer is one BLAS product (numpy's, or
    scipy's for CSR X) followed by the compiled ``add_bias_and_activate`` that
    training compiles anyway, so prediction adds no compile time of its own
    and a one-row call costs a few microseconds more than the products.
    ``X`` is dense (C-contiguous) or CSR, in the dtype of the weights;
    ``act_codes`` holds one activation code per layer.
    """
    n_samples = X.shape[0]
    n_weights = len(coefs)
    dtype = coefs[0].dtype
    out = np.empty((n_samples, coefs[-1].shape[1]), dtype=dtype)
    chunk_rows = max(1, min(chunk_rows, n_samples))
    hidden = [np.empty((chunk_rows, W.shape[1]), dtype=dtype) for W in coefs[:-1]]
    for first in range(0, n_samples, chunk_rows):
        last = min(first + chunk_rows, n_samples)
        A = X[first:last]
        for k in range(n_weights):
            Z = out[first:last] if k == n_weights - 1 else hidden[k][: last - first]
            if k == 0 and not isinstance(A, np.ndarray):
                Z[...] = A @ coefs[0]  # CSR rows times dense weights
            else:
                np.dot(A, coefs[k], out=Z)
            add_bias_and_activate(Z, intercepts[k], act_codes[k])
            A = Z
    return out
