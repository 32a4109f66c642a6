"""Activation functions: parameter-free layers, each with its plain function and derivative.

``f(z)`` and ``df(z)`` are static methods so a page can plot a function and its slope
without building a layer. Backward passes use the cached *output* where the derivative
can be written from it (σ' = σ(1-σ), tanh' = 1 - tanh²), as scikit-learn does.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import check_number
from .layers import Layer


def sigmoid(z: ArrayLike) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)), computed without overflow for large |z|: with e = e^(-|z|) ≤ 1,
    σ = 1 / (1 + e) for z ≥ 0 and e / (1 + e) for z < 0. The numerator, 1 or e, is picked as
    max(e, [z ≥ 0]): the same numbers as ``np.where``, without its cost on mixed signs."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    out = np.maximum(e, z >= 0)
    e += 1.0  # in place: one less large temporary (freeing it made glibc hand the memory back
    out /= e  # to the OS and page-fault it in again on every call: post 000 ran 2x slower)
    return out.astype(np.result_type(z, np.float32), copy=False)


def softmax(z: ArrayLike, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """exp(z / T) / sum(exp(z / T)) along ``axis``, for temperature T > 0 (default 1).

    Shifted by the max *before* scaling, exp((z - max z) / T), so it never overflows: dividing
    first, ``softmax(z / T)``, turns large finite logits (1e308 / 0.5) into inf and the
    result into NaN. Raises ``ValueError`` for a temperature that is not a finite number > 0."""
    z = np.asarray(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    if temperature != 1.0:
        with np.errstate(over="ignore"):  # a shifted logit below -1.8e308 is -inf: its exp is 0
            shifted = shifted / check_number("temperature", temperature, low=0, low_open=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


class Activation(Layer):
    """A layer ``a = f(z)`` applied element-wise (softmax: row-wise)."""

    CACHES = ("_in", "_out")

    def __init__(self):
        self._out = None
        self._in = None

    @staticmethod
    def f(z: ArrayLike) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def df(z: ArrayLike) -> np.ndarray:
        """Derivative f'(z), element-wise (for plots and for the lessons' formulas)."""
        raise NotImplementedError

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        x = np.asarray(x)
        out = self.f(x)
        if train:
            self._in, self._out = x, out
        return out

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray:
        self._cached_output(grad)
        return grad * self._local_grad()

    def _cached_output(self, grad: np.ndarray) -> np.ndarray:
        """The output of the last training forward, checked against ``grad``'s shape (an
        element-wise product would silently broadcast a wrong one)."""
        out = self._need_cache(self._out)
        if np.shape(grad) != out.shape:
            raise ValueError(f"grad must have shape {out.shape}, got {np.shape(grad)}")
        return out

    def _local_grad(self):
        return self.df(self._in)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    @staticmethod
    def f(z: ArrayLike) -> np.ndarray:
        return np.asarray(z)

    @staticmethod
    def df(z: ArrayLike) -> np.ndarray:
        z = np.asarray(z)
        return np.ones(z.shape, np.result_type(z, np.float32))

    def backward(self, grad, need_input_grad=True):
        self._cached_output(grad)
        return grad


class Sigmoid(Activation):
    f = staticmethod(sigmoid)

    @staticmethod
    def df(z: ArrayLike) -> np.ndarray:
        s = sigmoid(z)
        return s * (1 - s)

    def _local_grad(self):
        return self._out * (1 - self._out)


class Tanh(Activation):
    f = staticmethod(np.tanh)

    @staticmethod
    def df(z: ArrayLike) -> np.ndarray:
        return 1 - np.tanh(z) ** 2

    def _local_grad(self):
        return 1 - self._out**2


class ReLU(Activation):
    @staticmethod
    def f(z: ArrayLike) -> np.ndarray:
        return np.maximum(z, 0)

    @staticmethod
    def df(z: ArrayLike) -> np.ndarray:
        return (np.asarray(z) > 0).astype(np.result_type(z, np.float32))

    def backward(self, grad, need_input_grad=True):
        out = self._cached_output(grad)
        # grad · [out > 0]; multiplying in grad's dtype is twice as fast as by a bool array
        return np.multiply(grad, out > 0, dtype=grad.dtype)


class LeakyReLU(Activation):
    def __init__(self, alpha: float = 0.01):
        super().__init__()
        self.alpha = float(check_number("alpha", alpha, low=0, high=1))

    # With 0 <= alpha <= 1, max(z, alpha z) is z for z > 0 and alpha z otherwise, and the
    # slope max([z > 0], alpha) is 1 or alpha: the same numbers as np.where, several times faster.
    def f(self, z: ArrayLike) -> np.ndarray:  # alpha makes these methods, not static
        return np.maximum(z, self.alpha * z)

    def df(self, z: ArrayLike) -> np.ndarray:
        z = np.asarray(z)
        return np.maximum(z > 0, self.alpha, dtype=np.result_type(z, np.float32))

    def _local_grad(self):
        return np.maximum(self._in > 0, self.alpha, dtype=self._in.dtype)

    def config(self) -> dict:
        return {"type": "LeakyReLU", "alpha": self.alpha}

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Softmax(Activation):
    """Row-wise softmax. Its backward is the true Jacobian-vector product

    dL/dz = s * (g - sum(g * s, axis=1)),  i.e. J^T g with J = diag(s) - s s^T,

    not the diagonal-only shortcut s(1-s) some tutorials use (see ``nnlib.legacy``).
    Followed by ``CrossEntropy`` the two fuse into (s - y) / n (see ``nnlib.losses``).
    """

    f = staticmethod(softmax)

    @staticmethod
    def df(z: ArrayLike) -> np.ndarray:
        """Diagonal of the Jacobian, s(1-s): what a plot of one output vs its own input shows."""
        s = softmax(z)
        return s * (1 - s)

    @staticmethod
    def jacobian(z: ArrayLike, temperature: float = 1.0) -> np.ndarray:
        """Full Jacobian ds_i/du_j = s_i (δ_ij - s_j) of one logit vector, with s = softmax(u) and
        u = z / T the scaled logits (for the lessons; T = 1: the Jacobian with respect to z).
        Computed from the shifted logits, so large finite z never gives NaN."""
        s = softmax(np.asarray(z, dtype=float).ravel(), temperature=temperature)
        return np.diag(s) - np.outer(s, s)

    def backward(self, grad, need_input_grad=True):
        s = self._cached_output(grad)
        return s * (grad - np.sum(grad * s, axis=-1, keepdims=True))


ACTIVATIONS = {
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
}


def get_activation(name: str) -> Activation:
    """A new activation layer by name: identity, sigmoid, tanh, relu, leaky_relu, softmax."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()
