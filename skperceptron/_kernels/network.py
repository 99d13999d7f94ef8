"""Forward and backward passes over all layers, dense and CSR input.

A network is described by a ``NetworkSpec`` of plain integer arrays so that
one compiled kernel per dtype serves every architecture; every training
option (activations, dropout, the loss, the solver, clipping) is data too
(``specs.py``). Input data travel as ``(X, csr)``: a C-contiguous dense ``X``
and ``None``, or ``None`` and the CSR arrays ``(data, indices, indptr)``.
Batches are given by ``rows`` (indices into X). Training passes
``start=None`` and gathers dense rows into the workspace's ``x_buf``; L-BFGS
passes ``x_buf=None`` and an integer ``start``: the rows are then the
contiguous block ``start:start + n_rows`` of dense X, used without a copy.
Matrix products go through ``_blas.gemm``; those of the layers after the
first through ``_blas.matmul``, which takes the narrow output layers.

Those input cases are told by ``None`` in an argument rather than by a flag:
numba prunes ``is None`` branches on argument types before typing, so the
dense kernel contains no sparse loop and the reverse. Such a test must sit in
a function that takes the argument itself (``_input_times``): numba does not
prune a test on a field of a NamedTuple.
"""

import numpy as np

from ._blas import gemm, matmul
from ._intrinsics import as_matrix, as_vector
from ._jit import jit
from .activations import (
    add_bias_and_activate,
    multiply_by_derivative,
    multiply_by_pre_derivative,
)
from .inputs import (
    embed,
    embed_gradient,
    front_scale_gradient,
    raw_rows,
    scaled_weights,
)
from .losses import output_delta_and_loss
from .optimizers import optimizer_step, scale_gradient
from .specs import NEEDS_PRE_ACTIVATION


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


# The helpers below stay small: a large function linked under another
# non-inlined one is optimised again at each level, which cost seconds of
# compile time.


@jit
def _keep_pre_activations(Z, b, pre_buf, offset):
    """Copy ``Z + b`` into ``pre_buf`` for the derivative (gelu, silu, mish)."""
    P = as_matrix(pre_buf, offset, Z.shape[0], Z.shape[1])
    for i in range(Z.shape[0]):
        for j in range(Z.shape[1]):
            P[i, j] = Z[i, j] + b[j]


@jit
def _row_key(seed, row):
    """32 bits that depend only on ``(seed, row)``: SplitMix64's output
    function over ``seed + row * golden ratio``, once per batch row."""
    z = np.uint64(seed) + np.uint64(row) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.uint32(z >> np.uint64(32))


@jit(inline=True)
def _unit_uniform(row_key, unit):
    """A uniform float32 draw in [0, 1) (24 bits) that depends only on a
    row's key and the unit's index: the "lowbias32" integer hash (Wellons)
    over ``row_key + unit * golden ratio``. 32-bit multiplies vectorise with
    AVX2 where 64-bit ones do not (5x fewer cycles than SplitMix64 per unit).
    """
    x = np.uint32(row_key + np.uint32(unit) * np.uint32(0x9E3779B9))
    x = np.uint32(x ^ (x >> np.uint32(16)))
    x = np.uint32(x * np.uint32(0x7FEB352D))
    x = np.uint32(x ^ (x >> np.uint32(15)))
    x = np.uint32(x * np.uint32(0x846CA68B))
    x = np.uint32(x ^ (x >> np.uint32(16)))
    return np.float32(x >> np.uint32(8)) * np.float32(1.0 / 16777216.0)


@jit
def _drop_units(A, mask_buf, offset, dropout, layer, first, scale_rate):
    """Zero each unit of A with probability ``rate``, scale the kept ones.

    The draw of batch row ``i``, unit ``j`` is keyed by the row's position in
    the epoch (``first + i``) and the unit's index among the network's units
    (``offset`` locates the layer). Branch-free, so that LLVM vectorises the
    hashing. ``scale_rate`` multiplies the rate
    (a dropout schedule's factor of this step).
    """
    rate = dropout.rates[layer] * scale_rate
    if rate > 0.0:
        n_rows, n_units = A.shape
        M = as_matrix(mask_buf, offset, n_rows, n_units)
        scale = A.dtype.type(1.0 / (1.0 - rate))
        zero = A.dtype.type(0)
        threshold = np.float32(rate)
        unit_start = offset // n_rows
        for i in range(n_rows):
            row_key = _row_key(dropout.seed, first + i)
            a = A[i]
            m_row = M[i]
            for j in range(n_units):
                keep = _unit_uniform(row_key, unit_start + j) >= threshold
                m = scale if keep else zero
                m_row[j] = m
                a[j] = a[j] * m


