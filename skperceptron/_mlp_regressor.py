"""MLPRegressor: real-valued targets, with a choice of losses and output ranges."""

from numbers import Real

from sklearn.base import (
    RegressorMixin,
)
from sklearn.utils.metaestimators import available_if

from ._dask import (
    DaskScoreMixin,
    reject_in_partial_fit,
)
from ._mlp import BaseMLP
from ._mlp_predictions import RegressorPredictionsMixin
from ._mlp_targets import OUTPUT_RANGES, RegressorTargetsMixin
from ._sklearn_compat import Interval, StrOptions, _fit_context
from ._transaction import atomic


class MLPRegressor(
    RegressorPredictionsMixin,
    RegressorTargetsMixin,
    DaskScoreMixin,
    RegressorMixin,
    BaseMLP,
):
    """Multilayer perceptron regressor trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    same parameters, attributes and results, with the forward pass, backward
    pass and optimizer running in numba-compiled kernels.

    Parameters
    ----------
    loss : {'squared_error', 'absolute_error', 'huber', 'poisson', \
            'quantile'}, default='squared_error'
        Half squared error, absolute error, Huber loss (quadratic for residuals
        up to ``huber_delta``, linear beyond: robust to outliers), half
        Poisson deviance with an exp output, or the pinball loss of
        ``quantile``. With several outputs the squared
        error is reported averaged over outputs and the other losses summed,
        as scikit-learn reports them (so ``tol`` stops training at the same
        epoch); the stochastic solvers follow scikit-learn's gradient, that of the loss
        summed over outputs, and lbfgs minimises that summed loss, so that its
        value and gradient belong to one function.

    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of neurons in the ith hidden layer.

    activation : str or sequence of str, default='relu'
        Activation of the hidden layers, one of 'identity' (``x``), 'logistic'
        (``1 / (1 + exp(-x))``), 'tanh', 'relu' (``max(0, x)``), 'softplus'
        (``log(1 + exp(x))``, a smooth relu), 'leaky_relu' (``x`` for ``x >
        0``, else ``negative_slope * x``), 'elu' (``x`` for ``x > 0``, else
        ``exp(x) - 1``), 'selu' (elu's scaled to keep unit variance,
        ``1.0507 * x`` or ``1.0507 * 1.6733 * (exp(x) - 1)``), 'gelu' (``x *
        Phi(x)``, exact, with the error
        function), 'silu' (``x * sigmoid(x)``) or 'mish' (``x *
        tanh(softplus(x))``). A sequence gives one name per hidden layer.

    solver : {'lbfgs', 'sgd', 'adam', 'rmsprop', 'adagrad', 'nadam'}, \
            default='adam'
        Weight optimizer: quasi-Newton L-BFGS-B (full batch), stochastic
        gradient descent, Adam, RMSprop (``beta_2`` decays its mean square),
        Adagrad or Nadam (Adam with Nesterov momentum); the last three as
        PyTorch's ``RMSprop``, ``Adagrad`` and ``NAdam``.

    alpha : float, default=0.0001
        Strength of the L2 penalty, divided by the (batch) sample count when
        added to the loss.

    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by lbfgs.

    learning_rate : {'constant', 'invscaling', 'adaptive', 'cosine', \
            'onecycle', 'coslog4', 'flat_cosine'} or callable, \
            default='constant'
        Learning-rate schedule. 'invscaling' and 'adaptive' act on
        ``solver='sgd'`` only, as in scikit-learn: divided by ``(t + 1) **
        power_t`` after each epoch, ``t`` counting samples seen, or divided
        by 5 whenever ``n_iter_no_change`` epochs fail to improve. The others
        act on every stochastic solver: 'cosine' decays from
        ``learning_rate_init`` to 0 along a half cosine over ``max_iter``
        epochs; 'onecycle' rises from ``learning_rate_init / 25`` to
        ``learning_rate_init`` over the first half and falls to
        ``learning_rate_init / 25 / 1e4`` over the second, while sgd's
        ``momentum`` (or adam's and nadam's ``beta_1``) falls by 0.1 and rises
        back; a callable ``f(epoch) -> rate`` gives the rate of each epoch
        (counted from 0). 'coslog4' and 'flat_cosine' are set before every
        minibatch step from the fit's progress ``t`` in [0, 1): 'coslog4',
        ``(1 - cos(2 pi log2(1 + 15 t))) / 2``, runs four cycles from 0 to
        ``learning_rate_init`` and back, each twice as long as the one before
        (RealMLP's schedule); 'flat_cosine' is constant for half the fit, then
        falls along a half cosine.

    learning_rate_init : float, default=0.001
        Initial learning rate of the stochastic solvers.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the early-stopping split and the
        shuffling. The draws are made in scikit-learn's order, so the same seed
        gives the same network as ``sklearn.neural_network``.

    tol : float, default=1e-4
        Training stops when the loss (or validation score) fails to improve by
        at least ``tol`` for ``n_iter_no_change`` consecutive epochs.

    verbose : bool, default=False
        Whether to print the loss after each epoch.

    warm_start : bool, default=False
        Reuse the previous solution as initialisation (a new optimizer is
        created; ``loss_curve_`` keeps growing).

    momentum : float, default=0.9
        Momentum of sgd, in [0, 1].

    nesterovs_momentum : bool, default=True
        Whether sgd uses Nesterov's momentum.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified for
        single-output classification), stop when its score stops improving,
        and restore the best weights. Stochastic solvers only. A loss or weights
        becoming non-finite also stop training then, with a ConvergenceWarning
        and the best weights restored (without early stopping: a ValueError).

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.

    beta_1 : float, default=0.9
        Adam's decay rate of the first moment, in [0, 1).

    beta_2 : float, default=0.999
        Adam's decay rate of the second moment, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int, default=10
        Epochs without ``tol`` improvement tolerated before stopping.

    max_fun : int, default=15000
        Maximum number of loss evaluations of lbfgs.

    huber_delta : float, default=1.0
        Residual size where the Huber loss turns from quadratic to linear.

    out_activation : {'identity', 'relu', 'softplus', 'logistic', 'tanh'}, \
            default='identity'
        Output activation: relu or softplus for non-negative targets, logistic
        for targets in [0, 1], tanh for targets in [-1, 1]. Targets outside the
        reachable range raise a ValueError. The output biases start where the
        activation gives the mean target. Ignored by (and must stay 'identity'
        for) the Poisson loss, which uses an exp output.

    scoring : str, callable or None, default=None
        Early stopping's validation score: None for scikit-learn's (accuracy
        for classifiers, R^2 for regressors), 'loss' for minus the validation
        loss, or any scikit-learn scorer name or callable.

    dropout : float or sequence of float, default=0.0
        Probability of dropping each hidden unit during stochastic training
        (inverted dropout: kept units are scaled by ``1 / (1 - rate)``, so
        prediction uses the weights as they are); a sequence gives one rate
        per hidden layer, each in [0, 1). Masks are drawn from
        ``random_state``, the same for dense and sparse X. lbfgs raises.

    negative_slope : float, default=0.01
        Slope of 'leaky_relu' for negative inputs.

    weight_init : {'sklearn', 'glorot_uniform', 'glorot_normal', \
            'he_uniform', 'he_normal', 'lecun_normal', 'lsuv'}, default='sklearn'
        Initial weights: 'sklearn' draws weights and biases as scikit-learn
        does; the next five draw weights with variance ``2 / (fan_in +
        fan_out)`` (glorot), ``2 / fan_in`` (he) or ``1 / fan_in`` (lecun),
        uniformly or from an untruncated normal, and start biases at 0;
        'lsuv' scales normal weights so that every unit's pre-activation has
        unit variance on the training rows, and sets each bias so that the
        unit is zero at a random mix of five training rows.

    weight_decay : float, default=0.0
        Decoupled weight decay of the stochastic solvers: each step first
        multiplies the weights (not the biases) by ``1 - learning_rate *
        weight_decay``, as AdamW and SGDW do. ``alpha`` keeps its meaning, an
        L2 penalty added to the loss.

    max_grad_norm : float or None, default=None
        Clip the global norm of each minibatch gradient (L2 term included) to
        this value before the step, as ``torch.nn.utils.clip_grad_norm_``.

    warmup_epochs : int, default=0
        Epoch ``e < warmup_epochs`` multiplies the learning rate by ``(e + 1)
        / (warmup_epochs + 1)``; 'cosine', 'onecycle' and a callable schedule
        start after the warmup and span the remaining epochs.

    input_transform : {None, 'robust'}, default=None
        'robust' centres each input column on its median, divides it by its
        interquartile range (half its range if the quartiles coincide; a
        constant column becomes 0) and clips it smoothly to
        ``(-input_clip, input_clip)`` with ``x / sqrt(1 + (x / input_clip)**2)``,
        with statistics fitted on the training X (``input_center_``,
        ``input_scale_``) and applied in every prediction. Sparse columns are
        scaled, not centred. Heavy-tailed columns then no longer dominate.

    input_clip : float or None, default=3.0
        The bound of ``input_transform``'s smooth clipping (None: none).

    numeric_embedding : {None, 'periodic'}, default=None
        'periodic' adds, for each input column with more than two distinct
        training values (``embedded_features_``), ``embedding_size`` learned
        features ``sum_k cos(2 pi f_k x + b_k) W_k + c`` of its value ``x``,
        with ``embedding_frequencies`` learned frequencies ``f`` (initially
        ``N(0, embedding_scale**2)``) and phases ``b``, after the raw columns.

    embedding_frequencies : int, default=16
        Frequencies of each periodic embedding.

    embedding_size : int, default=3
        Learned features of each periodic embedding.

    embedding_scale : float, default=0.1
        Standard deviation of the embeddings' initial frequencies.

    front_scale : bool, default=False
        Multiply each input of the first layer (embeddings included) by a
        learned scale, initially 1 (``front_scale_``), so that training can
        weigh the features.

    lr_scaling : {None, 'ntk'}, default=None
        'ntk' divides each weight matrix's step size by ``sqrt(fan_in)``,
        which with the adaptive solvers is the NTK parametrisation's training
        dynamics.

    lr_factors : dict or None, default=None
        Factors of the step size of parameter groups: 'bias' (default 1),
        'front_scale' (6) and 'embedding' (0.1); the last two are decayed by
        ``weight_decay`` times their factor squared, biases never.

    dropout_schedule : {'constant', 'flat_cosine'}, default='constant'
        'flat_cosine' keeps the dropout rates for the first half of the
        minibatch steps of ``max_iter`` epochs, then lowers them to 0 along a
        half cosine, step by step.

    weight_decay_schedule : {'constant', 'flat_cosine'}, default='constant'
        The same schedule for ``weight_decay``.

    restore_best_weights : bool, default=False
        Score ``X_val`` (or a held-out ``validation_fraction``) after every
        epoch and end the fit with the weights of the best epoch (the last of
        equally good ones), training all ``max_iter`` epochs unless
        ``early_stopping`` stops it.

    target_scaling : {None, 'standard'}, default=None
        'standard' trains on targets standardised with the training mean and
        standard deviation of each output (``target_mean_``,
        ``target_scale_``) and predicts in the targets' units; the loss
        values (``loss_curve_``) are the standardised targets'. Needs
        ``out_activation='identity'``.

    clip_predictions : bool, default=False
        Clip predictions to the range of the training targets
        (``target_range_``).

    quantile : float or sequence of float, default=0.5
        Level(s) in (0, 1) of ``loss='quantile'``. A sequence trains one
        output per level and target (target by target, levels in the given
        order); ``predict`` then returns shape ``(n_samples, n_levels)`` for
        a 1-D y and ``(n_samples, n_targets, n_levels)`` for a 2-D y, each
        row's predictions sorted along the levels so that quantiles never
        cross (the levels must be increasing), and ``score`` (and early
        stopping's default score) is the mean over levels of
        :func:`~sklearn.metrics.d2_pinball_score`.

    Attributes
    ----------
    loss_ : float
        The loss of the last epoch (or at the lbfgs solution), L2 term included.

    best_loss_ : float or None
        Lowest training loss reached (stochastic solvers without early stopping).

    loss_curve_ : list of float
        Loss of each epoch (stochastic solvers).

    validation_scores_ : list of float or None
        Validation score of each epoch when ``early_stopping=True`` or
        validation data were given to ``fit``.

    best_validation_score_ : float or None
        Best of ``validation_scores_``.

    validation_loss_curve_ : list of float
        Loss on the validation set (without the L2 term) after each epoch,
        when ``early_stopping=True`` or validation data were given to
        ``fit``.

    t_ : int
        Number of training samples seen by the solver.

    coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        Weight matrices, views into one flat parameter vector.

    intercepts_ : list of ndarray of shape (n_fan_out,)
        Bias vectors, views into the same vector.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_iter_ : int
        Number of epochs (or lbfgs iterations) run by the last fit call.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Activation of the output layer.

    See Also
    --------
    MLPClassifier : The classification counterpart.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skperceptron import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    >>> reg = MLPRegressor(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=500,
    ...                    random_state=0).fit(X, y / 100)
    >>> bool(reg.score(X, y / 100) > 0.99)
    True
    """

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [
            StrOptions(
                {"squared_error", "absolute_error", "huber", "poisson", "quantile"}
            )
        ],
        "quantile": [Interval(Real, 0, 1, closed="neither"), "array-like"],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "target_scaling": [StrOptions({"standard"}), None],
        "clip_predictions": ["boolean"],
        "out_activation": [StrOptions({"identity", *OUTPUT_RANGES})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        huber_delta=1.0,
        out_activation="identity",
        scoring=None,
        dropout=0.0,
        negative_slope=0.01,
        weight_init="sklearn",
        weight_decay=0.0,
        max_grad_norm=None,
        warmup_epochs=0,
        input_transform=None,
        input_clip=3.0,
        numeric_embedding=None,
        embedding_frequencies=16,
        embedding_size=3,
        embedding_scale=0.1,
        front_scale=False,
        lr_scaling=None,
        lr_factors=None,
        dropout_schedule="constant",
        weight_decay_schedule="constant",
        restore_best_weights=False,
        target_scaling=None,
        clip_predictions=False,
        quantile=0.5,
    ):
        self.quantile = quantile
        self.huber_delta = huber_delta
        self.out_activation = out_activation
        self.target_scaling = target_scaling
        self.clip_predictions = clip_predictions
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            loss=loss,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            scoring=scoring,
            dropout=dropout,
            negative_slope=negative_slope,
            weight_init=weight_init,
            weight_decay=weight_decay,
            max_grad_norm=max_grad_norm,
            warmup_epochs=warmup_epochs,
            input_transform=input_transform,
            input_clip=input_clip,
            numeric_embedding=numeric_embedding,
            embedding_frequencies=embedding_frequencies,
            embedding_size=embedding_size,
            embedding_scale=embedding_scale,
            front_scale=front_scale,
            lr_scaling=lr_scaling,
            lr_factors=lr_factors,
            dropout_schedule=dropout_schedule,
            weight_decay_schedule=weight_decay_schedule,
            restore_best_weights=restore_best_weights,
        )

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        reject_in_partial_fit(X)
        return atomic(self, self._fit, X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = (
            self.loss == "poisson" or self.out_activation in ("relu", "softplus")
        )
        return tags
