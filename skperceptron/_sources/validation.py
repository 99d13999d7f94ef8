"""Validation data held on the client, and how a network is evaluated on it."""

import contextvars
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from sklearn import config_context, get_config

from .._data import prediction_input
from .._forward import input_layer, predict
from .._kernels import compiled
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
        net.n_threads,
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
        # one forward pass on the hold-out serves both the loss and the score
        outputs = network_outputs(flat, net, self.X)
        loss = outputs_loss(
            outputs, self.Y, self.sample_weight, net.act_codes[-1], net.loss
        )
        return loss, scoring.function(self, loss, outputs)

    def accuracy(self, coef, intercept, classes, multilabel):
        """Accuracy of a layer of linear units (the Perceptron's early stopping)."""
        return linear_accuracy(self.X, self.y, coef, intercept, classes, multilabel)


class HoldOutRuns:
    """A fit's evaluations of its hold-out after each epoch, in epoch order.

    Inline, ``submit(flat)`` evaluates the weights ``flat`` at once (in the
    context ``side_work()``). With ``background=True`` it copies them and
    evaluates the copy in a second thread while the caller trains the next
    epoch, returning the previous epoch's evaluation instead; ``finish()``
    returns the one still running. Either returns a list of ``(loss, score),
    weights`` pairs. The thread sees the caller's scikit-learn configuration
    and context variables (numpy's error state). ``close()`` ends the thread.
    """

    def __init__(self, validation, net, scoring, side_work, background):
        self.validation, self.net, self.scoring = validation, net, scoring
        self.side_work = side_work
        self.executor = ThreadPoolExecutor(1) if background else None
        self.pending = None

    def submit(self, flat):
        if self.executor is None:
            with self.side_work():
                return [(self.validation.evaluate(flat, self.net, self.scoring), flat)]
        done = self.finish()
        weights = flat.copy()
        context, config = contextvars.copy_context(), get_config()
        future = self.executor.submit(context.run, self._evaluate, weights, config)
        self.pending = future, weights
        return done

    def _evaluate(self, weights, config):
        with config_context(**config):
            return self.validation.evaluate(weights, self.net, self.scoring)

    def finish(self):
        if self.pending is None:
            return []
        future, weights = self.pending
        self.pending = None
        return [(future.result(), weights)]

    def close(self):
        if self.executor is not None:
            self.executor.shutdown(wait=True)
