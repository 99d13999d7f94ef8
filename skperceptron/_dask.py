"""dask input: recognising it, checking its chunks, chunk-wise prediction.

dask is optional: nothing here imports it until a dask collection arrives, and
recognising one only looks at the type's module. Fitting on dask input lives
in ``_dask_fit.py``; this module holds what prediction and scoring need (the
linear classifiers' mixin sits below the estimators and uses it too).
"""

import warnings

import numpy as np
from sklearn.base import is_regressor
from sklearn.utils.validation import check_is_fitted

_UNKNOWN_CHUNKS = (
    "{name} has unknown chunk sizes (NaN), as a dask DataFrame's .values has. "
    "Call {name}.compute_chunk_sizes() first, or convert the DataFrame with "
    "to_dask_array(lengths=True)."
)


def is_dask_collection(obj):
    """Whether ``obj`` is a dask Array, DataFrame or Series (dask not imported)."""
    return type(obj).__module__.startswith("dask")


def reject_in_partial_fit(X):
    """Raise a TypeError for dask X: partial_fit takes in-memory batches."""
    if is_dask_collection(X):
        raise TypeError(
            "partial_fit takes in-memory batches and would collect a dask X on "
            "the client. Call fit with the dask collection, or partial_fit on "
            "computed chunks (for block in X.to_delayed().ravel(): "
            "partial_fit(block.compute(), ...))."
        )


def as_dask_array(obj, name, like=None):
    """``(array, column names or None)`` of a dask collection (or of a numpy
    array, chunked along ``like``'s rows).

    DataFrames and Series are converted with ``to_dask_array(lengths=True)``:
    one pass over the partitions on the workers, of which only the lengths
    reach the client.
    """
    import dask.array as da

    if obj is None:
        return None, None
    if hasattr(obj, "to_dask_array"):
        columns = getattr(obj, "columns", None)
        names = None
        if columns is not None:
            names = np.asarray(list(columns), dtype=object)
            if not all(isinstance(c, str) for c in names):
                names = None
        return obj.to_dask_array(lengths=True), names
    if isinstance(obj, da.Array):
        return obj, None
    if like is not None:
        obj = np.asarray(obj)
        if obj.ndim == 0 or obj.shape[0] != like.shape[0]:
            raise ValueError(
                f"{name} has {obj.shape[0] if obj.ndim else 0} rows but X has "
                f"{like.shape[0]}."
            )
        return da.from_array(obj, chunks=(like.chunks[0],) + obj.shape[1:]), None
    raise TypeError(
        f"{name} must be a dask Array, DataFrame or Series, got {type(obj).__name__}."
    )


def check_chunks(X, y=None, sample_weight=None):
    """Raise a ValueError for chunking the dask code cannot use.

    X must be 2-D, with known row chunks and one chunk along its columns; y
    and sample_weight must have X's row chunks.
    """
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D X, got a {X.ndim}-D dask array.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(_UNKNOWN_CHUNKS.format(name="X"))
    if len(X.chunks[1]) > 1:
        raise ValueError(
            f"X is chunked along its columns ({len(X.chunks[1])} column chunks); "
            "each chunk must hold whole rows. Rechunk it with X.rechunk({1: -1})."
        )
    for name, a in (("y", y), ("sample_weight", sample_weight)):
        if a is None:
            continue
        if any(np.isnan(c) for c in a.chunks[0]):
            raise ValueError(_UNKNOWN_CHUNKS.format(name=name))
        if a.chunks[0] != X.chunks[0]:
            raise ValueError(
                f"The row chunks of {name} {a.chunks[0]} do not match those of X "
                f"{X.chunks[0]}: each chunk of X needs its own rows of {name} "
                f"(mismatched partitions). Rechunk with "
                f"{name}.rechunk({{0: X.chunks[0]}}), or take X and {name} from "
                "the same DataFrame."
            )
        if a.ndim > 2 or (a.ndim == 2 and len(a.chunks[1]) > 1):
            raise ValueError(
                f"{name} must be 1-D, or 2-D with one chunk along its columns "
                f"(rechunk with {name}.rechunk({{1: -1}}))."
            )


def prediction_array(estimator, X):
    """X as a checked dask array whose columns match the fitted model's."""
    X, names = as_dask_array(X, "X")
    check_chunks(X)
    fitted = getattr(estimator, "feature_names_in_", None)
    if names is not None and fitted is not None and not np.array_equal(names, fitted):
        raise ValueError(
            "The feature names of X differ from those seen during fit: "
            f"{list(names)} instead of {list(fitted)}."
        )
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )
    return X


