"""What users feel in fresh processes, side by side with scikit-learn.

Every measurement starts a new Python process with an empty numba cache
(``NUMBA_CACHE_DIR`` pointing to a new directory) and times, inside it, from
before the first import to the end of the task:

- importing the package;
- serving: unpickling a fitted model and its first prediction call;
- the first three fits on iris (default; ``solver="sgd"``; ``activation=
  "gelu", dropout=0.1``, for which scikit-learn fits ``activation="tanh"``);
- each documented option combination's first fit against its second;
- a 12-candidate grid search over activation, solver and alpha (3 folds,
  ``n_jobs=2``) with an empty numba cache and a filled one, and with one
  epoch per fit (the costs that are not fits: the floor of the grid's ratio);
- the same in hostile installs: a copy of the package whose files all carry
  new mtimes (as container layers re-create them), and, where the benchmark
  runs as root with ``setpriv``, a read-only package and HOME used by an
  unprivileged user.

Sides alternate, best of ``repeats`` runs each.
"""

import compileall
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

IMPORT = {
    "ours": "import skperceptron",
    "sklearn": "import sklearn.neural_network",
}

SERVE = """
import pickle, sys
model = pickle.load(open(sys.argv[2], "rb"))
import numpy as np
X = np.load(sys.argv[3])
getattr(model, sys.argv[4])(X[:1])
assert sys.argv[5] == "sklearn" or "numba" not in sys.modules, "numba imported"
"""

FIRST_FITS = {
    "ours": """
import warnings; warnings.simplefilter("ignore")
from sklearn.datasets import load_iris
from skperceptron import MLPClassifier
X, y = load_iris(return_X_y=True)
MLPClassifier().fit(X, y)
MLPClassifier(solver="sgd").fit(X, y)
MLPClassifier(activation="gelu", dropout=0.1).fit(X, y)
""",
    "sklearn": """
import warnings; warnings.simplefilter("ignore")
from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier
X, y = load_iris(return_X_y=True)
MLPClassifier().fit(X, y)
MLPClassifier(solver="sgd").fit(X, y)
MLPClassifier(activation="tanh").fit(X, y)
""",
}

GRID = """
import warnings; warnings.simplefilter("ignore")
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from {module} import MLPClassifier
X, y = load_iris(return_X_y=True)
grid = {{"activation": ["relu", "tanh"], "solver": ["adam", "sgd", "lbfgs"],
         "alpha": [1e-4, 1e-2]}}
GridSearchCV(MLPClassifier(max_iter={max_iter}, random_state=0), grid, cv=3,
             n_jobs=2).fit(X, y)
"""


def _grid(library, max_iter=200):
    """The grid search's code for ``library``, "ours" or "sklearn"."""
    module = {"ours": "skperceptron", "sklearn": "sklearn.neural_network"}[library]
    return GRID.format(module=module, max_iter=max_iter)


