"""What the fitted MLPs return: the network's outputs decoded into labels,
probabilities, values and scores (the inverse of ``_mlp_targets``)."""

import numpy as np
from sklearn.metrics import d2_pinball_score, r2_score
from sklearn.utils.validation import check_is_fitted

from ._dask import is_dask_collection, predict_blocks
from ._linear_model import accuracy


class ClassifierPredictionsMixin:
    """``predict``, ``predict_proba`` and ``predict_log_proba`` of
    ``MLPClassifier``."""

    _score_function = staticmethod(accuracy)

    def _decode(self, outputs):
        """Class labels (or label indicators) from the output layer.

        Binary and multiclass outputs are decoded as ``LabelBinarizer`` decodes
        them (the 0.5 threshold, the arg max), without its validation; other
        targets go through the binarizer.
        """
        if self.n_outputs_ == 1:
            outputs = outputs.ravel()
        kind = self._label_binarizer.y_type_
        if kind == "multiclass" and outputs.ndim == 2:
            return self.classes_.take(outputs.argmax(axis=1), mode="clip")
        if kind == "binary" and outputs.ndim == 1 and len(self.classes_) == 2:
            return self.classes_[(outputs > 0.5).astype(int)]
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
        if is_dask_collection(X):
            return predict_blocks(self, "predict", X)
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
        if is_dask_collection(X):
            return predict_blocks(self, "predict_proba", X)
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
        if is_dask_collection(y_prob):
            return np.log(y_prob)
        return np.log(y_prob, out=y_prob)


class RegressorPredictionsMixin:
    """``predict`` and ``score`` of ``MLPRegressor``."""

    def _score_function(self, y, y_pred, sample_weight=None):
        """R^2, or the mean D^2 pinball score of several quantile levels."""
        if not self._n_levels():
            return r2_score(y, y_pred, sample_weight=sample_weight)
        levels = self._quantile_levels()
        return float(
            np.mean(
                [
                    d2_pinball_score(
                        y, y_pred[..., k], alpha=q, sample_weight=sample_weight
                    )
                    for k, q in enumerate(levels)
                ]
            )
        )

    def _decode(self, outputs):
        outputs = self._unscale_outputs(outputs)
        n_levels = self._n_levels()
        if n_levels:
            n_targets = outputs.shape[1] // n_levels
            outputs = np.sort(outputs.reshape(-1, n_targets, n_levels), axis=2)
            return outputs[:, 0, :] if n_targets == 1 else outputs
        return outputs.ravel() if outputs.shape[1] == 1 else outputs

    def score(self, X, y, sample_weight=None):
        """R^2 of the predictions, or their D^2 pinball score for several levels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True values for X.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            :func:`~sklearn.metrics.r2_score` (as every scikit-learn
            regressor), or with a sequence of quantile levels the mean over
            levels of :func:`~sklearn.metrics.d2_pinball_score`.
        """
        if not self._n_levels():
            return super().score(X, y, sample_weight=sample_weight)
        return self._score_function(y, self.predict(X), sample_weight=sample_weight)

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
        if is_dask_collection(X):
            return predict_blocks(self, "predict", X)
        return self._predict(X)
