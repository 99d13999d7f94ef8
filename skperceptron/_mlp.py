"""BaseMLP: what the multilayer perceptrons share.

Parameters, validation, initialisation, the fit loops (``_fit_stochastic``,
``_fit_lbfgs``, as in scikit-learn), warm_start/partial_fit plumbing,
prediction and conversion to scikit-learn. The classifier and the regressor
(``_mlp_classifier.py``, ``_mlp_regressor.py``) add their targets, outputs
and scores; the arithmetic runs in the compiled kernels.
"""

import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    is_classifier,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._callbacks import CallbackSupportMixin, FitProgress, with_callbacks
from ._dask import is_dask_collection
from ._dask_fit import fit_mlp
from ._data import (
    check_prediction_input,
    check_sample_weight,
    kernel_input,
    prediction_input,
)
from ._interop import copy_attributes, not_expressible, shared_params
from ._kernels import network
from ._kernels.activations import ACTIVATION_CODES
from ._kernels.losses import LOSS_CODES, LossSpec
from ._params import WEIGHT_INITS, ParamLayout, sklearn_init, variance_scaling_init
from ._sklearn_compat import Interval, Options, StrOptions, _fit_context
from ._stochastic_optimizers import (
    EPOCH_SCHEDULES,
    STOCHASTIC_SOLVERS,
    AdagradOptimizer,
    AdamOptimizer,
    NadamOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
)
from ._training import (
    DIVERGENCE_MESSAGE,
    Validation,
    check_batch_size,
    dropout_rates,
    minimize_lbfgs,
    outputs_loss,
    split_for_validation,
)
from ._transaction import atomic

_PREDICT_CHUNK_ROWS = 512  # hidden activations of a chunk stay in L2 cache
_STOCHASTIC_ATTRIBUTES = (
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "validation_loss_curve_",
    "_no_improvement_count",
    "_optimizer",
    "_best_flat",
)
_HIDDEN_ACTIVATIONS = {
    "identity",
    "logistic",
    "tanh",
    "relu",
    "softplus",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "mish",
}
_SKLEARN_HIDDEN = {"identity", "logistic", "tanh", "relu"}
# activations whose code the kernels compile only for networks that use them
_EXTENDED_ACTIVATIONS = frozenset({"leaky_relu", "elu", "gelu", "silu", "mish"})
# What to_sklearn / from_sklearn carry over besides parameters and weights.
_SKLEARN_ATTRIBUTES = (
    "n_iter_",
    "t_",
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "loss_",
    "best_loss_",
    "loss_curve_",
    "validation_scores_",
    "best_validation_score_",
    "n_features_in_",
    "feature_names_in_",
    "classes_",
    "_label_binarizer",
)