OPTION_FITS = """
import time, warnings, numpy as np, scipy.sparse as sp
warnings.simplefilter("ignore")
from sklearn.datasets import load_iris
from skperceptron import MLPClassifier, MLPRegressor, Perceptron
X, y = load_iris(return_X_y=True)
Xs = sp.csr_matrix(X)
X_many, y_many = np.tile(X, (200, 1)), np.tile(y, 200)  # enough for unit threads
combos = {
    "adam dense f64": lambda: MLPClassifier().fit(X, y),
    "sgd CSR f64": lambda: MLPClassifier(solver="sgd").fit(Xs, y),
    "nadam f32 gelu dropout": lambda: MLPClassifier(
        solver="nadam", activation="gelu", dropout=0.2).fit(X.astype(np.float32), y),
    "rmsprop CSR f32 mish clipping": lambda: MLPClassifier(
        solver="rmsprop", activation="mish", max_grad_norm=1.0).fit(
        Xs.astype(np.float32), y),
    "adagrad elu/silu cosine": lambda: MLPClassifier(
        (8, 8), solver="adagrad", activation=["elu", "silu"],
        learning_rate="cosine").fit(X, y),
    "lbfgs regressor": lambda: MLPRegressor(solver="lbfgs").fit(X, X[:, 0]),
    "quantile regressor CSR": lambda: MLPRegressor(
        loss="quantile", quantile=[0.1, 0.9]).fit(Xs, X[:, 0]),
    "huber softplus output": lambda: MLPRegressor(
        loss="huber", out_activation="softplus").fit(X, X[:, 0]),
    "early stopping leaky_relu": lambda: MLPClassifier(
        activation="leaky_relu", early_stopping=True).fit(X, y),
    "Perceptron dense": lambda: Perceptron().fit(X, y),
    "Perceptron CSR f32 averaged l1": lambda: Perceptron(
        average=True, penalty="l1").fit(Xs.astype(np.float32), y),
    "Perceptron n_jobs=2, units in threads": lambda: Perceptron(
        n_jobs=2).fit(X_many, y_many),
}
for name, fit in combos.items():
    t0 = time.perf_counter(); fit(); t1 = time.perf_counter(); fit()
    print(f"{name}|{t1 - t0}|{time.perf_counter() - t1}")
"""


