"""to_sklearn / from_sklearn round trips, and ONNX export through skl2onnx."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neural_network as sknn
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.preprocessing import StandardScaler

from skperceptron import MLPClassifier, MLPRegressor, Perceptron, from_sklearn

X, Y_CLASS = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
Y_REG = X[:, 0] - X[:, 2]

CONVERTIBLE = [
    (
        MLPClassifier(
            hidden_layer_sizes=(6, 4),
            activation="tanh",
            max_iter=20,
            class_weight="balanced",
            random_state=0,
        ),
        Y_CLASS,
    ),
    (MLPClassifier(max_iter=10, random_state=0), Y_CLASS == 1),
    (
        MLPRegressor(
            hidden_layer_sizes=(5,), loss="huber", max_iter=10, random_state=0
        ),
        Y_REG,
    ),
    (MLPRegressor(loss="poisson", max_iter=10, random_state=0), np.abs(Y_REG)),
    (Perceptron(multi_class="multinomial", average=True, random_state=0), Y_CLASS),
    (Perceptron(random_state=0), Y_CLASS == 2),
]


@pytest.mark.parametrize(
    "est,y", CONVERTIBLE, ids=lambda p: type(p).__name__ if hasattr(p, "fit") else ""
)
def test_to_sklearn_and_back_predict_identically(est, y):
    est.fit(X, y)
    theirs = est.to_sklearn()
    assert type(theirs).__module__.startswith("sklearn.")
    # same labels; real-valued outputs equal up to summation order (1 ulp)
    assert_allclose(theirs.predict(X), est.predict(X), rtol=1e-12, atol=1e-15)
    if hasattr(est, "predict_proba"):
        assert_allclose(theirs.predict_proba(X), est.predict_proba(X), rtol=1e-12)
    back = from_sklearn(theirs)
    assert type(back) is type(est)
    assert_allclose(back.predict(X), est.predict(X), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    "est,y,feature",
    [
        (MLPClassifier(activation="softplus", max_iter=3), Y_CLASS, "softplus"),
        (
            MLPClassifier(
                hidden_layer_sizes=(3, 3), activation=["relu", "tanh"], max_iter=3
            ),
            Y_CLASS,
            "per-layer",
        ),
        (
            MLPRegressor(out_activation="softplus", max_iter=3),
            np.abs(Y_REG),
            "out_activation",
        ),
    ],
)
def test_inexpressible_models_name_the_feature(est, y, feature):
    with pytest.raises(ValueError, match=feature):
        est.fit(X, y).to_sklearn()


def test_multilabel_perceptron_is_not_expressible():
    Xm, Ym = make_multilabel_classification(n_samples=40, random_state=0)
    with pytest.raises(ValueError, match="multilabel"):
        Perceptron().fit(Xm, Ym).to_sklearn()


@pytest.mark.parametrize(
    "theirs,y",
    [
        (
            sknn.MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0),
            Y_CLASS,
        ),
        (
            sknn.MLPRegressor(hidden_layer_sizes=(5,), max_iter=30, random_state=0),
            Y_REG,
        ),
        (SklearnPerceptron(random_state=0), Y_CLASS),
    ],
)
def test_from_sklearn_continues_training(theirs, y):
    theirs.fit(X, y)
    ours = from_sklearn(theirs)
    assert_array_equal(ours.predict(X), theirs.predict(X))
    ours.partial_fit(X, y)
    assert ours.n_iter_ == 1
    with pytest.raises(TypeError, match="from_sklearn takes"):
        from_sklearn(StandardScaler().fit(X))


@pytest.mark.parametrize(
    "est,y",
    CONVERTIBLE[:3] + CONVERTIBLE[5:],
    ids=lambda p: type(p).__name__ if hasattr(p, "fit") else "",
)
def test_onnx_export_predicts_like_us(est, y):
    skl2onnx = pytest.importorskip(
        "skl2onnx",
        reason="ONNX export is the optional 'onnx' extra (skl2onnx, onnxruntime)",
    )
    ort = pytest.importorskip(
        "onnxruntime", reason="ONNX export is the optional 'onnx' extra"
    )
    from skl2onnx.common.data_types import FloatTensorType

    est.fit(X.astype(np.float32), y)
    model = skl2onnx.convert_sklearn(
        est.to_sklearn(),
        initial_types=[("X", FloatTensorType([None, X.shape[1]]))],
        options={"zipmap": False} if hasattr(est, "predict_proba") else None,
    )
    session = ort.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    outputs = session.run(None, {"X": X.astype(np.float32)})
    if isinstance(est, MLPRegressor):
        assert_allclose(
            outputs[0].ravel(), est.predict(X.astype(np.float32)), rtol=1e-4, atol=1e-5
        )
    else:
        # onnxruntime has its own float32 GEMM: only near-ties may disagree
        agree = np.mean(outputs[0].ravel() == est.predict(X.astype(np.float32)))
        assert agree >= 0.99
        if hasattr(est, "predict_proba"):
            assert_allclose(
                outputs[1],
                est.predict_proba(X.astype(np.float32)),
                rtol=1e-4,
                atol=1e-5,
            )