class BaseMLP(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Shared machinery of the multilayer perceptrons. Use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(_HIDDEN_ACTIVATIONS), list, tuple],
        "solver": [StrOptions({"lbfgs", *STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [
            StrOptions({"constant", "invscaling", "adaptive", *EPOCH_SCHEDULES}),
            callable,
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "scoring": [StrOptions({"loss"}), str, callable, None],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "weight_init": [StrOptions({"sklearn", *WEIGHT_INITS})],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        loss,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        scoring,
        dropout,
        negative_slope,
        weight_init,
        weight_decay,
        max_grad_norm,
        warmup_epochs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.scoring = scoring
        self.dropout = dropout
        self.negative_slope = negative_slope
        self.weight_init = weight_init
        self.weight_decay = weight_decay
        self.max_grad_norm = max_grad_norm
        self.warmup_epochs = warmup_epochs

    # ----------------------------------------------------------------- state
    def __getstate__(self):
        # coefs_ and intercepts_ are the truth; the flat vector is rebuilt from
        # them on demand, so it is not pickled twice.
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        state.pop("_flat", None)
        state.pop("_bound_views", None)
        return state

    def _layout(self):
        units = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
        return ParamLayout(tuple(int(u) for u in units))

    def _bind(self, flat, layout):
        self._flat = flat
        self.coefs_, self.intercepts_ = layout.views(flat)
        self._bound_views = tuple(self.coefs_ + self.intercepts_)

    def _current_flat(self):
        """The flat vector behind coefs_/intercepts_, repacked if they were replaced.

        In-place edits of the arrays are seen through the views; replaced arrays
        (assignment, or a pickle round trip, which copies views) are repacked.
        """
        bound = getattr(self, "_bound_views", ())
        current = self.coefs_ + self.intercepts_
        if (
            getattr(self, "_flat", None) is None
            or len(bound) != len(current)
            or any(a is not b for a, b in zip(current, bound))
        ):
            layout = self._layout()
            dtype = np.result_type(*current)
            self._bind(layout.pack(self.coefs_, self.intercepts_, dtype), layout)
        return self._flat

    def _hidden_activations(self, n_hidden):
        """One activation name per hidden layer, validated."""
        names = self.activation
        if isinstance(names, str):
            return [names] * n_hidden
        names = list(names)
        if len(names) != n_hidden:
            raise ValueError(
                f"activation has {len(names)} entries but there are {n_hidden} "
                "hidden layers; give one name per hidden layer or a single name."
            )
        unknown = [n for n in names if n not in _HIDDEN_ACTIVATIONS]
        if unknown:
            raise ValueError(
                f"Unknown activation(s) {unknown}; choose from "
                f"{sorted(_HIDDEN_ACTIVATIONS)}."
            )
        return names

    def _activations(self, n_layers):
        return self._hidden_activations(n_layers - 2) + [self.out_activation_]

    def _loss_name(self):
        if self.out_activation_ == "logistic" and self.loss == "log_loss":
            return "binary_log_loss"
        return self.loss

    def _loss_spec(self, dtype, n_outputs):
        """The kernels' loss description, on scikit-learn's scale of reporting."""
        name = self._loss_name()
        # scikit-learn averages the squared error over outputs (every other
        # loss is summed) while its gradient is the summed loss's
        scale = 1.0 / n_outputs if name == "squared_error" else 1.0
        return LossSpec(
            LOSS_CODES[name],
            float(np.finfo(dtype).eps),
            float(getattr(self, "huber_delta", 1.0)),
            scale,
            self._quantile_levels(),
        )

    def _quantile_levels(self):
        """The pinball loss's levels (regressors with loss='quantile'), else None."""
        return None

    # ------------------------------------------------------------- training
    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if any(int(s) != s or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _initialize(
        self, layout, dtype, random_state, Y, sample_weight, has_validation_data
    ):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(layout.layer_units)
        self.out_activation_ = self._output_activation()
        if self.weight_init == "sklearn":
            # Glorot's bound as scikit-learn sets it (2 for logistic units, else
            # 6); the output layer takes the last hidden layer's factor.
            hidden = self._hidden_activations(self.n_layers_ - 2)
            factors = [2.0 if a == "logistic" else 6.0 for a in hidden]
            factors.append(
                factors[-1]
                if factors
                else (2.0 if self.activation == "logistic" else 6.0)
            )
            flat = sklearn_init(layout, factors, random_state, dtype)
        else:
            flat = variance_scaling_init(layout, self.weight_init, random_state, dtype)
        self._bind(flat, layout)
        self._init_output_bias(Y, sample_weight)
        for name in _STOCHASTIC_ATTRIBUTES:
            self.__dict__.pop(name, None)
        if self.solver in STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            self._best_flat = self._flat.copy()
            if self.early_stopping or has_validation_data:
                self.validation_scores_ = []
                self.validation_loss_curve_ = []
                self.best_validation_score_ = -np.inf
            else:
                self.validation_scores_ = None
                self.best_validation_score_ = None
            self.best_loss_ = None if self.early_stopping else np.inf

    def _resume(self, layout, dtype, has_validation_data):
        """Continue from the fitted weights (warm_start, partial_fit).

        Training works on copies of the weights and the curves, so that a
        failure leaves the fitted model untouched. Validation records start
        here when the first fit kept none.
        """
        flat, old_layout = self._current_flat(), self._layout()
        if old_layout != layout:
            raise ValueError(
                f"The network layout {layout.layer_units} differs from the fitted "
                f"one {old_layout.layer_units}; warm_start and partial_fit need "
                "the same hidden_layer_sizes, features and outputs."
            )
        self._bind(flat.astype(dtype, copy=True), layout)
        if hasattr(self, "loss_curve_"):
            self.loss_curve_ = list(self.loss_curve_)
        for name in ("validation_scores_", "validation_loss_curve_"):
            if isinstance(getattr(self, name, None), list):
                setattr(self, name, list(getattr(self, name)))
        validating = self.early_stopping or has_validation_data
        if (
            self.solver in STOCHASTIC_SOLVERS
            and validating
            and getattr(self, "validation_scores_", None) is None
        ):
            self.validation_scores_, self.validation_loss_curve_ = [], []
            self.best_validation_score_ = -np.inf

    def _fit(self, X, y, sample_weight=None, incremental=False, validation_data=None):
        hidden = self._hidden_layer_sizes()
        self._check_training_options(len(hidden), validation_data is not None)
        stochastic = self.solver in STOCHASTIC_SOLVERS
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y, y = self._validate_input(X, y, incremental, reset=first_pass)
        sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        sample_weight = self._weigh_classes(y, sample_weight, incremental, X.dtype)
        if validation_data is not None:
            validation_data = self._validate_validation_data(*validation_data, X.dtype)
        self.n_outputs_ = Y.shape[1]
        layout = ParamLayout((X.shape[1], *hidden, self.n_outputs_))
        random_state = check_random_state(self.random_state)

        if first_pass:
            self._initialize(
                layout,
                X.dtype,
                random_state,
                Y,
                sample_weight,
                validation_data is not None,
            )
        else:
            self._resume(layout, X.dtype, validation_data is not None)

        data = kernel_input(X, X.dtype)
        spec = self._kernel_spec(layout)
        loss = self._loss_spec(X.dtype, self.n_outputs_)
        epochs = (1 if incremental else self.max_iter) if stochastic else 0
        progress = FitProgress(self, X, y, epochs, self._snapshot)
        if stochastic:
            self._fit_stochastic(
                X,
                data,
                Y,
                y,
                sample_weight,
                spec,
                loss,
                incremental,
                random_state,
                progress,
                validation_data,
            )
        else:
            self._fit_lbfgs(data, Y, sample_weight, spec, loss)
        progress.end()
        return self

    def _check_training_options(self, n_hidden, has_validation_data):
        """Raise for options that the solver cannot use."""
        if self.solver in STOCHASTIC_SOLVERS:
            if (
                isinstance(self.learning_rate, str)
                and self.learning_rate == "onecycle"
                and self.max_iter - self.warmup_epochs < 2
            ):
                raise ValueError(
                    "learning_rate='onecycle' rises and falls over max_iter - "
                    "warmup_epochs epochs, which must be at least 2; got "
                    f"max_iter={self.max_iter}, warmup_epochs={self.warmup_epochs}."
                )
            return
        if np.any(dropout_rates(self.dropout, n_hidden)):
            raise ValueError(
                "dropout is applied during stochastic training only; "
                f"solver={self.solver!r} cannot use it. Set dropout=0.0 or choose "
                "a stochastic solver ('adam', 'sgd', 'rmsprop', 'adagrad', 'nadam')."
            )
        if has_validation_data:
            raise ValueError(
                "X_val and y_val are used by the stochastic solvers' epochs; "
                f"solver={self.solver!r} has none. Choose a stochastic solver."
            )

    def _kernel_spec(self, layout):
        return layout.kernel_spec(
            self._activations(len(layout.layer_units)), self._negative_slope()
        )

    def _negative_slope(self):
        """The kernels' ``negative_slope``: None unless an activation needs it.

        None tells the kernels that no layer uses leaky_relu, elu, gelu, silu
        or mish, so that numba compiles none of their code.
        """
        names = self.activation
        if isinstance(names, str):  # the common case, on every prediction
            extended = names in _EXTENDED_ACTIVATIONS
        else:
            extended = not _EXTENDED_ACTIVATIONS.isdisjoint(names)
        return float(self.negative_slope) if extended else None

    def _validate_validation_data(self, X_val, y_val, sample_weight_val, dtype):
        """``Validation`` of user-given hold-out data, encoded as the training data."""
        X_val, Y_val, y_val = self._validate_input(
            X_val, y_val, incremental=True, reset=False
        )
        X_val = X_val.astype(dtype, copy=False)
        sample_weight_val = check_sample_weight(sample_weight_val, X_val, dtype)
        return Validation(
            X_val, y_val, Y_val.astype(dtype, copy=False), sample_weight_val
        )

    def _new_optimizer(self, n_params, dtype):
        schedule = dict(
            lr_schedule=self.learning_rate,
            max_iter=self.max_iter,
            warmup_epochs=self.warmup_epochs,
            weight_decay=self.weight_decay,
            max_grad_norm=self.max_grad_norm,
        )
        if self.solver == "sgd":
            return SGDOptimizer(
                n_params,
                dtype,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
                **{k: v for k, v in schedule.items() if k != "lr_schedule"},
            )
        if self.solver in ("rmsprop", "adagrad"):
            cls = RMSpropOptimizer if self.solver == "rmsprop" else AdagradOptimizer
            return cls(
                n_params,
                dtype,
                self.learning_rate_init,
                self.beta_2,
                self.epsilon,
                **schedule,
            )
        cls = AdamOptimizer if self.solver == "adam" else NadamOptimizer
        return cls(
            n_params,
            dtype,
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
            **schedule,
        )

    def _fit_stochastic(
        self,
        X,
        data,
        Y,
        y,
        sample_weight,
        spec,
        loss,
        incremental,
        random_state,
        progress,
        validation_data=None,
    ):
        """Train ``self._flat`` in place with a stochastic solver, one compiled
        call per epoch.

        ``X`` is the validated input (for the validation split), ``data`` its
        kernel form, ``Y`` the float target matrix, ``y`` the targets as the
        scorer wants them and ``loss`` the kernels' ``LossSpec``; ``progress``
        reports epochs to scikit-learn callbacks; ``validation_data`` is a
        ``Validation`` of user-given hold-out data, or None.
        """
        flat = self._flat
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._new_optimizer(flat.shape[0], flat.dtype)
        else:
            self._optimizer = self._optimizer.copy()
        optimizer = self._optimizer

        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if validation_data is not None:
            train_rows, validation = np.arange(Y.shape[0]), validation_data
        elif self.early_stopping:
            train_rows, validation = split_for_validation(
                X,
                y,
                Y,
                sample_weight,
                self.validation_fraction,
                self._validation_strata(Y),
                random_state,
            )
        else:
            train_rows, validation = np.arange(Y.shape[0]), None
        train_rows = train_rows.astype(np.int64)
        n_train = train_rows.shape[0]
        batch_size = check_batch_size(self.batch_size, n_train)
        n_batches = -(-n_train // batch_size)
        rates = dropout_rates(self.dropout, self.n_layers_ - 2)
        dropout = network.Dropout(np.append(rates, 0.0), 0) if np.any(rates) else None
        work = network.workspace(
            spec,
            batch_size,
            flat.shape[0],
            flat.dtype,
            gather_rows=data[1] is None,
            dropout=dropout,
        )
        sw = np.empty(0, dtype=flat.dtype) if sample_weight is None else sample_weight
        positions = np.arange(n_train, dtype=np.int64)
        subset = validation is not None and validation_data is None

        self.n_iter_ = 0
        try:
            for _ in range(self.max_iter):
                if self.shuffle:
                    permutation = np.arange(n_train)
                    random_state.shuffle(permutation)
                    positions = positions[permutation]
                order = train_rows[positions] if subset else positions
                if dropout is not None:
                    dropout = dropout._replace(seed=random_state.randint(2**31 - 1))
                optimizer.epoch_starts()
                progress.begin_epoch()
                total = network.run_epoch(
                    data,
                    Y,
                    sw,
                    order,
                    batch_size,
                    flat,
                    spec,
                    loss,
                    optimizer.hyperparameters(self.alpha),
                    optimizer.state(),
                    work,
                    dropout,
                )
                optimizer.steps_taken(n_batches)
                if self._epoch_ends(
                    total / n_train,
                    n_train,
                    lambda: self._validation_loss_and_score(validation, spec, loss),
                    optimizer,
                    progress,
                ):
                    break
                if incremental:
                    break
                self._warn_if_unconverged()
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")

        if self.early_stopping:
            flat[...] = self._best_flat

    def _epoch_ends(self, loss, n_train, evaluate_validation, optimizer, progress):
        """Record the epoch that just ran; return whether training stops.

        ``loss`` is the epoch's training loss over ``n_train`` rows;
        ``evaluate_validation()`` returns the hold-out's ``(loss, score)`` of
        the new weights, or None without validation data. The schedule, the
        callbacks and the no-improvement rule are consulted as in
        scikit-learn's ``_fit_stochastic``.
        """
        self.n_iter_ += 1
        self.loss_ = loss
        self.t_ += n_train
        self.loss_curve_.append(loss)
        if self.verbose:
            print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
        if self._diverged():
            return True
        self._update_no_improvement_count(evaluate_validation())
        optimizer.iteration_ends(self.t_)
        if progress.end_epoch():
            return True
        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if self.early_stopping else "Training loss"
            msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                what,
                self.tol,
                self.n_iter_no_change,
            )
            if optimizer.trigger_stopping(msg, self.verbose):
                return True
            self._no_improvement_count = 0
        return False

    def _warn_if_unconverged(self):
        if self.n_iter_ == self.max_iter:
            warnings.warn(
                "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                "optimization hasn't converged yet." % self.max_iter,
                ConvergenceWarning,
            )

    def _validation_loss_and_score(self, validation, spec, loss):
        """``(loss, score)`` of the current weights on a ``Validation``, or None."""
        if validation is None:
            return None
        # one forward pass on the hold-out serves both the loss and the score
        outputs = self._forward_pass_fast(validation.X, check_input=False)
        val_loss = outputs_loss(
            outputs,
            validation.Y,
            validation.sample_weight,
            spec.act_codes[-1],
            loss,
        )
        return val_loss, self._validation_score(validation, val_loss, outputs)

    def _update_no_improvement_count(self, validation_result):
        """The no-improvement count, best scores and weights after an epoch.

        ``validation_result`` is ``(loss, score)`` on the validation data, or
        None; with early stopping the score decides, else the training loss.
        """
        if validation_result is not None:
            val_loss, score = validation_result
            self.validation_loss_curve_.append(val_loss)
            self.validation_scores_.append(score)
            if self.verbose:
                print("Validation score: %f" % score)
            if self.early_stopping:
                if score < self.best_validation_score_ + self.tol:
                    self._no_improvement_count += 1
                else:
                    self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                if self.early_stopping:
                    self._best_flat = self._flat.copy()
        if not self.early_stopping:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _diverged(self):
        """Whether the epoch diverged (early stopping); raise if it did without.

        Without early stopping there are no weights worth keeping: raise (the
        fit is a transaction, so a fitted model is left as it was). With early
        stopping, record the epoch with a NaN validation score (its weights
        cannot be scored) and stop; the best validation weights are restored
        after the loop, as scikit-learn restores them.
        """
        if np.isfinite(self.loss_) and np.isfinite(self._flat).all():
            return False
        cause = (
            f"The weights or the training loss (last {self.loss_}) became "
            f"non-finite at epoch {self.n_iter_}."
        )
        if not self.early_stopping:
            raise ValueError(DIVERGENCE_MESSAGE.format(cause=cause))
        self.validation_scores_.append(float("nan"))
        self.validation_loss_curve_.append(float("nan"))
        if np.isfinite(self.best_validation_score_):
            kept = (
                "the weights with the best validation score "
                f"({self.best_validation_score_:g}) were restored"
            )
        else:
            kept = (
                "no epoch improved the validation score, so the initial "
                "weights were kept"
            )
        warnings.warn(
            f"Training diverged: {cause} Training stopped there and {kept}. Scale X "
            "(for example with StandardScaler) or lower learning_rate_init.",
            ConvergenceWarning,
        )
        return True

    def _fit_lbfgs(self, data, Y, sample_weight, spec, loss):
        """Full-batch L-BFGS-B on the flat vector (scipy drives, numba evaluates)."""
        flat = self._flat
        work = network.workspace(
            spec, Y.shape[0], flat.shape[0], flat.dtype, gather_rows=False
        )
        sw = np.empty(0, dtype=flat.dtype) if sample_weight is None else sample_weight

        def objective(x, loss_spec):
            flat[...] = x
            value = network.loss_and_gradient(
                data, Y, sw, flat, spec, loss_spec, self.alpha, work, None
            )
            return value, work.grad.astype(np.float64)

        self._minimize_lbfgs(objective, loss)

    def _minimize_lbfgs(self, objective, loss):
        """L-BFGS-B from ``self._flat``; sets the weights, ``n_iter_`` and ``loss_``.

        ``objective(x, loss_spec)`` returns the value and gradient at ``x``.
        L-BFGS needs those of one function: the loss as the kernels sum it
        (scale 1); ``loss_`` is then reported on scikit-learn's scale.
        """
        flat = self._flat
        summed = loss._replace(scale=1.0)
        result = minimize_lbfgs(
            lambda x: objective(x, summed),
            flat.astype(np.float64),
            self.max_iter,
            self.max_fun,
            self.tol,
            self.verbose,
        )
        self.n_iter_ = min(result.nit, self.max_iter)
        flat[...] = result.x
        self.loss_ = (
            float(result.fun) if loss.scale == 1.0 else float(objective(flat, loss)[0])
        )
        if not np.isfinite(self.loss_) or not np.isfinite(flat).all():
            raise ValueError(
                DIVERGENCE_MESSAGE.format(cause=f"The L-BFGS loss became {self.loss_}.")
            )

    def _snapshot(self):
        """Fitted attributes of the current weights (for callbacks' model copies)."""
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
        }

    def _weigh_classes(self, y, sample_weight, incremental, dtype):
        """Sample weights times class weights (regressors: unchanged)."""
        return sample_weight

    def _init_output_bias(self, Y, sample_weight):
        """Hook for output layers that need a better start than Glorot's."""

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in
            regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            Validation data (stochastic solvers). Early stopping then scores
            these instead of holding out ``validation_fraction`` of X, and
            ``validation_scores_`` and ``validation_loss_curve_`` are recorded
            after every epoch, with or without early stopping.
        y_val : array-like of shape (n_val,) or (n_val, n_outputs), default=None
            Targets of ``X_val``; required with it.
        sample_weight_val : array-like of shape (n_val,), default=None
            Sample weights of the validation data.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if (X_val is None) != (y_val is None):
            raise ValueError("X_val and y_val must be given together.")
        if X_val is None and sample_weight_val is not None:
            raise ValueError("sample_weight_val is given without X_val and y_val.")
        if is_dask_collection(X):
            if X_val is not None:
                raise ValueError(
                    "X_val and y_val are not supported with dask input; early "
                    "stopping holds out a share of each chunk instead."
                )
            return fit_mlp(self, X, y, sample_weight)
        validation_data = None if X_val is None else (X_val, y_val, sample_weight_val)
        return atomic(
            self,
            self._fit,
            X,
            y,
            sample_weight,
            incremental=False,
            validation_data=validation_data,
        )

    def _check_solver(self):
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    # ----------------------------------------------------------- prediction
    def _forward_pass_fast(self, X, check_input=True):
        """Output-layer activations for X, shape (n_samples, n_outputs)."""
        if check_input:
            X = check_prediction_input(self, X, accept_sparse=["csr", "csc"])
        flat = self._current_flat()  # also rebinds coefs_/intercepts_ as its views
        codes = [ACTIVATION_CODES[name] for name in self._activations(self.n_layers_)]
        return network.predict(
            prediction_input(X, flat.dtype),
            self.coefs_,
            self.intercepts_,
            codes,
            self._negative_slope(),
            _PREDICT_CHUNK_ROWS,
        )

    def _predict(self, X, check_input=True):
        """Predictions for X: ``_decode`` of the network's outputs."""
        return self._decode(self._forward_pass_fast(X, check_input=check_input))

    def _validation_score(self, validation, validation_loss, outputs):
        """Early stopping's score (higher is better), per ``scoring``.

        ``outputs`` are the network's outputs on the hold-out, already computed
        for the validation loss.
        """
        X, y, sample_weight = validation.X, validation.y, validation.sample_weight
        if self.scoring == "loss":
            return -validation_loss
        if self.scoring is not None:
            scorer = check_scoring(self, scoring=self.scoring)
            kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
            with warnings.catch_warnings():
                # the hold-out is an array even when fit got a DataFrame
                warnings.filterwarnings("ignore", message="X does not have valid")
                return scorer(self, X, y, **kwargs)
        y_pred = self._decode(outputs)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._score_function(y, y_pred, sample_weight=sample_weight)

    def to_sklearn(self):
        """The equivalent fitted scikit-learn estimator (identical predictions).

        Training-only settings (loss, class_weight, scoring, dropout,
        weight_init, weight_decay, max_grad_norm, warmup_epochs,
        label_smoothing) are left out, and solvers and learning-rate schedules
        scikit-learn lacks become 'adam' and 'constant'; activations other than
        scikit-learn's, per-layer activations, bounded or positive regression
        outputs and several quantile levels cannot be expressed and raise a
        ValueError naming them.

        Returns
        -------
        estimator : sklearn.neural_network.MLPClassifier or MLPRegressor
            A fitted copy.
        """
        check_is_fitted(self)
        hidden = self._hidden_activations(self.n_layers_ - 2)
        if len(set(hidden)) > 1:
            not_expressible(self, f"per-layer activations {hidden}")
        if hidden and hidden[0] not in _SKLEARN_HIDDEN:
            not_expressible(self, f"activation={hidden[0]!r}")
        classifier = is_classifier(self)
        if not classifier and self.out_activation_ not in ("identity", "exp"):
            not_expressible(self, f"out_activation={self.out_activation_!r}")
        if not classifier and self._n_levels():
            not_expressible(self, "several quantile levels")
        target_cls = SklearnMLPClassifier if classifier else SklearnMLPRegressor
        params = shared_params(self, target_cls)
        if hidden:
            params["activation"] = hidden[0]
        # training-only settings scikit-learn lacks: predictions are unchanged
        if params["solver"] not in ("lbfgs", "sgd", "adam"):
            params["solver"] = "adam"
        if callable(params["learning_rate"]) or params["learning_rate"] in (
            EPOCH_SCHEDULES
        ):
            params["learning_rate"] = "constant"
        if not classifier and params.get("loss") not in ("squared_error", "poisson"):
            params["loss"] = "squared_error"  # training-only: predictions are unchanged
        converted = target_cls(**params)
        converted.coefs_ = [c.copy() for c in self.coefs_]
        converted.intercepts_ = [b.copy() for b in self.intercepts_]
        copy_attributes(self, converted, _SKLEARN_ATTRIBUTES)
        return converted

    @classmethod
    def _from_sklearn(cls, estimator):
        """The model equal to a fitted scikit-learn MLP (see ``from_sklearn``)."""
        converted = cls(**shared_params(estimator, cls))
        copy_attributes(estimator, converted, _SKLEARN_ATTRIBUTES)
        units = [estimator.coefs_[0].shape[0]] + [c.shape[1] for c in estimator.coefs_]
        layout = ParamLayout(tuple(int(u) for u in units))
        dtype = np.result_type(*estimator.coefs_)
        converted._bind(
            layout.pack(estimator.coefs_, estimator.intercepts_, dtype), layout
        )
        return converted

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
