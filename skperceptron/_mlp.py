"""BaseMLP: what the multilayer perceptrons share.

Parameters, validation, initialisation, warm_start/partial_fit plumbing,
the choice of data source and prediction. The fit loops are in
``_mlp_training.py`` and the conversion to scikit-learn in
``_mlp_export.py`` (both mixed into ``BaseMLP``); the classifier and the
regressor (``_mlp_classifier.py``, ``_mlp_regressor.py``) add their targets,
outputs and scores; the arithmetic runs in the compiled kernels.
"""

import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state

from ._callbacks import FitProgressMixin, with_callbacks
from ._dask import is_dask_collection
from ._data import (
    BATCH_WEIGHTS_MESSAGE,
    check_sample_weight,
    is_batch_iterable,
    set_feature_names,
)
from ._mlp_export import SklearnConversionMixin
from ._mlp_inputs import InputLayerMixin
from ._mlp_network import HIDDEN_ACTIVATIONS, NetworkMixin
from ._mlp_training import MLPTrainingMixin
from ._params import (
    WEIGHT_INITS,
    init_extras,
    sklearn_init,
    variance_scaling_init,
)
from ._persistence import VersionedStateMixin
from ._sklearn_compat import Interval, Options, StrOptions, _fit_context
from ._sources.validation import Validation
from ._stochastic_optimizers import (
    EPOCH_SCHEDULES,
    STEP_SCHEDULES,
    STOCHASTIC_SOLVERS,
)
from ._transaction import atomic_fit

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


