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

RMSPROP = 0
ADAGRAD = 1


class OptimizerParams(NamedTuple):
    """The hyper-parameters of an optimizer step.

    ``alpha`` is the L2 penalty, ``learning_rate`` the current step size;
    ``momentum`` and ``nesterov`` are SGD's, ``beta_1``, ``beta_2`` and
    ``epsilon`` Adam's and Nadam's (rmsprop decays its squared gradients by
    ``beta_2``; adagrad and rmsprop use ``epsilon``), ``momentum_decay``
    Nadam's; ``weight_decay`` shrinks the weights by ``learning_rate *
    weight_decay`` per step, apart from the gradient (AdamW, SGDW);
    ``max_grad_norm`` clips the gradient's global norm (None: no clipping);
    ``rule`` tells rmsprop (``RMSPROP``) from adagrad (``ADAGRAD``), which
    keep the same state.
    """

    alpha: float
    learning_rate: float
    momentum: float
    nesterov: bool
    beta_1: float
    beta_2: float
    epsilon: float
    momentum_decay: float
    weight_decay: float
    max_grad_norm: object
    rule: int


class OptimizerState(NamedTuple):
    """What an optimizer remembers between steps, updated in place.

    Adam and Nadam keep their moments ``m`` and ``v``, rmsprop and adagrad
    their mean or sum of squared gradients ``square_avg``, SGD its
    ``velocity``, Nadam also the running product of its momentum schedule
    ``mu_product`` (a length-1 array). Unused slots are
    None, which is how the kernels tell the solvers apart (numba compiles only
    the branch of the solver in use). ``t`` is the number of steps taken before
    this call (for the bias corrections).
    """

    m: object
    v: object
    velocity: object
    mu_product: object
    square_avg: object
    t: int


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
    """rmsprop (``v`` a moving average of g**2) or adagrad (``v`` their sum)."""
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
    ``grad / S`` for biases. ``max_norm`` None: 1 (and no code compiled).
    """
    if max_norm is not None:
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
    params, grad, n_coef, weight_sum, hyper, m, v, velocity, mu_product, square_avg, t
):
    """Apply one step of the solver that the state arguments tell.

    Adam: ``m``, ``v``; Nadam: ``m``, ``v``, ``mu_product``; rmsprop or adagrad
    (``hyper.rule``): ``square_avg``; SGD: ``velocity``; the other arguments
    None. Each solver's branch tests an argument that is None for every other
    solver, so that numba compiles only the branch in use.

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
    m, v, velocity, mu_product, square_avg : ndarray or None
        The optimizer state (see ``OptimizerState``), updated in place.
    t : int
        The step number, counting this step from 1.

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
    # clipping scales the true gradient (grad + alpha w) / S: a larger S
    s = cast(
        weight_sum / _clip_factor(params, grad, n_coef, alpha, s, hyper.max_grad_norm)
    )
    decay = cast(hyper.learning_rate * hyper.weight_decay)
    sumsq = 0.0
    W, G, B, GB = params[:n_coef], grad[:n_coef], params[n_coef:], grad[n_coef:]
    if m is not None:
        b1 = hyper.beta_1
        b2 = hyper.beta_2
        eps = cast(hyper.epsilon)
        if mu_product is not None:
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
            args = (coefs, b1, b2, eps)
            sumsq = float(_nadam(W, G, m[:n_coef], v[:n_coef], alpha, s, *args, decay))
            _nadam(B, GB, m[n_coef:], v[n_coef:], zero, s, *args, zero)
        else:
            lr = cast(hyper.learning_rate * np.sqrt(1.0 - b2**t) / (1.0 - b1**t))
            args = (lr, b1, b2, eps)
            sumsq = float(_adam(W, G, m[:n_coef], v[:n_coef], alpha, s, *args, decay))
            _adam(B, GB, m[n_coef:], v[n_coef:], zero, s, *args, zero)
    if square_avg is not None:
        args = (cast(hyper.learning_rate), hyper.rule, hyper.beta_2)
        eps = cast(hyper.epsilon)
        sq_w, sq_b = square_avg[:n_coef], square_avg[n_coef:]
        sumsq = float(_rmsprop_adagrad(W, G, sq_w, alpha, s, *args, eps, decay))
        _rmsprop_adagrad(B, GB, sq_b, zero, s, *args, eps, zero)
    if velocity is not None:
        lr = cast(hyper.learning_rate)
        mu = cast(hyper.momentum)
        nesterov = hyper.nesterov
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
