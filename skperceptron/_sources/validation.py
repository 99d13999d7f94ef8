"""Validation data held on the client, and how a network is evaluated on it."""

import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from sklearn import config_context, get_config

from .._data import kernel_input, prediction_input
from .._forward import input_layer, predict
from .._kernels import compiled
from .._kernels.specs import no_dropout, workspace
from .._linear_model import linear_accuracy

PREDICT_CHUNK_ROWS = 512  # hidden activations of a chunk stay in L2 cache


class Network(NamedTuple):
    """What evaluating a network's outputs needs, as plain values.

    ``layout`` is the ``ParamLayout``, ``act_codes`` one activation code per
    layer, ``negative_slope`` as ``NetworkSpec`` has it, ``loss`` the kernels'
    ``LossSpec``, ``embedded`` the columns of X the periodic embeddings take,
    ``transform`` what the network does to X first (a function, or None).
    """

    layout: object
    act_codes: object
    negative_slope: float
    loss: object
    embedded: tuple = ()
    transform: object = None
    n_threads: int = 1


class Scoring(NamedTuple):
    """Early stopping's validation score.

    ``kind`` is 'loss' (minus the validation loss), 'accuracy' or 'r2' (what
    hold-outs split over chunks can sum where they live) or 'custom';
    ``function(validation, loss, outputs)`` computes the score of a
    ``Validation`` on the client, given its loss and the network's outputs.
    """

    kind: str
    function: object


def network_outputs(flat, net, X):
    """The network's outputs for every row of X (dense or sparse)."""
    coefs, intercepts = net.layout.views(flat)
    X = prediction_input(X, flat.dtype)
    if net.transform is not None:
        X = net.transform(X)
    return predict(
        X,
        coefs,
        intercepts,
        net.act_codes,
        net.negative_slope,
        PREDICT_CHUNK_ROWS,
        input_layer(net.layout.extra_views(flat), net.embedded),
    )


def outputs_loss(outputs, Y, sample_weight, out_code, loss):
    """Mean loss (without the L2 term) of network ``outputs`` against ``Y``.

    ``out_code`` is the output activation's code, ``loss`` a ``LossSpec``.
    """
    sw = np.empty(0, dtype=outputs.dtype) if sample_weight is None else sample_weight
    rows = np.arange(outputs.shape[0])
    total = compiled.loss_sum(
        outputs, Y, sw, rows, np.empty_like(outputs), out_code, loss
    )
    return (
        loss.scale * total / (outputs.shape[0] if sample_weight is None else sw.sum())
    )


class Validation(NamedTuple):
    """A hold-out on the client: inputs, targets as scored (``y``) and as
    trained (``Y``), and sample weights (or None)."""

    X: object
    y: np.ndarray
    Y: np.ndarray
    sample_weight: object

    def evaluate(self, flat, net, scoring):
        """``(loss, score)`` of the network with weights ``flat``."""
        return self.score(network_outputs(flat, net, self.X), net, scoring)

    def score(self, outputs, net, scoring):
        """``(loss, score)`` of the network whose outputs on ``X`` are ``outputs``."""
        # one forward pass on the hold-out serves both the loss and the score
        loss = outputs_loss(
            outputs, self.Y, self.sample_weight, net.act_codes[-1], net.loss
        )
        return loss, scoring.function(self, loss, outputs)

    def accuracy(self, coef, intercept, classes, multilabel):
        """Accuracy of a layer of linear units (the Perceptron's early stopping)."""
        return linear_accuracy(self.X, self.y, coef, intercept, classes, multilabel)


