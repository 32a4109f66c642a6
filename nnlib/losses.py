"""Loss functions. ``forward(pred, target)`` returns a float and caches; ``backward()``
returns dL/dpred.

Two pairs fuse, as in scikit-learn's ``delta = output - y``: ``BinaryCrossEntropy``
after a ``Sigmoid`` and ``CrossEntropy`` after a ``Softmax`` both have the gradient
(p - y) / n at the *logits*. ``Sequential.backward_loss`` uses that shortcut, which is
exact and stays finite when p is exactly 0 or 1.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._checks import check_array, check_number
from .activations import Sigmoid, Softmax


class Loss:
    fuses_with: type | None = None  # activation whose backward this loss can absorb

    def __init__(self):
        self._cache = None

    def value(self, pred: np.ndarray, target: np.ndarray) -> float:
        """The loss, without caching anything (for evaluation)."""
        pred = _checked_pred(pred)
        return float(self._value(pred, self.check_target(target, pred)))

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """The loss; caches ``pred`` and ``target`` for ``backward``."""
        pred = _checked_pred(pred)
        return self._forward(pred, self.check_target(target, pred))

    __call__ = forward

    def _forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """``forward`` for a target that ``check_target`` already returned (``train`` checks
        all labels once, up front, instead of once per batch)."""
        self._cache = (pred, target)
        return float(self._value(pred, target))

    def backward(self) -> np.ndarray:
        """dL/dpred for the last ``forward``."""
        return self._grad(*self._cached("backward"))

    def fused_backward(self) -> np.ndarray:
        """dL/dlogits when ``pred`` came out of ``fuses_with``: (p - y) / n."""
        pred, target = self._cached("fused_backward")
        return (pred - self._dense_target(target, pred)) / pred.shape[0]

    def clear_cache(self) -> None:
        """Drop the ``pred`` and ``target`` the last ``forward`` kept for ``backward``."""
        self._cache = None

    def _cached(self, what: str):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.{what} called before forward(pred, target)")
        return self._cache

    def fuses(self, layer) -> bool:
        return self.fuses_with is not None and type(layer) is self.fuses_with

    def check_target(self, target, pred) -> np.ndarray:
        """Return ``target`` validated against ``pred``'s shape, in ``pred``'s float dtype."""
        target = check_array("y", target)
        if target.ndim == 1 and pred.ndim == 2 and pred.shape[1] == 1:
            target = target.reshape(-1, 1)
        if target.shape != pred.shape:
            raise ValueError(f"y must have the model's output shape {pred.shape}, got {target.shape}")
        return target.astype(pred.dtype, copy=False)

    def _dense_target(self, target, pred):
        return target

    def check_pred(self, pred: np.ndarray) -> None:
        """Raise ``ValueError`` (saying what to do) for predictions this loss cannot read: the
        probability losses refuse values outside [0, 1] and, for ``CrossEntropy``, rows that
        are not distributions. ``value``/``forward`` call it; ``train`` also calls it on the
        untrained model's first outputs, before any step."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _checked_pred(pred) -> np.ndarray:
    """Predictions as a float array (a list or an int array is accepted and converted)."""
    pred = check_array("pred", pred)
    return pred if pred.dtype.kind == "f" else pred.astype(np.float64)


ROW_SUM_TOL = 1e-3
"""How far a row of ``CrossEntropy`` predictions may sum from 1. Loose on purpose: float32
rounding (about 1e-6 for ten classes) and a prediction clipped at 1e-7 per class pass; the
mistakes it catches (raw scores, a Sigmoid per class, unnormalised exp) are off by far more."""


