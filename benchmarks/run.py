"""Time skperceptron against scikit-learn (and PyTorch where installed) in one run.

Usage::

    python benchmarks/run.py                 # every workload
    python benchmarks/run.py --quick         # small workloads only
    python benchmarks/run.py --json out.json # also write the results
    python benchmarks/run.py --dask          # only the dask row (2,000,000 x 50)

Each workload fits both libraries on the same data with the same
hyperparameters, epochs and batch size, and prints fit times, their ratio and
the test scores. Compile time is measured apart, in fresh processes: with an
empty numba cache and with a warm one. The 60000x784 rows also report the share
of the machine's GEMM peak (a 2048x2048 matmul measured in the same run), the
seconds per epoch of PyTorch where it is installed, and the peak memory of a
fit (fresh processes). Kernel rows give nanoseconds per element. Every
minibatch row also reports how long the matrix products alone take (the same
BLAS calls on the same shapes, nothing else): the floor below which no fit of
those layer sizes can go with this BLAS, as a ratio to scikit-learn's fit, our
fit as a multiple of it, and our share of the GEMM peak. Prediction rows time
one-row calls and 10,000 rows; partial_fit rows stream digits in small chunks;
the cold-start row fits ten variants in a new process after ``precompile``.
The dask row (``--dask``, on its own) fits L-BFGS on data held by a
two-worker LocalCluster and the same fit in memory, and prints the overhead
per iteration.
"""

import argparse
import contextlib
import io
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import scipy.sparse as sp
from numba import njit
from sklearn import neural_network as sknn
from sklearn.datasets import load_digits, make_classification, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.model_selection import train_test_split

import skperceptron
from skperceptron._data import kernel_input
from skperceptron._kernels import perceptron as perceptron_kernel
from skperceptron._kernels._blas import gemm
from skperceptron._kernels._intrinsics import as_matrix
from skperceptron._kernels._jit import jit
from skperceptron._params import ParamLayout

warnings.simplefilter("ignore", ConvergenceWarning)


def _best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def _interleaved_best_times(ours, theirs, repeats):
    """Best time of each of two functions, run alternately.

    On a shared machine a busy spell then slows both sides alike instead of
    only the one that happened to be running.
    """
    best = [(float("inf"), None), (float("inf"), None)]
    for _ in range(repeats):
        for side, fn in enumerate((ours, theirs)):
            seconds, result = _best_time(fn, 1)
            if seconds < best[side][0]:
                best[side] = (seconds, result)
    return best


def _timed_row(workload, ours, theirs, repeats, score_on=None):
    """Time ``ours`` against ``theirs`` alternately; print the row.

    With ``score_on=(X, y)`` the two calls return fitted models, whose scores
    on it and epoch counts join the row. Returns the row and our result.
    """
    (t_ours, ours_fit), (t_theirs, theirs_fit) = _interleaved_best_times(
        ours, theirs, repeats
    )
    row = dict(
        workload=workload, ours_s=t_ours, sklearn_s=t_theirs, ratio=t_ours / t_theirs
    )
    if score_on is not None:
        row.update(
            ours_score=ours_fit.score(*score_on),
            sklearn_score=theirs_fit.score(*score_on),
            ours_epochs=ours_fit.n_iter_,
            sklearn_epochs=theirs_fit.n_iter_,
        )
    _print_row(row)
    return row, ours_fit


def _digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def _friedman():
    X, y = make_friedman1(n_samples=20000, n_features=10, noise=0.5, random_state=0)
    return train_test_split(X, y, test_size=0.2, random_state=0)


def _wide(dtype):
    X, y = make_classification(
        n_samples=70000, n_features=784, n_informative=100, n_classes=10, random_state=0
    )
    X = X.astype(dtype)
    return X[:60000], X[60000:], y[:60000], y[60000:]


