"""``Sequential``: a stack of layers with forward, backward, predict and introspection."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._checks import check_positive_int
from .activations import Activation, ReLU, Sigmoid, Softmax, Tanh
from .layers import Dense, Layer
from .losses import Loss, SoftmaxCrossEntropy


class Sequential:
    """Layers applied in order. ``backward`` runs them in reverse and fills their gradients.

    >>> model = Sequential(Dense(2, 8, rng=0), ReLU(), Dense(8, 1, rng=1), Sigmoid())
    """

    def __init__(self, *layers: Layer):
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("layers must not be empty: give Sequential at least one layer")
        first_seen: dict[int, int] = {}  # id(layer) -> its first position
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(f"layers[{i}] must be an nnlib Layer, got {layer!r}")
            first = first_seen.setdefault(id(layer), i)
            if first != i:  # one instance twice would overwrite its own cache and gradients
                raise ValueError(f"layers[{i}] is the same object as layers[{first}] ({layer!r}); "
                                 "create a new layer for each position")
        dense = [layer for layer in layers if isinstance(layer, Dense)]
        for a, b in zip(dense, dense[1:], strict=False):
            if a.out_features != b.in_features:
                raise ValueError(f"layer sizes do not chain: {a!r} is followed by {b!r}")
        self.layers = list(layers)

    # -- passes -------------------------------------------------------------------------
    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim == 1 and self.in_features == 1:
            x = x.reshape(-1, 1)
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    __call__ = forward

    def backward(self, grad: np.ndarray, start: int | None = None) -> None:
        """Back-propagate ``grad`` (dL/d output of layer ``start``, default the last).

        The first layer's dL/dx is not computed: nothing needs it, and for a 784-wide input
        it is a third of the first layer's cost."""
        start = len(self.layers) - 1 if start is None else start
        for i in range(start, -1, -1):
            grad = self.layers[i].backward(grad, need_input_grad=i > 0)

    def check_loss_pairing(self, loss: Loss) -> None:
        """Raise ``ValueError`` when ``loss`` does not fit the model's last layer: a
        ``SoftmaxCrossEntropy`` (which applies softmax itself) after a ``Softmax`` layer applies
        softmax twice — even a perfect model then scores a loss far from 0 (0.313 with two
        classes) and learns from shrunken gradients. ``train`` and ``backward_loss`` call it;
        call it yourself before a hand-written loop."""
        last = self.layers[-1]
        if isinstance(loss, SoftmaxCrossEntropy) and isinstance(last, Softmax):
            raise ValueError(
                f"{loss!r} applies softmax to the model's outputs itself, but the model already ends with "
                f"{last!r}: softmax would be applied twice (even a perfect model would score a loss well above 0). "
                "Remove the final Softmax layer (SoftmaxCrossEntropy takes logits), or keep it and use CrossEntropy()."
            )

    def backward_loss(self, loss: Loss) -> None:
        """Back-propagate from ``loss`` (after ``loss.forward``), fusing sigmoid+BCE and
        softmax+cross-entropy into dL/dlogits = (p - y) / n. Raises ``ValueError`` for a loss
        that does not fit the last layer (``check_loss_pairing``)."""
        self.check_loss_pairing(loss)
        if loss.fuses(self.layers[-1]):
            self.backward(loss.fused_backward(), start=len(self.layers) - 2)
        else:
            self.backward(loss.backward())

    def predict(self, x: ArrayLike, batch_size: int = 1024,
                transform: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
        """Outputs for ``x`` in chunks, caching nothing (``transform`` is applied per chunk).
        Chunks of ~1000 rows keep the temporaries in cache: twice as fast as 8192 on MNIST."""
        x = np.asarray(x)
        batch_size = check_positive_int("batch_size", batch_size)
        chunks = []
        for i in range(0, max(len(x), 1), batch_size):
            xb = x[i:i + batch_size]
            chunks.append(self.forward(xb if transform is None else transform(xb), train=False))
        return np.concatenate(chunks) if len(chunks) > 1 else chunks[0]

    # -- parameters ---------------------------------------------------------------------
    def params(self) -> dict[str, np.ndarray]:
        """All trainable arrays, named ``"<layer index>.<name>"``, e.g. ``"0.W"``."""
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params().items()}

    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads().items()}

    def param_pairs(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(parameter, gradient) array pairs, the references an optimizer updates in place."""
        grads = self.grads()
        return [(p, grads[k]) for k, p in self.params().items()]

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params().values())

    @property
    def dense_layers(self) -> list[Dense]:
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def in_features(self) -> int | None:
        dense = self.dense_layers
        return dense[0].in_features if dense else None

    @property
    def out_features(self) -> int | None:
        dense = self.dense_layers
        return dense[-1].out_features if dense else None

    @property
    def dtype(self) -> np.dtype:
        dense = self.dense_layers
        return dense[0].dtype if dense else np.dtype(np.float64)

    # -- introspection ------------------------------------------------------------------
    def layer_stats(self) -> list[dict]:
        """One row per Dense layer from the last training pass: its gradient norm (what
        shows vanishing gradients), weight norm, and the activation that follows it —
        the fraction of dead ReLU units (zero for every sample in the batch) or of
        saturated sigmoid/tanh outputs (local slope below 1 % of its maximum)."""
        rows = []
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Dense):
                continue
            act = self.layers[i + 1] if i + 1 < len(self.layers) else None
            row = {
                "layer": i,
                "name": repr(layer),
                "grad_norm": float(np.linalg.norm(layer.dW)),
                "weight_norm": float(np.linalg.norm(layer.W)),
                "activation": type(act).__name__ if isinstance(act, Activation) else "",
                "dead_fraction": np.nan,
                "saturated_fraction": np.nan,
            }
            out = getattr(act, "_out", None)
            if out is not None:
                if isinstance(act, ReLU):
                    row["dead_fraction"] = float(np.mean(~(out > 0).any(axis=0)))
                elif isinstance(act, Sigmoid):
                    row["saturated_fraction"] = float(np.mean(out * (1 - out) < 0.0025))
                elif isinstance(act, Tanh):
                    row["saturated_fraction"] = float(np.mean(1 - out**2 < 0.01))
            rows.append(row)
        return rows

    def clear_cache(self) -> None:
        """Every layer's ``clear_cache``: an idle model keeps only its weights and gradients (a paused run
        on a server that holds many sessions). ``activations`` and ``layer_stats`` then have nothing to
        report until the next training ``forward``."""
        for layer in self.layers:
            layer.clear_cache()

    def activations(self) -> list[np.ndarray | None]:
        """Each activation layer's output from the last training pass (None before one)."""
        return [getattr(layer, "_out", None) for layer in self.layers if isinstance(layer, Activation)]

    def config(self) -> list[dict]:
        return [layer.config() for layer in self.layers]

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {layer!r}" for layer in self.layers)
        return f"Sequential(\n{inner}\n)  # {self.n_params:,} parameters"
