"""Classic neural networks for scikit-learn, trained by numba-compiled kernels."""

from . import _preload  # noqa: F401, I001  (first: see _preload)

from ._from_sklearn import from_sklearn
from ._mlp_classifier import MLPClassifier
from ._mlp_regressor import MLPRegressor
from ._perceptron import Perceptron
from ._precompile import precompile
from .display import LossCurveDisplay
from ._version import __version__
from .onnx import _install_import_hook

_install_import_hook()

__all__ = [
    "LossCurveDisplay",
    "MLPClassifier",
    "MLPRegressor",
    "Perceptron",
    "from_sklearn",
    "precompile",
    "__version__",
]
