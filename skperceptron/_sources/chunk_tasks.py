"""The work done on one chunk of rows, where the chunk lives.

Each task takes the chunk's inputs first (``X``, its targets, its sample
weights or None), then its own arguments, and last the value shared by all
chunks or carried from one chunk to the next. Tasks that carry training state
copy it first, so that a task run again (a lost dask worker) starts from the
same weights. Everything here is a plain function of arrays, so that dask can
send it to a worker.
"""

import math

import numpy as np

from .._data import kernel_input, take_rows
from .._kernels import compiled
from .._kernels import units as unit_state
from .._kernels.specs import (
    EpochStats,
    OptimizerState,
    Samples,
    no_dropout,
    workspace,
)
from .._linear_model import linear_hits
from .validation import network_outputs

MAX_SEED = np.iinfo(np.int32).max


def split_rows(n_rows, holdout):
    """(training rows, validation rows) of a chunk; ``holdout`` is (seed, n_val)."""
    if holdout is None:
        return np.arange(n_rows, dtype=np.int64), np.empty(0, dtype=np.int64)
    seed, n_val = holdout
    permutation = np.random.RandomState(seed).permutation(n_rows)
    return np.sort(permutation[n_val:]), np.sort(permutation[:n_val])


def draw_holdouts(random_state, sizes, fraction):
    """Per chunk ``(seed, n_val)``: ceil(fraction * rows) validation rows."""
    seeds = random_state.randint(MAX_SEED, size=len(sizes))
    holdouts = [
        (int(seed), math.ceil(fraction * n) if n else 0)
        for seed, n in zip(seeds, sizes)
    ]
    if sum(h[1] for h in holdouts) < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return holdouts


def _copied(carry):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in carry)


# ------------------------------------------------------------------ the MLPs
def _epoch_rows(train, rows):
    """The chunk's rows of this epoch: in order (None), the client's order (an
    array, one chunk) or shuffled from a seed."""
    if rows is None:
        return train
    if isinstance(rows, np.ndarray):
        return train[rows]
    return train[np.random.RandomState(rows).permutation(train.shape[0])]


