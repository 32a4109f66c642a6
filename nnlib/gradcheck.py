"""Gradient checking: compare back-propagated gradients with central differences

    df/dθ ≈ (f(θ + ε) - f(θ - ε)) / 2ε

and report the largest relative error |a - n| / max(|a|, |n|, floor). In float64 a
correct gradient gives errors around 1e-7 or below; a bug gives errors near 1.

The floor follows the size of the function: a central difference of a scalar of size |L|
carries rounding noise of about ε_machine·|L| / 2ε (≈ 1e-10·|L| for ε = 1e-6), so a
much smaller gradient cannot be checked in relative terms. Entries below ``noise_floor``
(≈ 1e-3·|L|) are compared in absolute terms instead, to ≈ 1e-9·|L| — otherwise a correct
but vanishing gradient (the early layers of a deep sigmoid net) would look wrong.
"""

from __future__ import annotations

import copy

import numpy as np

from ._checks import RandomSource, as_rng
from .io import copy_layer, copy_model
from .layers import Dropout, Layer
from .losses import Loss
from .model import Sequential


def rel_error(analytic, numeric, floor: float = 1e-8) -> float:
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    return float(np.max(np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), floor), initial=0.0))


def noise_floor(scale: float, eps: float = 1e-6) -> float:
    """The ``floor`` of ``rel_error`` for central differences of a function of size ``scale``:
    10^7 times their rounding noise, so a correct gradient scores about 1e-7 or less at any size."""
    return max(1e-8, 1e7 * np.finfo(np.float64).eps * abs(float(scale)) / (2 * eps))


def numerical_grad(f, arr: np.ndarray, indices=None, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` w.r.t. ``arr`` at flat ``indices`` (all
    by default), perturbing ``arr`` in place and restoring it."""
    flat = arr.reshape(-1)  # a view: perturbing it perturbs arr
    indices = np.arange(flat.size) if indices is None else np.asarray(indices)
    out = np.empty(len(indices))
    for j, i in enumerate(indices):
        old = flat[i]
        flat[i] = old + eps
        fp = f()
        flat[i] = old - eps
        fm = f()
        flat[i] = old
        out[j] = (fp - fm) / (2 * eps)
    return out


def _sample(size: int, n_samples: int | None, rng):
    if n_samples is None or n_samples >= size:
        return np.arange(size)
    return rng.choice(size, n_samples, replace=False)


def check_layer(layer: Layer, x: np.ndarray, rng: RandomSource = 0, eps: float = 1e-6) -> float:
    """Max relative error of ``layer``'s input and parameter gradients, through the scalar
    L = sum(layer(x) * R) with a fixed random R. A float32 layer is checked as a float64 copy
    (float32 rounding would swamp the differences)."""
    r = as_rng(rng)
    if np.dtype(getattr(layer, "dtype", np.float64)) != np.float64:
        layer = copy_layer(layer, np.float64)
    x = np.array(x, dtype=np.float64)
    out = layer.forward(x)
    weights = r.standard_normal(out.shape)
    dx = layer.backward(weights)
    analytic = {k: g.copy() for k, g in layer.grads().items()}
    floor = noise_floor(np.sum(np.abs(out * weights)), eps)  # the terms' size, not their sum's
    thaw = isinstance(layer, Dropout) and not layer.frozen
    if thaw:
        layer.freeze()  # differentiate the function backprop saw: the same mask on every pass

    def f():
        return float(np.sum(layer.forward(x, train=False) * weights))

    try:
        errors = [rel_error(dx, numerical_grad(f, x, eps=eps).reshape(x.shape), floor)]
        for k, p in layer.params().items():
            errors.append(rel_error(analytic[k], numerical_grad(f, p, eps=eps).reshape(p.shape), floor))
    finally:
        if thaw:
            layer.unfreeze()
    return max(errors)


def check_loss(loss: Loss, pred: np.ndarray, target: np.ndarray, eps: float = 1e-6) -> float:
    """Max relative error of ``loss.backward()`` against central differences in ``pred``."""
    pred = np.array(pred, dtype=np.float64)
    value = loss.forward(pred, target)
    analytic = loss.backward()
    numeric = numerical_grad(lambda: loss.value(pred, target), pred, eps=eps).reshape(pred.shape)
    return rel_error(analytic, numeric, noise_floor(value, eps))


def check_model_detail(model: Sequential, loss: Loss, x, y, n_samples: int | None = None,
                       rng: RandomSource = 0, eps: float = 1e-6, transform=None) -> list[dict]:
    """One row per checked weight: parameter name, flat index, back-propagated and numerical
    gradient and their relative error. Works on a float64 copy of ``model`` (the model
    itself is untouched); ``n_samples`` weights per parameter array (all when None). Dropout
    layers draw one mask and keep it for the finite differences."""
    r = as_rng(rng)
    if not model.params():
        raise ValueError(f"model has no parameters to check: {model!r}")
    # A float64 model is deep-copied, so subclasses (say, a layer with a hand-written backward
    # under test) are checked as they are; a float32 one is rebuilt in float64 from its config.
    m = copy.deepcopy(model) if model.dtype == np.float64 else copy_model(model, np.float64)
    x = np.asarray(x if transform is None else transform(np.asarray(x)), dtype=np.float64)
    floor = noise_floor(loss.forward(m.forward(x), y), eps)
    m.backward_loss(loss)
    for layer in m.layers:  # the copy's dropout layers keep this pass's masks for the differences
        if isinstance(layer, Dropout):
            layer.freeze()
    grads = {k: g.copy() for k, g in m.grads().items()}

    def f():
        return loss.value(m.forward(x, train=False), y)

    rows = []
    for name, p in m.params().items():
        idx = _sample(p.size, n_samples, r)
        numeric = numerical_grad(f, p, idx, eps)
        for i, num in zip(idx, numeric, strict=True):
            a = grads[name].reshape(-1)[i]
            rows.append({"param": name, "index": int(i), "backprop": float(a), "numerical": float(num),
                         "rel_error": rel_error(a, num, floor)})
    return rows


def check_model(model: Sequential, loss: Loss, x, y, n_samples: int | None = None,
                rng: RandomSource = 0, eps: float = 1e-6, transform=None) -> float:
    """Max relative error over the checked weights (see ``check_model_detail``)."""
    rows = check_model_detail(model, loss, x, y, n_samples, rng, eps, transform)
    return max(row["rel_error"] for row in rows)