@jit
def _backward_extras(A, D, code, pre_buf, mask_buf, offset, dropout, layer, scale):
    """What dropout and gelu/silu/mish add to the backward pass of a layer.

    The delta passes through the dropout mask, and A is unscaled back to
    ``f(z)`` (dropped units have a zero delta, so their A does not matter);
    for gelu, silu and mish, ``D *= f'(z)`` from the kept pre-activations.
    Returns whether the derivative was applied.
    """
    rate = dropout.rates[layer] * scale
    if rate > 0.0:
        M = as_matrix(mask_buf, offset, A.shape[0], A.shape[1])
        keep = A.dtype.type(1.0 - rate)
        for i in range(A.shape[0]):
            a = A[i]
            d = D[i]
            m = M[i]
            for j in range(A.shape[1]):
                d[j] = d[j] * m[j]
                a[j] = a[j] * keep  # dropped units stay 0
    if code >= NEEDS_PRE_ACTIVATION:
        P = as_matrix(pre_buf, offset, D.shape[0], D.shape[1])
        multiply_by_pre_derivative(P, D, code)
        return True
    return False


@jit
def _first_layer(X, csr, rows, start, x_buf, params, spec, work, Z):
    """Z = input @ W0 for the batch: the input is X's rows, or with
    embeddings the input block built in ``work.in_buf``; with a front scale
    W0 is scaled first (``inputs.py``)."""
    W0, _ = _weights(params, spec, 0)
    n_rows = Z.shape[0]
    W = W0
    if spec.front_off >= 0:
        W = as_matrix(work.weff_buf, 0, W0.shape[0], W0.shape[1])
        scaled_weights(W0, params, spec.front_off, W)
    if spec.emb_features.shape[0] > 0:
        In = as_matrix(work.in_buf, 0, n_rows, spec.units[0])
        raw_rows(X, csr, rows, start, In, spec.n_raw)
        embed(In, params, spec, work.theta_buf)
        gemm(In, W, Z)
    else:
        _input_times(X, csr, rows, start, x_buf, W, Z)


@jit
def _first_layer_gradient(X, csr, rows, start, x_buf, params, spec, work, D):
    """The first layer's raw gradients (weights, biases, front scale,
    embeddings) from its delta D."""
    W0, _ = _weights(params, spec, 0)
    G, gb = _weights(work.grad, spec, 0)
    n_rows = D.shape[0]
    embedded = spec.emb_features.shape[0] > 0
    if embedded:
        gemm(as_matrix(work.in_buf, 0, n_rows, spec.units[0]).T, D, G)
    else:
        _input_t_times(X, csr, rows, start, x_buf, D, G)
    _column_sums(D, gb)
    scaled = spec.front_off >= 0
    if scaled:
        front_scale_gradient(W0, G, params, work.grad, spec.front_off)
    if embedded:
        # the delta of the embedding columns only (the weights' rows after
        # the raw columns'): no parameter lies before the raw columns
        In = as_matrix(work.in_buf, 0, n_rows, spec.units[0])
        fan_out = W0.shape[1]
        n_embedded = spec.units[0] - spec.n_raw
        weights = work.weff_buf if scaled else params
        offset = (0 if scaled else spec.coef_off[0]) + spec.n_raw * fan_out
        W_embedded = as_matrix(weights, offset, n_embedded, fan_out)
        Din = as_matrix(work.din_buf, 0, n_rows, n_embedded)
        gemm(D, W_embedded.T, Din)
        embed_gradient(In, Din, params, work.grad, spec, work.theta_buf)


@jit(inline=True)
def forward_batch(data, rows, start, params, spec, work, x_buf, dropout, first, scale):
    """Fill the activation buffer for the batch ``rows``; return the output block.

    ``x_buf`` is ``work.x_buf`` for gathered dense rows, else None; ``first``
    the position of the batch's first row in the epoch (for dropout masks);
    ``scale`` multiplies the dropout rates.
    """
    X, csr = data
    units, act_codes, unit_cum = spec.units, spec.act_codes, spec.unit_cum
    act_buf = work.act_buf
    n_rows = rows.shape[0]
    n_weights = units.shape[0] - 1
    Z = as_matrix(act_buf, 0, n_rows, units[1])
    for layer in range(n_weights):
        W, b = _weights(params, spec, layer)
        offset = unit_cum[layer + 1] * n_rows
        Z = as_matrix(act_buf, offset, n_rows, units[layer + 1])
        if layer > 0:
            A = as_matrix(act_buf, unit_cum[layer] * n_rows, n_rows, units[layer])
            matmul(A, W, Z)
        else:
            _first_layer(X, csr, rows, start, x_buf, params, spec, work, Z)
        code = act_codes[layer]
        if code >= NEEDS_PRE_ACTIVATION:
            _keep_pre_activations(Z, b, work.pre_buf, offset)
        add_bias_and_activate(Z, b, code, spec.negative_slope)
        if layer < n_weights - 1:
            _drop_units(Z, work.mask_buf, offset, dropout, layer, first, scale)
    return Z


