"""
Benchmark against scikit-learn
==============================

Fit times of skperceptron and scikit-learn on the same data with the same
hyperparameters, measured when this page was built (small workloads, so that
the documentation builds quickly; ``benchmarks/run.py`` runs the full table).
"""

import functools
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn import neural_network as sknn
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SklearnPerceptron

import skperceptron

warnings.simplefilter("ignore", ConvergenceWarning)
X_digits, y_digits = load_digits(return_X_y=True)
X_fried, y_fried = make_friedman1(n_samples=5000, random_state=0)
X_lin, y_lin = make_classification(
    n_samples=50000, n_features=50, n_classes=5, n_informative=10, random_state=0
)
workloads = {
    "digits MLP, adam\n50 epochs": (
        "MLPClassifier",
        X_digits / 16,
        y_digits,
        dict(max_iter=50),
    ),
    "digits MLP, lbfgs": (
        "MLPClassifier",
        X_digits / 16,
        y_digits,
        dict(solver="lbfgs", max_iter=100),
    ),
    "friedman1 MLP\n(64, 64), 20 epochs": (
        "MLPRegressor",
        X_fried,
        y_fried,
        dict(hidden_layer_sizes=(64, 64), max_iter=20),
    ),
    "Perceptron\n50000x50, 5 classes": (
        "Perceptron",
        X_lin,
        y_lin,
        dict(max_iter=10, tol=None),
    ),
}


def best_time(make, X, y, repeats=2):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        make().fit(X, y)
        times.append(time.perf_counter() - start)
    return min(times)


ours, theirs = [], []
for name, (est, X, y, params) in workloads.items():
    ours_cls = getattr(skperceptron, est)
    theirs_cls = SklearnPerceptron if est == "Perceptron" else getattr(sknn, est)
    params = dict(params, random_state=0)
    ours_cls(**dict(params, max_iter=1)).fit(X[:50], y[:50])  # compile apart
    ours.append(best_time(functools.partial(ours_cls, **params), X, y))
    theirs.append(best_time(functools.partial(theirs_cls, **params), X, y))
    print(
        f"{name.replace(chr(10), ' ')}: ours {ours[-1]:.3f} s, "
        f"scikit-learn {theirs[-1]:.3f} s, ratio {ours[-1] / theirs[-1]:.2f}"
    )

fig, ax = plt.subplots(figsize=(8, 4))
index = np.arange(len(workloads))
ax.bar(index - 0.2, theirs, 0.4, label="scikit-learn")
ax.bar(index + 0.2, ours, 0.4, label="skperceptron")
ax.set(xticks=index, ylabel="fit time [s]", title="Fit time (lower is better)")
ax.set_xticklabels(list(workloads), fontsize=8)
ax.legend()
fig.tight_layout()
plt.show()