def _check_probabilities(loss: Loss, pred: np.ndarray, rows: bool) -> None:
    """Refuse predictions that are not probabilities (``rows``: not distributions), with what
    to do about it. Cheap: a min, a max and (``rows``) one row sum over the batch. NaN passes
    (``train`` reports a NaN loss as divergence; ``value`` refuses NaN input up front)."""
    if pred.size == 0:
        return
    name = type(loss).__name__
    lo, hi = pred.min(), pred.max()
    if lo < 0 or hi > 1:
        if rows:
            raise ValueError(
                f"{name} needs predicted probabilities (each row a distribution), got values from {lo:.4g} to "
                f"{hi:.4g}: these look like raw scores (logits). End the model with Softmax(), or leave it out "
                "and use SoftmaxCrossEntropy(), which takes logits."
            )
        raise ValueError(
            f"{name} needs predicted probabilities in [0, 1], got values from {lo:.4g} to {hi:.4g}: these look "
            "like raw scores (logits). End the model with Sigmoid()."
        )
    if rows and pred.ndim == 2:
        off = np.abs(pred.sum(axis=1) - 1)
        i = int(off.argmax())
        if off[i] > ROW_SUM_TOL:
            raise ValueError(
                f"{name} needs each row of predictions to be a probability distribution (summing to 1), but row "
                f"{i} sums to {pred[i].sum():.6g}. End the model with Softmax() (a Sigmoid per class does not "
                "sum to 1), or leave it out and use SoftmaxCrossEntropy() on the logits."
            )


def _clipped(pred: np.ndarray, eps: float) -> np.ndarray:
    """``pred`` clipped into [eps, 1 - eps], with 1 - eps representable in pred's dtype (in
    float32, 1 - 1e-10 rounds to 1, and log(1 - p) would be -inf)."""
    return np.clip(pred, eps, 1 - max(eps, float(np.finfo(pred.dtype).epsneg)))


class MSE(Loss):
    """Mean squared error, ``mean((p - y)^2)`` (``half=True``: ½·mean, as in post 004).

    ``sum_grad=True`` reproduces the posts' gradient, which omits the 1/N of the mean:
    it returns N times the true gradient (-2(y - p), or p - y with ``half``), so the
    effective learning rate grows with the batch. The default is the true gradient.
    """

    def __init__(self, half: bool = False, sum_grad: bool = False):
        super().__init__()
        self.half, self.sum_grad = bool(half), bool(sum_grad)

    def _value(self, pred, target):
        c = 0.5 if self.half else 1.0
        return c * np.mean(np.square(pred - target))

    def _grad(self, pred, target):
        g = (pred - target) if self.half else 2 * (pred - target)
        return g if self.sum_grad else g / pred.size

    def __repr__(self) -> str:
        return f"MSE(half={self.half}, sum_grad={self.sum_grad})"


def _check_binary(target):
    if target.size and (target.min() < 0 or target.max() > 1):
        raise ValueError(
            f"y must hold labels or probabilities in [0, 1] for binary cross-entropy, "
            f"got values from {target.min()} to {target.max()}"
        )


class BinaryCrossEntropy(Loss):
    """-mean(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps], so the loss is
    finite even at p = 0 or 1. Non-fused gradient: (p - y) / (p (1 - p)) / N, the form of
    post 003, with the clipped p in the denominator."""

    fuses_with = Sigmoid

    def __init__(self, eps: float = 1e-10):
        super().__init__()
        self.eps = float(check_number("eps", eps, low=0, high=0.1, low_open=True))

    def check_target(self, target, pred):
        target = super().check_target(target, pred)
        _check_binary(target)
        return target

    def check_pred(self, pred):
        _check_probabilities(self, pred, rows=False)

    def _value(self, pred, target):
        self.check_pred(pred)
        p = _clipped(pred, self.eps)
        return -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p))

    def _grad(self, pred, target):
        p = _clipped(pred, self.eps)
        return (pred - target) / (p * (1 - p)) / pred.size

    def fused_backward(self):
        pred, target = self._cached("fused_backward")
        return (pred - target) / pred.size


def _minus_target(p, target):
    """(p - y) / n for integer labels or one-hot rows ``y``: the fused gradient at the logits
    (scikit-learn's ``delta = output - y``), without building a one-hot matrix."""
    g = p.copy()
    if target.ndim == 1:
        g[np.arange(len(g)), target] -= 1
    else:
        g -= target
    g /= len(g)
    return g