def mlp_epoch(
    X, Y, sample_weight, holdout, rows, batch_size, spec, loss, hyper, dropout, carry
):
    """One epoch over one chunk's training rows; returns the updated carry.

    ``carry`` is ``(params, m, v, velocity, mu_product, square_avg, t, loss
    total)``; ``dropout`` is the chunk's ``specs.Dropout``, or None.
    """
    params, m, v, velocity, mu_product, square_avg, t, total = _copied(carry)
    data = kernel_input(X, params.dtype)
    Y = np.ascontiguousarray(Y)
    order = _epoch_rows(split_rows(Y.shape[0], holdout)[0], rows)
    work = workspace(
        spec,
        min(batch_size, order.shape[0]),
        params.shape[0],
        params.dtype,
        data[1] is None,
        dropout=dropout,
    )
    sw = np.empty(0, dtype=params.dtype) if sample_weight is None else sample_weight
    total += compiled.run_epoch(
        data,
        Y,
        sw,
        order,
        batch_size,
        params,
        spec,
        loss,
        hyper,
        OptimizerState(m, v, velocity, mu_product, square_avg, t),
        work,
        no_dropout(spec.units.shape[0] - 1) if dropout is None else dropout,
    )
    t += -(-order.shape[0] // batch_size)
    return params, m, v, velocity, mu_product, square_avg, t, total


def mlp_loss_and_gradient(X, Y, sample_weight, spec, loss, params):
    """Raw weighted loss sum, raw gradient and weight sum of one chunk."""
    data = kernel_input(X, params.dtype)
    Y = np.ascontiguousarray(Y)
    n_params = params.shape[0]
    weight_sum = float(Y.shape[0] if sample_weight is None else sample_weight.sum())
    if weight_sum == 0:
        return 0.0, np.zeros(n_params), 0.0
    work = workspace(spec, Y.shape[0], n_params, params.dtype, False)
    sw = np.empty(0, dtype=params.dtype) if sample_weight is None else sample_weight
    # with alpha=0 the kernel returns (loss sum) / S and gradient / S
    without = no_dropout(spec.units.shape[0] - 1)
    mean = compiled.loss_and_gradient(
        data, Y, sw, params, spec, loss, 0.0, work, without
    )
    return mean * weight_sum, work.grad.astype(np.float64) * weight_sum, weight_sum


def mlp_validation_sums(X, Y, sample_weight, holdout, net, params):
    """Sums of one chunk's hold-out: loss, weight, hits, and R^2's moments."""
    rows = split_rows(Y.shape[0], holdout)[1]
    n_outputs = Y.shape[1]
    if rows.shape[0] == 0:
        zeros = np.zeros(n_outputs)
        return 0.0, 0.0, 0.0, zeros, zeros, zeros
    outputs = network_outputs(params, net, take_rows(X, rows))
    Yv = np.ascontiguousarray(Y[rows])
    w = np.ones(rows.shape[0]) if sample_weight is None else sample_weight[rows]
    sw = np.empty(0, dtype=params.dtype) if sample_weight is None else w
    loss_sum = compiled.loss_sum(
        outputs,
        Yv,
        sw,
        np.arange(rows.shape[0]),
        np.empty_like(outputs),
        net.act_codes[-1],
        net.loss,
    )
    if n_outputs == 1:
        hits = (outputs[:, 0] > 0.5) == (Yv[:, 0] > 0.5)
    else:
        hits = outputs.argmax(axis=1) == Yv.argmax(axis=1)
    wc = w[:, None].astype(np.float64)
    return (
        float(loss_sum),
        float(w.sum()),
        float(w @ hits),
        (wc * Yv).sum(axis=0),
        (wc * Yv.astype(np.float64) ** 2).sum(axis=0),
        (wc * (Yv.astype(np.float64) - outputs) ** 2).sum(axis=0),
    )


# ------------------------------------------------------------ the Perceptron
def encode_labels(y, classes, multinomial):
    """Per-unit +1/-1 targets or class indices of 1-D labels ``y`` (the forms
    ``perceptron.Samples`` takes)."""
    index = np.searchsorted(classes, y)
    if multinomial:
        return np.empty((0, 0), np.int8), index.astype(np.int64)
    if len(classes) == 2:
        return np.where(index == 1, 1, -1).astype(np.int8)[:, None], np.empty(
            0, np.int64
        )
    signs = -np.ones((y.shape[0], len(classes)), dtype=np.int8)
    signs[np.arange(y.shape[0]), index] = 1
    return signs, np.empty(0, np.int64)


def _perceptron_rows(n_rows, holdout, rows):
    train = split_rows(n_rows, holdout)[0]
    if rows is None:
        return train
    if isinstance(rows, np.ndarray):  # an order of all rows (one chunk)
        keep = np.zeros(n_rows, dtype=bool)
        keep[train] = True
        return rows[keep[rows]]
    return train[np.random.RandomState(rows).permutation(train.shape[0])]


def perceptron_epoch(X, y, sample_weight, holdout, rows, encoding, rule, carry):
    """One epoch of the rule over one chunk; returns the updated carry.

    ``carry`` is ``(units, steps, l1 totals, epoch stats)``; ``rows`` holds
    one order per unit fitted alone, or one for all units; ``encoding`` is
    ``(classes, multinomial, per_unit)``.
    """
    units, step, l1_total, stats = carry
    units = units._replace(**{f: getattr(units, f).copy() for f in units._fields})
    stats = EpochStats(stats.loss.copy(), stats.mistakes.copy())
    step, l1_total = list(step), list(l1_total)
    classes, multinomial, per_unit = encoding
    targets, labels = encode_labels(y, classes, multinomial)
    sw = np.empty(0) if sample_weight is None else sample_weight.astype(np.float64)
    samples = Samples(targets, labels, sw)
    orders = [_perceptron_rows(y.shape[0], holdout, r) for r in rows]
    unit_state.epoch_of_units(
        *kernel_input(X, units.V.dtype),
        orders.__getitem__,
        unit_state.unit_samples(samples) if per_unit else samples,
        units,
        rule,
        step,
        l1_total,
        stats,
    )
    return units, step, l1_total, stats


def perceptron_hits(X, y, sample_weight, holdout, model):
    """(correct predictions, rows) of one chunk's hold-out; ``model`` is
    ``(coef, intercept, classes)``."""
    coef, intercept, classes = model
    rows = split_rows(y.shape[0], holdout)[1]
    hits = linear_hits(take_rows(X, rows), y[rows], coef, intercept, classes, False)
    return float(np.sum(hits)), float(rows.shape[0])
