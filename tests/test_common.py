"""scikit-learn's own estimator checks, on every solver, penalty and output kind."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skperceptron import MLPClassifier, MLPRegressor, Perceptron

ESTIMATORS = [
    *(MLPClassifier(solver=solver, max_iter=100) for solver in ("adam", "sgd", "lbfgs")),
    *(MLPRegressor(solver=solver, max_iter=100) for solver in ("adam", "sgd", "lbfgs")),
    MLPRegressor(loss="poisson", solver="lbfgs", max_iter=100),
    MLPClassifier(hidden_layer_sizes=(20, 10), activation="tanh", max_iter=100),
    MLPClassifier(hidden_layer_sizes=(20, 10), activation=["softplus", "tanh"],
                  max_iter=200),
    MLPClassifier(class_weight="balanced", max_iter=100),
    MLPRegressor(loss="huber", max_iter=100),
    MLPRegressor(loss="absolute_error", solver="lbfgs", max_iter=100),
    MLPRegressor(out_activation="softplus", solver="lbfgs", max_iter=100),
    Perceptron(),
    *(Perceptron(penalty=penalty) for penalty in ("l2", "l1", "elasticnet")),
    Perceptron(average=True),
    Perceptron(multi_class="multinomial"),
]

ONLINE_SAMPLE_WEIGHT = (
    "Rosenblatt's rule updates after every sample: a sample of weight 2 makes one "
    "double-size correction where two copies make two corrections, the second "
    "seeing the first, and the epoch order differs. scikit-learn's Perceptron has "
    "the same expected failure."
)
NOISY_CLASS_WEIGHT = (
    "On this check's very noisy blobs the perceptron never converges and its final "
    "weights are a random draw; with random_state=0 some configurations land in the "
    "tail where class 0's share of predictions is below 0.87. Over 30 seeds it "
    "passes at least as often as scikit-learn's Perceptron: see "
    "test_perceptron.py::test_extreme_class_weight_like_sklearn."
)


SATURATING_CLASS_WEIGHT = (
    "With class weights 1000 : 0.0001 only class 0's samples shape the loss, so "
    "predictions where the other classes lie extrapolate the class-0 fit. A relu "
    "network extrapolates to class 0 there (the check passes); a saturating tanh "
    "network predicts class 0 for about 80% of those test points. The model is "
    "right for its loss; the check's 0.87 threshold assumes a linear model."
)


def expected_failures(estimator):
    if isinstance(estimator, MLPClassifier):
        if estimator.activation == "relu":
            return {}
        return {"check_class_weight_classifiers": SATURATING_CLASS_WEIGHT}
    if not isinstance(estimator, Perceptron):
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": ONLINE_SAMPLE_WEIGHT,
        "check_sample_weight_equivalence_on_sparse_data": ONLINE_SAMPLE_WEIGHT,
        "check_class_weight_classifiers": NOISY_CLASS_WEIGHT,
    }


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
