"""Fit and predict on dask collections, on a real two-process LocalCluster on
loopback: L-BFGS equals the in-memory fit, one-chunk streaming equals it
exactly, several chunks reach its accuracy, X never reaches the client, and a
failed fit leaves the estimator as it was."""

import os
import pickle
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits, make_classification

from skperceptron import MLPClassifier, MLPRegressor, Perceptron

distributed = pytest.importorskip(
    "distributed",
    reason="dask[distributed] is in the test extras; without it there is no "
    "cluster to fit on",
)
dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")


def _cluster(n_workers=2):
    return distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env={"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )


@pytest.fixture(scope="module")
def client():
    cluster = _cluster()
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def _chunked(X, y, rows, sample_weight=None):
    Xd = da.from_array(X, chunks=(rows, -1))
    yd = da.from_array(y, chunks=(rows,) + y.shape[1:])
    if sample_weight is None:
        return Xd, yd
    return Xd, yd, da.from_array(sample_weight, chunks=rows)


# One chunk runs the in-memory fit's arithmetic on a worker, whose BLAS may use
# another thread count than this process: equal to rounding, not bit for bit.
_SAME = dict(rtol=1e-10, atol=1e-12)


def _max_coef_difference(a, b):
    return max(np.abs(p - q).max() for p, q in zip(a.coefs_, b.coefs_))


# ------------------------------------------------------------------ L-BFGS
def test_lbfgs_equals_in_memory_fit(client, digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=40, random_state=0)
    local = MLPClassifier(**params).fit(X, y)
    remote = MLPClassifier(**params).fit(*_chunked(X, y, 300))
    assert remote.n_iter_ == local.n_iter_ == 40
    assert abs(remote.loss_ - local.loss_) < 1e-8
    assert _max_coef_difference(remote, local) < 1e-6
    assert_array_equal(remote.classes_, local.classes_)


@pytest.mark.parametrize("output", [{}, {"out_activation": "softplus"}])
def test_lbfgs_regressor_with_sample_weight_equals_in_memory_fit(client, output):
    # two outputs: squared error reported averaged over them; softplus: the
    # output bias starts at the weighted mean target, computed on the workers
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1000, 6))
    y = np.column_stack([np.abs(X @ rng.normal(size=6)), 1 + np.tanh(X[:, 0])])
    sw = rng.uniform(0, 2, size=1000)
    params = dict(
        hidden_layer_sizes=(8,), solver="lbfgs", max_iter=25, random_state=0, **output
    )
    local = MLPRegressor(**params).fit(X, y, sample_weight=sw)
    remote = MLPRegressor(**params).fit(*_chunked(X, y, 256, sw))
    assert remote.n_iter_ == local.n_iter_
    assert abs(remote.loss_ - local.loss_) < 1e-8


def test_fits_without_a_cluster_on_the_local_scheduler(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=10, random_state=0)
    with dask.config.set(scheduler="synchronous"):
        remote = MLPClassifier(**params).fit(*_chunked(X, y, 600))
        perceptron = Perceptron(random_state=0).fit(*_chunked(X, y, -1))
    assert abs(remote.loss_ - MLPClassifier(**params).fit(X, y).loss_) < 1e-8
    assert_allclose(
        perceptron.coef_, Perceptron(random_state=0).fit(X, y).coef_, **_SAME
    )


# --------------------------------------------------------------- streaming
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_one_chunk_streaming_equals_in_memory_fit(client, digits, solver):
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), solver=solver, max_iter=5, random_state=0)
    local = MLPClassifier(**params).fit(X, y)
    remote = MLPClassifier(**params).fit(*_chunked(X, y, -1))
    assert_allclose(remote.loss_curve_, local.loss_curve_, **_SAME)
    assert remote.n_iter_ == local.n_iter_ and remote.t_ == local.t_
    for a, b in zip(
        remote.coefs_ + remote.intercepts_, local.coefs_ + local.intercepts_
    ):
        assert_allclose(a, b, **_SAME)


