"""``precompile``: compile every kernel variant into numba's on-disk cache."""

import time
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._mlp_classifier import MLPClassifier
from ._perceptron import Perceptron


def _variants():
    """(name, fit) pairs, one per compiled kernel variant.

    A kernel compiles once per combination of argument types: input kind
    (dense or CSR) x dtype x solver for the networks (rmsprop and adagrad
    share theirs), input kind x dtype for the Perceptron, and dtype for early
    stopping's validation loss. scikit-learn's losses and activations, layer
    sizes, penalties, schedules, weight decay and averaging are data, not
    types, so these fits cover those models (regressors included).
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 4))
    y = np.arange(24) % 3
    for dtype in (np.float64, np.float32):
        for kind, data in (
            ("dense", X.astype(dtype)),
            ("CSR", sp.csr_matrix(X.astype(dtype))),
        ):
            bits = np.dtype(dtype).itemsize * 8
            for solver in ("adam", "sgd", "lbfgs", "rmsprop", "nadam"):
                yield (
                    f"MLP {solver:<7} {kind:<5} float{bits}",
                    lambda data=data, solver=solver: (
                        MLPClassifier(
                            hidden_layer_sizes=(3,),
                            solver=solver,
                            max_iter=2,
                            random_state=0,
                        )
                        .fit(data, y)
                        .predict(data)
                    ),
                )
            if kind == "dense":
                yield (
                    f"MLP early stopping      float{bits}",
                    lambda data=data: MLPClassifier(
                        hidden_layer_sizes=(3,),
                        max_iter=2,
                        early_stopping=True,
                        validation_fraction=0.25,
                        random_state=0,
                    ).fit(data, y),
                )
            yield (
                f"Perceptron    {kind:<5} float{bits}",
                lambda data=data: Perceptron(max_iter=2, penalty="l1").fit(data, y),
            )


def precompile(verbose=True):
    """Compile every kernel variant now, so that later fits load them from disk.

    numba compiles a kernel the first time a fit uses it and keeps the machine
    code in its on-disk cache (in ``NUMBA_CACHE_DIR`` when set, else next to
    the package, else in the user-wide cache). Call this once where that cache
    persists (a container image build, a CI cache step) and first fits in
    later processes skip the compilation. ``python -m skperceptron
    precompile`` does the same from a shell.

    Covered: every estimator, solver and scikit-learn loss and activation, on
    writable dense or CSR input in float32 or float64, early stopping,
    schedules, weight decay and label smoothing included. Not covered, each
    compiling its own kernels on first use: dropout, the activations
    leaky_relu, elu, gelu, silu and mish, ``max_grad_norm``, the quantile
    loss (their code is left out of the default kernels, which keeps those
    compiling fast), and read-only arrays (such as the memory maps joblib
    hands to parallel workers), another type to numba.

    Parameters
    ----------
    verbose : bool, default=True
        Print each variant and the seconds it took (compiling, or loading from
        the cache when it is already there).

    Returns
    -------
    seconds : dict of str to float
        Seconds spent on each variant, by name.

    Examples
    --------
    >>> from skperceptron import precompile
    >>> seconds = precompile(verbose=False)
    >>> len(seconds)
    26
    """
    seconds = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, fit in _variants():
            start = time.perf_counter()
            fit()
            seconds[name] = time.perf_counter() - start
            if verbose:
                print(f"{name:<30}{seconds[name]:7.2f} s", flush=True)
    if verbose:
        print(f"{'total':<30}{sum(seconds.values()):7.2f} s")
    return seconds
