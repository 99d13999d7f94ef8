"""``from_sklearn``: the skperceptron twin of a fitted scikit-learn model."""

from sklearn.utils.validation import check_is_fitted

from ._mlp_classifier import MLPClassifier
from ._mlp_regressor import MLPRegressor
from ._perceptron import Perceptron


def _twins():
    # imported on use: importing skperceptron should not load linear_model
    from sklearn import linear_model, neural_network

    return (
        (linear_model.Perceptron, Perceptron),
        (neural_network.MLPClassifier, MLPClassifier),
        (neural_network.MLPRegressor, MLPRegressor),
    )


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

    See Also
    --------
    MLPClassifier.to_sklearn : The conversion the other way.

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
    for source_cls, target_cls in _twins():
        if isinstance(estimator, source_cls):
            check_is_fitted(estimator)
            return target_cls._from_sklearn(estimator)
    raise TypeError(
        "from_sklearn takes a fitted sklearn.neural_network.MLPClassifier, "
        "MLPRegressor or sklearn.linear_model.Perceptron, not "
        f"{type(estimator).__name__}."
    )
