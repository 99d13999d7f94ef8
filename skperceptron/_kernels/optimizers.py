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

import numpy as np

from ._jit import jit
from .specs import ADAGRAD, ADAM, NADAM, RMSPROP


@jit
def _sgd(params, grad, velocity, alpha, weight_sum, lr, momentum, nesterov, decay):
    """Momentum SGD; Nesterov's variant applies ``momentum * v - lr * g`` again.

    ``decay * w`` is taken off the weights besides the step (decoupled weight
    decay; subtracting it keeps small decays that ``(1 - decay) * w`` would
    round away in float32).
    """
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        v = momentum * velocity[j] - lr * g
        velocity[j] = v
        if nesterov:  # loop-invariant: LLVM unswitches it
            params[j] = (w - decay * w) + (momentum * v - lr * g)
        else:
            params[j] = (w - decay * w) + v
    return sumsq


@jit
def _adam(params, grad, m, v, alpha, weight_sum, lr, beta_1, beta_2, eps, decay):
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
        params[j] = (w - decay * w) + (-lr * mj / (np.sqrt(vj) + eps))
    return sumsq


@jit
def _nadam(params, grad, m, v, alpha, weight_sum, coefs, beta_1, beta_2, eps, decay):
    """Nadam as PyTorch's ``NAdam``: ``coefs`` = (gradient and momentum step
    sizes, 1 / bias correction of ``v``)."""
    keep_1 = params.dtype.type(1.0 - float(beta_1))
    keep_2 = params.dtype.type(1.0 - float(beta_2))
    decay_1 = params.dtype.type(beta_1)
    decay_2 = params.dtype.type(beta_2)
    g_step, m_step, inv_correction = coefs
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        mj = decay_1 * m[j] + keep_1 * g
        vj = decay_2 * v[j] + keep_2 * (g * g)
        m[j] = mj
        v[j] = vj
        denom = np.sqrt(vj * inv_correction) + eps
        params[j] = (w - decay * w) - (g_step * g + m_step * mj) / denom
    return sumsq


@jit
def _rmsprop_adagrad(params, grad, v, alpha, weight_sum, lr, rule, beta_2, eps, decay):
    """rmsprop (``v`` a moving average of g**2) or adagrad (``v`` their sum),
    as ``rule`` (``RMSPROP`` or ``ADAGRAD``) says."""
    forget = params.dtype.type(beta_2 if rule == RMSPROP else 1.0)
    gain = params.dtype.type(1.0 - float(beta_2) if rule == RMSPROP else 1.0)
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        vj = forget * v[j] + gain * (g * g)
        v[j] = vj
        params[j] = (w - decay * w) - lr * g / (np.sqrt(vj) + eps)
    return sumsq


@jit
def _clip_factor(params, grad, n_coef, alpha, weight_sum, max_norm):
    """The factor that scales the true gradient to norm <= ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: ``max_norm / (norm + 1e-6)``,
    capped at 1; the true gradient is ``(grad + alpha * w) / S`` for weights,
    ``grad / S`` for biases. ``max_norm`` inf: 1 (no clipping).
    """
    if max_norm < np.inf:
        total = 0.0  # float64 whatever the dtype: float32 squares overflow
        for j in range(n_coef):
            g = float(grad[j] + alpha * params[j])
            total += g * g
        biases = grad[n_coef:]
        for j in range(biases.shape[0]):
            total += float(biases[j]) * float(biases[j])
        norm = np.sqrt(total) / float(weight_sum)
        return min(1.0, max_norm / (norm + 1e-6))
    return 1.0


@jit
def optimizer_step(params, grad, n_coef, weight_sum, hyper, state, t):
    """Apply one step of the solver ``hyper.solver``.

    Parameters
    ----------
    params, grad : ndarray of shape (n_params,)
        The flat parameter vector (updated in place) and its raw gradient
        (the weighted loss sum's, without the L2 term).
    n_coef : int
        Length of the weight block ``params[:n_coef]`` that ``alpha`` penalises
        and ``weight_decay`` shrinks.
    weight_sum : float
        Sum of the batch's sample weights (its row count when unweighted).
    hyper : OptimizerParams
        Hyper-parameters of the step.
    state : OptimizerState
        The optimizer's memory (its solver's slots), updated in place.
    t : int
        The step number, counting this step from 1.

    Returns
    -------
    sumsq : float
        The sum of squared weights before the step.
    """
    cast = params.dtype.type
    alpha = cast(hyper.alpha)
    zero = cast(0)
    s = cast(weight_sum)
    # clipping scales the true gradient (grad + alpha w) / S: a larger S
    s = cast(
        weight_sum / _clip_factor(params, grad, n_coef, alpha, s, hyper.max_grad_norm)
    )
    decay = cast(hyper.learning_rate * hyper.weight_decay)
    W, G, B, GB = params[:n_coef], grad[:n_coef], params[n_coef:], grad[n_coef:]
    solver = hyper.solver
    b1 = hyper.beta_1
    b2 = hyper.beta_2
    eps = cast(hyper.epsilon)
    if solver == ADAM or solver == NADAM:
        m, v = state.m, state.v
        mw, vw, mb, vb = m[:n_coef], v[:n_coef], m[n_coef:], v[n_coef:]
        if solver == NADAM:
            mu_product = state.mu_product
            md = hyper.momentum_decay
            mu = b1 * (1.0 - 0.5 * 0.96 ** (t * md))
            mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * md))
            product = mu_product[0] * mu
            mu_product[0] = product
            lr = hyper.learning_rate
            coefs = (
                cast(lr * (1.0 - mu) / (1.0 - product)),
                cast(lr * mu_next / (1.0 - product * mu_next)),
                cast(1.0 / (1.0 - b2**t)),
            )
            sumsq = float(_nadam(W, G, mw, vw, alpha, s, coefs, b1, b2, eps, decay))
            _nadam(B, GB, mb, vb, zero, s, coefs, b1, b2, eps, zero)
            return sumsq
        lr = cast(hyper.learning_rate * np.sqrt(1.0 - b2**t) / (1.0 - b1**t))
        sumsq = float(_adam(W, G, mw, vw, alpha, s, lr, b1, b2, eps, decay))
        _adam(B, GB, mb, vb, zero, s, lr, b1, b2, eps, zero)
        return sumsq
    if solver == RMSPROP or solver == ADAGRAD:
        lr = cast(hyper.learning_rate)
        sq_w, sq_b = state.square_avg[:n_coef], state.square_avg[n_coef:]
        sumsq = float(
            _rmsprop_adagrad(W, G, sq_w, alpha, s, lr, solver, b2, eps, decay)
        )
        _rmsprop_adagrad(B, GB, sq_b, zero, s, lr, solver, b2, eps, zero)
        return sumsq
    # SGD
    lr = cast(hyper.learning_rate)
    mu = cast(hyper.momentum)
    nesterov = hyper.nesterov
    velocity = state.velocity
    sumsq = float(_sgd(W, G, velocity[:n_coef], alpha, s, lr, mu, nesterov, decay))
    _sgd(B, GB, velocity[n_coef:], zero, s, lr, mu, nesterov, zero)
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
