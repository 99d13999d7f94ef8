"""Perceptron: a layer of threshold logic units trained by Rosenblatt's rule.

Parameters, validation, class encoding and the choice of data source live
here; the units' state, the rules and the epoch loop are in
``_perceptron_training.py`` (mixed into ``Perceptron``), and each epoch over
all units is one compiled call (``_kernels/perceptron.py``).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._callbacks import FitProgressMixin, with_callbacks
from ._dask import is_dask_collection, predict_blocks, reject_in_partial_fit
from ._data import (
    BATCH_WEIGHTS_MESSAGE,
    check_partial_fit_first_call,
    check_partial_fit_input,
    check_sample_weight,
    is_batch_iterable,
    set_feature_names,
)
from ._interop import copy_attributes, not_expressible, shared_params
from ._kernels.specs import Samples
from ._linear_model import LinearClassifierMixin, SparseCoefMixin
from ._perceptron_targets import PerceptronTargetsMixin
from ._perceptron_training import PerceptronTrainingMixin
from ._persistence import VersionedStateMixin
from ._sklearn_compat import Interval, StrOptions, _fit_context
from ._transaction import atomic, atomic_fit

# What to_sklearn / from_sklearn carry over besides parameters and weights.
_SKLEARN_ATTRIBUTES = (
    "n_iter_",
    "t_",
    "n_features_in_",
    "feature_names_in_",
    "classes_",
)


class Perceptron(
    VersionedStateMixin,
    PerceptronTargetsMixin,
    PerceptronTrainingMixin,
    FitProgressMixin,
    LinearClassifierMixin,
    SparseCoefMixin,
    BaseEstimator,
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
        Threads training the one-vs-rest units of a shuffled multiclass fit,
        which scikit-learn trains one by one, each in its own sample order
        (every other model trains all its units in one pass). None means 1
        unless in a ``joblib.parallel_config`` context, -1 means all cores.
        Never more threads than units, nor than the thread limit of the BLAS
        and OpenMP libraries (what ``threadpoolctl.threadpool_limits`` and
        joblib's worker processes set, so that fits inside a parallel grid
        search do not oversubscribe the cores). The model does not depend on
        the thread count.
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
    # ------------------------------------------------------------- fitting
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, coef_init=None, intercept_init=None, sample_weight=None):
        """Fit the units with Rosenblatt's rule.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask collection, iterable of batches}
            Training data, of shape (n_samples, n_features). A dask array or
            DataFrame trains where its chunks live; with ``y=None``, an
            iterable of batches ``(X_b, y_b)`` or ``(X_b, y_b,
            sample_weight_b)`` (a list, an object whose ``__iter__`` starts
            over, or a function returning a fresh iterator) is read once per
            epoch, a batch at a time.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a 0/1 indicator matrix for multilabel targets;
            None with batches.
        coef_init : ndarray of shape (n_units, n_features), default=None
            Initial weights.
        intercept_init : ndarray of shape (n_units,), default=None
            Initial biases.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, multiplying each correction (with
            batches: inside them).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if is_dask_collection(X):
            from ._sources.dask_store import DaskStore

            store = DaskStore.from_collections(X, y, sample_weight)
            return atomic_fit(
                self, self._fit_chunks, store, X, y, coef_init, intercept_init
            )
        if is_batch_iterable(X, y):
            if sample_weight is not None:
                raise ValueError(BATCH_WEIGHTS_MESSAGE)
            from ._sources.batch_store import BatchStore

            store = BatchStore.from_batches(X)
            return atomic_fit(
                self, self._fit_chunks, store, X, y, coef_init, intercept_init
            )
        return atomic_fit(
            self, self._fit, X, y, coef_init, intercept_init, sample_weight
        )

    def _fit(self, X, y, coef_init, intercept_init, sample_weight):
        X, y = self._validate(X, y, reset=True)
        if self.warm_start and hasattr(self, "coef_") and coef_init is None:
            coef_init, intercept_init = self._dense_coef(), self.intercept_
        self._set_classes(y)
        units = self._new_units(X.shape[1], X.dtype, coef_init, intercept_init)
        self.t_ = 1.0
        random_state = check_random_state(self.random_state)
        units, source = self._array_source(X, y, sample_weight, units)
        validation = None
        if self.early_stopping:
            validation = source.hold_out(
                self.validation_fraction,
                random_state,
                strata=None if y.ndim == 2 else y,
                min_rows=1,
            )
        self._train(source, validation, units, self.max_iter, False, X, y, random_state)
        self._warn_if_unconverged()
        return self

    def _array_source(self, X, y, sample_weight, units):
        """``(units, ArraySource)`` of validated in-memory X and y: targets
        encoded, class weights on the units."""
        sample_weight = check_sample_weight(sample_weight, X, np.float64)
        if X.shape[1] != units.V.shape[1]:
            raise ValueError(
                f"Number of features {X.shape[1]} does not match "
                f"previous data {units.V.shape[1]}."
            )
        targets, labels = self._encode(y)
        weight_pos, weight_neg = self._unit_weights(y)
        units = units._replace(weight_pos=weight_pos, weight_neg=weight_neg)
        samples = Samples(
            targets, labels, np.empty(0) if sample_weight is None else sample_weight
        )
        from ._sources.arrays import ArraySource

        return units, ArraySource(X, samples, sample_weight, y)

    def _fit_chunks(self, store, X, y, coef_init, intercept_init):
        """Fit on the chunks of a store (dask collections, batches)."""
        summary = store.summarize(classes=True)
        if summary.y_ndim != 1:
            raise ValueError(
                "With dask or batch input the Perceptron takes 1-D class labels; "
                "multilabel targets are fitted from in-memory arrays."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported with dask or batch "
                "input; pass a dict of class weights, or sample weights."
            )
        if self.warm_start and hasattr(self, "coef_") and coef_init is None:
            coef_init, intercept_init = self._dense_coef(), self.intercept_
        self._set_classes(summary.classes)
        set_feature_names(self, summary.n_features, summary.feature_names)
        units = self._new_units(
            summary.n_features, summary.dtype, coef_init, intercept_init
        )
        weight_pos, weight_neg = self._unit_weights(self.classes_)
        units = units._replace(weight_pos=weight_pos, weight_neg=weight_neg)
        self.t_ = 1.0
        from ._sources.chunks import ChunkSource

        source = ChunkSource(store.encoded())
        random_state = check_random_state(self.random_state)
        validation = None
        if self.early_stopping:
            validation = source.hold_out(self.validation_fraction, random_state)
        self._train(source, validation, units, self.max_iter, False, X, y, random_state)
        self._warn_if_unconverged()
        return self

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
            units = self._new_units(X.shape[1], X.dtype, None, None)
            self.t_ = 1.0
        else:
            units = self._stored_units(X.dtype)
        units, source = self._array_source(X, y, sample_weight, units)
        self._train(source, None, units, 1, True, X, y, None)
        return self

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
        from sklearn.linear_model import Perceptron as SklearnPerceptron

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