@jit(inline=True)
def backward_batch(data, rows, start, params, spec, work, x_buf, dropout, scale):
    """Raw gradients (A.T @ delta, column sums of delta) from the output delta.

    Expects ``forward_batch`` to have filled ``work.act_buf`` (and ``x_buf``
    for gathered dense rows) and the output delta to sit in its block of
    ``work.delta_buf``; fills ``work.grad``. The L2 term and the 1/S scaling
    are left to the caller.
    """
    X, csr = data
    units, act_codes, unit_cum = spec.units, spec.act_codes, spec.unit_cum
    act_buf, delta_buf, grad = work.act_buf, work.delta_buf, work.grad
    n_rows = rows.shape[0]
    n_weights = units.shape[0] - 1
    for layer in range(n_weights - 1, -1, -1):
        W, _ = _weights(params, spec, layer)
        fan_in = units[layer]
        fan_out = units[layer + 1]
        D = as_matrix(delta_buf, unit_cum[layer + 1] * n_rows, n_rows, fan_out)
        offset = unit_cum[layer] * n_rows
        if layer == 0:
            _first_layer_gradient(X, csr, rows, start, x_buf, params, spec, work, D)
        else:
            G, gb = _weights(grad, spec, layer)
            A = as_matrix(act_buf, offset, n_rows, fan_in)
            matmul(A.T, D, G)
            _column_sums(D, gb)
            D_prev = as_matrix(delta_buf, offset, n_rows, fan_in)
            gemm(D, W.T, D_prev)
            code = act_codes[layer - 1]
            pre_buf, mask_buf = work.pre_buf, work.mask_buf
            if not _backward_extras(
                A, D_prev, code, pre_buf, mask_buf, offset, dropout, layer - 1, scale
            ):
                multiply_by_derivative(A, D_prev, code, spec.negative_slope)


@jit
def _step_factor(factors, step):
    """A schedule's factor of minibatch ``step`` (1 for an empty schedule)."""
    if factors.shape[0] == 0:
        return 1.0
    return factors[step]


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
        out, Y, sample_weight, rows, D, act_codes[n_layers - 2], loss
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
    work,
    x_buf,
    dropout,
    first,
    scale,
):
    out = forward_batch(
        data, rows, start, params, spec, work, x_buf, dropout, first, scale
    )
    loss_sum = _output_loss(out, Y, sample_weight, rows, spec, loss, work.delta_buf)
    backward_batch(data, rows, start, params, spec, work, x_buf, dropout, scale)
    return loss_sum


@jit(inline=True)
def _minibatch_loss_and_gradient(
    data, Y, sample_weight, rows, first, step, params, spec, loss, hyper, work, dropout
):
    """The raw gradient of ``rows`` (all or part of minibatch ``step``, its
    first row at position ``first`` of the epoch) into ``work.grad``;
    returns their weighted loss sum."""
    drop_scale = _step_factor(hyper.step_dropout, step)
    return _loss_and_raw_gradient(
        data,
        Y,
        sample_weight,
        rows,
        None,
        params,
        spec,
        loss,
        work,
        work.x_buf,
        dropout,
        first,
        drop_scale,
    )


@jit(inline=True)
def _minibatch_step(
    params, grad, loss_sum, sample_weight, rows, step, spec, hyper, state
):
    """The optimizer step of minibatch ``step`` (its rows ``rows``) from its
    raw gradient and loss sum; returns the batch loss, L2 term included."""
    weight_sum = _batch_weight_sum(sample_weight, rows)
    sumsq = optimizer_step(
        params,
        grad,
        spec.int_off[0],
        weight_sum,
        hyper,
        state,
        state.t + step + 1,
        _step_factor(hyper.step_lr, step),
        _step_factor(hyper.step_decay, step),
    )
    return (loss_sum + 0.5 * hyper.alpha * sumsq) / weight_sum


