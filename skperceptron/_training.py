"""Helpers of the multilayer perceptrons' fit loops that need no estimator.

The loops themselves are the estimator's (``BaseMLP._fit_stochastic`` and
``_fit_lbfgs``, as in scikit-learn); what they share with nothing else lives
here: the early-stopping split, the batch size, the validation loss and the
L-BFGS call.
"""

import warnings
from typing import NamedTuple

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ._data import take_rows
from ._kernels.losses import output_delta_and_loss


class Validation(NamedTuple):
    """The early-stopping hold-out: inputs, targets as scored and as trained."""

    X: object
    y: np.ndarray
    Y: np.ndarray
    sample_weight: object


DIVERGENCE_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed. {cause} Remedies: scale X (for "
    "example with StandardScaler) or lower learning_rate_init."
)


def split_for_validation(
    X, y, Y, sample_weight, validation_fraction, stratify, random_state
):
    """Indices of the training rows, and the ``Validation`` set."""
    n_samples = y.shape[0]
    try:
        train, val = train_test_split(
            np.arange(n_samples),
            random_state=random_state,
            test_size=validation_fraction,
            stratify=stratify,
        )
    except ValueError as exc:
        if stratify is None or "too few members" not in str(exc):
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
    if val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    sw_val = None if sample_weight is None else sample_weight[val]
    return train, Validation(take_rows(X, val), y[val], Y[val], sw_val)


def dropout_rates(dropout, n_hidden):
    """One dropout rate per hidden layer, from a float or a sequence, validated."""
    if np.ndim(dropout) == 0:
        return np.full(n_hidden, float(dropout))
    rates = np.asarray(dropout, dtype=float)
    if rates.ndim != 1 or rates.shape[0] != n_hidden:
        raise ValueError(
            f"dropout has {len(dropout)} entries but there are {n_hidden} hidden "
            "layers; give one rate per hidden layer or a single rate."
        )
    if not np.all((rates >= 0) & (rates < 1)):
        raise ValueError(f"Every dropout rate must be in [0, 1); got {list(dropout)}.")
    return rates


def check_batch_size(batch_size, n_samples):
    """The minibatch size for ``n_samples`` rows ('auto': ``min(200, n)``)."""
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going "
            "to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


def outputs_loss(outputs, Y, sample_weight, out_code, loss):
    """Mean loss (without the L2 term) of network ``outputs`` against ``Y``.

    ``out_code`` is the output activation's code, ``loss`` a ``LossSpec``.
    """
    sw = np.empty(0, dtype=outputs.dtype) if sample_weight is None else sample_weight
    rows = np.arange(outputs.shape[0])
    total = output_delta_and_loss(
        outputs, Y, sw, rows, np.empty_like(outputs), out_code, loss
    )
    return (
        loss.scale * total / (outputs.shape[0] if sample_weight is None else sw.sum())
    )


def minimize_lbfgs(objective, x0, max_iter, max_fun, tol, verbose):
    """scipy's L-BFGS-B on ``objective`` (value, gradient); warns if unconverged."""

    def report(intermediate_result):
        report.iteration += 1
        print("Iteration %d, loss = %.8f" % (report.iteration, intermediate_result.fun))

    report.iteration = 0
    result = scipy.optimize.minimize(
        objective,
        x0,
        method="L-BFGS-B",
        jac=True,
        callback=report if verbose else None,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )
    if result.status != 0:
        message = result.message
        if isinstance(message, bytes):
            message = message.decode("latin1")
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {message}. Increase max_iter or max_fun, "
            "or scale the data.",
            ConvergenceWarning,
        )
    return result
