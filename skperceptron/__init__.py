"""Classic neural networks for scikit-learn, trained by numba-compiled kernels."""

from ._mlp import MLPClassifier, MLPRegressor
from ._perceptron import Perceptron

__version__ = "0.1.0.dev0"
__all__ = ["MLPClassifier", "MLPRegressor", "Perceptron", "__version__"]
