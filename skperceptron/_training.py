"""The fit drivers: the stochastic epoch loop (sgd, adam) and L-BFGS.

Python orchestrates epochs: randomness (shuffle order, validation split, drawn
from the estimator's RandomState in scikit-learn's order), early stopping,
learning-rate schedules and verbose output. Each epoch is one compiled call.
"""

import warnings
from typing import NamedTuple

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ._data import take_rows
from ._kernels import network
from ._kernels.optimizers import LEARNING_RATE


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


class OptimizerState:
    """Optimizer memory carried between epochs and partial_fit calls.

    Adam keeps its moments ``m`` and ``v``, SGD its ``velocity``; the other
    solver's slots are None, which is how the kernels tell the solvers apart.
    ``step`` counts Adam's minibatches.
    """

    def __init__(self, solver, n_params, dtype, learning_rate):
        self.solver = solver
        self.learning_rate = float(learning_rate)
        self.step = np.zeros(1, dtype=np.int64)
        adam = solver == "adam"
        self.m = np.zeros(n_params, dtype=dtype) if adam else None
        self.v = np.zeros(n_params, dtype=dtype) if adam else None
        self.velocity = None if adam else np.zeros(n_params, dtype=dtype)

    def copy(self):
        new = object.__new__(OptimizerState)
        new.__dict__.update(self.__dict__)
        for name in ("step", "m", "v", "velocity"):
            value = getattr(self, name)
            setattr(new, name, None if value is None else value.copy())
        return new


def _end_of_epoch_schedule(est, opt):
    if opt.solver == "sgd" and est.learning_rate == "invscaling":
        opt.learning_rate = float(est.learning_rate_init) / (est.t_ + 1) ** est.power_t


def _should_stop(est, opt, msg):
    """Stop, or (adaptive sgd) divide the learning rate by 5 and go on."""
    if opt.solver == "adam" or est.learning_rate != "adaptive":
        if est.verbose:
            print(msg + " Stopping.")
        return True
    if opt.learning_rate <= 1e-6:
        if est.verbose:
            print(msg + " Learning rate too small. Stopping.")
        return True
    opt.learning_rate /= 5.0
    if est.verbose:
        print(msg + " Setting learning rate to %f" % opt.learning_rate)
    return False


def _update_no_improvement(est, validation, spec, loss):
    if validation is not None:
        # one forward pass on the hold-out serves both the loss and the score
        outputs = est._forward(validation.X, check_input=False)
        val_loss = est._outputs_loss(outputs, validation.Y, validation.sample_weight,
                                     spec, loss)
        est.validation_loss_curve_.append(val_loss)
        score = est._validation_score(validation, val_loss, outputs)
        est.validation_scores_.append(score)
        if est.verbose:
            print("Validation score: %f" % score)
        if score < est.best_validation_score_ + est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if score > est.best_validation_score_:
            est.best_validation_score_ = score
            est._best_flat = est._flat.copy()
    else:
        loss = est.loss_curve_[-1]
        if loss > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if loss < est.best_loss_:
            est.best_loss_ = loss


def _split_for_validation(est, X, y, Y, sample_weight, random_state):
    """Indices of the training rows, and the validation set."""
    n_samples = y.shape[0]
    stratify = est._validation_strata(Y)
    try:
        train, val = train_test_split(
            np.arange(n_samples),
            random_state=random_state,
            test_size=est.validation_fraction,
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


def _batch_size(est, n_samples):
    if est.batch_size == "auto":
        return min(200, n_samples)
    if est.batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going "
            "to be clipped"
        )
    return int(np.clip(est.batch_size, 1, n_samples))


def _check_finite(est, loss, validation):
    """Whether the epoch diverged (early stopping); raise if it did without.

    Without early stopping there are no weights worth keeping: raise (the fit
    is a transaction, so a fitted model is left as it was). With early
    stopping, record the epoch with a NaN validation score (its weights cannot
    be scored) and tell the caller to stop; the best validation weights are
    restored after the loop, as scikit-learn restores them.
    """
    if np.isfinite(loss) and np.isfinite(est._flat).all():
        return False
    cause = (f"The weights or the training loss (last {loss}) became "
             f"non-finite at epoch {est.n_iter_}.")
    if validation is None:
        raise ValueError(DIVERGENCE_MESSAGE.format(cause=cause))
    est.validation_scores_.append(float("nan"))
    est.validation_loss_curve_.append(float("nan"))
    if np.isfinite(est.best_validation_score_):
        kept = ("the weights with the best validation score "
                f"({est.best_validation_score_:g}) were restored")
    else:
        kept = ("no epoch improved the validation score, so the initial weights "
                "were kept")
    warnings.warn(
        f"Training diverged: {cause} Training stopped there and {kept}. Scale X "
        "(for example with StandardScaler) or lower learning_rate_init.",
        ConvergenceWarning,
    )
    return True


