"""A grid search that outgrows one machine runs on dask: a real two-process
LocalCluster on loopback gives the same results as the local run."""

import joblib
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skperceptron import MLPClassifier

distributed = pytest.importorskip(
    "distributed",
    reason="dask[distributed] is in the "
    "test extras; without it there is no cluster to test",
)


@pytest.fixture(scope="module")
def cluster_client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env={"NUMBA_NUM_THREADS": "1"},
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_grid_search_on_dask_matches_local_run(cluster_client):
    X, y = load_digits(n_class=5, return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=20, random_state=0))
    grid = {
        "mlpclassifier__hidden_layer_sizes": [(16,), (32,)],
        "mlpclassifier__alpha": [1e-4, 1e-2],
    }
    local = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(X, y)
    assert remote.best_params_ == local.best_params_
    # Workers run BLAS with one thread (other rounding): a prediction sitting on
    # a decision boundary could flip, nothing more.
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        assert_allclose(remote.cv_results_[key], local.cv_results_[key], atol=0.01)
    workers = cluster_client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(w["nthreads"] == 1 for w in workers.values())
