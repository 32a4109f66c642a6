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
from numpy.typing import ArrayLike

from ._checks import RandomSource, as_rng, check_array, check_choice, check_number, check_positive_int
from .data import batch_indices
from .losses import BinaryCrossEntropy, CrossEntropy, Loss
from .metrics import accuracy
from .model import Sequential
from .optim import Optimizer

EVAL_CHUNK = 1024  # rows per forward pass of the end-of-epoch evaluation (Sequential.predict's default)


class DivergenceError(ValueError):
    """The training loss became NaN or infinite."""


@dataclass
class Record:
    kind: str  # "epoch", "step", or "eval" (a chunk of the end-of-epoch evaluation passed; eval_progress)
    epoch: int  # epochs completed (1-based); for a step record, the epoch it belongs to
    step: int  # optimizer steps taken so far, in this and earlier calls
    loss: float  # epoch: batch-size-weighted mean of the batch losses; step: that batch's loss.
    # The data loss only: a weight-decay penalty is never included (see ``penalty``).
    accuracy: float | None = None  # same weighting, from the batch predictions (classification)
    train_loss: float | None = None  # full pass over the training set after the epoch (eval_train)
    val_loss: float | None = None
    val_accuracy: float | None = None
    seconds: float = 0.0  # training time so far, not counting time the caller held the generator
    lr: float = 0.0  # the learning rate of the record's last optimizer step (a schedule's rate in force)
    penalty: float | None = None  # the optimizer's weight-decay penalty at the epoch's end (None: no decay);
    # the objective being minimised is loss + penalty

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainState:
    """Where a run is, so a later ``train(..., state=state)`` carries on exactly as one
    uninterrupted call would: epochs numbered on, the same shuffling order reshuffled, the
    training time summed. ``train`` updates it after every epoch (resuming is exact at epoch
    boundaries; a run stopped mid-epoch restarts that epoch's shuffle)."""

    epoch: int = 0  # epochs completed
    order: np.ndarray | None = None  # the row permutation that each epoch reshuffles in place
    seconds: float = 0.0


