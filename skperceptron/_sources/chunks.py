"""Rows kept in chunks where they live, trained chunk by chunk.

A ``ChunkSource`` runs the estimators' epochs over a *store*: an object that
knows where the chunks are and where work on them runs. It offers

- ``sizes``, the rows of each chunk, and ``reorderable``, whether an epoch may
  visit the chunks in any order;
- ``chain(task, carry, steps)``: for each ``(chunk, args)`` of ``steps`` in
  turn, ``carry = task(X, targets, sample_weight, *args, carry)`` run where
  the chunk lives; returns the last carry;
- ``map_sum(task, shared, steps)``: the elementwise sum of the tuples
  ``task(X, targets, sample_weight, *args, shared)`` over ``steps``.

``_sources/dask_store.py`` keeps chunks on a dask cluster, and
``_sources/batch_store.py`` reads them from an iterable of batches; the
training arithmetic is the same (``chunk_tasks``).

Each epoch visits the chunks in a shuffled order (when the store allows),
and each chunk's rows in an order of its own: with one chunk the order is
drawn on the client exactly as the in-memory fit draws it (the same model);
with several, each chunk shuffles from a seed. Early stopping holds out
``validation_fraction`` of every chunk's rows (a random subset, not
stratified), scored where the chunk lives.
"""

from typing import NamedTuple

import numpy as np

from .._kernels import compiled
from . import chunk_tasks as tasks


class DataSummary(NamedTuple):
    """What the estimators learn of chunked data before training on it.

    ``n_features`` and ``feature_names`` (or None) of X, ``dtype`` the
    training dtype (X's if float32 or float64, else float64), ``y_ndim`` and
    ``n_columns`` of y (1 for 1-D y); ``classes`` (``np.unique`` of y) when
    asked for, else None; ``low``, ``high`` and ``mean`` (weighted, per column)
    of y when moments were asked for, else None.
    """

    n_features: int
    feature_names: object
    dtype: object
    y_ndim: int
    n_columns: int
    classes: object
    low: object
    high: object
    mean: object


def check_weight_stats(low, high, finite):
    """Raise the errors of in-memory sample weights from their summary."""
    if not finite:
        raise ValueError("Input sample_weight contains NaN or infinity.")
    if low < 0:
        raise ValueError("Negative values in data passed to sample_weight")
    if not high > 0:
        raise ValueError("Sample weights must contain at least one non-zero number.")


class ChunkValidation:
    """The hold-out rows of every chunk, evaluated where they live."""

    def __init__(self, store, holdouts):
        self.store = store
        self.holdouts = holdouts

    def _steps(self, *args):
        return [(c, (h, *args)) for c, h in enumerate(self.holdouts) if h[1]]

    def evaluate(self, flat, net, scoring):
        """``(loss, score)`` of the network with weights ``flat``: the
        ``scoring`` kinds 'loss', 'accuracy' and 'r2' only."""
        loss_sum, weight_sum, hits, sum_y, sum_y2, sse = self.store.map_sum(
            tasks.mlp_validation_sums, flat.copy(), self._steps(net)
        )
        val_loss = net.loss.scale * loss_sum / weight_sum
        if scoring.kind == "loss":
            return val_loss, -val_loss
        if scoring.kind == "accuracy":
            return val_loss, hits / weight_sum
        if not np.isfinite(sse).all():
            return val_loss, np.nan
        total = sum_y2 - sum_y**2 / weight_sum
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(total > 0, 1 - sse / total, np.where(sse == 0, 1.0, 0.0))
        return val_loss, float(np.mean(r2))

    def accuracy(self, coef, intercept, classes, multilabel):
        """Accuracy of a layer of linear units on the hold-out (1-D labels)."""
        correct, total = self.store.map_sum(
            tasks.perceptron_hits, (coef, intercept, classes), self._steps()
        )
        return correct / total


