"""The one place that sets numba options for every kernel.

``cache=True`` keeps the compiled machine code on disk between processes. numba
looks for a writable place next to the source (``__pycache__``), then in
``NUMBA_CACHE_DIR`` or the user-wide cache. When none is writable (read-only
site-packages and HOME) numba refuses ``cache=True`` at decoration time; we then
compile without a cache instead of failing the import.
"""

import numpy as np
from llvmlite import ir
from numba import config, njit, types
from numba.core import cgutils
from numba.extending import intrinsic

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
    options = dict(fastmath=set(FASTMATH), error_model="numpy", nogil=True,
                   inline="always" if inline else "never")
    try:
        return njit(cache=True, **options)(func)
    except RuntimeError:  # no writable cache location anywhere
        return njit(cache=False, **options)(func)


@intrinsic
def _bitcast_int64_to_float64(typingctx, bits):
    if bits != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@jit(inline=True)
def _float64_from_bits_compiled(bits):
    return _bitcast_int64_to_float64(bits)


def _float64_from_bits_python(bits):
    return np.int64(bits).view(np.float64)


# The float64 whose IEEE bits are the int64 ``bits`` (exp's 2**k). An
# intrinsic is a single LLVM bitcast that vectorises, where viewing an array
# needs scratch memory; with NUMBA_DISABLE_JIT the numpy view stands in.
float64_from_bits = (_float64_from_bits_python if config.DISABLE_JIT
                     else _float64_from_bits_compiled)


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
    for j in range(0, row.shape[0], 8):  # 8 float64 = one 64-byte cache line
        _prefetch_element(row, j)
    _prefetch_element(row, row.shape[0] - 1)  # rows need not start on a line


def _prefetch_row_python(row):
    pass


# Ask the CPU to start loading a 1-D C-contiguous array (a row of X needed a
# few samples from now) into cache; a hint with no effect on results.
prefetch_row = _prefetch_row_python if config.DISABLE_JIT else _prefetch_row_compiled
