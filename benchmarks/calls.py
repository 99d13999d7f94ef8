"""The calls users make most: one-row predictions, partial_fit streams, and the
elementwise and optimizer kernels' nanoseconds per element."""

import numpy as np
from common import best_time, digits, timed_row
from sklearn import neural_network as sknn
from sklearn.linear_model import Perceptron as SklearnPerceptron

import skperceptron


def run_predict_rows():
    """Prediction calls one row at a time (300 calls, as a service makes them)
    and on 10,000 rows, digits, (100,) network; the Perceptron on digits too."""
    X_train, X_test, y_train, _ = digits()
    params = dict(hidden_layer_sizes=(100,), max_iter=20, random_state=0)
    models = {
        "clf": (skperceptron.MLPClassifier(**params), sknn.MLPClassifier(**params)),
        "reg": (skperceptron.MLPRegressor(**params), sknn.MLPRegressor(**params)),
        "perceptron": (skperceptron.Perceptron(), SklearnPerceptron()),
    }
    for ours, theirs in models.values():
        ours.fit(X_train, y_train)
        theirs.fit(X_train, y_train)
    big = np.tile(X_test, (23, 1))[:10000]
    rows = [X_test[i : i + 1] for i in range(300)]
    results = []
    for label, model, method, data, repeats in (
        ("MLPClassifier.predict_proba 1 row x300", "clf", "predict_proba", rows, 5),
        ("MLPClassifier.predict 1 row x300", "clf", "predict", rows, 5),
        ("MLPRegressor.predict 1 row x300", "reg", "predict", rows, 5),
        ("Perceptron.predict 1 row x300", "perceptron", "predict", rows, 5),
        ("MLPClassifier.predict_proba 10000 rows", "clf", "predict_proba", [big], 20),
    ):
        ours, theirs = (getattr(m, method) for m in models[model])
        ours(data[0])
        results.append(
            timed_row(
                label,
                lambda: [ours(x) for x in data],
                lambda: [theirs(x) for x in data],
                repeats,
            )[0]
        )
    return results


def run_partial_fit_rows():
    """partial_fit streams: digits in 10- and 200-row chunks, three passes."""
    X_train, _, y_train, _ = digits()
    classes = np.unique(y_train)
    results = []
    for label, ours_cls, theirs_cls, params in (
        (
            "MLPClassifier",
            skperceptron.MLPClassifier,
            sknn.MLPClassifier,
            dict(hidden_layer_sizes=(100,), random_state=0),
        ),
        (
            "Perceptron",
            skperceptron.Perceptron,
            SklearnPerceptron,
            dict(random_state=0),
        ),
    ):
        for chunk in (10, 200):

            def stream(cls, chunk=chunk, params=params):
                est = cls(**params)
                for _ in range(3):
                    for i in range(0, len(X_train), chunk):
                        est.partial_fit(
                            X_train[i : i + chunk],
                            y_train[i : i + chunk],
                            classes=classes,
                        )
                return est

            stream(ours_cls)  # compile
            results.append(
                timed_row(
                    f"{label}.partial_fit {chunk}-row chunks x3",
                    lambda: stream(ours_cls),
                    lambda: stream(theirs_cls),
                    3,
                )[0]
            )
    return results


def run_kernel_rows():
    """Nanoseconds per element of the elementwise and optimizer loops."""
    from skperceptron._kernels.activations import add_bias_and_activate
    from skperceptron._kernels.optimizers import optimizer_step
    from skperceptron._kernels.specs import ADAM, OptimizerParams, optimizer_state

    rows = []
    n = 64 * 100 + 100 * 10 + 110  # the digits network's parameters
    for label, size in (
        ("adam step, digits net (7,510 params)", n),
        ("adam step, 784-256-128-10 net (234,752 params)", 234752),
    ):
        rng = np.random.RandomState(0)
        params, grad = rng.rand(size), rng.rand(size)
        state = optimizer_state(np.float64, m=np.zeros(size), v=np.zeros(size))
        none = np.empty(0)
        hyper = OptimizerParams(
            ADAM, 1e-4, 1e-3, 0.9, True, 0.9, 0.999, 1e-8, 0.0, 0.0, np.inf,
            np.empty(0, np.int64), none, none, none, none, none,
        )  # fmt: skip
        step = (params, grad, size - 200, 200.0, hyper, state)
        optimizer_step(*step, 1, 1.0, 1.0)
        seconds, _ = best_time(
            lambda: optimizer_step(*step, 10, 1.0, 1.0),
            200,
        )
        rows.append(dict(kernel=label, ns_per_element=seconds / size * 1e9))
    Z, bias = np.random.RandomState(0).rand(200, 256), np.zeros(256)
    add_bias_and_activate(Z, bias, 3, 0.01)
    seconds, _ = best_time(lambda: add_bias_and_activate(Z, bias, 3, 0.01), 200)
    rows.append(
        dict(kernel="bias + relu, 200x256", ns_per_element=seconds / Z.size * 1e9)
    )
    for row in rows:
        print(f"{row['kernel']:<48}{row['ns_per_element']:>8.2f} ns/element")
    return rows
