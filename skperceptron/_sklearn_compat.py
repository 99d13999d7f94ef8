"""The scikit-learn names outside its public API that skperceptron uses.

They are imported here and nowhere else, each with a fallback where one can
stand in (tests/test_package.py checks both):

- ``_fit_context`` (``sklearn.base``) validates the parameters once per fit
  and skips the validation of nested calls. Fallback: validate, nothing else.
- ``_check_sample_weight`` (``sklearn.utils.validation``) validates sample
  weights with scikit-learn's messages. Fallback: the same checks through the
  public ``check_array``.
- ``Interval``, ``Options``, ``StrOptions`` (``sklearn.utils._param_validation``)
  are what ``_parameter_constraints`` is written in, for the parameter
  validation of ``BaseEstimator`` itself; they move together with it, so they
  have no fallback. pyproject.toml admits the scikit-learn versions CI tests.
"""

import functools
import numbers

import numpy as np
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, Options, StrOptions  # noqa: F401


def fit_context_fallback(*, prefer_skip_nested_validation):
    """Decorate a fit method to validate the estimator's parameters first."""

    def decorator(fit_method):
        @functools.wraps(fit_method)
        def wrapper(estimator, *args, **kwargs):
            estimator._validate_params()
            return fit_method(estimator, *args, **kwargs)

        return wrapper

    return decorator


def check_sample_weight_fallback(
    sample_weight, X, *, dtype=None, ensure_non_negative=False
):
    """Sample weights as a C-contiguous float array of one weight per sample.

    ``X`` is validated input (an array or sparse matrix).
    """
    n_samples = X.shape[0]
    dtype = np.float64 if dtype not in (np.float32, np.float64) else dtype
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight, dtype=dtype)
    sample_weight = check_array(
        sample_weight,
        ensure_2d=False,
        dtype=dtype,
        order="C",
        input_name="sample_weight",
    )
    if sample_weight.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got {sample_weight.ndim}D "
            f"array. Expected either a scalar value or a 1D array of length "
            f"{n_samples}."
        )
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {sample_weight.shape}, expected {(n_samples,)}!"
        )
    if ensure_non_negative and np.any(sample_weight < 0):
        raise ValueError("Negative values in data passed to `sample_weight`.")
    return sample_weight


try:
    from sklearn.base import _fit_context
except ImportError:  # pragma: no cover - a scikit-learn release moved it
    _fit_context = fit_context_fallback

try:
    from sklearn.utils.validation import _check_sample_weight
except ImportError:  # pragma: no cover - a scikit-learn release moved it
    _check_sample_weight = check_sample_weight_fallback
