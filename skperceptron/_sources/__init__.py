"""Where training rows come from: in-memory arrays, or chunks kept where they live.

Every source hands the estimators' one epoch loop per family the same
operations (an epoch in a given order, the L-BFGS objective, a validation
hold-out), so that the loops never ask where the rows are. The sources take
plain values (arrays, kernel specs, functions), never an estimator.
"""
