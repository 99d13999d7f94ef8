"""
Activation functions and their derivatives
==========================================

The activations skperceptron offers, computed by its compiled kernels, with
their derivatives. Backpropagation multiplies by the derivative at every layer:
logistic and tanh saturate (derivative near 0 for large ``|z|``), relu passes
the gradient unchanged where it is active, softplus is a smooth relu.
"""

import matplotlib.pyplot as plt
import numpy as np

from skperceptron._kernels.activations import (
    add_bias_and_activate,
    multiply_by_derivative,
)
from skperceptron._kernels.specs import ACTIVATION_CODES

z = np.linspace(-5, 5, 401)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for name in ["identity", "logistic", "tanh", "relu", "softplus", "selu"]:
    a = z[None, :].copy()
    add_bias_and_activate(a, np.zeros(a.shape[1]), ACTIVATION_CODES[name], 0.01)
    derivative = np.ones_like(a)
    multiply_by_derivative(a, derivative, ACTIVATION_CODES[name], 0.01)
    axes[0].plot(z, a[0], label=name)
    axes[1].plot(z, derivative[0], label=name)
axes[0].set(title="f(z)", xlabel="z", ylim=(-2, 5))
axes[1].set(title="f'(z), computed from a = f(z)", xlabel="z", ylim=(-0.1, 1.9))
axes[0].legend()
fig.tight_layout()
plt.show()
