"""
Logic gates with threshold logic units
======================================

A threshold logic unit outputs 1 when ``w . x + b > 0``. One unit can compute
AND, OR and NAND: each is a line separating the inputs where the gate is on from
those where it is off. The perceptron rule finds such a line from the truth
table alone.
"""

import matplotlib.pyplot as plt
import numpy as np

from skperceptron import Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
gates = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0]}

fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
for ax, (name, y) in zip(axes, gates.items()):
    tlu = Perceptron(tol=None, shuffle=False, eta0=0.1).fit(X, y)
    assert (tlu.predict(X) == y).all()
    (w1, w2), b = tlu.coef_[0], tlu.intercept_[0]
    xs = np.linspace(-0.5, 1.5, 2)
    ax.plot(xs, -(w1 * xs + b) / w2, "k--", label="w . x + b = 0")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=150, edgecolor="k")
    ax.set(
        title=f"{name}: {tlu.n_iter_} epochs",
        xlim=(-0.5, 1.5),
        ylim=(-0.5, 1.5),
        xlabel="$x_1$",
        ylabel="$x_2$",
    )
    print(f"{name}: w = {tlu.coef_[0]}, b = {b:.2f}, learned in {tlu.n_iter_} epochs")
axes[0].legend(loc="upper left")
fig.tight_layout()
plt.show()
