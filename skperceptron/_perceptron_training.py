"""The Perceptron's epoch loop, over any data source.

``PerceptronTrainingMixin`` is part of ``Perceptron``: the state of the units
(new, stored, exported), the learning and stopping rules, and the one epoch
loop (``_train``), which runs over a data source (``_sources``): in-memory
arrays, dask chunks or batches read from an iterable. The source runs each
epoch where its rows live; the loop owns the stopping rules, early stopping,
callbacks and divergence checks.
"""

import functools
import numbers
import warnings

import numpy as np
from joblib import effective_n_jobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._kernels import compiled, specs
from ._kernels import units as kernel
from ._threads import thread_budget

_PENALTIES = {
    None: specs.NO_PENALTY,
    "l2": specs.L2,
    "l1": specs.L1,
    "elasticnet": specs.ELASTICNET,
}
_MAX_INT = np.iinfo(np.int32).max
_DIVERGED = (
    "Floating-point under-/overflow occurred at epoch #{}. Scaling input "
    "data with StandardScaler or MinMaxScaler might help."
)


class PerceptronTrainingMixin:
    """Units, rules and the epoch loop of ``Perceptron`` (see the module
    docstring)."""

    def _shuffle_seeds(self, n_orders):
        """scikit-learn's SGD shuffle seeds: one per order (per unit fitted alone).

        Drawn from ``random_state`` exactly as scikit-learn draws them, so that
        the same ``random_state`` visits the samples in the same order. An
        integer ``random_state`` always gives the same seeds: they are drawn
        once (a partial_fit stream would otherwise seed ten generators a call).
        """
        if isinstance(self.random_state, numbers.Integral):
            return list(_seeds_of(int(self.random_state), n_orders))
        return _draw_seeds(check_random_state(self.random_state), n_orders)

    def _warn_if_unconverged(self):
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                "Maximum number of iteration reached before convergence. "
                "Consider increasing max_iter to improve the fit.",
                ConvergenceWarning,
            )

    def _l1_ratio(self):
        """The L1 share of the penalty: l1_ratio matters only for elasticnet."""
        return {"l2": 0.0, "l1": 1.0}.get(self.penalty, float(self.l1_ratio))

    def _averaging(self):
        return int(self.average) > 0

    def _new_units(self, n_features, dtype, coef_init, intercept_init):
        n_units = self._n_units()
        coef = np.zeros((n_units, n_features), dtype=dtype)
        intercept = np.zeros(n_units)
        if coef_init is not None:
            coef_init = (
                np.asarray(coef_init, dtype=dtype).reshape(-1, n_features)
                if np.size(coef_init) == n_units * n_features
                else np.asarray(coef_init)
            )
            if coef_init.shape != coef.shape:
                raise ValueError("Provided coef_init does not match dataset.")
            coef[...] = coef_init
        if intercept_init is not None:
            intercept_init = np.ravel(np.asarray(intercept_init, dtype=np.float64))
            if intercept_init.shape != intercept.shape:
                raise ValueError("Provided intercept_init does not match dataset.")
            intercept[...] = intercept_init
        return kernel.new_units(coef, intercept, self._averaging(), self._l1())

    def _stored_units(self, dtype):
        units = kernel.new_units(
            self._standard_coef.astype(dtype),
            self._standard_intercept,
            self._averaging(),
            self._l1(),
        )
        if self._averaging() and hasattr(self, "_average_sum"):
            units.avg_sum[...] = self._average_sum
            units.b_sum[...] = self._average_intercept_sum
            units.n_averaged[...] = self._average_count
        return units

    def _l1(self):
        return self.penalty in ("l1", "elasticnet")

    def _dense_coef(self):
        coef = self.coef_
        return coef.toarray() if hasattr(coef, "toarray") else coef

    def _rule(self):
        """The kernel's ``Rule``: the learning rule these parameters set."""
        return specs.Rule(
            fit_intercept=bool(self.fit_intercept),
            eta=float(self.eta0),
            alpha=float(self.alpha),
            l1_ratio=self._l1_ratio(),
            penalty=_PENALTIES[self.penalty],
            averaging=self._averaging(),
            avg_start=int(self.average)
            if self._averaging()
            else np.iinfo(np.int64).max,
        )

    def _stopper(self, n_units):
        """A fresh ``_Stopper`` for a fit of ``n_units`` units."""
        return _Stopper(
            1 if self._multinomial() else n_units,
            self.tol,
            self.n_iter_no_change,
            stop_when_error_free=self.penalty is None and not self._averaging(),
        )

    def _epoch_ran(self, units, stats, step, n_train):
        """Count the epoch that ran; raise if it diverged; report it if verbose."""
        self.n_iter_ += 1
        if not (
            np.isfinite(units.V).all()
            and np.isfinite(units.b).all()
            and np.isfinite(stats.loss).all()
        ):
            raise ValueError(_DIVERGED.format(self.n_iter_))
        if self.verbose:
            print(
                f"-- Epoch {self.n_iter_}\nMistakes: {int(stats.mistakes.sum())}, "
                f"Avg. loss: {stats.loss[:, 0].sum() / n_train:f}, "
                f"Active units: {int(units.active.sum())}, T: {max(step)}"
            )

    def _n_threads(self, n_units):
        """Threads for ``n_units`` units trained apart: ``n_jobs`` as joblib
        resolves it, within the thread budget (see ``thread_budget``)."""
        if self.n_jobs in (None, 1) and effective_n_jobs(None) == 1:
            return 1
        return max(1, min(effective_n_jobs(self.n_jobs), n_units, thread_budget()))

    def _train(self, source, validation, units, max_iter, partial, X, y, random_state):
        """Run up to ``max_iter`` epochs of the units over ``source``.

        ``validation`` is early stopping's hold-out (or None); ``partial``
        runs one epoch and leaves the stopping rules out (``partial_fit``);
        ``X`` and ``y`` are what callbacks are shown; ``random_state`` draws
        the shuffles of chunked sources.
        """
        n_units = units.V.shape[0]
        # scikit-learn fits one-vs-rest units one after another, each visiting
        # the samples in its own shuffled order; every other kind of model (and
        # any unshuffled one) has one order, shared by all its units in one pass.
        per_unit = self.shuffle and self._ovr_multiclass()
        seeds = self._shuffle_seeds(n_units if per_unit else 1)
        # the step counter (scikit-learn's t_) and accumulated L1 penalty, per order
        step = [int(self.t_)] * len(seeds)
        l1_total = [0.0] * len(seeds)
        rule = self._rule()
        stopper = self._stopper(n_units)
        n_train = source.n_train
        progress = self._fit_progress(
            X, y, max_iter, lambda: self._export(units, step) or self._snapshot()
        )
        encoding = (self.classes_, self._multinomial(), per_unit)
        n_threads = self._n_threads(n_units) if per_unit else 1
        epochs = source.perceptron_epochs(
            encoding, seeds, random_state, self.shuffle, n_threads
        )
        with epochs:
            self.n_iter_ = 0
            for _ in range(max_iter):
                progress.begin_epoch()
                stats = specs.EpochStats(
                    np.zeros((n_units, 2)),  # loss, penalty term
                    np.zeros(n_units, dtype=np.int64),
                )
                units, step, l1_total, stats = epochs.run(
                    units, rule, step, l1_total, stats
                )
                self._epoch_ran(units, stats, step, n_train)
                if partial:
                    progress.end_epoch()
                    break
                score = None
                self._flush(units, l1_total)  # stopping sees the full L1 penalty
                if validation is not None:
                    self._export(units, step)
                    score = validation.accuracy(
                        self._dense_coef(),
                        self.intercept_,
                        self.classes_,
                        self._is_multilabel(),
                    )
                stopper.update(units.active, stats, n_train, score)
                if progress.end_epoch() or not units.active.any():
                    break
        self._flush(units, l1_total)
        self._export(units, step)
        progress.end()

    def _snapshot(self):
        return {"coef_": self.coef_.copy(), "intercept_": self.intercept_.copy()}

    @staticmethod
    def _flush(units, l1_total):
        """Apply the L1 penalty still pending on weights no sample touched lately.

        ``l1_total`` holds the cumulative penalty of each sample order: one
        shared by all units, or one per unit.
        """
        if units.q.shape[1]:
            pending = np.broadcast_to(
                np.asarray(l1_total, dtype=np.float64), units.scale.shape
            ).copy()
            compiled.flush_l1(units.V, units.scale, units.q, units.B, units.S, pending)

    def _export(self, units, step):
        self.t_ = float(max(step))
        self._standard_coef = kernel.real_coef(units)
        self._standard_intercept = units.b.copy()
        coef, intercept = self._standard_coef, self._standard_intercept
        if self._averaging():
            kernel.settle_average(units)
            self._average_sum = units.avg_sum.copy()
            self._average_intercept_sum = units.b_sum.copy()
            self._average_count = units.n_averaged.copy()
            if int(self.average) <= self.t_ - 1:
                coef, intercept = kernel.averaged(units)
        self.coef_ = coef
        self.intercept_ = np.asarray(intercept, dtype=np.float64).copy()


