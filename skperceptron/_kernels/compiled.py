"""The kernels as the package calls them: ahead-of-time compiled, else JIT.

``pip install`` compiles every kernel variant into the extension module
``_aot`` with numba's ``pycc`` (``aot.py``; ``setup.py`` builds it), for the
installing machine's CPU: calling it needs neither numba nor a compile. Each
function here picks that module's variant for its arguments' dtype and input
kind; where there is none (the build could not run, ``SKPERCEPTRON_JIT=1``
or ``NUMBA_DISABLE_JIT=1``,
an unusual input type, kernel sources that changed since the build, or a CPU
lacking what the build used) it calls the numba-compiled kernel, importing
numba then and only then. Both give the same results (tests/test_aot.py).
"""

import hashlib
import importlib.util
import os
import pathlib
import warnings
from importlib import metadata

import numpy as np

_HERE = pathlib.Path(__file__).resolve().parent
# The runtime side, which does not change the compiled code.
_NOT_COMPILED = {"compiled.py", "units.py", "__init__.py"}


def source_hash():
    """A 60-bit hash of the kernel sources (what an ``_aot`` build was made
    from, so that a module built from other sources is never used)."""
    digest = hashlib.sha256()
    for path in sorted(_HERE.glob("*.py")):
        if path.name not in _NOT_COMPILED:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return int(digest.hexdigest()[:15], 16)


def cpu_flags():
    """The CPU's feature flags as /proc/cpuinfo lists them (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def _load_aot():
    """The ``_aot`` module if it can serve this process, else None."""
    if "1" in (os.environ.get("SKPERCEPTRON_JIT"), os.environ.get("NUMBA_DISABLE_JIT")):
        return None
    _aot = _import_aot()
    if _aot is None:
        return None
    if _aot.source_hash() != source_hash():
        warnings.warn(
            "skperceptron's ahead-of-time kernels were built from other kernel "
            "sources; the kernels are compiled on first use instead. Reinstall "
            "the package to rebuild them.",
            stacklevel=3,
        )
        return None
    built_for = frozenset(_aot.built_for().split())
    missing = built_for - cpu_flags()
    if built_for and missing:
        warnings.warn(
            "skperceptron's ahead-of-time kernels were built for a CPU with "
            f"features this one lacks ({', '.join(sorted(missing)[:5])}); the "
            "kernels are compiled on first use instead. Reinstall the package on "
            "this machine to rebuild them.",
            stacklevel=3,
        )
        return None
    return _aot


def _import_aot():
    """The ``_aot`` next to this file or, when these sources are not the
    installed package's (a source checkout on ``sys.path`` before
    site-packages), the installed package's copy; None without either."""
    try:
        from . import _aot

        return _aot
    except ImportError:
        pass
    # a checkout's own metadata (egg-info) may come first: look at them all
    for distribution in metadata.distributions(name="skperceptron"):
        for file in distribution.files or ():
            if file.name.startswith("_aot.") and file.parent.name == "_kernels":
                spec = importlib.util.spec_from_file_location(
                    f"{__package__}._aot", file.locate()
                )
                if spec is None:
                    continue
                try:
                    module = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(module)
                except ImportError:
                    continue
                return module
    return None


_AOT = "unloaded"
_CHOSEN = {}


def aot_module():
    """The ahead-of-time module in use, or None (JIT)."""
    global _AOT
    if _AOT == "unloaded":
        _AOT = _load_aot()
    return _AOT


def _jit_kernel(name):
    from . import losses, network, optimizers, perceptron  # numba: JIT path only

    modules = (network, perceptron, losses, optimizers)
    return next(getattr(m, name) for m in modules if hasattr(m, name))


def variant_name(name, dtype, sparse):
    """The ``_aot`` name of kernel ``name`` for ``dtype`` and the input kind."""
    bits = "f32" if dtype.itemsize == 4 else "f64"
    if sparse is None:
        return f"{name}_{bits}"
    return f"{name}_{bits}_{'csr' if sparse else 'dense'}"


def kernel(name, dtype, sparse=None, aot_ok=True):
    """The callable of kernel ``name`` for float ``dtype`` and, for kernels
    that read X, dense (``sparse=False``) or CSR rows; ``aot_ok=False`` asks
    for the JIT kernel (an input type the build did not cover)."""
    key = (name, dtype.char, sparse, aot_ok)
    chosen = _CHOSEN.get(key)
    if chosen is None:
        module = aot_module() if aot_ok else None
        chosen = getattr(module, variant_name(name, dtype, sparse), None)
        if chosen is None:
            chosen = _jit_kernel(name)
        _CHOSEN[key] = chosen
    return chosen