def _timed_process(code, args=(), env_update=None, pythonpath=None, user=None):
    """Seconds from interpreter start to the end of ``code`` (a new process,
    an empty numba cache unless ``env_update`` names one)."""
    cache = tempfile.mkdtemp(prefix="numba-cache-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update({"NUMBA_CACHE_DIR": cache, **(env_update or {})})
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    timed = (
        "import time as _t; _start = _t.perf_counter()\n"
        + code
        + "\nprint('SECONDS', _t.perf_counter() - _start)\n"
    )
    command = [sys.executable, "-c", timed, "x", *args]
    if user:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"]
        command += [sys.executable, "-c", timed, "x", *args]
    with tempfile.TemporaryDirectory() as cwd:
        os.chmod(cwd, 0o777)
        out = subprocess.run(
            command, env=env, capture_output=True, text=True, cwd=cwd, timeout=1800
        )
    shutil.rmtree(cache, ignore_errors=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.split("SECONDS")[-1]), out


def _side_by_side(label, ours, theirs, repeats, limit=None):
    """Best seconds of two process makers, alternating; prints and returns the row."""
    best = {"ours": float("inf"), "sklearn": float("inf")}
    for _ in range(repeats):
        for side, make in (("ours", ours), ("sklearn", theirs)):
            best[side] = min(best[side], make()[0])
    row = dict(
        workload=label,
        ours_s=best["ours"],
        sklearn_s=best["sklearn"],
        ratio=best["ours"] / best["sklearn"],
        difference_s=best["ours"] - best["sklearn"],
    )
    if limit:
        row["note"] = limit
    print(
        f"{label:<42}{row['ours_s']:>10.3f}{row['sklearn_s']:>10.3f}"
        f"{row['ratio']:>8.2f}  ours - sklearn {row['difference_s']:+.3f} s",
        flush=True,
    )
    return row


def _pickles(folder):
    """Fitted models of both libraries, pickled, and the data they predict."""
    import numpy as np
    from sklearn import linear_model, neural_network
    from sklearn.datasets import load_digits

    import skperceptron

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    np.save(folder / "X.npy", X)
    params = dict(hidden_layer_sizes=(100,), max_iter=20, random_state=0)
    pairs = {
        "MLPClassifier": (
            skperceptron.MLPClassifier(**params).fit(X, y),
            neural_network.MLPClassifier(**params).fit(X, y),
            ("predict", "predict_proba", "predict_log_proba"),
        ),
        "MLPRegressor": (
            skperceptron.MLPRegressor(**params).fit(X, y),
            neural_network.MLPRegressor(**params).fit(X, y),
            ("predict",),
        ),
        "Perceptron": (
            skperceptron.Perceptron().fit(X, y),
            linear_model.Perceptron().fit(X, y),
            ("predict", "decision_function"),
        ),
    }
    for name, (ours, theirs, _) in pairs.items():
        (folder / f"{name}-ours.pkl").write_bytes(pickle.dumps(ours))
        (folder / f"{name}-sklearn.pkl").write_bytes(pickle.dumps(theirs))
    return {name: methods for name, (_, _, methods) in pairs.items()}


def _hostile_copies(folder):
    """(label, PYTHONPATH, user) of the hostile installs this machine allows."""
    copies = []
    fresh = folder / "new-mtimes"
    shutil.copytree(
        ROOT / "skperceptron",
        fresh / "skperceptron",
        ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"),
    )
    later = time.time() + 3600
    for path in fresh.rglob("*"):
        os.utime(path, (later, later))
    copies.append(("files with new mtimes", str(fresh), None))
    if os.geteuid() == 0 and shutil.which("setpriv"):
        locked = folder / "read-only"
        shutil.copytree(fresh, locked)
        for path in [locked, *locked.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        folder.chmod(0o755)
        copies.append(("read-only package and HOME", str(locked), "65534"))
    return copies


def run_fresh_rows(repeats=5):
    """The fresh-process rows (see the module docstring)."""
    # bytecode as an install writes it (scikit-learn's is in site-packages;
    # a checkout's may be stale where PYTHONDONTWRITEBYTECODE is set)
    compileall.compile_dir(ROOT / "skperceptron", quiet=1)
    rows = []
    rows.append(
        _side_by_side(
            "import (fresh process)",
            lambda: _timed_process(IMPORT["ours"]),
            lambda: _timed_process(IMPORT["sklearn"]),
            repeats,
        )
    )
    folder = pathlib.Path(tempfile.mkdtemp(prefix="skperceptron-fresh-"))
    methods = _pickles(folder)
    X = str(folder / "X.npy")
    for name, calls in methods.items():
        for method in calls:
            rows.append(
                _side_by_side(
                    f"unpickle {name} + first {method}",
                    lambda n=name, m=method: _timed_process(
                        SERVE, (str(folder / f"{n}-ours.pkl"), X, m, "ours")
                    ),
                    lambda n=name, m=method: _timed_process(
                        SERVE, (str(folder / f"{n}-sklearn.pkl"), X, m, "sklearn")
                    ),
                    repeats,
                )
            )
    rows.append(
        _side_by_side(
            "first three fits on iris, fresh process",
            lambda: _timed_process(FIRST_FITS["ours"]),
            lambda: _timed_process(FIRST_FITS["sklearn"]),
            repeats,
        )
    )
    rows.append(_option_fits_row())
    for state in ("empty", "filled"):
        rows.append(_grid_row(state, repeats))
    rows.append(_grid_floor_row(repeats))
    home = folder / "home"
    home.mkdir()
    home.chmod(0o555)
    for label, path, user in _hostile_copies(folder):
        # no NUMBA_CACHE_DIR: numba finds no writable cache location
        env = {"HOME": str(home), "NUMBA_CACHE_DIR": ""}
        tasks = [("first three fits", FIRST_FITS["ours"], FIRST_FITS["sklearn"])]
        if user is None:  # joblib's workers need a writable home of their own
            tasks.append(
                (
                    "grid search",
                    _grid("ours"),
                    _grid("sklearn"),
                )
            )
        for what, ours_code, theirs_code in tasks:
            rows.append(
                _side_by_side(
                    f"{what}, {label}",
                    lambda c=ours_code, p=path, u=user: _timed_process(
                        c, env_update=env, pythonpath=p, user=u
                    ),
                    lambda c=theirs_code, u=user: _timed_process(
                        c, env_update=env, user=u
                    ),
                    1,
                )
            )
    shutil.rmtree(folder, ignore_errors=True)
    return rows


def _option_fits_row():
    """The largest first-fit overhead over the same fit warm, in one process."""
    _, out = _timed_process(OPTION_FITS)
    extra = {}
    for line in out.stdout.splitlines():
        if line.count("|") == 2:
            name, first, second = line.split("|")
            extra[name] = float(first) - float(second)
    worst = max(extra, key=extra.get)
    print(
        f"{'first fit of each option combination':<42}"
        f"  worst: {worst} +{extra[worst]:.3f} s over its warm fit",
        flush=True,
    )
    return dict(
        workload="first fit of each option combination over its warm fit",
        worst=worst,
        worst_extra_s=extra[worst],
        extra_s=extra,
    )


def _grid_row(state, repeats):
    """The grid search; a filled cache is one a previous process left behind."""
    cache = tempfile.mkdtemp(prefix="numba-grid-")

    def ours():
        env = {"NUMBA_CACHE_DIR": cache} if state == "filled" else None
        return _timed_process(_grid("ours"), env_update=env)

    if state == "filled":
        ours()  # fills the cache (the JIT path; a no-op with ahead-of-time kernels)
    row = _side_by_side(
        f"grid search 12x3 n_jobs=2, {state} numba cache",
        ours,
        lambda: _timed_process(_grid("sklearn")),
        repeats,
    )
    shutil.rmtree(cache, ignore_errors=True)
    return row


def _grid_floor_row(repeats):
    """The grid search with one epoch per fit: what it costs besides its fits
    (starting Python, imports in the parent and in joblib's workers, handing
    out the candidates), the same for both libraries. The grid's ratio cannot
    go below this row's time over scikit-learn's whole grid."""
    return _side_by_side(
        "grid search 12x3 n_jobs=2, max_iter=1",
        lambda: _timed_process(_grid("ours", max_iter=1)),
        lambda: _timed_process(_grid("sklearn", max_iter=1)),
        repeats,
    )


BUSY_FIT = """
import warnings; warnings.simplefilter("ignore")
from sklearn.datasets import load_digits
from {module} import MLPClassifier
X, y = load_digits(return_X_y=True)
MLPClassifier(max_iter=1).fit(X[:50] / 16, y[:50])
import time
start = time.perf_counter()
MLPClassifier(hidden_layer_sizes=(100,), max_iter=60, tol=0, random_state=0).fit(
    X / 16, y)
print("FIT", time.perf_counter() - start)
"""


def _fit_seconds(module):
    _, out = _timed_process(
        BUSY_FIT.format(module=module), env_update={"NUMBA_CACHE_DIR": _BUSY_CACHE}
    )
    return float(out.stdout.split("FIT")[-1].split()[0]), out


_BUSY_CACHE = tempfile.mkdtemp(prefix="numba-busy-")


def run_busy_rows(repeats=3):
    """digits (100,), 60 epochs, quiet and next to one CPU hog per core."""
    rows = []
    hog = "while True: pass"
    for label in ("quiet", "one CPU-bound process per core"):
        hogs = []
        if label != "quiet":
            hogs = [
                subprocess.Popen([sys.executable, "-c", hog])
                for _ in range(os.cpu_count() or 1)
            ]
            time.sleep(1.0)
        try:
            rows.append(
                _side_by_side(
                    f"digits (100,) 60 ep fit, {label}",
                    lambda: _fit_seconds("skperceptron"),
                    lambda: _fit_seconds("sklearn.neural_network"),
                    repeats,
                )
            )
        finally:
            for process in hogs:
                process.kill()
    quiet, busy = rows
    busy["note"] = f"ours busy / ours quiet = {busy['ours_s'] / quiet['ours_s']:.2f}"
    print(f"    {busy['note']}", flush=True)
    return rows


if __name__ == "__main__":
    # run the section alone: python benchmarks/fresh.py
    print(textwrap.dedent(__doc__).splitlines()[0])
    run_fresh_rows()
    run_busy_rows()
