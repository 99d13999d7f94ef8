"""The network an MLP's parameters describe, its weights and its forward pass.

``NetworkMixin`` is part of ``BaseMLP``: hidden layers and activations, the
loss the kernels compute, the flat weight vector behind ``coefs_`` and
``intercepts_``, and the forward pass of prediction.
"""

import numpy as np

from ._data import check_prediction_input, prediction_input
from ._forward import predict
from ._kernels.specs import ACTIVATION_CODES, LOSS_CODES, loss_spec
from ._sources.validation import PREDICT_CHUNK_ROWS

HIDDEN_ACTIVATIONS = {
    "identity",
    "logistic",
    "tanh",
    "relu",
    "softplus",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "mish",
}


class NetworkMixin:
    """Layers, loss, weights and forward pass of ``BaseMLP``."""

    def __getstate__(self):
        # coefs_ and intercepts_ are the truth; the flat vector is rebuilt from
        # them on demand, so it is not pickled twice.
        state = dict(super().__getstate__())  # may be self.__dict__ itself
        state.pop("_flat", None)
        state.pop("_bound_views", None)
        return state

    def _hidden_activations(self, n_hidden):
        """One activation name per hidden layer, validated."""
        names = self.activation
        if isinstance(names, str):
            return [names] * n_hidden
        names = list(names)
        if len(names) != n_hidden:
            raise ValueError(
                f"activation has {len(names)} entries but there are {n_hidden} "
                "hidden layers; give one name per hidden layer or a single name."
            )
        unknown = [n for n in names if n not in HIDDEN_ACTIVATIONS]
        if unknown:
            raise ValueError(
                f"Unknown activation(s) {unknown}; choose from "
                f"{sorted(HIDDEN_ACTIVATIONS)}."
            )
        return names

    def _activations(self, n_layers):
        return self._hidden_activations(n_layers - 2) + [self.out_activation_]

    def _loss_name(self):
        if self.out_activation_ == "logistic" and self.loss == "log_loss":
            return "binary_log_loss"
        return self.loss

    def _loss_spec(self, dtype, n_outputs):
        """The kernels' loss description, on scikit-learn's scale of reporting."""
        name = self._loss_name()
        # scikit-learn averages the squared error over outputs (every other
        # loss is summed) while its gradient is the summed loss's
        scale = 1.0 / n_outputs if name == "squared_error" else 1.0
        return loss_spec(
            LOSS_CODES[name],
            float(np.finfo(dtype).eps),
            float(getattr(self, "huber_delta", 1.0)),
            scale,
            self._quantile_levels(),
        )

    def _quantile_levels(self):
        """The pinball loss's levels (regressors with loss='quantile'), else None."""
        return None

    def _hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if any(int(s) != s or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _kernel_spec(self, layout):
        return layout.kernel_spec(
            self._activations(len(layout.layer_units)),
            self._negative_slope(),
            self._embedded() if layout.embedding[0] else (),
        )

    def _negative_slope(self):
        """The kernels' ``negative_slope`` (leaky relu's)."""
        return float(self.negative_slope)

    def _snapshot(self):
        """Fitted attributes of the current weights (for callbacks' model copies)."""
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
        }

    def _forward_pass_fast(self, X, check_input=True):
        """Output-layer activations for X, shape (n_samples, n_outputs)."""
        if check_input:
            X = check_prediction_input(self, X, accept_sparse=["csr", "csc"])
        flat = self._current_flat()  # also rebinds coefs_/intercepts_ as its views
        codes = [ACTIVATION_CODES[name] for name in self._activations(self.n_layers_)]
        return predict(
            self._transform_input(prediction_input(X, flat.dtype)),
            self.coefs_,
            self.intercepts_,
            codes,
            self._negative_slope(),
            PREDICT_CHUNK_ROWS,
            self._input_layer(),
        )

    def _predict(self, X, check_input=True):
        """Predictions for X: ``_decode`` of the network's outputs."""
        return self._decode(self._forward_pass_fast(X, check_input=check_input))
