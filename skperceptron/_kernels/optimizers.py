"""Optimizer updates over the flat parameter vector.

The flat vector holds every weight matrix first and every bias vector last, so
``params[:n_coef]`` is the L2-penalised block. Each update loop also turns the
raw gradient into the true one, ``(raw + alpha * w) / S`` for weights and
``raw / S`` for biases, and sums ``w ** 2`` of the weights before the step
(the penalty term of the batch loss): one pass over memory per batch.

All scalars are cast to the parameter dtype first, so float32 stays float32.
The loops run over 1-D slices with ``range(n)``: with ``range(lo, hi)`` numba
must guard against negative indices and LLVM does not vectorise the loop
(Adam ran several times slower that way; docs/benchmarks.md).
"""

from typing import NamedTuple

import numpy as np

from ._jit import jit


class OptimizerParams(NamedTuple):
    """The hyper-parameters of an optimizer step.

    ``alpha`` is the L2 penalty, ``learning_rate`` the current step size;
    ``momentum`` and ``nesterov`` are SGD's, ``beta_1``, ``beta_2`` and
    ``epsilon`` Adam's (the other solver ignores them).
    """

    alpha: float
    learning_rate: float
    momentum: float
    nesterov: bool
    beta_1: float
    beta_2: float
    epsilon: float


class OptimizerState(NamedTuple):
    """What an optimizer remembers between steps, updated in place.

    Adam keeps its moments ``m`` and ``v``, SGD its ``velocity``; the other
    solver's slots are None, which is how the kernels tell the solvers apart
    (numba compiles only the branch of the solver in use). ``t`` is the number
    of Adam steps taken before this call (for the bias correction).
    """

    m: object
    v: object
    velocity: object
    t: int


@jit
def _sgd(params, grad, velocity, alpha, weight_sum, lr, momentum, nesterov):
    """Momentum SGD; Nesterov's variant applies ``momentum * v - lr * g`` again."""
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        v = momentum * velocity[j] - lr * g
        velocity[j] = v
        if nesterov:  # loop-invariant: LLVM unswitches it
            params[j] = w + (momentum * v - lr * g)
        else:
            params[j] = w + v
    return sumsq


@jit
def _adam(params, grad, m, v, alpha, weight_sum, lr, beta_1, beta_2, eps):
    # (1 - beta) is rounded from float64 once, as numpy does with Python floats
    keep_1 = params.dtype.type(1.0 - float(beta_1))
    keep_2 = params.dtype.type(1.0 - float(beta_2))
    decay_1 = params.dtype.type(beta_1)
    decay_2 = params.dtype.type(beta_2)
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        mj = decay_1 * m[j] + keep_1 * g
        vj = decay_2 * v[j] + keep_2 * (g * g)
        m[j] = mj
        v[j] = vj
        params[j] = w + (-lr * mj / (np.sqrt(vj) + eps))
    return sumsq


@jit
def optimizer_step(params, grad, n_coef, weight_sum, hyper, m, v, velocity, t):
    """Apply one Adam step (``velocity`` None) or SGD step (``m`` and ``v`` None).

    Parameters
    ----------
    params, grad : ndarray of shape (n_params,)
        The flat parameter vector (updated in place) and its raw gradient
        (the weighted loss sum's, without the L2 term).
    n_coef : int
        Length of the weight block ``params[:n_coef]`` that ``alpha`` penalises.
    weight_sum : float
        Sum of the batch's sample weights (its row count when unweighted).
    hyper : OptimizerParams
        Hyper-parameters of the step.
    m, v, velocity : ndarray of shape (n_params,) or None
        The optimizer state (see ``OptimizerState``), updated in place.
    t : int
        Adam's step number, counting this step from 1.

    Returns
    -------
    sumsq : float
        The sum of squared weights before the step.

    Not inlined: its branches test arguments, and numba prunes a branch on
    ``arg is None`` only where ``arg`` is an argument of the function compiled.
    """
    cast = params.dtype.type
    alpha = cast(hyper.alpha)
    zero = cast(0)
    s = cast(weight_sum)
    sumsq = 0.0
    if m is not None:
        b1 = hyper.beta_1
        b2 = hyper.beta_2
        lr = cast(hyper.learning_rate * np.sqrt(1.0 - b2**t) / (1.0 - b1**t))
        args = (lr, b1, b2, cast(hyper.epsilon))
        sumsq = float(
            _adam(
                params[:n_coef], grad[:n_coef], m[:n_coef], v[:n_coef], alpha, s, *args
            )
        )
        _adam(params[n_coef:], grad[n_coef:], m[n_coef:], v[n_coef:], zero, s, *args)
    if velocity is not None:
        lr = cast(hyper.learning_rate)
        mu = cast(hyper.momentum)
        nesterov = hyper.nesterov
        sumsq = float(
            _sgd(
                params[:n_coef],
                grad[:n_coef],
                velocity[:n_coef],
                alpha,
                s,
                lr,
                mu,
                nesterov,
            )
        )
        _sgd(
            params[n_coef:], grad[n_coef:], velocity[n_coef:], zero, s, lr, mu, nesterov
        )
    return sumsq


@jit
def scale_gradient(params, grad, n_coef, weight_sum, alpha):
    """Raw gradient to true gradient in place; return the sum of squared weights."""
    cast = params.dtype.type
    a = cast(alpha)
    s = cast(weight_sum)
    sumsq = cast(0)
    weights, weight_grads, bias_grads = params[:n_coef], grad[:n_coef], grad[n_coef:]
    for j in range(weights.shape[0]):
        w = weights[j]
        sumsq += w * w
        weight_grads[j] = (weight_grads[j] + a * w) / s
    for j in range(bias_grads.shape[0]):
        bias_grads[j] = bias_grads[j] / s
    return float(sumsq)