class HoldOutOutputs:
    """A network's outputs on a fit's hold-out, by the training kernels'
    forward pass (``network.forward_pass_fast``), for weights that change
    every epoch.

    The hold-out's rows are converted and transformed once for the fit; with
    ``n_threads`` 2 its two halves are computed in two threads (the kernels
    release the GIL). ``close()`` ends the thread.

    Parameters
    ----------
    X : array-like or sparse matrix
        The hold-out's rows, as the user gave them.
    net : Network
        The network (its input transform).
    spec : NetworkSpec
        The network's shape, as the kernels take it.
    dtype : numpy dtype
        The weights' dtype.
    n_threads : {1, 2}
        The threads computing the outputs.
    """

    def __init__(self, X, net, spec, dtype, n_threads):
        X = prediction_input(X, dtype)
        if net.transform is not None:
            X = net.transform(X)
        self.n_rows, self.n_outputs = X.shape[0], int(spec.units[-1])
        self.spec, self.dtype = spec, dtype
        self.dropout = no_dropout(spec.units.shape[0] - 1)
        ends = [0, self.n_rows]
        if n_threads > 1 and self.n_rows > 1:
            ends.insert(1, (self.n_rows + 1) // 2)
        self.parts = [
            (kernel_input(X[lo:hi], dtype), lo, hi, self._work(hi - lo))
            for lo, hi in zip(ends[:-1], ends[1:])
        ]
        self.executor = None
        if len(self.parts) > 1:
            self.executor = ThreadPoolExecutor(1, thread_name_prefix="skperceptron")

    def _work(self, n_rows):
        block = max(1, min(PREDICT_CHUNK_ROWS, n_rows))
        return workspace(self.spec, block, 0, self.dtype, False)

    def _run(self, flat, part, out):
        data, lo, hi, work = part
        compiled.forward_pass_fast(
            data, flat, self.spec, work, self.dropout, out[lo:hi]
        )

    def __call__(self, flat):
        """The outputs of the network with weights ``flat``."""
        out = np.empty((self.n_rows, self.n_outputs), dtype=self.dtype)
        first, *rest = self.parts
        others = [self.executor.submit(self._run, flat, part, out) for part in rest]
        self._run(flat, first, out)
        for other in others:
            other.result()
        return out

    def close(self):
        if self.executor is not None:
            self.executor.shutdown(wait=True)


class HoldOutRuns:
    """A fit's evaluations of its hold-out after each epoch, in epoch order.

    Inline, ``submit(flat)`` evaluates the weights ``flat`` at once (in the
    context ``side_work()``). With ``background=True`` it copies them and
    evaluates the copy in a second thread while the caller trains the next
    epoch, returning the previous epoch's evaluation instead; ``finish()``
    returns the one still running. Either returns a list of ``(loss, score),
    weights`` pairs. The thread sees the caller's scikit-learn configuration
    and context variables (numpy's error state). ``close()`` ends the threads.

    Given the kernels' ``spec`` and the weights' ``dtype``, a ``Validation``
    is evaluated by the kernels (``HoldOutOutputs``, in ``net.n_threads``
    threads inline); other hold-outs evaluate themselves.
    """

    def __init__(
        self, validation, net, scoring, side_work, background, spec=None, dtype=None
    ):
        self.validation, self.net, self.scoring = validation, net, scoring
        self.side_work = side_work
        self.executor = ThreadPoolExecutor(1) if background else None
        self.pending = None
        self.outputs = None
        # a kernel holding the GIL would stop training while it runs aside
        if (
            spec is not None
            and isinstance(validation, Validation)
            and (not background or compiled.releases_gil())
        ):
            n_threads = 1 if background else net.n_threads
            self.outputs = HoldOutOutputs(validation.X, net, spec, dtype, n_threads)

    def _evaluate_now(self, flat):
        if self.outputs is None:
            return self.validation.evaluate(flat, self.net, self.scoring)
        return self.validation.score(self.outputs(flat), self.net, self.scoring)

    def submit(self, flat):
        if self.executor is None:
            with self.side_work():
                return [(self._evaluate_now(flat), flat)]
        done = self.finish()
        weights = flat.copy()
        context, config = contextvars.copy_context(), get_config()
        future = self.executor.submit(context.run, self._evaluate, weights, config)
        self.pending = future, weights
        return done

    def _evaluate(self, weights, config):
        with config_context(**config):
            return self._evaluate_now(weights)

    def finish(self):
        if self.pending is None:
            return []
        future, weights = self.pending
        self.pending = None
        return [(future.result(), weights)]

    def close(self):
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        if self.outputs is not None:
            self.outputs.close()
