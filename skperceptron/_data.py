"""Input checks shared by the estimators, and validated X in the kernels' form."""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import validate_data

from ._sklearn_compat import _check_sample_weight

BATCH_WEIGHTS_MESSAGE = (
    "With batches, give each batch's sample weights inside it, as (X, y, "
    "sample_weight), not as fit's sample_weight."
)


def is_batch_iterable(X, y):
    """Whether ``fit(X, y)`` was given batches: ``y`` is None and X is a
    function returning an iterator, or an iterable that is not array-like."""
    if y is not None or hasattr(X, "shape") or hasattr(X, "__array__"):
        return False
    if sp.issparse(X) or isinstance(X, (str, bytes, dict)):
        return False
    if callable(X):
        return True
    if isinstance(X, (list, tuple)):
        first = X[0] if len(X) else None
        return isinstance(first, tuple) and len(first) in (2, 3)
    return hasattr(X, "__iter__")


def kernel_input(X, dtype):
    """Return ``(X_dense, None)`` or ``(None, (data, indices, indptr))``.

    Dense X becomes C-contiguous in ``dtype`` (no copy when it already is);
    sparse X becomes CSR arrays with int32 column indices (int64 only for
    more columns than int32 holds) and int64 row pointers, whatever the
    input's index types, so that one compiled kernel serves them all. The
    column indices stay 4 bytes because sparse epochs are bound by reading
    the data: int64 ones made a Perceptron epoch 10% slower. The kernels
    compile the dense or the CSR path only, told apart by which slot is None
    (see ``_kernels/network.py``).
    """
    if sp.issparse(X):
        X = sp.csr_matrix(X)  # no copy for CSR input
        narrow = X.shape[1] <= np.iinfo(np.int32).max
        return None, (
            np.ascontiguousarray(X.data, dtype=dtype),
            np.ascontiguousarray(X.indices, dtype=np.int32 if narrow else np.int64),
            np.ascontiguousarray(X.indptr, dtype=np.int64),
        )
    return np.ascontiguousarray(X, dtype=dtype), None


def set_feature_names(estimator, n_features, names):
    """Record ``n_features_in_`` and ``feature_names_in_`` (or drop the names)
    of data the estimator was not given as one array (dask, batches)."""
    estimator.n_features_in_ = n_features
    if names is not None:
        estimator.feature_names_in_ = names
    else:
        estimator.__dict__.pop("feature_names_in_", None)


def check_prediction_input(estimator, X, accept_sparse):
    """X validated for prediction, as ``validate_data(..., reset=False)`` gives it.

    A one-row prediction spends most of its time in scikit-learn's general
    input validation. A plain float ndarray of the fitted width with finite
    values, from an estimator fitted without feature names, needs none of its
    conversions and passes none of its warnings, so it is returned as is; any
    other input goes through ``validate_data``, with its errors and warnings.
    """
    if _is_plain_float_input(estimator, X):
        return X
    return validate_data(estimator, X, accept_sparse=accept_sparse, reset=False)


def _is_plain_float_input(estimator, X):
    """Whether X needs no validation beyond what this checks (see callers)."""
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and (X.dtype == np.float64 or X.dtype == np.float32)
        and X.shape[0] > 0
        and X.shape[1] == getattr(estimator, "n_features_in_", -1)
        and not hasattr(estimator, "feature_names_in_")
        and _sum_is_finite(X)
    )


def _sum_is_finite(X):
    # one O(1)-memory pass, quiet as scikit-learn's own check is; a sum that
    # overflows (or a NaN/inf) sends X the long way, which tells them apart
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(X.sum()))


def check_partial_fit_input(estimator, X, y):
    """``(X, y)`` of a later ``partial_fit`` call when they need no conversion.

    A stream of small ``partial_fit`` calls spends most of its time validating
    its input. A C-contiguous float ``X`` as ``check_prediction_input`` takes
    it, with a 1-D integer or string ``y`` of the same length whose labels all
    are among the fitted ``classes_`` (two or more), would pass every check of
    scikit-learn's validation unchanged, so it is returned as is. Anything
    else returns None: the caller validates the long way, with its errors.
    """
    classes = getattr(estimator, "classes_", None)
    if (
        classes is not None
        and len(classes) > 1
        and type(y) is np.ndarray
        and y.ndim == 1
        and y.dtype.kind in "iuU"
        and y.dtype.kind == classes.dtype.kind
        and _is_plain_float_input(estimator, X)
        and X.flags.c_contiguous
        and y.shape[0] == X.shape[0]
        and np.isin(y, classes).all()
    ):
        return X, y
    return None


def prediction_input(X, dtype):
    """X as ``network.predict`` takes it: C-contiguous dense or CSR, in ``dtype``."""
    if sp.issparse(X):
        return sp.csr_matrix(X, dtype=dtype)
    return np.ascontiguousarray(X, dtype=dtype)


def take_rows(X, rows):
    """Rows of dense or sparse X (a copy), for a validation subset."""
    if sp.issparse(X):
        return sp.csr_matrix(X)[rows]
    return X[rows]


def check_sample_weight(sample_weight, X, dtype):
    """Validated sample weights: finite, one per sample, non-negative, not all 0.

    Returns None for None (unit weights).
    """
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=dtype, ensure_non_negative=True
    )
    if not np.any(sample_weight > 0):  # scikit-learn 1.8 accepts all-zero weights
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight


def check_partial_fit_first_call(estimator, classes, classes_required=True):
    """Whether this ``partial_fit`` call is the estimator's first.

    ``classes`` must be given on the first call (unless ``classes_required``
    is False) and, when given later, equal the fitted ``classes_``: the checks
    of scikit-learn's ``_check_partial_fit_first_call``, with its messages.
    The caller sets ``classes_``.
    """
    fitted = getattr(estimator, "classes_", None)
    if classes is None:
        if fitted is None and classes_required:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return fitted is None
    if (
        fitted is not None
        and isinstance(classes, np.ndarray)
        and classes.dtype == fitted.dtype
        and np.array_equal(classes, fitted)
    ):
        return False  # the fitted classes themselves, as streams pass them
    classes = unique_labels(classes)
    if fitted is None:
        return True
    if not np.array_equal(fitted, classes):
        raise ValueError(
            f"`classes={classes!r}` is not the same as on last call to "
            f"partial_fit, was: {fitted!r}"
        )
    return False