class ChunkSource:
    """Training rows in the chunks of a ``store`` (see the module docstring)."""

    def __init__(self, store):
        self.store = store
        self.sizes = [int(n) for n in store.sizes]
        self.holdouts = [None] * len(self.sizes)

    def _train_sizes(self):
        return [n - (h[1] if h else 0) for n, h in zip(self.sizes, self.holdouts)]

    @property
    def n_train(self):
        """Rows an epoch trains on."""
        return sum(self._train_sizes())

    def hold_out(self, fraction, random_state, strata=None, scoring=None):
        """Hold out ``fraction`` of every chunk; the ``ChunkValidation``.

        ``strata`` is ignored (each chunk's hold-out is a random subset);
        ``scoring`` must be of a kind that sums over chunks.
        """
        if scoring is not None and scoring.kind == "custom":
            raise ValueError(
                "Early stopping on chunked data scores the hold-out where each "
                "chunk lives, by the accuracy (classifiers), R^2 (regressors) or "
                "the loss: use scoring=None or scoring='loss' (several quantile "
                "levels: scoring='loss')."
            )
        self.holdouts = tasks.draw_holdouts(random_state, self.sizes, fraction)
        return ChunkValidation(self.store, self.holdouts)

    def _chunk_order(self, random_state, shuffle):
        order = np.arange(len(self.sizes))
        if shuffle and len(order) > 1 and self.store.reorderable:
            random_state.shuffle(order)
        return order

    # ---------------------------------------------------------------- MLPs
    def mlp_epochs(
        self,
        flat,
        spec,
        loss,
        batch_size,
        dropout,
        random_state,
        shuffle,
        split_steps=0,
    ):
        """A runner of stochastic-solver epochs (see ``ArraySource.mlp_epochs``;
        ``split_steps`` is not used: the chunks' workers are the parallelism)."""
        return _MLPEpochs(
            self, flat, spec, loss, batch_size, dropout, random_state, shuffle
        )

    def mlp_objective(self, flat, spec, alpha):
        """L-BFGS's ``objective(x, loss) -> (value, gradient)`` over every row.

        Each chunk returns its raw loss sum, raw gradient and weight sum; the
        L2 term and the division by the total weight are applied here, as the
        kernel applies them.
        """
        dtype, n_coef = flat.dtype, int(spec.int_off[0])

        def objective(x, loss):
            params = np.asarray(x, dtype=dtype)
            steps = [(c, (spec, loss)) for c, n in enumerate(self.sizes) if n]
            loss_sum, grad, weight_sum = self.store.map_sum(
                tasks.mlp_loss_and_gradient, params, steps
            )
            weights = params[:n_coef].astype(np.float64)
            grad[:n_coef] += alpha * weights
            value = (loss_sum + 0.5 * alpha * float(weights @ weights)) / weight_sum
            return value, grad / weight_sum

        return objective

    # ---------------------------------------------------------- Perceptron
    def perceptron_epochs(self, encoding, seeds, random_state, shuffle, n_threads):
        """A runner of Rosenblatt epochs (see ``ArraySource.perceptron_epochs``).

        ``encoding`` is ``(classes, multinomial, per_unit)``: each chunk's
        labels are encoded where the chunk lives. Each chunk's task trains
        every unit serially: ``n_threads`` is not used, the chunks' workers
        being the parallelism.
        """
        return _PerceptronEpochs(self, encoding, seeds, random_state, shuffle)


class _MLPEpochs:
    step_threads = 1  # each chunk's epoch is one compiled call

    def __init__(
        self, source, flat, spec, loss, batch_size, dropout, random_state, shuffle
    ):
        self.source, self.flat = source, flat
        self.random_state, self.shuffle = random_state, shuffle
        self.spec, self.loss, self.batch_size = spec, loss, batch_size
        self.dropout = dropout
        self.n_train = source._train_sizes()
        self.n_batches = sum(-(-n // batch_size) for n in self.n_train)
        one = len(self.n_train) == 1
        self.positions = np.arange(self.n_train[0], dtype=np.int64) if one else None

    def _row_orders(self, random_state):
        """This epoch's row order of each chunk: one chunk, the in-memory fit's
        draw (``positions`` updated in place); several, a seed per chunk."""
        if self.positions is not None:
            permutation = np.arange(self.n_train[0])
            random_state.shuffle(permutation)
            self.positions[...] = self.positions[permutation]
            return [self.positions.copy()]
        return [
            int(s) for s in random_state.randint(tasks.MAX_SEED, size=len(self.n_train))
        ]

    def run(self, hyper, state):
        """One epoch; returns the sum of batch losses times batch rows."""
        source, flat = self.source, self.flat
        random_state, shuffle = self.random_state, self.shuffle
        chunk_order = source._chunk_order(random_state, shuffle)
        rows = self._row_orders(random_state) if shuffle else [None] * len(chunk_order)
        # one mask seed per chunk, drawn as the in-memory fit draws its one
        seeds = (
            [random_state.randint(tasks.MAX_SEED) for _ in chunk_order]
            if self.dropout is not None
            else [None] * len(chunk_order)
        )
        steps = [
            (
                c,
                (
                    source.holdouts[c],
                    rows[c],
                    self.batch_size,
                    self.spec,
                    self.loss,
                    hyper,
                    None if seed is None else self.dropout._replace(seed=seed),
                ),
            )
            for c, seed in zip(chunk_order, seeds)
            if self.n_train[c]
        ]
        memory = (state.m, state.v, state.velocity, state.mu_product, state.square_avg)
        carry = (flat.copy(), *memory, state.t, 0.0)
        params, *new_memory, _, total = source.store.chain(
            tasks.mlp_epoch, carry, steps
        )
        flat[...] = params
        for old, new in zip(memory, new_memory):
            if old is not None:
                old[...] = new
        return total


class _PerceptronEpochs:
    def __init__(self, source, encoding, seeds, random_state, shuffle):
        self.source, self.encoding, self.seeds = source, encoding, seeds
        self.random_state, self.shuffle = random_state, shuffle
        self.indices = [np.arange(source.sizes[0], dtype=np.int64) for _ in seeds]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def run(self, units, rule, step, l1_total, stats):
        """One epoch of every active unit; returns the new ``(units, step,
        l1_total, stats)``."""
        source = self.source
        random_state, shuffle = self.random_state, self.shuffle
        n_chunks, n_orders = len(source.sizes), len(self.seeds)
        chunk_order = source._chunk_order(random_state, shuffle)
        rows = [[None] * n_orders] * n_chunks
        if shuffle and n_chunks == 1:
            for index, seed in zip(self.indices, self.seeds):
                compiled.shuffle_like_sgd(index, seed)
            rows = [[index.copy() for index in self.indices]]
        elif shuffle:
            rows = random_state.randint(
                tasks.MAX_SEED, size=(n_chunks, n_orders)
            ).tolist()
        train = source._train_sizes()
        steps = [
            (c, (source.holdouts[c], rows[c], self.encoding, rule))
            for c in chunk_order
            if train[c]
        ]
        return source.store.chain(
            tasks.perceptron_epoch, (units, step, l1_total, stats), steps
        )
