"""One flat parameter vector with per-layer views, and its initialisation.

Layout: every weight matrix (C order, layer by layer) first, then every bias
vector. ``coefs_`` and ``intercepts_`` are reshaped views of the vector, so the
optimizers and L-BFGS update one array and the L2 penalty covers one block.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._kernels.specs import ACTIVATION_CODES, NetworkSpec


@dataclass(frozen=True)
class ParamLayout:
    """Where each layer's weights and biases live in the flat vector.

    Parameters
    ----------
    layer_units : tuple of int
        Layer widths, input layer first, output layer last.
    """

    layer_units: tuple

    @property
    def n_weights(self) -> int:
        return len(self.layer_units) - 1

    @property
    def coef_offsets(self) -> np.ndarray:
        sizes = [a * b for a, b in zip(self.layer_units[:-1], self.layer_units[1:])]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    @property
    def n_coef(self) -> int:
        return int(self.coef_offsets[-1])

    @property
    def intercept_offsets(self) -> np.ndarray:
        ends = self.n_coef + np.cumsum(self.layer_units[1:])
        return np.concatenate([[self.n_coef], ends]).astype(np.int64)

    @property
    def n_params(self) -> int:
        return int(self.intercept_offsets[-1])

    def views(self, flat):
        """Return ``(coefs, intercepts)``: lists of views into ``flat``."""
        c_off, i_off, units = (
            self.coef_offsets,
            self.intercept_offsets,
            self.layer_units,
        )
        coefs = [
            flat[c_off[i] : c_off[i + 1]].reshape(units[i], units[i + 1])
            for i in range(self.n_weights)
        ]
        intercepts = [flat[i_off[i] : i_off[i + 1]] for i in range(self.n_weights)]
        return coefs, intercepts

    def pack(self, coefs, intercepts, dtype):
        """Copy per-layer arrays into a new flat vector (checking their shapes)."""
        flat = np.empty(self.n_params, dtype=dtype)
        new_coefs, new_intercepts = self.views(flat)
        for dst, src in zip(new_coefs + new_intercepts, list(coefs) + list(intercepts)):
            src = np.asarray(src)
            if src.shape != dst.shape:
                raise ValueError(
                    f"Parameter array of shape {src.shape} does not fit the network "
                    f"layout, which expects {dst.shape}."
                )
            dst[...] = src
        return flat

    def kernel_spec(self, activations, negative_slope=0.01):
        """The ``NetworkSpec`` the compiled kernels take (see _kernels/specs.py).

        ``negative_slope``: leaky relu's. Cached: predicting one row should
        not rebuild them. Treat as read-only.
        """
        return _kernel_spec(self, tuple(activations), negative_slope)


@lru_cache(maxsize=128)
def _kernel_spec(layout, activations, negative_slope):
    units = np.asarray(layout.layer_units, dtype=np.int64)
    codes = np.asarray([ACTIVATION_CODES[a] for a in activations], dtype=np.int64)
    unit_cum = np.concatenate([[0, 0], np.cumsum(units[1:])]).astype(np.int64)
    return NetworkSpec(
        units,
        layout.coef_offsets,
        layout.intercept_offsets,
        codes,
        unit_cum,
        float(negative_slope),
    )


def sklearn_init(layout, init_factors, random_state, dtype):
    """Draw the initial flat vector as scikit-learn does.

    For each layer ``i`` in turn, the weight matrix and then the bias vector are
    drawn uniformly from ``±sqrt(init_factors[i] / (fan_in + fan_out))`` with
    the one RandomState; the draws are made in float64 and then cast.
    """
    flat = np.empty(layout.n_params, dtype=dtype)
    coefs, intercepts = layout.views(flat)
    for i in range(layout.n_weights):
        fan_in, fan_out = layout.layer_units[i], layout.layer_units[i + 1]
        bound = np.sqrt(init_factors[i] / (fan_in + fan_out))
        coefs[i][...] = random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercepts[i][...] = random_state.uniform(-bound, bound, fan_out)
    return flat


# Scale of each initializer: (distribution, variance numerator, fan), drawing
# weights with variance ``numerator / fan`` (uniform on ``±sqrt(3 * var)``).
WEIGHT_INITS = {
    "glorot_uniform": ("uniform", 2.0, "fan_avg"),
    "glorot_normal": ("normal", 2.0, "fan_avg"),
    "he_uniform": ("uniform", 2.0, "fan_in"),
    "he_normal": ("normal", 2.0, "fan_in"),
    "lecun_normal": ("normal", 1.0, "fan_in"),
}


def variance_scaling_init(layout, name, random_state, dtype):
    """Draw the initial flat vector with one of ``WEIGHT_INITS``; biases are 0.

    ``fan_avg`` is ``fan_in + fan_out`` (so glorot's variance is ``2 /
    (fan_in + fan_out)``); normal draws are not truncated (PyTorch's
    ``nn.init`` definitions). Weights are drawn layer by layer in float64 with
    the one RandomState, then cast.
    """
    distribution, numerator, fan = WEIGHT_INITS[name]
    flat = np.zeros(layout.n_params, dtype=dtype)
    coefs, _ = layout.views(flat)
    for i in range(layout.n_weights):
        fan_in, fan_out = layout.layer_units[i], layout.layer_units[i + 1]
        std = np.sqrt(numerator / (fan_in + fan_out if fan == "fan_avg" else fan_in))
        if distribution == "uniform":
            bound = np.sqrt(3.0) * std
            coefs[i][...] = random_state.uniform(-bound, bound, (fan_in, fan_out))
        else:
            coefs[i][...] = random_state.normal(0.0, std, (fan_in, fan_out))
    return flat
