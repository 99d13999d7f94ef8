"""The Perceptron's unit state in plain Python: built, sliced, read, and one
epoch of every unit (each unit's or all units' compiled epoch in turn)."""

import numpy as np

from . import compiled
from .specs import EpochStats, Units


def new_units(coef, intercept, averaging, l1):
    """Fresh ``Units`` starting from the weights ``coef`` and ``intercept``.

    Every unit starts active, with class weights 1.
    """
    n_units, n_features = coef.shape
    width = n_features if averaging else 0
    V = np.array(coef, order="C")
    return Units(
        V=V,
        scale=np.ones(n_units),
        b=np.array(intercept, dtype=np.float64),
        active=np.ones(n_units, dtype=np.bool_),
        sq_norm=(V.astype(np.float64) ** 2).sum(axis=1),
        weight_pos=np.ones(n_units),
        weight_neg=np.ones(n_units),
        q=np.zeros((n_units, n_features if l1 else 0)),
        avg_sum=np.zeros((n_units, width)),
        B=np.zeros((n_units, width)),
        S=np.zeros(n_units),
        b_sum=np.zeros(n_units),
        n_averaged=np.zeros(n_units, dtype=np.int64),
    )


def unit_slice(units, k):
    """The state of unit ``k`` alone (views: updates reach ``units``)."""
    return Units(*(field[k : k + 1] for field in units))


def unit_samples(samples):
    """One ``Samples`` per unit, each holding only that unit's target column."""
    return [
        samples._replace(targets=np.ascontiguousarray(samples.targets[:, k : k + 1]))
        for k in range(samples.targets.shape[1])
    ]


def epoch_of_units(
    X, csr, order_of, samples, units, rule, step, l1_total, stats, map_units=map
):
    """One epoch of every unit; returns nothing, updates its arguments.

    With one sample order (``order_of(0)``), all units train in one pass over
    it on ``samples``. With one order per unit (one-vs-rest units fitted one
    after another, as scikit-learn fits them), each active unit ``k`` trains
    alone on ``order_of(k)`` and ``samples[k]`` (see ``unit_samples``); the
    units are handed to ``map_units`` (``map``, or a thread pool's ``map``:
    each reads and writes only its own rows of the state, and the kernel
    then used releases the GIL). ``step`` and ``l1_total`` are
    lists with one entry per order, updated in place.
    """
    in_threads = map_units is not map
    if len(step) == 1:
        step[0], l1_total[0] = compiled.perceptron_epoch(
            X, csr, order_of(0), samples, units, rule, step[0], l1_total[0], stats
        )
        return

    def train_unit(k):
        step[k], l1_total[k] = compiled.perceptron_epoch(
            X,
            csr,
            order_of(k),
            samples[k],
            unit_slice(units, k),
            rule,
            step[k],
            l1_total[k],
            EpochStats(*(a[k : k + 1] for a in stats)),
            in_threads=in_threads,
        )

    for _ in map_units(train_unit, np.flatnonzero(units.active)):
        pass


def real_coef(units):
    """The weights ``scale * V``, in the dtype of ``V``."""
    return (units.scale[:, None] * units.V).astype(units.V.dtype)


def averaged(units):
    """The averaged weights and intercepts (after ``settle_average``)."""
    count = np.maximum(units.n_averaged, 1)[:, None]
    total = units.avg_sum + units.S[:, None] * units.V - units.B
    return (total / count).astype(units.V.dtype), units.b_sum / count[:, 0]


def settle_average(units):
    """Fold the lazy average into ``avg_sum`` (before the state is stored)."""
    units.avg_sum[...] += units.S[:, None] * units.V - units.B
    units.B[...] = 0.0
    units.S[...] = 0.0
