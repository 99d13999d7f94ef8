"""
Bounded and positive outputs
============================

An identity output can predict any value, including impossible ones far from
the training data. A logistic output stays in [0, 1] (proportions), a softplus
output stays positive (durations, prices).
"""

import matplotlib.pyplot as plt
import numpy as np

from skperceptron import MLPRegressor

rng = np.random.RandomState(0)
x = rng.uniform(-2, 2, 200)
share = 1 / (1 + np.exp(-2 * x)) + 0.03 * rng.normal(size=200)
share = np.clip(share, 0, 1)
price = np.exp(0.8 * x) + 0.1 * rng.normal(size=200) ** 2
x_wide = np.linspace(-5, 5, 300)[:, None]

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, target, bounded, title in [
    (axes[0], share, "logistic", "a share in [0, 1]"),
    (axes[1], price, "softplus", "a positive price"),
]:
    ax.scatter(x, target, s=8, c="grey", label="training data")
    for out in ["identity", bounded]:
        reg = MLPRegressor(
            out_activation=out,
            hidden_layer_sizes=(16,),
            solver="lbfgs",
            max_iter=1000,
            random_state=0,
        ).fit(x[:, None], target)
        ax.plot(x_wide, reg.predict(x_wide), lw=2, label=f"out_activation={out!r}")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(title=f"Predicting {title}", xlabel="x")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
