"""numba in the real world: read-only installs, NUMBA_DISABLE_JIT, thread
counts, joblib backends, fresh processes. The JIT path is forced where numba
itself is under test (``SKPERCEPTRON_JIT=1``); tests/test_aot.py covers the
ahead-of-time kernels."""

import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skperceptron import MLPClassifier, MLPRegressor, Perceptron
from skperceptron._kernels import compiled

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "skperceptron"

TINY_FITS = textwrap.dedent("""
    import sys, warnings
    import numpy as np, scipy.sparse as sp
    from skperceptron import MLPClassifier, MLPRegressor, Perceptron
    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 3)); y = np.arange(24) % 3

    def classifier(solver):
        return MLPClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=3,
                             random_state=0).fit(X, y).predict_proba(X)

    fits = {
        "clf_adam": lambda: classifier("adam"),
        "clf_sgd": lambda: classifier("sgd"),
        "clf_lbfgs": lambda: classifier("lbfgs"),
        "reg_sparse": lambda: MLPRegressor(
            hidden_layer_sizes=(3,), max_iter=3, random_state=0, loss="huber"
        ).fit(sp.csr_matrix(X), X[:, 0]).predict(X),
        "perceptron": lambda: Perceptron(
            max_iter=3, average=True, penalty="elasticnet", random_state=0
        ).fit(X, y).decision_function(X),
        "perceptron_sparse": lambda: Perceptron(
            max_iter=3, multi_class="multinomial", random_state=0
        ).fit(sp.csr_matrix(X), y).coef_,
    }
    chosen = sys.argv[2:] or list(fits)  # the fits named after the output, or all
    np.savez(sys.argv[1], **{name: fits[name]() for name in chosen})
""")


ONE_FIT = textwrap.dedent("""
    import sys
    import numpy as np
    from skperceptron import Perceptron
    X = np.random.RandomState(0).normal(size=(24, 3))
    clf = Perceptron(max_iter=2).fit(X, X[:, 0] > 0)
    np.savez(sys.argv[1], prediction=clf.predict(X))
""")


def _run(code, tmp_path, env_update=None, user=None, pythonpath=None, args=()):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(env_update or {})
    # the package under test, not another installed copy
    env["PYTHONPATH"] = pythonpath or str(PACKAGE.parent)
    script = tmp_path / "script.py"
    script.write_text(code)
    out = tmp_path / "out.npz"
    command = [sys.executable, str(script), str(out), *args]
    if user:
        command = [
            "setpriv",
            f"--reuid={user}",
            f"--regid={user}",
            "--clear-groups",
            *command,
        ]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(np.load(out))


JIT = {"SKPERCEPTRON_JIT": "1"}


@pytest.fixture(scope="module")
def jitted(tmp_path_factory):
    # in the suite's numba cache, where other tests have compiled these variants
    cache = {"NUMBA_CACHE_DIR": os.environ["NUMBA_CACHE_DIR"]}
    return _run(TINY_FITS, tmp_path_factory.mktemp("jit"), {**JIT, **cache})


def test_disable_jit_runs_the_kernels_as_python(jitted, tmp_path):
    plain = _run(TINY_FITS, tmp_path, {"NUMBA_DISABLE_JIT": "1"})
    assert plain.keys() == jitted.keys()
    for key in plain:
        assert_allclose(plain[key], jitted[key], rtol=1e-9, atol=1e-12, err_msg=key)


# The kernels that use the intrinsics (``_blas.gemm``, ``_intrinsics.as_matrix``
# and ``as_vector``): the dense and the sparse epoch and L-BFGS's loss and
# gradient; the perceptron's kernel uses none. One process compiles them all:
# apart, each would compile the functions they share again.
FALLBACK_FITS = ("clf_adam", "clf_lbfgs", "reg_sparse")


