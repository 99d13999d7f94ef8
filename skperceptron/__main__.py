"""``python -m skperceptron``: train on the bundled handwritten digits.

Fits skperceptron's and scikit-learn's MLPClassifier on the same split with the
same hyperparameters and prints test accuracy and fit time side by side. The
first call compiles the numba kernels (or loads them from the on-disk cache);
that time is measured on a tiny warm-up fit and printed apart.
"""

import argparse
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

from . import MLPClassifier, __version__


def _timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def main(argv=None):
    """Run the digits comparison; return the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m skperceptron", description=__doc__)
    parser.add_argument("--hidden", type=int, nargs="+", default=[100],
                        help="hidden layer sizes (default: 100)")
    parser.add_argument("--epochs", type=int, default=200, help="max_iter (default: 200)")
    parser.add_argument("--seed", type=int, default=0, help="random_state (default: 0)")
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    params = dict(hidden_layer_sizes=tuple(args.hidden), max_iter=args.epochs,
                  random_state=args.seed)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        compile_time = _timed_fit(MLPClassifier(hidden_layer_sizes=(2,), max_iter=1),
                                  X_train[:20], y_train[:20])
        rows = []
        for name, cls in (("skperceptron", MLPClassifier),
                          ("scikit-learn", SklearnMLPClassifier)):
            model = cls(**params)
            seconds = _timed_fit(model, X_train, y_train)
            rows.append((name, model.score(X_test, y_test), seconds, model.n_iter_))

    print(f"skperceptron {__version__}: MLPClassifier{params} on digits "
          f"({X_train.shape[0]} train / {X_test.shape[0]} test samples, 64 features)")
    print(f"numba compile or cache load (first call, measured apart): {compile_time:.2f} s")
    print(f"{'library':<14}{'test accuracy':>15}{'fit time [s]':>14}{'epochs':>8}")
    for name, accuracy, seconds, epochs in rows:
        print(f"{name:<14}{accuracy:>15.4f}{seconds:>14.3f}{epochs:>8}")
    print(f"speed-up: {rows[1][2] / rows[0][2]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