def test_one_chunk_streaming_with_training_options_equals_in_memory_fit(client, digits):
    X, y = digits
    params = dict(
        hidden_layer_sizes=(16, 8),
        solver="nadam",
        activation=["gelu", "leaky_relu"],
        dropout=(0.3, 0.1),
        learning_rate="onecycle",
        warmup_epochs=1,
        weight_decay=0.01,
        max_grad_norm=1.0,
        label_smoothing=0.1,
        weight_init="he_uniform",
        max_iter=4,
        random_state=0,
    )
    local = MLPClassifier(**params).fit(X, y)
    remote = MLPClassifier(**params).fit(*_chunked(X, y, -1))
    assert_allclose(remote.loss_curve_, local.loss_curve_, **_SAME)
    for a, b in zip(remote.coefs_, local.coefs_):
        assert_allclose(a, b, **_SAME)
    levels = dict(loss="quantile", quantile=[0.2, 0.8], max_iter=3, random_state=0)
    reg_local = MLPRegressor(**levels).fit(X, X[:, 10])
    reg_remote = MLPRegressor(**levels).fit(*_chunked(X, X[:, 10], -1))
    assert_allclose(reg_remote.predict(X), reg_local.predict(X), **_SAME)


def test_one_chunk_weighted_regression_equals_in_memory_fit(client):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 5))
    y = X @ rng.normal(size=5)
    sw = rng.uniform(0, 3, size=600)
    params = dict(hidden_layer_sizes=(8,), max_iter=4, batch_size=64, random_state=0)
    local = MLPRegressor(**params).fit(X, y, sample_weight=sw)
    remote = MLPRegressor(**params).fit(*_chunked(X, y, -1, sw))
    assert_allclose(remote.loss_curve_, local.loss_curve_, **_SAME)
    assert_allclose(remote.predict(X), local.predict(X), **_SAME)


def test_warm_start_continues_from_the_fitted_weights(client, digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    local = MLPClassifier(**params, warm_start=True).fit(X, y).fit(X, y)
    remote = MLPClassifier(**params, warm_start=True)
    remote.fit(*_chunked(X, y, -1)).fit(*_chunked(X, y, -1))
    assert len(local.loss_curve_) == 6
    assert_allclose(remote.loss_curve_, local.loss_curve_, **_SAME)
    assert_allclose(remote.coefs_[0], local.coefs_[0], **_SAME)


@pytest.mark.parametrize("multi_class", ["ovr", "multinomial"])
def test_one_chunk_perceptron_equals_in_memory_fit(client, digits, multi_class):
    X, y = digits
    local = Perceptron(multi_class=multi_class, random_state=0).fit(X, y)
    remote = Perceptron(multi_class=multi_class, random_state=0).fit(
        *_chunked(X, y, -1)
    )
    assert remote.n_iter_ == local.n_iter_
    assert_allclose(remote.coef_, local.coef_, **_SAME)
    assert_allclose(remote.intercept_, local.intercept_, **_SAME)


def test_several_chunks_reach_in_memory_accuracy_on_digits(client, digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(32,), max_iter=60, random_state=0)
    local = MLPClassifier(**params).fit(X, y).score(X, y)
    remote = MLPClassifier(**params).fit(*_chunked(X, y, 250))
    assert remote.n_iter_ > 1 and len(remote.loss_curve_) == remote.n_iter_
    assert remote.score(X, y) > local - 0.02
    perceptron = Perceptron(random_state=0).fit(X, y).score(X, y)
    assert Perceptron(random_state=0).fit(*_chunked(X, y, 250)).score(
        X, y
    ) > perceptron - (0.05)


def test_several_chunks_reach_in_memory_accuracy_on_a_large_problem(client):
    X, y = make_classification(
        n_samples=200_000, n_features=20, n_informative=10, random_state=0
    )
    params = dict(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    local = MLPClassifier(**params).fit(X, y).score(X, y)
    Xd, yd = _chunked(X, y, 50_000)
    remote = MLPClassifier(**params).fit(Xd, yd)
    assert remote.n_iter_ == 3
    assert abs(remote.score(Xd, yd) - local) < 0.01
    # the last weights of a perceptron on inseparable data swing by several
    # points from epoch to epoch (and seed to seed); their average does not
    params = dict(max_iter=3, tol=None, average=True, random_state=0)
    local = Perceptron(**params).fit(X, y).score(X, y)
    assert abs(Perceptron(**params).fit(Xd, yd).score(Xd, yd) - local) < 0.01


def test_early_stopping_holds_out_rows_of_every_chunk(client, digits):
    X, y = digits
    est = MLPClassifier(
        hidden_layer_sizes=(16,),
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=200,
        random_state=0,
    ).fit(*_chunked(X, y, 300))
    assert len(est.validation_scores_) == est.n_iter_ < 200
    assert len(est.validation_loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_) > 0.85
    perceptron = Perceptron(early_stopping=True, random_state=0)
    assert perceptron.fit(*_chunked(X, y, 300)).score(X, y) > 0.85
    regressor = MLPRegressor(
        hidden_layer_sizes=(16,), early_stopping=True, max_iter=30, random_state=0
    ).fit(*_chunked(X, X[:, 20] + X[:, 30], 300))
    assert len(regressor.validation_scores_) == regressor.n_iter_
    assert regressor.best_validation_score_ > 0.5


# -------------------------------------------------------------- prediction
def test_predictions_on_dask_input_equal_numpy_predictions(client, digits):
    X, y = digits
    Xd, yd = _chunked(X, y, 400)
    clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=30, random_state=0)
    clf.fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        result = getattr(clf, method)(Xd)
        assert isinstance(result, da.Array)
        assert_allclose(result.compute(), getattr(clf, method)(X), rtol=1e-12)
    assert clf.score(Xd, yd) == pytest.approx(clf.score(X, y))
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0)
    reg.fit(X, X[:, :2])
    assert_allclose(reg.predict(Xd).compute(), reg.predict(X), rtol=1e-12)
    assert reg.score(Xd, da.from_array(X[:, :2], chunks=(400, -1))) == (
        pytest.approx(reg.score(X, X[:, :2]))
    )
    perceptron = Perceptron(random_state=0).fit(X, y)
    assert_array_equal(perceptron.predict(Xd).compute(), perceptron.predict(X))
    assert_allclose(
        perceptron.decision_function(Xd).compute(), perceptron.decision_function(X)
    )
    assert perceptron.score(Xd, yd) == pytest.approx(perceptron.score(X, y))


