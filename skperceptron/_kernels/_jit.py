"""The one place that sets numba options for every kernel.

``cache=True`` keeps the compiled machine code on disk between processes. numba
uses ``NUMBA_CACHE_DIR`` when it is set, else a writable place next to the
source (``__pycache__``), else the user-wide cache. When none is writable (read-only
site-packages and HOME) numba refuses ``cache=True`` at decoration time; we then
compile without a cache instead of failing the import.
"""

from numba import njit

# Reassociation and contraction let LLVM vectorise reductions and fuse
# multiply-adds. "nnan" and "ninf" are deliberately absent: divergence must stay
# detectable as NaN/inf in losses and weights.
FASTMATH = frozenset({"nsz", "arcp", "contract", "reassoc"})


def jit(func=None, *, inline=False):
    """Compile ``func`` lazily with the project's numba options.

    ``inline=True`` splices the function into its callers at numba-IR level
    instead of compiling and linking it separately. numba re-optimises every
    linked callee again at each level of the call tree, so inlining the large
    intermediate functions of the epoch kernel cut its first compile by ~25%;
    small leaves called from several places are better left separate.
    """
    if func is None:
        return lambda f: jit(f, inline=inline)
    options = dict(
        fastmath=set(FASTMATH),
        error_model="numpy",
        nogil=True,
        inline="always" if inline else "never",
    )
    try:
        return njit(cache=True, **options)(func)
    except RuntimeError:  # no writable cache location anywhere
        return njit(cache=False, **options)(func)