def fit_stochastic(est, X, data, Y, y, sample_weight, spec, loss, incremental,
                   random_state, progress):
    """Train ``est._flat`` in place with sgd or adam, epoch by epoch.

    ``X`` is the validated input (for the validation split), ``data`` its kernel
    form, ``Y`` the float target matrix, ``y`` the targets as the scorer wants
    them and ``loss`` the kernels' ``LossSpec``;
    ``progress`` reports epochs to scikit-learn callbacks.
    """
    flat = est._flat
    dtype = flat.dtype
    if not incremental or not hasattr(est, "_optimizer"):
        est._optimizer = OptimizerState(
            est.solver, flat.shape[0], dtype, est.learning_rate_init
        )
    else:
        est._optimizer = est._optimizer.copy()
    opt = est._optimizer

    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if est.early_stopping:
        train_rows, validation = _split_for_validation(
            est, X, y, Y, sample_weight, random_state
        )
    else:
        train_rows, validation = np.arange(Y.shape[0], dtype=np.int64), None
    train_rows = train_rows.astype(np.int64)
    n_train = train_rows.shape[0]
    batch_size = _batch_size(est, n_train)

    units, unit_cum = spec[0], spec[4]
    act_buf = np.empty(batch_size * unit_cum[-1], dtype=dtype)
    delta_buf = np.empty_like(act_buf)
    x_buf = np.empty(batch_size * units[0], dtype=dtype) if data[1] is None else None
    grad = np.empty_like(flat)
    sw = np.empty(0, dtype=dtype) if sample_weight is None else sample_weight
    hyper = np.array(
        [est.alpha, opt.learning_rate, est.momentum, float(est.nesterovs_momentum),
         est.beta_1, est.beta_2, est.epsilon],
        dtype=np.float64,
    )
    positions = np.arange(n_train, dtype=np.int64)

    est.n_iter_ = 0
    try:
        for _ in range(est.max_iter):
            if est.shuffle:
                permutation = np.arange(n_train)
                random_state.shuffle(permutation)
                positions = positions[permutation]
            order = train_rows[positions] if validation is not None else positions
            hyper[LEARNING_RATE] = opt.learning_rate
            progress.begin_epoch()
            total = network.run_epoch(
                data, Y, sw, order, batch_size, flat, grad, spec,
                loss, hyper, opt.m, opt.v, opt.velocity, opt.step,
                act_buf, delta_buf, x_buf,
            )
            est.n_iter_ += 1
            est.loss_ = total / n_train
            est.t_ += n_train
            est.loss_curve_.append(est.loss_)
            if est.verbose:
                print("Iteration %d, loss = %.8f" % (est.n_iter_, est.loss_))
            if _check_finite(est, est.loss_, validation):
                break

            _update_no_improvement(est, validation, spec, loss)
            _end_of_epoch_schedule(est, opt)
            if progress.end_epoch():
                break

            if est._no_improvement_count > est.n_iter_no_change:
                if validation is not None:
                    msg = (
                        "Validation score did not improve more than tol=%f for %d "
                        "consecutive epochs." % (est.tol, est.n_iter_no_change)
                    )
                else:
                    msg = (
                        "Training loss did not improve more than tol=%f for %d "
                        "consecutive epochs." % (est.tol, est.n_iter_no_change)
                    )
                if _should_stop(est, opt, msg):
                    break
                est._no_improvement_count = 0

            if incremental:
                break
            if est.n_iter_ == est.max_iter:
                warnings.warn(
                    "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                    "optimization hasn't converged yet." % est.max_iter,
                    ConvergenceWarning,
                )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.")

    if validation is not None:
        flat[...] = est._best_flat


def fit_lbfgs(est, data, Y, sample_weight, spec, loss):
    """Full-batch L-BFGS-B on the flat vector (scipy drives, numba evaluates)."""
    flat = est._flat
    dtype = flat.dtype
    n_samples = Y.shape[0]
    act_buf = np.empty(n_samples * spec[4][-1], dtype=dtype)
    delta_buf = np.empty_like(act_buf)
    grad = np.empty_like(flat)
    sw = np.empty(0, dtype=dtype) if sample_weight is None else sample_weight

    # L-BFGS needs a value and gradient of one function: the loss as the
    # kernels sum it (scale 1); loss_ is reported on scikit-learn's scale.
    summed = loss._replace(scale=1.0)

    def objective(x):
        flat[...] = x
        value = network.loss_and_gradient(
            data, Y, sw, flat, grad, spec, summed, est.alpha, act_buf, delta_buf,
        )
        return value, grad.astype(np.float64)

    def report(intermediate_result):
        report.iteration += 1
        print("Iteration %d, loss = %.8f" % (report.iteration, intermediate_result.fun))

    report.iteration = 0
    result = scipy.optimize.minimize(
        objective,
        flat.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=report if est.verbose else None,
        options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol},
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
    est.n_iter_ = min(result.nit, est.max_iter)
    flat[...] = result.x
    est.loss_ = float(result.fun) if loss.scale == 1.0 else float(
        network.loss_and_gradient(data, Y, sw, flat, grad, spec, loss, est.alpha,
                                  act_buf, delta_buf))
    if not np.isfinite(est.loss_) or not np.isfinite(flat).all():
        raise ValueError(
            DIVERGENCE_MESSAGE.format(cause=f"The L-BFGS loss became {est.loss_}.")
        )
