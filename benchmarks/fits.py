"""Minibatch and L-BFGS fits against scikit-learn, their matrix-product floors,
PyTorch's seconds per epoch, peak memory, and the training options' costs."""

import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from common import PEAKS, best_time, digits, friedman, gemm_peak, timed_row, wide
from numba import njit
from sklearn import neural_network as sknn

import skperceptron
from skperceptron._kernels._blas import gemm
from skperceptron._kernels._intrinsics import as_matrix
from skperceptron._params import ParamLayout


def workloads(quick):
    """(name, data maker, estimator name, params, repeats, epochs-per-fit)."""
    rows = [
        (
            "digits (100,) adam 200 ep f64",
            digits,
            "MLPClassifier",
            dict(
                hidden_layer_sizes=(100,), max_iter=200, tol=0.0, n_iter_no_change=10**9
            ),
            3,
        ),
        (
            "digits (100,) lbfgs f64",
            digits,
            "MLPClassifier",
            dict(hidden_layer_sizes=(100,), solver="lbfgs", max_iter=200),
            3,
        ),
        (
            "friedman1 20000x10 (64,64) adam 50 ep",
            friedman,
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
                    lambda dtype=dtype: wide(dtype),
                    "MLPClassifier",
                    dict(hidden_layer_sizes=(256, 128), max_iter=3),
                    3,
                )
            )
    return rows


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
    seconds, _ = best_time(
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
        row, ours = timed_row(
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


def run_training_option_rows():
    """Each training option against the same fit without it (ours both): the
    sklearn column holds the plain fit, so ratio is the option's cost."""
    X_train, _, y_train, _ = digits()
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
            timed_row(
                f"{hidden} {label} vs without",
                lambda tuned=tuned: tuned.fit(X_train, y_train),
                lambda plain=plain: plain.fit(X_train, y_train),
                5,
            )[0]
        )
    return results
