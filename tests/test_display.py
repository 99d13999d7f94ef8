"""LossCurveDisplay and the command line's plot."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

from skperceptron import LossCurveDisplay, MLPClassifier, MLPRegressor
from skperceptron.__main__ import main

matplotlib = pytest.importorskip(
    "matplotlib", reason="plots need the optional matplotlib (docs extra)"
)
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


def test_from_estimator_draws_training_and_validation_curves(digits):
    X, y = digits
    clf = MLPClassifier(
        hidden_layer_sizes=(10,), early_stopping=True, max_iter=15, random_state=0
    ).fit(X, y)
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(clf, ax=ax, name="ours")
    assert display.ax_ is ax and display.figure_ is fig
    assert set(display.lines_) == {"loss", "validation_loss", "validation_score"}
    np.testing.assert_allclose(display.lines_["loss"].get_ydata(), clf.loss_curve_)
    assert display.lines_["loss"].get_label() == "ours training loss"
    plt.close(fig)


def test_works_for_sklearn_models_and_rejects_lbfgs(digits):
    X, y = digits
    theirs = SklearnMLPClassifier(hidden_layer_sizes=(5,), max_iter=3).fit(X, y)
    display = LossCurveDisplay.from_estimator(theirs)
    assert set(display.lines_) == {"loss"}
    plt.close("all")
    lbfgs = MLPRegressor(solver="lbfgs", max_iter=3).fit(X, y)
    with pytest.raises(ValueError, match="no loss_curve_"):
        LossCurveDisplay.from_estimator(lbfgs)


def test_command_line_options_and_plot(tmp_path, capsys):
    path = tmp_path / "curve.png"
    assert (
        main(
            [
                "--dataset",
                "wine",
                "--epochs",
                "5",
                "--hidden",
                "4",
                "3",
                "--plot",
                str(path),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "on wine" in out and "(4, 3)" in out and path.stat().st_size > 1000
    assert main(["--dataset", "diabetes", "--epochs", "3"]) == 0
    assert "test R^2" in capsys.readouterr().out
    assert (
        main(["--estimator", "perceptron", "--dataset", "iris", "--epochs", "3"]) == 0
    )
    assert "Perceptron" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--estimator", "perceptron", "--dataset", "diabetes"])
