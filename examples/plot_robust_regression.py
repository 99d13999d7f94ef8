"""
Regression with outliers: squared, absolute and Huber losses
============================================================

5% of the targets are corrupted by gross errors. The squared error grows with
the square of a residual, so those few points pull the fit towards them; the
absolute error and the Huber loss grow only linearly beyond ``huber_delta`` and
fit the clean trend.
"""

import matplotlib.pyplot as plt
import numpy as np

from skperceptron import MLPRegressor

rng = np.random.RandomState(0)
x = np.sort(rng.uniform(-3, 3, 300))
clean = np.sin(x) + 0.3 * x
y = clean + 0.1 * rng.normal(size=x.size)
outliers = rng.choice(x.size, 15, replace=False)
y[outliers] += rng.uniform(4, 8, 15)

fig, ax = plt.subplots(figsize=(8, 4.5))
ax.scatter(x, y, s=10, c="grey", label="data (5% outliers)")
for loss in ["squared_error", "absolute_error", "huber"]:
    reg = MLPRegressor(
        loss=loss,
        hidden_layer_sizes=(32, 32),
        activation="tanh",
        solver="lbfgs",
        max_iter=2000,
        random_state=0,
    )
    reg.fit(x[:, None], y)
    error = np.mean(np.abs(reg.predict(x[:, None]) - clean))
    ax.plot(x, reg.predict(x[:, None]), lw=2, label=f"{loss} (error {error:.2f})")
ax.plot(x, clean, "k--", label="clean trend")
ax.set(xlabel="x", ylabel="y", ylim=(-3, 9))
ax.legend()
fig.tight_layout()
plt.show()
