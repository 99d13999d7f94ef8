"""Matrix products for the kernels: ``gemm(a, b, out)`` is ``np.dot(a, b, out)``.

numba's ``np.dot(a, b, out)`` compiles a separate function, with shape checks
and their error paths, for every combination of operand layouts (a share of
first-compile time each, see docs/benchmarks.md; the epoch kernel needs three).
``gemm`` is an intrinsic instead: a dozen LLVM instructions emitted in the
caller around the same BLAS call numba makes (``numba_xxgemm``, i.e. scipy's
BLAS), with C- or F-contiguous operands passed as transpose flags. It does not
check shapes: callers guarantee ``a.shape[1] == b.shape[0]``, ``out.shape ==
(a.shape[0], b.shape[1])``, no zero dimension, and dimensions that fit a C int
(BLAS's own limit; a batch or layer is far below it).

Without numba's BLAS internals (see ``_numba_internals``), ``gemm`` is numba's
``np.dot(a, b, out)``.
"""

import numpy as np
from numba import config, types
from numba.core import cgutils
from numba.extending import intrinsic

from . import _numba_internals as internals
from ._jit import jit


@intrinsic
def _gemm(typingctx, a, b, out):
    operands = (a, b, out)
    if not all(isinstance(t, types.Array) and t.ndim == 2 for t in operands):
        return None
    if a.dtype != b.dtype or a.dtype != out.dtype:
        return None
    if a.dtype not in (types.float32, types.float64):
        return None
    if a.layout not in "CF" or b.layout not in "CF" or out.layout != "C":
        return None
    internals.ensure_blas()

    def codegen(context, builder, signature, args):
        arrays = [
            context.make_array(t)(context, builder, v)
            for t, v in zip(signature.args, args)
        ]
        shapes = [cgutils.unpack_tuple(builder, arr.shape) for arr in arrays]
        internals.call_xxgemm(
            context,
            builder,
            signature.args[0],
            shapes[0],
            arrays[0].data,
            signature.args[1],
            shapes[1],
            arrays[1].data,
            signature.args[2],
            shapes[2],
            arrays[2].data,
        )
        return context.get_dummy_value()

    return types.void(a, b, out), codegen


def _gemm_python(a, b, out):
    np.dot(a, b, out)


@jit(inline=True)
def _gemm_dot(a, b, out):
    np.dot(a, b, out)


if config.DISABLE_JIT:
    gemm = _gemm_python
else:
    gemm = _gemm if internals.AVAILABLE else _gemm_dot
