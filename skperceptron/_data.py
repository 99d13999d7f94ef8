"""Turning validated X into the tuple the compiled kernels take."""

import numpy as np
import scipy.sparse as sp

from ._sklearn_compat import _check_sample_weight


def kernel_input(X, dtype):
    """Return ``(X_dense, None)`` or ``(None, (data, indices, indptr))``.

    Dense X becomes C-contiguous in ``dtype`` (no copy when it already is);
    sparse X becomes CSR arrays with int64 indices. The kernels compile the
    dense or the CSR path only, told apart by which slot is None (see
    ``_kernels/network.py``).
    """
    if sp.issparse(X):
        X = sp.csr_matrix(X)  # no copy for CSR input
        return None, (
            np.ascontiguousarray(X.data, dtype=dtype),
            np.ascontiguousarray(X.indices, dtype=np.int64),
            np.ascontiguousarray(X.indptr, dtype=np.int64),
        )
    return np.ascontiguousarray(X, dtype=dtype), None


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
    sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype,
                                         ensure_non_negative=True)
    if not np.any(sample_weight > 0):  # scikit-learn 1.8 accepts all-zero weights
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight
