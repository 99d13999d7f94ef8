"""Helpers of the multilayer perceptrons' fit loops that need no estimator.

The loops themselves are the estimator's (``_mlp_training.py``, as in
scikit-learn); what they share with nothing else lives here: the dropout
rates, the batch size, the divergence message and the L-BFGS call.
"""

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

DIVERGENCE_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed. {cause} Remedies: scale X (for "
    "example with StandardScaler) or lower learning_rate_init."
)


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
