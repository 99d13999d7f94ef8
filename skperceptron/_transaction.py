"""Fits as transactions: a failed call leaves the estimator as it was."""

from ._frame_stack import call_with_room


def atomic(estimator, method, *args, **kwargs):
    """Run ``method(*args, **kwargs)``; on any error restore every attribute.

    The attribute dict is copied shallowly, so ``method`` must replace (not
    mutate in place) the arrays and lists it changes: the fit code trains on
    copies of the weights and optimizer state and binds them at the end.
    """
    saved = dict(estimator.__dict__)
    try:
        return method(*args, **kwargs)
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise


def atomic_fit(estimator, method, *args, **kwargs):
    """``atomic`` for a whole fit: run where the frame stack has room (see
    ``_frame_stack``), so its loops cost the same at any caller's depth."""
    return call_with_room(atomic, estimator, method, *args, **kwargs)
