"""L-BFGS on a two-worker dask LocalCluster against the same fit in memory."""

import numpy as np
from common import best_time

import skperceptron


def run_dask_rows(n_samples=2_000_000, n_features=50, iterations=20):
    """L-BFGS on a 2-worker LocalCluster against the same fit in memory.

    The data are drawn on the workers (``dask.array.random``) and persisted
    there; the in-memory fit gets the same arrays, computed into this process.
    """
    import dask
    import dask.array as da
    from distributed import Client, LocalCluster

    chunk = -(-n_samples // 8)
    params = dict(
        hidden_layer_sizes=(32,),
        solver="lbfgs",
        max_iter=iterations,
        tol=0.0,
        random_state=0,
    )
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        rng = da.random.RandomState(0)
        X = rng.standard_normal((n_samples, n_features), chunks=(chunk, n_features))
        w = np.random.RandomState(1).normal(size=n_features)
        noise = rng.standard_normal(n_samples, chunks=chunk)
        y = (X @ w + noise > 0).astype(np.int64)
        X, y = dask.persist(X, y)
        X_local, y_local = dask.compute(X, y)
        warm = dict(params, max_iter=1)
        skperceptron.MLPClassifier(**warm).fit(X_local[:1000], y_local[:1000])
        skperceptron.MLPClassifier(**warm).fit(X, y)  # compiles on the workers
        t_dask, on_dask = best_time(
            lambda: skperceptron.MLPClassifier(**params).fit(X, y), 1
        )
        t_memory, in_memory = best_time(
            lambda: skperceptron.MLPClassifier(**params).fit(X_local, y_local), 1
        )
    row = dict(
        workload=f"lbfgs {n_samples}x{n_features} dask 2 workers vs memory",
        dask_s=t_dask,
        memory_s=t_memory,
        ratio=t_dask / t_memory,
        iterations=on_dask.n_iter_,
        overhead_per_iteration_s=(t_dask - t_memory) / on_dask.n_iter_,
        loss_difference=abs(on_dask.loss_ - in_memory.loss_),
    )
    print(
        f"{row['workload']:<42}{t_dask:>10.4f}{t_memory:>10.4f}{row['ratio']:>8.2f}"
        f"  {row['iterations']} iterations, overhead "
        f"{row['overhead_per_iteration_s'] * 1000:.1f} ms/iteration, "
        f"|loss difference| {row['loss_difference']:.1e}",
        flush=True,
    )
    return [row]
