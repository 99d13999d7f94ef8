"""Multilayer perceptrons: BaseMLP, MLPClassifier and MLPRegressor.

Parameters, validation, target encoding, tags, warm_start/partial_fit and
prediction live here; training is delegated to ``_training`` and the
arithmetic to the compiled kernels.
"""

import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    is_classifier,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, check_scoring, r2_score
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin, FitProgress, with_callbacks
from ._data import (
    check_partial_fit_first_call,
    check_sample_weight,
    kernel_input,
    prediction_input,
)
from ._interop import copy_attributes, not_expressible, shared_params
from ._kernels import network
from ._kernels.activations import ACTIVATION_CODES
from ._kernels.losses import LOSS_CODES, LossSpec
from ._params import ParamLayout, glorot_uniform
from ._sklearn_compat import Interval, Options, StrOptions, _fit_context
from ._stochastic_optimizers import AdamOptimizer, SGDOptimizer
from ._training import (
    DIVERGENCE_MESSAGE,
    check_batch_size,
    minimize_lbfgs,
    outputs_loss,
    split_for_validation,
)
from ._transaction import atomic

_STOCHASTIC_SOLVERS = ("sgd", "adam")
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
_HIDDEN_ACTIVATIONS = {"identity", "logistic", "tanh", "relu", "softplus"}
_SKLEARN_HIDDEN = {"identity", "logistic", "tanh", "relu"}
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
# The range each regression output activation can reach.
_OUTPUT_RANGES = {
    "relu": (0.0, np.inf),
    "softplus": (0.0, np.inf),
    "logistic": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}


