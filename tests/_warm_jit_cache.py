"""Compile the JIT kernel variants named on the command line into numba's
cache (``NUMBA_CACHE_DIR``, which tests/conftest.py sets); conftest.py runs
two of these, each with its share, before a parallel test session (see its
``pytest_configure``)."""

import sys

from skperceptron._precompile import compile_variants

if __name__ == "__main__":
    for _ in compile_variants(set(sys.argv[1:])):
        pass
