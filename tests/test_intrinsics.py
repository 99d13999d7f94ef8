"""The LLVM intrinsics and the matrix products the kernels are built on.

They are called from jitted test functions (intrinsics only run compiled);
their plain-Python stand-ins run in tests/test_environment.py's
NUMBA_DISABLE_JIT subprocess.
"""

import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError
from numpy.testing import assert_allclose, assert_array_equal

from skperceptron._kernels._blas import gemm, matmul
from skperceptron._kernels._intrinsics import (
    as_matrix,
    as_vector,
    float_from_bits,
    prefetch_lines,
    prefetch_row,
)


def _layouts_of(product):
    @njit
    def call(a, b, out, transpose_a, transpose_b):
        if transpose_a and transpose_b:
            product(a.T, b.T, out)
        elif transpose_a:
            product(a.T, b, out)
        elif transpose_b:
            product(a, b.T, out)
        else:
            product(a, b, out)

    return call


_gemm_layouts = _layouts_of(gemm)
_matmul_layouts = _layouts_of(matmul)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
@pytest.mark.parametrize(
    "m, k, n", [(7, 5, 3), (1, 4, 6), (6, 4, 1), (3, 1, 2), (40, 33, 4), (9, 70, 5)]
)
@pytest.mark.parametrize("name", ["gemm", "matmul"])
def test_products_match_matmul_for_every_layout(
    name, dtype, transpose_a, transpose_b, m, k, n
):
    # matmul's loops take 2-4 output columns, BLAS the others
    product = _gemm_layouts if name == "gemm" else _matmul_layouts
    rng = np.random.RandomState(0)
    a = rng.normal(size=(k, m) if transpose_a else (m, k)).astype(dtype)
    b = rng.normal(size=(n, k) if transpose_b else (k, n)).astype(dtype)
    out = np.full((m, n), np.nan, dtype=dtype)
    product(a, b, out, transpose_a, transpose_b)
    expected = (a.T if transpose_a else a) @ (b.T if transpose_b else b)
    assert_allclose(out, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_gemm_rejects_mixed_dtypes():
    a = np.ones((2, 2))
    with pytest.raises(TypingError, match="_gemm"):
        _gemm_layouts(a, a.astype(np.float32), np.empty((2, 2)), False, False)


@njit
def _fill_block(buf, offset, n_rows, n_cols):
    block = as_matrix(buf, offset, n_rows, n_cols)
    for i in range(n_rows):
        for j in range(n_cols):
            block[i, j] = 10 * i + j
    return block


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_as_matrix_is_a_writable_view_at_the_offset(dtype):
    buf = np.zeros(20, dtype=dtype)
    block = _fill_block(buf, 5, 3, 4)
    assert block.shape == (3, 4) and block.flags.c_contiguous
    assert np.shares_memory(block, buf)
    assert_array_equal(buf[:5], 0)
    assert_array_equal(buf[5:17], [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23])
    assert_array_equal(buf[17:], 0)


@njit
def _negate_all(Z):
    flat = as_vector(Z)
    for j in range(flat.shape[0]):
        flat[j] = -flat[j]
    return flat


def test_as_vector_covers_every_element_in_order():
    Z = np.arange(12.0).reshape(3, 4)
    flat = _negate_all(Z)
    assert flat.shape == (12,)
    assert np.shares_memory(flat, Z)
    assert_array_equal(Z, -np.arange(12.0).reshape(3, 4))


@njit
def _powers_of_two(ks):
    out = np.empty(ks.shape[0])
    for i in range(ks.shape[0]):
        out[i] = float_from_bits((ks[i] + 1023) << 52)
    return out


def test_float_from_bits_builds_float64_powers_of_two():
    ks = np.arange(-1022, 1024, dtype=np.int64)
    assert_array_equal(_powers_of_two(ks), np.ldexp(1.0, ks))


@njit
def _float32_powers_of_two(ks):
    out = np.empty(ks.shape[0], dtype=np.float32)
    for i in range(ks.shape[0]):
        out[i] = float_from_bits(np.int32((ks[i] + 127) << 23))
    return out


def test_float_from_bits_builds_float32_powers_of_two():
    ks = np.arange(-126, 128, dtype=np.int32)
    powers = _float32_powers_of_two(ks)
    assert powers.dtype == np.float32
    assert_array_equal(powers, np.ldexp(np.float32(1.0), ks))


@njit
def _prefetch_then_sum(X, order):
    total = 0.0
    for i in range(order.shape[0]):
        prefetch_row(X[order[(i + 4) % order.shape[0]]])
        for j in range(X.shape[1]):
            total += X[order[i], j]
    return total


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_prefetch_changes_nothing(dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 13)).astype(dtype)
    before = X.copy()
    order = rng.permutation(50).astype(np.int64)
    assert_allclose(_prefetch_then_sum(X, order), X.astype(np.float64).sum(), rtol=1e-5)
    assert_array_equal(X, before)


@njit
def _prefetch_lines_then_sum(values, starts, n_lines):
    total = 0.0
    for start in starts:
        prefetch_lines(values, start, n_lines)
        total += values[start]
    return total


@pytest.mark.parametrize("dtype", [np.float64, np.int32])
def test_prefetch_lines_past_the_end_changes_nothing(dtype):
    # The sparse Perceptron prefetches a few lines from each row's start,
    # also past the end of the last row: a hint, which never faults.
    values = np.arange(40).astype(dtype)
    before = values.copy()
    starts = np.array([0, 17, 38, 39], dtype=np.int64)
    assert _prefetch_lines_then_sum(values, starts, 8) == values[starts].sum()
    assert_array_equal(values, before)