class BaseMLP(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Shared machinery of the multilayer perceptrons. Use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(_HIDDEN_ACTIVATIONS), list, tuple],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
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
        )

    # ------------------------------------------------------------- training
    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if any(int(s) != s or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _initialize(self, layout, dtype, random_state, Y, sample_weight):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(layout.layer_units)
        self.out_activation_ = self._output_activation()
        # Glorot's bound as scikit-learn sets it (2 for logistic units, else 6);
        # the output layer takes the last hidden layer's factor.
        hidden = self._hidden_activations(self.n_layers_ - 2)
        factors = [2.0 if a == "logistic" else 6.0 for a in hidden]
        factors.append(
            factors[-1] if factors else (2.0 if self.activation == "logistic" else 6.0)
        )
        self._bind(glorot_uniform(layout, factors, random_state, dtype), layout)
        self._init_output_bias(Y, sample_weight)
        for name in _STOCHASTIC_ATTRIBUTES:
            self.__dict__.pop(name, None)
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            self._best_flat = self._flat.copy()
            if self.early_stopping:
                self.validation_scores_ = []
                self.validation_loss_curve_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = self._hidden_layer_sizes()
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y, y = self._validate_input(X, y, incremental, reset=first_pass)
        sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        sample_weight = self._weigh_classes(y, sample_weight, incremental, X.dtype)
        self.n_outputs_ = Y.shape[1]
        layout = ParamLayout((X.shape[1], *hidden, self.n_outputs_))
        random_state = check_random_state(self.random_state)

        if first_pass:
            self._initialize(layout, X.dtype, random_state, Y, sample_weight)
        else:
            flat, old_layout = self._current_flat(), self._layout()
            if old_layout != layout:
                raise ValueError(
                    f"The network layout {layout.layer_units} differs from the fitted "
                    f"one {old_layout.layer_units}; warm_start and partial_fit need "
                    "the same hidden_layer_sizes, features and outputs."
                )
            # Train on a copy so that a failure leaves the fitted model untouched.
            self._bind(flat.astype(X.dtype, copy=True), layout)
            if hasattr(self, "loss_curve_"):
                self.loss_curve_ = list(self.loss_curve_)
            for name in ("validation_scores_", "validation_loss_curve_"):
                if isinstance(getattr(self, name, None), list):
                    setattr(self, name, list(getattr(self, name)))

        data = kernel_input(X, X.dtype)
        spec = layout.kernel_spec(self._activations(self.n_layers_))
        loss = self._loss_spec(X.dtype, self.n_outputs_)
        stochastic = self.solver in _STOCHASTIC_SOLVERS
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
            )
        else:
            self._fit_lbfgs(data, Y, sample_weight, spec, loss)
        progress.end()
        return self

    def _new_optimizer(self, n_params, dtype):
        if self.solver == "sgd":
            return SGDOptimizer(
                n_params,
                dtype,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return AdamOptimizer(
            n_params,
            dtype,
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
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
    ):
        """Train ``self._flat`` in place with sgd or adam, one compiled call per epoch.

        ``X`` is the validated input (for the validation split), ``data`` its
        kernel form, ``Y`` the float target matrix, ``y`` the targets as the
        scorer wants them and ``loss`` the kernels' ``LossSpec``; ``progress``
        reports epochs to scikit-learn callbacks.
        """
        flat = self._flat
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._new_optimizer(flat.shape[0], flat.dtype)
        else:
            self._optimizer = self._optimizer.copy()
        optimizer = self._optimizer

        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if self.early_stopping:
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
        work = network.workspace(
            spec, batch_size, flat.shape[0], flat.dtype, gather_rows=data[1] is None
        )
        sw = np.empty(0, dtype=flat.dtype) if sample_weight is None else sample_weight
        positions = np.arange(n_train, dtype=np.int64)

        self.n_iter_ = 0
        try:
            for _ in range(self.max_iter):
                if self.shuffle:
                    permutation = np.arange(n_train)
                    random_state.shuffle(permutation)
                    positions = positions[permutation]
                order = train_rows[positions] if validation is not None else positions
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
                )
                optimizer.steps_taken(n_batches)
                self.n_iter_ += 1
                self.loss_ = total / n_train
                self.t_ += n_train
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
                if self._diverged(validation):
                    break

                self._update_no_improvement_count(validation, spec, loss)
                optimizer.iteration_ends(self.t_)
                if progress.end_epoch():
                    break

                if self._no_improvement_count > self.n_iter_no_change:
                    if validation is not None:
                        msg = (
                            "Validation score did not improve more than tol=%f for %d "
                            "consecutive epochs." % (self.tol, self.n_iter_no_change)
                        )
                    else:
                        msg = (
                            "Training loss did not improve more than tol=%f for %d "
                            "consecutive epochs." % (self.tol, self.n_iter_no_change)
                        )
                    if optimizer.trigger_stopping(msg, self.verbose):
                        break
                    self._no_improvement_count = 0

                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                        "optimization hasn't converged yet." % self.max_iter,
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")

        if validation is not None:
            flat[...] = self._best_flat

    def _update_no_improvement_count(self, validation, spec, loss):
        if validation is not None:
            # one forward pass on the hold-out serves both the loss and the score
            outputs = self._forward_pass_fast(validation.X, check_input=False)
            val_loss = outputs_loss(
                outputs,
                validation.Y,
                validation.sample_weight,
                spec.act_codes[-1],
                loss,
            )
            self.validation_loss_curve_.append(val_loss)
            score = self._validation_score(validation, val_loss, outputs)
            self.validation_scores_.append(score)
            if self.verbose:
                print("Validation score: %f" % score)
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_flat = self._flat.copy()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _diverged(self, validation):
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
        if validation is None:
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
        # L-BFGS needs a value and gradient of one function: the loss as the
        # kernels sum it (scale 1); loss_ is reported on scikit-learn's scale.
        summed = loss._replace(scale=1.0)

        def objective(x):
            flat[...] = x
            value = network.loss_and_gradient(
                data, Y, sw, flat, spec, summed, self.alpha, work
            )
            return value, work.grad.astype(np.float64)

        result = minimize_lbfgs(
            objective,
            flat.astype(np.float64),
            self.max_iter,
            self.max_fun,
            self.tol,
            self.verbose,
        )
        self.n_iter_ = min(result.nit, self.max_iter)
        flat[...] = result.x
        self.loss_ = (
            float(result.fun)
            if loss.scale == 1.0
            else float(
                network.loss_and_gradient(
                    data, Y, sw, flat, spec, loss, self.alpha, work
                )
            )
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
    def fit(self, X, y, sample_weight=None):
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

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return atomic(self, self._fit, X, y, sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    # ----------------------------------------------------------- prediction
    def _forward_pass_fast(self, X, check_input=True):
        """Output-layer activations for X, shape (n_samples, n_outputs)."""
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        flat = self._current_flat()  # also rebinds coefs_/intercepts_ as its views
        codes = [ACTIVATION_CODES[name] for name in self._activations(self.n_layers_)]
        return network.predict(
            prediction_input(X, flat.dtype),
            self.coefs_,
            self.intercepts_,
            codes,
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

        Training-only settings (loss, class_weight, scoring) are left out;
        softplus or per-layer activations and bounded or positive regression
        outputs cannot be expressed and raise a ValueError naming them.

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
        target_cls = SklearnMLPClassifier if classifier else SklearnMLPRegressor
        params = shared_params(self, target_cls)
        if hidden:
            params["activation"] = hidden[0]
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


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multilayer perceptron classifier trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    same parameters, attributes and results, with the forward pass, backward
    pass and optimizer running in numba-compiled kernels. Binary problems use
    one logistic output, multilabel problems independent logistic outputs and
    multiclass problems softmax with cross-entropy.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of neurons in the ith hidden layer.

    activation : str or sequence of str, default='relu'
        Activation of the hidden layers, one of 'identity' (``x``), 'logistic'
        (``1 / (1 + exp(-x))``), 'tanh', 'relu' (``max(0, x)``) or 'softplus'
        (``log(1 + exp(x))``, a smooth relu). A sequence gives one name per
        hidden layer.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        Weight optimizer: quasi-Newton L-BFGS-B (full batch), stochastic
        gradient descent, or Adam.

    alpha : float, default=0.0001
        Strength of the L2 penalty, divided by the (batch) sample count when
        added to the loss.

    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by lbfgs.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule of ``solver='sgd'``: constant; divided by
        ``(t + 1) ** power_t`` after each epoch, ``t`` counting samples seen;
        or divided by 5 whenever ``n_iter_no_change`` epochs fail to improve.

    learning_rate_init : float, default=0.001
        Initial learning rate of sgd and adam.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (sgd, adam) or iterations (lbfgs).

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch (sgd, adam).

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
        and restore the best weights. sgd and adam only. A loss or weights
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

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplying the sample weights as in
        scikit-learn's linear models. 'balanced' uses
        ``n_samples / (n_classes * count(class))`` (weighted counts). Binary and
        multiclass targets only; with 'balanced', partial_fit is unavailable.

    scoring : str, callable or None, default=None
        Early stopping's validation score: None for scikit-learn's (accuracy
        for classifiers, R^2 for regressors), 'loss' for minus the validation
        loss, or any scikit-learn scorer name or callable.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    loss_ : float
        The loss of the last epoch (or at the lbfgs solution), L2 term included.

    best_loss_ : float or None
        Lowest training loss reached (sgd, adam without early stopping).

    loss_curve_ : list of float
        Loss of each epoch (sgd, adam).

    validation_scores_ : list of float or None
        Validation score of each epoch when ``early_stopping=True``.

    best_validation_score_ : float or None
        Best validation score when ``early_stopping=True``.

    validation_loss_curve_ : list of float
        Loss on the validation set (without the L2 term) after each epoch,
        when ``early_stopping=True``.

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
    MLPRegressor : The regression counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skperceptron import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=100, random_state=0)
    >>> clf = clf.fit(X / 16, y)
    >>> clf.predict(X[:3] / 16)
    array([0, 1, 2])
    >>> bool(clf.score(X / 16, y) > 0.95)
    True
    """

    def __init__(
        self,
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
        class_weight=None,
        scoring=None,
    ):
        self.class_weight = class_weight
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
            loss="log_loss",
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
        )

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }
    _score_function = staticmethod(accuracy_score)

    def _weigh_classes(self, y, sample_weight, incremental, dtype):
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError(
                "class_weight is not supported for multilabel targets; "
                "pass sample_weight instead."
            )
        index = np.searchsorted(self.classes_, y)
        if self.class_weight == "balanced":
            # n / (n_classes * count), counting weighted samples, so that a
            # sample of weight 2 counts as two copies of it
            counts = np.bincount(
                index, weights=sample_weight, minlength=len(self.classes_)
            )
            weights = counts.sum() / (len(self.classes_) * np.maximum(counts, 1e-300))
        else:
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y
            )
        per_sample = weights[index].astype(dtype)
        return per_sample if sample_weight is None else per_sample * sample_weight

    def _output_activation(self):
        return (
            "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"
        )

    def _validation_strata(self, Y):
        # scikit-learn stratifies the early-stopping split of a single-output
        # target on its label-indicator column: the same split, the same errors
        return Y.astype(bool) if self.n_outputs_ == 1 else None

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)

        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            # a single class is fitted as scikit-learn fits it: one logistic
            # output trained towards 0, and predict always returns that class
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if incremental:
                unseen = np.setdiff1d(classes, self.classes_, assume_unique=True)
                if len(unseen):
                    raise ValueError(
                        "`y` has classes not in `self.classes_`. `self.classes_` "
                        f"has {self.classes_}. 'y' has {classes}."
                    )
            elif set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as "
                    f"in the previous call to fit. Previously got {self.classes_}, "
                    f"`y` has {classes}"
                )
        Y = self._label_binarizer.transform(y)
        return X, np.ascontiguousarray(Y, dtype=X.dtype), y

    def _check_partial_fit_class_weight(self):
        if self.class_weight == "balanced":
            raise AttributeError(
                "partial_fit is not available with class_weight='balanced': the class "
                "frequencies of one batch are not those of the data. Pass a dict, "
                "for example from sklearn.utils.class_weight.compute_class_weight."
            )
        return True

    @available_if(
        lambda est: est._check_solver() and est._check_partial_fit_class_weight()
    )
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array-like of shape (n_classes,), default=None
            All the classes that may appear across calls. Required on the first
            call; ``y`` need not contain every class.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return atomic(self, self._partial_fit, X, y, sample_weight, classes)

    def _partial_fit(self, X, y, sample_weight, classes):
        if check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _decode(self, outputs):
        """Class labels (or label indicators) from the output layer."""
        if self.n_outputs_ == 1:
            outputs = outputs.ravel()
        return self._label_binarizer.inverse_transform(outputs)

    def predict(self, X):
        """Predict with the multilayer perceptron classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        check_is_fitted(self)
        return self._predict(X)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``. A model
            fitted on a single class returns two columns, ``1 - p`` and ``p``
            of its one logistic output (trained towards 0), as scikit-learn's
            does.
        """
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            p = y_pred.ravel()
            return np.vstack([1 - p, p]).T
        return y_pred

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates, ``log(predict_proba(X))``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            Log-probability of each class, in the order of ``classes_``.
        """
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = self.class_weight is None
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multilayer perceptron regressor trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    same parameters, attributes and results, with the forward pass, backward
    pass and optimizer running in numba-compiled kernels.

    Parameters
    ----------
    loss : {'squared_error', 'absolute_error', 'huber', 'poisson'}, \
            default='squared_error'
        Half squared error, absolute error, Huber loss (quadratic for residuals
        up to ``huber_delta``, linear beyond: robust to outliers), or half
        Poisson deviance with an exp output. With several outputs the squared
        error is reported averaged over outputs and the other losses summed,
        as scikit-learn reports them (so ``tol`` stops training at the same
        epoch); sgd and adam follow scikit-learn's gradient, that of the loss
        summed over outputs, and lbfgs minimises that summed loss, so that its
        value and gradient belong to one function.

    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of neurons in the ith hidden layer.

    activation : str or sequence of str, default='relu'
        Activation of the hidden layers, one of 'identity' (``x``), 'logistic'
        (``1 / (1 + exp(-x))``), 'tanh', 'relu' (``max(0, x)``) or 'softplus'
        (``log(1 + exp(x))``, a smooth relu). A sequence gives one name per
        hidden layer.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        Weight optimizer: quasi-Newton L-BFGS-B (full batch), stochastic
        gradient descent, or Adam.

    alpha : float, default=0.0001
        Strength of the L2 penalty, divided by the (batch) sample count when
        added to the loss.

    batch_size : int or 'auto', default='auto'
        Minibatch size of the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by lbfgs.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule of ``solver='sgd'``: constant; divided by
        ``(t + 1) ** power_t`` after each epoch, ``t`` counting samples seen;
        or divided by 5 whenever ``n_iter_no_change`` epochs fail to improve.

    learning_rate_init : float, default=0.001
        Initial learning rate of sgd and adam.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (sgd, adam) or iterations (lbfgs).

    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch (sgd, adam).

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
        and restore the best weights. sgd and adam only. A loss or weights
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

    Attributes
    ----------
    loss_ : float
        The loss of the last epoch (or at the lbfgs solution), L2 term included.

    best_loss_ : float or None
        Lowest training loss reached (sgd, adam without early stopping).

    loss_curve_ : list of float
        Loss of each epoch (sgd, adam).

    validation_scores_ : list of float or None
        Validation score of each epoch when ``early_stopping=True``.

    best_validation_score_ : float or None
        Best validation score when ``early_stopping=True``.

    validation_loss_curve_ : list of float
        Loss on the validation set (without the L2 term) after each epoch,
        when ``early_stopping=True``.

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
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "poisson"})],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "out_activation": [StrOptions({"identity", *_OUTPUT_RANGES})],
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
    ):
        self.huber_delta = huber_delta
        self.out_activation = out_activation
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
        )

    _score_function = staticmethod(r2_score)

    def _output_activation(self):
        if self.loss != "poisson":
            return self.out_activation
        if self.out_activation != "identity":
            raise ValueError(
                "loss='poisson' has its own exp output activation; leave "
                f"out_activation='identity' (got {self.out_activation!r})."
            )
        return "exp"

    def _init_output_bias(self, Y, sample_weight):
        """Start bounded or positive outputs at the (weighted) mean target.

        A relu output whose pre-activation is negative for every sample gets no
        gradient and never recovers; starting each output unit's bias where the
        activation gives the mean target avoids that and any saturated start.
        """
        inverse = {
            "relu": lambda m: np.maximum(m, 1e-3),
            "softplus": lambda m: np.log(np.expm1(np.maximum(m, 1e-3))),
            "logistic": lambda m: np.log(m / (1 - m)),
            "tanh": np.arctanh,
        }.get(self.out_activation_)
        if inverse is None or Y.shape[0] == 0:
            return
        low, high = _OUTPUT_RANGES[self.out_activation_]
        mean = np.average(Y.astype(np.float64), axis=0, weights=sample_weight)
        mean = np.clip(mean, low + 1e-3, high - 1e-3)
        self.intercepts_[-1][...] = inverse(mean)

    def _check_target_range(self, y):
        out = self._output_activation()
        if out not in _OUTPUT_RANGES or y.size == 0:
            return
        low, high = _OUTPUT_RANGES[out]
        if y.min() < low or y.max() > high:
            raise ValueError(
                f"out_activation={out!r} can only output values in [{low}, {high}], "
                f"but y ranges over [{y.min():g}, {y.max():g}]. Scale the targets "
                "into that range, for example with sklearn.compose."
                "TransformedTargetRegressor(regressor=..., transformer="
                "MinMaxScaler(feature_range=...)), or choose another out_activation."
            )

    @staticmethod
    def _validation_strata(Y):
        return None

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for the "
                "poisson loss."
            )
        self._check_target_range(y)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, np.ascontiguousarray(Y, dtype=X.dtype), y

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
        return atomic(self, self._fit, X, y, sample_weight, incremental=True)

    @staticmethod
    def _decode(outputs):
        return outputs.ravel() if outputs.shape[1] == 1 else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = (
            self.loss == "poisson" or self.out_activation in ("relu", "softplus")
        )
        return tags

    def predict(self, X):
        """Predict with the multilayer perceptron regressor.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        check_is_fitted(self)
        return self._predict(X)
