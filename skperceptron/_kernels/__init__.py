"""numba-compiled kernels. Nothing here imports from the estimator layer."""
