"""Optimizers. Each holds (parameter, gradient) array pairs and updates the parameters in
place, so the layers' references stay valid; each owns its state (velocities, moments).
The learning rate can be changed between steps (``opt.lr = 0.05``).

Weight decay is an option of every optimizer (``weight_decay=λ``, ``decay="l2"`` or
``"l1"``), as in PyTorch's ``torch.optim``, rather than a term of the loss. Why: the model's
gradients stay the gradients of the data loss, so gradient checks, gradient norms and
every loss function work unchanged, and one switch regularises any model with any loss.
The step uses ``g + λ·W`` (L2, the gradient of the penalty ``λ/2·‖W‖²``) or
``g + λ·sign(W)`` (L1, the (sub)gradient of ``λ·‖W‖₁``), applied to weight matrices only
(arrays with 2 or more dimensions), never to bias vectors: biases shift a unit and do not
grow its sensitivity to the input (Goodfellow et al., *Deep Learning* §7.1). For Adam this
is the coupled L2 of ``torch.optim.Adam(weight_decay=λ)``, not AdamW. ``penalty()`` gives
the penalty's value; ``nnlib.train`` reports it apart from the data loss (``Record.penalty``).
"""

from __future__ import annotations

import numpy as np

from ._checks import check_choice, check_number


def _pairs(params) -> list[tuple[np.ndarray, np.ndarray]]:
    """A model's (parameter, gradient) pairs, or such pairs given directly."""
    if hasattr(params, "param_pairs"):
        pairs = params.param_pairs()
    elif isinstance(params, (list, tuple)):
        pairs = list(params)
    else:
        raise ValueError(f"params must be a model or a list of (parameter, gradient) array pairs, got {params!r}")
    if not pairs:
        raise ValueError("params must hold at least one (parameter, gradient) pair, got none")
    for i, pair in enumerate(pairs):
        ok = (isinstance(pair, (list, tuple)) and len(pair) == 2
              and all(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in pair)
              and pair[0].shape == pair[1].shape)
        if not ok:
            raise ValueError(f"params[{i}] must be a (parameter, gradient) pair of float arrays of one shape, "
                             f"got {pair!r:.80}")
    return pairs


DECAYS = ("l2", "l1")


