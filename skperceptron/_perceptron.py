"""Perceptron: a layer of threshold logic units trained by Rosenblatt's rule.

Parameters, validation, class encoding, stopping rules and the epoch loop live
here; each epoch over all units is one compiled call (_kernels/perceptron.py).
"""

import functools
import numbers
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin, FitProgress, with_callbacks
from ._dask import is_dask_collection, predict_blocks, reject_in_partial_fit
from ._dask_fit import fit_perceptron
from ._data import (
    check_partial_fit_first_call,
    check_partial_fit_input,
    check_sample_weight,
    kernel_input,
)
from ._interop import copy_attributes, not_expressible, shared_params
from ._kernels import perceptron as kernel
from ._linear_model import LinearClassifierMixin, SparseCoefMixin
from ._sklearn_compat import Interval, StrOptions, _fit_context
from ._transaction import atomic

_PENALTIES = {
    None: kernel.NO_PENALTY,
    "l2": kernel.L2,
    "l1": kernel.L1,
    "elasticnet": kernel.ELASTICNET,
}
_MAX_INT = np.iinfo(np.int32).max
# What to_sklearn / from_sklearn carry over besides parameters and weights.
_SKLEARN_ATTRIBUTES = (
    "n_iter_",
    "t_",
    "n_features_in_",
    "feature_names_in_",
    "classes_",
)
_DIVERGED = (
    "Floating-point under-/overflow occurred at epoch #{}. Scaling input "
    "data with StandardScaler or MinMaxScaler might help."
)


