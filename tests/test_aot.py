"""The ahead-of-time kernels: the same models as the JIT's, fresh processes that
serve and fit without numba, and installs whose files were re-created."""

import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits

from skperceptron import MLPClassifier, MLPRegressor, Perceptron
from skperceptron._kernels import compiled

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "skperceptron"
BUILT = compiled.aot_module() is not None
# CI builds the extension and sets this, so that a broken build fails there
# instead of silently testing the JIT twice.
REQUIRED = os.environ.get("SKPERCEPTRON_REQUIRE_AOT") == "1"
needs_aot = pytest.mark.skipif(
    not BUILT and not REQUIRED,
    reason="the ahead-of-time kernels were not built here (no C compiler, "
    "SKPERCEPTRON_NO_AOT=1 or SKPERCEPTRON_JIT=1): the JIT serves instead",
)


def test_the_build_ran_where_it_is_required():
    assert BUILT or not REQUIRED


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


def _fit(X, y, **params):
    params = {"hidden_layer_sizes": (12,), "max_iter": 4, "random_state": 0, **params}
    return MLPClassifier(**params).fit(X, y)


@needs_aot
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "options",
    [
        dict(solver="adam"),
        dict(solver="sgd", dropout=0.2),
        dict(solver="nadam", activation="gelu", max_grad_norm=1.0),
        dict(solver="rmsprop", activation="mish", weight_decay=0.01),
        dict(
            solver="adagrad",
            activation=["elu", "leaky_relu"],
            hidden_layer_sizes=(12, 8),
            early_stopping=True,
        ),
        dict(solver="lbfgs"),
    ],
    ids=["adam", "sgd", "nadam", "rmsprop", "adagrad", "lbfgs"],
)
def test_ahead_of_time_and_jit_kernels_give_the_same_model(
    digits, dtype, sparse, options, monkeypatch
):
    X, y = digits
    X = X.astype(dtype)
    if sparse:
        X = sp.csr_matrix(X)
    aot = _fit(X, y, **options)
    monkeypatch.setattr(compiled, "_CHOSEN", {})
    monkeypatch.setattr(compiled, "_AOT", None)
    jit = _fit(X, y, **options)
    # the same source, compiled by the same LLVM for the same CPU by two
    # drivers: equal to rounding (float32: to float32's)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    for a, b in zip(aot.coefs_ + aot.intercepts_, jit.coefs_ + jit.intercepts_):
        assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-2)


@needs_aot
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "options",
    [dict(), dict(penalty="l1", average=True), dict(multi_class="multinomial")],
    ids=["ovr", "l1-averaged", "multinomial"],
)
def test_ahead_of_time_and_jit_perceptrons_are_the_same(
    digits, dtype, sparse, options, monkeypatch
):
    X, y = digits
    X = X.astype(dtype)
    if sparse:
        X = sp.csr_matrix(X)
    aot = Perceptron(max_iter=6, random_state=0, **options).fit(X, y)
    monkeypatch.setattr(compiled, "_CHOSEN", {})
    monkeypatch.setattr(compiled, "_AOT", None)
    jit = Perceptron(max_iter=6, random_state=0, **options).fit(X, y)
    assert aot.n_iter_ == jit.n_iter_
    assert_allclose(aot.coef_, jit.coef_, rtol=1e-12 if dtype == np.float64 else 1e-5)


def _python_runs_during(kernel, args):
    """Whether another thread runs Python while ``kernel(*args)`` runs.

    With the interpreter's thread switching put off, the main thread gets
    the GIL back from the worker only when the worker releases it itself:
    inside a kernel that releases it, or when the worker ends.
    """
    state = {"done": False}
    started = threading.Event()

    def work():
        started.set()
        kernel(*args)
        state["done"] = True

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        started.wait()
        ran_during = not state["done"]
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    return ran_during


@pytest.mark.parametrize("name", ["run_epoch", "minibatch_loss_and_gradient"])
@pytest.mark.parametrize("path", ["aot", "jit"])
def test_kernels_release_the_gil(path, name, monkeypatch):
    """The training kernels run without the GIL on both paths: a fit's
    hold-out scored in another thread, a step's halves computed in two, or
    the Perceptron's units trained in several, run while they do."""
    from skperceptron import _mlp_training
    from skperceptron._sources import arrays, split_steps

    if path == "aot" and not BUILT:
        pytest.skip("no ahead-of-time kernels here")
    if path == "aot":
        assert compiled.aot_module().releases_gil()
    if path == "jit":
        monkeypatch.setattr(compiled, "_CHOSEN", {})
        monkeypatch.setattr(compiled, "_AOT", None)
    split = name != "run_epoch"
    monkeypatch.setattr(_mlp_training, "split_steps", lambda *args: split)
    calls = []
    entry = getattr(compiled, name)

    def capture(*args):
        calls.append(args)
        return entry(*args)

    monkeypatch.setattr((split_steps if split else arrays).compiled, name, capture)
    X = np.random.RandomState(0).normal(size=(4000, 64)).astype(np.float32)
    # a step's part takes some milliseconds: long enough for the main thread
    # to be scheduled while it runs, with other tests on the other cores
    batch = 4000 if split else 256
    MLPClassifier((256, 256), max_iter=1, batch_size=batch).fit(X, X[:, 0] > 0)
    args = calls[0]
    kernel = compiled.kernel(name, args[6 if split else 5].dtype, False, path == "aot")
    assert _python_runs_during(kernel, args)


