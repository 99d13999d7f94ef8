"""The training options scikit-learn lacks, against PyTorch's definitions.

Optimizer steps, decoupled weight decay, gradient clipping, learning-rate
schedules, activations and label smoothing are compared with ``torch.optim``,
``torch.nn.utils.clip_grad_norm_``, ``torch.optim.lr_scheduler`` and
``torch.nn.functional`` on the CPU. torch is in the ``torch`` extra, which CI
installs.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skperceptron import MLPClassifier
from skperceptron._kernels.activations import (
    add_bias_and_activate,
    multiply_by_derivative,
    multiply_by_pre_derivative,
)
from skperceptron._kernels.optimizers import optimizer_step
from skperceptron._kernels.specs import ACTIVATION_CODES, NEEDS_PRE_ACTIVATION
from skperceptron._stochastic_optimizers import (
    AdagradOptimizer,
    AdamOptimizer,
    BaseOptimizer,
    NadamOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
)

torch = pytest.importorskip(
    "torch",
    reason="PyTorch is the reference of these tests; install the 'torch' extra "
    '(pip install ".[torch]") to run them',
)

N_COEF, N_BIAS = 30, 6
LR = 0.01


def _gradients(n_steps, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(size=N_COEF + N_BIAS) for _ in range(n_steps)]


def _ours(optimizer, params, gradients, alpha=0.0, weight_sum=1.0):
    """Steps of one of our optimizers, as run_epoch takes them."""
    params = params.copy()
    for t, grad in enumerate(gradients, start=1):
        optimizer_step(
            params,
            grad.copy(),
            N_COEF,
            weight_sum,
            optimizer.hyperparameters(alpha),
            optimizer.state(),
            t,
            1.0,
            1.0,
        )
    return params


def _torch(make_optimizer, params, gradients, weight_decay=0.0, clip=None):
    """The same steps in torch: weights decayed, biases not (as ours)."""
    weights = torch.tensor(params[:N_COEF], dtype=torch.float64, requires_grad=True)
    biases = torch.tensor(params[N_COEF:], dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer(
        [
            {"params": [weights], "weight_decay": weight_decay},
            {"params": [biases], "weight_decay": 0.0},
        ]
    )
    for grad in gradients:
        weights.grad = torch.tensor(grad[:N_COEF])
        biases.grad = torch.tensor(grad[N_COEF:])
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([weights, biases], clip)
        optimizer.step()
    return np.concatenate([weights.detach().numpy(), biases.detach().numpy()])


SOLVERS = {
    "sgd momentum": (
        lambda wd: SGDOptimizer(
            N_COEF + N_BIAS,
            np.float64,
            LR,
            "constant",
            0.9,
            False,
            0.5,
            weight_decay=wd,
        ),
        lambda groups: torch.optim.SGD(groups, lr=LR, momentum=0.9),
    ),
    "sgd nesterov": (
        lambda wd: SGDOptimizer(
            N_COEF + N_BIAS,
            np.float64,
            LR,
            "constant",
            0.9,
            True,
            0.5,
            weight_decay=wd,
        ),
        lambda groups: torch.optim.SGD(groups, lr=LR, momentum=0.9, nesterov=True),
    ),
    # scikit-learn's Adam (ours, for parity) folds the bias correction into the
    # step size, which scales epsilon by sqrt(1 - beta_2**t) against torch's;
    # a tiny epsilon compares the rest of the step
    "adam": (
        lambda wd: AdamOptimizer(
            N_COEF + N_BIAS, np.float64, LR, 0.9, 0.999, 1e-12, weight_decay=wd
        ),
        lambda groups: torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.999), eps=1e-12),
    ),
    "nadam": (
        lambda wd: NadamOptimizer(
            N_COEF + N_BIAS, np.float64, LR, 0.9, 0.999, 1e-8, weight_decay=wd
        ),
        lambda groups: torch.optim.NAdam(
            groups, lr=LR, betas=(0.9, 0.999), eps=1e-8, decoupled_weight_decay=True
        ),
    ),
    "rmsprop": (
        lambda wd: RMSpropOptimizer(
            N_COEF + N_BIAS, np.float64, LR, 0.99, 1e-8, weight_decay=wd
        ),
        lambda groups: torch.optim.RMSprop(groups, lr=LR, alpha=0.99, eps=1e-8),
    ),
    "adagrad": (
        lambda wd: AdagradOptimizer(
            N_COEF + N_BIAS, np.float64, LR, 0.999, 1e-10, weight_decay=wd
        ),
        lambda groups: torch.optim.Adagrad(groups, lr=LR, eps=1e-10),
    ),
}


def _decoupled(make_torch, weight_decay):
    """torch's optimizer with decoupled decay: AdamW and NAdam have it built
    in; for the others the weights are shrunk by ``1 - lr * wd`` first (SGDW)."""

    class Decoupled:
        def __init__(self, groups):
            self.groups = groups
            self.inner = make_torch(
                [{"params": g["params"], "weight_decay": 0.0} for g in groups]
            )

        def step(self):
            with torch.no_grad():
                for group in self.groups:
                    for p in group["params"]:
                        p.mul_(1 - LR * group["weight_decay"])
            self.inner.step()

    return Decoupled


@pytest.mark.parametrize("name", list(SOLVERS))
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_optimizer_steps_equal_torch(name, weight_decay):
    make_ours, make_torch = SOLVERS[name]
    params = np.random.RandomState(1).normal(size=N_COEF + N_BIAS)
    gradients = _gradients(6)
    ours = _ours(make_ours(weight_decay), params, gradients)
    if weight_decay and name not in ("adam", "nadam"):
        make_torch = _decoupled(make_torch, weight_decay)
    expected = _torch(make_torch, params, gradients, weight_decay)
    assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)
    assert not np.allclose(ours, params)


BLOCKS = (  # ends, step size factors, decay factors (the weights end at 30)
    np.array([12, 30, 33, 36]),
    np.array([0.5, 2.0, 0.1, 3.0]),
    np.array([1.0, 0.25, 0.0, 4.0]),
)


@pytest.mark.parametrize("name", ["sgd momentum", "adam", "nadam", "rmsprop"])
def test_factor_blocks_equal_torch_parameter_groups(name):
    """Blocks of parameters with their own step size and decay factors take
    the steps of torch's parameter groups with those step sizes and decays."""
    make_ours, make_torch = SOLVERS[name]
    weight_decay = 0.1 if name in ("adam", "nadam") else 0.0
    optimizer = make_ours(weight_decay)
    optimizer.factors = BLOCKS
    params = np.random.RandomState(4).normal(size=N_COEF + N_BIAS)
    gradients = _gradients(5, seed=5)
    ours = _ours(optimizer, params, gradients)
    ends, lr_factors, decay_factors = BLOCKS
    tensors, groups = [], []
    for lo, hi, lr_f, decay_f in zip(np.r_[0, ends[:-1]], ends, *BLOCKS[1:]):
        tensor = torch.tensor(params[lo:hi], dtype=torch.float64, requires_grad=True)
        tensors.append((tensor, lo, hi))
        # torch decays by lr * weight_decay of the group
        groups.append(
            {
                "params": [tensor],
                "lr": LR * lr_f,
                "weight_decay": weight_decay * decay_f / lr_f,
            }
        )
    optimizer = make_torch(groups)
    for grad in gradients:
        for tensor, lo, hi in tensors:
            tensor.grad = torch.tensor(grad[lo:hi])
        optimizer.step()
    expected = np.concatenate([t.detach().numpy() for t, _, _ in tensors])
    assert_allclose(ours, expected, rtol=1e-6, atol=1e-9)
    # the factors changed the steps
    assert not np.allclose(ours, _ours(make_ours(weight_decay), params, gradients))