class BaseMLP(
    VersionedStateMixin,
    InputLayerMixin,
    NetworkMixin,
    MLPTrainingMixin,
    SklearnConversionMixin,
    FitProgressMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Shared machinery of the multilayer perceptrons. Use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(HIDDEN_ACTIVATIONS), list, tuple],
        "solver": [StrOptions({"lbfgs", *STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [
            StrOptions(
                {
                    "constant",
                    "invscaling",
                    "adaptive",
                    *EPOCH_SCHEDULES,
                    *STEP_SCHEDULES,
                }
            ),
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
        "weight_init": [StrOptions({"sklearn", "lsuv", *WEIGHT_INITS})],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
        "input_transform": [StrOptions({"robust"}), None],
        "input_clip": [Interval(Real, 0, None, closed="neither"), None],
        "numeric_embedding": [StrOptions({"periodic"}), None],
        "embedding_frequencies": [Interval(Integral, 1, None, closed="left")],
        "embedding_size": [Interval(Integral, 1, None, closed="left")],
        "embedding_scale": [Interval(Real, 0, None, closed="neither")],
        "front_scale": ["boolean"],
        "lr_scaling": [StrOptions({"ntk"}), None],
        "lr_factors": [dict, None],
        "dropout_schedule": [StrOptions({"constant", "flat_cosine"})],
        "weight_decay_schedule": [StrOptions({"constant", "flat_cosine"})],
        "restore_best_weights": ["boolean"],
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
        *,
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
        self.input_transform = input_transform
        self.input_clip = input_clip
        self.numeric_embedding = numeric_embedding
        self.embedding_frequencies = embedding_frequencies
        self.embedding_size = embedding_size
        self.embedding_scale = embedding_scale
        self.front_scale = front_scale
        self.lr_scaling = lr_scaling
        self.lr_factors = lr_factors
        self.dropout_schedule = dropout_schedule
        self.weight_decay_schedule = weight_decay_schedule
        self.restore_best_weights = restore_best_weights

    # ----------------------------------------------------------------- state
    # ------------------------------------------------------------- training
    def _initialize(
        self, layout, dtype, random_state, Y, sample_weight, has_validation_data, X_init
    ):
        """Fresh weights (and records) for a first fit; ``X_init`` is the
        training X when it is in memory (for ``weight_init='lsuv'``)."""
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
            # 'lsuv' draws its weights below, once the extras exist
            name = "glorot_normal" if self.weight_init == "lsuv" else self.weight_init
            flat = variance_scaling_init(layout, name, random_state, dtype)
        init_extras(layout, flat, random_state, float(self.embedding_scale))
        self._bind(flat, layout)
        if self.weight_init == "lsuv":
            if X_init is None:
                raise ValueError(
                    "weight_init='lsuv' initialises from the training rows, which "
                    "dask and batch input keep away from the client; choose "
                    "another weight_init."
                )
            self._data_dependent_init(layout, X_init, sample_weight, random_state)
        self._init_output_bias(Y, sample_weight)
        for name in _STOCHASTIC_ATTRIBUTES:
            self.__dict__.pop(name, None)
        if self.solver in STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            self._best_flat = self._flat.copy()
            if self.early_stopping or self.restore_best_weights or has_validation_data:
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
        validating = (
            self.early_stopping or self.restore_best_weights or has_validation_data
        )
        if (
            self.solver in STOCHASTIC_SOLVERS
            and validating
            and getattr(self, "validation_scores_", None) is None
        ):
            self.validation_scores_, self.validation_loss_curve_ = [], []
            self.best_validation_score_ = -np.inf

    def _start(
        self, layout, dtype, first_pass, random_state, Y, sample_weight, val, X=None
    ):
        """Initialise the weights (first pass) or resume from the fitted ones."""
        if first_pass:
            self._initialize(layout, dtype, random_state, Y, sample_weight, val, X)
        else:
            self._resume(layout, dtype, val)

    def _fit(self, X, y, sample_weight=None, incremental=False, validation_data=None):
        """Fit on in-memory X (dense or sparse), validated here."""
        hidden = self._hidden_layer_sizes()
        self._check_training_options(len(hidden), validation_data is not None)
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y, y = self._validate_input(
            X, y, incremental, reset=first_pass, sample_weight=sample_weight
        )
        sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        sample_weight = self._weigh_classes(y, sample_weight, incremental, X.dtype)
        if validation_data is not None:
            validation_data = self._validate_validation_data(*validation_data, X.dtype)
        self.n_outputs_ = Y.shape[1]
        if first_pass:
            self._fit_input_layer(X, sample_weight)
        layout = self._new_layout(X.shape[1], hidden, self.n_outputs_)
        random_state = check_random_state(self.random_state)
        val = validation_data is not None
        self._start(layout, X.dtype, first_pass, random_state, Y, sample_weight, val, X)
        holding_out = self.early_stopping or self.restore_best_weights
        strata = self._validation_strata(Y) if holding_out else None
        from ._sources.arrays import ArraySource

        source = ArraySource(X, Y, sample_weight, y, self._input_transformer())
        return self._train(
            source, validation_data, layout, incremental, random_state, X, y, strata
        )

    def _fit_chunks(self, store, X, y, validation_data):
        """Fit on the chunks of a store (dask collections, batches): the
        targets are summarised and encoded where the chunks live."""
        hidden = self._hidden_layer_sizes()
        self._check_training_options(len(hidden), validation_data is not None)
        first_pass = not hasattr(self, "coefs_") or not self.warm_start
        self._check_chunked_options()
        summary = store.summarize(
            classes=is_classifier(self), moments=not is_classifier(self)
        )
        encode, n_outputs, mean_target = self._chunk_targets(summary, first_pass)
        set_feature_names(self, summary.n_features, summary.feature_names)
        dtype = summary.dtype
        if validation_data is not None:
            validation_data = self._validate_validation_data(*validation_data, dtype)
        self.n_outputs_ = n_outputs
        if first_pass:
            self._fit_input_layer(None)
        layout = self._new_layout(summary.n_features, hidden, n_outputs)
        random_state = check_random_state(self.random_state)
        val = validation_data is not None
        self._start(layout, dtype, first_pass, random_state, mean_target, None, val)
        from ._sources.chunks import ChunkSource

        source = ChunkSource(store.encoded(encode, n_outputs))
        return self._train(source, validation_data, layout, False, random_state, X, y)

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
        y=None,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask collection, iterable of batches}
            The input data, of shape (n_samples, n_features). A dask array or
            DataFrame trains where its chunks live (see the user guide's
            dask page). With ``y=None``, an iterable of batches ``(X_b, y_b)``
            or ``(X_b, y_b, sample_weight_b)`` (a list, an object whose
            ``__iter__`` starts over, or a function returning a fresh iterator)
            is read once per epoch, a batch at a time (see "Training on
            batches" in the user guide).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in
            regression); None with batches.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (with batches: inside them).
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
        validation_data = None if X_val is None else (X_val, y_val, sample_weight_val)
        if is_dask_collection(X):
            from ._sources.dask_store import DaskStore

            store = DaskStore.from_collections(X, y, sample_weight)
            return atomic_fit(self, self._fit_chunks, store, X, y, validation_data)
        if is_batch_iterable(X, y):
            if sample_weight is not None:
                raise ValueError(BATCH_WEIGHTS_MESSAGE)
            from ._sources.batch_store import BatchStore

            store = BatchStore.from_batches(X)
            return atomic_fit(self, self._fit_chunks, store, X, y, validation_data)
        return atomic_fit(
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
