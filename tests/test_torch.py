"""nnlib against PyTorch (float64): every parameter's gradient, and SGD / momentum / Adam steps.

Skipped when PyTorch is not installed (``pip install torch==2.13.0``; tests only, never the app).
"""

from __future__ import annotations

import numpy as np
import pytest

import nnlib as nn
from nnlib.data import one_hot

torch = pytest.importorskip("torch")

N, D_IN = 16, 5


def _pair(k, head=None, seed=0):
    """The same MLP in nnlib and in PyTorch: Dense/ReLU, Dense/Tanh, Dense/Sigmoid, Dense(k) (+ head)."""
    rng = np.random.default_rng(seed)
    widths, acts = [D_IN, 8, 6, 6, k], [nn.ReLU, nn.Tanh, nn.Sigmoid, None]
    t_acts = [torch.nn.ReLU, torch.nn.Tanh, torch.nn.Sigmoid, None]
    layers, t_layers = [], []
    for (a, b), act, t_act in zip(zip(widths, widths[1:], strict=False), acts, t_acts, strict=True):
        dense = nn.Dense(a, b, init="xavier", rng=rng)
        dense.b[:] = rng.standard_normal(b) * 0.1
        linear = torch.nn.Linear(a, b).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(dense.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(dense.b.copy()))
        layers.append(dense)
        t_layers.append(linear)
        if act is not None:
            layers.append(act())
            t_layers.append(t_act())
    if head == "sigmoid":
        layers.append(nn.Sigmoid())
        t_layers.append(torch.nn.Sigmoid())
    elif head == "softmax":
        layers.append(nn.Softmax())
        t_layers.append(torch.nn.Softmax(dim=1))
    return nn.Sequential(*layers), torch.nn.Sequential(*t_layers)


def _torch_grads(t_model):
    """Torch's gradients in nnlib's naming and layout ("<layer index>.W" is weight.T)."""
    out = {}
    for i, module in enumerate(t_model):
        if isinstance(module, torch.nn.Linear):
            out[f"{i}.W"] = module.weight.grad.numpy().T
            out[f"{i}.b"] = module.bias.grad.numpy()
    return out


def _torch_params(t_model):
    out = {}
    for i, module in enumerate(t_model):
        if isinstance(module, torch.nn.Linear):
            out[f"{i}.W"] = module.weight.detach().numpy().T
            out[f"{i}.b"] = module.bias.detach().numpy()
    return out


def _assert_close(ours: dict, theirs: dict, tol=1e-6):
    assert set(ours) == set(theirs)
    for key, value in ours.items():
        np.testing.assert_allclose(value, theirs[key], rtol=tol, atol=1e-12, err_msg=key)


def _data(seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, D_IN)), rng


CASES = ["softmax-CE on logits, labels", "softmax-CE on logits, one-hot", "Softmax + CrossEntropy (fused)",
         "Sigmoid + BCE", "MSE"]


def _nll_of_probs(p, t):  # torch has no cross-entropy on probabilities: the NLL of their log
    return torch.nn.functional.nll_loss(torch.log(p), t)


def _loss_pair(name, seed=1):
    """x, nnlib targets, torch targets, the two models, nnlib's loss and torch's."""
    x, rng = _data(seed)
    labels = rng.integers(0, 4, N)
    if name == "softmax-CE on logits, labels":
        return (x, labels, torch.from_numpy(labels), *_pair(4), nn.SoftmaxCrossEntropy(),
                torch.nn.CrossEntropyLoss())
    if name == "softmax-CE on logits, one-hot":  # torch's CrossEntropyLoss takes class probabilities too
        y = one_hot(labels, 4)
        return x, y, torch.from_numpy(y), *_pair(4), nn.SoftmaxCrossEntropy(), torch.nn.CrossEntropyLoss()
    if name == "Softmax + CrossEntropy (fused)":
        return x, labels, torch.from_numpy(labels), *_pair(4, "softmax"), nn.CrossEntropy(), _nll_of_probs
    if name == "Sigmoid + BCE":
        y = labels % 2
        return (x, y, torch.from_numpy(y[:, None].astype(np.float64)), *_pair(1, "sigmoid"),
                nn.BinaryCrossEntropy(), torch.nn.BCELoss())
    y = rng.standard_normal((N, 3))
    return x, y, torch.from_numpy(y), *_pair(3), nn.MSE(), torch.nn.MSELoss()


@pytest.mark.parametrize("name", CASES)
def test_loss_and_every_gradient_match_pytorch(name):
    x, y, ty, model, t_model, loss, t_loss = _loss_pair(name)
    value = loss.forward(model.forward(x), y)
    model.backward_loss(loss)
    t_value = t_loss(t_model(torch.from_numpy(x)), ty)
    t_value.backward()
    assert value == pytest.approx(t_value.item(), rel=1e-12)
    _assert_close(model.grads(), _torch_grads(t_model))


@pytest.mark.parametrize(("make", "t_make"), [
    (lambda m: nn.SGD(m, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda m: nn.SGD(m, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (lambda m: nn.Adam(m, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
], ids=["SGD", "momentum", "Adam"])
def test_optimizer_steps_match_pytorch(make, t_make):
    x, y, ty, model, t_model, loss, t_loss = _loss_pair("softmax-CE on logits, labels")
    opt, t_opt = make(model), t_make(t_model.parameters())
    for _ in range(3):  # three steps, so momentum and Adam's moments are exercised
        loss.forward(model.forward(x), y)
        model.backward_loss(loss)
        opt.step()
        t_opt.zero_grad()
        t_loss(t_model(torch.from_numpy(x)), ty).backward()
        t_opt.step()
        _assert_close(model.params(), _torch_params(t_model))


def test_a_short_training_run_matches_pytorch():
    """Five epochs of mini-batch SGD through nnlib.train, replayed in PyTorch batch by batch."""
    x, y, ty, model, t_model, loss, t_loss = _loss_pair("Sigmoid + BCE")
    rs = np.random.RandomState(0)
    records = list(nn.train(model, loss, nn.SGD(model, lr=0.5), x, y, epochs=5, batch_size=5, rng=rs))
    t_opt = torch.optim.SGD(t_model.parameters(), lr=0.5)
    replay, order, t_losses = np.random.RandomState(0), np.arange(N), []
    for _ in range(5):
        replay.shuffle(order)
        total = 0.0
        for i in range(0, N, 5):
            idx = torch.from_numpy(order[i:i + 5].copy())
            t_opt.zero_grad()
            value = t_loss(t_model(torch.from_numpy(x)[idx]), ty[idx])
            value.backward()
            t_opt.step()
            total += value.item() * len(idx)
        t_losses.append(total / N)
    np.testing.assert_allclose([r.loss for r in records], t_losses, rtol=1e-10)
    _assert_close(model.params(), _torch_params(t_model), tol=1e-9)
