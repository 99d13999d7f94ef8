"""
A perceptron on iris petals
===========================

Petal length and width separate setosa from the other irises with a straight
line; a layer of three threshold units (one per class, one-vs-rest) draws the
three-class decision regions.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_iris
from sklearn.inspection import DecisionBoundaryDisplay

from skperceptron import Perceptron

iris = load_iris()
X, y = iris.data[:, 2:4], iris.target

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, multi_class in zip(axes, ["ovr", "multinomial"]):
    clf = Perceptron(multi_class=multi_class, average=True, random_state=0).fit(X, y)
    DecisionBoundaryDisplay.from_estimator(
        clf,
        X,
        ax=ax,
        alpha=0.3,
        cmap="viridis",
        xlabel="petal length (cm)",
        ylabel="petal width (cm)",
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="viridis", edgecolor="k", s=25)
    ax.set_title(f"multi_class={multi_class!r}: accuracy {clf.score(X, y):.2f}")
fig.tight_layout()
plt.show()