class CrossEntropy(Loss):
    """Categorical cross-entropy on probabilities, -mean_rows(sum_k y_k log p_k), p clipped
    at eps. ``y`` is either integer class labels (n,) or one-hot rows (n, k)."""

    fuses_with = Softmax

    def __init__(self, eps: float = 1e-10):
        super().__init__()
        self.eps = float(check_number("eps", eps, low=0, high=0.1, low_open=True))

    def check_target(self, target, pred):
        target = check_array("y", target)
        if target.dtype == bool:
            target = target.astype(np.int64)
        if pred.ndim != 2 or pred.shape[1] < 2:
            raise ValueError(f"{type(self).__name__} needs (n, k>=2) outputs, got {pred.shape}")
        n, k = pred.shape
        if target.ndim == 1:
            if target.shape[0] != n:
                raise ValueError(f"y must have {n} labels, got {target.shape[0]}")
            if not np.issubdtype(target.dtype, np.integer):
                fractional = target[target != np.round(target)]
                if fractional.size:
                    raise ValueError(f"y must hold integer class labels, got {fractional.size} non-integer "
                                     f"value(s) such as {float(fractional[0]):g} (dtype {target.dtype})")
                target = target.astype(np.int64)
            if target.size and (target.min() < 0 or target.max() >= k):
                raise ValueError(
                    f"y labels must be in [0, {k - 1}], got values from {target.min()} to {target.max()}"
                )
            return target
        if target.shape != pred.shape:
            raise ValueError(f"y must be labels of shape ({n},) or one-hot of shape {pred.shape}, "
                             f"got {target.shape}")
        # rows must be distributions (one-hot, or soft labels): (p - y)/n is the gradient only then
        sums = target.sum(axis=1)
        bad = np.flatnonzero((target < 0).any(axis=1) | (np.abs(sums - 1) > 1e-6))
        if bad.size:
            raise ValueError(f"y rows must be one-hot (or probabilities summing to 1); row {bad[0]} is "
                             f"{target[bad[0]].tolist()}")
        return target.astype(pred.dtype, copy=False)

    def _dense_target(self, target, pred):
        if target.ndim == 2:
            return target
        onehot = np.zeros_like(pred)
        onehot[np.arange(pred.shape[0]), target] = 1
        return onehot

    def fused_backward(self):
        return _minus_target(*self._cached("fused_backward"))

    def check_pred(self, pred):
        _check_probabilities(self, pred, rows=True)

    def _value(self, pred, target):
        self.check_pred(pred)
        p = _clipped(pred, self.eps)
        if target.ndim == 1:
            return -np.mean(np.log(p[np.arange(p.shape[0]), target]))
        return -(target * np.log(p)).sum(axis=1).mean()

    def _grad(self, pred, target):
        p = _clipped(pred, self.eps)
        return -self._dense_target(target, pred) / p / pred.shape[0]


class SoftmaxCrossEntropy(CrossEntropy):
    """Softmax and cross-entropy fused, on *logits* (the model ends with a Dense layer).

    Loss via log-sum-exp (never log(0)); gradient (softmax(z) - onehot(y)) / n, from the
    probabilities that ``forward`` computed on the way."""

    fuses_with = None

    def check_pred(self, pred):
        """Logits: any finite numbers (rows that are already distributions get a warning)."""

    def _forward(self, logits, target):
        value, self._probs = self._value_and_probs(logits, target)
        self._cache = (logits, target)
        return value

    def _value(self, logits, target):
        return self._value_and_probs(logits, target)[0]

    @staticmethod
    def _warn_if_probabilities(logits) -> None:
        """Logits whose every row is already a distribution almost surely came out of a Softmax:
        softmax applied twice (a perfect 2-class model would score 0.313, not 0)."""
        if logits.size and logits.min() >= 0 and logits.max() <= 1 \
                and np.abs(logits.sum(axis=1) - 1).max() <= ROW_SUM_TOL:
            warnings.warn("SoftmaxCrossEntropy takes logits, but every row of these predictions is already a "
                          "probability distribution: softmax is applied twice. Remove the model's final Softmax "
                          "layer, or keep it and use CrossEntropy().", UserWarning, stacklevel=4)

    def _value_and_probs(self, logits, target):
        self._warn_if_probabilities(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        # log p_k = shifted_k - log(total); with labels only the labelled entries are needed
        if target.ndim == 1:
            value = np.mean(np.log(total[:, 0]) - shifted[np.arange(len(shifted)), target])
        else:
            value = -(target * (shifted - np.log(total))).sum(axis=1).mean()
        e /= total
        return float(value), e

    def _grad(self, logits, target):
        return _minus_target(self._probs, target)


LOSSES = {
    "mse": MSE,
    "bce": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
    "softmax_cross_entropy": SoftmaxCrossEntropy,
}