class Perceptron(
    CallbackSupportMixin, LinearClassifierMixin, SparseCoefMixin, BaseEstimator
):
    """A layer of threshold logic units trained by Rosenblatt's perceptron rule.

    Each output is a threshold logic unit (TLU): a weighted sum of all inputs
    plus a bias, followed by a step function. On every misclassified sample the
    rule moves the unit's weights towards the sample's side:
    ``w += eta0 * y * x`` with ``y`` in {-1, +1}. A drop-in replacement for
    :class:`sklearn.linear_model.Perceptron`, which also offers multinomial
    training, the averaged perceptron and multilabel targets. All units are
    trained together in one pass over the data per epoch.

    Parameters
    ----------
    penalty : {'l2', 'l1', 'elasticnet'}, default=None
        Regularisation term. L2 shrinks the weights by
        ``1 - (1 - l1_ratio) * eta0 * alpha`` at every sample; L1 uses the
        cumulative truncated-gradient penalty. The intercept is not penalised.
    alpha : float, default=0.0001
        Strength of the penalty.
    l1_ratio : float, default=0.15
        Elastic-net mixing: 0 is pure L2, 1 pure L1.
    fit_intercept : bool, default=True
        Whether to learn a bias for each unit.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-3
        A unit stops once its epoch objective (mean perceptron loss plus
        penalty) fails to improve by ``tol`` for ``n_iter_no_change`` epochs.
        With ``None`` only ``max_iter``, error-free epochs and early stopping
        end training.
    shuffle : bool, default=True
        Whether to shuffle the samples before each epoch.
    verbose : int, default=0
        Print a progress line per epoch.
    eta0 : float, default=1.0
        Learning rate: the size of each correction.
    n_jobs : int, default=None
        Accepted for compatibility with scikit-learn. All units are trained in
        one compiled pass, so no extra workers are started.
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffling and the early-stopping split.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data (stratified) and stop when
        the model's validation accuracy stops improving by ``tol``.
    validation_fraction : float, default=0.1
        Share of the data held out for early stopping.
    n_iter_no_change : int, default=5
        Epochs without improvement tolerated before stopping.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplying each correction. 'balanced' uses
        ``n_samples / (n_classes * np.bincount(y))``.
    warm_start : bool, default=False
        Start from the previous solution.
    multi_class : {'ovr', 'multinomial'}, default='ovr'
        With more than two classes: one binary unit per class trained
        one-vs-rest (scikit-learn's behaviour), or the multiclass perceptron,
        which on a mistake moves the true class's unit towards x and the
        highest-scoring wrong class's unit away from it.
    average : bool or int, default=False
        Return the average of the weights over all steps (the averaged
        perceptron). An int ``n`` starts averaging after ``n`` samples.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (label indices for multilabel targets).
    coef_ : ndarray of shape (1, n_features) or (n_units, n_features)
        Weights of the units; one unit for two classes.
    intercept_ : ndarray of shape (1,) or (n_units,)
        Biases of the units.
    n_iter_ : int
        Number of epochs run (the longest-training unit's).
    t_ : float
        Number of weight-update steps performed, plus one.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    Notes
    -----
    Convergence theorem: if the data are linearly separable, the rule makes a
    finite number of mistakes. Without penalty and averaging, an epoch without
    mistakes cannot change the weights any more, so training stops there and
    ``n_iter_`` tells after how many epochs it happened. XOR is not linearly
    separable: no single unit can represent it, the rule never has an
    error-free epoch, and a hidden layer (:class:`MLPClassifier`) is needed.

    With the same ``random_state`` every epoch visits the samples in
    scikit-learn's order (one order per one-vs-rest unit), so dense input gives
    scikit-learn's model. Sparse input gives the same model as dense input
    without a penalty or with L2 (scikit-learn damps intercept updates on
    sparse data by 0.01).

    Examples
    --------
    >>> import numpy as np
    >>> from skperceptron import Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> clf = Perceptron(tol=None, shuffle=False).fit(X, [0, 0, 0, 1])  # AND
    >>> clf.predict(X)
    array([0, 0, 0, 1])
    >>> clf.n_iter_ < 1000
    True
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "verbose": ["verbose"],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "multi_class": [StrOptions({"ovr", "multinomial"})],
        "average": [Interval(Integral, 0, None, closed="neither"), "boolean"],
    }

    def __init__(
        self,
        *,
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        eta0=1.0,
        n_jobs=None,
        random_state=0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
        multi_class="ovr",
        average=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.multi_class = multi_class
        self.average = average

    # ------------------------------------------------------------ targets
    def _validate(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            multi_output=True,
            dtype=[np.float64, np.float32],
            order="C",
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return X, y

    def _is_multilabel(self):
        return getattr(self, "_target_kind", None) == "multilabel"

    def _encode(self, y):
        """Per-unit +1/-1 targets (OvR, multilabel) or class indices (multinomial)."""
        if y.ndim == 2:
            if not self._is_multilabel():
                raise ValueError(
                    "y is a 2-D indicator matrix, but the model was "
                    "fitted on 1-D class labels."
                )
            return (np.where(y > 0, 1, -1).astype(np.int8), np.empty(0, np.int64))
        if self._is_multilabel():
            raise ValueError(
                "The model was fitted on multilabel targets; y must be "
                "a 2-D indicator matrix."
            )
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(f"`y` has classes not in `self.classes_`: {unseen}.")
        index = np.searchsorted(self.classes_, y)
        if self._multinomial():
            return np.empty((0, 0), np.int8), index.astype(np.int64)
        if len(self.classes_) == 2:
            return np.where(index == 1, 1, -1).astype(np.int8)[:, None], np.empty(
                0, np.int64
            )
        signs = -np.ones((y.shape[0], len(self.classes_)), dtype=np.int8)
        signs[np.arange(y.shape[0]), index] = 1
        return signs, np.empty(0, np.int64)

    def _ovr_multiclass(self):
        return (
            not self._is_multilabel()
            and not self._multinomial()
            and len(self.classes_) > 2
        )

    def _shuffle_seeds(self, n_orders):
        """scikit-learn's SGD shuffle seeds: one per order (per unit fitted alone).

        Drawn from ``random_state`` exactly as scikit-learn draws them, so that
        the same ``random_state`` visits the samples in the same order. An
        integer ``random_state`` always gives the same seeds: they are drawn
        once (a partial_fit stream would otherwise seed ten generators a call).
        """
        if isinstance(self.random_state, numbers.Integral):
            return list(_seeds_of(int(self.random_state), n_orders))
        return _draw_seeds(check_random_state(self.random_state), n_orders)

    def _multinomial(self):
        return (
            self.multi_class == "multinomial"
            and not self._is_multilabel()
            and len(self.classes_) > 2
        )

    def _set_classes(self, y, classes=None):
        if y.ndim == 2:
            self._target_kind = "multilabel"
            self.classes_ = np.arange(y.shape[1])
            if self.class_weight is not None:
                raise ValueError("class_weight is not supported with multilabel y.")
            return
        self._target_kind = "classes"
        self.classes_ = np.unique(y if classes is None else classes)
        if len(self.classes_) < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{len(self.classes_)} class"
            )

    def _unit_weights(self, y):
        """(weight_pos, weight_neg) per unit, as scikit-learn's OvR applies them."""
        n_units = self._n_units()
        if self._is_multilabel():
            return np.ones(n_units), np.ones(n_units)
        cw = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        if len(self.classes_) == 2:
            return np.array([cw[1]]), np.array([cw[0]])
        return cw.astype(np.float64), np.ones(n_units)

    def _n_units(self):
        k = len(self.classes_)
        return 1 if (k == 2 and not self._is_multilabel()) else k

    # ------------------------------------------------------------- fitting
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the units with Rosenblatt's rule.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multilabel targets.
        coef_init : ndarray of shape (n_units, n_features), default=None
            Initial weights.
        intercept_init : ndarray of shape (n_units,), default=None
            Initial biases.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, multiplying each correction.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if is_dask_collection(X):
            return fit_perceptron(self, X, y, coef_init, intercept_init, sample_weight)
        return atomic(self, self._fit, X, y, coef_init, intercept_init, sample_weight)

    def _fit(self, X, y, coef_init, intercept_init, sample_weight):
        X, y = self._validate(X, y, reset=True)
        if self.warm_start and hasattr(self, "coef_") and coef_init is None:
            coef_init, intercept_init = self._dense_coef(), self.intercept_
        self._set_classes(y)
        units = self._new_units(X, coef_init, intercept_init)
        self.t_ = 1.0
        self._train(X, y, sample_weight, units, self.max_iter, partial=False)
        self._warn_if_unconverged()
        return self

    def _warn_if_unconverged(self):
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                "Maximum number of iteration reached before convergence. "
                "Consider increasing max_iter to improve the fit.",
                ConvergenceWarning,
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the perceptron rule over the given samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multilabel targets.
        classes : array-like of shape (n_classes,), default=None
            All classes that may appear across calls; required on the first
            call with 1-D targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : object
            The updated estimator.
        """
        reject_in_partial_fit(X)
        return atomic(self, self._partial_fit, X, y, classes, sample_weight)

    def _partial_fit(self, X, y, classes, sample_weight):
        first = not hasattr(self, "classes_")
        plain = (
            None
            if first or self._is_multilabel()
            else check_partial_fit_input(self, X, y)
        )
        X, y = plain if plain is not None else self._validate(X, y, reset=first)
        # multilabel targets (2-D y) give their classes themselves
        if check_partial_fit_first_call(self, classes, classes_required=y.ndim == 1):
            self._set_classes(y, classes)
            units = self._new_units(X, None, None)
            self.t_ = 1.0
        else:
            units = self._stored_units(X.dtype)
        self._train(X, y, sample_weight, units, 1, partial=True)
        return self

    def _l1_ratio(self):
        """The L1 share of the penalty: l1_ratio matters only for elasticnet."""
        return {"l2": 0.0, "l1": 1.0}.get(self.penalty, float(self.l1_ratio))

    def _averaging(self):
        return int(self.average) > 0

    def _new_units(self, X, coef_init, intercept_init):
        n_units, n_features = self._n_units(), X.shape[1]
        coef = np.zeros((n_units, n_features), dtype=X.dtype)
        intercept = np.zeros(n_units)
        if coef_init is not None:
            coef_init = (
                np.asarray(coef_init, dtype=X.dtype).reshape(-1, n_features)
                if np.size(coef_init) == n_units * n_features
                else np.asarray(coef_init)
            )
            if coef_init.shape != coef.shape:
                raise ValueError("Provided coef_init does not match dataset.")
            coef[...] = coef_init
        if intercept_init is not None:
            intercept_init = np.ravel(np.asarray(intercept_init, dtype=np.float64))
            if intercept_init.shape != intercept.shape:
                raise ValueError("Provided intercept_init does not match dataset.")
            intercept[...] = intercept_init
        return kernel.new_units(coef, intercept, self._averaging(), self._l1())

    def _stored_units(self, dtype):
        units = kernel.new_units(
            self._standard_coef.astype(dtype),
            self._standard_intercept,
            self._averaging(),
            self._l1(),
        )
        if self._averaging() and hasattr(self, "_average_sum"):
            units.avg_sum[...] = self._average_sum
            units.b_sum[...] = self._average_intercept_sum
            units.n_averaged[...] = self._average_count
        return units

    def _l1(self):
        return self.penalty in ("l1", "elasticnet")

    def _dense_coef(self):
        coef = self.coef_
        return coef.toarray() if hasattr(coef, "toarray") else coef

    def _rule(self):
        """The kernel's ``Rule``: the learning rule these parameters set."""
        return kernel.Rule(
            fit_intercept=bool(self.fit_intercept),
            eta=float(self.eta0),
            alpha=float(self.alpha),
            l1_ratio=self._l1_ratio(),
            penalty=_PENALTIES[self.penalty],
            averaging=self._averaging(),
            avg_start=int(self.average)
            if self._averaging()
            else np.iinfo(np.int64).max,
        )

    def _stopper(self, n_units):
        """A fresh ``_Stopper`` for a fit of ``n_units`` units."""
        return _Stopper(
            1 if self._multinomial() else n_units,
            self.tol,
            self.n_iter_no_change,
            stop_when_error_free=self.penalty is None and not self._averaging(),
        )

    def _epoch_ran(self, units, stats, step, n_train):
        """Count the epoch that ran; raise if it diverged; report it if verbose."""
        self.n_iter_ += 1
        if not (
            np.isfinite(units.V).all()
            and np.isfinite(units.b).all()
            and np.isfinite(stats.loss).all()
        ):
            raise ValueError(_DIVERGED.format(self.n_iter_))
        if self.verbose:
            print(
                f"-- Epoch {self.n_iter_}\nMistakes: {int(stats.mistakes.sum())}, "
                f"Avg. loss: {stats.loss[:, 0].sum() / n_train:f}, "
                f"Active units: {int(units.active.sum())}, T: {max(step)}"
            )

    def _train(self, X, y, sample_weight, units, max_iter, partial):
        sample_weight = check_sample_weight(sample_weight, X, np.float64)
        if X.shape[1] != units.V.shape[1]:
            raise ValueError(
                f"Number of features {X.shape[1]} does not match "
                f"previous data {units.V.shape[1]}."
            )
        targets, labels = self._encode(y)
        weight_pos, weight_neg = self._unit_weights(y)
        units = units._replace(weight_pos=weight_pos, weight_neg=weight_neg)
        n_samples = X.shape[0]
        train = None
        validation = None
        if self.early_stopping and not partial:
            stratify = None if y.ndim == 2 else y
            rows, val = train_test_split(
                np.arange(n_samples),
                test_size=self.validation_fraction,
                random_state=check_random_state(self.random_state),
                stratify=stratify,
            )
            train = np.zeros(n_samples, dtype=bool)
            train[rows] = True
            validation = (X[val], y[val])
        n_train = n_samples if train is None else int(train.sum())
        data = kernel_input(X, X.dtype)
        samples = kernel.Samples(
            targets, labels, np.empty(0) if sample_weight is None else sample_weight
        )
        n_units = units.V.shape[0]
        # scikit-learn fits one-vs-rest units one after another, each visiting
        # the samples in its own shuffled order; every other kind of model (and
        # any unshuffled one) has one order, shared by all its units in one pass.
        per_unit = self.shuffle and self._ovr_multiclass()
        seeds = self._shuffle_seeds(n_units if per_unit else 1)
        indices = [np.arange(n_samples, dtype=np.int64) for _ in seeds]
        epoch_samples = kernel.unit_samples(samples) if per_unit else samples
        # the step counter (scikit-learn's t_) and accumulated L1 penalty, per order
        step = [int(self.t_)] * len(seeds)
        l1_total = [0.0] * len(seeds)
        rule = self._rule()
        stopper = self._stopper(n_units)
        progress = FitProgress(
            self, X, y, max_iter, lambda: self._export(units, step) or self._snapshot()
        )

        self.n_iter_ = 0
        for _ in range(max_iter):
            progress.begin_epoch()
            stats = kernel.EpochStats(
                np.zeros((n_units, 2)),  # loss, penalty term
                np.zeros(n_units, dtype=np.int64),
            )
            orders = []
            for index, seed in zip(indices, seeds):
                if self.shuffle:
                    kernel.shuffle_like_sgd(index, seed)
                orders.append(index if train is None else index[train[index]])
            kernel.epoch_of_units(
                *data, orders, epoch_samples, units, rule, step, l1_total, stats
            )
            self._epoch_ran(units, stats, step, n_train)
            if partial:
                progress.end_epoch()
                break
            score = None
            self._flush(units, l1_total)  # the stopping rule sees the full L1 penalty
            if validation is not None:
                self._export(units, step)
                score = self.score(*validation)
            stopper.update(units.active, stats, n_train, score)
            if progress.end_epoch() or not units.active.any():
                break
        self._flush(units, l1_total)
        self._export(units, step)
        progress.end()

    def _snapshot(self):
        return {"coef_": self.coef_.copy(), "intercept_": self.intercept_.copy()}

    @staticmethod
    def _flush(units, l1_total):
        """Apply the L1 penalty still pending on weights no sample touched lately.

        ``l1_total`` holds the cumulative penalty of each sample order: one
        shared by all units, or one per unit.
        """
        if units.q.shape[1]:
            pending = np.broadcast_to(
                np.asarray(l1_total, dtype=np.float64), units.scale.shape
            ).copy()
            kernel.flush_l1(units.V, units.scale, units.q, units.B, units.S, pending)

    def _export(self, units, step):
        self.t_ = float(max(step))
        self._standard_coef = kernel.real_coef(units)
        self._standard_intercept = units.b.copy()
        coef, intercept = self._standard_coef, self._standard_intercept
        if self._averaging():
            kernel.settle_average(units)
            self._average_sum = units.avg_sum.copy()
            self._average_intercept_sum = units.b_sum.copy()
            self._average_count = units.n_averaged.copy()
            if int(self.average) <= self.t_ - 1:
                coef, intercept = kernel.averaged(units)
        self.coef_ = coef
        self.intercept_ = np.asarray(intercept, dtype=np.float64).copy()

    # ------------------------------------------------------------ predicting
    def predict(self, X):
        """Predict class labels (or the label indicator matrix) for X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted class per sample, or 0/1 indicators for multilabel models.
        """
        check_is_fitted(self)
        if is_dask_collection(X):
            return predict_blocks(self, "predict", X)
        if self._is_multilabel():
            return (self.decision_function(X) > 0).astype(np.int64)
        return super().predict(X)

    def to_sklearn(self):
        """The equivalent fitted :class:`sklearn.linear_model.Perceptron`.

        Training-only settings (multi_class, average) are left out; the weights
        and predictions are the same. Multilabel models cannot be expressed.

        Returns
        -------
        estimator : sklearn.linear_model.Perceptron
            A fitted copy.
        """
        check_is_fitted(self)
        if self._is_multilabel():
            not_expressible(self, "multilabel targets")
        converted = SklearnPerceptron(**shared_params(self, SklearnPerceptron))
        converted.coef_ = self._dense_coef().copy()
        converted.intercept_ = np.array(self.intercept_, dtype=np.float64)
        copy_attributes(self, converted, _SKLEARN_ATTRIBUTES)
        return converted

    @classmethod
    def _from_sklearn(cls, estimator):
        """The model equal to a fitted scikit-learn Perceptron, for ``from_sklearn``."""
        converted = cls(**shared_params(estimator, cls))
        copy_attributes(estimator, converted, _SKLEARN_ATTRIBUTES)
        coef = estimator.coef_
        coef = np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef)
        converted.coef_ = coef.copy()
        converted.intercept_ = np.asarray(estimator.intercept_, dtype=np.float64).copy()
        converted._target_kind = "classes"
        converted._standard_coef = coef.copy()
        converted._standard_intercept = converted.intercept_.copy()
        return converted

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags


