"""scikit-learn's own tests of the estimators we replace, run against ours.

The installed scikit-learn's ``neural_network/tests/test_mlp.py`` and
``linear_model/tests/test_perceptron.py`` are copied into a temporary
directory, only their import of the estimators under test is rewritten to
``from skperceptron import ...`` (the other names of that import still come
from scikit-learn), and each copy runs in its own pytest subprocess, which must
pass. A small conftest beside the copies provides scikit-learn's
``global_random_seed`` fixture and refuses to run if a copy still tests
scikit-learn's classes.
"""

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sklearn

import skperceptron

SKLEARN_DIR = Path(sklearn.__file__).parent

# file -> (path inside sklearn, {module: names moved to skperceptron}, fewest
# passed tests accepted: today's count less a margin for scikit-learn's edits)
SUITES = {
    "test_mlp.py": (
        "neural_network/tests/test_mlp.py",
        {"sklearn.neural_network": ("MLPClassifier", "MLPRegressor")},
        55,
    ),
    "test_perceptron.py": (
        "linear_model/tests/test_perceptron.py",
        {"sklearn.linear_model": ("Perceptron",)},
        5,
    ),
}

# Tests that reach into scikit-learn's private implementation, which ours does
# not have; they are deselected, each for the reason given.
DESELECTED = {
    "test_mlp.py::test_gradient": (
        "calls the private method MLPClassifier._loss_grad_lbfgs (scikit-learn's "
        "per-layer L-BFGS objective with its activations/deltas/grads lists); our "
        "gradient is computed by the compiled kernels and checked against finite "
        "differences in tests/test_gradients.py"
    ),
}

# Tests that touch private attributes too but still pass, because ours keeps
# the same names with the same meaning; they run. Should one of these names
# change on purpose, move the test to DESELECTED with the reason.
PRIVATE_BUT_RUN = {
    "test_mlp.py::test_fit": "sets _coef_grads, _intercept_grads, "
    "_no_improvement_count, _coef_velocity and _intercept_velocity before "
    "partial_fit; ours ignores them (only the public coefs_/intercepts_ matter)",
    "test_mlp.py::test_learning_rate_warmstart": "reads _optimizer.learning_rate",
    "test_mlp.py::test_adaptive_learning_rate": "reads _optimizer.learning_rate",
    "test_mlp.py::test_n_iter_no_change": "reads _no_improvement_count",
    "test_mlp.py::test_n_iter_no_change_inf": "reads _no_improvement_count",
}

CONFTEST = textwrap.dedent("""
    import os

    import pytest

    ESTIMATORS = {estimators!r}


    def pytest_generate_tests(metafunc):
        # global_random_seed as scikit-learn's conftest parametrises it: 42, or
        # SKLEARN_TESTS_GLOBAL_RANDOM_SEED ("all", "first-last" or one seed)
        if "global_random_seed" in metafunc.fixturenames:
            value = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED", "42")
            if value == "all":
                seeds = list(range(100))
            elif "-" in value:
                first, last = value.split("-")
                seeds = list(range(int(first), int(last) + 1))
            else:
                seeds = [int(value)]
            metafunc.parametrize("global_random_seed", seeds)


    def pytest_collection_finish(session):
        modules = {{item.module for item in session.items if hasattr(item, "module")}}
        for module in modules:
            for name in ESTIMATORS.get(os.path.basename(module.__file__), ()):
                origin = getattr(module, name).__module__
                if not origin.startswith("skperceptron"):
                    raise pytest.UsageError(
                        f"{{module.__name__}}.{{name}} comes from {{origin}}, "
                        "not skperceptron")
""")


def _names(aliases):
    return ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in aliases)


def rewrite_imports(source, moved):
    """``source`` with the named estimators imported from skperceptron instead.

    ``moved`` maps a scikit-learn module to the names to take from skperceptron;
    other names of the same import statement stay with scikit-learn. Only the
    lines of those import statements change.
    """
    lines = source.splitlines(keepends=True)
    found = {name: 0 for names in moved.values() for name in names}
    edits = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or node.module not in moved:
            continue
        ours = [a for a in node.names if a.name in moved[node.module]]
        if not ours:
            continue
        kept = [a for a in node.names if a.name not in moved[node.module]]
        indent = " " * node.col_offset  # a nested import keeps its indentation
        new = ""
        if kept:
            new += f"{indent}from {node.module} import {_names(kept)}\n"
        new += f"{indent}from skperceptron import {_names(ours)}\n"
        edits.append((node.lineno - 1, node.end_lineno, new))
        for alias in ours:
            found[alias.name] += 1
    missing = [name for name, count in found.items() if count == 0]
    if missing:
        raise AssertionError(
            f"no import of {missing} from {sorted(moved)} found to rewrite; "
            "scikit-learn's test file changed, update SUITES"
        )
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = [new]
    return "".join(lines)


