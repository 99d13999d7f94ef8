"""
Prediction intervals with quantile outputs
==========================================

With ``loss="quantile"`` and a list of levels, one network learns several
conditional quantiles at once, one output each. Here the noise grows with
``|x|``: the 10% and 90% outputs spread apart where the data do, so the band
between them is a prediction interval of about 80% that is honest about where
the model is unsure. Predictions come sorted along the levels, so the
quantiles never cross.
"""

import matplotlib.pyplot as plt
import numpy as np

from skperceptron import MLPRegressor

rng = np.random.RandomState(0)
x = rng.uniform(-3, 3, 2000)
y = np.sin(x) + rng.normal(size=x.size) * (0.1 + 0.3 * np.abs(x))
x_test = rng.uniform(-3, 3, 2000)
y_test = np.sin(x_test) + rng.normal(size=x.size) * (0.1 + 0.3 * np.abs(x_test))

reg = MLPRegressor(
    loss="quantile",
    quantile=[0.1, 0.5, 0.9],
    hidden_layer_sizes=(32, 32),
    learning_rate_init=0.01,
    max_iter=200,
    random_state=0,
).fit(x[:, None], y)
grid = np.linspace(-3, 3, 300)
low, median, high = reg.predict(grid[:, None]).T
pred = reg.predict(x_test[:, None])
coverage = np.mean((y_test >= pred[:, 0]) & (y_test <= pred[:, 2]))

fig, ax = plt.subplots(figsize=(8, 4.5))
ax.scatter(x_test, y_test, s=4, c="grey", alpha=0.5, label="held-out data")
ax.fill_between(grid, low, high, alpha=0.3, label=f"10%-90% ({coverage:.0%} covered)")
ax.plot(grid, median, lw=2, label="median")
ax.plot(grid, np.sin(grid), "k--", label="sin(x)")
ax.set(xlabel="x", ylabel="y")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
