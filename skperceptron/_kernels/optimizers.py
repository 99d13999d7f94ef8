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

# Every solver updates one block of parameters that share a step size and a
# decay (the caller scales both by the block's factors): scalar factors keep
# the loops to the parameters, their gradients and the solver's memory.


@jit
def _sgd(params, grad, velocity, alpha, s, lr, momentum, nesterov, decay):
    """Momentum SGD; Nesterov's variant applies ``momentum * v - lr * g`` again.

    ``decay * w`` is taken off the weights besides the step (decoupled weight
    decay; subtracting it keeps small decays that ``(1 - decay) * w`` would
    round away in float32).
    """
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / s
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
def _block(hyper, b, n_coef, n_params):
    """``(start, end, step size factor, decay factor)`` of block ``b``: the
    blocks of ``hyper.factor_ends``, else the weights (decayed) and the
    biases (not decayed)."""
    ends = hyper.factor_ends
    if ends.shape[0] > 0:
        start = 0 if b == 0 else ends[b - 1]
        return start, ends[b], float(hyper.lr_factors[b]), float(hyper.decay_factors[b])
    if b == 0:
        return 0, n_coef, 1.0, 1.0
    return n_coef, n_params, 1.0, 0.0


@jit
def optimizer_step(
    params, grad, n_coef, weight_sum, hyper, state, t, lr_scale, decay_scale
):
    """Apply one step of the solver ``hyper.solver``.

    Parameters
    ----------
    params, grad : ndarray of shape (n_params,)
        The flat parameter vector (updated in place) and its raw gradient
        (the weighted loss sum's, without the L2 term).
    n_coef : int
        Length of the weight block ``params[:n_coef]`` that ``alpha`` penalises;
        ``weight_decay`` shrinks it, and with ``hyper.factor_ends`` every
        block of parameters by its factor.
    weight_sum : float
        Sum of the batch's sample weights (its row count when unweighted).
    hyper : OptimizerParams
        Hyper-parameters of the step.
    state : OptimizerState
        The optimizer's memory (its solver's slots), updated in place.
    t : int
        The step number, counting this step from 1.
    lr_scale, decay_scale : float
        The schedules' factors of this step's learning rate and decay.

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
    base_lr = hyper.learning_rate * lr_scale
    decay = base_lr * hyper.weight_decay * decay_scale
    solver = hyper.solver
    b1 = hyper.beta_1
    b2 = hyper.beta_2
    eps = cast(hyper.epsilon)
    # the solver's step sizes of this step, before the blocks' factors
    lr = base_lr
    g_step = m_step = inv_correction = 0.0
    if solver == NADAM:
        mu_product = state.mu_product
        md = hyper.momentum_decay
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * md))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * md))
        product = mu_product[0] * mu
        mu_product[0] = product
        g_step = base_lr * (1.0 - mu) / (1.0 - product)
        m_step = base_lr * mu_next / (1.0 - product * mu_next)
        inv_correction = 1.0 / (1.0 - b2**t)
    elif solver == ADAM:
        lr = base_lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t)
    n_params = params.shape[0]
    n_blocks = max(hyper.factor_ends.shape[0], 2)
    sumsq = 0.0
    for b in range(n_blocks):
        lo, hi, lr_f, decay_f = _block(hyper, b, n_coef, n_params)
        P, G = params[lo:hi], grad[lo:hi]
        weights = hi <= n_coef  # blocks never straddle the weights' end
        a = alpha if weights else zero
        block_decay = cast(decay * decay_f)
        if solver == ADAM or solver == NADAM:
            m, v = state.m[lo:hi], state.v[lo:hi]
            if solver == NADAM:
                coefs = (cast(g_step * lr_f), cast(m_step * lr_f), cast(inv_correction))
                part = _nadam(P, G, m, v, a, s, coefs, b1, b2, eps, block_decay)
            else:
                block_lr = cast(lr * lr_f)
                part = _adam(P, G, m, v, a, s, block_lr, b1, b2, eps, block_decay)
        elif solver == RMSPROP or solver == ADAGRAD:
            sq = state.square_avg[lo:hi]
            args = (cast(lr * lr_f), solver, b2, eps, block_decay)
            part = _rmsprop_adagrad(P, G, sq, a, s, *args)
        else:  # SGD
            velocity = state.velocity[lo:hi]
            mu = cast(hyper.momentum)
            block_lr = cast(lr * lr_f)
            part = _sgd(P, G, velocity, a, s, block_lr, mu, hyper.nesterov, block_decay)
        if weights:
            sumsq += float(part)
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
