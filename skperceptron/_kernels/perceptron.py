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

The state of the units travels as a ``specs.Units`` NamedTuple (the letters
above are its fields' names in the formulas), the rule's settings as a
``specs.Rule``; ``units.py`` builds, slices and reads them in plain Python.
"""

import numpy as np

from ._intrinsics import prefetch_lines, prefetch_row
from ._jit import jit
from .specs import ELASTICNET, L1, L2, NO_PENALTY

# Below this a unit's scale is folded into its weights to avoid underflow.
_MIN_SCALE = 1e-9


# Input arrives as ``X`` (dense) and ``csr`` (``(data, indices, indptr)``), one
# of them None. Each branch tests the argument that is None in the other case,
# so numba compiles only the branch in use: a per-row "is it sparse?" test in a
# shared helper cost a quarter of a shuffled dense epoch.


@jit(inline=True)
def _csr_row(csr, r):
    """Row r's values and column indices, as views.

    Loops then run over ``range(len(view))`` and index with unsigned column
    numbers: numba wraps negative indices around, and with signed positions
    read from ``indptr`` it could not rule them out, so every access became a
    gather (half the speed of a sparse epoch).
    """
    data, indices, indptr = csr
    start, end = indptr[r], indptr[r + 1]
    return data[start:end], indices[start:end]


@jit
def _scores(X, csr, r, V, scale, b, active, out):
    n_units, n_features = V.shape
    for k in range(n_units):
        if not active[k]:
            continue
        acc = 0.0
        if csr is not None:
            row_data, row_indices = _csr_row(csr, r)
            v = V[k]
            for p in range(row_data.shape[0]):
                acc += row_data[p] * v[np.uint64(row_indices[p])]
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
        row_data, row_indices = _csr_row(csr, r)
        v = V[k]
        for p in range(row_data.shape[0]):
            j = np.uint64(row_indices[p])
            inner += v[j] * row_data[p]
            x_sq += row_data[p] * row_data[p]
            d = c * row_data[p]
            v[j] += d
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


# The helpers below take the arrays of ``Units`` they use rather than the
# whole NamedTuple, which made the first compile slower (docs/benchmarks.md).


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
def flush_l1(V, scale, q, B, S, pending):
    """Apply the pending cumulative L1 penalty to every weight.

    Parameters
    ----------
    V, scale, q, B, S : ndarray
        The fields of ``Units`` of those names, updated in place. (Arrays, not
        the NamedTuple: numba 0.59 told a float32 ``Units`` from a float64 one
        by its fields' dtypes only when another argument differed as well.)
    pending : ndarray of shape (n_units,)
        Unit k's cumulative L1 penalty per weight so far (the ``l1_total`` of
        the sample order it trained on).
    """
    for k in range(V.shape[0]):
        for j in range(V.shape[1]):
            _truncate_weight(V[k], j, q[k], scale[k], pending[k], B[k], S[k])


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
# Sparse rows: the first lines of the values and column numbers of the row
# needed two samples from now (the hardware follows on from there), see
# docs/benchmarks.md.
_CSR_PREFETCH_DISTANCE = 2
_CSR_PREFETCH_LINES = 4


@jit(inline=True)
def prefetch_csr_row(csr, r):
    """Start loading the first lines of CSR row r's values and column numbers."""
    start = csr[2][r]
    prefetch_lines(csr[0], start, _CSR_PREFETCH_LINES)
    prefetch_lines(csr[1], start, _CSR_PREFETCH_LINES)


@jit
def perceptron_epoch(X, csr, order, samples, units, rule, step, l1_total, stats):
    """One pass of the rule over the samples ``order`` lists.

    Parameters
    ----------
    X, csr : ndarray of shape (n_samples, n_features), tuple or None
        The input: dense ``X`` and ``csr=None``, or ``X=None`` and the CSR
        arrays ``(data, indices, indptr)``. Two arguments rather than one
        tuple, because numba prunes ``is None`` branches only on arguments.
    order : ndarray of shape (n_visits,), int64
        The rows to visit, in order.
    samples : Samples
        Targets and sample weights.
    units : Units
        The units' state, updated in place.
    rule : Rule
        The rule's settings.
    step : int
        scikit-learn's step counter ``t_`` before the epoch.
    l1_total : float
        The cumulative L1 penalty per weight so far (truncated gradient).
    stats : EpochStats
        Receives each unit's loss, penalty term and mistakes (added to).

    Returns
    -------
    step, l1_total : int, float
        The step counter and the cumulative L1 penalty after the epoch.
    """
    targets, labels = samples.targets, samples.labels
    sample_weight = samples.sample_weight
    V, scale, b, active = units.V, units.scale, units.b, units.active
    sq_norm, S, b_sum, n_averaged = (
        units.sq_norm,
        units.S,
        units.b_sum,
        units.n_averaged,
    )
    avg_sum, B, q = units.avg_sum, units.B, units.q
    loss_out, mistakes_out = stats.loss, stats.mistakes
    eta, alpha, l1_ratio, penalty = rule.eta, rule.alpha, rule.l1_ratio, rule.penalty
    averaging = rule.averaging
    n_units, n_features = V.shape
    n_order = order.shape[0]
    multinomial = labels.shape[0] > 0
    weighted = sample_weight.shape[0] > 0
    scores = np.empty(n_units, dtype=np.float64)
    shrink = 1.0
    if penalty == L2 or penalty == ELASTICNET:
        shrink = max(0.0, 1.0 - (1.0 - l1_ratio) * eta * alpha)
    l1_step = (
        l1_ratio * eta * alpha if (penalty == L1 or penalty == ELASTICNET) else 0.0
    )
    for i in range(n_order):
        r = order[i]
        if X is not None and i + _PREFETCH_DISTANCE < n_order:
            prefetch_row(X[order[i + _PREFETCH_DISTANCE]])
        if csr is not None and i + _CSR_PREFETCH_DISTANCE < n_order:
            prefetch_csr_row(csr, order[i + _CSR_PREFETCH_DISTANCE])
        sw = sample_weight[r] if weighted else 1.0
        _scores(X, csr, r, V, scale, b, active, scores)
        if penalty != NO_PENALTY:
            for k in range(n_units):
                if active[k]:
                    loss_out[0 if multinomial else k, 1] += _penalty(
                        V, scale, sq_norm, k, alpha, l1_ratio
                    )
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
                update = eta * units.weight_pos[y] * sw
                for k, sign in ((y, 1.0), (rival, -1.0)):
                    _update_unit(X, csr, r, V, B, S, scale, sq_norm, k, sign * update)
                    if rule.fit_intercept:
                        b[k] += sign * update
        else:
            for k in range(n_units):
                if not active[k]:
                    continue
                yk = targets[r, k]
                if yk * scores[k] <= 0.0:
                    loss_out[k, 0] -= yk * scores[k]
                    mistakes_out[k] += 1
                    cw = units.weight_pos[k] if yk > 0 else units.weight_neg[k]
                    update = eta * yk * cw * sw
                    _update_unit(X, csr, r, V, B, S, scale, sq_norm, k, update)
                    if rule.fit_intercept:
                        b[k] += update
        if averaging and step >= rule.avg_start:
            for k in range(n_units):
                if active[k]:
                    S[k] += scale[k]
                    b_sum[k] += b[k]
                    n_averaged[k] += 1
        if l1_step > 0.0:
            l1_total += l1_step
            for k in range(n_units):
                if active[k]:
                    _truncate_l1(X, csr, r, V[k], q[k], scale[k], l1_total, B[k], S[k])
        step += 1
    return step, l1_total


@jit
def shuffle_like_sgd(index, seed):
    """Fisher-Yates shuffle of ``index`` in place, drawn as scikit-learn's SGD does.

    scikit-learn shuffles its dataset with a 32-bit xorshift generator started
    from the same ``seed`` every epoch, applied to the previous epoch's order.
    Drawing the same numbers makes every epoch visit the samples in
    scikit-learn's order, hence the same model for the same ``random_state``.

    Parameters
    ----------
    index : ndarray of shape (n_samples,), int64
        The previous epoch's order, shuffled in place.
    seed : int
        The generator's seed (``Perceptron._shuffle_seeds``).
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
