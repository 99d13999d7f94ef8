"""Operations numba has no cheap spelling for, written as LLVM intrinsics.

An intrinsic is emitted straight into its caller: nothing is compiled on its
own, which keeps the first compile short. Each has a plain-Python stand-in
used when ``NUMBA_DISABLE_JIT=1`` (intrinsics cannot run uncompiled).
``as_matrix`` and ``as_vector`` use numba internals (``_numba_internals``);
without them they are plain numba ``reshape`` calls.
"""

import numpy as np
from llvmlite import ir
from numba import config, types
from numba.core import cgutils
from numba.extending import intrinsic

from . import _numba_internals as internals
from ._jit import jit

# the float type of each integer type's bits
_FLOAT_OF = {types.int64: types.float64, types.int32: types.float32}


@intrinsic
def _bitcast_to_float(typingctx, bits):
    result = _FLOAT_OF.get(bits)
    if result is None:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(signature.return_type))

    return result(bits), codegen


def _float_from_bits_python(bits):
    float_type = np.float64 if np.asarray(bits).itemsize == 8 else np.float32
    return bits.view(float_type)


# The float64 (float32) whose IEEE bits are the int64 (int32) ``bits``: exp's
# 2**k. One LLVM bit cast, which vectorises, where viewing an array needs
# scratch memory.
float_from_bits = _float_from_bits_python if config.DISABLE_JIT else _bitcast_to_float


@intrinsic
def _as_matrix(typingctx, buf, offset, n_rows, n_cols):
    if not (isinstance(buf, types.Array) and buf.ndim == 1 and buf.layout == "C"):
        return None
    if not all(isinstance(t, types.Integer) for t in (offset, n_rows, n_cols)):
        return None
    matrix = buf.copy(ndim=2, layout="C")

    def codegen(context, builder, signature, args):
        src = context.make_array(signature.args[0])(context, builder, args[0])
        start, rows, cols = (
            context.cast(builder, value, ty, types.intp)
            for value, ty in zip(args[1:], signature.args[1:])
        )
        itemsize = src.itemsize
        out = context.make_array(signature.return_type)(context, builder)
        internals.populate_array(
            out,
            data=builder.gep(src.data, [start]),
            shape=cgutils.pack_array(builder, [rows, cols]),
            strides=cgutils.pack_array(
                builder, [builder.mul(cols, itemsize), itemsize]
            ),
            itemsize=itemsize,
            meminfo=src.meminfo,
            parent=src.parent,
        )
        return internals.impl_ret_borrowed(
            context, builder, signature.return_type, out._getvalue()
        )

    return matrix(buf, offset, n_rows, n_cols), codegen


def _as_matrix_python(buf, offset, n_rows, n_cols):
    return buf[offset : offset + n_rows * n_cols].reshape((n_rows, n_cols))


_as_matrix_reshape = jit(inline=True)(_as_matrix_python)

# ``buf[offset : offset + n_rows * n_cols]`` viewed as a C-contiguous
# (n_rows, n_cols) matrix. numba's reshape compiles a general helper (see
# docs/benchmarks.md); this builds the view directly. Callers guarantee the block fits.
if config.DISABLE_JIT:
    as_matrix = _as_matrix_python
else:
    as_matrix = _as_matrix if internals.AVAILABLE else _as_matrix_reshape


@intrinsic
def _as_vector(typingctx, array):
    if not (isinstance(array, types.Array) and array.layout == "C"):
        return None
    vector = array.copy(ndim=1, layout="C")

    def codegen(context, builder, signature, args):
        src = context.make_array(signature.args[0])(context, builder, args[0])
        out = context.make_array(signature.return_type)(context, builder)
        internals.populate_array(
            out,
            data=src.data,
            shape=cgutils.pack_array(builder, [src.nitems]),
            strides=cgutils.pack_array(builder, [src.itemsize]),
            itemsize=src.itemsize,
            meminfo=src.meminfo,
            parent=src.parent,
        )
        return internals.impl_ret_borrowed(
            context, builder, signature.return_type, out._getvalue()
        )

    return vector(array), codegen


def _as_vector_python(array):
    return array.reshape(array.size)


_as_vector_reshape = jit(inline=True)(_as_vector_python)

# Every element of a C-contiguous array as one 1-D view, so that an
# elementwise loop runs once over a whole block instead of row by row.
if config.DISABLE_JIT:
    as_vector = _as_vector_python
else:
    as_vector = _as_vector if internals.AVAILABLE else _as_vector_reshape


@intrinsic
def _prefetch_element(typingctx, array, index):
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        byte_ptr = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        address = builder.bitcast(builder.gep(data, [args[1]]), byte_ptr)
        builder.call(fn, [address, i32(0), i32(3), i32(1)])  # read, keep in all caches
        return context.get_dummy_value()

    return types.void(array, index), codegen


@jit(inline=True)
def _prefetch_row_compiled(row):
    step = max(1, 64 // row.itemsize)  # elements per 64-byte cache line
    for j in range(0, row.shape[0], step):
        _prefetch_element(row, j)
    _prefetch_element(row, row.shape[0] - 1)  # rows need not start on a line


@jit(inline=True)
def _prefetch_lines_compiled(array, start, n_lines):
    step = max(1, 64 // array.itemsize)  # elements per 64-byte cache line
    for line in range(n_lines):
        _prefetch_element(array, start + line * step)


def _prefetch_row_python(row):
    pass


def _prefetch_lines_python(array, start, n_lines):
    pass


# Ask the CPU to start loading a 1-D C-contiguous array (a row of X needed a
# few samples from now) into cache; a hint with no effect on results.
prefetch_row = _prefetch_row_python if config.DISABLE_JIT else _prefetch_row_compiled

# The same hint for ``n_lines`` cache lines of a 1-D array from element
# ``start`` on (the start of a CSR row). A prefetch never faults, so lines past
# the row's or the array's end are harmless.
prefetch_lines = (
    _prefetch_lines_python if config.DISABLE_JIT else _prefetch_lines_compiled
)
