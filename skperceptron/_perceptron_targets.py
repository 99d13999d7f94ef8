"""The Perceptron's classes and how labels become its units' targets.

``PerceptronTargetsMixin`` is part of ``Perceptron``: input validation, the
classes (or labels of multilabel targets), the units they need, per-unit
+1/-1 targets or class indices, and class weights.
"""

import numpy as np
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data


class PerceptronTargetsMixin:
    """Classes and targets of ``Perceptron``."""

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
