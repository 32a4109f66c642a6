"""The training seam: ``train()`` is a generator of per-epoch (and, on request, per-step)
records. The caller decides when to stop (stop iterating) and when to go on (call
``next`` again, even after changing ``optimizer.lr``); nothing is printed.

Divergence: when a batch loss turns NaN/inf, ``train`` raises ``DivergenceError`` (a
``ValueError``) whose message says what happened and what to do; the records already
yielded stay valid, so a UI keeps the curve so far and shows the message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

from ._checks import RandomSource, as_rng, check_array, check_positive_int
from .data import batch_indices
from .losses import Loss
from .metrics import accuracy
from .model import Sequential
from .optim import Optimizer


class DivergenceError(ValueError):
    """The training loss became NaN or infinite."""


@dataclass
class Record:
    kind: str  # "epoch" or "step"
    epoch: int  # epochs completed (1-based); for a step record, the epoch it belongs to
    step: int  # optimizer steps taken so far, in this and earlier calls
    loss: float  # epoch: batch-size-weighted mean of the batch losses; step: that batch's loss
    accuracy: float | None = None  # same weighting, from the batch predictions (classification)
    train_loss: float | None = None  # full pass over the training set after the epoch (eval_train)
    val_loss: float | None = None
    val_accuracy: float | None = None
    seconds: float = 0.0  # training time so far, not counting time the caller held the generator
    lr: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def train(
    model: Sequential,
    loss: Loss,
    optimizer: Optimizer,
    x,
    y,
    *,
    epochs: int,
    batch_size: int | None = None,
    rng: RandomSource = None,
    shuffle: bool = True,
    drop_last: bool = False,
    validation: tuple | None = None,
    eval_train: bool = False,
    every_step: bool = False,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    metric: Callable | None = accuracy,
    first_epoch: int = 0,
) -> Iterator[Record]:
    """Train ``model`` on ``(x, y)`` and yield a ``Record`` after every epoch.

    batch_size: None = full batch (gradient descent); 1 = per-sample SGD; else mini-batch.
      Mini-batches follow a permutation of the row indices that ``rng.shuffle`` reshuffles
      in place at the start of every epoch (the posts' scheme; with the legacy
      ``RandomState`` used for the weights it continues the same stream). A full batch
      is never shuffled.
    drop_last: drop the last partial batch (post 001 does).
    validation: ``(x_val, y_val)`` evaluated after each epoch (``val_loss``, ``val_accuracy``).
    eval_train: also evaluate the whole training set after each epoch (``train_loss``), as
      post 001 prints; costs a forward pass over the data.
    every_step: also yield a ``kind="step"`` record after every optimizer step.
    transform: applied to each batch of ``x`` (e.g. uint8 pixels -> float32 / 255) so the
      caller never holds a float copy of a large dataset.
    metric: f(pred, y) -> float for the ``accuracy`` fields, or None for regression.

    first_epoch: epochs done before this call, so a resumed run numbers on (records count
      epochs from 1; post 001's printed "[0]" is epoch 1).

    A second ``train`` on the same model and optimizer continues from their state (the
    step count continues from the optimizer's); to pause, simply stop calling ``next``.
    """
    x = _checked_x(x, "x", model, transform)
    epochs = check_positive_int("epochs", epochs)
    n = len(x)
    if batch_size is None:
        batch_size = n
    batch_size = check_positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be <= the number of samples ({n}), got {batch_size}")
    # Validate every label once, up front, instead of failing mid-epoch; the batches then
    # skip the per-batch checks (``loss._forward``). Float targets take the model's dtype.
    y = _checked_target(model, loss, x, y, transform, "")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError(f"validation must be a pair (x_val, y_val), got {type(validation).__name__}")
        x_val = _checked_x(validation[0], "x_val", model, transform)
        validation = (x_val, _checked_target(model, loss, x_val, validation[1], transform, "validation: "))
    return _loop(model, loss, optimizer, x, y, epochs, batch_size, as_rng(rng), shuffle and batch_size < n,
                 drop_last, validation, eval_train, every_step, transform, metric, first_epoch)


def _checked_x(x, name: str, model: Sequential, transform) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold numbers, got dtype {x.dtype}")
    if x.dtype.kind == "f":
        check_array(name, x)
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"{name} must hold at least one sample, got shape {x.shape}")
    width = model.in_features
    if transform is None and width is not None and x.ndim == 2 and x.shape[1] != width:
        raise ValueError(f"{name} must have {width} columns (the model's input width), got shape {x.shape}")
    return x


def _checked_target(model, loss, x, y, transform, where: str) -> np.ndarray:
    """``y`` as ``loss`` reads it, checked against the model's output for (the first rows of) ``x``."""
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(x):
        raise ValueError(f"{where}x and y must have the same number of rows, got {len(x)} and "
                         f"{len(y) if y.ndim else 'a scalar'}")
    probe = model.forward(_batch(x, np.arange(min(len(x), 2)), transform), train=False)
    try:
        return loss.check_target(y, np.broadcast_to(probe[:1], (len(x),) + probe.shape[1:]))
    except ValueError as err:
        raise ValueError(f"{where}{err}") from err


def _rows(a, idx):
    """``a[idx]``; for an index array ``np.take`` gathers the same rows 2-3x faster."""
    return a[idx] if isinstance(idx, slice) else np.take(a, idx, axis=0)


def _batch(x, idx, transform):
    xb = _rows(x, idx)
    return xb if transform is None else transform(xb)


def _loop(model, loss, optimizer, x, y, epochs, batch_size, rng, shuffle, drop_last, validation,
          eval_train, every_step, transform, metric, first_epoch) -> Iterator[Record]:
    order = np.arange(len(x))
    seconds = 0.0
    for epoch in range(first_epoch + 1, first_epoch + epochs + 1):
        t0 = time.perf_counter()
        if shuffle:
            rng.shuffle(order)
        total = correct = seen = 0.0
        for idx in batch_indices(order, batch_size, drop_last, shuffled=shuffle):
            xb, yb = _batch(x, idx, transform), _rows(y, idx)
            pred = model.forward(xb)
            value = loss._forward(pred, yb)  # yb was checked up front
            if not np.isfinite(value):
                raise DivergenceError(
                    f"the training loss became {value} at step {optimizer.steps + 1} "
                    f"(lr={optimizer.lr:g}): the weights blew up. Lower the learning rate "
                    "(or the weight scale) and reset the model."
                )
            model.backward_loss(loss)
            optimizer.step()
            m = len(pred)
            total += value * m
            seen += m
            acc = metric(pred, yb) if metric is not None else None
            if acc is not None:
                correct += acc * m
            if every_step:
                seconds += time.perf_counter() - t0
                yield Record("step", epoch, optimizer.steps,
                             value, acc, seconds=seconds, lr=optimizer.lr)
                t0 = time.perf_counter()
        record = Record("epoch", epoch, optimizer.steps, total / seen,
                        correct / seen if metric is not None else None, lr=optimizer.lr)
        if eval_train:
            record.train_loss = float(loss._value(model.predict(x, transform=transform), y))
        if validation is not None:
            pv = model.predict(validation[0], transform=transform)
            record.val_loss = float(loss._value(pv, validation[1]))
            record.val_accuracy = metric(pv, validation[1]) if metric is not None else None
        seconds += time.perf_counter() - t0
        record.seconds = seconds
        yield record