def train(
    model: Sequential,
    loss: Loss,
    optimizer: Optimizer,
    x: ArrayLike,
    y: ArrayLike,
    *,
    epochs: int,
    batch_size: int | None = None,
    rng: RandomSource = None,
    shuffle: bool = True,
    drop_last: bool = False,
    validation: tuple | None = None,
    eval_train: bool = False,
    every_step: bool = False,
    eval_progress: bool = False,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    metric: Callable | str | None = "auto",
    first_epoch: int = 0,
    state: TrainState | None = None,
    schedule: Callable[[int], float] | None = None,
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
    eval_progress: also yield a ``kind="eval"`` record after every chunk of ``EVAL_CHUNK`` rows of
      the end-of-epoch passes (``eval_train``, ``validation``; its ``loss`` is NaN, ``step`` the
      steps so far), so a caller can stop between chunks instead of waiting for a whole pass
      (60,000 MNIST images take seconds). The epoch's numbers are the same either way.
    transform: applied to each batch of ``x`` (e.g. uint8 pixels -> float32 / 255) so the
      caller never holds a float copy of a large dataset.
    metric: f(pred, y) -> float for the ``accuracy`` fields, None for none, or "auto":
      ``accuracy`` for a classification loss (cross-entropy) or 0/1 targets, else None.
    schedule: a learning-rate schedule (``nnlib.schedules``; any f(step) -> lr > 0): before
      every step ``optimizer.lr = schedule(optimizer.steps)``; ``Record.lr`` is the rate in force.

    The reported ``loss`` is the data loss; an optimizer's weight-decay penalty is reported
    apart, in ``Record.penalty`` (see ``nnlib.optim``).

    state: a ``TrainState`` to resume from and update (see there). Without one, a second
      ``train`` on the same model and optimizer still continues from their weights and
      moments (the step count continues from the optimizer's), but numbers epochs from
      ``first_epoch`` + 1 and starts a new shuffling order.
    first_epoch: epochs done before this call, for numbering without a ``state`` (records
      count epochs from 1; post 001's printed "[0]" is epoch 1).

    To pause, simply stop calling ``next``.
    """
    _check_objects(model, loss, optimizer)
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
    first_epoch = int(check_number("first_epoch", first_epoch, low=0, integer=True))
    if state is None:
        state = TrainState(epoch=first_epoch)
    elif not isinstance(state, TrainState):
        raise ValueError(f"state must be a TrainState, got {state!r}")
    elif first_epoch:
        raise ValueError(f"give first_epoch or state, not both (got first_epoch={first_epoch})")
    if state.order is None:
        state.order = np.arange(n)
    elif len(state.order) != n:
        raise ValueError(f"state belongs to a run on {len(state.order)} samples, but x has {n}")
    metric = resolve_metric(metric, loss, y)
    if schedule is not None and not callable(schedule):
        raise ValueError(f"schedule must be a function f(step) -> lr such as nnlib.schedules.Cosine, got {schedule!r}")
    return _loop(model, loss, optimizer, x, y, epochs, batch_size, as_rng(rng), shuffle and batch_size < n,
                 drop_last, validation, eval_train, every_step, eval_progress, transform, metric, state, schedule)


def _check_objects(model, loss, optimizer) -> None:
    if not isinstance(model, Sequential):
        raise ValueError(f"model must be an nnlib Sequential, got {model!r}")
    if not isinstance(loss, Loss):
        hint = " (an instance: add the brackets, e.g. MSE())" if isinstance(loss, type) else ""
        raise ValueError(f"loss must be an nnlib Loss{hint}, got {loss!r}")
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be an nnlib Optimizer such as SGD(model, lr=0.1), got {optimizer!r}")
    model.check_loss_pairing(loss)
    theirs = {id(p) for p, _ in optimizer.pairs}
    if theirs != {id(p) for p in model.params().values()}:
        raise ValueError("optimizer was built for other parameters than this model's: build it from the "
                         "model you train, e.g. SGD(model, lr=0.1)")


def resolve_metric(metric: Callable | str | None, loss: Loss, y: ArrayLike) -> Callable | None:
    """``train``'s ``metric`` argument as a function (or None): "auto" is ``accuracy`` for a
    classification loss (cross-entropy) or 0/1 targets, else None (regression)."""
    if isinstance(metric, str):
        check_choice("metric", metric, {"auto"})
        y = np.asarray(y)
        classifies = isinstance(loss, CrossEntropy | BinaryCrossEntropy) or (
            bool(y.size) and bool(np.isin(y, (0, 1)).all()))
        return accuracy if classifies else None
    if metric is not None and not callable(metric):
        raise ValueError(f"metric must be a function f(pred, y), 'auto' or None, got {metric!r}")
    return metric


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
    try:
        probe = model.forward(_batch(x, np.arange(min(len(x), 2)), transform), train=False)
    except ValueError as err:  # say it of the caller's array, not of the two-row probe
        raise ValueError(f"{where}x of shape {x.shape} does not fit the model's input: {err}") from None
    try:
        loss.check_pred(probe)  # raw scores into a probability loss: say so before any step
        return loss.check_target(y, np.broadcast_to(probe[:1], (len(x),) + probe.shape[1:]))
    except ValueError as err:
        raise ValueError(f"{where}{err}") from err


def _set_scheduled_lr(optimizer: Optimizer, schedule) -> None:
    value = schedule(optimizer.steps)
    try:
        optimizer.lr = value
    except ValueError:
        raise ValueError(f"the schedule gave lr={value!r} at step {optimizer.steps}; a learning rate must be a "
                         "number > 0 (a cosine schedule that runs past its end needs min_lr > 0)") from None


def _divergence_message(model: Sequential, optimizer: Optimizer, xb: np.ndarray, value: float) -> str:
    """Why the loss is NaN/inf, from what can be seen: the learning rate is blamed only when
    updates made the weights blow up, not when the inputs or the initial weights overflow."""
    where = f"the training loss became {value} at step {optimizer.steps + 1} (lr={optimizer.lr:g})"
    if xb.dtype.kind == "f" and not np.isfinite(xb).all():
        return (f"{where}: this batch of inputs contains NaN/inf (after the transform), so the learning rate is "
                "not the cause. Clean the data, or fix the transform.")
    top_x = float(np.max(np.abs(xb))) if xb.size else 0.0
    top_w = max((float(np.max(np.abs(p))) for p in model.params().values() if p.size), default=0.0)
    if optimizer.steps > 0 and not top_w < 1e6:  # NaN/inf or huge weights after updates
        return (f"{where}: the weights blew up (largest |w| = {top_w:.3g}). Lower the learning rate (or the "
                "weight scale) and reset the model.")
    if optimizer.steps == 0:
        return (f"{where}, before any update, so the learning rate is not the cause: the model's outputs overflow "
                f"with its initial weights (largest |w| = {top_w:.3g}) on inputs up to |x| = {top_x:.3g}. Scale the "
                "inputs (e.g. standardise each feature) or use a smaller weight scale, and reset the model.")
    return (f"{where}: the model's outputs overflowed (largest |w| = {top_w:.3g}, inputs up to |x| = {top_x:.3g}). "
            "The weights are moderate, so scale the inputs (e.g. standardise each feature), then reset the model.")


def _rows(a, idx):
    """``a[idx]``; for an index array ``np.take`` gathers the same rows 2-3x faster."""
    return a[idx] if isinstance(idx, slice) else np.take(a, idx, axis=0)


def _batch(x, idx, transform):
    xb = _rows(x, idx)
    return xb if transform is None else transform(xb)


def _loop(model, loss, optimizer, x, y, epochs, batch_size, rng, shuffle, drop_last, validation,
          eval_train, every_step, eval_progress, transform, metric, state, schedule) -> Iterator[Record]:
    order, seconds = state.order, state.seconds
    for epoch in range(state.epoch + 1, state.epoch + epochs + 1):
        t0 = time.perf_counter()
        if shuffle:
            rng.shuffle(order)
        total = correct = seen = 0.0
        for idx in batch_indices(order, batch_size, drop_last, shuffled=shuffle):
            xb, yb = _batch(x, idx, transform), _rows(y, idx)
            pred = model.forward(xb)
            value = loss._forward(pred, yb)  # yb was checked up front
            if not np.isfinite(value):
                raise DivergenceError(_divergence_message(model, optimizer, xb, value))
            model.backward_loss(loss)
            if schedule is not None:
                _set_scheduled_lr(optimizer, schedule)
            optimizer.step()
            m = len(pred)
            total += value * m
            seen += m
            acc = metric(pred, yb) if metric is not None else None
            if acc is not None:
                correct += acc * m
            if every_step:
                seconds += time.perf_counter() - t0
                # the caller may hold the paused generator for long (a UI between ticks): keep no batch alive
                # through this frame (the layers' own caches go with Sequential.clear_cache)
                xb = yb = pred = None
                yield Record("step", epoch, optimizer.steps,
                             value, acc, seconds=seconds, lr=optimizer.lr)
                t0 = time.perf_counter()
        record = Record("epoch", epoch, optimizer.steps, total / seen,
                        correct / seen if metric is not None else None, lr=optimizer.lr)
        if optimizer.weight_decay:
            record.penalty = optimizer.penalty()
        for name, rows in (("train", x if eval_train else None), ("val", validation[0] if validation else None)):
            if rows is None:
                continue
            chunks = []  # Sequential.predict's chunks, so the numbers are the same to the last bit
            for i in range(0, max(len(rows), 1), EVAL_CHUNK):
                xb = rows[i:i + EVAL_CHUNK]
                chunks.append(model.forward(xb if transform is None else transform(xb), train=False))
                if eval_progress and i + EVAL_CHUNK < len(rows):
                    seconds += time.perf_counter() - t0
                    yield Record("eval", epoch, optimizer.steps, float("nan"), seconds=seconds, lr=optimizer.lr)
                    t0 = time.perf_counter()
            out = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
            if name == "train":
                record.train_loss = float(loss._value(out, y))
            else:
                pv = out
        if validation is not None:
            record.val_loss = float(loss._value(pv, validation[1]))
            record.val_accuracy = metric(pv, validation[1]) if metric is not None else None
        pv = out = chunks = xb = None  # 10,000 × 10 outputs for MNIST: not kept while the generator waits
        seconds += time.perf_counter() - t0
        record.seconds = state.seconds = seconds
        state.epoch = epoch
        yield record