def test_fallbacks_for_numba_internals_give_the_same_models(tmp_path):
    # Without numba's undocumented internals (as when a numba release moves
    # them) the kernels compile np.dot and reshape instead of the intrinsics;
    # the reference is the default path (the installed kernels, which
    # test_aot.py holds equal to the JIT ones), so that nothing else compiles.
    if os.environ.get("SKPERCEPTRON_JIT") == "1":
        pytest.skip(
            "the fallbacks serve numba releases newer than the intrinsics know: "
            "they are tested in the suite on the newest numba, not again in the "
            "JIT suite on the oldest (every kernel compiled uncached)"
        )
    marker = "chosen = "
    assert marker in TINY_FITS
    code = TINY_FITS.replace(
        marker,
        "from skperceptron._kernels import _numba_internals\n"
        "fits['available'] = lambda: _numba_internals.AVAILABLE\n" + marker,
    )
    plain = _run(
        code,
        tmp_path,
        {
            **JIT,
            "SKPERCEPTRON_NUMBA_FALLBACK": "1",
            "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
        },
        args=("available", *FALLBACK_FITS),
    )
    assert not plain.pop("available")
    (tmp_path / "default").mkdir()
    default = _run(TINY_FITS, tmp_path / "default", args=FALLBACK_FITS)
    assert plain.keys() == default.keys()
    for fit in FALLBACK_FITS:
        assert_allclose(plain[fit], default[fit], rtol=1e-9, atol=1e-12, err_msg=fit)


def _can_drop_privileges(tmp_path):
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-c",
            "import numba, sklearn",
        ],
        capture_output=True,
        cwd=tmp_path,
    )
    return probe.returncode == 0


@pytest.fixture
def shared_tmp():
    """A temporary directory an unprivileged user can enter (pytest's is 0700)."""
    path = pathlib.Path(tempfile.mkdtemp())
    path.chmod(0o755)
    yield path
    for sub in path.rglob("*"):
        if sub.is_dir():
            sub.chmod(0o755)
    shutil.rmtree(path)


def test_read_only_package_and_home(jitted, shared_tmp):
    """As an unprivileged user, with the package and HOME read-only."""
    tmp_path = shared_tmp
    if not _can_drop_privileges(tmp_path):
        pytest.skip(
            "needs root and setpriv to run a subprocess as an unprivileged "
            "user (as root every directory is writable)"
        )
    site = tmp_path / "site"
    shutil.copytree(
        PACKAGE, site / "skperceptron", ignore=shutil.ignore_patterns("__pycache__")
    )
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    for path in [site, home, *site.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    work.chmod(0o777)
    # the installed package: its ahead-of-time kernels where they were built,
    # else (and where the whole suite runs on the JIT path, as CI's second
    # run does) the JIT with no writable cache anywhere, compiling uncached:
    # there an MLP and a Perceptron show it (every variant takes 2-3 minutes)
    on_jit_path = (
        os.environ.get("SKPERCEPTRON_JIT") == "1" or compiled.aot_module() is None
    )
    fitted = _run(
        TINY_FITS,
        work,
        {"HOME": str(home), **(JIT if on_jit_path else {})},
        user=65534,
        pythonpath=str(site),
        args=("clf_adam", "perceptron") if on_jit_path else (),
    )
    for key in fitted:
        assert_allclose(fitted[key], jitted[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert not list(site.rglob("*.nbi")) and not list(home.rglob("*.nbi"))

    # one fit is enough to show where numba caches (a Perceptron's: the
    # quickest variant to compile)
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    _run(
        ONE_FIT,
        work,
        {"HOME": str(home), "NUMBA_CACHE_DIR": str(cache), **JIT},
        user=65534,
        pythonpath=str(site),
    )
    assert list(cache.rglob("*.nbi")), "NUMBA_CACHE_DIR was not used"


def test_read_only_input_runs_the_writable_inputs_jit_variant(tmp_path):
    # a JIT variant of its own per read-only input would compile again in
    # every worker joblib hands a memory map
    code = textwrap.dedent("""
        import sys, numpy as np
        from skperceptron import MLPClassifier
        from skperceptron._kernels import network
        X = np.random.RandomState(0).normal(size=(30, 3)); y = np.arange(30) % 2
        def first_layer():
            return MLPClassifier(max_iter=2, random_state=0).fit(X, y).coefs_[0]
        out = {"writable": first_layer()}
        X.setflags(write=False)
        out["read_only"] = first_layer()
        out["variants"] = len(network.run_epoch.signatures)
        np.savez(sys.argv[1], **out)
    """)
    cache = {"NUMBA_CACHE_DIR": os.environ["NUMBA_CACHE_DIR"]}
    out = _run(code, tmp_path, {**JIT, **cache})
    assert out["variants"] == 1
    assert_allclose(out["read_only"], out["writable"], rtol=1e-12)


def test_writable_view_of_read_only_input_shares_its_memory():
    X = np.arange(12.0).reshape(3, 4)[:, ::2]
    X.setflags(write=False)
    view = compiled._writable((X, None))[0]
    assert view.flags.writeable and np.shares_memory(view, X)
    assert view.strides == X.strides
    assert_allclose(view, X, rtol=0)


def test_no_threading_layer_is_forced(tmp_path):
    code = textwrap.dedent("""
        import sys, numpy as np, numba
        import skperceptron
        X = np.random.RandomState(0).normal(size=(30, 3)); y = np.arange(30) % 2
        skperceptron.MLPClassifier(max_iter=2).fit(X, y)
        skperceptron._kernels.compiled.kernel("run_epoch", X.dtype, False, False)
        try:
            numba.threading_layer()
        except ValueError:
            np.savez(sys.argv[1], ok=np.array(True))
    """)
    assert "ok" in _run(code, tmp_path)


def test_results_do_not_depend_on_the_thread_count():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(3000, 300))
    y = (X[:, :5].sum(1) > 0).astype(int)
    params = dict(hidden_layer_sizes=(256,), max_iter=2, random_state=0)
    default = MLPClassifier(**params).fit(X, y)
    with threadpool_limits(1):
        single = MLPClassifier(**params).fit(X, y)
    # OpenBLAS promises the same product, not the same rounding, for every
    # thread count: the partial sums of a GEMM are split differently.
    for a, b in zip(default.coefs_, single.coefs_):
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_grid_search_backends_match_serial(backend):
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=30, random_state=0))
    grid = {
        "mlpclassifier__alpha": [1e-4, 1e-1],
        "mlpclassifier__solver": ["adam", "lbfgs"],
    }
    serial = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    with joblib.parallel_backend(backend, n_jobs=2):
        parallel = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    assert parallel.best_params_ == serial.best_params_
    # Workers may run BLAS with fewer threads (other rounding): a prediction
    # sitting on a decision boundary could flip, nothing more.
    for key in ("mean_test_score", "std_test_score", "split0_test_score"):
        assert_allclose(parallel.cv_results_[key], serial.cv_results_[key], atol=0.01)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor, Perceptron])
