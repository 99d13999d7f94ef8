"""A fit's hold-out evaluated by the training kernels' forward pass: the
outputs prediction computes, in one thread or two, for dense and CSR rows."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.base import clone

from skperceptron import MLPClassifier, MLPRegressor
from skperceptron._sources import validation
from skperceptron._sources.validation import HoldOutOutputs, HoldOutRuns, Network
from skperceptron.presets import tabular


def _network(estimator, n_threads=1):
    layout = estimator._layout()
    spec = estimator._kernel_spec(layout)
    net = Network(
        layout,
        spec.act_codes,
        spec.negative_slope,
        None,
        tuple(spec.emb_features),
        estimator._input_transformer(),
        n_threads,
    )
    return net, spec


def _fitted(kind, dtype, n_samples=301):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_samples, 6)).astype(dtype)
    X[:, 3] = np.exp(2 * X[:, 3])  # heavy-tailed: the robust transform clips it
    y = X[:, 0] - X[:, 1] * X[:, 2] + np.log1p(X[:, 3])
    if kind == "preset":
        est = MLPRegressor(**{**tabular("regression"), "max_iter": 3, "batch_size": 64})
    elif kind == "classifier":
        est = MLPClassifier(
            hidden_layer_sizes=(7, 5), activation="tanh", max_iter=3, dropout=0.2
        )
        y = np.digitize(y, np.quantile(y, [0.3, 0.7]))
    else:
        est = MLPRegressor(hidden_layer_sizes=(9,), activation="mish", max_iter=3)
    est.set_params(random_state=0)
    return est.fit(X, y), X


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["preset", "classifier", "regressor"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_kernel_outputs_are_prediction_outputs(kind, dtype, sparse, n_threads):
    tol = 1e-4 if dtype == np.float32 else 1e-10
    # 1300 rows: more than a workspace's block holds, in one thread or two
    for n_samples in (301, 1300):
        est, X = _fitted(kind, dtype, n_samples)
        if sparse:
            X = sp.csr_matrix(X)
        net, spec = _network(est, n_threads)
        outputs = HoldOutOutputs(X, net, spec, est._flat.dtype, n_threads)
        try:
            got = outputs(est._flat)
        finally:
            outputs.close()
        expected = validation.network_outputs(est._flat, net, X)
        assert got.dtype == expected.dtype == est._flat.dtype
        assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
@pytest.mark.parametrize("alongside", [False, True])
def test_fits_record_prediction_scores(monkeypatch, estimator, alongside):
    """A fit's validation scores and losses are those of numpy's forward pass."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(400, 5))
    y = X[:, 0] - X[:, 1] * X[:, 2]
    params = dict(max_iter=6, restore_best_weights=True, random_state=0)
    if estimator == "classifier":
        est, y = MLPClassifier(hidden_layer_sizes=(8,), **params), y > 0
    else:
        est = MLPRegressor(hidden_layer_sizes=(8,), activation="mish", **params)
    if alongside:  # the hold-out scored in a second thread while training
        monkeypatch.setattr("skperceptron._mlp_training.spare_core", lambda *a: True)
    kernel = clone(est).fit(X, y)
    init = HoldOutRuns.__init__

    def numpy_runs(self, *args, spec=None, dtype=None, **kwargs):
        init(self, *args, **kwargs)
        assert self.outputs is None

    monkeypatch.setattr(HoldOutRuns, "__init__", numpy_runs)
    reference = clone(est).fit(X, y)
    assert len(kernel.validation_scores_) == 6
    assert_allclose(kernel.validation_scores_, reference.validation_scores_, rtol=1e-9)
    assert kernel.best_validation_score_ == pytest.approx(
        reference.best_validation_score_, rel=1e-9
    )
    assert_allclose(kernel.predict(X), reference.predict(X), rtol=1e-9, atol=1e-12)
