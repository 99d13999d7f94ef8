"""What the kernels take: named argument types, integer codes, scratch space.

Nothing here imports numba: the estimators build these values, pickled
models hold some of them, and prediction never needs a compiler.

Every training option is data, not a type: a network without dropout passes
rates of 0, one without gelu/silu/mish a pre-activation buffer of size 0,
SGD an Adam moment of size 0, a loss without levels an empty ``quantiles``.
So each kernel has one compiled variant per dtype and input kind (dense or
CSR rows, the loops that genuinely differ), which the package compiles ahead
of time (``_kernels/aot.py``).
"""

from typing import NamedTuple

import numpy as np

# ---------------------------------------------------------------- activations
IDENTITY = 0
LOGISTIC = 1
TANH = 2
RELU = 3
SOFTPLUS = 4
SOFTMAX = 5
EXP = 6
LEAKY_RELU = 7
ELU = 8
SELU = 9
GELU = 10
SILU = 11
MISH = 12

ACTIVATION_CODES = {
    "identity": IDENTITY,
    "logistic": LOGISTIC,
    "tanh": TANH,
    "relu": RELU,
    "softplus": SOFTPLUS,
    "softmax": SOFTMAX,
    "exp": EXP,
    "leaky_relu": LEAKY_RELU,
    "elu": ELU,
    "selu": SELU,
    "gelu": GELU,
    "silu": SILU,
    "mish": MISH,
}

# Codes at or above this one are differentiated from their pre-activations.
NEEDS_PRE_ACTIVATION = GELU

# --------------------------------------------------------------------- losses
SQUARED_ERROR = 0
LOG_LOSS = 1
BINARY_LOG_LOSS = 2
POISSON = 3
ABSOLUTE_ERROR = 4
HUBER = 5
QUANTILE = 6

LOSS_CODES = {
    "squared_error": SQUARED_ERROR,
    "log_loss": LOG_LOSS,
    "binary_log_loss": BINARY_LOG_LOSS,
    "poisson": POISSON,
    "absolute_error": ABSOLUTE_ERROR,
    "huber": HUBER,
    "quantile": QUANTILE,
}

# ----------------------------------------------------------------- optimizers
SGD = 0
ADAM = 1
NADAM = 2
RMSPROP = 3
ADAGRAD = 4

# ----------------------------------------------------------------- Perceptron
NO_PENALTY = 0
L2 = 1
L1 = 2
ELASTICNET = 3


class NetworkSpec(NamedTuple):
    """The shape of a network, as ``ParamLayout.kernel_spec`` builds it.

    ``units``: layer widths, input first ``(n_features, h1, ..., n_outputs)``;
    ``coef_off`` and ``int_off``: where each weight matrix and bias vector
    starts in the flat parameter vector; ``act_codes``: the activation code of
    each non-input layer (the last is the output's); ``unit_cum``: where layer
    ``l`` starts in the activation and delta buffers, in units of batch rows
    (``sum(units[1:l])``); ``negative_slope``: leaky relu's slope.

    The first layer's input (``units[0]`` wide) is X's ``n_raw`` columns,
    followed by ``emb_d`` periodic embeddings (``emb_k`` frequencies) of each
    column listed in ``emb_features`` (empty: none), whose parameters start
    at ``emb_off`` in the flat vector; ``front_off`` is where the input's
    learnable scale starts (-1: none). See ``inputs.py``.
    """

    units: np.ndarray
    coef_off: np.ndarray
    int_off: np.ndarray
    act_codes: np.ndarray
    unit_cum: np.ndarray
    negative_slope: float
    n_raw: int
    front_off: int
    emb_features: np.ndarray
    emb_off: int
    emb_k: int
    emb_d: int


class Dropout(NamedTuple):
    """Inverted dropout of hidden units during training.

    ``rates[l]`` is the probability of dropping a unit of hidden layer ``l +
    1`` (the layer that weight matrix ``l`` feeds; the last entry, the output
    layer's, is unused; all 0 without dropout); kept units are scaled by ``1 /
    (1 - rate)``. Each mask entry is a hash of ``seed``, the row's position in
    the epoch and the unit: the same seed gives the same masks for dense and
    CSR input, and ``loss_and_gradient`` the same masks on every call.
    """

    rates: np.ndarray
    seed: int


