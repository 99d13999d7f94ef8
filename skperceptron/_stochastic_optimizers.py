"""The stochastic solvers' state and schedules, as scikit-learn's optimizers.

Each optimizer object owns what survives between epochs (its memory arrays,
the current learning rate, the step count) and its schedule: the estimator
calls ``epoch_starts`` before every epoch, ``iteration_ends`` after it and
``trigger_stopping`` when the loss stops improving, as scikit-learn's
``_stochastic_optimizers`` do. The update itself runs in the compiled epoch
(``_kernels/optimizers.py``), which takes ``hyperparameters`` and ``state``.
"""

import copy
import math

import numpy as np

from ._kernels.specs import (
    ADAGRAD,
    ADAM,
    NADAM,
    RMSPROP,
    SGD,
    OptimizerParams,
    optimizer_state,
)

# The solvers that train by epochs of minibatches (lbfgs is the other).
STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "adagrad", "nadam")

# Learning-rate schedules set at the start of each epoch (scikit-learn's own,
# 'constant', 'invscaling' and 'adaptive', act through iteration_ends and
# trigger_stopping, and only for sgd, as in scikit-learn).
EPOCH_SCHEDULES = ("cosine", "onecycle")
# Schedules set before every minibatch step, from the progress t in [0, 1)
# of the whole fit (max_iter epochs): RealMLP's learning-rate schedule
# 'coslog4', four cosine cycles each twice as long as the one before,
# starting and ending at 0; and 'flat_cosine', 1 for the first half, then a
# half cosine down to 0 (for the learning rate, dropout and weight decay).
STEP_SCHEDULES = ("coslog4", "flat_cosine")

# the kernels' "no factors" (read-only, so shared by every epoch)
_NO_FACTORS = np.empty(0)


def step_schedule(name, progress):
    """The factor of schedule ``name`` at each ``progress`` in [0, 1)."""
    progress = np.asarray(progress, dtype=np.float64)
    if name == "coslog4":
        return 0.5 * (1.0 - np.cos(2.0 * np.pi * np.log2(1.0 + 15.0 * progress)))
    # flat_cosine
    late = 0.5 * (1.0 + np.cos(np.pi * (2.0 * progress - 1.0)))
    return np.where(progress < 0.5, 1.0, late)


_ONECYCLE_DIV = 25.0
_ONECYCLE_FINAL_DIV = 1e4
_ONECYCLE_MOMENTUM_RANGE = 0.1


def _cosine_between(start, end, fraction):
    return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1.0)


def onecycle(epoch, n_epochs, peak_rate, top_momentum):
    """The 1cycle policy's learning rate and momentum at ``epoch`` (from 0).

    Over the first half of ``n_epochs`` the rate rises from ``peak_rate /
    25`` to ``peak_rate`` while the momentum falls from ``top_momentum`` to
    ``top_momentum - 0.1``; over the second half the rate falls to ``peak_rate
    / 25 / 1e4`` and the momentum rises back, both along cosines. This is
    PyTorch's ``OneCycleLR(pct_start=0.5, anneal_strategy='cos')`` stepped once
    per epoch.
    """
    cycled = top_momentum is not None
    top_momentum = top_momentum if cycled else 0.0
    base_momentum = max(top_momentum - _ONECYCLE_MOMENTUM_RANGE, 0.0)
    initial = peak_rate / _ONECYCLE_DIV
    final = initial / _ONECYCLE_FINAL_DIV
    rise_end = 0.5 * n_epochs - 1.0
    fall_end = n_epochs - 1.0
    if epoch <= rise_end:
        fraction = epoch / rise_end if rise_end > 0 else 1.0
        rate = _cosine_between(initial, peak_rate, fraction)
        momentum = _cosine_between(top_momentum, base_momentum, fraction)
    else:
        span = fall_end - rise_end
        fraction = (epoch - rise_end) / span if span > 0 else 1.0
        rate = _cosine_between(peak_rate, final, fraction)
        momentum = _cosine_between(base_momentum, top_momentum, fraction)
    return rate, (momentum if cycled else None)


