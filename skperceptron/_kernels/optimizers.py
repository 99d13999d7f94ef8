"""Optimizer updates over the flat parameter vector.

The flat vector holds every weight matrix first and every bias vector last, so
``params[:n_coef]`` is the L2-penalised block. Each update loop also turns the
raw gradient into the true one, ``(raw + alpha * w) / S`` for weights and
``raw / S`` for biases, and sums ``w ** 2`` of the weights before the step
(the penalty term of the batch loss): one pass over memory per batch.

All scalars are cast to the parameter dtype first, so float32 stays float32.
"""

import numpy as np

from ._jit import jit

SGD = 0
ADAM = 1

# Layout of the ``hyper`` float64 array shared with network.run_epoch.
ALPHA, LEARNING_RATE, MOMENTUM, NESTEROV, BETA_1, BETA_2, EPSILON = range(7)


@jit
def _sgd_range(params, grad, velocity, lo, hi, alpha, weight_sum, lr, momentum):
    sumsq = params.dtype.type(0)
    for j in range(lo, hi):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        v = momentum * velocity[j] - lr * g
        velocity[j] = v
        params[j] = w + v
    return sumsq


@jit
def _nesterov_range(params, grad, velocity, lo, hi, alpha, weight_sum, lr, momentum):
    sumsq = params.dtype.type(0)
    for j in range(lo, hi):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        v = momentum * velocity[j] - lr * g
        velocity[j] = v
        params[j] = w + (momentum * v - lr * g)
    return sumsq


@jit
def _adam_range(params, grad, m, v, lo, hi, alpha, weight_sum, lr, beta_1, beta_2, eps):
    # (1 - beta) is rounded from float64 once, as numpy does with Python floats
    keep_1 = params.dtype.type(1.0 - float(beta_1))
    keep_2 = params.dtype.type(1.0 - float(beta_2))
    decay_1 = params.dtype.type(beta_1)
    decay_2 = params.dtype.type(beta_2)
    sumsq = params.dtype.type(0)
    for j in range(lo, hi):
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
def optimizer_step(params, grad, n_coef, weight_sum, solver, hyper, state_a, state_b, step):
    """Apply one SGD or Adam step; return the sum of squared weights before it."""
    cast = params.dtype.type
    n_params = params.shape[0]
    alpha = cast(hyper[ALPHA])
    zero = cast(0)
    s = cast(weight_sum)
    if solver == ADAM:
        step[0] += 1
        t = step[0]
        b1 = hyper[BETA_1]
        b2 = hyper[BETA_2]
        lr = cast(hyper[LEARNING_RATE] * np.sqrt(1.0 - b2**t) / (1.0 - b1**t))
        args = (lr, b1, b2, cast(hyper[EPSILON]))
        sumsq = _adam_range(params, grad, state_a, state_b, 0, n_coef, alpha, s, *args)
        _adam_range(params, grad, state_a, state_b, n_coef, n_params, zero, s, *args)
    else:
        lr = cast(hyper[LEARNING_RATE])
        mu = cast(hyper[MOMENTUM])
        if hyper[NESTEROV] != 0.0:
            sumsq = _nesterov_range(params, grad, state_a, 0, n_coef, alpha, s, lr, mu)
            _nesterov_range(params, grad, state_a, n_coef, n_params, zero, s, lr, mu)
        else:
            sumsq = _sgd_range(params, grad, state_a, 0, n_coef, alpha, s, lr, mu)
            _sgd_range(params, grad, state_a, n_coef, n_params, zero, s, lr, mu)
    return float(sumsq)


@jit
def scale_gradient(params, grad, n_coef, weight_sum, alpha):
    """Raw gradient to true gradient in place; return the sum of squared weights."""
    cast = params.dtype.type
    a = cast(alpha)
    s = cast(weight_sum)
    sumsq = cast(0)
    for j in range(n_coef):
        w = params[j]
        sumsq += w * w
        grad[j] = (grad[j] + a * w) / s
    for j in range(n_coef, params.shape[0]):
        grad[j] = grad[j] / s
    return float(sumsq)
