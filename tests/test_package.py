"""The package's front door: docstring examples, the README commands and the
``python -m skperceptron`` main job."""

import doctest
import importlib
import pathlib
import re

import pytest

import skperceptron
from skperceptron.__main__ import main

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = [
    "skperceptron._mlp",
    "skperceptron._mlp_classifier",
    "skperceptron._mlp_regressor",
    "skperceptron._perceptron",
    "skperceptron._params",
    "skperceptron._interop",
    "skperceptron._from_sklearn",
    "skperceptron.display",
    "skperceptron._training",
    "skperceptron._precompile",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(
        importlib.import_module(name),
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
    )
    assert result.failed == 0


def test_public_names():
    assert skperceptron.__all__ == [
        "LossCurveDisplay",
        "MLPClassifier",
        "MLPRegressor",
        "Perceptron",
        "from_sklearn",
        "precompile",
        "__version__",
    ]
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", skperceptron.__version__)


def test_main_job_prints_comparison_table(capsys):
    assert main(["--epochs", "3", "--hidden", "8"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"skperceptron\s+0\.\d+\s+\d+\.\d+\s+3\n", out)
    assert re.search(r"scikit-learn\s+0\.\d+\s+\d+\.\d+\s+3\n", out)
    assert "compile" in out


def test_readme_opens_with_install_and_test_commands_used_by_ci():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1).splitlines()
    assert block[0] == "python3 -m pip install . && python3 -m skperceptron"
    assert block[1].startswith('python3 -m pip install -e ".[test')
    assert "python3 -m pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "grep -m1 '^python3 -m pip install -e \"\\.\\[test' README.md" in ci


def test_precompile_command_lists_every_variant(capsys):
    assert main(["precompile"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 26 and lines[-1].startswith("total")
    assert sum("perceptron_epoch" in line for line in lines) == 4
    assert all(re.search(r"\d+\.\d\d s$", line) for line in lines)