def test_sgd_weight_decay_equals_torch_coupled_decay_without_momentum():
    # without momentum, decoupled (SGDW) and coupled (torch's SGD) decay agree
    params = np.random.RandomState(2).normal(size=N_COEF + N_BIAS)
    gradients = _gradients(4, seed=3)
    ours = _ours(
        SGDOptimizer(
            N_COEF + N_BIAS,
            np.float64,
            LR,
            "constant",
            0.0,
            False,
            0.5,
            weight_decay=0.5,
        ),
        params,
        gradients,
    )
    expected = _torch(
        lambda groups: torch.optim.SGD(groups, lr=LR), params, gradients, 0.5
    )
    assert_allclose(ours, expected, rtol=1e-9)


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_gradient_clipping_equals_torch(max_norm):
    """The clipped gradient is the true one: the L2 term and 1/S included."""
    params = np.random.RandomState(4).normal(size=N_COEF + N_BIAS)
    raw = _gradients(3, seed=5)
    alpha, weight_sum = 0.3, 7.0
    ours = _ours(
        SGDOptimizer(
            N_COEF + N_BIAS,
            np.float64,
            LR,
            "constant",
            0.0,
            False,
            0.5,
            max_grad_norm=max_norm,
        ),
        params,
        raw,
        alpha=alpha,
        weight_sum=weight_sum,
    )
    # torch sees the true gradients of the same points
    weights = torch.tensor(params[:N_COEF], requires_grad=True)
    biases = torch.tensor(params[N_COEF:], requires_grad=True)
    sgd = torch.optim.SGD([weights, biases], lr=LR)
    for grad in raw:
        with torch.no_grad():
            weights.grad = (torch.tensor(grad[:N_COEF]) + alpha * weights) / weight_sum
            biases.grad = torch.tensor(grad[N_COEF:]) / weight_sum
        torch.nn.utils.clip_grad_norm_([weights, biases], max_norm)
        sgd.step()
    expected = np.concatenate([weights.detach().numpy(), biases.detach().numpy()])
    assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)


