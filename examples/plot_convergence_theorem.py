"""
The perceptron convergence theorem in practice
==============================================

On linearly separable data the perceptron rule makes a finite number of
mistakes (at most ``(R / margin) ** 2``), after which an epoch is error-free and
training stops. The wider the margin between the classes, the sooner.
"""

import matplotlib.pyplot as plt
import numpy as np

from skperceptron import Perceptron

rng = np.random.RandomState(0)
direction = np.array([1.0, 1.0]) / np.sqrt(2)
fig, ax = plt.subplots(figsize=(6, 4))
for margin in [0.05, 0.1, 0.2, 0.4]:
    X = rng.uniform(-1, 1, size=(500, 2))
    side = X @ direction
    X = X[np.abs(side) > margin]
    y = (X @ direction > 0).astype(int)
    clf = Perceptron(tol=None, max_iter=1000, shuffle=False)
    mistakes = []
    for _ in range(1000):
        before = clf.coef_.copy() if hasattr(clf, "coef_") else None
        errors = (clf.predict(X) != y).sum() if before is not None else len(y)
        clf.partial_fit(X, y, classes=[0, 1])
        mistakes.append(errors)
        if before is not None and np.array_equal(before, clf.coef_):
            break
    bound = (np.abs(X).max() * np.sqrt(2) / margin) ** 2
    ax.plot(
        range(1, len(mistakes) + 1),
        mistakes,
        marker="o",
        label=f"margin {margin}: stops after {len(mistakes)} epochs",
    )
    fitted = Perceptron(tol=None, max_iter=1000, shuffle=False).fit(X, y)
    print(
        f"margin {margin}: fit stopped after {fitted.n_iter_} epochs, "
        f"training accuracy {fitted.score(X, y):.3f}, "
        f"theorem bound {bound:.0f} mistakes"
    )
ax.set(xlabel="epoch", ylabel="misclassified before the epoch", yscale="symlog")
ax.legend()
fig.tight_layout()
plt.show()