def test_numpy_fits_do_not_import_dask():
    code = (
        "import sys\n"
        "from skperceptron import MLPClassifier, Perceptron\n"
        "X, y = [[0.0, 1.0], [1.0, 0.0]] * 5, [0, 1] * 5\n"
        "MLPClassifier(max_iter=2).fit(X, y).score(X, y)\n"
        "Perceptron().fit(X, y).predict(X)\n"
        "assert not any(m.split('.')[0] == 'dask' for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True)


def test_fitted_model_is_an_ordinary_estimator(client, digits):
    X, y = digits
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=10, random_state=0)
    est.fit(*_chunked(X, y, 500))
    copy = pickle.loads(pickle.dumps(est))
    assert_array_equal(copy.predict(X), est.predict(X))
    assert_array_equal(est.to_sklearn().predict(X), est.predict(X))
    perceptron = Perceptron(random_state=0).fit(*_chunked(X, y, 500))
    assert_array_equal(perceptron.to_sklearn().predict(X), perceptron.predict(X))


def test_dataframe_input_records_feature_names(client, digits):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y = digits
    frame = pd.DataFrame(X[:600], columns=[f"f{i}" for i in range(64)])
    frame["label"] = y[:600]
    ddf = dd.from_pandas(frame, npartitions=3)
    est = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=20)
    est.fit(ddf.drop(columns="label"), ddf["label"])
    assert list(est.feature_names_in_) == [f"f{i}" for i in range(64)]
    predicted = est.predict(ddf.drop(columns="label")).compute()
    assert_array_equal(predicted, est.predict(frame.drop(columns="label")))
    with pytest.raises(ValueError, match="to_dask_array"):
        est.fit(ddf.drop(columns="label").values, ddf["label"])


