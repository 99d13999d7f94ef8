"""BLAS threads chosen per fit from the sizes of its matrix products.

Small products gain nothing from a BLAS thread pool, and every product waits
for the slowest of its threads: on a machine busy with other work, a thread
the OS has descheduled stalls each of the thousands of small products of an
epoch (a 0.2 s digits fit took 20 s next to one CPU-bound process per core).
A fit whose largest minibatch product is small therefore runs its products in
one thread, scoped to the fit (``threadpoolctl``, restored afterwards); larger
products keep the thread count the user or joblib set, which is never raised.

The kernels call scipy's BLAS; predictions call numpy's, which wheels ship
as a second library with its own thread pool. OpenBLAS threads spin for a
while after each product before they sleep, so two pools of threads took
turns on the cores: a fit with threaded products ran at half speed. The
hold-out's evaluation between the epochs of such fits, which may predict
(a custom scorer, a chunked hold-out), runs in one thread.

A fit whose products run in one thread leaves the other cores idle. When its
steps are large enough, each step's rows are split in two halves computed in
two threads (``split_steps``; ``_sources/split_steps.py``), which meet once a
step rather than at every product; where only one thread is allowed, the
halves are computed one after the other, so that the model is the same.
Otherwise, when the hold-out's scores cannot change how training goes (no
early stopping), they are computed in a second thread while the next epoch
trains (``spare_core``).
"""

import os
from contextlib import nullcontext

from ._kernels import compiled

# Multiply-adds of the largest product of a minibatch step below which one
# BLAS thread is as fast as several on an idle machine (measured in
# docs/benchmarks.md: digits' 200 x 64 x 100, friedman1's 200 x 64 x 64).
SMALL_PRODUCT = 20_000_000

# Matrix products (of two or more rows) below which BLAS itself uses one
# thread: OpenBLAS threads a product only above 65536 * 4 multiply-adds, and
# 200 x 64 x 20 ran as fast with its pool as with one thread next to a CPU hog
# per core (128 x 64 x 64 took 8 ms instead of 50 us). Fits of such products
# skip threadpoolctl, whose first use scans the loaded libraries (~20 ms in a
# fresh process: each grid-search worker's first fit).
SINGLE_THREADED_PRODUCT = 131_072

# Multiply-adds of a minibatch step's products (forward and backward) from
# which splitting its rows over two threads pays for handing half of them to
# the other thread and for the extra kernel calls (measured in
# benchmarks/step_threads.py).
SPLIT_STEP = 40_000_000

_CONTROLLER = None


def _blas_libraries():
    """threadpoolctl's controller of the loaded BLAS libraries, made once."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController().select(user_api="blas")
    return _CONTROLLER


def largest_product(layer_units, batch_rows):
    """Multiply-adds of the largest matrix product of one step."""
    return batch_rows * max(a * b for a, b in zip(layer_units[:-1], layer_units[1:]))


def step_multiply_adds(layer_units, batch_rows):
    """Multiply-adds of one step's products: forward, and backward to the
    weights' gradients and the hidden layers' deltas."""
    sizes = [a * b for a, b in zip(layer_units[:-1], layer_units[1:])]
    return batch_rows * (3 * sum(sizes) - sizes[0])


def blas_threads_for(layer_units, batch_rows):
    """A context running BLAS in one thread when the products of steps of
    ``batch_rows`` rows through layers of ``layer_units`` gain nothing from
    more; else one that changes nothing."""
    multiply_adds = largest_product(layer_units, batch_rows)
    if multiply_adds >= SMALL_PRODUCT:
        return nullcontext()
    if batch_rows > 1 and multiply_adds < SINGLE_THREADED_PRODUCT:
        return nullcontext()
    return _one_thread()


def _one_thread():
    """A context running every BLAS library in one thread (restored after)."""
    libraries = _blas_libraries()
    if all(lib.num_threads == 1 for lib in libraries.lib_controllers):
        return nullcontext()
    return libraries.limit(limits=1)


def between_products(layer_units, batch_rows):
    """The context factory for BLAS work a fit does between its steps (the
    hold-out's evaluation): one thread when the steps' products run in
    several, else a factory of contexts that change nothing."""
    if largest_product(layer_units, batch_rows) >= SMALL_PRODUCT:
        return _one_thread
    return nullcontext


def thread_budget():
    """The threads a fit may start: the smallest thread limit of the BLAS and
    OpenMP libraries loaded (what ``threadpoolctl.threadpool_limits`` and
    joblib's worker processes set; OpenBLAS starts with one per CPU the
    process may run on), else the cores."""
    from threadpoolctl import threadpool_info

    limits = [
        info["num_threads"]
        for info in threadpool_info()
        if info.get("user_api") in ("blas", "openmp")
    ]
    return min(limits) if limits else (os.cpu_count() or 1)


def _one_thread_by_choice(layer_units, batch_rows):
    """Whether the steps' largest product is one that ``blas_threads_for``
    runs in one thread although BLAS would thread it."""
    product = largest_product(layer_units, batch_rows)
    return SINGLE_THREADED_PRODUCT <= product < SMALL_PRODUCT


def spare_core(layer_units, batch_rows):
    """Whether a fit whose steps multiply ``batch_rows`` rows through layers
    of ``layer_units`` may put side work on a core of its own: its products
    are large enough to run in one BLAS thread by choice (``blas_threads_for``;
    smaller ones take less time than handing work to a thread), and its
    ``thread_budget`` is more than one (joblib limits its workers to their
    share of the cores, a user may set ``OPENBLAS_NUM_THREADS=1``). Call it
    before the fit limits its threads."""
    return _one_thread_by_choice(layer_units, batch_rows) and thread_budget() > 1


def split_steps(layer_units, batch_rows):
    """The threads each step of a fit whose steps multiply ``batch_rows``
    rows through layers of ``layer_units`` is computed in, as two halves of
    its rows (see the module docstring); 0 for steps left whole.

    Whether steps are split depends on their shapes only, so that a fit's
    model does not depend on the threads it gets (the halves' gradients are
    summed in the same order in one thread as in two): steps of at least
    ``SPLIT_STEP`` multiply-adds whose products run in one BLAS thread by
    choice (``blas_threads_for``). They run in two threads when the
    ``thread_budget`` allows and the kernels release the GIL, else in one.
    Call it before the fit limits its threads.
    """
    if not (
        _one_thread_by_choice(layer_units, batch_rows)
        and step_multiply_adds(layer_units, batch_rows) >= SPLIT_STEP
    ):
        return 0
    return 2 if compiled.releases_gil() and thread_budget() > 1 else 1
