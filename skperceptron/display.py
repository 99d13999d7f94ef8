"""Learning-curve plots following scikit-learn's Display API."""

import numpy as np
from sklearn.utils.validation import check_is_fitted


class LossCurveDisplay:
    """Training loss per epoch and, when present, the validation curves.

    Build it with :meth:`from_estimator` (works for any estimator with a
    ``loss_curve_``, scikit-learn's MLPs included) and draw it with
    :meth:`plot`. matplotlib is needed only for drawing.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch.
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss on the early-stopping hold-out after each epoch.
    validation_scores : array-like of shape (n_epochs,), default=None
        Early-stopping score after each epoch (drawn on a second y axis).
    name : str, default=None
        Legend label of the training curve.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure holding the axes.
    lines_ : dict of matplotlib Line2D
        The drawn lines by curve name.

    Examples
    --------
    >>> import numpy as np
    >>> from skperceptron import MLPClassifier
    >>> from skperceptron.display import LossCurveDisplay
    >>> X = np.random.RandomState(0).normal(size=(60, 3)); y = X[:, 0] > 0
    >>> clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=10).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf, plot=False)
    >>> len(display.loss_curve)
    10
    """

    def __init__(
        self, loss_curve, validation_loss_curve=None, validation_scores=None, name=None
    ):
        self.loss_curve = np.asarray(loss_curve)
        self.validation_loss_curve = (
            None if validation_loss_curve is None else np.asarray(validation_loss_curve)
        )
        self.validation_scores = (
            None if validation_scores is None else np.asarray(validation_scores)
        )
        self.name = name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, plot=True):
        """Build the display from a fitted estimator with a ``loss_curve_``.

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator trained by sgd or adam.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        name : str, default=None
            Legend label; the estimator's class name when None.
        plot : bool, default=True
            Whether to draw right away.

        Returns
        -------
        display : LossCurveDisplay
            The display (drawn when ``plot=True``).
        """
        check_is_fitted(estimator)
        if getattr(estimator, "loss_curve_", None) is None:
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_: only the stochastic "
                "solvers (all but 'lbfgs') record one."
            )
        display = cls(
            estimator.loss_curve_,
            getattr(estimator, "validation_loss_curve_", None),
            getattr(estimator, "validation_scores_", None),
            name=name or type(estimator).__name__,
        )
        return display.plot(ax=ax) if plot else display

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        self : LossCurveDisplay
            The display, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        epochs = np.arange(1, len(self.loss_curve) + 1)
        self.lines_ = {}
        (self.lines_["loss"],) = ax.plot(
            epochs, self.loss_curve, label=f"{self.name} training loss"
        )
        if self.validation_loss_curve is not None:
            (self.lines_["validation_loss"],) = ax.plot(
                epochs[: len(self.validation_loss_curve)],
                self.validation_loss_curve,
                linestyle="--",
                label=f"{self.name} validation loss",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if self.validation_scores is not None:
            twin = ax.twinx()
            (self.lines_["validation_score"],) = twin.plot(
                epochs[: len(self.validation_scores)],
                self.validation_scores,
                color="tab:green",
                linestyle=":",
                label=f"{self.name} validation score",
            )
            twin.set_ylabel("validation score")
        ax.legend(loc="upper right")
        self.ax_, self.figure_ = ax, ax.figure
        return self