def _draw_seeds(random_state, n_orders):
    if n_orders > 1:
        states = [
            np.random.RandomState(seed)
            for seed in random_state.randint(_MAX_INT, size=n_orders)
        ]
    else:
        states = [random_state]
    seeds = []
    for state in states:
        state.randint(1, _MAX_INT)  # the seed of scikit-learn's dataset object
        seeds.append(int(state.randint(_MAX_INT)))
    return seeds


@functools.lru_cache(maxsize=64)
def _seeds_of(seed, n_orders):
    return tuple(_draw_seeds(np.random.RandomState(seed), n_orders))


class _Stopper:
    """Per-unit stopping: error-free epochs, the tol rule, early stopping.

    ``groups`` is the number of units that stop on their own (1 when the
    multinomial rule trains them together).
    """

    def __init__(self, groups, tol, n_iter_no_change, stop_when_error_free):
        self.groups = groups
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.stop_when_error_free = stop_when_error_free
        self.best = np.full(groups, np.inf)
        self.stalled = np.zeros(groups, dtype=np.int64)
        self.best_score = -np.inf
        self.score_stalled = 0

    def update(self, active, stats, n_train, score):
        """Clear ``active`` for the units that are done after this epoch."""
        loss, mistakes = stats.loss, stats.mistakes
        if self.groups == 1:
            loss, mistakes = loss.sum(axis=0, keepdims=True), np.array([mistakes.sum()])
        done = np.zeros(self.groups, dtype=bool)
        if self.stop_when_error_free:
            # Convergence theorem: without penalty or averaging, an error-free
            # epoch leaves the weights unchanged, so later epochs could not
            # change them.
            done |= mistakes == 0
        if score is not None:
            improved = self.tol is None or score >= self.best_score + self.tol
            self.score_stalled = 0 if improved else self.score_stalled + 1
            self.best_score = max(self.best_score, score)
            if self.score_stalled >= self.n_iter_no_change:
                done[:] = True
        elif self.tol is not None:
            objective = loss.sum(axis=1) / n_train
            stalled = objective > self.best - self.tol
            self.stalled = np.where(stalled, self.stalled + 1, 0)
            self.best = np.minimum(self.best, objective)
            done |= self.stalled >= self.n_iter_no_change
        if self.groups == 1:
            active[:] = active & ~done[0]
        else:
            active &= ~done
