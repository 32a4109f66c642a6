"""The 2-D playground's nnlib pieces against PyTorch (float64): dropout with a fixed mask,
weight decay against torch.optim's ``weight_decay`` (L1 against autograd of the penalty),
and learning-rate schedules against torch.optim.lr_scheduler, step by step.

Skipped when PyTorch is not installed (``pip install torch==2.13.0``; tests only)."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib as nn
from nnlib import schedules as S

torch = pytest.importorskip("torch")


def _pair(seed=0, dropout=None):
    """Dense(4,6)/Tanh[/Dropout]/Dense(6,3) in nnlib and in torch with the same weights."""
    rng = np.random.default_rng(seed)
    d1, d2 = nn.Dense(4, 6, rng=rng), nn.Dense(6, 3, rng=rng)
    for d in (d1, d2):
        d.b[:] = rng.standard_normal(d.b.shape) * 0.1
    lin = []
    for d in (d1, d2):
        m = torch.nn.Linear(d.in_features, d.out_features).double()
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(d.W.T.copy()))
            m.bias.copy_(torch.from_numpy(d.b.copy()))
        lin.append(m)
    mid = [nn.Dropout(dropout)] if dropout else []
    t_mid = [torch.nn.Dropout(dropout)] if dropout else []
    model = nn.Sequential(d1, nn.Tanh(), *mid, d2)
    t_model = torch.nn.Sequential(lin[0], torch.nn.Tanh(), *t_mid, lin[1])
    return model, t_model


def _params(t_model):
    out = {}
    for i, m in enumerate(t_model):
        if isinstance(m, torch.nn.Linear):
            out[f"{i}.W"] = m.weight.detach().numpy().T
            out[f"{i}.b"] = m.bias.detach().numpy()
    return out


def _grads(t_model):
    out = {}
    for i, m in enumerate(t_model):
        if isinstance(m, torch.nn.Linear):
            out[f"{i}.W"] = m.weight.grad.numpy().T
            out[f"{i}.b"] = m.bias.grad.numpy()
    return out


def _close(ours, theirs, tol=1e-9):
    assert set(ours) == set(theirs)
    for k, v in ours.items():
        np.testing.assert_allclose(v, theirs[k], rtol=tol, atol=1e-12, err_msg=k)


def _data(seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((10, 4)), rng.integers(0, 3, 10)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_with_torchs_mask_gives_torchs_output_and_gradients(p):
    model, t_model = _pair(dropout=p)
    x, y = _data()
    t_model.train()
    seen = {}
    t_model[2].register_forward_hook(lambda m, inp, out: seen.update(inp=inp[0].detach(), out=out.detach()))
    torch.manual_seed(0)
    t_value = torch.nn.functional.cross_entropy(t_model(torch.from_numpy(x)), torch.from_numpy(y))
    t_value.backward()
    keep = (seen["out"] != 0).numpy()  # tanh outputs are never exactly 0: a zero is a dropped entry
    assert 0 < keep.mean() < 1
    np.testing.assert_allclose(seen["out"].numpy()[keep] / seen["inp"].numpy()[keep], 1 / (1 - p))
    model.layers[2].set_mask(keep)
    loss = nn.SoftmaxCrossEntropy()
    value = loss.forward(model.forward(x), y)
    model.backward_loss(loss)
    assert value == pytest.approx(t_value.item(), rel=1e-12)
    _close(model.grads(), _grads(t_model))
    t_model.eval()  # and both are the identity when evaluating
    model.layers[2].unfreeze()
    np.testing.assert_allclose(model.predict(x), t_model(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(("make", "t_make"), [
    (lambda m: nn.SGD(m, lr=0.1, weight_decay=0.05), lambda g: torch.optim.SGD(g, lr=0.1)),
    (lambda m: nn.SGD(m, lr=0.1, momentum=0.9, weight_decay=0.05), lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9)),
    (lambda m: nn.Adam(m, lr=0.01, weight_decay=0.05), lambda g: torch.optim.Adam(g, lr=0.01)),
], ids=["SGD", "momentum", "Adam"])
def test_l2_weight_decay_matches_torch_optim_weight_decay_on_the_weights(make, t_make):
    model, t_model = _pair()
    x, y = _data()
    weights = [m.weight for m in t_model if isinstance(m, torch.nn.Linear)]
    biases = [m.bias for m in t_model if isinstance(m, torch.nn.Linear)]
    opt = make(model)
    t_opt = t_make([{"params": weights, "weight_decay": 0.05}, {"params": biases, "weight_decay": 0.0}])
    loss = nn.SoftmaxCrossEntropy()
    for _ in range(4):
        loss.forward(model.forward(x), y)
        model.backward_loss(loss)
        opt.step()
        t_opt.zero_grad()
        torch.nn.functional.cross_entropy(t_model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        t_opt.step()
        _close(model.params(), _params(t_model))
    t_penalty = 0.5 * 0.05 * sum(float((w.detach() ** 2).sum()) for w in weights)
    assert opt.penalty() == pytest.approx(t_penalty, rel=1e-12)


def test_l1_weight_decay_matches_torch_autograd_of_the_l1_penalty():
    model, t_model = _pair()
    x, y = _data()
    opt = nn.SGD(model, lr=0.1, weight_decay=0.02, decay="l1")
    t_opt = torch.optim.SGD(t_model.parameters(), lr=0.1)
    weights = [m.weight for m in t_model if isinstance(m, torch.nn.Linear)]
    loss = nn.SoftmaxCrossEntropy()
    for _ in range(4):
        loss.forward(model.forward(x), y)
        model.backward_loss(loss)
        opt.step()
        t_opt.zero_grad()
        penalty = 0.02 * sum(w.abs().sum() for w in weights)
        (torch.nn.functional.cross_entropy(t_model(torch.from_numpy(x)), torch.from_numpy(y)) + penalty).backward()
        t_opt.step()
        _close(model.params(), _params(t_model))
    assert opt.penalty() == pytest.approx(0.02 * sum(float(w.detach().abs().sum()) for w in weights), rel=1e-12)


def _torch_rates(make, steps):
    """The rate torch's scheduler gives each of ``steps`` optimizer steps (lr at step t, then scheduler.step())."""
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=0.1)
    sched = make(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


LR = torch.optim.lr_scheduler


@pytest.mark.parametrize(("ours", "theirs"), [
    (S.Constant(0.1), lambda o: LR.ConstantLR(o, factor=1.0)),
    (S.StepDecay(0.1, 7, 0.5), lambda o: LR.StepLR(o, step_size=7, gamma=0.5)),
    (S.Exponential(0.1, 0.95), lambda o: LR.ExponentialLR(o, gamma=0.95)),
    (S.Cosine(0.1, 40, 0.001), lambda o: LR.CosineAnnealingLR(o, T_max=40, eta_min=0.001)),
    (S.Warmup(S.Constant(0.1), 10, 0.2), lambda o: LR.LinearLR(o, start_factor=0.2, total_iters=10)),
    (S.Warmup(S.Cosine(0.1, 30, 0.0), 10, 0.1),
     lambda o: LR.SequentialLR(o, [LR.LinearLR(o, start_factor=0.1, total_iters=10),
                                   LR.CosineAnnealingLR(o, T_max=30)], milestones=[10])),
], ids=["constant", "step", "exponential", "cosine", "warm-up", "warm-up+cosine"])
def test_schedules_match_torch_lr_scheduler_step_by_step(ours, theirs):
    steps = 41 if not isinstance(ours, S.Warmup) or isinstance(ours.then, S.Constant) else 40
    np.testing.assert_allclose([ours(t) for t in range(steps)], _torch_rates(theirs, steps), rtol=1e-12, atol=1e-15)
