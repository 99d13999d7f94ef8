"""``precompile``: every JIT kernel variant into numba's on-disk cache."""

import time


def _variants():
    """(name, kernel, argument types) of every variant the build covers."""
    from numba import typeof

    from ._kernels import aot, compiled

    for dtype, sparse, name, _, args in aot.sample_variants():
        types = tuple(typeof(a) for a in args)
        yield compiled.variant_name(name, dtype, sparse), name, types


def compile_variants(names=None):
    """Compile the variants named in ``names`` (all when None) into numba's
    cache; yield each one's name and the seconds it took."""
    from ._kernels import compiled

    for name, kernel, types in _variants():
        if names is None or name in names:
            start = time.perf_counter()
            compiled._jit_kernel(kernel).compile(types)
            yield name, time.perf_counter() - start


def precompile(verbose=True):
    """Compile every JIT kernel variant now, so that later fits load them from disk.

    ``pip install`` compiles the kernels ahead of time for the installing
    machine, and fits use that machine code without numba. Where it could
    not be built (no C compiler at install time), or with
    ``SKPERCEPTRON_JIT=1``, numba compiles each kernel variant the first time
    a fit uses it and keeps the machine code in its on-disk cache (in
    ``NUMBA_CACHE_DIR`` when set, else next to the package, else in the
    user-wide cache). Call this once where that cache persists (a container
    image build, a CI cache step) and first fits in later processes skip the
    compilation. ``python -m skperceptron precompile`` does the same from a
    shell.

    Covered: every estimator, solver, loss, activation and training option,
    on dense or CSR input (int32 column indices; read-only arrays such as
    the memory maps joblib hands to parallel workers included) in float32 or
    float64: options are data, so one variant per kernel, dtype and input
    kind serves them all. Not covered, compiling its own variant on first
    use: CSR matrices with more columns than int32 counts (int64 indices).

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
    25
    """
    seconds = {}
    for name, elapsed in compile_variants():
        seconds[name] = elapsed
        if verbose:
            print(f"{name:<30}{elapsed:7.2f} s", flush=True)
    if verbose:
        print(f"{'total':<30}{sum(seconds.values()):7.2f} s")
    return seconds
