"""Minibatch steps computed in two threads, each on half of the step's rows.

A step's gradient is a sum over its rows: the rows are split into two halves,
the second half's gradient computed by a helper thread while the calling
thread computes the first's (the kernels release the GIL), and the step is
taken once both are in. Each half's matrix products run in one BLAS thread.
Unlike a pool of BLAS threads, which meets at every product, the two threads
meet once a step; and when the helper has not started its half by the time
the calling thread is done with its own (the machine is busy with other work
and the helper is waiting for a core), the calling thread takes that half
itself, so a busy machine costs no more than one thread does.

Where only one thread is allowed, the calling thread computes both halves,
summed in the same order: the model does not depend on the threads a fit
gets. It is ``network.run_epoch``'s up to the order of the sums: the same
rows, steps, sample weights and dropout masks (keyed by row position).
"""

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from .._kernels import compiled
from .._kernels.specs import workspace


class SplitSteps:
    """Epochs whose minibatch steps are split over two threads.

    Parameters
    ----------
    data, Y, sample_weight
        The kernels' input, targets and weights (empty for unit weights);
        dense input.
    flat : ndarray of shape (n_params,)
        The flat weights, trained in place.
    spec, loss
        The network's ``NetworkSpec`` and ``LossSpec``.
    batch_size : int
        Rows per minibatch.
    dropout : Dropout or None
        The dropout rates (to size the mask buffers).
    n_threads : {1, 2}
        The threads computing the halves.
    """

    def __init__(
        self, data, Y, sample_weight, flat, spec, loss, batch_size, dropout, n_threads
    ):
        self.n_threads = n_threads
        self.data, self.Y, self.sw = data, Y, sample_weight
        self.flat, self.spec, self.loss, self.batch_size = flat, spec, loss, batch_size
        half = -(-batch_size // 2)
        self.works = [
            workspace(spec, half, flat.shape[0], flat.dtype, True, dropout)
            for _ in range(2)
        ]
        self.no_part = None  # zeros, for a one-row last minibatch

    def _part(self, order, first, last, step, hyper, work, dropout):
        return compiled.minibatch_loss_and_gradient(
            self.data,
            self.Y,
            self.sw,
            order[first:last],
            first,
            step,
            self.flat,
            self.spec,
            self.loss,
            hyper,
            work,
            dropout,
        )

    def _other_part(self):
        if self.no_part is None:
            self.no_part = np.zeros_like(self.flat)
        return self.no_part

    def run(self, order, hyper, state, dropout):
        """One epoch over the rows ``order``, as ``network.run_epoch`` runs it
        (same arguments and result)."""
        n_rows, batch_size = order.shape[0], self.batch_size
        mine, helpers = self.works
        total = 0.0
        helper = _InPlace()
        if self.n_threads > 1:
            helper = ThreadPoolExecutor(1, thread_name_prefix="skperceptron-step")
        with helper:
            for step, first in enumerate(range(0, n_rows, batch_size)):
                last = min(first + batch_size, n_rows)
                middle = (first + last + 1) // 2
                other = None
                if middle < last:
                    args = (order, middle, last, step, hyper, helpers, dropout)
                    other = helper.submit(self._part, *args)
                loss_sum = self._part(order, first, middle, step, hyper, mine, dropout)
                if other is None:
                    part_grad = self._other_part()
                elif other.cancel():  # not started: take it here
                    loss_sum += self._part(*args)
                    part_grad = helpers.grad
                else:
                    loss_sum += other.result()
                    part_grad = helpers.grad
                batch_loss = compiled.minibatch_step(
                    self.flat,
                    mine.grad,
                    part_grad,
                    loss_sum,
                    self.sw,
                    order[first:last],
                    step,
                    self.spec,
                    hyper,
                    state,
                )
                total += batch_loss * (last - first)
        return total


class _InPlace:
    """An executor with no thread: every task waits to be taken back."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, *args):
        return Future()  # pending, so cancel() succeeds
