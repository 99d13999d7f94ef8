"""Constructor parameters of tried recipes, one call each.

A preset is a plain dict of parameters, so it composes with everything a
scikit-learn estimator does: ``MLPClassifier(**tabular("classification"))``,
``clone``, ``set_params`` and grids that override single values.
"""

import numpy as np

_TASKS = ("classification", "regression")


def tabular(task):
    """The parameters of an MLP for tables: RealMLP-TD's recipe.

    Holzmüller, Grinsztajn and Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data" (NeurIPS 2024), tuned
    their defaults on 118 tables; each value below is theirs unless said
    otherwise:

    - inputs: ``input_transform='robust'`` (median, interquartile range,
      smooth clipping to (-3, 3)), ``numeric_embedding='periodic'`` (16
      frequencies with initial scale 0.1, 3 features each, their PBLD
      embedding) and a learned ``front_scale``;
    - network: three hidden layers of 256 units, SELU for classification and
      mish for regression (RealMLP makes them parametric; these are fixed),
      ``weight_init='lsuv'`` (their data-dependent "std" weights and "he+5"
      biases), ``lr_scaling='ntk'`` (their NTK parametrisation) and step-size
      factors 0.1 for biases and embeddings and 6 for the front scale;
    - training: Adam with ``beta_2=0.95``, learning rate 0.04
      (classification) or 0.2 (regression) along the 'coslog4' schedule,
      minibatches of 256 rows for 256 epochs, dropout 0.15 and weight decay
      0.02 both on 'flat_cosine' schedules, no L2 penalty (``alpha=0``);
    - validation: 20% of the rows held out, the best epoch's weights restored
      at the end (``restore_best_weights``), no early stopping;
    - targets: ``label_smoothing=0.1`` for classification; for regression,
      standardised targets and predictions clipped to the training range.

    The input transform needs numeric X: one-hot encode categorical columns
    first (RealMLP encodes categories with at most 8 values one-hot, larger
    ones with learned embeddings, which this package does not have).

    Parameters
    ----------
    task : {'classification', 'regression'}
        The estimator the parameters are for: ``MLPClassifier`` or
        ``MLPRegressor``.

    Returns
    -------
    params : dict
        Constructor parameters; a new dict on every call.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> from skperceptron import MLPClassifier
    >>> from skperceptron.presets import tabular
    >>> clf = MLPClassifier(**tabular("classification"), random_state=0)
    >>> clone(clf).get_params()["numeric_embedding"]
    'periodic'
    """
    if task not in _TASKS:
        raise ValueError(f"task must be one of {_TASKS}, got {task!r}.")
    classification = task == "classification"
    params = dict(
        hidden_layer_sizes=(256, 256, 256),
        activation="selu" if classification else "mish",
        solver="adam",
        alpha=0.0,
        batch_size=256,
        learning_rate="coslog4",
        learning_rate_init=0.04 if classification else 0.2,
        max_iter=256,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=np.inf,
        validation_fraction=0.2,
        dropout=0.15,
        dropout_schedule="flat_cosine",
        weight_decay=0.02,
        weight_decay_schedule="flat_cosine",
        weight_init="lsuv",
        input_transform="robust",
        input_clip=3.0,
        numeric_embedding="periodic",
        embedding_frequencies=16,
        embedding_size=3,
        embedding_scale=0.1,
        front_scale=True,
        lr_scaling="ntk",
        lr_factors={"bias": 0.1, "front_scale": 6.0, "embedding": 0.1},
        restore_best_weights=True,
    )
    if classification:
        params["label_smoothing"] = 0.1
    else:
        params.update(target_scaling="standard", clip_predictions=True)
    return params
