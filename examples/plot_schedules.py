"""
Learning-rate schedules compared
================================

The same network and data (digits, 30 epochs of Adam) under four schedules:
a constant rate, a cosine decay to zero, the 1cycle policy (a rise to the peak
rate over the first half, then a fall to far below the start, with ``beta_1``
moving the other way) and a linear warmup of five epochs before the cosine.
and a callable that halves the rate every ten epochs. Left: the training loss
curves side by side. Right: the loss on held-out digits after each epoch
(``fit(X_val=..., y_val=...)``), with the final accuracy in the legend.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skperceptron import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, random_state=0)


def step_decay(epoch):
    """A callable schedule: halve the rate every 10 epochs."""
    return 0.01 * 0.5 ** (epoch // 10)


schedules = {
    "constant": dict(learning_rate="constant"),
    "cosine": dict(learning_rate="cosine"),
    "onecycle": dict(learning_rate="onecycle"),
    "warmup + cosine": dict(learning_rate="cosine", warmup_epochs=5),
    "callable (step decay)": dict(learning_rate=step_decay),
}
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for name, schedule in schedules.items():
    clf = MLPClassifier(
        hidden_layer_sizes=(64,),
        learning_rate_init=0.01,
        max_iter=30,
        tol=0,
        random_state=0,
        **schedule,
    )
    clf.fit(X_train, y_train, X_val=X_test, y_val=y_test)
    accuracy = clf.score(X_test, y_test)
    epochs = range(1, clf.n_iter_ + 1)
    axes[0].plot(epochs, clf.loss_curve_, label=name)
    axes[1].plot(epochs, clf.validation_loss_curve_, label=f"{name} ({accuracy:.1%})")
axes[0].set(title="training loss", xlabel="epoch", yscale="log")
axes[1].set(title="held-out loss", xlabel="epoch", yscale="log")
axes[1].legend()
fig.tight_layout()
plt.show()
