"""What an MLP does to its input before the first hidden layer.

``InputLayerMixin`` is part of ``BaseMLP``: the robust input transform
(``input_transform``, fitted on training X), the columns the periodic
embeddings take (``numeric_embedding``), the learnable front scale
(``front_scale``), the layout they give the flat parameter vector, and the
data-dependent initialisation ``weight_init='lsuv'``.
"""

import functools

import numpy as np

from ._forward import input_layer
from ._input_transform import columns_to_embed, robust_statistics, robust_transform
from ._lsuv import lsuv_initialize
from ._params import ParamLayout

# ParamLayout.extra_views' names -> the fitted attributes that view them
EXTRA_ATTRIBUTES = {
    "front_scale": "front_scale_",
    "frequencies": "embedding_frequencies_",
    "phases": "embedding_phases_",
    "embedding_coefs": "embedding_coefs_",
    "embedding_intercepts": "embedding_intercepts_",
}


class InputLayerMixin:
    """The input layer of ``BaseMLP`` (see the module docstring)."""

    def _check_chunked_options(self):
        """Raise for the options that need the training rows on the client."""
        options = {
            "input_transform": self.input_transform is not None,
            "numeric_embedding": self.numeric_embedding is not None,
            "weight_init='lsuv'": self.weight_init == "lsuv",
            "target_scaling": getattr(self, "target_scaling", None) is not None,
            "clip_predictions": bool(getattr(self, "clip_predictions", False)),
        }
        used = [name for name, on in options.items() if on]
        if used:
            raise ValueError(
                f"{', '.join(used)} fit statistics of the training rows, which "
                "dask and batch input keep away from the client: transform X "
                "before (for example with a RobustScaler on a sample) or fit "
                "in-memory arrays."
            )

    def _fit_input_layer(self, X, sample_weight=None):
        """Fit the input transform's statistics and choose the embedded
        columns on training X, weighted (a first fit; None: chunked data,
        which use neither)."""
        for name in ("input_center_", "input_scale_", "embedded_features_"):
            self.__dict__.pop(name, None)
        if X is None:
            return
        if self.input_transform == "robust":
            self.input_center_, self.input_scale_ = robust_statistics(X, sample_weight)
        if self.numeric_embedding == "periodic":
            self.embedded_features_ = columns_to_embed(X, sample_weight)

    def _input_transformer(self):
        """``X -> transformed X`` of the fitted input transform, or None."""
        if not hasattr(self, "input_scale_"):
            return None
        return functools.partial(
            robust_transform,
            center=self.input_center_,
            scale=self.input_scale_,
            clip=None if self.input_clip is None else float(self.input_clip),
        )

    def _transform_input(self, X):
        transform = self._input_transformer()
        return X if transform is None else transform(X)

    def _input_layer(self):
        """The fitted ``_forward.InputLayer``, or None without extras."""
        if not (hasattr(self, "front_scale_") or hasattr(self, "embedding_coefs_")):
            return None
        return input_layer(self._layout().extra_views(self._flat), self._embedded())

    def _embedded(self):
        return getattr(self, "embedded_features_", np.empty(0, dtype=np.intp))

    def _new_layout(self, n_features, hidden, n_outputs):
        """The ``ParamLayout`` of these options for ``n_features`` columns."""
        m = len(self._embedded())
        k, d = int(self.embedding_frequencies), int(self.embedding_size)
        return ParamLayout(
            (n_features + m * d, *hidden, n_outputs),
            front_scale=bool(self.front_scale),
            embedding=(m, k, d) if m else (0, 0, 0),
        )

    def _layout(self):
        units = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
        coefs = getattr(self, "embedding_coefs_", None)
        return ParamLayout(
            tuple(int(u) for u in units),
            front_scale=hasattr(self, "front_scale_"),
            embedding=tuple(int(n) for n in coefs.shape)
            if coefs is not None
            else (0, 0, 0),
        )

    def _bind(self, flat, layout):
        self._flat = flat
        self.coefs_, self.intercepts_ = layout.views(flat)
        extras = layout.extra_views(flat)
        for key, name in EXTRA_ATTRIBUTES.items():
            if key in extras:
                setattr(self, name, extras[key])
            else:
                self.__dict__.pop(name, None)
        self._bound_views = tuple(self._parameter_arrays())

    def _parameter_arrays(self):
        extras = [
            getattr(self, name)
            for name in EXTRA_ATTRIBUTES.values()
            if hasattr(self, name)
        ]
        return self.coefs_ + self.intercepts_ + extras

    def _current_flat(self):
        """The flat vector behind the parameter arrays, repacked if they were
        replaced.

        In-place edits of the arrays are seen through the views; replaced arrays
        (assignment, or a pickle round trip, which copies views) are repacked.
        """
        bound = getattr(self, "_bound_views", ())
        current = self._parameter_arrays()
        if (
            getattr(self, "_flat", None) is None
            or len(bound) != len(current)
            or any(a is not b for a, b in zip(current, bound))
        ):
            layout = self._layout()
            dtype = np.result_type(*current)
            flat = layout.pack(self.coefs_, self.intercepts_, dtype)
            extras = layout.extra_views(flat)
            for key, name in EXTRA_ATTRIBUTES.items():
                if key in extras:
                    extras[key][...] = getattr(self, name)
            self._bind(flat, layout)
        return self._flat

    def _data_dependent_init(self, layout, X, sample_weight, random_state):
        """``weight_init='lsuv'`` on the (transformed, weighted) training rows."""
        spec = self._kernel_spec(layout)
        lsuv_initialize(
            layout,
            self._flat,
            self._transform_input(X),
            sample_weight,
            self._embedded(),
            spec.act_codes,
            spec.negative_slope,
            random_state,
        )
