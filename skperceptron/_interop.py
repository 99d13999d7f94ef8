"""Helpers for converting fitted models to and from scikit-learn's.

Each estimator converts itself (``to_sklearn`` and the ``_from_sklearn``
classmethod); ``skperceptron.from_sklearn`` picks the class. These helpers
import nothing of the package, so any module may use them.
"""

import copy


def copy_attributes(source, target, names):
    """Deep-copy the attributes ``names`` that ``source`` has onto ``target``."""
    for name in names:
        if hasattr(source, name):
            setattr(target, name, copy.deepcopy(getattr(source, name)))


def shared_params(source, target_cls):
    """The parameters of ``source`` that ``target_cls`` also takes."""
    allowed = target_cls().get_params()
    return {k: v for k, v in source.get_params().items() if k in allowed}


def not_expressible(est, feature):
    """Raise the ValueError of a model scikit-learn cannot express."""
    raise ValueError(
        f"This {type(est).__name__} cannot be expressed as a scikit-learn estimator: "
        f"{feature}."
    )
