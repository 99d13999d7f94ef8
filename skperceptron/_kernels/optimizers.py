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

# Every solver takes ``lr_f`` and ``decay_f``: per-parameter factors of the
# step size and of the decoupled decay, or empty arrays for none. The test of
# their emptiness is loop-invariant (LLVM unswitches it), so unfactored steps
# run the loop they ran before the factors existed.


@jit
def _sgd(
    params, grad, velocity, alpha, s, lr, momentum, nesterov, decay, lr_f, decay_f
):
    """Momentum SGD; Nesterov's variant applies ``momentum * v - lr * g`` again.

    ``decay * w`` is taken off the weights besides the step (decoupled weight
    decay; subtracting it keeps small decays that ``(1 - decay) * w`` would
    round away in float32).
    """
    factored = lr_f.shape[0] > 0
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / s
        step_lr, step_decay = lr, decay
        if factored:
            step_lr, step_decay = lr * lr_f[j], decay * decay_f[j]
        v = momentum * velocity[j] - step_lr * g
        velocity[j] = v
        if nesterov:  # loop-invariant: LLVM unswitches it
            params[j] = (w - step_decay * w) + (momentum * v - step_lr * g)
        else:
            params[j] = (w - step_decay * w) + v
    return sumsq


@jit
def _adam(
    params, grad, m, v, alpha, weight_sum, lr, beta_1, beta_2, eps, decay, lr_f, decay_f
):
    # (1 - beta) is rounded from float64 once, as numpy does with Python floats
    keep_1 = params.dtype.type(1.0 - float(beta_1))
    keep_2 = params.dtype.type(1.0 - float(beta_2))
    decay_1 = params.dtype.type(beta_1)
    decay_2 = params.dtype.type(beta_2)
    factored = lr_f.shape[0] > 0
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        mj = decay_1 * m[j] + keep_1 * g
        vj = decay_2 * v[j] + keep_2 * (g * g)
        m[j] = mj
        v[j] = vj
        step_lr, step_decay = lr, decay
        if factored:
            step_lr, step_decay = lr * lr_f[j], decay * decay_f[j]
        params[j] = (w - step_decay * w) + (-step_lr * mj / (np.sqrt(vj) + eps))
    return sumsq


@jit
def _nadam(
    params,
    grad,
    m,
    v,
    alpha,
    weight_sum,
    coefs,
    beta_1,
    beta_2,
    eps,
    decay,
    lr_f,
    decay_f,
):
    """Nadam as PyTorch's ``NAdam``: ``coefs`` = (gradient and momentum step
    sizes, 1 / bias correction of ``v``)."""
    keep_1 = params.dtype.type(1.0 - float(beta_1))
    keep_2 = params.dtype.type(1.0 - float(beta_2))
    decay_1 = params.dtype.type(beta_1)
    decay_2 = params.dtype.type(beta_2)
    g_step, m_step, inv_correction = coefs
    factored = lr_f.shape[0] > 0
    one = params.dtype.type(1)
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
        factor, step_decay = one, decay
        if factored:
            factor, step_decay = lr_f[j], decay * decay_f[j]
        params[j] = (w - step_decay * w) - factor * (g_step * g + m_step * mj) / denom
    return sumsq


@jit
def _rmsprop_adagrad(
    params, grad, v, alpha, weight_sum, lr, rule, beta_2, eps, decay, lr_f, decay_f
):
    """rmsprop (``v`` a moving average of g**2) or adagrad (``v`` their sum),
    as ``rule`` (``RMSPROP`` or ``ADAGRAD``) says."""
    forget = params.dtype.type(beta_2 if rule == RMSPROP else 1.0)
    gain = params.dtype.type(1.0 - float(beta_2) if rule == RMSPROP else 1.0)
    factored = lr_f.shape[0] > 0
    sumsq = params.dtype.type(0)
    for j in range(params.shape[0]):
        w = params[j]
        sumsq += w * w
        g = (grad[j] + alpha * w) / weight_sum
        vj = forget * v[j] + gain * (g * g)
        v[j] = vj
        step_lr, step_decay = lr, decay
        if factored:
            step_lr, step_decay = lr * lr_f[j], decay * decay_f[j]
        params[j] = (w - step_decay * w) - step_lr * g / (np.sqrt(vj) + eps)
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
        ``weight_decay`` shrinks it, and with ``hyper.decay_factors`` every
        parameter by its factor.
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
    decay = cast(base_lr * hyper.weight_decay * decay_scale)
    W, G, B, GB = params[:n_coef], grad[:n_coef], params[n_coef:], grad[n_coef:]
    lr_f, decay_f = hyper.lr_factors, hyper.decay_factors
    factored = lr_f.shape[0] > 0
    # the factors cover every parameter; without them biases are not decayed
    lr_w, lr_b = lr_f[: n_coef if factored else 0], lr_f[n_coef:]
    dec_w, dec_b = decay_f[: n_coef if factored else 0], decay_f[n_coef:]
    b_decay = decay if factored else zero
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
            coefs = (
                cast(base_lr * (1.0 - mu) / (1.0 - product)),
                cast(base_lr * mu_next / (1.0 - product * mu_next)),
                cast(1.0 / (1.0 - b2**t)),
            )
            args = (coefs, b1, b2, eps)
            sumsq = float(_nadam(W, G, mw, vw, alpha, s, *args, decay, lr_w, dec_w))
            _nadam(B, GB, mb, vb, zero, s, *args, b_decay, lr_b, dec_b)
            return sumsq
        lr = cast(base_lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t))
        args = (lr, b1, b2, eps)
        sumsq = float(_adam(W, G, mw, vw, alpha, s, *args, decay, lr_w, dec_w))
        _adam(B, GB, mb, vb, zero, s, *args, b_decay, lr_b, dec_b)
        return sumsq
    if solver == RMSPROP or solver == ADAGRAD:
        sq_w, sq_b = state.square_avg[:n_coef], state.square_avg[n_coef:]
        args = (cast(base_lr), solver, b2, eps)
        sumsq = float(_rmsprop_adagrad(W, G, sq_w, alpha, s, *args, decay, lr_w, dec_w))
        _rmsprop_adagrad(B, GB, sq_b, zero, s, *args, b_decay, lr_b, dec_b)
        return sumsq
    # SGD
    lr = cast(base_lr)
    mu = cast(hyper.momentum)
    nesterov = hyper.nesterov
    velocity = state.velocity
    vw, vb = velocity[:n_coef], velocity[n_coef:]
    sumsq = float(_sgd(W, G, vw, alpha, s, lr, mu, nesterov, decay, lr_w, dec_w))
    _sgd(B, GB, vb, zero, s, lr, mu, nesterov, b_decay, lr_b, dec_b)
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
