"""Robust scaling with smooth clipping of the network's inputs, and the
columns worth a periodic embedding: statistics fitted on training X.

``x -> (x - median) / (q75 - q25)`` per column (numpy's linear quantiles; a
column whose quartiles coincide is divided by half its range instead, and a
constant column becomes 0), then ``x / sqrt(1 + (x / clip)**2)``, which keeps
every value inside (-clip, clip) and is the identity near 0. Sparse columns
are not centred (a median that is not 0 would fill them) and their quantiles
count the implicit zeros, so sparse X stays sparse.
"""

import numpy as np
import scipy.sparse as sp


def _weighted_quantiles(values, weights, qs):
    """Linear-interpolation quantiles of ``values`` repeated ``weights``
    times: numpy's ``np.quantile`` of the repeated values for integer
    weights (so a weight of 2 is a repeated row), zero weights ignored."""
    order = np.argsort(values, kind="stable")
    values, cum = values[order], np.cumsum(weights[order])
    last = cum[-1] - 1.0

    def at(position):
        index = np.searchsorted(cum, position, side="right")
        return values[min(index, values.shape[0] - 1)]

    out = []
    for q in qs:
        position = q * last
        low = np.floor(position)
        fraction = position - low
        out.append(at(low) + (at(min(low + 1.0, last)) - at(low)) * fraction)
    return np.array(out)


def _column_statistics(values, weights):
    """``(q25, median, q75, min, max)`` of one column's rows of positive weight."""
    kept = weights > 0
    values, weights = values[kept], weights[kept]
    q25, median, q75 = _weighted_quantiles(values, weights, (0.25, 0.5, 0.75))
    return q25, median, q75, values.min(), values.max()


def robust_statistics(X, sample_weight=None):
    """``(center, scale)`` per column of X (dense or sparse), as the module
    docstring defines them, the quantiles weighted by ``sample_weight``;
    ``scale`` multiplies, 0 for constant columns."""
    n_rows = X.shape[0]
    weights = np.ones(n_rows) if sample_weight is None else np.asarray(sample_weight)
    weights = weights.astype(np.float64)
    stats = np.empty((X.shape[1], 5))
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        for j in range(X.shape[1]):
            rows = X.indices[X.indptr[j] : X.indptr[j + 1]]
            values = X.data[X.indptr[j] : X.indptr[j + 1]].astype(np.float64)
            w = weights[rows]
            # the implicit zeros, as one value carrying their total weight
            values = np.append(values, 0.0)
            w = np.append(w, weights.sum() - w.sum() if rows.shape[0] < n_rows else 0)
            stats[j] = _column_statistics(values, w)
        stats[:, 1] = 0.0  # sparse columns are not centred
    elif sample_weight is None:
        X = np.asarray(X, dtype=np.float64)
        stats[:, :3] = np.quantile(X, (0.25, 0.5, 0.75), axis=0).T
        stats[:, 3], stats[:, 4] = X.min(axis=0), X.max(axis=0)
    else:
        X = np.asarray(X, dtype=np.float64)
        for j in range(X.shape[1]):
            stats[j] = _column_statistics(X[:, j], weights)
    q25, center, q75, low, high = stats.T
    spread = q75 - q25
    spread = np.where(spread > 0, spread, 0.5 * (high - low))
    with np.errstate(divide="ignore"):
        scale = np.where(spread > 0, 1.0 / spread, 0.0)
    return center, scale


def _smooth_clip(values, clip):
    if clip is not None:
        values /= np.sqrt(1.0 + (values / clip) ** 2)
    return values


def robust_transform(X, center, scale, clip):
    """X centred, scaled and smoothly clipped (a new array or matrix in X's
    dtype; sparse X keeps its sparsity)."""
    dtype = X.dtype
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64, copy=True)
        X.data *= scale[X.indices]
        _smooth_clip(X.data, clip)
        return X.astype(dtype)
    out = (np.asarray(X, dtype=np.float64) - center) * scale
    return np.ascontiguousarray(_smooth_clip(out, clip), dtype=dtype)


def columns_to_embed(X, sample_weight=None):
    """The columns of X with more than two distinct values among the rows of
    positive weight (binary columns, one-hot indicators among them, gain
    nothing from an embedding)."""
    if sample_weight is not None:
        X = X[np.asarray(sample_weight) > 0]
    if sp.issparse(X):
        X = sp.csc_matrix(X)
        many = []
        for j in range(X.shape[1]):
            values = X.data[X.indptr[j] : X.indptr[j + 1]]
            if values.shape[0] < X.shape[0]:  # implicit zeros
                values = np.append(values, 0.0)
            many.append(np.unique(values).shape[0] > 2)
        return np.flatnonzero(many)
    X = np.asarray(X)
    sorted_columns = np.sort(X, axis=0)
    n_distinct = 1 + (np.diff(sorted_columns, axis=0) != 0).sum(axis=0)
    return np.flatnonzero(n_distinct > 2)
