"""Matrix products for the kernels: ``matmul(a, b, out)`` is ``np.dot(a, b, out)``.

``matmul`` sends products with 2 to 4 output columns (the output layer of a
network with a few classes or targets, and its gradient) to plain loops and
every other product to BLAS (``gemm``). OpenBLAS pads such narrow blocks to
its micro-kernel's width and packs both operands first: a 100 x 100 by 100 x
2 float64 product took it 8 us, five times its 1-column product, where dot
products over the rows take 4 us (see docs/benchmarks.md). float32 products of
C-ordered rows stay with BLAS, whose sgemm beats those loops.


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
from numba.extending import intrinsic, overload

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

# the widest output block that loops multiply faster than BLAS
NARROW_COLUMNS = 4


@jit
def _narrow_times_rows(a, b, out):
    """out = a @ b for C-ordered ``a``: dot products of its rows with b's
    columns (copied into contiguous rows first)."""
    n_cols, depth = out.shape[1], a.shape[1]
    b_t = np.empty((n_cols, depth), dtype=out.dtype)
    for k in range(depth):
        for j in range(n_cols):
            b_t[j, k] = b[k, j]
    for i in range(a.shape[0]):
        row = a[i]
        for j in range(n_cols):
            column = b_t[j]
            total = row[0] * column[0]
            for k in range(1, depth):
                total += row[k] * column[k]
            out[i, j] = total


@jit
def _narrow_times_columns(a, b, out):
    """out = a @ b for F-ordered ``a`` (the transpose of C-ordered rows, as
    in a gradient ``A.T @ D``): each of a's columns scaled into rows of the
    transposed result, which is then copied out."""
    a_t = a.T
    n_rows, n_cols = out.shape
    out_t = np.zeros((n_cols, n_rows), dtype=out.dtype)
    for k in range(a_t.shape[0]):
        column = a_t[k]
        for j in range(n_cols):
            weight = b[k, j]
            target = out_t[j]
            for i in range(n_rows):
                target[i] += weight * column[i]
    for i in range(n_rows):
        for j in range(n_cols):
            out[i, j] = out_t[j, i]


def matmul(a, b, out):
    """``out = a @ b`` (``gemm``'s contract); narrow outputs by loops, see above."""
    np.dot(a, b, out)


@overload(matmul, inline="always")
def _matmul(a, b, out):
    if a.layout == "F":
        narrow = _narrow_times_columns
    elif a.layout == "C" and out.dtype == types.float64:
        narrow = _narrow_times_rows
    else:
        return lambda a, b, out: gemm(a, b, out)

    def product(a, b, out):
        if 2 <= out.shape[1] <= NARROW_COLUMNS:
            narrow(a, b, out)
        else:
            gemm(a, b, out)

    return product
