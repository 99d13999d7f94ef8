"""One flat parameter vector with per-layer views, and its initialisation.

Layout: every weight matrix (C order, layer by layer) first, then every bias
vector, then the input layer's extras: the front scale (one per input of the
first layer) and the periodic embeddings' parameters. ``coefs_``,
``intercepts_`` and the extras' attributes are reshaped views of the vector,
so the optimizers and L-BFGS update one array and the L2 penalty covers one
block.
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
    front_scale : bool, default=False
        Whether a learnable scale multiplies the first layer's inputs.
    embedding : tuple of int, default=(0, 0, 0)
        ``(embedded features m, frequencies k, outputs per feature d)`` of the
        periodic embeddings; the first layer's input is the raw features and
        ``m * d`` embedding outputs.
    """

    layer_units: tuple
    front_scale: bool = False
    embedding: tuple = (0, 0, 0)

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
    def n_base(self) -> int:
        """Weights and biases: where the extras start."""
        return int(self.intercept_offsets[-1])

    @property
    def n_front(self) -> int:
        return self.layer_units[0] if self.front_scale else 0

    @property
    def n_embedding(self) -> int:
        m, k, d = self.embedding
        return m * k * (2 + d) + m * d

    @property
    def n_params(self) -> int:
        return self.n_base + self.n_front + self.n_embedding

    def extra_views(self, flat):
        """``{name: view}`` of the extras in ``flat``: 'front_scale' (n_in,),
        and for embeddings 'frequencies' (m, k), 'phases' (m, k),
        'embedding_coefs' (m, k, d), 'embedding_intercepts' (m, d)."""
        views = {}
        start = self.n_base
        if self.front_scale:
            views["front_scale"] = flat[start : start + self.n_front]
            start += self.n_front
        m, k, d = self.embedding
        if m:
            for name, shape in (
                ("frequencies", (m, k)),
                ("phases", (m, k)),
                ("embedding_coefs", (m, k, d)),
                ("embedding_intercepts", (m, d)),
            ):
                size = int(np.prod(shape))
                views[name] = flat[start : start + size].reshape(shape)
                start += size
        return views

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

    def kernel_spec(self, activations, negative_slope=0.01, embedded=()):
        """The ``NetworkSpec`` the compiled kernels take (see _kernels/specs.py).

        ``negative_slope``: leaky relu's; ``embedded``: the columns of X the
        periodic embeddings take. Cached: predicting one row should not
        rebuild them. Treat as read-only.
        """
        return _kernel_spec(
            self, tuple(activations), negative_slope, tuple(int(c) for c in embedded)
        )


@lru_cache(maxsize=128)
def _kernel_spec(layout, activations, negative_slope, embedded):
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
        int(units[0] - layout.embedding[0] * layout.embedding[2]),
        layout.n_base if layout.front_scale else -1,
        np.asarray(embedded, dtype=np.int64),
        layout.n_base + layout.n_front if layout.embedding[0] else -1,
        int(layout.embedding[1]),
        int(layout.embedding[2]),
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


def init_extras(layout, flat, random_state, frequency_scale=0.1):
    """Initialise the input layer's extras in ``flat``, after its weights.

    The front scale starts at 1; each embedded feature's frequencies are drawn
    from ``N(0, frequency_scale**2)`` and its phases from ``U(-pi, pi)``, its
    output weights and biases from ``U(-1/sqrt(k), 1/sqrt(k))`` (k
    frequencies), in float64 with the one RandomState, then cast. Draws
    nothing when there are no extras, so other models keep their draws.
    """
    views = layout.extra_views(flat)
    if "front_scale" in views:
        views["front_scale"][...] = 1.0
    if "frequencies" in views:
        m, k, d = layout.embedding
        bound = 1.0 / np.sqrt(k)
        views["frequencies"][...] = random_state.normal(0.0, frequency_scale, (m, k))
        views["phases"][...] = random_state.uniform(-np.pi, np.pi, (m, k))
        views["embedding_coefs"][...] = random_state.uniform(-bound, bound, (m, k, d))
        views["embedding_intercepts"][...] = random_state.uniform(-bound, bound, (m, d))
    return flat


# Step-size factors of the input layer's extras (the decay's are their
# squares, RealMLP's convention), and the defaults of ``lr_factors``.
DEFAULT_LR_FACTORS = {"bias": 1.0, "front_scale": 6.0, "embedding": 0.1}


def parameter_factors(layout, lr_scaling, lr_factors, dtype):
    """``(lr_factors, decay_factors)`` per parameter of ``layout``, or two
    empty arrays when every step size is the learning rate's and only the
    weights decay (the default, scikit-learn's model).

    Weights: 1, or ``1 / sqrt(fan_in)`` with ``lr_scaling='ntk'``, decayed
    by the weight decay; biases: ``lr_factors['bias']``, never decayed; front
    scale and embeddings: their factor, decayed by its square.
    """
    factors = dict(DEFAULT_LR_FACTORS, **(lr_factors or {}))
    unknown = set(factors) - set(DEFAULT_LR_FACTORS)
    if unknown:
        raise ValueError(
            f"lr_factors takes the keys {sorted(DEFAULT_LR_FACTORS)}; got "
            f"{sorted(unknown)}."
        )
    plain = (
        lr_scaling is None
        and factors["bias"] == 1.0
        and layout.n_params == layout.n_base
    )
    if plain:
        return np.empty(0, dtype=dtype), np.empty(0, dtype=dtype)
    lr = np.ones(layout.n_params)
    decay = np.ones(layout.n_params)
    offsets = layout.coef_offsets
    if lr_scaling == "ntk":
        for i in range(layout.n_weights):
            lr[offsets[i] : offsets[i + 1]] = 1.0 / np.sqrt(layout.layer_units[i])
    lr[layout.n_coef : layout.n_base] = factors["bias"]
    decay[layout.n_coef : layout.n_base] = 0.0
    start = layout.n_base
    for name, size in (
        ("front_scale", layout.n_front),
        ("embedding", layout.n_embedding),
    ):
        lr[start : start + size] = factors[name]
        decay[start : start + size] = factors[name] ** 2
        start += size
    return lr.astype(dtype), decay.astype(dtype)


def factor_blocks(lr, decay, n_coef):
    """``(ends, lr_factors, decay_factors)`` of the runs of parameters that
    share both factors in ``lr`` and ``decay`` (``parameter_factors``'s), cut
    at ``n_coef`` (the penalised weights' end): the optimizer's step takes
    one block at a time, with scalar factors. Empty for empty factors.

    >>> factor_blocks(np.array([1.0, 1.0, 0.5, 0.1]), np.ones(4), 3)
    (array([2, 3, 4]), array([1. , 0.5, 0.1]), array([1., 1., 1.]))
    """
    n = lr.shape[0]
    if n == 0:
        return np.empty(0, np.int64), lr, decay
    changes = (lr[1:] != lr[:-1]) | (decay[1:] != decay[:-1])
    ends = np.union1d(np.flatnonzero(changes) + 1, [n_coef, n])
    ends = ends[(ends > 0) & (ends <= n)].astype(np.int64)
    return ends, lr[ends - 1], decay[ends - 1]
