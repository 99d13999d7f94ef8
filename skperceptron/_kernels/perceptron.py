"""Rosenblatt epochs over a layer of threshold logic units (TLUs), in one call.

Every unit k holds its weights as ``w_k = scale[k] * V[k]``: an L2 penalty
shrinks a unit by multiplying one scalar instead of touching every weight, as
in scikit-learn's SGD. Each sample is scored by all active units at once, then
every unit that made a mistake is updated:

- one-vs-rest / multilabel (``targets`` holds +1/-1 per unit): a mistake is
  ``y_k * s_k <= 0``, the update ``w_k += eta * y_k * cw * sw * x``;
- multinomial (``labels`` holds the class index): a mistake is a rival unit
  scoring at least as high as the true one; the true unit moves towards x and
  the strongest rival away from it.

Averaging uses a lazy sum: with ``S[k] = sum of scale[k]`` over averaged steps,
``sum_t w_k(t) = avg_sum[k] + S[k] * V[k] - B[k]``, where every change ``d`` of
``V[k, j]`` adds ``S[k] * d`` to ``B[k, j]``. Updates stay O(nnz(x)).
"""

import numpy as np

from ._intrinsics import prefetch_row
from ._jit import jit

NO_PENALTY = 0
L2 = 1
L1 = 2
ELASTICNET = 3

# Below this a unit's scale is folded into its weights to avoid underflow.
_MIN_SCALE = 1e-9


# Input arrives as ``X`` (dense) and ``csr`` (``(data, indices, indptr)``), one
# of them None. Each branch tests the argument that is None in the other case,
# so numba compiles only the branch in use: a per-row "is it sparse?" test in a
# shared helper cost a quarter of a shuffled dense epoch.


@jit
def _scores(X, csr, r, V, scale, b, active, out):
    n_units, n_features = V.shape
    for k in range(n_units):
        if not active[k]:
            continue
        acc = 0.0
        if csr is not None:
            data, indices, indptr = csr
            for p in range(indptr[r], indptr[r + 1]):
                acc += data[p] * V[k, indices[p]]
        if X is not None:
            for j in range(n_features):
                acc += X[r, j] * V[k, j]
        out[k] = scale[k] * acc + b[k]


@jit
def _add_row(X, csr, r, V, B, k, coef, s_cum):
    """``V[k] += coef * x_r``, recording the change in the lazy average sum ``B[k]``.

    Returns ``(V[k] . x_r, x_r . x_r)`` taken before the change, from which the
    caller updates the unit's squared norm as scikit-learn's weight vector does.
    """
    c = V.dtype.type(coef)
    inner = 0.0
    x_sq = 0.0
    if csr is not None:
        data, indices, indptr = csr
        for p in range(indptr[r], indptr[r + 1]):
            j = indices[p]
            inner += V[k, j] * data[p]
            x_sq += data[p] * data[p]
            d = c * data[p]
            V[k, j] += d
            if s_cum != 0.0:
                B[k, j] += s_cum * d
    if X is not None:
        if s_cum != 0.0:
            for j in range(V.shape[1]):
                inner += V[k, j] * X[r, j]
                x_sq += X[r, j] * X[r, j]
                d = c * X[r, j]
                V[k, j] += d
                B[k, j] += s_cum * d
        else:
            for j in range(V.shape[1]):
                inner += V[k, j] * X[r, j]
                x_sq += X[r, j] * X[r, j]
                V[k, j] += c * X[r, j]
    return inner, x_sq


@jit
def _update_unit(X, csr, r, V, B, S, scale, sq_norm, k, update):
    """Add ``update * x_r`` to unit k's real weights, keeping its squared norm."""
    inner, x_sq = _add_row(X, csr, r, V, B, k, update / scale[k], S[k])
    sq_norm[k] += x_sq * update * update + 2.0 * inner * scale[k] * update


@jit
def _penalty(V, scale, sq_norm, k, alpha, l1_ratio):
    """Unit k's penalty term of the objective, computed as scikit-learn does."""
    value = (1.0 - l1_ratio) * 0.5 * np.sqrt(sq_norm[k]) ** 2
    if l1_ratio > 0.0:
        l1 = 0.0
        for j in range(V.shape[1]):
            l1 += abs(V[k, j])
        value += l1_ratio * l1 * abs(scale[k])
    return alpha * value


@jit
def _truncate_weight(v, j, q_k, wscale, u, B_k, s_cum):
    """Apply the L1 penalty accumulated so far (``u``) to weight ``j``."""
    old = v[j]
    w = wscale * old
    if w > 0.0:
        v[j] = max(0.0, old - (u + q_k[j]) / wscale)
    elif w < 0.0:
        v[j] = min(0.0, old + (u - q_k[j]) / wscale)
    q_k[j] += wscale * (v[j] - old)
    if s_cum != 0.0:
        B_k[j] += s_cum * (v[j] - old)


@jit
def _truncate_l1(X, csr, r, v, q_k, wscale, u, B_k, s_cum):
    """Cumulative L1 penalty (truncated gradient) on the nonzero features of row r.

    Sparse rows: weights of features a sample does not touch receive their
    share later, when a sample touches them or when ``flush_l1`` runs at the
    end of an epoch (the cumulative penalty keeps the total right). Dense rows
    touch every feature, so the penalty reaches every weight at every step,
    as in scikit-learn.
    """
    if csr is not None:
        indices, indptr = csr[1], csr[2]
        for p in range(indptr[r], indptr[r + 1]):
            _truncate_weight(v, indices[p], q_k, wscale, u, B_k, s_cum)
    if X is not None:
        # dense rows cover every feature, zeros included, as in scikit-learn
        for j in range(v.shape[0]):
            _truncate_weight(v, j, q_k, wscale, u, B_k, s_cum)


