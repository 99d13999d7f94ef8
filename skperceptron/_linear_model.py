"""Prediction for linear classifiers (``coef_``, ``intercept_``, ``classes_``).

The twins of scikit-learn's ``LinearClassifierMixin`` and ``SparseCoefMixin``
(private to ``sklearn.linear_model``), written on public API only.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted

from ._dask import DaskScoreMixin, is_dask_collection, predict_blocks
from ._data import check_prediction_input


def linear_scores(X, coef, intercept):
    """``X @ coef.T + intercept``, raveled for a single unit (dense or sparse X)."""
    coef_T = coef.T if coef.ndim == 2 else coef
    scores = safe_sparse_dot(X, coef_T, dense_output=True) + intercept
    return scores.ravel() if scores.ndim > 1 and scores.shape[1] == 1 else scores


def linear_labels(scores, classes):
    """The class of each row of ``scores``: the strongest unit, or > 0 for one."""
    if scores.ndim == 1:
        indices = (scores > 0).astype(np.intp)
    else:
        indices = scores.argmax(axis=1)
    return classes.take(indices, axis=0)


def linear_hits(X, y, coef, intercept, classes, multilabel):
    """Which rows the units classify right (multilabel: every label right)."""
    scores = linear_scores(X, coef, intercept)
    if multilabel:
        return ((scores > 0).astype(np.int64) == y).all(axis=1)
    return linear_labels(scores, classes) == y


def accuracy(y_true, y_pred, sample_weight=None):
    """``accuracy_score``'s value (subset accuracy for label indicators)
    without its input checks: the scores of every epoch's hold-out, whose
    labels the fit validated once."""
    hits = y_true == y_pred
    if hits.ndim == 2:
        hits = hits.all(axis=1)
    return float(np.average(hits, weights=sample_weight))


def linear_accuracy(X, y, coef, intercept, classes, multilabel):
    """Accuracy of a layer of linear units, as their ``score`` computes it."""
    return float(np.mean(linear_hits(X, y, coef, intercept, classes, multilabel)))


class LinearClassifierMixin(DaskScoreMixin, ClassifierMixin):
    """``decision_function`` and ``predict`` of a layer of linear units."""

    def decision_function(self, X):
        """Signed distance of each sample to each unit's hyperplane (unscaled).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_units)
            ``X @ coef_.T + intercept_``; one column per unit, raveled for a
            single unit (where > 0 means ``classes_[1]``).
        """
        check_is_fitted(self)
        if is_dask_collection(X):
            return predict_blocks(self, "decision_function", X)
        X = check_prediction_input(self, X, accept_sparse="csr")
        return linear_scores(X, self.coef_, self.intercept_)

    def predict(self, X):
        """Predict the class of each sample: the unit with the highest score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted class labels.
        """
        return linear_labels(self.decision_function(X), self.classes_)


class SparseCoefMixin:
    """Conversion of ``coef_`` to and from a scipy.sparse CSR matrix."""

    def densify(self):
        """Convert ``coef_`` to a dense numpy array (the default after fit).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        check_is_fitted(
            self, msg="Estimator, %(name)s, must be fitted before densifying."
        )
        if sp.issparse(self.coef_):
            self.coef_ = self.coef_.toarray()
        return self

    def sparsify(self):
        """Convert ``coef_`` to a CSR matrix (smaller when most weights are 0).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        check_is_fitted(
            self, msg="Estimator, %(name)s, must be fitted before sparsifying."
        )
        self.coef_ = sp.csr_matrix(self.coef_)
        return self
