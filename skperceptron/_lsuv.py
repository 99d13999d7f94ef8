"""Data-dependent initialisation: unit-variance pre-activations and biases
that put each unit's zero among the data (``weight_init='lsuv'``).

Layer by layer, on (a sample of) the training rows: the weights are drawn
from ``N(0, 1)`` and each column is divided by the standard deviation of the
pre-activations it gives, so every unit starts with unit-variance inputs
(layer-sequential unit variance, Mishkin and Matas 2016, as RealMLP's "std"
initialisation); each bias is minus the unit's pre-activation at a random
convex combination (Dirichlet(1) weights) of its pre-activations at five
training rows drawn by weight (per unit), so that the
unit's zero crosses the data (RealMLP's "he+5").
"""

import numpy as np

from ._forward import activate, embed, first_weights, input_layer

_MAX_ROWS = 1024  # pre-activation statistics from at most this many rows


def _weighted_draws(Z, weights, n_draws, random_state):
    """``n_draws`` values of each column of Z, drawn from its empirical
    distribution weighted by ``weights`` (the value of a row drawn with
    probability proportional to its weight); by inverting each column's
    cumulative weights, so that neither the order of the rows nor a row
    repeated instead of weighted changes the draws."""
    order = np.argsort(Z, axis=0, kind="stable")
    cum = np.cumsum(weights[order], axis=0)
    u = random_state.uniform(0.0, 1.0, size=(n_draws, Z.shape[1])) * cum[-1]
    out = np.empty((n_draws, Z.shape[1]))
    for j in range(Z.shape[1]):
        index = np.searchsorted(cum[:, j], u[:, j], side="right")
        out[:, j] = Z[order[np.minimum(index, Z.shape[0] - 1), j], j]
    return out


def lsuv_initialize(
    layout, flat, X, sample_weight, embedded, act_codes, slope, random_state
):
    """Overwrite the weights and biases in ``flat`` (see the module docstring).

    ``X`` is the network's input as the first layer sees it before any
    embedding (the input transform applied); ``sample_weight`` (or None)
    weighs its rows in the statistics and the bias draws. The extras of
    ``flat`` (front scale, embeddings) keep their values and enter the
    statistics.
    """
    weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    weights = np.asarray(weights, dtype=np.float64)
    if X.shape[0] > _MAX_ROWS:
        rows = np.sort(random_state.choice(X.shape[0], _MAX_ROWS, replace=False))
        X, weights = X[rows], weights[rows]
    coefs, intercepts = layout.views(flat)
    inputs = input_layer(layout.extra_views(flat), embedded)
    A = embed(X, inputs)
    A = A.toarray() if hasattr(A, "toarray") else np.asarray(A)
    A = A.astype(np.float64)
    for k in range(layout.n_weights):
        fan_in, fan_out = coefs[k].shape
        coefs[k][...] = random_state.normal(0.0, 1.0, (fan_in, fan_out))
        W = first_weights(coefs, inputs) if k == 0 else coefs[k]
        Z = A @ W.astype(np.float64)
        mean = np.average(Z, axis=0, weights=weights)
        std = np.sqrt(np.average((Z - mean) ** 2, axis=0, weights=weights))
        std = np.where(std > 0, std, 1.0)
        coefs[k][...] = coefs[k] / std
        Z /= std
        draws = _weighted_draws(Z, weights, 5, random_state)
        mix = random_state.exponential(size=(5, fan_out))
        mix /= mix.sum(axis=0)
        bias = -(mix * draws).sum(axis=0)
        intercepts[k][...] = bias
        Z += bias
        activate(Z, int(act_codes[k]), slope)
        A = Z
    return flat
