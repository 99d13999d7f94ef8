"""Fits as transactions: a failed call leaves the estimator as it was."""


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