@jit
def run_epoch(
    data,
    Y,
    sample_weight,
    order,
    batch_size,
    params,
    spec,
    loss,
    hyper,
    state,
    work,
    dropout,
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
        The optimizer's memory, updated in place; steps are numbered from
        ``state.t + 1`` (the caller advances ``t`` by the batch count).
    work : Workspace
        Scratch arrays; ``work.x_buf`` None for CSR input.
    dropout : Dropout
        Dropout of hidden units (``work.mask_buf`` holds the masks).

    Returns
    -------
    total : float
        The sum over batches of batch loss (L2 term included) times batch rows.
    """
    n_samples = order.shape[0]
    total = 0.0
    for first in range(0, n_samples, batch_size):
        last = min(first + batch_size, n_samples)
        rows = order[first:last]
        step = first // batch_size
        loss_sum = _minibatch_loss_and_gradient(
            data, Y, sample_weight, rows, first, step, params, spec, loss, hyper, work,
            dropout,
        )  # fmt: skip
        batch_loss = _minibatch_step(
            params, work.grad, loss_sum, sample_weight, rows, step, spec, hyper, state
        )
        total += batch_loss * (last - first)
    return total


@jit
def minibatch_loss_and_gradient(
    data, Y, sample_weight, rows, first, step, params, spec, loss, hyper, work, dropout
):
    """Part of a minibatch step, for a step split over threads: the raw
    gradient of ``rows`` into ``work.grad`` and their weighted loss sum.

    ``rows`` are ``order[first:first + len(rows)]`` of ``run_epoch``'s
    ``order``, within minibatch ``step``; the other arguments as
    ``run_epoch`` takes them. Each thread passes a ``work`` of its own. The
    sum of the parts' results is ``run_epoch``'s for the whole minibatch, up
    to the order of the sums (dropout masks are keyed by row position).
    """
    return _minibatch_loss_and_gradient(
        data, Y, sample_weight, rows, first, step, params, spec, loss, hyper, work,
        dropout,
    )  # fmt: skip


@jit
def minibatch_step(
    params, grad, part_grad, loss_sum, sample_weight, rows, step, spec, hyper, state
):
    """The optimizer step of a minibatch whose gradient was computed in two
    parts (``minibatch_loss_and_gradient``): ``grad += part_grad``, then the
    step ``run_epoch`` takes for minibatch ``step`` of rows ``rows``.

    Returns
    -------
    batch_loss : float
        The minibatch's loss (``loss_sum`` is both parts' sum), L2 term
        included.
    """
    for j in range(grad.shape[0]):
        grad[j] += part_grad[j]
    return _minibatch_step(
        params, grad, loss_sum, sample_weight, rows, step, spec, hyper, state
    )


@jit
def forward_pass_fast(data, params, spec, work, dropout, out):
    """The network's outputs for every row of ``data`` into ``out``.

    The forward pass of training without dropout (its rates scaled by 0),
    over blocks of as many rows as ``work`` holds; dense rows are read in
    place (``work.x_buf`` None).

    Parameters
    ----------
    data : tuple
        ``(X, None)`` for dense input, ``(None, (data, indices, indptr))`` for CSR.
    params : ndarray of shape (n_params,)
        The flat parameter vector.
    spec : NetworkSpec
        The network's shape.
    work : Workspace
        Scratch arrays for blocks of rows (``x_buf`` None).
    dropout : Dropout
        Any ``Dropout`` of the network (its rates are not applied).
    out : ndarray of shape (n_samples, n_outputs)
        Receives the outputs.
    """
    n_samples, n_outputs = out.shape
    block = work.act_buf.shape[0] // spec.unit_cum[-1]
    for first in range(0, n_samples, block):
        last = min(first + block, n_samples)
        rows = np.arange(first, last)
        Z = forward_batch(
            data, rows, first, params, spec, work, None, dropout, first, 0.0
        )
        for i in range(last - first):
            o = out[first + i]
            z = Z[i]
            for j in range(n_outputs):
                o[j] = z[j]


@jit
def loss_and_gradient(data, Y, sample_weight, params, spec, loss, alpha, work, dropout):
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
    dropout : Dropout
        Dropout masks (the same on every call with the same seed: the
        objective is then a function of ``params``, for gradient checks).

    Returns
    -------
    value : float
        ``(loss sum * loss.scale + alpha / 2 * ||W||^2) / sum of weights``.
    """
    n_samples = Y.shape[0]
    rows = np.arange(n_samples)
    weight_sum = _batch_weight_sum(sample_weight, rows)
    loss_sum = _loss_and_raw_gradient(
        data, Y, sample_weight, rows, 0, params, spec, loss, work, None, dropout, 0, 1.0
    )
    sumsq = scale_gradient(params, work.grad, spec.int_off[0], weight_sum, alpha)
    return (loss_sum + 0.5 * alpha * sumsq) / weight_sum
