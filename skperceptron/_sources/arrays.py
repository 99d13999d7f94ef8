"""Rows held in memory: validated dense or CSR X, its targets and weights.

The estimators validate and encode in-memory input themselves (scikit-learn's
checks and messages); this source then runs their epochs in scikit-learn's
orders, holds out early stopping's validation rows with scikit-learn's split,
and evaluates the L-BFGS objective, each with one compiled call.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._data import kernel_input, take_rows
from .._kernels import compiled
from .._kernels import units as unit_state
from .._kernels.specs import no_dropout, workspace
from .split_steps import SplitSteps
from .validation import Validation


def split_for_validation(
    X, y, Y, sample_weight, fraction, strata, random_state, min_rows=2
):
    """Indices of the training rows, and the ``Validation`` hold-out.

    scikit-learn's split (``train_test_split`` of the row indices, so that X
    is not copied); fewer than ``min_rows`` validation rows raise.
    """
    # imported here: sklearn.model_selection costs a fresh process ~7 ms
    from sklearn.model_selection import train_test_split

    n_samples = y.shape[0]
    try:
        train, val = train_test_split(
            np.arange(n_samples),
            random_state=random_state,
            test_size=fraction,
            stratify=strata,
        )
    except ValueError as exc:
        if strata is None or "too few members" not in str(exc):
            raise
        # scikit-learn's message names the rows of the label indicator
        # ('True'); say which classes of y they are
        labels, counts = np.unique(y, return_counts=True)
        raise ValueError(
            f"{exc} Early stopping holds out a validation set stratified by "
            f"class, and these classes of y have fewer than 2 samples: "
            f"{labels[counts < 2].tolist()}. Give every class at least 2 samples "
            "or set early_stopping=False."
        ) from exc
    if val.shape[0] < min_rows:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    sw_val = None if sample_weight is None else sample_weight[val]
    Y_val = None if Y is None else Y[val]
    return train, Validation(take_rows(X, val), y[val], Y_val, sw_val)


class ArraySource:
    """In-memory training rows.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated input, in the training dtype.
    targets : ndarray or perceptron.Samples
        The MLPs' target matrix ``Y`` as the output layer sees it, or the
        Perceptron's encoded ``Samples``.
    sample_weight : ndarray of shape (n_samples,) or None
        Validated sample weights.
    y : ndarray
        The targets as a validation score reads them (labels, values).
    transform : callable or None, default=None
        What the network does to X before its first layer (the input
        transform): applied to the training rows; hold-outs keep X's rows, as
        a validation score reads them.
    """

    def __init__(self, X, targets, sample_weight, y, transform=None):
        self.X, self.targets, self.sample_weight, self.y = X, targets, sample_weight, y
        self.data = kernel_input(X if transform is None else transform(X), X.dtype)
        self.n_rows = X.shape[0]
        self.train_rows = None  # every row, unless a hold-out was taken

    @property
    def n_train(self):
        """Rows an epoch trains on."""
        return self.n_rows if self.train_rows is None else self.train_rows.shape[0]

    def hold_out(self, fraction, random_state, strata=None, scoring=None, min_rows=2):
        """Hold out ``fraction`` of the rows (stratified by ``strata``, as
        scikit-learn splits); the ``Validation``."""
        Y = self.targets if isinstance(self.targets, np.ndarray) else None
        train, validation = split_for_validation(
            self.X,
            self.y,
            Y,
            self.sample_weight,
            fraction,
            strata,
            random_state,
            min_rows,
        )
        self.train_rows = train.astype(np.int64)
        return validation

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
        """A runner of stochastic-solver epochs that train ``flat`` in place.

        Each ``run(hyper, state)`` draws the epoch's order from
        ``random_state`` as scikit-learn draws it (a permutation applied to
        the previous epoch's order; then, with dropout, the masks' seed) and
        runs the epoch in one compiled call, or with ``split_steps`` 1 or 2
        (dense rows) each minibatch step as two halves of its rows, in that
        many threads (``split_steps.py``);
        ``n_batches`` is the number of minibatch steps an epoch takes.
        """
        return _MLPEpochs(
            self, flat, spec, loss, batch_size, dropout, random_state, shuffle,
            split_steps,
        )  # fmt: skip

    def mlp_objective(self, flat, spec, alpha):
        """L-BFGS's ``objective(x, loss) -> (value, gradient)`` over every row.

        The weights ``x`` are written into ``flat``; the gradient is float64.
        """
        Y = self.targets
        work = workspace(spec, Y.shape[0], flat.shape[0], flat.dtype, gather_rows=False)
        sw = _kernel_weights(self.sample_weight, flat.dtype)
        without = no_dropout(spec.units.shape[0] - 1)

        def objective(x, loss):
            flat[...] = x
            value = compiled.loss_and_gradient(
                self.data, Y, sw, flat, spec, loss, alpha, work, without
            )
            return value, work.grad.astype(np.float64)

        return objective

    # ---------------------------------------------------------- Perceptron
    def perceptron_epochs(self, encoding, seeds, random_state, shuffle, n_threads):
        """A runner of Rosenblatt epochs over ``self.targets`` (``Samples``).

        ``encoding`` is ``(classes, multinomial, per_unit)`` (the targets are
        encoded already; ``per_unit`` tells one sample order per unit from one
        for all); ``seeds`` holds the shuffle seed of each order (scikit-learn
        shuffles each order with its xorshift generator, see
        ``perceptron.shuffle_like_sgd``). With one order per unit, the units
        train in up to ``n_threads`` threads: each reads only its own state,
        so the model does not depend on the thread count. Use as a context
        manager (it closes its threads).
        """
        return _PerceptronEpochs(self, encoding[2], seeds, shuffle, n_threads)


def _kernel_weights(sample_weight, dtype):
    return np.empty(0, dtype=dtype) if sample_weight is None else sample_weight


class _MLPEpochs:
    def __init__(
        self,
        source,
        flat,
        spec,
        loss,
        batch_size,
        dropout,
        random_state,
        shuffle,
        split_steps,
    ):
        self.source, self.flat, self.spec, self.loss = source, flat, spec, loss
        self.batch_size, self.dropout = batch_size, dropout
        self.random_state, self.shuffle = random_state, shuffle
        n_train = source.n_train
        self.n_batches = -(-n_train // batch_size)
        self.positions = np.arange(n_train, dtype=np.int64)
        self.sw = _kernel_weights(source.sample_weight, flat.dtype)
        self.no_dropout = no_dropout(spec.units.shape[0] - 1)
        dense = source.data[1] is None
        self.split = self.work = None
        if split_steps and dense:
            self.split = SplitSteps(
                source.data, source.targets, self.sw, flat, spec, loss, batch_size,
                dropout, split_steps,
            )  # fmt: skip
        else:
            self.work = workspace(
                spec, batch_size, flat.shape[0], flat.dtype, dense, dropout
            )

    @property
    def step_threads(self):
        """The threads a minibatch step runs in."""
        return 1 if self.split is None else self.split.n_threads

    def run(self, hyper, state):
        """One epoch; returns the sum of batch losses times batch rows."""
        source, random_state = self.source, self.random_state
        if self.shuffle:
            permutation = np.arange(self.positions.shape[0])
            random_state.shuffle(permutation)
            self.positions = self.positions[permutation]
        rows = source.train_rows
        order = self.positions if rows is None else rows[self.positions]
        dropout = self.dropout
        if dropout is None:
            dropout = self.no_dropout
        else:
            dropout = dropout._replace(seed=random_state.randint(2**31 - 1))
        if self.split is not None:
            return self.split.run(order, hyper, state, dropout)
        return compiled.run_epoch(
            source.data,
            source.targets,
            self.sw,
            order,
            self.batch_size,
            self.flat,
            self.spec,
            self.loss,
            hyper,
            state,
            self.work,
            dropout,
        )


# Below this many stored values per epoch a unit's epoch is too short for a
# thread to pay for itself (a thread hand-off costs some 50 microseconds).
_MIN_VALUES_FOR_THREADS = 100_000


class _PerceptronEpochs:
    def __init__(self, source, per_unit, seeds, shuffle, n_threads):
        self.source, self.seeds, self.shuffle = source, seeds, shuffle
        self.indices = [np.arange(source.n_rows, dtype=np.int64) for _ in seeds]
        samples = source.targets
        self.samples = unit_state.unit_samples(samples) if per_unit else samples
        X, csr = source.data
        values = X.size if X is not None else csr[0].shape[0]
        threaded = per_unit and n_threads > 1 and values >= _MIN_VALUES_FOR_THREADS
        self.executor = ThreadPoolExecutor(n_threads) if threaded else None
        if source.train_rows is not None:
            self.train = np.zeros(source.n_rows, dtype=bool)
            self.train[source.train_rows] = True
        else:
            self.train = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.executor is not None:
            self.executor.shutdown()

    def _order(self, k):
        """Sample order ``k`` of this epoch (shuffled in place, as scikit-learn
        shuffles its dataset every epoch)."""
        index = self.indices[k]
        if self.shuffle:
            compiled.shuffle_like_sgd(index, self.seeds[k])
        return index if self.train is None else index[self.train[index]]

    def run(self, units, rule, step, l1_total, stats):
        """One epoch of every active unit; returns ``(units, step, l1_total,
        stats)``, updated in place."""
        unit_state.epoch_of_units(
            *self.source.data,
            self._order,
            self.samples,
            units,
            rule,
            step,
            l1_total,
            stats,
            map_units=map if self.executor is None else self.executor.map,
        )
        return units, step, l1_total, stats