@jit
def flush_l1(V, scale, q, u, B, S):
    """Apply the pending cumulative L1 penalty (``u[k]`` for unit k) to every weight."""
    for k in range(V.shape[0]):
        for j in range(V.shape[1]):
            _truncate_weight(V[k], j, q[k], scale[k], u[k], B[k], S[k])


@jit
def _fold_scale(V, scale, k, avg_sum, B, S, averaging):
    """Multiply a unit's scale into its weights (and settle its lazy average)."""
    v = V[k]
    if averaging:
        for j in range(v.shape[0]):
            avg_sum[k, j] += S[k] * v[j] - B[k, j]
            B[k, j] = 0.0
        S[k] = 0.0
    s = scale[k]
    for j in range(v.shape[0]):
        v[j] *= s
    scale[k] = 1.0


# Dense rows are read in place; the row needed this many samples from now is
# prefetched, so that its memory reads overlap the work on the current rows
# (reading each shuffled row on demand stalls on every one).
_PREFETCH_DISTANCE = 4


@jit
def perceptron_epoch(X, csr, order, targets, labels, sample_weight, weight_pos,
                     weight_neg, V, scale, b, active, fit_intercept, eta, alpha,
                     l1_ratio, penalty, q, u, averaging, avg_start, step,
                     avg_sum, B, S, b_sum, n_averaged, sq_norm, loss_out,
                     mistakes_out):
    """One pass over ``order``, filling ``loss_out`` and ``mistakes_out``.

    ``loss_out[k]`` receives unit k's summed perceptron loss and, with a
    penalty, its summed per-sample penalty term (the objective scikit-learn's
    stopping rule uses); ``sq_norm[k]`` tracks the squared norm of unit k's
    weights for that term.

    ``step[0]`` is the global step counter (scikit-learn's ``t_``) and ``u[0]``
    the accumulated L1 penalty; both advance in place. Averaging starts once
    ``step >= avg_start``.
    """
    n_units, n_features = V.shape
    n_order = order.shape[0]
    multinomial = labels.shape[0] > 0
    weighted = sample_weight.shape[0] > 0
    scores = np.empty(n_units, dtype=np.float64)
    shrink = 1.0
    if penalty == L2 or penalty == ELASTICNET:
        shrink = max(0.0, 1.0 - (1.0 - l1_ratio) * eta * alpha)
    l1_step = l1_ratio * eta * alpha if (penalty == L1 or penalty == ELASTICNET) else 0.0
    for i in range(n_order):
        r = order[i]
        if X is not None and i + _PREFETCH_DISTANCE < n_order:
            prefetch_row(X[order[i + _PREFETCH_DISTANCE]])
        sw = sample_weight[r] if weighted else 1.0
        _scores(X, csr, r, V, scale, b, active, scores)
        if penalty != NO_PENALTY:
            for k in range(n_units):
                if active[k]:
                    loss_out[0 if multinomial else k, 1] += _penalty(
                        V, scale, sq_norm, k, alpha, l1_ratio)
        if shrink != 1.0:
            for k in range(n_units):
                if not active[k]:
                    continue
                sq_norm[k] *= shrink * shrink
                if shrink == 0.0:
                    _fold_scale(V, scale, k, avg_sum, B, S, averaging)
                    for j in range(n_features):
                        V[k, j] = 0.0
                else:
                    scale[k] *= shrink
                    if scale[k] < _MIN_SCALE:
                        _fold_scale(V, scale, k, avg_sum, B, S, averaging)
        if multinomial:
            y = labels[r]
            rival = -1
            for k in range(n_units):
                if k != y and (rival < 0 or scores[k] > scores[rival]):
                    rival = k
            margin = scores[rival] - scores[y]
            if margin >= 0.0:
                loss_out[0, 0] += margin
                mistakes_out[0] += 1
                update = eta * weight_pos[y] * sw
                for k, sign in ((y, 1.0), (rival, -1.0)):
                    _update_unit(X, csr, r, V, B, S, scale, sq_norm, k, sign * update)
                    if fit_intercept:
                        b[k] += sign * update
        else:
            for k in range(n_units):
                if not active[k]:
                    continue
                yk = targets[r, k]
                if yk * scores[k] <= 0.0:
                    loss_out[k, 0] -= yk * scores[k]
                    mistakes_out[k] += 1
                    cw = weight_pos[k] if yk > 0 else weight_neg[k]
                    update = eta * yk * cw * sw
                    _update_unit(X, csr, r, V, B, S, scale, sq_norm, k, update)
                    if fit_intercept:
                        b[k] += update
        if averaging and step[0] >= avg_start:
            for k in range(n_units):
                if active[k]:
                    S[k] += scale[k]
                    b_sum[k] += b[k]
                    n_averaged[k] += 1
        if l1_step > 0.0:
            u[0] += l1_step
            for k in range(n_units):
                if active[k]:
                    _truncate_l1(X, csr, r, V[k], q[k], scale[k], u[0], B[k], S[k])
        step[0] += 1


@jit
def shuffle_like_sgd(index, seed):
    """Fisher-Yates shuffle of ``index`` in place, drawn as scikit-learn's SGD does.

    scikit-learn shuffles its dataset with a 32-bit xorshift generator started
    from the same ``seed`` every epoch, applied to the previous epoch's order.
    Drawing the same numbers makes every epoch visit the samples in
    scikit-learn's order, hence the same model for the same ``random_state``.
    """
    state = np.int64(seed)
    if state == 0:
        state = 1
    n = index.shape[0]
    for i in range(n - 1):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        j = i + (state % 2147483648) % (n - i)
        index[i], index[j] = index[j], index[i]