def _our_rates(optimizer, n_epochs, momentum_name=None):
    rates, momenta = [], []
    for _ in range(n_epochs):
        optimizer.epoch_starts()
        hyper = optimizer.hyperparameters(0.0)
        rates.append(hyper.learning_rate)
        if momentum_name:
            momenta.append(getattr(hyper, momentum_name))
    return np.array(rates), np.array(momenta)


def _torch_rates(scheduler, optimizer, n_epochs, momentum_key=None):
    rates, momenta = [], []
    for _ in range(n_epochs):
        group = optimizer.param_groups[0]
        rates.append(group["lr"])
        if momentum_key == "betas":
            momenta.append(group["betas"][0])
        elif momentum_key:
            momenta.append(group[momentum_key])
        optimizer.step()
        scheduler.step()
    return np.array(rates), np.array(momenta)


def _torch_sgd(lr, momentum=0.0):
    return torch.optim.SGD(
        [torch.zeros(1, requires_grad=True)], lr=lr, momentum=momentum
    )


@pytest.mark.parametrize("max_iter", [7, 20])
def test_cosine_schedule_equals_torch(max_iter):
    ours, _ = _our_rates(
        AdamOptimizer(
            4,
            np.float64,
            0.05,
            0.9,
            0.999,
            1e-8,
            lr_schedule="cosine",
            max_iter=max_iter,
        ),
        max_iter,
    )
    sgd = _torch_sgd(0.05)
    expected, _ = _torch_rates(
        torch.optim.lr_scheduler.CosineAnnealingLR(sgd, T_max=max_iter), sgd, max_iter
    )
    assert_allclose(ours, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("max_iter", [10, 31])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_onecycle_schedule_equals_torch(max_iter, solver):
    if solver == "sgd":
        ours = SGDOptimizer(
            4, np.float64, 0.1, "onecycle", 0.95, True, 0.5, max_iter=max_iter
        )
        torch_opt = _torch_sgd(0.1, momentum=0.95)
        name, key = "momentum", "momentum"
    else:
        ours = AdamOptimizer(
            4,
            np.float64,
            0.1,
            0.95,
            0.999,
            1e-8,
            lr_schedule="onecycle",
            max_iter=max_iter,
        )
        torch_opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1)
        name, key = "beta_1", "betas"
    rates, momenta = _our_rates(ours, max_iter, name)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        torch_opt,
        max_lr=0.1,
        total_steps=max_iter,
        pct_start=0.5,
        anneal_strategy="cos",
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
    )
    expected_rates, expected_momenta = _torch_rates(scheduler, torch_opt, max_iter, key)
    assert_allclose(rates, expected_rates, rtol=1e-10)
    assert_allclose(momenta, expected_momenta, rtol=1e-10)
    assert rates[-1] < 0.1 / 25 / 1000  # "down to far below the start"


