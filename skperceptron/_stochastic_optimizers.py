"""The stochastic solvers' state and schedules, as scikit-learn's optimizers.

Each optimizer object owns what survives between epochs (its memory arrays,
the current learning rate, Adam's step count) and its schedule: the estimator
calls ``iteration_ends`` after every epoch and ``trigger_stopping`` when the
loss stops improving, as scikit-learn's ``_stochastic_optimizers`` do. The
update itself runs in the compiled epoch (``_kernels/optimizers.py``), which
takes ``hyperparameters`` and ``state``.
"""

import copy

import numpy as np

from ._kernels.optimizers import OptimizerParams, OptimizerState


class BaseOptimizer:
    """Learning rate and stopping rule shared by the stochastic solvers.

    Parameters
    ----------
    learning_rate_init : float
        The initial learning rate.
    """

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)

    def iteration_ends(self, time_step):
        """Update the schedule after an epoch; ``time_step`` counts samples seen."""

    def trigger_stopping(self, msg, verbose):
        """Whether to stop training now that the loss stopped improving."""
        if verbose:
            print(msg + " Stopping.")
        return True

    def steps_taken(self, n_steps):
        """Record that an epoch made ``n_steps`` minibatch updates."""

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
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init,
        lr_schedule,
        momentum,
        nesterov,
        power_t,
    ):
        super().__init__(learning_rate_init)
        self.lr_schedule = lr_schedule
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
        return OptimizerParams(
            float(alpha),
            self.learning_rate,
            float(self.momentum),
            bool(self.nesterov),
            0.0,
            0.0,
            0.0,
        )

    def state(self):
        """The compiled step's ``OptimizerState`` (views of this object's arrays)."""
        return OptimizerState(None, None, self.velocity, 0)


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
    """

    def __init__(self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon):
        super().__init__(learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = np.zeros(n_params, dtype=dtype)
        self.vs = np.zeros(n_params, dtype=dtype)

    def steps_taken(self, n_steps):
        self.t += n_steps

    def hyperparameters(self, alpha):
        """The compiled step's ``OptimizerParams`` for L2 strength ``alpha``."""
        return OptimizerParams(
            float(alpha),
            self.learning_rate,
            0.0,
            False,
            float(self.beta_1),
            float(self.beta_2),
            float(self.epsilon),
        )

    def state(self):
        """The compiled step's ``OptimizerState`` (views of this object's arrays)."""
        return OptimizerState(self.ms, self.vs, None, self.t)
