"""The layering rules of docs/architecture.md, and the fallbacks for the
dependencies' private names."""

import ast
import pathlib

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import _check_sample_weight

from skperceptron import MLPClassifier
from skperceptron._sklearn_compat import (
    check_sample_weight_fallback,
    fit_context_fallback,
)

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "skperceptron"

# Bottom to top: a module may import only modules listed before it.
LAYERS = [
    "_version",
    "_kernels.specs",
    "_kernels._jit",
    "_kernels._numba_internals",
    "_kernels._blas",
    "_kernels._intrinsics",
    "_kernels.activations",
    "_kernels.losses",
    "_kernels.optimizers",
    "_kernels.inputs",
    "_kernels.network",
    "_kernels.perceptron",
    "_kernels._aot",  # built from _kernels/aot.py by setup.py
    "_kernels.compiled",
    "_kernels.aot",
    "_kernels.units",
    "_kernels",
    "_frame_stack",
    "_transaction",
    "_interop",
    "_sklearn_compat",
    "_persistence",
    "_callbacks",
    "_data",
    "_dask",
    "_linear_model",
    "_params",
    "_input_transform",
    "_forward",
    "_lsuv",
    "_stochastic_optimizers",
    "_training",
    "_threads",
    "_sources",
    "_sources.validation",
    "_sources.chunk_tasks",
    "_sources.split_steps",
    "_sources.arrays",
    "_sources.chunks",
    "_sources.dask_store",
    "_sources.batch_store",
    "_mlp_inputs",
    "_mlp_network",
    "_mlp_training",
    "_mlp_export",
    "_mlp_targets",
    "_mlp_predictions",
    "_mlp",
    "_mlp_classifier",
    "_mlp_regressor",
    "_perceptron_targets",
    "_perceptron_training",
    "_perceptron",
    "_onnx",
    "onnx",
    "_from_sklearn",
    "_precompile",
    "display",
    "presets",
    "_preload",
    "__init__",
    "__main__",
]

# Extension modules the build makes from other sources, not .py files.
BUILT_MODULES = {"_kernels._aot"}

# Where names outside the dependencies' public API may be imported.
PRIVATE_IMPORTS_ALLOWED_IN = {"_sklearn_compat", "_kernels._numba_internals"}
NUMBA_INTERNAL_MODULES = ("numba.core.imputils", "numba.np.")


def _module_name(path):
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    name = ".".join(parts)
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def _imports(path):
    """(package-relative module, imported name) of every import in ``path``."""
    name = _module_name(path)
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    if name == "__init__":
        package = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    sub = f"{module}.{alias.name}" if module else alias.name
                    yield (
                        "package",
                        sub if sub in LAYERS else module or "__init__",
                        alias.name,
                    )
            else:
                for alias in node.names:
                    yield ("external", node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield ("external", alias.name, "")


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    assert sorted(_module_name(p) for p in SOURCES) == sorted(
        set(LAYERS) - BUILT_MODULES
    )


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_modules_import_only_downward(path):
    name = _module_name(path)
    for kind, module, _ in _imports(path):
        if kind == "package":
            assert LAYERS.index(module) < LAYERS.index(name), (
                f"{name} imports {module}, which is not below it"
            )


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_private_names_of_dependencies_are_imported_in_one_place(path):
    if _module_name(path) in PRIVATE_IMPORTS_ALLOWED_IN:
        return
    for kind, module, imported in _imports(path):
        if kind != "external" or not module.startswith(("sklearn", "numba")):
            continue
        private = (
            any(part.startswith("_") for part in module.split("."))
            or imported.startswith("_")
            or module.startswith(NUMBA_INTERNAL_MODULES)
        )
        assert not private, f"{module}.{imported} belongs in _sklearn_compat.py"


def test_fit_context_fallback_validates_parameters():
    class Estimator(MLPClassifier):
        @fit_context_fallback(prefer_skip_nested_validation=True)
        def fit(self, X, y):
            return "fitted"

    X, y = np.zeros((4, 2)), [0, 1, 0, 1]
    assert Estimator().fit(X, y) == "fitted"
    with pytest.raises(InvalidParameterError, match="alpha"):
        Estimator(alpha=-1.0).fit(X, y)


@pytest.mark.parametrize("weights", [[1.0, 2.0, 0.5], 3.0, np.array([1, 2, 3])])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sample_weight_fallback_matches_sklearn(weights, dtype):
    X = np.zeros((3, 2))
    ours = check_sample_weight_fallback(
        weights, X, dtype=dtype, ensure_non_negative=True
    )
    theirs = _check_sample_weight(weights, X, dtype=dtype, ensure_non_negative=True)
    assert ours.dtype == theirs.dtype and ours.flags.c_contiguous
    assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "weights, match",
    [
        ([1.0, 2.0], r"sample_weight.shape == \(2,\), expected \(3,\)"),
        ([[1.0, 2.0, 3.0]], "1D array or scalar"),
        ([1.0, -2.0, 3.0], "Negative values"),
        ([1.0, np.nan, 3.0], "NaN"),
    ],
)
def test_sample_weight_fallback_rejects_what_sklearn_rejects(weights, match):
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=match):
        check_sample_weight_fallback(
            weights, X, dtype=np.float64, ensure_non_negative=True
        )
    with pytest.raises(ValueError, match=match):
        _check_sample_weight(weights, X, dtype=np.float64, ensure_non_negative=True)


def test_architecture_page_draws_every_module_and_stays_in_the_repository():
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    for name in LAYERS:
        if name in ("_kernels", "_sources"):
            assert f"{name}/" in page, name
        elif name in BUILT_MODULES:
            assert f"{name.split('.')[-1]} (extension)" in page, name
        elif name not in ("__init__", "__main__"):
            assert f"{name.split('.')[-1]}.py" in page, name
    assert "http" not in page and "../" not in page
