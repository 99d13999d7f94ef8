"""
Fitting on a dask cluster
=========================

``fit`` accepts dask arrays: each chunk of X stays on the worker that holds
it. With ``solver="lbfgs"`` every iteration sums the loss and gradient of all
chunks, so the result is that of the in-memory fit; ``adam`` and ``sgd``
stream each epoch over the chunks in a shuffled order, the weights travelling
from worker to worker, and reach the in-memory accuracy. Predictions on dask
input are dask arrays, computed chunk by chunk on the workers.

The cluster here runs in this process (``processes=False``) to keep the
example small; the same code runs on a real cluster with
``Client("scheduler-address:8786")``.
"""

import warnings

import dask.array as da
import matplotlib.pyplot as plt
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from skperceptron import MLPClassifier

warnings.filterwarnings("ignore", category=ConvergenceWarning)

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
)
client = Client(cluster)

X, y = make_classification(
    n_samples=20_000, n_features=20, n_informative=10, random_state=0
)
X_dask = da.from_array(X, chunks=(4_000, -1))  # five chunks of whole rows
y_dask = da.from_array(y, chunks=4_000)

params = dict(hidden_layer_sizes=(32,), max_iter=30, random_state=0)
in_memory = MLPClassifier(**params).fit(X, y)
on_dask = MLPClassifier(**params).fit(X_dask, y_dask)
print(f"adam accuracy: in memory {in_memory.score(X, y):.4f}, ", end="")
print(f"streamed over 5 chunks {on_dask.score(X_dask, y_dask):.4f}")

lbfgs = dict(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=50, random_state=0)
difference = abs(
    MLPClassifier(**lbfgs).fit(X, y).loss_
    - MLPClassifier(**lbfgs).fit(X_dask, y_dask).loss_
)
print(f"lbfgs: |loss in memory - loss on dask| = {difference:.1e}")

predictions = on_dask.predict(X_dask)  # a dask array, nothing computed yet
print(type(predictions).__name__, predictions.chunks)

client.close()
cluster.close()

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(in_memory.loss_curve_, label="in memory")
ax.plot(on_dask.loss_curve_, label="dask, 5 chunks streamed", linestyle="--")
ax.set(xlabel="epoch", ylabel="training loss", title="adam: loss per epoch")
ax.legend()
fig.tight_layout()
plt.show()
