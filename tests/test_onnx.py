"""ONNX export through skl2onnx, run in onnxruntime against our predictions."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skperceptron import MLPClassifier, MLPRegressor, Perceptron

skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
rt = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")

TOL = {np.float32: 1e-5, np.float64: 1e-12}
HIDDEN = ["relu", "logistic", "tanh", "identity", "softplus", "leaky_relu", "elu"]
HIDDEN += ["selu", "silu", "mish"]
INPUT_OPTIONS = dict(input_transform="robust", numeric_embedding="periodic")


def _run(onx, X):
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


def _convert(model, X, **options):
    return skl2onnx.to_onnx(model, X[:1], options={id(model): options} or None)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("inputs", [{}, INPUT_OPTIONS])
def test_classifier_probabilities_match(iris, dtype, activation, inputs):
    X, y = iris
    X = X.astype(dtype)
    clf = MLPClassifier(
        hidden_layer_sizes=(6, 5),
        activation=activation,
        front_scale=bool(inputs),
        max_iter=30,
        random_state=0,
        **inputs,
    ).fit(X, y)
    labels, proba = _run(_convert(clf, X, zipmap=False), X)
    assert_array_equal(labels, clf.predict(X))
    assert proba.dtype == dtype
    assert_allclose(proba, clf.predict_proba(X), rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_and_per_layer_activations(iris, dtype):
    X, y = iris
    X = X.astype(dtype)
    clf = MLPClassifier(
        hidden_layer_sizes=(6, 5),
        activation=["gelu", "tanh"],
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    labels, proba = _run(_convert(clf, X, zipmap=False), X)
    assert_array_equal(labels, clf.predict(X))
    assert_allclose(proba, clf.predict_proba(X), rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_binary_string_classes_and_zipmap(iris):
    X, y = iris
    labels = np.array(["setosa", "other"])[(y > 0).astype(int)]
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=30, random_state=0)
    clf.fit(X, labels)
    X32 = X.astype(np.float32)
    got_labels, proba = _run(_convert(clf, X32, zipmap=False), X32)
    assert_array_equal(got_labels, clf.predict(X32))
    assert_allclose(proba, clf.predict_proba(X32), rtol=1e-5, atol=1e-5)
    got_labels, maps = _run(skl2onnx.to_onnx(clf, X32[:1]), X32)  # zipmap
    assert_allclose(maps[0]["setosa"], clf.predict_proba(X32[:1])[0, 1], rtol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_multilabel_indicators():
    X, Y = make_multilabel_classification(n_samples=80, n_classes=4, random_state=0)
    X = X.astype(np.float64)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    clf.fit(X, Y)
    labels, proba = _run(_convert(clf, X, zipmap=False), X)
    assert_array_equal(labels, clf.predict(X))
    assert_allclose(proba, clf.predict_proba(X), rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_csr_fitted_model_converts(iris):
    X, y = iris
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0)
    clf.set_params(input_transform="robust").fit(sp.csr_matrix(X), y)
    _, proba = _run(_convert(clf, X, zipmap=False), X)
    assert_allclose(proba, clf.predict_proba(X), rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "params",
    [
        dict(out_activation="identity"),
        dict(out_activation="softplus", activation="gelu"),
        dict(out_activation="tanh", activation=["leaky_relu"]),
        dict(loss="poisson"),
        dict(activation="selu", target_scaling="standard", clip_predictions=True),
        dict(**INPUT_OPTIONS, front_scale=True, activation="mish"),
        dict(loss="quantile", quantile=[0.1, 0.5, 0.9]),
    ],
)
def test_regressor_outputs_match(dtype, params):
    X, y = make_regression(n_samples=60, n_features=4, noise=1, random_state=0)
    positive = params.get("loss") == "poisson" or "softplus" in str(params)
    y = np.abs(y) / 50 if positive else y / 200
    X = X.astype(dtype)
    reg = MLPRegressor(hidden_layer_sizes=(7,), max_iter=40, random_state=0, **params)
    reg.fit(X, y)
    (out,) = _run(_convert(reg, X), X)
    expected = reg.predict(X)
    tol = TOL[dtype]
    assert_allclose(out.reshape(expected.shape), expected, rtol=tol, atol=tol)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_quantiles_of_several_targets_are_sorted():
    X, Y = make_regression(n_samples=60, n_features=4, n_targets=2, random_state=0)
    reg = MLPRegressor(
        loss="quantile", quantile=[0.2, 0.8], hidden_layer_sizes=(6,), max_iter=30
    ).fit(X, Y / 100)
    (out,) = _run(_convert(reg, X), X)
    assert out.shape == (60, 2, 2)
    assert_allclose(out, reg.predict(X), rtol=1e-12, atol=1e-12)
    assert np.all(out[:, :, 0] <= out[:, :, 1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("binary", [True, False])
def test_perceptron_labels_and_decision_function(iris, dtype, binary):
    X, y = iris
    if binary:
        y = (y > 0).astype(int)
    X = X.astype(dtype)
    model = Perceptron(random_state=0).fit(X, y)
    labels, scores = _run(_convert(model, X, zipmap=False), X)
    assert_array_equal(labels, model.predict(X))
    expected = model.decision_function(X)
    if binary:
        expected = np.column_stack([-expected, expected])
    assert_allclose(scores, expected, rtol=TOL[dtype], atol=TOL[dtype] * 100)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_column_transformer_pipeline():
    rng = np.random.RandomState(0)
    import pandas as pd

    frame = pd.DataFrame(
        {
            "a": rng.normal(size=90),
            "b": rng.exponential(size=90),
            "c": rng.choice(["x", "y", "z"], size=90),
        }
    )
    y = (frame["a"] + (frame["c"] == "x") > 0.3).astype(int)
    pipe = make_pipeline(
        ColumnTransformer(
            [
                ("num", StandardScaler(), ["a", "b"]),
                ("cat", OneHotEncoder(sparse_output=False), ["c"]),
            ]
        ),
        MLPClassifier(hidden_layer_sizes=(6,), max_iter=50, random_state=0),
    ).fit(frame, y)
    inputs = {
        "a": frame[["a"]].to_numpy(np.float32),
        "b": frame[["b"]].to_numpy(np.float32),
        "c": frame[["c"]].to_numpy(object),
    }
    onx = skl2onnx.to_onnx(
        pipe,
        initial_types=[
            ("a", skl2onnx.common.data_types.FloatTensorType([None, 1])),
            ("b", skl2onnx.common.data_types.FloatTensorType([None, 1])),
            ("c", skl2onnx.common.data_types.StringTensorType([None, 1])),
        ],
        options={id(pipe.steps[-1][1]): {"zipmap": False}},
    )
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, inputs)
    assert_array_equal(labels, pipe.predict(frame))
    assert_allclose(proba, pipe.predict_proba(frame), rtol=1e-5, atol=1e-5)


def test_import_registers_lazily():
    """``import skperceptron`` does not import skl2onnx; importing skl2onnx
    afterwards registers the converters."""
    code = (
        "import sys, skperceptron\n"
        "assert 'skl2onnx' not in sys.modules\n"
        "from skl2onnx._supported_operators import sklearn_operator_name_map\n"
        "assert skperceptron.MLPClassifier in sklearn_operator_name_map\n"
        "assert skperceptron.Perceptron in sklearn_operator_name_map\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_over_the_whole_range_of_erf(dtype):
    # one gelu unit computing gelu(x) for x across erf's whole range, the
    # clipped tails (|x| > 6) included
    X = np.linspace(-12, 12, 2001).reshape(-1, 1).astype(dtype)
    reg = MLPRegressor(hidden_layer_sizes=(1,), activation="gelu", max_iter=1)
    reg.fit(X, X[:, 0])
    reg.coefs_ = [np.ones((1, 1), dtype), np.ones((1, 1), dtype)]
    reg.intercepts_ = [np.zeros(1, dtype), np.zeros(1, dtype)]
    (out,) = _run(_convert(reg, X), X)
    expected = reg.predict(X)
    tol = TOL[dtype]
    assert_allclose(out.reshape(expected.shape), expected, rtol=tol, atol=tol)
