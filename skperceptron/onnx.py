"""Export to ONNX through skl2onnx.

Importing skperceptron registers the package's converters with skl2onnx the
moment skl2onnx itself is imported (or at once, if it already is), so
``skl2onnx.to_onnx`` converts pipelines, column transformers and ensembles
that contain ``MLPClassifier``, ``MLPRegressor`` or ``Perceptron`` with
nothing else to call; ``import skperceptron`` never imports skl2onnx.
``register_converters`` does the same explicitly.

The converted models give the package's predictions: ``MLPClassifier`` its
labels and ``predict_proba`` (skl2onnx's ``zipmap`` option applies),
``MLPRegressor`` its ``predict`` (quantile levels in sorted order), and
``Perceptron`` its labels and ``decision_function`` (two columns ``-s, s``
for a binary problem, as skl2onnx writes scikit-learn's linear models).
"""

import sys

_ALIASES = {
    "MLPClassifier": "SkperceptronMLPClassifier",
    "MLPRegressor": "SkperceptronMLPRegressor",
    "Perceptron": "SkperceptronPerceptron",
}


def register_converters():
    """Register the converters of the package's estimators with skl2onnx.

    Called automatically when skl2onnx is imported after (or before)
    skperceptron; calling it again is harmless.

    Examples
    --------
    >>> import numpy as np
    >>> from skl2onnx import to_onnx
    >>> from skperceptron import MLPClassifier
    >>> from skperceptron.onnx import register_converters
    >>> register_converters()
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 5)
    >>> y = np.array([0, 1, 1, 0] * 5)
    >>> clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=20).fit(X, y)
    >>> onx = to_onnx(clf, X[:1].astype(np.float32), options={"zipmap": False})
    >>> [output.name for output in onx.graph.output]
    ['label', 'probabilities']
    """
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes as classifier_shapes,
    )

    from . import _onnx
    from ._mlp_classifier import MLPClassifier
    from ._mlp_regressor import MLPRegressor
    from ._perceptron import Perceptron

    classifier_options = {"zipmap": [True, False, "columns"], "nocl": [True, False]}
    for model, shapes, convert, options in (
        (
            MLPClassifier,
            classifier_shapes,
            _onnx.convert_mlp_classifier,
            classifier_options,
        ),
        (
            MLPRegressor,
            _onnx.calculate_regressor_output_shapes,
            _onnx.convert_mlp_regressor,
            None,
        ),
        (
            Perceptron,
            classifier_shapes,
            _onnx.convert_perceptron,
            classifier_options,
        ),
    ):
        update_registered_converter(
            model, _ALIASES[model.__name__], shapes, convert, options=options
        )


class _RegisterWhenImported:
    """A meta-path finder that only watches for skl2onnx: once skl2onnx's
    module has run, ``register_converters`` runs (post-import hook)."""

    def find_spec(self, name, path=None, target=None):
        if name != "skl2onnx":
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_register(module):
            exec_module(module)
            register_converters()

        spec.loader.exec_module = exec_and_register
        return spec


def _install_import_hook():
    """Register now if skl2onnx is imported, else when it is."""
    if "skl2onnx" in sys.modules:
        register_converters()
    elif not any(isinstance(f, _RegisterWhenImported) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterWhenImported())
