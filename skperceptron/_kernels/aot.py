"""Every kernel variant compiled ahead of time into the extension ``_aot``.

``setup.py`` calls ``compiler()`` when the package is built (``pip install``
builds it on the installing machine, so it targets that CPU) and hands the
result to setuptools; a build that cannot run (no C compiler, numba missing)
leaves the package without ``_aot`` and the kernels are compiled on first use
instead (``compiled.py``). numba's ``pycc`` is pending deprecation in numba:
the JIT path is kept as the tested fallback, so dropping this file leaves a
working package.

Each exported entry is a one-line function calling the numba dispatcher, so
that the kernel itself is compiled with the project's numba options
(``_jit.py``), and is typed from sample arguments built here exactly as the
package builds them at run time: float32 and float64, dense rows and CSR
rows with int32 column indices.
"""

import numpy as np
from numba import typeof, types

from . import compiled, losses, network, perceptron
from .specs import (
    Dropout,
    EpochStats,
    NetworkSpec,
    OptimizerParams,
    Rule,
    Samples,
    Units,
    loss_spec,
    optimizer_state,
    workspace,
)

MODULE_NAME = "_aot"


def _entries():
    # module-level functions: pycc compiles each entry from its source
    def run_epoch(data, Y, sw, order, batch, params, spec, loss, hyper, st, work, d):
        return network.run_epoch(
            data, Y, sw, order, batch, params, spec, loss, hyper, st, work, d
        )

    def minibatch_loss_and_gradient(
        data, Y, sw, rows, first, step, params, spec, loss, hyper, work, dropout
    ):
        return network.minibatch_loss_and_gradient(
            data, Y, sw, rows, first, step, params, spec, loss, hyper, work, dropout
        )

    def minibatch_step(params, grad, part, loss_sum, sw, rows, step, spec, hyper, st):
        return network.minibatch_step(
            params, grad, part, loss_sum, sw, rows, step, spec, hyper, st
        )

    def loss_and_gradient(data, Y, sw, params, spec, loss, alpha, work, dropout):
        return network.loss_and_gradient(
            data, Y, sw, params, spec, loss, alpha, work, dropout
        )

    def forward_pass_fast(data, params, spec, work, dropout, out):
        return network.forward_pass_fast(data, params, spec, work, dropout, out)

    def loss_sum(A, Y, sw, rows, delta, out_code, loss):
        return losses.loss_sum(A, Y, sw, rows, delta, out_code, loss)

    def perceptron_epoch(X, csr, order, samples, units, rule, step, l1, stats):
        return perceptron.perceptron_epoch(
            X, csr, order, samples, units, rule, step, l1, stats
        )

    def shuffle_like_sgd(index, seed):
        perceptron.shuffle_like_sgd(index, seed)

    def flush_l1(V, scale, q, B, S, pending):
        perceptron.flush_l1(V, scale, q, B, S, pending)

    return locals()


def _data(dtype, sparse):
    X = np.ones((3, 2), dtype=dtype)
    if not sparse:
        return X, None
    csr = (np.ones(3, dtype), np.zeros(3, np.int32), np.arange(4, dtype=np.int64))
    return None, csr


def _network_args(dtype, sparse, gather_rows):
    units = np.array([2, 3, 1], dtype=np.int64)
    spec = NetworkSpec(
        units, units, units, units, units, 0.01, 2, -1, np.empty(0, np.int64), -1, 0, 0
    )
    n_params = 13
    params = np.ones(n_params, dtype)
    work = workspace(spec, 3, n_params, dtype, gather_rows, Dropout(np.zeros(2), 0))
    return spec, params, work