def workloads(quick):
    """(name, data maker, estimator name, params, repeats, epochs-per-fit)."""
    rows = [
        (
            "digits (100,) adam 200 ep f64",
            _digits,
            "MLPClassifier",
            dict(
                hidden_layer_sizes=(100,), max_iter=200, tol=0.0, n_iter_no_change=10**9
            ),
            3,
        ),
        (
            "digits (100,) lbfgs f64",
            _digits,
            "MLPClassifier",
            dict(hidden_layer_sizes=(100,), solver="lbfgs", max_iter=200),
            3,
        ),
        (
            "friedman1 20000x10 (64,64) adam 50 ep",
            _friedman,
            "MLPRegressor",
            dict(
                hidden_layer_sizes=(64, 64),
                max_iter=50,
                tol=0.0,
                n_iter_no_change=10**9,
            ),
            1,
        ),
    ]
    if not quick:
        for dtype in (np.float32, np.float64):
            rows.append(
                (
                    f"60000x784 (256,128) adam 3 ep {np.dtype(dtype).name}",
                    lambda dtype=dtype: _wide(dtype),
                    "MLPClassifier",
                    dict(hidden_layer_sizes=(256, 128), max_iter=3),
                    3,
                )
            )
    return rows


PEAKS = {}  # best GEMM GFLOP/s seen in this run, per dtype


def gemm_peak():
    """GFLOP/s of a 2048x2048 matmul, float32 and float64 (best of 5).

    Measured again before each 60000x784 row, keeping the best figure: a
    single measurement on a shared machine can catch the other core busy.
    """
    peaks = {}
    for dtype in (np.float32, np.float64):
        A = np.random.RandomState(0).rand(2048, 2048).astype(dtype)
        seconds, _ = _best_time(lambda: A @ A, 5)
        name = np.dtype(dtype).name
        peaks[name] = max(2 * 2048**3 / seconds / 1e9, PEAKS.get(name, 0.0))
    print(
        "GEMM peak (2048x2048 matmul): "
        + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in peaks.items())
    )
    return peaks


def _epoch_gflop(n_samples, units):
    return 6 * n_samples * sum(a * b for a, b in zip(units[:-1], units[1:])) / 1e9


