"""scikit-learn's callback API (``sklearn.callback``, new in 1.9), when present.

``est.set_callbacks(ProgressBar())`` or ``ScoringMonitor(...)`` then sees the
fit as one task with one subtask per epoch. On older scikit-learn the mixin is
empty, the decorator does nothing and fits run exactly as before.

The fit opens a callback context (``_init_callback_context``, which the
mixin's documentation asks fit methods to call) only when callbacks were set
on the estimator or handed down by a meta-estimator, as scikit-learn's own
estimators decide (``LogisticRegression`` tests ``_skl_callbacks`` too): a
fit without callbacks, a ``partial_fit`` stream above all, then pays nothing
per epoch. These attributes are read with defaults, so a scikit-learn release
that renames them turns callbacks off rather than breaking a fit
(tests/test_callbacks.py would fail).
"""

try:
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:  # noqa: D101 - stands in for the missing mixin
        pass

    def with_callbacks(method):  # noqa: D103
        return method


class FitProgressMixin(CallbackSupportMixin):
    """``_fit_progress``: the estimators' reporter of a fit to its callbacks."""

    def _fit_progress(self, X, y, max_epochs, snapshot):
        """A ``FitProgress`` for a fit of up to ``max_epochs`` epochs.

        The callback context is opened only when callbacks were set on the
        estimator or handed down by a meta-estimator (see the module
        docstring); otherwise the reporter does nothing.
        """
        context = None
        wanted = getattr(self, "_skl_callbacks", None) or hasattr(
            self, "_parent_callback_ctx"
        )
        if wanted and hasattr(self, "_init_callback_context"):
            context = self._init_callback_context(max_subtasks=max_epochs)
        return FitProgress(context, self, X, y, snapshot)


class FitProgress:
    """Reports a fit and its epochs to a scikit-learn callback ``context``
    (None: no callbacks, nothing to report).

    ``snapshot`` returns the fitted attributes that make a copy of the
    estimator usable for prediction at the current epoch (what callbacks such as
    ScoringMonitor score).
    """

    def __init__(self, context, estimator, X, y, snapshot):
        self.estimator, self.X, self.y, self.snapshot = estimator, X, y, snapshot
        self.context, self.epoch = context, None
        if context is not None:
            context.call_on_fit_task_begin(estimator=estimator, X=X, y=y)

    @property
    def reporting(self):
        """Whether callbacks are shown the epochs (and so see their records).

        A pipeline hands its steps a context even when it has no callbacks.
        """
        if self.context is None:
            return False
        return bool(getattr(self.context, "_callbacks", True))

    def begin_epoch(self):
        if self.context is not None:
            self.epoch = self.context.subcontext(task_name="epoch")
            self.epoch.call_on_fit_task_begin(
                estimator=self.estimator, X=self.X, y=self.y
            )

    def end_epoch(self):
        """Report the finished epoch; True when a callback asks to stop."""
        if self.epoch is None:
            return False
        stop = self.epoch.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=self.snapshot,
        )
        self.epoch = None
        return bool(stop)

    def end(self):
        if self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator,
                X=self.X,
                y=self.y,
                reconstruction_attributes=self.snapshot,
            )