def test_concurrent_predictions_are_identical(Est):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4000, 20))
    y = (X[:, 0] > 0).astype(int) if Est is not MLPRegressor else X[:, 0]
    model = Est(max_iter=5, random_state=0).fit(X, y)
    expected = model.predict(X)
    results = [None] * 4

    def work(i):
        for _ in range(10):
            results[i] = model.predict(X)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Concurrent BLAS calls may be split over threads differently (rounding).
    for result in results:
        assert_allclose(result, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor, Perceptron])
def test_fresh_process_loads_and_continues_partial_fit(Est, tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 4))
    y = (X[:, 0] > 0).astype(int) if Est is not MLPRegressor else X[:, 0]
    model = Est(random_state=0)
    kwargs = {} if Est is MLPRegressor else {"classes": [0, 1]}
    model.partial_fit(X, y, **kwargs)
    joblib.dump(model, tmp_path / "model.joblib")
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(model))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    model.partial_fit(X, y)
    expected = model.predict(X)
    code = textwrap.dedent(f"""
        import sys, pickle, pathlib, joblib, numpy as np
        here = pathlib.Path({str(tmp_path)!r})
        X, y = np.load(here / "X.npy"), np.load(here / "y.npy")
        a = joblib.load(here / "model.joblib").partial_fit(X, y)
        b = pickle.loads((here / "model.pkl").read_bytes()).partial_fit(X, y)
        np.savez(sys.argv[1], a=a.predict(X), b=b.predict(X))
    """)
    out = _run(code, tmp_path)
    # Another process may pick another BLAS thread count (rounding).
    assert_allclose(out["a"], expected, rtol=1e-10, atol=1e-12)
    assert_allclose(out["b"], expected, rtol=1e-10, atol=1e-12)
