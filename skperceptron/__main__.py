"""``python -m skperceptron``: train on a bundled data set, next to scikit-learn.

Fits skperceptron's estimator and scikit-learn's counterpart on the same split
with the same hyperparameters and prints test score and fit time side by side.
The first call compiles the numba kernels (or loads them from the on-disk
cache); that time is measured on a tiny warm-up fit and printed apart.

``python -m skperceptron precompile`` compiles every kernel variant into the
on-disk cache instead (see ``skperceptron.precompile``).
"""

import argparse
import sys
import time
import warnings

from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor
from sklearn.preprocessing import StandardScaler

from . import MLPClassifier, MLPRegressor, Perceptron, __version__, precompile

ESTIMATORS = {
    "mlp": (MLPClassifier, SklearnMLPClassifier),
    "mlp-regressor": (MLPRegressor, SklearnMLPRegressor),
    "perceptron": (Perceptron, SklearnPerceptron),
}
DATASETS = {
    "digits": datasets.load_digits,
    "iris": datasets.load_iris,
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "diabetes": datasets.load_diabetes,
    "linnerud": datasets.load_linnerud,
}
REGRESSION_DATASETS = {"diabetes", "linnerud"}


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m skperceptron", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--estimator",
        choices=ESTIMATORS,
        default=None,
        help="default: mlp for classification data sets, "
        "mlp-regressor for diabetes and linnerud",
    )
    parser.add_argument(
        "--dataset",
        choices=DATASETS,
        default="digits",
        help="a data set bundled with scikit-learn (default: digits)",
    )
    parser.add_argument(
        "--hidden",
        type=int,
        nargs="+",
        default=[100],
        help="hidden layer sizes of the MLPs (default: 100)",
    )
    parser.add_argument(
        "--epochs", type=int, default=200, help="max_iter (default: 200)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random_state (default: 0)")
    parser.add_argument(
        "--plot",
        metavar="FILE",
        help="save the learning curves to FILE (needs matplotlib)",
    )
    args = parser.parse_args(argv)
    regression = args.dataset in REGRESSION_DATASETS
    if args.estimator is None:
        args.estimator = "mlp-regressor" if regression else "mlp"
    if regression != (args.estimator == "mlp-regressor"):
        parser.error(
            f"--estimator {args.estimator} does not fit the "
            f"{'regression' if regression else 'classification'} data set "
            f"{args.dataset}"
        )
    return args


def main(argv=None):
    """Run the comparison (or ``precompile``); return the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["precompile"]:
        precompile()
        return 0
    args = _parse(argv)
    X, y = DATASETS[args.dataset](return_X_y=True)
    stratify = None if args.dataset in REGRESSION_DATASETS else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=stratify, random_state=args.seed
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if args.estimator == "mlp-regressor":  # standardised targets too (R^2 is unchanged)
        mean, std = y_train.mean(axis=0), y_train.std(axis=0)
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
    ours_cls, theirs_cls = ESTIMATORS[args.estimator]
    params = dict(max_iter=args.epochs, random_state=args.seed)
    if args.estimator != "perceptron":
        params["hidden_layer_sizes"] = tuple(args.hidden)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        compile_time = _timed_fit(
            ours_cls(**dict(params, max_iter=1)), X_train[:20], y_train[:20]
        )
        models, rows = [], []
        for name, cls in (("skperceptron", ours_cls), ("scikit-learn", theirs_cls)):
            model = cls(**params)
            seconds = _timed_fit(model, X_train, y_train)
            models.append(model)
            rows.append((name, model.score(X_test, y_test), seconds, model.n_iter_))

    metric = "test R^2" if args.estimator == "mlp-regressor" else "test accuracy"
    print(
        f"skperceptron {__version__}: {ours_cls.__name__}{params} on {args.dataset} "
        f"({X_train.shape[0]} train / {X_test.shape[0]} test samples, "
        f"{X.shape[1]} features, standardised)"
    )
    print(
        f"numba compile or cache load (first call, measured apart): "
        f"{compile_time:.2f} s"
    )
    print(f"{'library':<14}{metric:>15}{'fit time [s]':>14}{'epochs':>8}")
    for name, score, seconds, epochs in rows:
        print(f"{name:<14}{score:>15.4f}{seconds:>14.3f}{epochs:>8}")
    print(f"speed-up: {rows[1][2] / rows[0][2]:.2f}x")
    if args.plot:
        _plot(models, args.plot)
        print(f"learning curves saved to {args.plot}")
    return 0


def _plot(models, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .display import LossCurveDisplay

    fig, ax = plt.subplots(figsize=(6, 4))
    for model, name in zip(models, ("skperceptron", "scikit-learn")):
        if getattr(model, "loss_curve_", None) is None:
            continue
        LossCurveDisplay.from_estimator(model, ax=ax, name=name)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
