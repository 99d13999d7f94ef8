"""Pickles that know which version of the package wrote them."""

import warnings

import sklearn
from sklearn.exceptions import InconsistentVersionWarning

from ._version import __version__


class VersionedStateMixin:
    """Records the package's version in the pickled state and warns, as
    scikit-learn does for its own estimators, when a pickle written by
    another version is loaded (the package promises pickles only within one
    version; docs/user_guide/deploying.md)."""

    def __getstate__(self):
        state = dict(super().__getstate__())
        state["_skperceptron_version"] = __version__
        # scikit-learn records its version for its own estimators only
        state["_sklearn_version"] = sklearn.__version__
        return state

    def __setstate__(self, state):
        # scikit-learn checks its own version for its own estimators only
        versions = {
            "skperceptron": (
                state.pop("_skperceptron_version", "unknown"),
                __version__,
            ),
            "scikit-learn": (
                state.pop("_sklearn_version", "unknown"),
                sklearn.__version__,
            ),
        }
        for package, (written_by, current) in versions.items():
            if written_by != current:
                warnings.warn(
                    InconsistentVersionWarning(
                        estimator_name=f"{type(self).__name__} ({package})",
                        current_sklearn_version=current,
                        original_sklearn_version=written_by,
                    )
                )
        super().__setstate__(state)
