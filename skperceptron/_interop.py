"""Conversion between skperceptron's fitted models and scikit-learn's.

A fitted skperceptron model becomes the equivalent fitted scikit-learn
estimator (identical predictions) whenever scikit-learn can express what it
predicts with; training-only settings (loss, class weights, scoring, averaging,
the multinomial rule) do not matter for that. The reverse always works.
"""

import copy

import numpy as np
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.utils.validation import check_is_fitted

_SKLEARN_HIDDEN = {"identity", "logistic", "tanh", "relu"}
_MLP_ATTRIBUTES = (
    "n_iter_", "t_", "n_layers_", "n_outputs_", "out_activation_", "loss_",
    "best_loss_", "loss_curve_", "validation_scores_", "best_validation_score_",
    "n_features_in_", "feature_names_in_", "classes_", "_label_binarizer",
)
_PERCEPTRON_ATTRIBUTES = ("n_iter_", "t_", "n_features_in_", "feature_names_in_",
                          "classes_")


def _copy_attributes(source, target, names):
    for name in names:
        if hasattr(source, name):
            setattr(target, name, copy.deepcopy(getattr(source, name)))


def _shared_params(source, target_cls):
    allowed = target_cls().get_params()
    return {k: v for k, v in source.get_params().items() if k in allowed}


def _not_expressible(est, feature):
    raise ValueError(
        f"This {type(est).__name__} cannot be expressed as a scikit-learn estimator: "
        f"{feature}."
    )


def mlp_to_sklearn(est):
    """The equivalent fitted scikit-learn MLP (see ``BaseMLP.to_sklearn``)."""
    from ._mlp import MLPClassifier

    check_is_fitted(est)
    hidden = est._hidden_activations(est.n_layers_ - 2)
    if len(set(hidden)) > 1:
        _not_expressible(est, f"per-layer activations {hidden}")
    if hidden and hidden[0] not in _SKLEARN_HIDDEN:
        _not_expressible(est, f"activation={hidden[0]!r}")
    target_cls = SklearnMLPClassifier if isinstance(est, MLPClassifier) else \
        SklearnMLPRegressor
    if target_cls is SklearnMLPRegressor and est.out_activation_ not in ("identity", "exp"):
        _not_expressible(est, f"out_activation={est.out_activation_!r}")
    params = _shared_params(est, target_cls)
    if hidden:
        params["activation"] = hidden[0]
    if target_cls is SklearnMLPRegressor and params.get("loss") not in ("squared_error",
                                                                         "poisson"):
        params["loss"] = "squared_error"  # training-only: predictions are unchanged
    converted = target_cls(**params)
    converted.coefs_ = [c.copy() for c in est.coefs_]
    converted.intercepts_ = [b.copy() for b in est.intercepts_]
    _copy_attributes(est, converted, _MLP_ATTRIBUTES)
    return converted


def perceptron_to_sklearn(est):
    """The equivalent fitted scikit-learn Perceptron."""
    check_is_fitted(est)
    if est._is_multilabel():
        _not_expressible(est, "multilabel targets")
    converted = SklearnPerceptron(**_shared_params(est, SklearnPerceptron))
    converted.coef_ = est._dense_coef().copy()
    converted.intercept_ = np.array(est.intercept_, dtype=np.float64)
    _copy_attributes(est, converted, _PERCEPTRON_ATTRIBUTES)
    return converted


def from_sklearn(estimator):
    """Turn a fitted scikit-learn MLP or Perceptron into skperceptron's.

    Parameters
    ----------
    estimator : sklearn MLPClassifier, MLPRegressor or Perceptron
        A fitted scikit-learn estimator.

    Returns
    -------
    converted : skperceptron estimator
        The same model (same parameters, weights and predictions), ready to
        predict or to continue training with ``partial_fit``/``warm_start``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPClassifier as SklearnMLP
    >>> from skperceptron import from_sklearn
    >>> X = np.random.RandomState(0).normal(size=(50, 3)); y = X[:, 0] > 0
    >>> theirs = SklearnMLP(hidden_layer_sizes=(4,), max_iter=300).fit(X, y)
    >>> ours = from_sklearn(theirs)
    >>> bool((ours.predict(X) == theirs.predict(X)).all())
    True
    """
    from ._mlp import MLPClassifier, MLPRegressor
    from ._params import ParamLayout
    from ._perceptron import Perceptron

    check_is_fitted(estimator)
    if isinstance(estimator, SklearnPerceptron):
        converted = Perceptron(**_shared_params(estimator, Perceptron))
        _copy_attributes(estimator, converted, _PERCEPTRON_ATTRIBUTES)
        coef = np.asarray(estimator.coef_.toarray() if hasattr(estimator.coef_, "toarray")
                          else estimator.coef_)
        converted.coef_ = coef.copy()
        converted.intercept_ = np.asarray(estimator.intercept_, dtype=np.float64).copy()
        converted._target_kind = "classes"
        converted._standard_coef = coef.copy()
        converted._standard_intercept = converted.intercept_.copy()
        return converted
    for source_cls, target_cls in ((SklearnMLPClassifier, MLPClassifier),
                                   (SklearnMLPRegressor, MLPRegressor)):
        if isinstance(estimator, source_cls):
            converted = target_cls(**_shared_params(estimator, target_cls))
            _copy_attributes(estimator, converted, _MLP_ATTRIBUTES)
            units = [estimator.coefs_[0].shape[0]] + [c.shape[1] for c in estimator.coefs_]
            layout = ParamLayout(tuple(int(u) for u in units))
            dtype = np.result_type(*estimator.coefs_)
            converted._bind(layout.pack(estimator.coefs_, estimator.intercepts_, dtype),
                            layout)
            return converted
    raise TypeError(
        "from_sklearn takes a fitted sklearn.neural_network.MLPClassifier, "
        f"MLPRegressor or sklearn.linear_model.Perceptron, not {type(estimator).__name__}."
    )
