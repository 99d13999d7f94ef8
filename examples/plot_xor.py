"""
XOR: a perceptron fails, a hidden layer succeeds
================================================

No line separates XOR's two classes, so a single layer of threshold units can
never classify all four points, and the perceptron rule never has an error-free
epoch. One hidden layer of two units is enough for a multilayer perceptron.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.inspection import DecisionBoundaryDisplay

from skperceptron import MLPClassifier, Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0])

perceptron = Perceptron(tol=None, max_iter=100, shuffle=False).fit(X, y)
mlp = MLPClassifier(
    hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", random_state=1
).fit(X, y)
print(
    f"perceptron: {perceptron.score(X, y):.2f} accuracy after "
    f"{perceptron.n_iter_} epochs (never error-free)"
)
print(f"MLP: {mlp.score(X, y):.2f} accuracy")

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, model, title in zip(
    axes, [perceptron, mlp], ["Perceptron (one layer)", "MLP, one hidden layer"]
):
    DecisionBoundaryDisplay.from_estimator(
        model, X, ax=ax, alpha=0.3, cmap="coolwarm", grid_resolution=200, eps=0.5
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=150, edgecolor="k")
    ax.set_title(f"{title}: accuracy {model.score(X, y):.2f}")
fig.tight_layout()
plt.show()