class Optimizer:
    def __init__(self, params, lr: float, *, weight_decay: float = 0.0, decay: str = "l2"):
        self.pairs = _pairs(params)
        self.lr = lr
        self.steps = 0
        # built from a model: step() checks that the model still holds the very arrays it updates
        self._model = params if hasattr(params, "param_pairs") else None
        self._watch = self._watch_list() if self._model is not None else []
        self.weight_decay = weight_decay
        self.decay = decay
        self.decayed = [p.ndim >= 2 for p, _ in self.pairs]  # weight matrices, not bias vectors

    @property
    def weight_decay(self) -> float:
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._weight_decay = float(check_number("weight_decay", value, low=0))

    @property
    def decay(self) -> str:
        return self._decay

    @decay.setter
    def decay(self, value: str) -> None:
        self._decay = check_choice("decay", value, DECAYS)

    def penalty(self) -> float:
        """The weight-decay penalty at the current weights: λ/2·Σ‖W‖² (L2) or λ·Σ|W| (L1),
        summed over the weight matrices; 0.0 without weight decay."""
        if not self.weight_decay:
            return 0.0
        weights = [p for (p, _), d in zip(self.pairs, self.decayed, strict=True) if d]
        if self.decay == "l2":
            return 0.5 * self.weight_decay * float(sum(np.sum(np.square(w, dtype=np.float64)) for w in weights))
        return self.weight_decay * float(sum(np.sum(np.abs(w), dtype=np.float64) for w in weights))

    def penalty_grad(self, i: int) -> np.ndarray | None:
        """d penalty / d parameter ``i`` (None where nothing decays)."""
        if not self.weight_decay or not self.decayed[i]:
            return None
        p = self.pairs[i][0]
        return self.weight_decay * (p if self.decay == "l2" else np.sign(p))

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = float(check_number("lr", value, low=0, low_open=True))

    def step(self) -> None:
        """Update every parameter in place from its gradient.

        Raises ``ValueError`` when the optimizer was built from a model whose parameter or
        gradient arrays have since been replaced (``layer.W = new_array``): the update would
        go to the old arrays and silently train nothing."""
        if self._model is not None:
            self._check_model()
        self.steps += 1
        for i, (p, g) in enumerate(self.pairs):
            extra = self.penalty_grad(i)
            self._update(i, p, g if extra is None else g + extra)  # the layers' gradients stay the loss's

    def _watch_list(self) -> list:
        """(layer, attribute, parameter, gradient) for each pair, when the layers keep their arrays
        as attributes ``W``/``dW``: ``step`` then checks identity with a few attribute lookups."""
        watch = [(layer, key, p, g) for layer in self._model.layers
                 for (key, p), g in zip(layer.params().items(), layer.grads().values(), strict=True)]
        same = len(watch) == len(self.pairs) and all(
            getattr(layer, key, None) is p and getattr(layer, "d" + key, None) is g and p is pair[0] and g is pair[1]
            for (layer, key, p, g), pair in zip(watch, self.pairs, strict=True))
        return watch if same else []  # otherwise: check by name, building the model's dicts

    def _check_model(self) -> None:
        if self._watch and all(getattr(layer, key) is p and getattr(layer, "d" + key) is g
                               for layer, key, p, g in self._watch) and len(self._watch) == len(self.pairs):
            return  # the fast path: a few attribute lookups per step
        params, grads = self._model.params(), self._model.grads()
        for (name, p), (p_old, g_old) in zip(params.items(), self.pairs, strict=False):
            if p is not p_old or grads[name] is not g_old:
                what = "parameter" if p is not p_old else "gradient"
                raise ValueError(
                    f"the model's {what} {name!r} is no longer the array this optimizer updates: it was replaced "
                    f"(e.g. layer.W = new_array) after {type(self).__name__}(model, ...) was built, so step() would "
                    "train nothing. Assign in place (layer.W[...] = new_array), or build the optimizer again from "
                    "the model."
                )
        if len(params) != len(self.pairs):
            raise ValueError(f"the model now has {len(params)} parameter arrays, but this optimizer was built for "
                             f"{len(self.pairs)}: build the optimizer again from the model")

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def _decay_repr(self) -> str:
        return f", weight_decay={self.weight_decay:g}, decay={self.decay!r}" if self.weight_decay else ""


class SGD(Optimizer):
    """p -= lr * g; with ``momentum`` m: v = m v + g, p -= lr * v (PyTorch's form)."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, *, weight_decay: float = 0.0,
                 decay: str = "l2"):
        super().__init__(params, lr, weight_decay=weight_decay, decay=decay)
        self.momentum = float(check_number("momentum", momentum, low=0, high=0.9999))
        self.velocity = [np.zeros_like(p) for p, _ in self.pairs] if self.momentum else None

    def _update(self, i, p, g):
        if self.velocity is None:
            p -= self.lr * g
            return
        v = self.velocity[i]
        v *= self.momentum
        v += g
        p -= self.lr * v

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g}{self._decay_repr()})"


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias-corrected first and second moments."""

    def __init__(self, params, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, *, weight_decay: float = 0.0, decay: str = "l2"):
        super().__init__(params, lr, weight_decay=weight_decay, decay=decay)
        self.beta1 = float(check_number("beta1", beta1, low=0, high=0.9999))
        self.beta2 = float(check_number("beta2", beta2, low=0, high=0.99999))
        self.eps = float(check_number("eps", eps, low=0, low_open=True))
        self.m = [np.zeros_like(p) for p, _ in self.pairs]
        self.v = [np.zeros_like(p) for p, _ in self.pairs]

    def _update(self, i, p, g):
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * np.square(g)
        m_hat = m / (1 - self.beta1**self.steps)
        v_hat = v / (1 - self.beta2**self.steps)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}{self._decay_repr()})"


OPTIMIZERS = {"sgd": SGD, "momentum": SGD, "adam": Adam}


def make_optimizer(name: str, params, lr: float, *, weight_decay: float = 0.0, decay: str = "l2") -> Optimizer:
    """``"sgd"``, ``"momentum"`` (SGD with momentum 0.9) or ``"adam"``, with optional weight decay."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    if name == "momentum":
        return SGD(params, lr, momentum=0.9, weight_decay=weight_decay, decay=decay)
    return OPTIMIZERS[name](params, lr, weight_decay=weight_decay, decay=decay)
