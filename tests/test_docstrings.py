"""numpydoc validation of the public API, whose docstrings are literal text."""

import ast
import inspect

import pytest

import skperceptron

numpydoc_validate = pytest.importorskip(
    "numpydoc.validate",
    reason="numpydoc is in the test extra; without it the "
    "docstring format cannot be checked",
)

# Checks left out, as scikit-learn leaves them out of its own validation:
# an extended summary, See Also and Examples on every method are not
# required, and Returns sections name the value ("self : object").
IGNORED = {"ES01", "SA01", "EX01", "RT02"}

PUBLIC_CLASSES = [
    getattr(skperceptron, name)
    for name in skperceptron.__all__
    if inspect.isclass(getattr(skperceptron, name))
]


def _own_members(cls):
    """Public methods and properties defined in skperceptron itself."""
    for name, value in inspect.getmembers(cls):
        if name.startswith("_"):
            continue
        target = value.fget if isinstance(value, property) else value
        if callable(target) and getattr(target, "__module__", "").startswith(
            "skperceptron"
        ):
            yield f"{cls.__name__}.{name}"


PUBLIC_NAMES = [
    *(cls.__name__ for cls in PUBLIC_CLASSES),
    *(member for cls in PUBLIC_CLASSES for member in _own_members(cls)),
    "from_sklearn",
    "precompile",
    "presets.tabular",
    "onnx.register_converters",
]


@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_docstring_is_valid_numpydoc(name):
    result = numpydoc_validate.validate(f"skperceptron.{name}")
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in IGNORED
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda cls: cls.__name__)
def test_class_docstring_is_written_out_in_the_source(cls):
    # editors, help() and static tools read the literal, not a built __doc__
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))
    node = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.ClassDef) and n.name == cls.__name__
    )
    literal = ast.get_docstring(node, clean=True)
    assert literal is not None
    assert literal == inspect.cleandoc(cls.__doc__)