def torch_epoch_seconds(X, y, hidden, epochs, dtype):
    """Seconds per epoch of the same MLP trained by PyTorch (None if absent)."""
    try:
        import torch
    except ImportError:
        return None, None
    torch.manual_seed(0)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    Xt = torch.from_numpy(np.ascontiguousarray(X)).to(tdtype)
    yt = torch.from_numpy(np.asarray(y)).long()
    layers, width = [], X.shape[1]
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, int(yt.max()) + 1))
    model = torch.nn.Sequential(*layers).to(tdtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(Xt.shape[0])
        for first in range(0, Xt.shape[0], 200):
            rows = order[first : first + 200]
            opt.zero_grad()
            loss_fn(model(Xt[rows]), yt[rows]).backward()
            opt.step()
    seconds = (time.perf_counter() - start) / epochs
    return seconds, model


@njit(cache=True)
def _gemm_epoch(spec, n_samples, batch, x, act, delta, params, grad):
    """Only the matrix products of one training epoch, with the kernels' calls
    and the kernels' buffer layout (``spec`` as ``ParamLayout.kernel_spec``)."""
    units, coef_off, unit_cum = spec.units, spec.coef_off, spec.unit_cum
    n_weights = units.shape[0] - 1
    for first in range(0, n_samples, batch):
        rows = min(batch, n_samples - first)
        for k in range(n_weights):
            A = (
                as_matrix(x, 0, rows, units[0])
                if k == 0
                else as_matrix(act, unit_cum[k] * rows, rows, units[k])
            )
            W = as_matrix(params, coef_off[k], units[k], units[k + 1])
            gemm(A, W, as_matrix(act, unit_cum[k + 1] * rows, rows, units[k + 1]))
        for k in range(n_weights - 1, -1, -1):
            A = (
                as_matrix(x, 0, rows, units[0])
                if k == 0
                else as_matrix(act, unit_cum[k] * rows, rows, units[k])
            )
            D = as_matrix(delta, unit_cum[k + 1] * rows, rows, units[k + 1])
            gemm(A.T, D, as_matrix(grad, coef_off[k], units[k], units[k + 1]))
            if k > 0:
                W = as_matrix(params, coef_off[k], units[k], units[k + 1])
                gemm(D, W.T, as_matrix(delta, unit_cum[k] * rows, rows, units[k]))


def gemm_floor_seconds(n_samples, units, batch, epochs, dtype):
    """Seconds the matrix products of the fit take alone (best of 3).

    The same BLAS calls on the same shapes as our epoch kernel, with nothing
    else: no fit of these layer sizes can be faster with this BLAS.
    """
    layout = ParamLayout(tuple(int(u) for u in units))
    spec = layout.kernel_spec(["identity"] * layout.n_weights)
    rng = np.random.RandomState(0)
    x = rng.rand(batch * layout.layer_units[0]).astype(dtype)
    act = rng.rand(batch * int(spec.unit_cum[-1])).astype(dtype)
    delta = act.copy()
    params = rng.rand(layout.n_params).astype(dtype)
    grad = np.empty_like(params)
    _gemm_epoch(spec, batch, batch, x, act, delta, params, grad)  # compile
    seconds, _ = _best_time(
        lambda: [
            _gemm_epoch(spec, n_samples, batch, x, act, delta, params, grad)
            for _ in range(epochs)
        ],
        3,
    )
    return seconds


def run_fit_rows(quick):
    results = []
    for name, make_data, est_name, params, repeats in workloads(quick):
        X_train, X_test, y_train, y_test = make_data()
        params = dict(params, random_state=0)
        ours_cls = getattr(skperceptron, est_name)
        theirs_cls = getattr(sknn, est_name)
        ours_cls(**dict(params, max_iter=1)).fit(X_train[:50], y_train[:50])  # compile
        row, ours = _timed_row(
            name,
            lambda: ours_cls(**params).fit(X_train, y_train),
            lambda: theirs_cls(**params).fit(X_train, y_train),
            repeats,
            score_on=(X_test, y_test),
        )
        results.append(row)
        t_ours, t_theirs = row["ours_s"], row["sklearn_s"]
        if params.get("solver", "adam") != "lbfgs":
            n_out = ours.coefs_[-1].shape[1]
            floor = gemm_floor_seconds(
                X_train.shape[0],
                (X_train.shape[1], *params["hidden_layer_sizes"], n_out),
                min(200, X_train.shape[0]),
                ours.n_iter_,
                X_train.dtype,
            )
            units = (X_train.shape[1], *params["hidden_layer_sizes"], n_out)
            gflop = _epoch_gflop(X_train.shape[0], units) * ours.n_iter_
            peak_share = gflop / t_ours / PEAKS[X_train.dtype.name]
            results[-1].update(
                gemm_floor_s=floor,
                gemm_floor_ratio=floor / t_theirs,
                ours_over_floor=t_ours / floor,
                ours_peak_share=peak_share,
            )
            print(
                "    matrix products alone (same BLAS calls and shapes): "
                f"{floor:.4f} s = {floor / t_theirs:.2f} x sklearn's fit; "
                f"ours = {t_ours / floor:.2f} x that floor, "
                f"{100 * peak_share:.0f}% of the GEMM peak",
                flush=True,
            )
        if name.startswith("60000x784"):
            results[-1].update(
                _wide_extras(X_train, y_train, params, t_ours, t_theirs, ours.n_iter_)
            )
    return results


def _wide_extras(X, y, params, t_ours, t_theirs, epochs):
    """GEMM share, PyTorch's seconds per epoch, and peak memory of the fits."""
    dtype = X.dtype.name
    PEAKS.update(gemm_peak())
    gflop = _epoch_gflop(X.shape[0], (X.shape[1], *params["hidden_layer_sizes"], 10))
    extras = {}
    for who, seconds in (("ours", t_ours), ("sklearn", t_theirs)):
        extras[f"{who}_gemm_share"] = gflop * epochs / seconds / PEAKS[dtype]
    torch_s, _ = torch_epoch_seconds(
        X, y, params["hidden_layer_sizes"], 1, X.dtype.type
    )
    extras["torch_s_per_epoch"] = torch_s
    extras["ours_s_per_epoch"] = t_ours / epochs
    line = (
        f"    {dtype}: {gflop:.1f} GFLOP/epoch; share of GEMM peak: ours "
        f"{extras['ours_gemm_share']:.0%}, sklearn {extras['sklearn_gemm_share']:.0%}"
    )
    if torch_s is not None:
        extras["ratio_to_torch"] = extras["ours_s_per_epoch"] / torch_s
        line += (
            f"; PyTorch {torch_s:.3f} s/epoch (ours/torch "
            f"{extras['ratio_to_torch']:.2f})"
        )
    print(line, flush=True)
    if dtype == "float32":
        for lib in ("skperceptron", "sklearn"):
            extras[f"{lib}_peak_mb"] = _peak_memory_mb(lib, X, y)
        print(
            f"    peak memory of the fit above the data: ours "
            f"{extras['skperceptron_peak_mb']:.0f} MB, sklearn "
            f"{extras['sklearn_peak_mb']:.0f} MB",
            flush=True,
        )
    return extras


_MEMORY_SNIPPET = """
import resource, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
if sys.argv[1] == "skperceptron":
    from skperceptron import MLPClassifier
    MLPClassifier(max_iter=1).fit(np.ones((4, 3)), [0, 1, 0, 1])  # compile first
else:
    from sklearn.neural_network import MLPClassifier
X, y = np.load(sys.argv[2]), np.load(sys.argv[3])


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024  # MB


with open("/proc/self/clear_refs", "w") as f:  # reset the high-water mark
    f.write("5")
before = status("VmRSS")
MLPClassifier(hidden_layer_sizes=(256, 128), max_iter=1, random_state=0).fit(X, y)
print(status("VmHWM") - before)
"""


def _peak_memory_mb(library, X, y):
    """Peak resident memory a one-epoch fit adds on top of the loaded data (MB)."""
    with tempfile.TemporaryDirectory() as folder:
        np.save(os.path.join(folder, "X.npy"), X)
        np.save(os.path.join(folder, "y.npy"), y)
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                _MEMORY_SNIPPET,
                library,
                os.path.join(folder, "X.npy"),
                os.path.join(folder, "y.npy"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return float(out.split()[-1])


def run_perceptron_rows(quick):
    """Perceptron, 20 epochs, tol=None, on 200,000 x 100 (two and ten classes)."""
    results = []
    n_samples = 50000 if quick else 200000
    for n_classes in (2, 10):
        X, y = make_classification(
            n_samples=n_samples,
            n_features=100,
            n_informative=20,
            n_classes=n_classes,
            random_state=0,
        )
        params = dict(max_iter=20, tol=None, random_state=0)
        skperceptron.Perceptron(max_iter=1).fit(X[:100], y[:100])  # compile
        row, _ = _timed_row(
            f"Perceptron {n_samples}x100 {n_classes} classes 20 ep",
            lambda: skperceptron.Perceptron(**params).fit(X, y),
            lambda: SklearnPerceptron(**params).fit(X, y),
            2,
            score_on=(X, y),
        )
        results.append(row)
    return results


def run_sparse_perceptron_rows():
    """Perceptron on CSR text-like data: 20,000 x 50,000 at 0.2% density."""
    from sklearn.linear_model import SGDClassifier

    rng = np.random.RandomState(0)
    X = sp.random(20000, 50000, density=0.002, format="csr", random_state=rng)
    scores = X @ rng.normal(size=(50000, 10))
    y2 = (scores[:, 0] > np.median(scores[:, 0])).astype(int)
    y10 = scores.argmax(axis=1)
    params = dict(max_iter=20, tol=None, random_state=0)
    sgd = dict(loss="perceptron", learning_rate="constant", eta0=1.0, penalty=None)
    results = []
    for label, y, ours_params, theirs in (
        ("2 classes", y2, {}, lambda: SklearnPerceptron(**params).fit(X, y2)),
        ("10 classes", y10, {}, lambda: SklearnPerceptron(**params).fit(X, y10)),
        (
            "2 classes average (vs SGD)",
            y2,
            dict(average=True),
            lambda: SGDClassifier(average=True, **sgd, **params).fit(X, y2),
        ),
    ):

        def ours(y=y, ours_params=ours_params):
            return skperceptron.Perceptron(**ours_params, **params).fit(X, y)

        ours()  # compile
        row = _timed_row(f"Perceptron CSR {label}", ours, theirs, 2)[0]
        floor = sparse_dot_floor_seconds(X, _unit_epochs(X, y, ours_params, params))
        row.update(dot_floor_s=floor, dot_floor_ratio=floor / row["sklearn_s"])
        print(
            "    the rows' dot products alone, in the same orders: "
            f"{floor:.4f} s = {floor / row['sklearn_s']:.2f} x sklearn's fit",
            flush=True,
        )
        results.append(row)
    return results


def _unit_epochs(X, y, ours_params, params):
    """How many epochs each one-vs-rest unit of our fit trained.

    A unit whose epoch made no mistake (no penalty, no averaging) cannot
    change any more and stops; the verbose report gives the active units.
    """
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        model = skperceptron.Perceptron(**ours_params, **params, verbose=1).fit(X, y)
    n_units = model.coef_.shape[0]
    after = [int(a) for a in re.findall(r"Active units: (\d+)", report.getvalue())]
    at_start = [n_units] + after[:-1]
    return np.array([sum(a > k for a in at_start) for k in range(n_units)])


@jit  # the kernels' numba options
def _sparse_dot_epochs(csr, unit_epochs, seeds, weights):
    """Each unit's epochs of the epoch kernel's row scoring (``_scores``) and
    prefetching alone, each unit in its own visiting order."""
    distance = perceptron_kernel._CSR_PREFETCH_DISTANCE
    scale, b = np.ones(1), np.zeros(1)
    active, out = np.ones(1, dtype=np.bool_), np.empty(1)
    total = 0.0
    n_rows = csr[2].shape[0] - 1
    for k in range(unit_epochs.shape[0]):
        order = np.arange(n_rows)
        for _ in range(unit_epochs[k]):
            perceptron_kernel.shuffle_like_sgd(order, seeds[k])
            for i in range(n_rows):
                if i + distance < n_rows:
                    perceptron_kernel.prefetch_csr_row(csr, order[i + distance])
                perceptron_kernel._scores(
                    None, csr, order[i], weights, scale, b, active, out
                )
                total += out[0]
    return total


def sparse_dot_floor_seconds(X, unit_epochs):
    """Seconds the Perceptron's row dot products take alone (best of 3).

    Each one-vs-rest unit reads every row once per epoch it trains, in its own
    shuffled order (scikit-learn's, which the fit keeps); this is that reading
    and the dot products with the weights, without updates or bookkeeping: the
    least any fit giving scikit-learn's models can spend on this data.
    """
    _, csr = kernel_input(X, np.float64)
    weights = np.random.RandomState(0).normal(size=(1, X.shape[1]))
    seeds = np.arange(1, len(unit_epochs) + 1, dtype=np.int64) * 7919
    once = np.ones_like(unit_epochs[:1])
    _sparse_dot_epochs(csr, once, seeds, weights)  # compile
    seconds, _ = _best_time(
        lambda: _sparse_dot_epochs(csr, unit_epochs, seeds, weights), 3
    )
    return seconds


def run_predict_rows():
    """Prediction calls one row at a time (300 calls, as a service makes them)
    and on 10,000 rows, digits, (100,) network; the Perceptron on digits too."""
    X_train, X_test, y_train, _ = _digits()
    params = dict(hidden_layer_sizes=(100,), max_iter=20, random_state=0)
    models = {
        "clf": (skperceptron.MLPClassifier(**params), sknn.MLPClassifier(**params)),
        "reg": (skperceptron.MLPRegressor(**params), sknn.MLPRegressor(**params)),
        "perceptron": (skperceptron.Perceptron(), SklearnPerceptron()),
    }
    for ours, theirs in models.values():
        ours.fit(X_train, y_train)
        theirs.fit(X_train, y_train)
    big = np.tile(X_test, (23, 1))[:10000]
    rows = [X_test[i : i + 1] for i in range(300)]
    results = []
    for label, model, method, data, repeats in (
        ("MLPClassifier.predict_proba 1 row x300", "clf", "predict_proba", rows, 5),
        ("MLPClassifier.predict 1 row x300", "clf", "predict", rows, 5),
        ("MLPRegressor.predict 1 row x300", "reg", "predict", rows, 5),
        ("Perceptron.predict 1 row x300", "perceptron", "predict", rows, 5),
        ("MLPClassifier.predict_proba 10000 rows", "clf", "predict_proba", [big], 20),
    ):
        ours, theirs = (getattr(m, method) for m in models[model])
        ours(data[0])
        results.append(
            _timed_row(
                label,
                lambda: [ours(x) for x in data],
                lambda: [theirs(x) for x in data],
                repeats,
            )[0]
        )
    return results


def run_training_option_rows():
    """Each training option against the same fit without it (ours both): the
    sklearn column holds the plain fit, so ratio is the option's cost."""
    X_train, _, y_train, _ = _digits()
    results = []
    for hidden, options in (
        ((100,), dict(dropout=0.2)),
        ((100,), dict(dropout=0.5)),
        ((256, 256), dict(dropout=0.2)),
        ((100,), dict(activation="gelu")),
        ((100,), dict(activation="leaky_relu")),
        ((100,), dict(solver="nadam")),
        ((100,), dict(solver="rmsprop")),
        ((100,), dict(max_grad_norm=1.0)),
        ((100,), dict(weight_decay=0.01, learning_rate="cosine")),
    ):
        params = dict(hidden_layer_sizes=hidden, max_iter=30, tol=0, random_state=0)
        plain = skperceptron.MLPClassifier(**params)
        tuned = skperceptron.MLPClassifier(**params, **options)
        plain.fit(X_train, y_train)  # compile outside the timing
        tuned.fit(X_train, y_train)
        label = ", ".join(f"{k}={v}" for k, v in options.items())
        results.append(
            _timed_row(
                f"{hidden} {label} vs without",
                lambda tuned=tuned: tuned.fit(X_train, y_train),
                lambda plain=plain: plain.fit(X_train, y_train),
                5,
            )[0]
        )
    return results


def run_partial_fit_rows():
    """partial_fit streams: digits in 10- and 200-row chunks, three passes."""
    X_train, _, y_train, _ = _digits()
    classes = np.unique(y_train)
    results = []
    for label, ours_cls, theirs_cls, params in (
        (
            "MLPClassifier",
            skperceptron.MLPClassifier,
            sknn.MLPClassifier,
            dict(hidden_layer_sizes=(100,), random_state=0),
        ),
        (
            "Perceptron",
            skperceptron.Perceptron,
            SklearnPerceptron,
            dict(random_state=0),
        ),
    ):
        for chunk in (10, 200):

            def stream(cls, chunk=chunk, params=params):
                est = cls(**params)
                for _ in range(3):
                    for i in range(0, len(X_train), chunk):
                        est.partial_fit(
                            X_train[i : i + chunk],
                            y_train[i : i + chunk],
                            classes=classes,
                        )
                return est

            stream(ours_cls)  # compile
            results.append(
                _timed_row(
                    f"{label}.partial_fit {chunk}-row chunks x3",
                    lambda: stream(ours_cls),
                    lambda: stream(theirs_cls),
                    3,
                )[0]
            )
    return results


_COMPILE_SNIPPET = """
import time, warnings
t0 = time.perf_counter()
from skperceptron import MLPClassifier
import numpy as np
t1 = time.perf_counter()
X = np.random.RandomState(0).normal(size=(40, 5)); y = np.arange(40) % 3
warnings.simplefilter("ignore")
MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y).predict(X)
t2 = time.perf_counter()
MLPClassifier(hidden_layer_sizes=(4,), max_iter=1).fit(X, y).predict(X)
t3 = time.perf_counter()
print(t1 - t0, (t2 - t1) - (t3 - t2))
"""


def run_compile_rows():
    """First fit in a fresh process, empty cache then warm cache (dense f64 adam)."""
    results = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("first fit, empty numba cache", "first fit, warm numba cache"):
            out = subprocess.run(
                [sys.executable, "-c", _COMPILE_SNIPPET],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            import_s, compile_s = map(float, out.split())
            results.append(dict(workload=label, compile_s=compile_s, import_s=import_s))
            print(
                f"{label:<42}{compile_s:>9.2f} s compile/load   "
                f"(import {import_s:.2f} s)"
            )
    return results


_TEN_VARIANTS_SNIPPET = """
import time, warnings
t0 = time.perf_counter()
import numpy as np, scipy.sparse as sp
from skperceptron import MLPClassifier, MLPRegressor, Perceptron
t1 = time.perf_counter()
warnings.simplefilter("ignore")
rng = np.random.RandomState(0)
X = rng.normal(size=(40, 5)); y = np.arange(40) % 3
fits = [
    lambda: MLPClassifier((4,), solver="adam", max_iter=2).fit(X, y).predict(X),
    lambda: MLPClassifier((4,), solver="sgd", max_iter=2).fit(X, y).predict(X),
    lambda: MLPClassifier((4,), solver="lbfgs", max_iter=2).fit(X, y).predict(X),
    lambda: MLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, X[:, 0]),
    lambda: MLPRegressor(hidden_layer_sizes=(4,), solver="sgd").fit(X, X[:, 0]),
    lambda: MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs").fit(X, X[:, 0]),
    lambda: MLPClassifier((4,), max_iter=2).fit(sp.csr_matrix(X), y),
    lambda: MLPClassifier((4,), max_iter=2).fit(X.astype(np.float32), y),
    lambda: Perceptron(max_iter=2).fit(X, y),
    lambda: Perceptron(max_iter=2).fit(sp.csr_matrix(X), y),
]
for fit in fits:
    fit()
print(t1 - t0, time.perf_counter() - t1)
"""


def run_cold_start_rows():
    """Ten variants' first fits in a fresh process, after ``precompile``."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "skperceptron", "precompile"],
            env=env,
            capture_output=True,
            check=True,
        )
        precompile_s = time.perf_counter() - start
        out = subprocess.run(
            [sys.executable, "-c", _TEN_VARIANTS_SNIPPET],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    import_s, fits_s = map(float, out.split())
    print(
        f"{'precompile (fresh cache, own process)':<42}{precompile_s:>9.2f} s\n"
        f"{'then ten variants first fits, new process':<42}{fits_s:>9.2f} s"
        f"   (import {import_s:.2f} s)"
    )
    return [
        dict(
            workload="ten variants after precompile",
            fits_s=fits_s,
            import_s=import_s,
            precompile_s=precompile_s,
        )
    ]


def run_kernel_rows():
    """Nanoseconds per element of the elementwise and optimizer loops."""
    from skperceptron._kernels.activations import add_bias_and_activate
    from skperceptron._kernels.optimizers import OptimizerParams, optimizer_step

    rows = []
    n = 64 * 100 + 100 * 10 + 110  # the digits network's parameters
    for label, size in (
        ("adam step, digits net (7,510 params)", n),
        ("adam step, 784-256-128-10 net (234,752 params)", 234752),
    ):
        rng = np.random.RandomState(0)
        params, grad = rng.rand(size), rng.rand(size)
        m, v = np.zeros(size), np.zeros(size)
        hyper = OptimizerParams(
            1e-4, 1e-3, 0.9, True, 0.9, 0.999, 1e-8, 0.0, 0.0, None, 0
        )
        step = (params, grad, size - 200, 200.0, hyper, m, v, None, None, None)
        optimizer_step(*step, 1)
        seconds, _ = _best_time(
            lambda: optimizer_step(*step, 10),
            200,
        )
        rows.append(dict(kernel=label, ns_per_element=seconds / size * 1e9))
    Z, bias = np.random.RandomState(0).rand(200, 256), np.zeros(256)
    add_bias_and_activate(Z, bias, 3, None)
    seconds, _ = _best_time(lambda: add_bias_and_activate(Z, bias, 3, None), 200)
    rows.append(
        dict(kernel="bias + relu, 200x256", ns_per_element=seconds / Z.size * 1e9)
    )
    for row in rows:
        print(f"{row['kernel']:<48}{row['ns_per_element']:>8.2f} ns/element")
    return rows


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
        t_dask, on_dask = _best_time(
            lambda: skperceptron.MLPClassifier(**params).fit(X, y), 1
        )
        t_memory, in_memory = _best_time(
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


def _print_row(row):
    line = (
        f"{row['workload']:<42}{row['ours_s']:>10.4f}{row['sklearn_s']:>10.4f}"
        f"{row['ratio']:>8.2f}"
    )
    if "ours_score" in row:
        line += (
            f"{row['ours_score']:>9.4f}{row['sklearn_score']:>9.4f}"
            f"{row['ours_epochs']:>5}/{row['sklearn_epochs']}"
        )
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 60000x784 rows")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--dask",
        action="store_true",
        help="run only the dask row (needs dask[distributed])",
    )
    parser.add_argument(
        "--dask-rows",
        type=int,
        default=2_000_000,
        help="rows of the dask workload (default 2,000,000)",
    )
    args = parser.parse_args()

    print(
        f"skperceptron {skperceptron.__version__} | numpy {np.__version__} | "
        f"{platform.processor() or platform.machine()} | {os.cpu_count()} cores"
    )
    if args.dask:
        print(f"{'workload':<42}{'dask [s]':>10}{'memory':>10}{'ratio':>8}")
        results = {"dask": run_dask_rows(args.dask_rows)}
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=2)
        return
    print(
        f"{'workload':<42}{'ours [s]':>10}{'sklearn':>10}{'ratio':>8}"
        f"{'ours sc':>9}{'sk sc':>9}{'epochs':>8}"
    )
    PEAKS.update(gemm_peak())
    results = {
        "kernels": run_kernel_rows(),
        "compile": run_compile_rows(),
        "cold_start": run_cold_start_rows(),
        "fit": run_fit_rows(args.quick),
        "perceptron": run_perceptron_rows(args.quick),
        "sparse_perceptron": run_sparse_perceptron_rows(),
        "predict": run_predict_rows(),
        "partial_fit": run_partial_fit_rows(),
        "training_options": run_training_option_rows(),
    }
    results["gemm_peak_gflops"] = dict(PEAKS)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