def no_dropout(n_layers):
    """The ``Dropout`` of a network without dropout (``n_layers`` weight layers)."""
    return Dropout(np.zeros(n_layers), 0)


class Workspace(NamedTuple):
    """Scratch arrays of a training call, allocated once per fit.

    ``act_buf`` and ``delta_buf`` hold every layer's activations and deltas
    for one batch (``batch_rows * unit_cum[-1]`` values); ``x_buf`` the
    gathered dense input rows (None for CSR input and for L-BFGS); ``grad``
    the gradient, shaped like the flat parameter vector; ``pre_buf`` the
    pre-activations of the layers whose derivative needs them, ``mask_buf``
    the dropout masks, both laid out as ``act_buf``; with embeddings,
    ``in_buf`` the first layer's input rows, ``din_buf`` their delta and
    ``theta_buf`` the cosines and sines of the embeddings' phases; with a
    front scale, ``weff_buf`` the scaled first weight matrix (each of size 0
    when unused).
    """

    act_buf: np.ndarray
    delta_buf: np.ndarray
    x_buf: object
    grad: np.ndarray
    pre_buf: np.ndarray
    mask_buf: np.ndarray
    in_buf: np.ndarray
    din_buf: np.ndarray
    theta_buf: np.ndarray
    weff_buf: np.ndarray


def workspace(spec, n_rows, n_params, dtype, gather_rows, dropout=None):
    """A ``Workspace`` for batches of up to ``n_rows`` rows."""
    size = n_rows * int(spec.unit_cum[-1])
    needs_pre = bool(np.any(spec.act_codes >= NEEDS_PRE_ACTIVATION))
    drops = dropout is not None and bool(np.any(dropout.rates > 0))
    n_in = int(spec.units[0])
    m = spec.emb_features.shape[0]
    front = n_in * int(spec.units[1]) if spec.front_off >= 0 else 0

    def buffer(n):
        return np.empty(n, dtype=dtype)

    return Workspace(
        buffer(size),
        buffer(size),
        buffer(n_rows * spec.n_raw) if gather_rows else None,
        buffer(n_params),
        buffer(size if needs_pre else 0),
        buffer(size if drops else 0),
        buffer(n_rows * n_in if m else 0),
        buffer(n_rows * n_in if m else 0),
        buffer(2 * n_rows * m * spec.emb_k),  # cosines, then sines
        buffer(front),
    )


class LossSpec(NamedTuple):
    """What the kernels need to know of the loss.

    ``code`` is one of ``LOSS_CODES``; ``log_eps`` the probability clip of the
    log-losses; ``huber_delta`` the Huber loss's switch point; ``scale``
    multiplies the reported loss value (not the delta); ``quantiles`` the
    pinball loss's levels, output ``k`` taking ``quantiles[k % len]`` (empty
    for the other losses).
    """

    code: int
    log_eps: float
    huber_delta: float
    scale: float
    quantiles: np.ndarray


def loss_spec(code, log_eps, huber_delta=1.0, scale=1.0, quantiles=None):
    """A ``LossSpec``; ``quantiles`` None means no levels."""
    levels = np.empty(0) if quantiles is None else np.asarray(quantiles, np.float64)
    return LossSpec(int(code), float(log_eps), float(huber_delta), float(scale), levels)


class OptimizerParams(NamedTuple):
    """The hyper-parameters of an optimizer step.

    ``solver`` is one of ``SGD``, ``ADAM``, ``NADAM``, ``RMSPROP``,
    ``ADAGRAD``; ``alpha`` the L2 penalty, ``learning_rate`` the current step
    size; ``momentum`` and ``nesterov`` are SGD's, ``beta_1``, ``beta_2`` and
    ``epsilon`` Adam's and Nadam's (rmsprop decays its squared gradients by
    ``beta_2``; adagrad and rmsprop use ``epsilon``), ``momentum_decay``
    Nadam's; ``weight_decay`` shrinks the weights by ``learning_rate *
    weight_decay`` per step, apart from the gradient (AdamW, SGDW);
    ``max_grad_norm`` clips the gradient's global norm (inf: no clipping).
    ``factor_ends`` divides the parameters into blocks (the end of each, in
    order, one block ending where the weights end) whose step size and
    decoupled decay ``lr_factors`` and ``decay_factors`` multiply (one each
    per block; all three empty: the weights and the biases, the biases not
    decayed); ``step_lr``, ``step_decay`` and
    ``step_dropout`` multiply the learning rate, the weight decay and the
    dropout rates of each minibatch step of the epoch (empty: 1).
    """

    solver: int
    alpha: float
    learning_rate: float
    momentum: float
    nesterov: bool
    beta_1: float
    beta_2: float
    epsilon: float
    momentum_decay: float
    weight_decay: float
    max_grad_norm: float
    factor_ends: np.ndarray
    lr_factors: np.ndarray
    decay_factors: np.ndarray
    step_lr: np.ndarray
    step_decay: np.ndarray
    step_dropout: np.ndarray


