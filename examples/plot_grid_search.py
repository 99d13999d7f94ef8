"""
Pipeline and grid search
========================

skperceptron's estimators are ordinary scikit-learn estimators: here a
StandardScaler + MLPClassifier pipeline is tuned by cross-validated grid search
over the hidden layer size and the L2 strength.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skperceptron import MLPClassifier

# Some grid points (tiny layers, strong L2) reach max_iter before the loss
# settles; that is part of what the search compares, not a problem to report.
# scikit-learn passes this filter on to the parallel workers.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_breast_cancer(return_X_y=True)
sizes, alphas = [(4,), (16,), (64,)], [1e-4, 1e-2, 1.0, 10.0]
search = GridSearchCV(
    make_pipeline(StandardScaler(), MLPClassifier(max_iter=300, random_state=0)),
    {"mlpclassifier__hidden_layer_sizes": sizes, "mlpclassifier__alpha": alphas},
    cv=5,
    n_jobs=2,
).fit(X, y)
print("best:", search.best_params_, f"score {search.best_score_:.3f}")

scores = search.cv_results_["mean_test_score"].reshape(len(alphas), len(sizes))
fig, ax = plt.subplots(figsize=(6, 4))
im = ax.imshow(scores, cmap="viridis")
ax.set(
    xticks=range(len(sizes)),
    xticklabels=[s[0] for s in sizes],
    yticks=range(len(alphas)),
    yticklabels=alphas,
    xlabel="hidden units",
    ylabel="alpha",
    title="5-fold CV accuracy",
)
for (i, j), value in np.ndenumerate(scores):
    ax.text(j, i, f"{value:.3f}", ha="center", va="center", color="w")
fig.colorbar(im)
fig.tight_layout()
plt.show()