def scheduled_rate(schedule, epoch, learning_rate_init, n_epochs, momentum):
    """Learning rate and momentum of epoch ``epoch`` (from 0) of a schedule.

    ``schedule`` is 'cosine' (from ``learning_rate_init`` down to 0 over
    ``n_epochs``, as PyTorch's ``CosineAnnealingLR(T_max=n_epochs)``),
    'onecycle' (see ``onecycle``; at least 2 epochs) or a callable ``f(epoch)
    -> rate``; the momentum is returned unchanged but for 'onecycle'. Epochs
    beyond ``n_epochs`` (more ``partial_fit`` calls) keep the last rate.
    """
    if schedule == "cosine":
        fraction = min(epoch / max(n_epochs, 1), 1.0)
        return _cosine_between(learning_rate_init, 0.0, fraction), momentum
    if schedule == "onecycle":  # after its last epoch (partial_fit), stay there
        return onecycle(
            min(epoch, n_epochs - 1), n_epochs, learning_rate_init, momentum
        )
    rate = float(schedule(epoch))
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(
            f"The learning_rate callable returned {rate!r} for epoch {epoch}; it "
            "must return a finite number >= 0."
        )
    return rate, momentum


class BaseOptimizer:
    """Learning rate, schedule and stopping rule shared by the stochastic solvers.

    Parameters
    ----------
    learning_rate_init : float
        The initial learning rate.
    lr_schedule : str or callable, default='constant'
        'cosine', 'onecycle' or a callable ``f(epoch) -> rate`` set the rate
        at the start of each epoch; scikit-learn's 'constant', 'invscaling'
        and 'adaptive' leave it to ``iteration_ends`` and
        ``trigger_stopping`` (sgd only).
    max_iter : int, default=200
        Epochs that 'cosine' and 'onecycle' span (after the warmup).
    warmup_epochs : int, default=0
        Epoch ``e < warmup_epochs`` multiplies the rate by ``(e + 1) /
        (warmup_epochs + 1)``; epoch-set schedules start after the warmup.
    weight_decay : float, default=0.0
        Decoupled weight decay per unit of learning rate.
    max_grad_norm : float or None, default=None
        Clip each minibatch gradient to this global norm.
    dropout_schedule, weight_decay_schedule : {'constant', 'flat_cosine'}
        Step schedules (``STEP_SCHEDULES``) of the dropout rates and of the
        weight decay.

    The fit loop sets ``steps_per_epoch`` (what step schedules count
    progress in) and may set ``factors``, the ``(factor_ends, lr_factors,
    decay_factors)`` of ``OptimizerParams`` (empty: none).
    """

    momentum_name = None  # the attribute 'onecycle' cycles, if any
    solver = None  # the kernels' code of the solver (``specs.SGD``, ...)

    def __init__(
        self,
        learning_rate_init,
        lr_schedule="constant",
        max_iter=200,
        warmup_epochs=0,
        weight_decay=0.0,
        max_grad_norm=None,
        dropout_schedule="constant",
        weight_decay_schedule="constant",
    ):
        self.learning_rate_init = learning_rate_init
        self.dropout_schedule = dropout_schedule
        self.weight_decay_schedule = weight_decay_schedule
        self.steps_per_epoch = 1
        self.factors = (np.empty(0, np.int64), np.empty(0), np.empty(0))
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.max_iter = max_iter
        self.warmup_epochs = warmup_epochs
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.epoch = 0
        self.warmup_factor = 1.0
        self.t = 0  # minibatch steps taken (the bias corrections' count)

    def epoch_starts(self):
        """Set the learning rate (and cycled momentum) of the epoch about to run."""
        epoch, warmup = self.epoch, self.warmup_epochs
        self.epoch += 1
        self.warmup_factor = (epoch + 1) / (warmup + 1) if epoch < warmup else 1.0
        schedule = self.lr_schedule
        if not (callable(schedule) or schedule in EPOCH_SCHEDULES):
            return
        momentum_name = self.momentum_name
        top = getattr(self, "_top_momentum", None)
        if top is None and momentum_name is not None:
            top = self._top_momentum = float(getattr(self, momentum_name))
        rate, momentum = scheduled_rate(
            schedule,
            max(epoch - warmup, 0),
            float(self.learning_rate_init),
            self.max_iter - warmup,
            top,
        )
        self.learning_rate = rate
        if momentum_name is not None:
            setattr(self, momentum_name, momentum)

    def _params(self, alpha, **rule):
        """``OptimizerParams`` of the next epoch, ``rule`` giving the solver's own
        (the previous epoch's when nothing changed: most fits' every epoch)."""
        names, stepping = self._step_schedules()
        rate = self.learning_rate * self.warmup_factor
        steps = (self.t, self.steps_per_epoch) if stepping else None
        key = (float(alpha), rate, steps, *rule.values())
        cached = getattr(self, "_last_params", None)
        if (
            cached is not None
            and cached[0] == key
            and cached[1].factor_ends is self.factors[0]
        ):
            return cached[1]
        factor_ends, lr_factors, decay_factors = self.factors
        values = dict(
            **self._step_factors(names, stepping),
            factor_ends=factor_ends,
            lr_factors=lr_factors,
            decay_factors=decay_factors,
            solver=self.solver,
            alpha=float(alpha),
            learning_rate=self.learning_rate * self.warmup_factor,
            momentum=0.0,
            nesterov=False,
            beta_1=0.0,
            beta_2=0.0,
            epsilon=0.0,
            momentum_decay=0.0,
            weight_decay=float(self.weight_decay),
            max_grad_norm=(
                np.inf if self.max_grad_norm is None else float(self.max_grad_norm)
            ),
        )
        values.update(rule)
        params = OptimizerParams(**values)
        self._last_params = (key, params)
        return params

    def _step_schedules(self):
        """The schedules' names by ``OptimizerParams`` field, and whether any
        is set per step (fixed for the optimizer's life, so kept)."""
        known = self.__dict__.get("_step_schedules_cache")
        if known is None:
            schedule = self.lr_schedule if isinstance(self.lr_schedule, str) else None
            names = dict(
                step_lr=schedule,
                step_decay=self.weight_decay_schedule,
                step_dropout=self.dropout_schedule,
            )
            stepping = any(name in STEP_SCHEDULES for name in names.values())
            known = self._step_schedules_cache = (names, stepping)
        return known

    def _step_factors(self, names, stepping):
        """The step schedules' factors of the next epoch's steps (empty for
        constant schedules)."""
        if not stepping:
            return dict.fromkeys(names, _NO_FACTORS)
        n = self.steps_per_epoch
        progress = (self.t + np.arange(n)) / (n * max(self.max_iter, 1))
        progress = np.minimum(progress, 1.0)  # partial_fit beyond max_iter
        return {
            key: step_schedule(name, progress)
            if name in STEP_SCHEDULES
            else _NO_FACTORS
            for key, name in names.items()
        }

    def iteration_ends(self, time_step):
        """Update the schedule after an epoch; ``time_step`` counts samples seen."""

    def trigger_stopping(self, msg, verbose):
        """Whether to stop training now that the loss stopped improving."""
        if verbose:
            print(msg + " Stopping.")
        return True

    def steps_taken(self, n_steps):
        """Record that an epoch made ``n_steps`` minibatch updates."""
        self.t += n_steps

    def copy(self):
        """An independent copy (a failed ``partial_fit`` must not alter the state)."""
        return copy.deepcopy(self)