# ------------------------------------------------------------------ errors
def test_clear_errors_for_unusable_chunking(client, digits):
    X, y = digits
    est = MLPClassifier(max_iter=2)
    with pytest.raises(ValueError, match=r"rechunk\(\{1: -1\}\)"):
        est.fit(da.from_array(X, chunks=(500, 32)), da.from_array(y, chunks=500))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        Xd, yd = _chunked(X, y, 500)
        est.fit(Xd[Xd[:, 10] > 0.1], yd)
    with pytest.raises(ValueError, match="mismatched partitions"):
        est.fit(da.from_array(X, chunks=(500, -1)), da.from_array(y, chunks=400))
    with pytest.raises(ValueError, match="mismatched partitions"):
        est.fit(*_chunked(X, y, 500), sample_weight=da.ones(len(y), chunks=300))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        bad = X.copy()
        bad[3, 3] = np.nan
        est.fit(*_chunked(bad, y, 500))
    assert not hasattr(est, "coefs_")
    for partial in (MLPClassifier(), Perceptron()):
        with pytest.raises(TypeError, match="in-memory batches"):
            partial.partial_fit(*_chunked(X, y, 500), classes=np.unique(y))
    with pytest.raises(TypeError, match="in-memory batches"):
        MLPRegressor().partial_fit(*_chunked(X, y, 500))


def test_failed_fit_keeps_previous_state(client, digits):
    X, y = digits
    est = MLPRegressor(
        hidden_layer_sizes=(8,), solver="sgd", max_iter=5, random_state=0
    )
    est.fit(X, y.astype(float))
    before = [c.copy() for c in est.coefs_]
    est.set_params(learning_rate_init=1e6, warm_start=False)
    with pytest.raises(ValueError, match="non-finite"):
        est.fit(*_chunked(X, y.astype(float) * 1e10, 400))
    for a, b in zip(est.coefs_, before):
        assert_array_equal(a, b)


@pytest.mark.parametrize("allowed_failures", [3, 0])
def test_killed_workers_fail_cleanly_or_are_retried(digits, allowed_failures):
    # dask reruns a task whose worker died up to allowed-failures times
    # (default 3), recomputing lost chunks from the graph; with 0 the fit
    # gets a KilledWorker error. Either way no half-updated model is left.
    X, y = digits
    with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}):
        cluster = _cluster()
        client = distributed.Client(cluster)
        try:
            est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
            est.fit(X, y)
            before = [c.copy() for c in est.coefs_]
            est.set_params(max_iter=150, tol=0, random_state=1)
            victims = sorted(client.run(os.getpid).values())
            killed = threading.Event()

            def kill():
                for victim in victims:  # both, so that the running task is hit
                    time.sleep(1.5)
                    os.kill(victim, signal.SIGKILL)
                killed.set()

            Xd, yd = _chunked(X, y, 200)
            killer = threading.Thread(target=kill)
            killer.start()
            try:
                est.fit(Xd, yd)
            except Exception as exc:
                killer.join()
                assert isinstance(exc, (distributed.scheduler.KilledWorker, OSError))
                for a, b in zip(est.coefs_, before):
                    assert_array_equal(a, b)
                assert est.n_iter_ == 3 and len(est.loss_curve_) == 3
            else:
                killer.join()
                assert killed.is_set()
                assert est.n_iter_ == len(est.loss_curve_) == 150
                assert est.score(X, y) > 0.9
        finally:
            client.close()
            cluster.close()


def _rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_lazy_data_never_reaches_the_client(client):
    n_rows, n_features = 1_000_000, 50  # 400 MB of float64
    X = da.random.RandomState(0).random_sample(
        (n_rows, n_features), chunks=(125_000, n_features)
    )
    y = (X[:, 0] + X[:, 1] > 1).astype(np.int64)
    peak = baseline = _rss_mb()
    done = threading.Event()

    def watch():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_mb())
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        est = MLPClassifier(
            hidden_layer_sizes=(4,), solver="lbfgs", max_iter=3, random_state=0
        ).fit(X, y)
        predicted = est.predict(X)
        accuracy = est.score(X, y)
    finally:
        done.set()
        watcher.join()
    assert X.nbytes / 2**20 > 380
    assert peak - baseline < 100, (baseline, peak)
    assert isinstance(predicted, da.Array) and 0 <= accuracy <= 1


def test_validation_data_on_the_client_next_to_dask_input(client, digits):
    X, y = digits
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    est.fit(*_chunked(X[:1500], y[:1500], 500), X_val=X[1500:], y_val=y[1500:])
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == 3
    assert est.best_validation_score_ == max(est.validation_scores_)
