"""Fitting on dask collections, without collecting X on the client.

X, the targets and the sample weights are persisted on the workers once per
fit; every chunk is then processed by the worker that holds it, and only
weights, gradients, optimizer state and sums travel.

- L-BFGS: each objective evaluation sends the flat weights once (one key of
  the graph), evaluates ``network.loss_and_gradient`` on every chunk, and sums
  the raw loss sums, raw gradients and weight sums in a tree; the L2 term and
  the division by the total weight are applied on the client, as the kernel
  applies them, and scipy's L-BFGS runs on the client.
- the stochastic solvers and the Perceptron: each epoch visits the chunks in a shuffled
  order, the weights and optimizer state travelling from the worker of one
  chunk to the worker of the next (a chain of tasks), and come back to the
  client once per epoch for the stopping rules. With one chunk the rows are
  shuffled on the client exactly as the in-memory fit shuffles them (the same
  model); with several, each chunk's rows are shuffled on its worker from a
  seed drawn from ``random_state``.
- Early stopping holds out ``validation_fraction`` of every chunk's rows (a
  random subset drawn from a per-chunk seed, not stratified); the hold-out is
  scored on the workers.

The estimators call ``fit_mlp`` or ``fit_perceptron`` at the top of ``fit``;
these drive the estimator's own hooks (initialisation, optimizer, stopping
counters), so the fitted model is an ordinary in-memory estimator.
"""

import math
import warnings

import numpy as np
from sklearn.base import is_classifier
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import assert_all_finite, check_random_state

from ._callbacks import FitProgress
from ._dask import as_dask_array, check_chunks
from ._kernels import network
from ._kernels import perceptron as perceptron_kernel
from ._kernels.losses import output_delta_and_loss
from ._kernels.optimizers import OptimizerState
from ._params import ParamLayout
from ._stochastic_optimizers import STOCHASTIC_SOLVERS
from ._training import (
    check_batch_size,
    dropout_rates,
)
from ._transaction import atomic

_MAX_SEED = np.iinfo(np.int32).max


# ------------------------------------------------------------------- inputs
def _checked_block(block):
    assert_all_finite(block, input_name="X")
    return block