class SGDOptimizer(BaseOptimizer):
    """Stochastic gradient descent with (Nesterov's) momentum.

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy dtype
        dtype of the parameters.
    learning_rate_init : float
        The initial learning rate.
    lr_schedule : {'constant', 'invscaling', 'adaptive'}
        How the learning rate changes between epochs.
    momentum : float
        Momentum, in [0, 1].
    nesterov : bool
        Whether to use Nesterov's momentum.
    power_t : float
        Exponent of the 'invscaling' schedule.
    **schedule
        ``max_iter``, ``warmup_epochs``, ``weight_decay``, ``max_grad_norm``
        (see ``BaseOptimizer``).
    """

    momentum_name = "momentum"
    solver = SGD

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init,
        lr_schedule,
        momentum,
        nesterov,
        power_t,
        **schedule,
    ):
        super().__init__(learning_rate_init, lr_schedule, **schedule)
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros(n_params, dtype=dtype)

    def iteration_ends(self, time_step):
        """Divide the 'invscaling' learning rate by ``(time_step + 1) ** power_t``."""
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        """Stop, or with the 'adaptive' schedule divide the learning rate by 5."""
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + " Setting learning rate to %f" % self.learning_rate)
        return False

    def hyperparameters(self, alpha):
        """The compiled step's ``OptimizerParams`` for L2 strength ``alpha``."""
        return self._params(
            alpha, momentum=float(self.momentum), nesterov=bool(self.nesterov)
        )

    def state(self):
        """The compiled step's ``OptimizerState`` (views of this object's arrays)."""
        return optimizer_state(self.velocity.dtype, 0, velocity=self.velocity)


