"""Compile the JIT kernel variants named on the command line into numba's
cache (``NUMBA_CACHE_DIR``, which tests/conftest.py sets); conftest.py runs
two of these, each with its share, before a parallel test session (see its
``pytest_configure``)."""

import sys

from skperceptron._kernels import compiled
from skperceptron._precompile import _variants

if __name__ == "__main__":
    wanted = set(sys.argv[1:])
    for name, kernel, types in _variants():
        if name in wanted:
            compiled._jit_kernel(kernel).compile(types)
