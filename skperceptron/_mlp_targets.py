"""How each multilayer perceptron turns y into its output layer's targets.

``ClassifierTargetsMixin`` (labels: a ``LabelBinarizer``, class weights,
label smoothing) and ``RegressorTargetsMixin`` (values: output ranges, the
output bias's start, quantile levels) are part of ``MLPClassifier`` and
``MLPRegressor``, for in-memory input and for chunked input (dask, batches)
alike: the chunks' targets are encoded where they live by the module-level
functions here.
"""

import functools

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import validate_data

from ._data import check_partial_fit_input, check_sample_weight

# The range each regression output activation can reach.
OUTPUT_RANGES = {
    "relu": (0.0, np.inf),
    "softplus": (0.0, np.inf),
    "logistic": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}


def _binarize(y, binarizer, dtype, smoothing, n_classes):
    """The target matrix of a chunk of labels (label smoothing applied)."""
    Y = np.ascontiguousarray(binarizer.transform(y), dtype=dtype)
    if smoothing:
        Y *= 1.0 - smoothing
        Y += smoothing / n_classes
    return Y


def _regression_targets(y, dtype, n_levels):
    """The target matrix of a chunk of values: one column per output (repeated
    for each quantile level)."""
    Y = np.asarray(y, dtype=dtype).reshape(y.shape[0], -1)
    if n_levels:
        Y = np.repeat(Y, n_levels, axis=1)
    return np.ascontiguousarray(Y)


class ClassifierTargetsMixin:
    """Targets of ``MLPClassifier``."""

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

    @staticmethod
    def _default_scoring_kind():
        return "accuracy"

    def _chunk_targets(self, summary, first_pass):
        """``(encode, n_outputs, None)`` of chunked labels, from their summary."""
        if summary.y_ndim != 1:
            raise ValueError(
                "With dask or batch input MLPClassifier takes 1-D class labels; "
                "multilabel targets are fitted from in-memory arrays."
            )
        if self.class_weight is not None:
            raise ValueError(
                "class_weight is not supported with dask or batch input; pass the "
                "class weights as sample weights."
            )
        classes = summary.classes
        if first_pass:
            self._label_binarizer = LabelBinarizer().fit(classes)
            self.classes_ = self._label_binarizer.classes_
        elif set(classes) != set(self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit. Previously got {self.classes_}, "
                f"`y` has {classes}"
            )
        binarizer = self._label_binarizer
        n_outputs = binarizer.transform(self.classes_[:1]).shape[1]
        n_classes = len(self.classes_) if binarizer.y_type_ == "multiclass" else 2
        encode = functools.partial(
            _binarize,
            binarizer=binarizer,
            dtype=summary.dtype,
            smoothing=self.label_smoothing,
            n_classes=n_classes,
        )
        return encode, n_outputs, None

    def _validation_strata(self, Y):
        # scikit-learn stratifies the early-stopping split of a single-output
        # target on its label-indicator column: the same split, the same errors
        return (Y > 0.5) if self.n_outputs_ == 1 else None

    def _validate_input(self, X, y, incremental, reset, sample_weight=None):
        X, Y, y = self._encode_input(X, y, incremental, reset)
        if self.label_smoothing:
            kind = self._label_binarizer.y_type_
            n_classes = len(self.classes_) if kind == "multiclass" else 2
            Y *= 1.0 - self.label_smoothing
            Y += self.label_smoothing / n_classes
        return X, Y, y

    def _encode_input(self, X, y, incremental, reset):
        plain = check_partial_fit_input(self, X, y) if incremental else None
        if plain is not None and self._label_binarizer.y_type_ in (
            "binary",
            "multiclass",
        ):
            # the label indicator matrix LabelBinarizer.transform would build
            X, y = plain
            if len(self.classes_) == 2:
                Y = (y == self.classes_[1])[:, None]
            else:
                Y = y[:, None] == self.classes_[None, :]
            return X, np.ascontiguousarray(Y, dtype=X.dtype), y
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


