"""Chunks of dask collections, kept on the workers.

X, the targets and the sample weights are persisted on the workers once per
fit; every task then runs on the worker holding its chunk (the chunk is by
far its largest input), and only weights, gradients, optimizer state and sums
travel. A chain of tasks passes the training state from the worker of one
chunk to the worker of the next; a value shared by every chunk's task is one
key of the graph, so it reaches each worker once. dask is imported only here,
and only once dask input arrives.
"""

import numpy as np
from sklearn.utils import assert_all_finite

from .._dask import as_dask_array, check_chunks
from .chunks import DataSummary, check_weight_stats


def _checked_block(block):
    assert_all_finite(block, input_name="X")
    return block


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def _tree_sum(parts):
    """One delayed value: the elementwise sum of tuples, added pairwise."""
    import dask

    add = dask.delayed(_add, pure=True)
    while len(parts) > 1:
        parts = [
            add(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]


def _blocks(array, n_chunks):
    if array is None:
        return [None] * n_chunks
    return list(array.to_delayed().ravel())


class DaskStore:
    """The row chunks of dask ``X``, ``targets`` and ``sample_weight`` (or None).

    Build it with ``from_collections``; ``encoded`` persists it on the workers.
    """

    reorderable = True

    def __init__(self, X, targets, sample_weight, feature_names=None):
        self.X, self.targets, self.sample_weight = X, targets, sample_weight
        self.feature_names = feature_names
        self.sizes = tuple(int(n) for n in X.chunks[0])
        self._chunks = None

    @classmethod
    def from_collections(cls, X, y, sample_weight):
        """Check dask X, y and sample_weight (numpy y or weights are chunked
        like X); X's values are checked lazily, on the workers."""
        X, names = as_dask_array(X, "X")
        check_chunks(X)
        y, _ = as_dask_array(y, "y", like=X)
        sample_weight, _ = as_dask_array(sample_weight, "sample_weight", like=X)
        check_chunks(X, y, sample_weight)
        if X.shape[0] == 0:
            raise ValueError(
                "Found array with 0 sample(s) while a minimum of 1 is required."
            )
        if sample_weight is not None and sample_weight.ndim != 1:
            raise ValueError("sample_weight must be 1-D.")
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        X = X.map_blocks(_checked_block, dtype=X.dtype)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(X.dtype)
        return cls(X, y, sample_weight, names)

    def summarize(self, classes=False, moments=False):
        """A ``DataSummary``, computed on the workers in one pass."""
        import dask
        import dask.array as da

        y, w, dtype = self.targets, self.sample_weight, self.X.dtype
        lazy = {}
        if w is not None:
            lazy.update(low=w.min(), high=w.max(), finite=da.isfinite(w).all())
        if classes:
            lazy["classes"] = da.unique(y)
        if moments:
            Y = (y[:, None] if y.ndim == 1 else y).astype(dtype)
            weights = da.ones_like(Y[:, 0]) if w is None else w
            lazy["y_low"], lazy["y_high"] = Y.min(), Y.max()
            lazy["mean"] = (Y.astype(np.float64) * weights[:, None]).sum(
                axis=0
            ) / weights.sum()
        (stats,) = dask.compute(lazy)
        if w is not None:
            check_weight_stats(stats["low"], stats["high"], stats["finite"])
        return DataSummary(
            n_features=int(self.X.shape[1]),
            feature_names=self.feature_names,
            dtype=dtype,
            y_ndim=y.ndim,
            n_columns=1 if y.ndim == 1 else int(y.shape[1]),
            classes=stats.get("classes"),
            low=stats.get("y_low"),
            high=stats.get("y_high"),
            mean=None if "mean" not in stats else np.asarray(stats["mean"]),
        )

    def encoded(self, encode=None, n_columns=None):
        """The store with targets ``encode(y_chunk)`` (2-D, ``n_columns``
        wide; None keeps y), persisted on the workers."""
        import dask

        targets = self.targets
        if encode is not None:
            targets = targets.map_blocks(
                encode,
                dtype=self.X.dtype,
                new_axis=1 if targets.ndim == 1 else None,
                chunks=(targets.chunks[0], (n_columns,)),
            )
        X, targets, sample_weight = dask.persist(self.X, targets, self.sample_weight)
        store = DaskStore(X, targets, sample_weight, self.feature_names)
        n = len(store.sizes)
        store._chunks = list(
            zip(_blocks(X, n), _blocks(targets, n), _blocks(sample_weight, n))
        )
        return store

    def chain(self, task, carry, steps):
        """Run ``task`` on each step's chunk in turn, passing the carry on."""
        import dask

        step = dask.delayed(task, pure=True)
        carry = dask.delayed(carry, traverse=False)
        for c, args in steps:
            carry = step(*self._chunks[c], *args, carry)
        (result,) = dask.compute(carry)
        return result

    def map_sum(self, task, shared, steps):
        """The elementwise sum of ``task``'s tuples over the steps' chunks."""
        import dask

        shared = dask.delayed(shared, pure=True, traverse=False)
        evaluate = dask.delayed(task, pure=True)
        parts = [evaluate(*self._chunks[c], *args, shared) for c, args in steps]
        (total,) = dask.compute(_tree_sum(parts))
        return total
