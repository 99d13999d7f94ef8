"""The numba internals the intrinsics are built on, imported in this one place.

``_blas.gemm``, ``_intrinsics.as_matrix`` and ``_intrinsics.as_vector`` emit
their LLVM code with four functions that numba uses itself but does not
document as API: ``call_xxgemm`` and ``ensure_blas`` (its BLAS binding),
``populate_array`` (fills an array struct) and ``impl_ret_borrowed`` (returns
a view). They save first-compile time (docs/benchmarks.md has the
measurement) and may move in a numba release. When any of them fails to
import, or ``SKPERCEPTRON_NUMBA_FALLBACK=1`` is set, ``AVAILABLE`` is False and
the callers compile plain numba instead (``np.dot`` and ``reshape``): the same
results, a slower first compile. The test suite runs both; pyproject.toml
admits the numba versions CI tests.
"""

import os

AVAILABLE = False
call_xxgemm = ensure_blas = populate_array = impl_ret_borrowed = None

if os.environ.get("SKPERCEPTRON_NUMBA_FALLBACK", "") != "1":
    try:
        from numba.core.imputils import impl_ret_borrowed  # noqa: F401
        from numba.np.arrayobj import populate_array  # noqa: F401
        from numba.np.linalg import call_xxgemm, ensure_blas  # noqa: F401
    except ImportError:  # a numba release moved them: use the fallbacks
        pass
    else:
        AVAILABLE = True
