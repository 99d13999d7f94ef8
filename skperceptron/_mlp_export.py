"""Conversion of fitted multilayer perceptrons to and from scikit-learn's."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ._interop import copy_attributes, not_expressible, shared_params
from ._params import ParamLayout
from ._stochastic_optimizers import EPOCH_SCHEDULES

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


class SklearnConversionMixin:
    """``to_sklearn`` and ``_from_sklearn`` of ``BaseMLP``."""

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
        for attribute, option in (
            ("input_scale_", "input_transform"),
            ("embedding_coefs_", "numeric_embedding"),
            ("front_scale_", "front_scale"),
            ("target_mean_", "target_scaling"),
            ("target_range_", "clip_predictions"),
        ):
            if hasattr(self, attribute):
                not_expressible(self, option)
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
        from sklearn import neural_network

        target_cls = (
            neural_network.MLPClassifier if classifier else neural_network.MLPRegressor
        )
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