def _inputs(X, y, sample_weight):
    """Dask X (float, checked lazily), y, sample_weight, and X's column names."""
    X, names = as_dask_array(X, "X")
    check_chunks(X)
    y, _ = as_dask_array(y, "y", like=X)
    sample_weight, _ = as_dask_array(sample_weight, "sample_weight", like=X)
    check_chunks(X, y, sample_weight)
    if X.shape[0] == 0:
        raise ValueError(
            "Found array with 0 sample(s) while a minimum of 1 is required."
        )
    if sample_weight is not None and sample_weight.ndim != 1:
        raise ValueError("sample_weight must be 1-D.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    X = X.map_blocks(_checked_block, dtype=X.dtype)
    if sample_weight is not None:
        sample_weight = sample_weight.astype(X.dtype)
    return X, names, y, sample_weight


def _check_weights(stats):
    if "sw_min" not in stats:
        return
    if not stats["sw_finite"]:
        raise ValueError("Input sample_weight contains NaN or infinity.")
    if stats["sw_min"] < 0:
        raise ValueError("Negative values in data passed to sample_weight")
    if not stats["sw_max"] > 0:
        raise ValueError("Sample weights must contain at least one non-zero number.")


def _weight_stats(sample_weight):
    import dask.array as da

    if sample_weight is None:
        return {}
    return {
        "sw_min": sample_weight.min(),
        "sw_max": sample_weight.max(),
        "sw_finite": da.isfinite(sample_weight).all(),
    }


def _set_features(estimator, names, n_features):
    estimator.n_features_in_ = n_features
    if names is not None:
        estimator.feature_names_in_ = names
    else:
        estimator.__dict__.pop("feature_names_in_", None)


def _binarize(block, binarizer, dtype, smoothing, n_classes):
    Y = np.ascontiguousarray(binarizer.transform(block), dtype=dtype)
    if smoothing:
        Y *= 1.0 - smoothing
        Y += smoothing / n_classes
    return Y


def _blocks(array, n_chunks):
    if array is None:
        return [None] * n_chunks
    return list(array.to_delayed().ravel())


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def _tree_sum(parts):
    """One delayed value: the elementwise sum of tuples, added pairwise."""
    import dask

    add = dask.delayed(_add, pure=True)
    while len(parts) > 1:
        parts = [
            add(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]


def _split_rows(n_rows, holdout):
    """(training rows, validation rows) of a chunk; ``holdout`` is (seed, n_val)."""
    if holdout is None:
        return np.arange(n_rows, dtype=np.int64), np.empty(0, dtype=np.int64)
    seed, n_val = holdout
    permutation = np.random.RandomState(seed).permutation(n_rows)
    return np.sort(permutation[n_val:]), np.sort(permutation[:n_val])


def _holdouts(random_state, sizes, fraction):
    """Per chunk ``(seed, n_val)``: ceil(fraction * rows) validation rows."""
    seeds = random_state.randint(_MAX_SEED, size=len(sizes))
    holdouts = [
        (int(seed), math.ceil(fraction * n) if n else 0)
        for seed, n in zip(seeds, sizes)
    ]
    if sum(h[1] for h in holdouts) < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return holdouts


def _row_orders(random_state, n_train, positions):
    """This epoch's row order of each chunk.

    One chunk: the client's order, drawn exactly as the in-memory fit draws it
    (``positions`` is updated in place); several: a seed per chunk.
    """
    if len(n_train) == 1:
        permutation = np.arange(n_train[0])
        random_state.shuffle(permutation)
        positions[...] = positions[permutation]
        return [positions.copy()]
    return [int(s) for s in random_state.randint(_MAX_SEED, size=len(n_train))]


def _epoch_rows(train, rows):
    if rows is None:
        return train
    if isinstance(rows, np.ndarray):
        return train[rows]
    return train[np.random.RandomState(rows).permutation(train.shape[0])]


def _check_scoring(estimator):
    if estimator.early_stopping and estimator.scoring not in (None, "loss"):
        raise ValueError(
            "With dask input early stopping scores the hold-out on the workers, "
            f"with scoring=None or 'loss'; scoring={estimator.scoring!r} is not "
            "supported."
        )
    levels = getattr(estimator, "_n_levels", lambda: 0)()
    if estimator.early_stopping and estimator.scoring is None and levels:
        raise ValueError(
            "With dask input early stopping scores several quantile levels by "
            "their loss: set scoring='loss'."
        )


# ------------------------------------------------------------------ the MLPs
def fit_mlp(estimator, X, y, sample_weight):
    """Fit an MLP on dask collections (see the module docstring).

    A transaction: on any error the estimator keeps its previous state.
    """
    return atomic(estimator, _fit_mlp, estimator, X, y, sample_weight)


def _fit_mlp(est, X, y, sample_weight):
    import dask
    import dask.array as da

    hidden = est._hidden_layer_sizes()
    est._check_training_options(len(hidden), False)
    first_pass = not hasattr(est, "coefs_") or not est.warm_start
    X, names, y, sample_weight = _inputs(X, y, sample_weight)
    dtype = X.dtype
    classifier = is_classifier(est)
    _check_scoring(est)
    lazy = _weight_stats(sample_weight)
    if classifier:
        if y.ndim != 1:
            raise ValueError(
                "With dask input MLPClassifier takes 1-D class labels; multilabel "
                "targets are fitted from in-memory arrays."
            )
        if est.class_weight is not None:
            raise ValueError(
                "class_weight is not supported with dask input; pass the class "
                "weights as sample_weight."
            )
        lazy["classes"] = da.unique(y)
    else:
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        Y = (y[:, None] if y.ndim == 1 else y).astype(dtype)
        if est._n_levels():
            Y = da.repeat(Y, est._n_levels(), axis=1)
        w = da.ones_like(Y[:, 0]) if sample_weight is None else sample_weight
        lazy["low"], lazy["high"] = Y.min(), Y.max()
        lazy["mean"] = (Y.astype(np.float64) * w[:, None]).sum(axis=0) / w.sum()
    (stats,) = dask.compute(lazy)
    _check_weights(stats)
    mean_target = None
    if classifier:
        classes = stats["classes"]
        if first_pass:
            est._label_binarizer = LabelBinarizer().fit(classes)
            est.classes_ = est._label_binarizer.classes_
        elif set(classes) != set(est.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit. Previously got {est.classes_}, "
                f"`y` has {classes}"
            )
        binarizer = est._label_binarizer
        n_outputs = binarizer.transform(est.classes_[:1]).shape[1]
        n_classes = len(est.classes_) if binarizer.y_type_ == "multiclass" else 2
        Y = y.map_blocks(
            _binarize,
            binarizer,
            dtype,
            est.label_smoothing,
            n_classes,
            dtype=dtype,
            new_axis=1,
            chunks=(y.chunks[0], (n_outputs,)),
        )
    else:
        if est.loss == "poisson" and stats["low"] < 0:
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for the "
                "poisson loss."
            )
        est._check_target_range(np.array([stats["low"], stats["high"]]))
        mean_target = np.asarray(stats["mean"])[None, :]
    _set_features(est, names, X.shape[1])

    est.n_outputs_ = Y.shape[1]
    layout = ParamLayout((X.shape[1], *hidden, est.n_outputs_))
    random_state = check_random_state(est.random_state)
    if first_pass:
        est._initialize(layout, dtype, random_state, mean_target, None, False)
    else:
        est._resume(layout, dtype, False)

    X, Y, sample_weight = dask.persist(X, Y, sample_weight)
    sizes = tuple(int(n) for n in X.chunks[0])
    chunks = list(
        zip(
            _blocks(X, len(sizes)),
            _blocks(Y, len(sizes)),
            _blocks(sample_weight, len(sizes)),
            sizes,
        )
    )
    spec = est._kernel_spec(layout)
    loss = est._loss_spec(dtype, est.n_outputs_)
    stochastic = est.solver in STOCHASTIC_SOLVERS
    progress = FitProgress(est, X, y, est.max_iter if stochastic else 0, est._snapshot)
    if stochastic:
        _stream_mlp(est, chunks, spec, loss, layout, random_state, progress)
    else:
        _lbfgs(est, chunks, spec, loss, layout)
    progress.end()
    return est


def _chunk_loss_and_gradient(X, Y, sample_weight, params, spec, loss):
    """Raw weighted loss sum, raw gradient and weight sum of one chunk."""
    X, Y = np.ascontiguousarray(X), np.ascontiguousarray(Y)
    n_params = params.shape[0]
    weight_sum = float(Y.shape[0] if sample_weight is None else sample_weight.sum())
    if weight_sum == 0:
        return 0.0, np.zeros(n_params), 0.0
    work = network.workspace(spec, Y.shape[0], n_params, params.dtype, False)
    sw = np.empty(0, dtype=params.dtype) if sample_weight is None else sample_weight
    # with alpha=0 the kernel returns (loss sum) / S and gradient / S
    mean = network.loss_and_gradient(
        (X, None), Y, sw, params, spec, loss, 0.0, work, None
    )
    return mean * weight_sum, work.grad.astype(np.float64) * weight_sum, weight_sum


def _lbfgs(est, chunks, spec, loss, layout):
    """L-BFGS-B on the client over tree-summed chunk losses and gradients."""
    import dask

    flat = est._flat
    n_coef = layout.n_coef
    alpha = est.alpha
    evaluate = dask.delayed(_chunk_loss_and_gradient, pure=True)

    def objective(x, loss_spec):
        params = np.asarray(x, dtype=flat.dtype)
        shared = dask.delayed(params, pure=True)
        parts = [
            evaluate(Xc, Yc, wc, shared, spec, loss_spec)
            for Xc, Yc, wc, n in chunks
            if n
        ]
        ((loss_sum, grad, weight_sum),) = dask.compute(_tree_sum(parts))
        weights = params[:n_coef].astype(np.float64)
        grad[:n_coef] += alpha * weights
        value = (loss_sum + 0.5 * alpha * float(weights @ weights)) / weight_sum
        return value, grad / weight_sum

    est._minimize_lbfgs(objective, loss)


def _chunk_epoch(
    X, Y, sample_weight, holdout, rows, carry, batch_size, spec, loss, hyper, dropout
):
    """One epoch over one chunk's training rows; returns the updated carry.

    ``carry`` is ``(params, m, v, velocity, mu_product, square_avg, t, loss
    total)``; it is copied, so that a retried task starts again from the same
    weights. ``dropout`` is the chunk's ``network.Dropout`` or None.
    """
    params, m, v, velocity, mu_product, square_avg, t, total = (
        a.copy() if isinstance(a, np.ndarray) else a for a in carry
    )
    X, Y = np.ascontiguousarray(X), np.ascontiguousarray(Y)
    order = _epoch_rows(_split_rows(Y.shape[0], holdout)[0], rows)
    work = network.workspace(
        spec,
        min(batch_size, order.shape[0]),
        params.shape[0],
        params.dtype,
        True,
        dropout=dropout,
    )
    sw = np.empty(0, dtype=params.dtype) if sample_weight is None else sample_weight
    total += network.run_epoch(
        (X, None),
        Y,
        sw,
        order,
        batch_size,
        params,
        spec,
        loss,
        hyper,
        OptimizerState(m, v, velocity, mu_product, square_avg, t),
        work,
        dropout,
    )
    t += -(-order.shape[0] // batch_size)
    return params, m, v, velocity, mu_product, square_avg, t, total


def _chunk_validation(
    X, Y, sample_weight, holdout, params, layout, codes, negative_slope, loss
):
    """Sums of one chunk's hold-out: loss, weight, hits, and R^2's moments."""
    rows = _split_rows(Y.shape[0], holdout)[1]
    n_outputs = Y.shape[1]
    if rows.shape[0] == 0:
        zeros = np.zeros(n_outputs)
        return 0.0, 0.0, 0.0, zeros, zeros, zeros
    coefs, intercepts = layout.views(params)
    outputs = network.predict(
        np.ascontiguousarray(X[rows]), coefs, intercepts, codes, negative_slope, 512
    )
    Yv = np.ascontiguousarray(Y[rows])
    w = np.ones(rows.shape[0]) if sample_weight is None else sample_weight[rows]
    sw = np.empty(0, dtype=params.dtype) if sample_weight is None else w
    loss_sum = output_delta_and_loss(
        outputs,
        Yv,
        sw,
        np.arange(rows.shape[0]),
        np.empty_like(outputs),
        codes[-1],
        loss,
    )
    if n_outputs == 1:
        hits = (outputs[:, 0] > 0.5) == (Yv[:, 0] > 0.5)
    else:
        hits = outputs.argmax(axis=1) == Yv.argmax(axis=1)
    wc = w[:, None].astype(np.float64)
    return (
        float(loss_sum),
        float(w.sum()),
        float(w @ hits),
        (wc * Yv).sum(axis=0),
        (wc * Yv.astype(np.float64) ** 2).sum(axis=0),
        (wc * (Yv.astype(np.float64) - outputs) ** 2).sum(axis=0),
    )


def _validation(est, chunks, holdouts, flat, layout, codes, loss, classifier):
    """(validation loss, score) of the hold-out, summed over the chunks."""
    import dask

    shared = dask.delayed(flat.copy(), pure=True)
    evaluate = dask.delayed(_chunk_validation, pure=True)
    slope = est._negative_slope()
    parts = [
        evaluate(Xc, Yc, wc, holdout, shared, layout, codes, slope, loss)
        for (Xc, Yc, wc, n), holdout in zip(chunks, holdouts)
        if holdout[1]
    ]
    ((loss_sum, weight_sum, hits, sum_y, sum_y2, sse),) = dask.compute(_tree_sum(parts))
    val_loss = loss.scale * loss_sum / weight_sum
    if est.scoring == "loss":
        return val_loss, -val_loss
    if classifier:
        return val_loss, hits / weight_sum
    if not np.isfinite(sse).all():
        return val_loss, np.nan
    total = sum_y2 - sum_y**2 / weight_sum
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(total > 0, 1 - sse / total, np.where(sse == 0, 1.0, 0.0))
    return val_loss, float(np.mean(r2))


def _stream_mlp(est, chunks, spec, loss, layout, random_state, progress):
    """Stochastic-solver epochs streamed over the chunks (``BaseMLP._fit_stochastic``'s
    loop, with the epoch run chunk by chunk on the workers)."""
    import dask

    flat = est._flat
    optimizer = est._optimizer = est._new_optimizer(flat.shape[0], flat.dtype)
    sizes = [n for *_, n in chunks]
    holdouts = (
        _holdouts(random_state, sizes, est.validation_fraction)
        if est.early_stopping
        else [None] * len(chunks)
    )
    n_train = [n - (h[1] if h else 0) for n, h in zip(sizes, holdouts)]
    total_train = sum(n_train)
    batch_size = check_batch_size(est.batch_size, total_train)
    n_batches = sum(-(-n // batch_size) for n in n_train)
    positions = np.arange(n_train[0], dtype=np.int64) if len(chunks) == 1 else None
    codes = spec.act_codes
    classifier = is_classifier(est)
    step = dask.delayed(_chunk_epoch, pure=True)
    rates = dropout_rates(est.dropout, est.n_layers_ - 2)
    dropout = network.Dropout(np.append(rates, 0.0), 0) if np.any(rates) else None

    est.n_iter_ = 0
    try:
        for _ in range(est.max_iter):
            chunk_order = np.arange(len(chunks))
            rows = [None] * len(chunks)
            if est.shuffle:
                if len(chunks) > 1:
                    random_state.shuffle(chunk_order)
                rows = _row_orders(random_state, n_train, positions)
            # one mask seed per chunk, drawn as the in-memory fit draws its one
            seeds = (
                [random_state.randint(_MAX_SEED) for _ in chunk_order]
                if dropout is not None
                else [None] * len(chunks)
            )
            state = optimizer.state()
            carry = dask.delayed(
                (
                    flat.copy(),
                    state.m,
                    state.v,
                    state.velocity,
                    state.mu_product,
                    state.square_avg,
                    state.t,
                    0.0,
                ),
                traverse=False,
            )
            optimizer.epoch_starts()
            hyper = optimizer.hyperparameters(est.alpha)
            for c, seed in zip(chunk_order, seeds):
                if n_train[c]:
                    Xc, Yc, wc, _ = chunks[c]
                    carry = step(
                        Xc,
                        Yc,
                        wc,
                        holdouts[c],
                        rows[c],
                        carry,
                        batch_size,
                        spec,
                        loss,
                        hyper,
                        None if seed is None else dropout._replace(seed=seed),
                    )
            progress.begin_epoch()
            ((params, *memory, _, total),) = dask.compute(carry)
            flat[...] = params
            mine = (
                state.m,
                state.v,
                state.velocity,
                state.mu_product,
                state.square_avg,
            )
            for old, new in zip(mine, memory):
                if old is not None:
                    old[...] = new
            optimizer.steps_taken(n_batches)

            def evaluate_validation():
                if not est.early_stopping:
                    return None
                return _validation(
                    est, chunks, holdouts, flat, layout, codes, loss, classifier
                )

            if est._epoch_ends(
                total / total_train,
                total_train,
                evaluate_validation,
                optimizer,
                progress,
            ):
                break
            est._warn_if_unconverged()
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.")
    if est.early_stopping:
        flat[...] = est._best_flat


# ------------------------------------------------------------ the Perceptron
def fit_perceptron(estimator, X, y, coef_init, intercept_init, sample_weight):
    """Fit a Perceptron on dask collections (see the module docstring).

    A transaction: on any error the estimator keeps its previous state.
    """
    return atomic(
        estimator,
        _fit_perceptron,
        estimator,
        X,
        y,
        coef_init,
        intercept_init,
        sample_weight,
    )


def _encode_labels(y, classes, multinomial):
    """Per-unit +1/-1 targets or class indices (``Perceptron._encode``'s forms)."""
    index = np.searchsorted(classes, y)
    if multinomial:
        return np.empty((0, 0), np.int8), index.astype(np.int64)
    if len(classes) == 2:
        return np.where(index == 1, 1, -1).astype(np.int8)[:, None], np.empty(
            0, np.int64
        )
    signs = -np.ones((y.shape[0], len(classes)), dtype=np.int8)
    signs[np.arange(y.shape[0]), index] = 1
    return signs, np.empty(0, np.int64)


def _perceptron_rows(n_rows, holdout, rows):
    train = _split_rows(n_rows, holdout)[0]
    if rows is None:
        return train
    if isinstance(rows, np.ndarray):  # an order of all rows (one chunk)
        keep = np.zeros(n_rows, dtype=bool)
        keep[train] = True
        return rows[keep[rows]]
    return train[np.random.RandomState(rows).permutation(train.shape[0])]


def _perceptron_chunk_epoch(X, y, sample_weight, holdout, rows, carry, encoding, rule):
    """One epoch of the rule over one chunk; returns the updated carry.

    ``carry`` is ``(units, steps, l1 totals, epoch stats)``, copied first so
    that a retried task starts from the same state; ``rows`` holds one order
    per unit fitted alone, or one for all units.
    """
    units, step, l1_total, stats = carry
    units = units._replace(**{f: getattr(units, f).copy() for f in units._fields})
    stats = perceptron_kernel.EpochStats(stats.loss.copy(), stats.mistakes.copy())
    step, l1_total = list(step), list(l1_total)
    classes, multinomial, per_unit = encoding
    targets, labels = _encode_labels(y, classes, multinomial)
    sw = np.empty(0) if sample_weight is None else sample_weight.astype(np.float64)
    samples = perceptron_kernel.Samples(targets, labels, sw)
    X = np.ascontiguousarray(X)
    orders = [_perceptron_rows(y.shape[0], holdout, r) for r in rows]
    perceptron_kernel.epoch_of_units(
        X,
        None,
        orders,
        perceptron_kernel.unit_samples(samples) if per_unit else samples,
        units,
        rule,
        step,
        l1_total,
        stats,
    )
    return units, step, l1_total, stats


def _perceptron_chunk_hits(X, y, holdout, model):
    """(correct predictions, rows) of one chunk's hold-out."""
    coef, intercept, classes = model
    rows = _split_rows(y.shape[0], holdout)[1]
    scores = X[rows] @ coef.T + intercept
    if scores.shape[1] == 1:
        predicted = classes[(scores[:, 0] > 0).astype(np.intp)]
    else:
        predicted = classes[scores.argmax(axis=1)]
    return float(np.sum(predicted == y[rows])), float(rows.shape[0])


def _fit_perceptron(est, X, y, coef_init, intercept_init, sample_weight):
    import dask
    import dask.array as da

    X, names, y, sample_weight = _inputs(X, y, sample_weight)
    if y.ndim != 1:
        raise ValueError(
            "With dask input the Perceptron takes 1-D class labels; multilabel "
            "targets are fitted from in-memory arrays."
        )
    if est.class_weight == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported with dask input; pass a "
            "dict of class weights, or sample_weight."
        )
    lazy = _weight_stats(sample_weight)
    lazy["classes"] = da.unique(y)
    (stats,) = dask.compute(lazy)
    _check_weights(stats)
    if est.warm_start and hasattr(est, "coef_") and coef_init is None:
        coef_init, intercept_init = est._dense_coef(), est.intercept_
    est._set_classes(stats["classes"])
    _set_features(est, names, X.shape[1])
    units = est._new_units(X, coef_init, intercept_init)
    weight_pos, weight_neg = est._unit_weights(est.classes_)
    units = units._replace(weight_pos=weight_pos, weight_neg=weight_neg)
    est.t_ = 1.0

    X, y, sample_weight = dask.persist(X, y, sample_weight)
    sizes = tuple(int(n) for n in X.chunks[0])
    n_chunks = len(sizes)
    chunks = list(
        zip(
            _blocks(X, n_chunks), _blocks(y, n_chunks), _blocks(sample_weight, n_chunks)
        )
    )
    random_state = check_random_state(est.random_state)
    holdouts = (
        _holdouts(random_state, sizes, est.validation_fraction)
        if est.early_stopping
        else [None] * n_chunks
    )
    n_train = sum(n - (h[1] if h else 0) for n, h in zip(sizes, holdouts))
    n_units = units.V.shape[0]
    per_unit = est.shuffle and est._ovr_multiclass()
    n_orders = n_units if per_unit else 1
    seeds = est._shuffle_seeds(n_orders)
    indices = [np.arange(sizes[0], dtype=np.int64) for _ in seeds]
    step = [int(est.t_)] * n_orders
    l1_total = [0.0] * n_orders
    encoding = (est.classes_, est._multinomial(), per_unit)
    rule = est._rule()
    rule_stopper = est._stopper(n_units)
    progress = FitProgress(
        est, X, y, est.max_iter, lambda: est._export(units, step) or est._snapshot()
    )
    epoch = dask.delayed(_perceptron_chunk_epoch, pure=True)

    est.n_iter_ = 0
    for _ in range(est.max_iter):
        progress.begin_epoch()
        chunk_order = np.arange(n_chunks)
        rows = [[None] * n_orders] * n_chunks
        if est.shuffle and n_chunks == 1:
            for index, seed in zip(indices, seeds):
                perceptron_kernel.shuffle_like_sgd(index, seed)
            rows = [[index.copy() for index in indices]]
        elif est.shuffle:
            random_state.shuffle(chunk_order)
            rows = random_state.randint(_MAX_SEED, size=(n_chunks, n_orders)).tolist()
        stats = perceptron_kernel.EpochStats(
            np.zeros((n_units, 2)), np.zeros(n_units, dtype=np.int64)
        )
        carry = dask.delayed((units, step, l1_total, stats), traverse=False)
        for c in chunk_order:
            if sizes[c] - (holdouts[c][1] if holdouts[c] else 0):
                Xc, yc, wc = chunks[c]
                carry = epoch(Xc, yc, wc, holdouts[c], rows[c], carry, encoding, rule)
        ((units, step, l1_total, stats),) = dask.compute(carry)
        est._epoch_ran(units, stats, step, n_train)
        score = None
        est._flush(units, l1_total)
        if est.early_stopping:
            est._export(units, step)
            score = _perceptron_score(est, chunks, holdouts)
        rule_stopper.update(units.active, stats, n_train, score)
        if progress.end_epoch() or not units.active.any():
            break
    est._flush(units, l1_total)
    est._export(units, step)
    progress.end()
    est._warn_if_unconverged()
    return est


def _perceptron_score(est, chunks, holdouts):
    import dask

    shared = dask.delayed(
        (est._dense_coef(), np.asarray(est.intercept_), est.classes_),
        traverse=False,
    )
    hits = dask.delayed(_perceptron_chunk_hits, pure=True)
    parts = [
        hits(Xc, yc, holdout, shared)
        for (Xc, yc, _), holdout in zip(chunks, holdouts)
        if holdout[1]
    ]
    ((correct, total),) = dask.compute(_tree_sum(parts))
    return correct / total
