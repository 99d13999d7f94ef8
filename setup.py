"""Build skperceptron with its kernels compiled ahead of time.

numba's ``pycc`` compiles every kernel variant (``skperceptron/_kernels/aot.py``)
into the extension module ``skperceptron._kernels._aot`` for the machine that
builds it, so that importing, fitting and predicting never wait for numba.
The extension is optional: when it cannot be built (no C compiler, numba
missing, or ``SKPERCEPTRON_NO_AOT=1``), the package installs without it and
compiles its kernels on first use instead.
"""

import os
import sys
import tempfile
import types

from setuptools import setup


def _aot_extensions():
    if os.environ.get("SKPERCEPTRON_NO_AOT", "") == "1":
        return []
    # compile the kernels afresh: numba's on-disk cache holds machine code,
    # and pycc needs their LLVM IR
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="skperceptron-aot-")
    try:
        import numba.pycc  # noqa: F401
    except Exception as exc:  # any failure to load numba: build without
        print(
            f"skperceptron: building without ahead-of-time kernels ({exc}); "
            "they will be compiled on first use.",
            file=sys.stderr,
        )
        return []
    # import the kernel sources without the package's __init__ (which needs
    # scikit-learn, absent from the build environment)
    root = os.path.dirname(os.path.abspath(__file__))
    package = types.ModuleType("skperceptron")
    package.__path__ = [os.path.join(root, "skperceptron")]
    sys.modules.setdefault("skperceptron", package)
    from skperceptron._kernels import aot

    cc = aot.compiler(output_dir=os.path.join(root, "skperceptron", "_kernels"))
    return [cc.distutils_extension(optional=True)]


setup(ext_modules=_aot_extensions())
