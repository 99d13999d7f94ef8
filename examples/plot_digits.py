"""
Handwritten digits
==================

The worked example: an MLP with one hidden layer of 64 units reads 8 x 8 images
of handwritten digits. The learning curves show training and hold-out loss per
epoch (early stopping keeps the best epoch), and the first-layer weights show
what each hidden unit looks for.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skperceptron import LossCurveDisplay, MLPClassifier

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
clf = MLPClassifier(
    hidden_layer_sizes=(64,),
    early_stopping=True,
    scoring="loss",
    n_iter_no_change=15,
    max_iter=300,
    random_state=0,
)
clf.fit(X_train, y_train)
print(f"test accuracy {clf.score(X_test, y_test):.3f} after {clf.n_iter_} epochs")

fig, ax = plt.subplots(figsize=(6, 4))
LossCurveDisplay.from_estimator(clf, ax=ax, name="digits MLP")
fig.tight_layout()

fig, axes = plt.subplots(4, 8, figsize=(8, 4.4))
weights = clf.coefs_[0]
vmax = abs(weights).max()
for k, ax in enumerate(axes.ravel()):
    ax.imshow(weights[:, k].reshape(8, 8), cmap="RdBu", vmin=-vmax, vmax=vmax)
    ax.set_axis_off()
fig.suptitle("First-layer weights of 32 hidden units")
plt.show()
