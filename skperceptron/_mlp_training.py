"""The multilayer perceptrons' fit loops, over any data source.

``MLPTrainingMixin`` is part of ``BaseMLP``: the one epoch loop of the
stochastic solvers (``_fit_stochastic``) and the one L-BFGS driver
(``_fit_lbfgs``), as in scikit-learn's ``BaseMultilayerPerceptron``. Both run
over a data source (``_sources``): in-memory arrays, dask chunks or batches
read from an iterable. The source runs the epochs and evaluates the objective
where the rows live; the loop owns the optimizer, schedules, validation
records, stopping, callbacks and divergence handling.
"""

import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._kernels.specs import Dropout
from ._params import factor_blocks, parameter_factors
from ._sources.validation import HoldOutRuns, Network, Scoring, Validation
from ._stochastic_optimizers import (
    STOCHASTIC_SOLVERS,
    AdagradOptimizer,
    AdamOptimizer,
    NadamOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
)
from ._threads import between_products, blas_threads_for, spare_core, split_steps
from ._training import (
    DIVERGENCE_MESSAGE,
    check_batch_size,
    dropout_rates,
    minimize_lbfgs,
)


class MLPTrainingMixin:
    """The fit loops of ``BaseMLP`` (see the module docstring)."""

    def _train(
        self, source, validation, layout, incremental, random_state, X, y, strata=None
    ):
        """Train the initialised (or resumed) weights on ``source``.

        ``validation`` is user-given hold-out data (a ``Validation``) or None;
        ``strata`` stratify early stopping's hold-out (in-memory sources);
        ``X`` and ``y`` are what callbacks are shown.
        """
        dtype = self._flat.dtype
        spec = self._kernel_spec(layout)
        loss = self._loss_spec(dtype, self.n_outputs_)
        stochastic = self.solver in STOCHASTIC_SOLVERS
        epochs = (1 if incremental else self.max_iter) if stochastic else 0
        progress = self._fit_progress(X, y, epochs, self._snapshot)
        n_train = source.n_train
        batch = 200 if self.batch_size == "auto" else self.batch_size
        rows = min(batch, n_train) if stochastic else n_train
        # read before the fit limits its threads: steps in two threads, else
        # hold-out scores that cannot change the training computed alongside
        split = split_steps(layout.layer_units, rows) if stochastic else 0
        alongside = (
            stochastic
            and not split
            and not (self.early_stopping or self.verbose or progress.reporting)
            and (self.restore_best_weights or validation is not None)
            and spare_core(layout.layer_units, rows)
        )
        with blas_threads_for(layout.layer_units, rows):
            if stochastic:
                self._fit_stochastic(
                    source,
                    validation,
                    spec,
                    loss,
                    incremental,
                    random_state,
                    progress,
                    strata,
                    alongside,
                    split,
                )
            else:
                self._fit_lbfgs(source, spec, loss)
        progress.end()
        return self

    def _check_training_options(self, n_hidden, has_validation_data):
        """Raise for options that the solver cannot use."""
        if self.solver in STOCHASTIC_SOLVERS:
            if (
                isinstance(self.learning_rate, str)
                and self.learning_rate == "onecycle"
                and self.max_iter - self.warmup_epochs < 2
            ):
                raise ValueError(
                    "learning_rate='onecycle' rises and falls over max_iter - "
                    "warmup_epochs epochs, which must be at least 2; got "
                    f"max_iter={self.max_iter}, warmup_epochs={self.warmup_epochs}."
                )
            return
        if np.any(dropout_rates(self.dropout, n_hidden)):
            raise ValueError(
                "dropout is applied during stochastic training only; "
                f"solver={self.solver!r} cannot use it. Set dropout=0.0 or choose "
                "a stochastic solver ('adam', 'sgd', 'rmsprop', 'adagrad', 'nadam')."
            )
        if has_validation_data:
            raise ValueError(
                "X_val and y_val are used by the stochastic solvers' epochs; "
                f"solver={self.solver!r} has none. Choose a stochastic solver."
            )

    def _new_optimizer(self, n_params, dtype):
        schedule = dict(
            lr_schedule=self.learning_rate,
            max_iter=self.max_iter,
            warmup_epochs=self.warmup_epochs,
            weight_decay=self.weight_decay,
            max_grad_norm=self.max_grad_norm,
            dropout_schedule=self.dropout_schedule,
            weight_decay_schedule=self.weight_decay_schedule,
        )
        if self.solver == "sgd":
            return SGDOptimizer(
                n_params,
                dtype,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
                **{k: v for k, v in schedule.items() if k != "lr_schedule"},
            )
        if self.solver in ("rmsprop", "adagrad"):
            cls = RMSpropOptimizer if self.solver == "rmsprop" else AdagradOptimizer
            return cls(
                n_params,
                dtype,
                self.learning_rate_init,
                self.beta_2,
                self.epsilon,
                **schedule,
            )
        cls = AdamOptimizer if self.solver == "adam" else NadamOptimizer
        return cls(
            n_params,
            dtype,
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
            **schedule,
        )

    def _scoring(self):
        """Early stopping's ``Scoring`` (see ``_validation_score``)."""
        if self.scoring == "loss":
            kind = "loss"
        elif self.scoring is not None:
            kind = "custom"
        else:
            kind = self._default_scoring_kind()
        return Scoring(kind, self._validation_score)

    def _fit_stochastic(
        self,
        source,
        validation,
        spec,
        loss,
        incremental,
        random_state,
        progress,
        strata,
        alongside=False,
        split=0,
    ):
        """Train ``self._flat`` in place with a stochastic solver, one epoch of
        ``source`` at a time.

        ``loss`` is the kernels' ``LossSpec``; ``validation`` a
        ``Validation`` of user-given hold-out data, or None (early stopping
        then holds out ``validation_fraction`` of the source's rows);
        ``progress`` reports epochs to scikit-learn callbacks; ``alongside``
        lets an in-memory hold-out be scored in a second thread while the
        next epoch trains (built-in scores only); ``split`` (1 or 2) computes
        each step of in-memory dense rows as two halves, in that many threads.
        """
        flat = self._flat
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._new_optimizer(flat.shape[0], flat.dtype)
        else:
            self._optimizer = self._optimizer.copy()
        optimizer = self._optimizer

        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        scoring = self._scoring()
        if validation is None and self._holds_out(source.n_train):
            validation = source.hold_out(
                self.validation_fraction,
                random_state,
                strata=strata,
                scoring=scoring,
            )
        restoring = validation is not None and (
            self.early_stopping or self.restore_best_weights
        )
        n_train = source.n_train
        batch_size = check_batch_size(self.batch_size, n_train)
        rates = dropout_rates(self.dropout, self.n_layers_ - 2)
        dropout = Dropout(np.append(rates, 0.0), 0) if np.any(rates) else None
        epochs = source.mlp_epochs(
            flat, spec, loss, batch_size, dropout, random_state, self.shuffle, split
        )
        layout = self._layout()
        optimizer.steps_per_epoch = epochs.n_batches
        optimizer.factors = factor_blocks(
            *parameter_factors(layout, self.lr_scaling, self.lr_factors, flat.dtype),
            layout.n_coef,
        )
        net = Network(
            layout,
            spec.act_codes,
            spec.negative_slope,
            loss,
            tuple(spec.emb_features),
            self._input_transformer(),
            n_threads=epochs.step_threads,
        )

        holdout = None
        if validation is not None:
            holdout = HoldOutRuns(
                validation,
                net,
                scoring,
                between_products(layout.layer_units, batch_size),
                background=alongside
                and isinstance(validation, Validation)
                and scoring.kind != "custom",
                spec=spec,
                dtype=flat.dtype,
            )

        self.n_iter_ = 0
        try:
            for _ in range(self.max_iter):
                optimizer.epoch_starts()
                progress.begin_epoch()
                total = epochs.run(
                    optimizer.hyperparameters(self.alpha), optimizer.state()
                )
                optimizer.steps_taken(epochs.n_batches)
                if self._epoch_ends(
                    total / n_train, n_train, holdout, optimizer, progress
                ):
                    break
                if incremental:
                    break
                self._warn_if_unconverged()
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        finally:
            if holdout is not None:
                holdout.close()
        if holdout is not None:
            self._record_validation(holdout.finish())

        if restoring:
            flat[...] = self._best_flat

    def _holds_out(self, n_rows):
        """Whether training holds out validation rows: for early stopping
        (too few rows then raise, as in scikit-learn), and for
        ``restore_best_weights`` when at least two rows can be held out (it
        warns and keeps the last weights otherwise)."""
        if self.early_stopping:
            return True
        if not self.restore_best_weights:
            return False
        if math.ceil(self.validation_fraction * n_rows) >= 2:
            return True
        warnings.warn(
            f"restore_best_weights=True holds out validation_fraction="
            f"{self.validation_fraction} of the rows, fewer than two of these "
            f"{n_rows}: training uses every row and keeps the last epoch's weights.",
            UserWarning,
        )
        return False

    def _epoch_ends(self, loss, n_train, holdout, optimizer, progress):
        """Record the epoch that just ran; return whether training stops.

        ``loss`` is the epoch's training loss over ``n_train`` rows;
        ``holdout`` the ``HoldOutRuns`` that score the new weights, or None
        without validation data. The schedule, the callbacks and the
        no-improvement rule are consulted as in scikit-learn's
        ``_fit_stochastic``.
        """
        self.n_iter_ += 1
        self.loss_ = loss
        self.t_ += n_train
        self.loss_curve_.append(loss)
        if self.verbose:
            print("Iteration %d, loss = %.8f" % (self.n_iter_, self.loss_))
        if holdout is not None:
            self._record_validation(holdout.finish())
        if self._diverged():
            return True
        if holdout is not None:
            self._record_validation(holdout.submit(self._flat))
        self._update_no_improvement_count()
        optimizer.iteration_ends(self.t_)
        if progress.end_epoch():
            return True
        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if self.early_stopping else "Training loss"
            msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                what,
                self.tol,
                self.n_iter_no_change,
            )
            if optimizer.trigger_stopping(msg, self.verbose):
                return True
            self._no_improvement_count = 0
        return False

    def _warn_if_unconverged(self):
        if self.n_iter_ == self.max_iter:
            warnings.warn(
                "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                "optimization hasn't converged yet." % self.max_iter,
                ConvergenceWarning,
            )

    def _record_validation(self, evaluations):
        """Record the hold-out's ``evaluations``: ``((loss, score), weights)``
        pairs of epochs in order. The best score's weights are kept (a copy);
        with early stopping the score decides the no-improvement count.
        """
        for (val_loss, score), weights in evaluations:
            self.validation_loss_curve_.append(val_loss)
            self.validation_scores_.append(score)
            if self.verbose:
                print("Validation score: %f" % score)
            if self.early_stopping:
                if score < self.best_validation_score_ + self.tol:
                    self._no_improvement_count += 1
                else:
                    self._no_improvement_count = 0
            # scikit-learn keeps the first best epoch; restore_best_weights
            # alone the last of equally good ones (RealMLP's rule)
            if score > self.best_validation_score_ or (
                self.restore_best_weights
                and not self.early_stopping
                and score >= self.best_validation_score_
            ):
                self.best_validation_score_ = score
                if self.early_stopping or self.restore_best_weights:
                    self._best_flat = weights.copy()

    def _update_no_improvement_count(self):
        """The no-improvement count and best loss after an epoch, from the
        training loss (with early stopping, ``_record_validation`` counts)."""
        if not self.early_stopping:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _diverged(self):
        """Whether the epoch diverged (early stopping); raise if it did without.

        Without early stopping there are no weights worth keeping: raise (the
        fit is a transaction, so a fitted model is left as it was). With early
        stopping, record the epoch with a NaN validation score (its weights
        cannot be scored) and stop; the best validation weights are restored
        after the loop, as scikit-learn restores them.
        """
        if np.isfinite(self.loss_) and np.isfinite(self._flat).all():
            return False
        cause = (
            f"The weights or the training loss (last {self.loss_}) became "
            f"non-finite at epoch {self.n_iter_}."
        )
        if not (self.early_stopping or self.restore_best_weights):
            raise ValueError(DIVERGENCE_MESSAGE.format(cause=cause))
        self.validation_scores_.append(float("nan"))
        self.validation_loss_curve_.append(float("nan"))
        if np.isfinite(self.best_validation_score_):
            kept = (
                "the weights with the best validation score "
                f"({self.best_validation_score_:g}) were restored"
            )
        else:
            kept = (
                "no epoch improved the validation score, so the initial "
                "weights were kept"
            )
        warnings.warn(
            f"Training diverged: {cause} Training stopped there and {kept}. Scale X "
            "(for example with StandardScaler) or lower learning_rate_init.",
            ConvergenceWarning,
        )
        return True

    def _fit_lbfgs(self, source, spec, loss):
        """Full-batch L-BFGS-B on the flat vector: scipy drives on the client,
        the source evaluates the objective where its rows live.

        L-BFGS needs the value and gradient of one function: the loss as the
        kernels sum it (scale 1); ``loss_`` is then reported on scikit-learn's
        scale.
        """
        flat = self._flat
        objective = source.mlp_objective(flat, spec, self.alpha)
        summed = loss._replace(scale=1.0)
        result = minimize_lbfgs(
            lambda x: objective(x, summed),
            flat.astype(np.float64),
            self.max_iter,
            self.max_fun,
            self.tol,
            self.verbose,
        )
        self.n_iter_ = min(result.nit, self.max_iter)
        flat[...] = result.x
        self.loss_ = (
            float(result.fun) if loss.scale == 1.0 else float(objective(flat, loss)[0])
        )
        if not np.isfinite(self.loss_) or not np.isfinite(flat).all():
            raise ValueError(
                DIVERGENCE_MESSAGE.format(cause=f"The L-BFGS loss became {self.loss_}.")
            )