class RegressorTargetsMixin:
    """Targets of ``MLPRegressor``."""

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
        low, high = OUTPUT_RANGES[self.out_activation_]
        mean = np.average(Y.astype(np.float64), axis=0, weights=sample_weight)
        mean = np.clip(mean, low + 1e-3, high - 1e-3)
        self.intercepts_[-1][...] = inverse(mean)

    def _check_target_range(self, y):
        out = self._output_activation()
        if out not in OUTPUT_RANGES or y.size == 0:
            return
        low, high = OUTPUT_RANGES[out]
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

    def _default_scoring_kind(self):
        return "custom" if self._n_levels() else "r2"

    def _chunk_targets(self, summary, first_pass):
        """``(encode, n_outputs, mean target)`` of chunked values."""
        if self.target_scaling is not None or self.clip_predictions:
            raise ValueError(
                "target_scaling and clip_predictions need the targets' statistics "
                "from in-memory y; scale the targets of dask or batch input "
                "before fitting."
            )
        if self.loss == "poisson" and summary.low < 0:
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for the "
                "poisson loss."
            )
        self._check_target_range(np.array([summary.low, summary.high]))
        n_levels = self._n_levels()
        mean = summary.mean if not n_levels else np.repeat(summary.mean, n_levels)
        encode = functools.partial(
            _regression_targets, dtype=summary.dtype, n_levels=n_levels
        )
        return encode, mean.shape[0], mean[None, :]

    def _validate_input(self, X, y, incremental, reset, sample_weight=None):
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
        if reset:
            if sample_weight is not None:
                sample_weight = check_sample_weight(sample_weight, X, np.float64)
            self._fit_target_scaling(Y, sample_weight)
        Y = self._scale_targets(Y)
        n_levels = self._n_levels()
        if n_levels:
            Y = np.repeat(Y, n_levels, axis=1)
        return X, np.ascontiguousarray(Y, dtype=X.dtype), y

    def _fit_target_scaling(self, Y, sample_weight):
        """Record the targets' mean, scale and range (``target_scaling``,
        ``clip_predictions``) from a first fit's targets, weighted."""
        for name in ("target_mean_", "target_scale_", "target_range_"):
            self.__dict__.pop(name, None)
        if self.target_scaling is not None and self.out_activation != "identity":
            raise ValueError(
                "target_scaling='standard' trains on standardised targets, "
                f"which out_activation={self.out_activation!r} cannot output; use "
                "out_activation='identity'."
            )
        Y = np.asarray(Y, dtype=np.float64)
        if self.target_scaling == "standard":
            self.target_mean_ = np.average(Y, axis=0, weights=sample_weight)
            variance = np.average(
                (Y - self.target_mean_) ** 2, axis=0, weights=sample_weight
            )
            std = np.sqrt(variance)
            self.target_scale_ = np.where(std > 0, std, 1.0)
        if self.clip_predictions:
            kept = Y if sample_weight is None else Y[sample_weight > 0]
            self.target_range_ = np.stack([kept.min(axis=0), kept.max(axis=0)])

    def _scale_targets(self, Y):
        if not hasattr(self, "target_mean_"):
            return Y
        return (Y - self.target_mean_) / self.target_scale_

    def _unscale_outputs(self, outputs):
        """Network outputs in the targets' units, clipped to their range."""
        n_levels = max(self._n_levels(), 1)
        if hasattr(self, "target_mean_"):
            mean = np.repeat(self.target_mean_, n_levels)
            scale = np.repeat(self.target_scale_, n_levels)
            outputs = (outputs * scale + mean).astype(outputs.dtype, copy=False)
        if hasattr(self, "target_range_"):
            low, high = (np.repeat(r, n_levels) for r in self.target_range_)
            outputs = np.clip(outputs, low, high).astype(outputs.dtype, copy=False)
        return outputs

    def _quantile_levels(self):
        if self.loss != "quantile":
            return None
        levels = np.atleast_1d(np.asarray(self.quantile, dtype=np.float64))
        if levels.ndim != 1 or levels.size == 0:
            raise ValueError(
                f"quantile must be a number or a 1-D sequence of levels; got "
                f"{self.quantile!r}."
            )
        if not np.all((levels > 0) & (levels < 1)):
            raise ValueError(
                f"Every quantile level must be in (0, 1); got {levels.tolist()}."
            )
        if np.any(np.diff(levels) <= 0):
            raise ValueError(
                "Give the quantile levels in increasing order, each once (the "
                "predictions are sorted along them); got "
                f"{levels.tolist()}."
            )
        return levels

    def _n_levels(self):
        """Outputs per target of a sequence of quantile levels; 0 otherwise."""
        if self.loss != "quantile" or np.ndim(self.quantile) == 0:
            return 0
        return len(self._quantile_levels())
