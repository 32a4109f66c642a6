"""The layer interface and the one layer with weights, ``Dense``.

Every layer caches what its backward pass needs during ``forward``; ``backward`` fills
the layer's gradient arrays *in place* and returns dL/dx. Layers never update their own
weights: that is the optimizer's job (see ``nnlib.optim``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from ._checks import RandomSource, as_rng, check_choice, check_float_dtype, check_number, check_positive_int

INITS = ("normal", "he", "xavier", "zeros")


class Layer:
    """Base class: a differentiable function of one 2-D array (rows are samples)."""

    CACHES: tuple[str, ...] = ()  # attributes holding what forward kept for backward

    def clear_cache(self) -> None:
        """Drop what the last training ``forward`` kept for ``backward`` (e.g. Dense's input batch,
        512 × 784 float64 = 3.2 MB for MNIST), so an idle model holds only its weights and gradients.
        ``backward`` then raises RuntimeError until the next ``forward``."""
        for name in self.CACHES:
            setattr(self, name, None)

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def params(self) -> dict[str, np.ndarray]:
        """Trainable arrays by name (the optimizer updates these in place)."""
        return {}

    def grads(self) -> dict[str, np.ndarray]:
        """Gradients of the last backward pass; same keys and shapes as ``params()``."""
        return {}

    def config(self) -> dict:
        """What ``nnlib.io`` needs to rebuild the layer (JSON-serialisable)."""
        return {"type": type(self).__name__}

    def _need_cache(self, cache, what: str = "forward"):
        if cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before {what}: run forward(x) "
                "(with train=True) on the same layer first"
            )
        return cache


class Dense(Layer):
    """Fully connected layer: ``y = x @ W + b`` with ``W`` of shape (in_features, out_features).

    init:
      - ``"normal"``: ``W = randn * scale`` (``scale`` defaults to 1; the posts use 1, 0.1, 0.01)
      - ``"he"``: N(0, 2 / in_features) — for ReLU layers
      - ``"xavier"``: N(0, 2 / (in_features + out_features)) — Glorot, for sigmoid/tanh
      - ``"zeros"``: all zeros (only sensible for a single layer)
    Biases start at zero. ``rng`` is a seed, a ``np.random.Generator`` or a legacy
    ``np.random.RandomState`` (``RandomState(0)`` replays ``np.random.seed(0)``).
    """

    CACHES = ("_x",)

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        bias: bool = True,
        init: str = "xavier",
        scale: float | None = None,
        rng: RandomSource = None,
        dtype: DTypeLike = np.float64,
    ):
        self.in_features = check_positive_int("in_features", in_features)
        self.out_features = check_positive_int("out_features", out_features)
        self.init = check_choice("init", init, INITS)
        if scale is not None:
            check_number("scale", scale, low=0, low_open=True)
            if init != "normal":
                raise ValueError(f"scale applies to init='normal' only, got scale={scale!r} with init={init!r}")
        self.scale = scale
        self.dtype = check_float_dtype(dtype)
        std = {
            "normal": 1.0 if scale is None else scale,
            "he": np.sqrt(2.0 / in_features),
            "xavier": np.sqrt(2.0 / (in_features + out_features)),
            "zeros": 0.0,
        }[init]
        shape = (self.in_features, self.out_features)
        if init == "zeros":
            w = np.zeros(shape)
        else:
            w = as_rng(rng).standard_normal(shape) * std
        self.W = w.astype(self.dtype, copy=False)
        self.b = np.zeros(self.out_features, self.dtype) if bias else None
        self.dW = np.zeros_like(self.W)
        self.db = None if self.b is None else np.zeros_like(self.b)
        self._x = None

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"x must have shape (n, {self.in_features}) for {self!r}, got {np.shape(x)}"
            )
        x = x.astype(self.dtype, copy=False)
        out = x @ self.W
        if self.b is not None:
            out += self.b
        if train:
            self._x = x
        return out

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        x = self._need_cache(self._x)
        if grad.shape != (x.shape[0], self.out_features):
            raise ValueError(f"grad must have shape {(x.shape[0], self.out_features)}, got {grad.shape}")
        np.matmul(x.T, grad, out=self.dW)
        if self.b is not None:
            np.sum(grad, axis=0, out=self.db)
        return grad @ self.W.T if need_input_grad else None

    def params(self) -> dict[str, np.ndarray]:
        return {"W": self.W} if self.b is None else {"W": self.W, "b": self.b}

    def grads(self) -> dict[str, np.ndarray]:
        return {"W": self.dW} if self.b is None else {"W": self.dW, "b": self.db}

    def config(self) -> dict:
        return {
            "type": "Dense",
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.b is not None,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        extra = "" if self.b is not None else ", bias=False"
        return f"Dense({self.in_features}, {self.out_features}{extra})"


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014; the form of PyTorch's ``nn.Dropout``).

    ``forward(x, train=True)`` keeps each entry with probability ``1 - rate`` and scales the
    kept ones by ``1 / (1 - rate)``, so the expected output equals ``x`` and evaluation needs
    no rescaling: ``forward(x, train=False)`` (and so ``Sequential.predict``) is the identity.
    A new keep-mask (float array of 0s and 1/(1-rate), shape of ``x``) is drawn from ``rng``
    on every training pass; ``backward`` multiplies by the same mask.

    ``freeze()`` keeps the last mask for every later pass, training or not (a gradient check
    compares the same function on both sides); ``set_mask(keep)`` imposes a boolean keep-mask
    (to compare with another library's draw). ``rate`` is in [0, 1); ``rng`` a seed or
    ``np.random.Generator``. Raises ``ValueError`` for a bad rate or a mask of the wrong shape.
    """

    def __init__(self, rate: float = 0.5, *, rng: RandomSource = None):
        self.rate = float(check_number("rate", rate, low=0, high=0.99))
        self.rng = as_rng(rng)
        self.frozen = False
        self._mask = None

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        x = np.asarray(x)
        if self.frozen:
            if self._mask is None or self._mask.shape != x.shape:
                shape = None if self._mask is None else self._mask.shape
                raise ValueError(f"a frozen Dropout needs inputs of its mask's shape {shape}, got {x.shape}")
            return x * self._mask
        if not train or self.rate == 0.0:
            if train:
                self._mask = np.ones(x.shape, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
            return x
        keep = self.rng.random(x.shape) >= self.rate
        self._mask = keep.astype(x.dtype if x.dtype.kind == "f" else np.float64) / (1.0 - self.rate)
        return x * self._mask

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        mask = self._need_cache(self._mask)
        if grad.shape != mask.shape:
            raise ValueError(f"grad must have shape {mask.shape}, got {grad.shape}")
        return grad * mask if need_input_grad else None

    def set_mask(self, keep: np.ndarray) -> None:
        """Use the boolean ``keep`` (True = kept) as the mask, scaled by 1/(1 - rate), and freeze it."""
        keep = np.asarray(keep)
        if keep.dtype != bool:
            raise ValueError(f"keep must be a boolean array, got dtype {keep.dtype}")
        self._mask = keep / (1.0 - self.rate)
        self.frozen = True

    def freeze(self) -> None:
        """Reuse the last mask for every later forward pass (call after a training pass)."""
        self._need_cache(self._mask)
        self.frozen = True

    def unfreeze(self) -> None:
        self.frozen = False

    def config(self) -> dict:
        return {"type": "Dropout", "rate": self.rate}

    def __repr__(self) -> str:
        return f"Dropout({self.rate:g})"