def test_rewrite_imports_moves_only_the_estimators():
    source = (
        "import numpy as np\n"
        "from sklearn.linear_model import (\n    PoissonRegressor,\n"
        "    Perceptron as P,\n)\nfrom sklearn.base import clone\n"
        "def f():\n    from sklearn.linear_model import Perceptron\n"
    )
    out = rewrite_imports(source, {"sklearn.linear_model": ("Perceptron",)})
    assert out == (
        "import numpy as np\n"
        "from sklearn.linear_model import PoissonRegressor\n"
        "from skperceptron import Perceptron as P\n"
        "from sklearn.base import clone\n"
        "def f():\n    from skperceptron import Perceptron\n"
    )
    with pytest.raises(AssertionError, match="no import"):
        rewrite_imports(
            "from sklearn.svm import SVC\n", {"sklearn.linear_model": ("Perceptron",)}
        )


def test_listed_tests_exist_in_sklearn_files():
    assert not set(DESELECTED) & set(PRIVATE_BUT_RUN)
    for test_id in [*DESELECTED, *PRIVATE_BUT_RUN]:
        name, function = test_id.split("::")
        source = (SKLEARN_DIR / SUITES[name][0]).read_text(encoding="utf-8")
        assert f"def {function}(" in source, test_id


def summary_counts(output):
    """{outcome: count} from pytest's closing summary line."""
    lines = [line for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return {}
    last = lines[-1].strip("= ")
    counts = {}
    for number, word in re.findall(r"(\d+) (\w+)", last):
        word = {"error": "errors", "warning": "warnings"}.get(word, word)
        counts[word] = int(number)
    return counts


def test_summary_counts():
    output = "x\n\n==== 61 passed, 1 deselected, 3 warnings in 9.1s ====\n"
    assert summary_counts(output) == {"passed": 61, "deselected": 1, "warnings": 3}
    assert summary_counts("2 failed, 5 passed, 1 error in 1s") == {
        "failed": 2,
        "passed": 5,
        "errors": 1,
    }
    assert summary_counts("no tests ran in 0.01s") == {}


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sklearn_suite")
    estimators = {}
    for name, (relative, moved, _) in SUITES.items():
        original = SKLEARN_DIR / relative
        assert original.is_file(), f"{original} is missing (no tests installed?)"
        source = original.read_text(encoding="utf-8")
        (directory / name).write_text(rewrite_imports(source, moved), encoding="utf-8")
        estimators[name] = [n for names in moved.values() for n in names]
    # an ini file makes the directory pytest's rootdir, away from our settings
    (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (directory / "conftest.py").write_text(
        CONFTEST.format(estimators=estimators), encoding="utf-8"
    )
    return directory


@pytest.mark.parametrize("name", list(SUITES))
def test_sklearn_suite_passes_against_skperceptron(suite_dir, name):
    deselect = [
        arg
        for test_id in DESELECTED
        if test_id.startswith(name + "::")
        for arg in ("--deselect", test_id)
    ]
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    # the subprocess imports the skperceptron this process imported
    package_root = str(Path(skperceptron.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        [package_root] + [p for p in [env.get("PYTHONPATH")] if p]
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        "-p",
        "no:xdist",
        "-rfE",
        "--tb=short",
        f"--basetemp={suite_dir / ('tmp_' + name[:-3])}",
        *deselect,
        name,
    ]
    result = subprocess.run(
        command, cwd=suite_dir, env=env, capture_output=True, text=True, timeout=900
    )
    output = result.stdout + result.stderr
    counts = summary_counts(result.stdout)
    report = f"{' '.join(command)}\nexit code {result.returncode}\n{output[-6000:]}"
    # exit code 5 (no test collected) fails here like any other non-zero code
    assert result.returncode == 0, report
    assert counts.get("failed", 0) == 0 and counts.get("errors", 0) == 0, report
    assert counts.get("passed", 0) >= SUITES[name][2], report
    assert counts.get("deselected", 0) == len(deselect) // 2, (
        "a DESELECTED id no longer names a test of scikit-learn's file\n" + report
    )
