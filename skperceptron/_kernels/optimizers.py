"""Optimizer updates over the flat parameter vector.

The flat vector holds every weight matrix first and every bias vector last, so
``params[:n_coef]`` is the L2-penalised block. Each update loop also turns the
raw gradient into the true one, ``(raw + alpha * w) / S`` for weights and
``raw / S`` for biases, and sums ``w ** 2`` of the weights before the step
(the penalty term of the batch loss): one pass over memory per batch.

All scalars are cast to the parameter dtype first, so float32 stays float32.
The loops run over 1-D slices with ``range(n)``: with ``range(lo, hi)`` numba
must guard against negative indices and LLVM does not vectorise the loop
(measured 3.7 ns per element for Adam, against 1.0 ns on slices).
"""

import numpy as np

from ._jit import jit

# Layout of the ``hyper`` float64 array shared with network.run_epoch.
ALPHA, LEARNING_RATE, MOMENTUM, NESTEROV, BETA_1, BETA_2, EPSILON = range(7)


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


@jit(inline=True)
def optimizer_step(params, grad, n_coef, weight_sum, hyper, m, v, velocity, step):
    """Apply one Adam step (``velocity`` None) or SGD step (``m`` and ``v`` None).

    Returns the sum of squared weights before the step. Each branch tests an
    argument that is None for the other solver, so numba compiles only the
    solver in use.
    """
    cast = params.dtype.type
    alpha = cast(hyper[ALPHA])
    zero = cast(0)
    s = cast(weight_sum)
    sumsq = 0.0
    if m is not None:
        step[0] += 1
        t = step[0]
        b1 = hyper[BETA_1]
        b2 = hyper[BETA_2]
        lr = cast(hyper[LEARNING_RATE] * np.sqrt(1.0 - b2**t) / (1.0 - b1**t))
        args = (lr, b1, b2, cast(hyper[EPSILON]))
        sumsq = float(_adam(params[:n_coef], grad[:n_coef], m[:n_coef], v[:n_coef],
                            alpha, s, *args))
        _adam(params[n_coef:], grad[n_coef:], m[n_coef:], v[n_coef:], zero, s, *args)
    if velocity is not None:
        lr = cast(hyper[LEARNING_RATE])
        mu = cast(hyper[MOMENTUM])
        nesterov = hyper[NESTEROV] != 0.0
        sumsq = float(_sgd(params[:n_coef], grad[:n_coef], velocity[:n_coef], alpha, s,
                           lr, mu, nesterov))
        _sgd(params[n_coef:], grad[n_coef:], velocity[n_coef:], zero, s, lr, mu,
             nesterov)
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