def _draw_seeds(random_state, n_orders):
    if n_orders > 1:
        states = [
            np.random.RandomState(seed)
            for seed in random_state.randint(_MAX_INT, size=n_orders)
        ]
    else:
        states = [random_state]
    seeds = []
    for state in states:
        state.randint(1, _MAX_INT)  # the seed of scikit-learn's dataset object
        seeds.append(int(state.randint(_MAX_INT)))
    return seeds


@functools.lru_cache(maxsize=64)
def _seeds_of(seed, n_orders):
    return tuple(_draw_seeds(np.random.RandomState(seed), n_orders))


class _Stopper:
    """Per-unit stopping: error-free epochs, the tol rule, early stopping.

    ``groups`` is the number of units that stop on their own (1 when the
    multinomial rule trains them together).
    """

    def __init__(self, groups, tol, n_iter_no_change, stop_when_error_free):
        self.groups = groups
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.stop_when_error_free = stop_when_error_free
        self.best = np.full(groups, np.inf)
        self.stalled = np.zeros(groups, dtype=np.int64)
        self.best_score = -np.inf
        self.score_stalled = 0

    def update(self, active, stats, n_train, score):
        """Clear ``active`` for the units that are done after this epoch."""
        loss, mistakes = stats.loss, stats.mistakes
        if self.groups == 1:
            loss, mistakes = loss.sum(axis=0, keepdims=True), np.array([mistakes.sum()])
        done = np.zeros(self.groups, dtype=bool)
        if self.stop_when_error_free:
            # Convergence theorem: without penalty or averaging, an error-free
            # epoch leaves the weights unchanged, so later epochs could not
            # change them.
            done |= mistakes == 0
        if score is not None:
            improved = self.tol is None or score >= self.best_score + self.tol
            self.score_stalled = 0 if improved else self.score_stalled + 1
            self.best_score = max(self.best_score, score)
            if self.score_stalled >= self.n_iter_no_change:
                done[:] = True
        elif self.tol is not None:
            objective = loss.sum(axis=1) / n_train
            stalled = objective > self.best - self.tol
            self.stalled = np.where(stalled, self.stalled + 1, 0)
            self.best = np.minimum(self.best, objective)
            done |= self.stalled >= self.n_iter_no_change
        if self.groups == 1:
            active[:] = active & ~done[0]
        else:
            active &= ~done
