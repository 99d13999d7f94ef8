"""
Multilabel: two independent yes/no labels
=========================================

Each sample carries two labels that are not exclusive (a point can be *right*
and *above* at once, or neither). Independent logistic outputs answer each
question separately; a multilabel Perceptron does the same with one threshold
unit per label.
"""

import matplotlib.pyplot as plt
import numpy as np

from skperceptron import MLPClassifier, Perceptron

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, size=(400, 2))
Y = np.c_[X[:, 0] > 0.1, X[:, 1] > -0.2].astype(int)  # "right", "above"

mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=500, random_state=0).fit(X, Y)
tlus = Perceptron(random_state=0).fit(X, Y)
print("MLP per-label accuracy:", (mlp.predict(X) == Y).mean(axis=0))
print("Perceptron per-label accuracy:", (tlus.predict(X) == Y).mean(axis=0))

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
codes = Y[:, 0] + 2 * Y[:, 1]
axes[0].scatter(X[:, 0], X[:, 1], c=codes, cmap="tab10", vmax=9, s=12)
axes[0].set_title("true labels (4 combinations)")
for ax, label in zip(axes[1:], ["right", "above"]):
    k = ["right", "above"].index(label)
    p = mlp.predict_proba(X)[:, k]
    sc = ax.scatter(X[:, 0], X[:, 1], c=p, cmap="coolwarm", s=12, vmin=0, vmax=1)
    ax.set_title(f"MLP: P({label})")
fig.colorbar(sc, ax=axes[1:])
plt.show()
