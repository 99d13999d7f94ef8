"""scikit-learn's own estimator checks, on every solver and output kind."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skperceptron import MLPClassifier, MLPRegressor

ESTIMATORS = [
    *(MLPClassifier(solver=solver, max_iter=100) for solver in ("adam", "sgd", "lbfgs")),
    *(MLPRegressor(solver=solver, max_iter=100) for solver in ("adam", "sgd", "lbfgs")),
    MLPRegressor(loss="poisson", solver="lbfgs", max_iter=100),
    MLPClassifier(hidden_layer_sizes=(20, 10), activation="tanh", max_iter=100),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