def _variants(dtype, sparse):
    """(name, return type, sample arguments) of every entry."""
    data = _data(dtype, sparse)
    Y = np.ones((3, 1), dtype)
    sw = np.ones(3, dtype)
    rows = np.arange(3, dtype=np.int64)
    loss = loss_spec(0, 1e-16, quantiles=np.ones(2))
    dropout = Dropout(np.zeros(2), 0)
    spec, params, work = _network_args(dtype, sparse, gather_rows=not sparse)
    ends, factors, steps = np.ones(0, np.int64), np.ones(0, dtype), np.ones(0)
    hyper = OptimizerParams(
        1, 0.1, 0.1, 0.9, True, 0.9, 0.9, 1e-8, 0.1, 0.1, np.inf, ends, factors,
        factors, steps, steps, steps,
    )  # fmt: skip
    state = optimizer_state(dtype, 0)
    yield (
        "run_epoch",
        types.float64,
        (data, Y, sw, rows, 2, params, spec, loss, hyper, state, work, dropout),
    )
    if not sparse:  # steps split over threads: dense input only
        yield (
            "minibatch_loss_and_gradient",
            types.float64,
            (data, Y, sw, rows, 0, 0, params, spec, loss, hyper, work, dropout),
        )
        yield (
            "minibatch_step",
            types.float64,
            (params, work.grad, work.grad, 0.0, sw, rows, 0, spec, hyper, state),
        )
    _, _, lbfgs_work = _network_args(dtype, sparse, gather_rows=False)
    yield (
        "loss_and_gradient",
        types.float64,
        (data, Y, sw, params, spec, loss, 0.1, lbfgs_work, dropout),
    )
    yield (
        "forward_pass_fast",
        types.none,
        (data, params, spec, lbfgs_work, dropout, Y),
    )
    V = np.ones((2, 2), dtype)
    f64, matrix = np.ones(2), np.ones((2, 2))
    units = Units(V, f64, f64, np.ones(2, bool), f64, f64, f64, matrix, matrix,
                  matrix, f64, f64, np.ones(2, np.int64))  # fmt: skip
    samples = Samples(np.ones((3, 2), np.int8), np.ones(0, np.int64), np.ones(3))
    rule = Rule(True, 1.0, 0.1, 0.1, 0, False, 10)
    stats = EpochStats(matrix, np.ones(2, np.int64))
    yield (
        "perceptron_epoch",
        types.Tuple((types.int64, types.float64)),
        (*data, rows, samples, units, rule, 1, 0.0, stats),
    )


def _dtype_variants(dtype):
    """(name, return type, sample arguments) of the entries without X."""
    A = np.ones((3, 1), dtype)
    loss = loss_spec(0, 1e-16, quantiles=np.ones(2))
    yield (
        "loss_sum",
        types.float64,
        (A, A, np.ones(3, dtype), np.arange(3, dtype=np.int64), A, 0, loss),
    )
    f64, matrix = np.ones(2), np.ones((2, 2))
    V = np.ones((2, 2), dtype)
    yield "flush_l1", types.none, (V, f64, matrix, matrix, f64, f64)


def sample_variants():
    """(dtype, sparse, name, return type, sample arguments) of every variant:
    ``sparse`` is None for the kernels that do not read X."""
    for dtype in (np.float32, np.float64):
        for sparse in (False, True):
            for name, return_type, args in _variants(dtype, sparse):
                yield np.dtype(dtype), sparse, name, return_type, args
        for name, return_type, args in _dtype_variants(dtype):
            yield np.dtype(dtype), None, name, return_type, args
    index = (np.arange(3, dtype=np.int64), 7)
    yield np.dtype(np.float64), None, "shuffle_like_sgd", types.none, index


def _release_the_gil():
    """Make pycc's wrappers release the GIL while a kernel runs, as the JIT
    kernels do (``nogil=True``): pycc has no such option, so its module
    compiler is handed flags that ask for it. Without it, a fit's hold-out
    evaluated in a second thread, or the Perceptron's units trained in
    several, would wait for each kernel call to return.
    Returns whether it could (the module records it: ``releases_gil``).
    """
    from numba.pycc import compiler as pycc_compiler

    base = getattr(pycc_compiler, "Flags", None)
    if base is None or not hasattr(base(), "release_gil"):
        return False
    if getattr(base, "releases_gil", False):
        return True

    class ReleasingFlags(base):
        releases_gil = True

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.release_gil = True

    pycc_compiler.Flags = ReleasingFlags
    return True


def compiler(output_dir, cpu_flags=None):
    """A ``numba.pycc.CC`` exporting every variant (not compiled yet)."""
    from numba.pycc import CC

    gil_released = _release_the_gil()
    cc = CC(MODULE_NAME, source_module=__name__)
    cc.output_dir = output_dir
    cc.target_cpu = "host"
    entries = _entries()
    for dtype, sparse, name, return_type, args in sample_variants():
        signature = return_type(*[typeof(a) for a in args])
        symbol = compiled.variant_name(name, dtype, sparse)
        cc.export(symbol, signature)(entries[name])

    digest = compiled.source_hash()
    flags = " ".join(sorted(compiled.cpu_flags() if cpu_flags is None else cpu_flags))

    def source_hash():
        return digest

    def built_for():
        return flags

    def releases_gil():
        return gil_released

    cc.export("source_hash", types.int64())(source_hash)
    cc.export("built_for", types.unicode_type())(built_for)
    cc.export("releases_gil", types.boolean())(releases_gil)
    return cc