class _WritableView:
    """The ``__array_interface__`` of a read-only array, marked writable."""

    def __init__(self, array):
        interface = dict(array.__array_interface__)
        interface["data"] = (interface["data"][0], False)
        self.__array_interface__ = interface
        self.array = array  # numpy keeps this object, and so the memory, alive


def _writable(array):
    """``array`` as numba types a writable one: each read-only input (the
    memory maps joblib hands its workers, scikit-learn's read-only checks)
    would otherwise compile a JIT variant of its own. The kernels never
    write to their inputs (the ahead-of-time wrappers ignore the flag too)."""
    if isinstance(array, np.ndarray) and not array.flags.writeable:
        return np.asarray(_WritableView(array))
    if isinstance(array, tuple):
        return tuple(_writable(a) for a in array)
    return array


def _inputs(f, *arrays):
    """The input arrays as kernel ``f`` takes them (see ``_writable``)."""
    return _writable(arrays) if hasattr(f, "py_func") else arrays  # JIT: views


def _aot_releases_gil():
    module = aot_module()
    return module is not None and module.releases_gil()


def _sparse(csr):
    """None for dense input; else whether the build covers the CSR arrays."""
    return csr is not None


def _covered(csr):
    return csr is None or csr[1].dtype.itemsize == 4


def run_epoch(data, Y, sample_weight, order, batch_size, params, *rest):
    """``network.run_epoch`` (see there)."""
    f = kernel("run_epoch", params.dtype, _sparse(data[1]), _covered(data[1]))
    data, Y, sample_weight = _inputs(f, data, Y, sample_weight)
    return f(data, Y, sample_weight, order, batch_size, params, *rest)


def minibatch_loss_and_gradient(
    data, Y, sample_weight, rows, first, step, params, *rest
):
    """``network.minibatch_loss_and_gradient`` (see there); dense input."""
    f = kernel("minibatch_loss_and_gradient", params.dtype, False)
    data, Y, sample_weight = _inputs(f, data, Y, sample_weight)
    return f(data, Y, sample_weight, rows, first, step, params, *rest)


def minibatch_step(params, grad, part_grad, loss_sum, sample_weight, *rest):
    """``network.minibatch_step`` (see there)."""
    f = kernel("minibatch_step", params.dtype, False)
    (sample_weight,) = _inputs(f, sample_weight)
    return f(params, grad, part_grad, loss_sum, sample_weight, *rest)


def releases_gil():
    """Whether kernel calls let other threads run Python meanwhile: the JIT
    kernels always do, the ahead-of-time ones when their build could ask
    pycc for it (numba issue 6382)."""
    return aot_module() is None or _aot_releases_gil()


def loss_and_gradient(data, Y, sample_weight, params, *rest):
    """``network.loss_and_gradient`` (see there)."""
    f = kernel("loss_and_gradient", params.dtype, _sparse(data[1]), _covered(data[1]))
    data, Y, sample_weight = _inputs(f, data, Y, sample_weight)
    return f(data, Y, sample_weight, params, *rest)


def forward_pass_fast(data, params, spec, work, dropout, out):
    """``network.forward_pass_fast`` (see there)."""
    f = kernel("forward_pass_fast", params.dtype, _sparse(data[1]), _covered(data[1]))
    (data,) = _inputs(f, data)
    f(data, params, spec, work, dropout, out)


def loss_sum(outputs, Y, sample_weight, rows, delta, out_code, loss):
    """``losses.loss_sum`` (see there)."""
    f = kernel("loss_sum", outputs.dtype)
    outputs, Y, sample_weight = _inputs(f, outputs, Y, sample_weight)
    return f(outputs, Y, sample_weight, rows, delta, out_code, loss)


def perceptron_epoch(
    X, csr, order, samples, units, rule, step, l1_total, stats, in_threads=False
):
    """``perceptron.perceptron_epoch`` (see there). ``in_threads``: the call
    runs next to others in threads, so it needs a kernel that releases the
    GIL: the JIT's always do, the ahead-of-time ones when their build could
    ask pycc for it (numba issue 6382), else they would run one at a time."""
    aot_ok = _covered(csr) and (not in_threads or _aot_releases_gil())
    f = kernel("perceptron_epoch", units.V.dtype, _sparse(csr), aot_ok)
    X, csr = _inputs(f, X, csr)
    return f(X, csr, order, samples, units, rule, step, l1_total, stats)


def shuffle_like_sgd(index, seed):
    """``perceptron.shuffle_like_sgd`` (see there)."""
    return kernel("shuffle_like_sgd", np.dtype(np.float64))(index, seed)


def flush_l1(V, scale, q, B, S, pending):
    """``perceptron.flush_l1`` (see there)."""
    return kernel("flush_l1", V.dtype)(V, scale, q, B, S, pending)