def test_warmup_then_cosine_equals_torch_linear_then_cosine():
    max_iter, warmup = 15, 4
    ours, _ = _our_rates(
        AdamOptimizer(
            4,
            np.float64,
            0.02,
            0.9,
            0.999,
            1e-8,
            lr_schedule="cosine",
            max_iter=max_iter,
            warmup_epochs=warmup,
        ),
        max_iter,
    )
    sgd = _torch_sgd(0.02)
    linear = torch.optim.lr_scheduler.LinearLR(
        sgd, start_factor=1 / (warmup + 1), end_factor=1.0, total_iters=warmup
    )
    ramp, _ = _torch_rates(linear, sgd, warmup)
    sgd = _torch_sgd(0.02)
    cosine, _ = _torch_rates(
        torch.optim.lr_scheduler.CosineAnnealingLR(sgd, T_max=max_iter - warmup),
        sgd,
        max_iter - warmup,
    )
    assert_allclose(ours, np.concatenate([ramp, cosine]), rtol=1e-12)


def test_warmup_ramps_the_constant_rate():
    optimizer = BaseOptimizer(0.3, warmup_epochs=2)
    rates = []
    for _ in range(4):
        optimizer.epoch_starts()
        rates.append(optimizer.learning_rate * optimizer.warmup_factor)
    assert_allclose(rates, [0.1, 0.2, 0.3, 0.3])


TORCH_ACTIVATIONS = {
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.05),
    "elu": torch.nn.functional.elu,
    "gelu": lambda z: torch.nn.functional.gelu(z, approximate="none"),
    "silu": torch.nn.functional.silu,
    "mish": torch.nn.functional.mish,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(TORCH_ACTIVATIONS))
def test_activations_and_derivatives_equal_torch(name, dtype):
    rng = np.random.RandomState(0)
    Z = np.concatenate(
        [rng.normal(scale=3, size=(40, 5)), [[-30.0, -1e-3, 0.5, 1e-3, 30.0]]]
    ).astype(dtype)
    bias = rng.normal(size=5).astype(dtype)
    z = torch.tensor((Z + bias).astype(np.float64), requires_grad=True)
    reference = TORCH_ACTIVATIONS[name](z)
    reference.sum().backward()
    code = ACTIVATION_CODES[name]

    A = Z.copy()
    add_bias_and_activate(A, bias, code, 0.05)
    tol = (
        dict(rtol=2e-6, atol=1e-6)
        if dtype == np.float32
        else dict(rtol=1e-12, atol=1e-14)
    )
    assert_allclose(A, reference.detach().numpy(), **tol)

    D = np.ones_like(A)
    if code >= NEEDS_PRE_ACTIVATION:
        multiply_by_pre_derivative((Z + bias).astype(dtype), D, code)
    else:
        multiply_by_derivative(A, D, code, 0.05)
    tol = (
        dict(rtol=1e-5, atol=1e-6)
        if dtype == np.float32
        else dict(rtol=1e-10, atol=1e-12)
    )
    assert_allclose(D, z.grad.numpy(), **tol)


@pytest.mark.parametrize("epsilon", [0.1, 0.3])
def test_label_smoothing_loss_equals_torch_cross_entropy(digits_small, epsilon):
    X, y = digits_small
    clf = MLPClassifier(
        hidden_layer_sizes=(16,), max_iter=3, label_smoothing=epsilon, random_state=0
    )
    clf.fit(X[:300], y[:300], X_val=X[300:], y_val=y[300:])
    logits = torch.tensor(np.log(clf.predict_proba(X[300:])))
    target = torch.tensor(np.searchsorted(clf.classes_, y[300:]))
    expected = torch.nn.functional.cross_entropy(
        logits, target, label_smoothing=epsilon
    ).item()
    assert clf.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-9)