class AdamOptimizer(BaseOptimizer):
    """Adam, with the bias correction folded into the learning rate.

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy dtype
        dtype of the parameters.
    learning_rate_init : float
        The learning rate.
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
        Numerical-stability term.
    **schedule
        ``lr_schedule``, ``max_iter``, ``warmup_epochs``, ``weight_decay``,
        ``max_grad_norm`` (see ``BaseOptimizer``).
    """

    momentum_name = "beta_1"
    solver = ADAM

    def __init__(
        self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon, **schedule
    ):
        super().__init__(learning_rate_init, **schedule)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.ms = np.zeros(n_params, dtype=dtype)
        self.vs = np.zeros(n_params, dtype=dtype)

    def hyperparameters(self, alpha):
        """The compiled step's ``OptimizerParams`` for L2 strength ``alpha``."""
        return self._params(
            alpha,
            beta_1=float(self.beta_1),
            beta_2=float(self.beta_2),
            epsilon=float(self.epsilon),
        )

    def state(self):
        """The compiled step's ``OptimizerState`` (views of this object's arrays)."""
        return optimizer_state(self.ms.dtype, self.t, m=self.ms, v=self.vs)


class NadamOptimizer(AdamOptimizer):
    """Adam with Nesterov momentum, as PyTorch's ``NAdam``.

    The momentum follows Dozat's schedule ``beta_1 * (1 - 0.5 * 0.96 ** (t *
    0.004))``; unlike Adam, the second moment is bias-corrected inside the
    square root and ``epsilon`` added after it (PyTorch's formulation).
    Parameters as ``AdamOptimizer``.
    """

    momentum_decay = 0.004
    solver = NADAM

    def __init__(
        self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon, **schedule
    ):
        super().__init__(
            n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon, **schedule
        )
        self.mu_product = np.ones(1)

    def hyperparameters(self, alpha):
        """The compiled step's ``OptimizerParams`` for L2 strength ``alpha``."""
        return (
            super().hyperparameters(alpha)._replace(momentum_decay=self.momentum_decay)
        )

    def state(self):
        """The compiled step's ``OptimizerState`` (views of this object's arrays)."""
        return optimizer_state(
            self.ms.dtype, self.t, m=self.ms, v=self.vs, mu=self.mu_product
        )


class RMSpropOptimizer(BaseOptimizer):
    """RMSprop: steps scaled by a moving root mean square of the gradients.

    As PyTorch's ``RMSprop`` without momentum or centering, with ``beta_2`` in
    the role of its ``alpha`` (the decay of the squared gradients).

    Parameters
    ----------
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy dtype
        dtype of the parameters.
    learning_rate_init : float
        The learning rate.
    beta_2 : float
        Decay rate of the mean square, in [0, 1).
    epsilon : float
        Numerical-stability term, added to the root mean square.
    **schedule
        ``lr_schedule``, ``max_iter``, ``warmup_epochs``, ``weight_decay``,
        ``max_grad_norm`` (see ``BaseOptimizer``).
    """

    solver = RMSPROP

    def __init__(
        self, n_params, dtype, learning_rate_init, beta_2, epsilon, **schedule
    ):
        super().__init__(learning_rate_init, **schedule)
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.square_avg = np.zeros(n_params, dtype=dtype)

    def hyperparameters(self, alpha):
        """The compiled step's ``OptimizerParams`` for L2 strength ``alpha``."""
        return self._params(
            alpha,
            beta_2=float(self.beta_2),
            epsilon=float(self.epsilon),
        )

    def state(self):
        """The compiled step's ``OptimizerState`` (views of this object's arrays)."""
        return optimizer_state(self.square_avg.dtype, self.t, sq=self.square_avg)


class AdagradOptimizer(RMSpropOptimizer):
    """Adagrad: steps scaled by the root of the summed squared gradients.

    As PyTorch's ``Adagrad`` (no learning-rate decay, accumulator starting at
    0). Parameters as ``RMSpropOptimizer`` (``beta_2`` is unused).
    """

    solver = ADAGRAD