class OptimizerState(NamedTuple):
    """What an optimizer remembers between steps, updated in place.

    Adam and Nadam keep their moments ``m`` and ``v``, rmsprop and adagrad
    their mean or sum of squared gradients ``square_avg``, SGD its
    ``velocity``, Nadam also the running product of its momentum schedule
    ``mu_product`` (a length-1 array); the slots a solver does not use are
    empty arrays of the parameters' dtype (``mu_product``: float64). ``t`` is
    the number of steps taken before this call (for the bias corrections).
    """

    m: np.ndarray
    v: np.ndarray
    velocity: np.ndarray
    mu_product: np.ndarray
    square_avg: np.ndarray
    t: int


# the unused slots' empty arrays by dtype (read by no kernel, so shared)
_EMPTY = {np.dtype(t): np.empty(0, dtype=t) for t in (np.float32, np.float64)}


def optimizer_state(dtype, t=0, m=None, v=None, velocity=None, mu=None, sq=None):
    """An ``OptimizerState`` with empty arrays in the slots not given."""
    empty = _EMPTY[np.dtype(dtype)]
    return OptimizerState(
        empty if m is None else m,
        empty if v is None else v,
        empty if velocity is None else velocity,
        _EMPTY[np.dtype(np.float64)] if mu is None else mu,
        empty if sq is None else sq,
        int(t),
    )


class Units(NamedTuple):
    """Training state of a layer of TLUs: entry (or row) ``k`` is unit k's.

    The kernels update every array in place; slicing every field alike gives
    the state of a subset of the units.

    ``V`` (n_units, n_features): the weights up to ``scale``, ``w_k = scale[k]
    * V[k]``; ``b``: the intercepts; ``active``: which units still train;
    ``sq_norm``: ``||w_k||^2``, for the penalty term of the objective;
    ``weight_pos``, ``weight_neg``: the class weights of a unit's positive and
    negative samples; ``q`` (n_units, n_features, or 0 columns without an L1
    term): the L1 penalty each weight has received; ``avg_sum``, ``B`` (0
    columns without averaging), ``S``, ``b_sum``, ``n_averaged``: the lazy
    average sums of the weights and intercepts and the count of averaged steps.
    """

    V: np.ndarray
    scale: np.ndarray
    b: np.ndarray
    active: np.ndarray
    sq_norm: np.ndarray
    weight_pos: np.ndarray
    weight_neg: np.ndarray
    q: np.ndarray
    avg_sum: np.ndarray
    B: np.ndarray
    S: np.ndarray
    b_sum: np.ndarray
    n_averaged: np.ndarray


class Rule(NamedTuple):
    """The settings of Rosenblatt's rule for one fit.

    ``eta`` is the step size, ``penalty`` one of ``NO_PENALTY``, ``L2``, ``L1``,
    ``ELASTICNET`` with strength ``alpha`` and L1 share ``l1_ratio``;
    averaging starts once the step counter reaches ``avg_start``.
    """

    fit_intercept: bool
    eta: float
    alpha: float
    l1_ratio: float
    penalty: int
    averaging: bool
    avg_start: int


class Samples(NamedTuple):
    """The training targets: ``targets`` (n_samples, n_units) of +1/-1 for
    one-vs-rest and multilabel units, or ``labels`` (n_samples,) of class
    indices for the multinomial rule (the other one empty), and
    ``sample_weight`` (empty for unit weights)."""

    targets: np.ndarray
    labels: np.ndarray
    sample_weight: np.ndarray


class EpochStats(NamedTuple):
    """What an epoch reports per unit: ``loss[k]`` holds the summed perceptron
    loss and the summed per-sample penalty term, ``mistakes[k]`` the count of
    updates (the multinomial rule reports in row 0)."""

    loss: np.ndarray
    mistakes: np.ndarray