def _apply(block, model, method):
    with warnings.catch_warnings():
        # blocks are arrays even when the model was fitted on a DataFrame
        warnings.filterwarnings("ignore", message="X does not have valid feature")
        return getattr(model, method)(block)


def predict_blocks(estimator, method, X):
    """``estimator.method`` of every row chunk of dask ``X``, as a dask array.

    Each chunk is predicted on the worker that holds it (``map_blocks``); the
    model is one key of the graph, so it travels to each worker once. One row
    of zeros is predicted on the client to learn the result's shape and dtype.
    """
    import dask

    X = prediction_array(estimator, X)
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    probe = _apply(np.zeros((1, X.shape[1]), dtype=dtype), estimator, method)
    model = dask.delayed(estimator, pure=False)
    if probe.ndim == 1:
        return X.map_blocks(
            _apply,
            model,
            method,
            dtype=probe.dtype,
            drop_axis=1,
            chunks=(X.chunks[0],),
            meta=probe[:0],
        )
    return X.map_blocks(
        _apply,
        model,
        method,
        dtype=probe.dtype,
        chunks=(X.chunks[0], (probe.shape[1],)),
        meta=probe[:0],
    )


def score_blocks(estimator, X, y, sample_weight, regression):
    """Accuracy (classifiers) or R^2 (regressors) of chunk-wise predictions.

    Sums over chunks are computed on the workers; only the sums reach the
    client. R^2 is uniformly averaged over outputs, as scikit-learn's is.
    """
    import dask
    import dask.array as da

    y_pred = predict_blocks(estimator, "predict", X)
    y, _ = as_dask_array(y, "y", like=y_pred)
    sample_weight, _ = as_dask_array(sample_weight, "sample_weight", like=y_pred)
    for name, a in (("y", y), ("sample_weight", sample_weight)):
        if a is not None and a.chunks[0] != y_pred.chunks[0]:
            raise ValueError(
                f"The row chunks of {name} {a.chunks[0]} do not match those of X "
                f"{y_pred.chunks[0]} (mismatched partitions)."
            )
    w = da.ones_like(y_pred[:, 0] if y_pred.ndim == 2 else y_pred, dtype=np.float64)
    if sample_weight is not None:
        w = sample_weight.astype(np.float64)
    if not regression:
        correct = y_pred == y
        if correct.ndim == 2:
            correct = correct.all(axis=1)
        hits, total = dask.compute((w * correct).sum(), w.sum())
        return float(hits / total)
    y2 = y.reshape(-1, 1) if y.ndim == 1 else y
    pred2 = y_pred.reshape(-1, 1) if y_pred.ndim == 1 else y_pred
    wc = w[:, None]
    (mean,) = dask.compute((wc * y2).sum(axis=0) / w.sum())
    num, den = dask.compute(
        (wc * (y2 - pred2) ** 2).sum(axis=0), (wc * (y2 - mean) ** 2).sum(axis=0)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(den != 0, 1 - num / den, np.where(num == 0, 1.0, 0.0))
    return float(np.mean(r2))


class DaskScoreMixin:
    """``score`` that also takes dask input (computed chunk-wise on the workers)."""

    def score(self, X, y, sample_weight=None):
        """Return the score on the given data: accuracy or the R^2 coefficient.

        Classifiers return the mean accuracy (subset accuracy for multilabel
        targets), regressors the coefficient of determination R^2, as
        scikit-learn's ``score`` does. For dask input the predictions are
        computed chunk-wise on the workers and only sums reach the client.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Test samples.
        y : array-like or dask array of shape (n_samples,) or (n_samples, n_outputs)
            True labels or values for X.
        sample_weight : array-like or dask array of shape (n_samples,), \
                default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy or R^2 of ``self.predict(X)`` with respect to y.

        Examples
        --------
        >>> from skperceptron import Perceptron
        >>> X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1]
        >>> Perceptron(tol=None, shuffle=False).fit(X, y).score(X, y)
        1.0
        """
        if is_dask_collection(X):
            check_is_fitted(self)
            return score_blocks(self, X, y, sample_weight, is_regressor(self))
        return super().score(X, y, sample_weight=sample_weight)
