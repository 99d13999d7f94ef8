"""
Dropout against overfitting
===========================

500 handwritten digits, 30% of them with random labels, and a network of 256
hidden units: enough weights to memorise every example, wrong labels
included. Without dropout it does, and the memorised noise costs it on the
1,297 held-out digits (whose labels are clean). Dropout (``dropout=0.5``)
trains a different thinned network on every minibatch, so no unit can rely on
particular partners to store one example; the full network used for
prediction keeps to what the many correct labels agree on. Left: training
loss on the noisy labels (dropout's is that of the thinned networks). Right:
loss on the held-out digits after each epoch, recorded through
``fit(X_val=..., y_val=...)``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skperceptron import MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
rng = np.random.RandomState(0)
rows = rng.permutation(len(X))
train, test = rows[:500], rows[500:]
noisy = y.copy()
flip = rng.uniform(size=len(y)) < 0.3
noisy[flip] = rng.randint(10, size=flip.sum())

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for rate in [0.0, 0.5]:
    clf = MLPClassifier(
        hidden_layer_sizes=(256,),
        alpha=0.0,
        batch_size=32,
        learning_rate_init=0.003,
        max_iter=100,
        tol=0,
        n_iter_no_change=100,
        dropout=rate,
        random_state=0,
    )
    clf.fit(X[train], noisy[train], X_val=X[test], y_val=y[test])
    error = 1 - clf.score(X[test], y[test])
    label = f"dropout={rate} (test error {error:.1%})"
    axes[0].plot(clf.loss_curve_, label=label)
    axes[1].plot(clf.validation_loss_curve_, label=label)
axes[0].set(title="training loss (30% wrong labels)", xlabel="epoch")
axes[1].set(title="held-out loss (clean labels)", xlabel="epoch")
axes[1].legend()
fig.tight_layout()
plt.show()