def test_kernels_from_other_sources_are_not_used(monkeypatch):
    if not BUILT:
        pytest.skip("no ahead-of-time module to reject")
    monkeypatch.setattr(compiled, "source_hash", lambda: -1)
    with pytest.warns(UserWarning, match="built from other kernel sources"):
        assert compiled._load_aot() is None


def test_kernels_built_for_another_cpu_are_not_used(monkeypatch):
    if not BUILT:
        pytest.skip("no ahead-of-time module to reject")
    monkeypatch.setattr(compiled, "cpu_flags", lambda: frozenset({"fpu"}))
    with pytest.warns(UserWarning, match="features this one lacks"):
        assert compiled._load_aot() is None


def _run(code, cwd, env_update=None, pythonpath=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(env_update or {})
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _fitted_models(X, y):
    Xs = sp.csr_matrix(X)
    values = X[:, 0] + X[:, 1]
    return {
        "clf": MLPClassifier(max_iter=5, random_state=0).fit(X, y),
        "clf_csr_f32": MLPClassifier(max_iter=5, activation="gelu", random_state=0).fit(
            Xs.astype(np.float32), y
        ),
        "clf_binary": MLPClassifier(max_iter=5, activation="silu", random_state=0).fit(
            X, y > 4
        ),
        "reg": MLPRegressor(
            hidden_layer_sizes=(8, 8),
            activation=["tanh", "elu"],
            out_activation="softplus",
            max_iter=5,
            random_state=0,
        ).fit(X, np.abs(values)),
        "quantiles": MLPRegressor(
            loss="quantile", quantile=[0.1, 0.9], activation="mish", max_iter=5
        ).fit(X, values),
        "poisson": MLPRegressor(
            loss="poisson", max_iter=5, activation="leaky_relu"
        ).fit(X, np.round(np.abs(values))),
        "perceptron": Perceptron(random_state=0).fit(X, y),
    }


SERVE = """
import pickle, sys, numpy as np
import skperceptron
models = pickle.load(open("models.pkl", "rb"))
X = np.load("X.npy")
out = {}
for name, model in models.items():
    for method in ("predict", "predict_proba", "predict_log_proba",
                   "decision_function"):
        if hasattr(model, method):
            out[name + method] = getattr(model, method)(X)
    target = model.predict(X)
    target = target[:, 0] if target.ndim > 1 else target
    out[name + "score"] = np.array(model.score(X, target))
np.savez("out.npz", **out)
assert "numba" not in sys.modules, "numba was imported"
"""


def test_a_fresh_process_serves_pickled_models_without_numba(digits, tmp_path):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = _fitted_models(X, y)
    (tmp_path / "models.pkl").write_bytes(pickle.dumps(models))
    np.save(tmp_path / "X.npy", X[:50])
    _run(SERVE, tmp_path)
    out = np.load(tmp_path / "out.npz")
    for name, model in models.items():
        assert_array_equal(out[name + "predict"], model.predict(X[:50]))
        if hasattr(model, "predict_proba"):
            assert_allclose(out[name + "predict_proba"], model.predict_proba(X[:50]))


FIT = """
import sys, warnings, numpy as np, scipy.sparse as sp
from sklearn.datasets import load_iris
from skperceptron import MLPClassifier, MLPRegressor, Perceptron
warnings.simplefilter("ignore")
X, y = load_iris(return_X_y=True)
MLPClassifier().fit(X, y).predict(X)
MLPClassifier(solver="sgd").fit(sp.csr_matrix(X), y)
MLPClassifier(activation="gelu", dropout=0.1).fit(X.astype(np.float32), y)
MLPRegressor(solver="lbfgs").fit(X, X[:, 0])
Perceptron().fit(X, y)
assert "numba" not in sys.modules, "numba was imported"
"""


@needs_aot
def test_a_fresh_process_fits_without_numba(tmp_path):
    _run(FIT, tmp_path)


@needs_aot
def test_an_install_whose_files_all_have_new_mtimes_fits_without_compiling(
    tmp_path,
):
    # what a container layer does to every file of the environment
    site = tmp_path / "site"
    shutil.copytree(
        PACKAGE, site / "skperceptron", ignore=shutil.ignore_patterns("__pycache__")
    )
    later = time.time() + 3600
    for path in site.rglob("*"):
        os.utime(path, (later, later))
    result = _run(FIT, tmp_path, pythonpath=str(site))
    assert result.stderr.count("Warning") <= 1, result.stderr
