"""scikit-learn's callback API: one task per fit, one subtask per epoch."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from skperceptron import MLPClassifier, MLPRegressor, Perceptron

callback = pytest.importorskip(
    "sklearn.callback",
    reason="scikit-learn < 1.9 has no callback API; the estimators then fit without it",
)

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)


@pytest.mark.parametrize(
    "est",
    [
        MLPClassifier(hidden_layer_sizes=(5,), max_iter=7, random_state=0),
        MLPClassifier(
            hidden_layer_sizes=(5,), solver="sgd", max_iter=7, random_state=0
        ),
        Perceptron(max_iter=7, tol=None, random_state=0),
    ],
    ids=["adam", "sgd", "perceptron"],
)
def test_scoring_monitor_scores_every_epoch(est):
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est.set_callbacks(monitor).fit(X, y)
    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    assert len(epochs) == est.n_iter_ == 7
    assert all(0.0 <= row["accuracy"] <= 1.0 for row in epochs)
    # the last epoch's score is the fitted model's
    assert epochs[-1]["accuracy"] == pytest.approx(est.score(X, y))


def test_progress_bar_runs():
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    reg.set_callbacks(callback.ProgressBar()).fit(X, X[:, 0])
    assert reg.n_iter_ == 5
    assert not hasattr(reg, "_callback_fit_ctx")  # torn down after fit


def test_lbfgs_reports_the_fit_task():
    monitor = callback.ScoringMonitor(scoring="r2")
    reg = (
        MLPRegressor(
            hidden_layer_sizes=(5,), solver="lbfgs", max_iter=20, random_state=0
        )
        .set_callbacks(monitor)
        .fit(X, X[:, 0])
    )
    rows = monitor.get_logs().data
    assert rows and rows[-1]["r2"] == pytest.approx(reg.score(X, X[:, 0]))


def test_no_callbacks_no_context():
    clf = MLPClassifier(max_iter=3).fit(X, y)
    assert not hasattr(clf, "_callback_fit_ctx")
    assert np.isfinite(clf.loss_)


def test_estimators_fit_without_the_callback_api(tmp_path):
    """On scikit-learn < 1.9 (simulated by hiding sklearn.callback) all still fits."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import sys
        import sklearn.callback, sklearn.linear_model, sklearn.neural_network
        import sklearn.model_selection, sklearn.preprocessing, sklearn.metrics
        # skperceptron's import sees no sklearn.callback (as on scikit-learn
        # < 1.9); scikit-learn 1.9's own fit machinery keeps its module.
        real = sys.modules["sklearn.callback"]
        sys.modules["sklearn.callback"] = None
        import numpy as np
        from skperceptron import MLPClassifier, Perceptron
        sys.modules["sklearn.callback"] = real
        X = np.random.RandomState(0).normal(size=(40, 3)); y = X[:, 0] > 0
        for est in (MLPClassifier(max_iter=3), Perceptron(max_iter=3)):
            est.fit(X, y)
            assert not hasattr(est, "set_callbacks")
        print("fitted without callbacks")
    """)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "fitted without callbacks" in result.stdout
