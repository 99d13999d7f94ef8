"""Batches of rows read from an iterable, on the client, one at a time.

What users write ``partial_fit`` loops for (batches read from files or a
database), trained as ``fit`` trains: epochs, schedules, early stopping and
L-BFGS. Each pass over the data iterates the batches again, so only one batch
is in memory at a time; they are visited in the order the iterable gives
them (each batch's rows are shuffled).
"""

import numbers

import numpy as np
from sklearn.utils import check_array

from .chunks import DataSummary, check_weight_stats

_BATCHES_CHANGED = (
    "The batches changed between passes over the data: {what}. fit reads the "
    "batches once per epoch (and once before, to learn the classes and sizes), "
    "and each pass must give the same batches."
)


def _pass(batches):
    if callable(batches):
        return iter(batches())
    iterator = iter(batches)
    if iterator is batches:
        raise TypeError(
            "fit reads the batches once per epoch, and an iterator (a "
            "generator, for example) can be read once: pass a list of batches, "
            "or a function that returns a fresh iterator of them."
        )
    return iterator


def _check_batch(batch, n_features, dtype):
    if not isinstance(batch, tuple) or len(batch) not in (2, 3):
        raise ValueError(
            "Each batch must be a tuple (X, y) or (X, y, sample_weight); got "
            f"{type(batch).__name__}."
        )
    X, y, *weights = batch
    X = check_array(
        X,
        accept_sparse="csr",
        dtype=(np.float64, np.float32) if dtype is None else dtype,
        input_name="X",
    )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"A batch has {X.shape[1]} features, but the first one had {n_features}."
        )
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"A batch has {X.shape[0]} rows of X and {y.size} of y.")
    sample_weight = weights[0] if weights else None
    if sample_weight is not None:
        if isinstance(sample_weight, numbers.Number):
            sample_weight = np.full(X.shape[0], sample_weight)
        sample_weight = np.ascontiguousarray(sample_weight, dtype=X.dtype)
        if sample_weight.shape != (X.shape[0],):
            raise ValueError(
                f"A batch has {X.shape[0]} rows of X and sample_weight of shape "
                f"{sample_weight.shape}."
            )
    return X, y, sample_weight


def _feature_names(X):
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(list(columns), dtype=object)
    return names if all(isinstance(c, str) for c in names) else None


class BatchStore:
    """Batches ``(X, y)`` or ``(X, y, sample_weight)`` from ``batches``: a
    re-iterable (a list, or an object whose ``__iter__`` starts over) or a
    function returning a fresh iterator. Build it with ``from_batches``."""

    reorderable = False

    def __init__(self, batches, sizes, n_features, dtype, encode=None):
        self.batches, self.sizes = batches, sizes
        self.n_features, self.dtype, self.encode = n_features, dtype, encode

    @classmethod
    def from_batches(cls, batches):
        """The store; its summary comes from one pass (``summarize``)."""
        return cls(batches, None, None, None)

    def summarize(self, classes=False, moments=False):
        """A ``DataSummary`` from one pass over the batches (which it checks)."""
        sizes, found = [], []
        names = y_ndim = n_columns = None
        w_low, w_high, w_finite, weighted = np.inf, -np.inf, True, False
        y_low, y_high, sums, weight_total = np.inf, -np.inf, 0.0, 0.0
        for batch in _pass(self.batches):
            if not sizes:
                names = _feature_names(batch[0] if isinstance(batch, tuple) else None)
            X, y, w = _check_batch(batch, self.n_features, self.dtype)
            self.n_features, self.dtype = X.shape[1], X.dtype
            if y_ndim is not None and y.ndim != y_ndim:
                raise ValueError("Every batch's y must have the same dimensions.")
            y_ndim, n_columns = y.ndim, 1 if y.ndim == 1 else y.shape[1]
            sizes.append(X.shape[0])
            if w is not None:
                weighted = True
                w_low, w_high = min(w_low, w.min()), max(w_high, w.max())
                w_finite = w_finite and bool(np.isfinite(w).all())
            if classes:
                found.append(np.unique(y))
            if moments and y.size:
                Y = y.reshape(y.shape[0], -1).astype(X.dtype).astype(np.float64)
                weights = np.ones(Y.shape[0]) if w is None else w.astype(np.float64)
                y_low, y_high = min(y_low, Y.min()), max(y_high, Y.max())
                sums = sums + weights @ Y
                weight_total += weights.sum()
        if not sum(sizes):
            raise ValueError(
                "Found array with 0 sample(s) while a minimum of 1 is required."
            )
        if weighted:
            check_weight_stats(w_low, w_high, w_finite)
        self.sizes = tuple(sizes)
        return DataSummary(
            n_features=self.n_features,
            feature_names=names,
            dtype=self.dtype,
            y_ndim=y_ndim,
            n_columns=n_columns,
            classes=np.unique(np.concatenate(found)) if classes else None,
            low=y_low if moments else None,
            high=y_high if moments else None,
            mean=sums / weight_total if moments else None,
        )

    def encoded(self, encode=None, n_columns=None):
        """The store with targets ``encode(y_batch)`` (None keeps y)."""
        return BatchStore(self.batches, self.sizes, self.n_features, self.dtype, encode)

    def _read(self):
        """The batches of one pass, checked, targets encoded."""
        count = 0
        for c, batch in enumerate(_pass(self.batches)):
            X, y, w = _check_batch(batch, self.n_features, self.dtype)
            if c >= len(self.sizes) or X.shape[0] != self.sizes[c]:
                raise ValueError(_BATCHES_CHANGED.format(what=f"batch {c} differs"))
            count += 1
            yield X, (y if self.encode is None else self.encode(y)), w
        if count != len(self.sizes):
            raise ValueError(
                _BATCHES_CHANGED.format(
                    what=f"{count} batches instead of {len(self.sizes)}"
                )
            )

    def chain(self, task, carry, steps):
        """Run ``task`` on each step's batch in turn (steps in batch order)."""
        wanted = dict(steps)
        for c, (X, Y, w) in enumerate(self._read()):
            if c in wanted:
                carry = task(X, Y, w, *wanted[c], carry)
        return carry

    def map_sum(self, task, shared, steps):
        """The elementwise sum of ``task``'s tuples over the steps' batches."""
        wanted, total = dict(steps), None
        for c, (X, Y, w) in enumerate(self._read()):
            if c in wanted:
                part = task(X, Y, w, *wanted[c], shared)
                total = (
                    part if total is None else tuple(a + b for a, b in zip(total, part))
                )
        return total
