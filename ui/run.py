"""A training run the pages can pause and resume: model, optimizer and the ``nnlib.train``
generator, plus the history of records. Plain Python (no Streamlit) so tests use it
directly; pages keep one per lesson in ``st.session_state``."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import nnlib
from nnlib.train import resolve_metric

# Far more epochs than any slider allows: the run stops itself at ``target_epochs``, so the
# slider can move without restarting the generator (and its shuffling stream).
_OPEN_ENDED = 10**9


@dataclass
class TrainingRun:
    """One model being trained. ``signature`` identifies the settings that built it
    (architecture, data, seed, optimizer, batch size): a page starts a fresh run when its
    signature changes and keeps this one when only the learning rate or epochs change."""

    signature: tuple
    model: nnlib.Sequential
    loss: nnlib.Loss
    optimizer: nnlib.Optimizer
    x: object
    y: object
    train_kwargs: dict = field(default_factory=dict)
    target_epochs: int = 10
    label: str = ""
    history: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    last_step: dict | None = None  # the latest optimizer step's record (kept even when ``steps`` is not)
    batch_losses: list[tuple[float, float]] = field(default_factory=list)  # (epoch + fraction, loss) per step
    playing: bool = False
    error: str | None = None
    extra: dict = field(default_factory=dict)  # page-specific snapshots (e.g. curves per step)
    # Set only when every run built with this key starts from the same weights on the same data (seeded
    # model, built-in data set): what the untrained run shows is then computed once per server process
    # and shared by every visitor (MNIST's evaluation of 20,000 images: ~0.1 s of each first render).
    start_key: tuple | None = None
    # Drop the layers' forward caches after every ``advance`` (Sequential.clear_cache): MNIST's are ~4 MB a
    # session that a paused or closed tab would hold for nothing. Off where a page reads the last batch's
    # activations (``layer_stats``: dead ReLUs, saturated sigmoids).
    release_caches: bool = False
    _gen: object = None
    _keep_steps: bool = False
    _epoch_start_step: int = 0

    @property
    def epochs_done(self) -> int:
        return self.history[-1]["epoch"] if self.history else 0

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps (batches) in one epoch, as ``nnlib.train`` cuts them."""
        n = 0 if self.x is None else len(self.x)
        size = self.train_kwargs.get("batch_size") or n or 1
        if self.train_kwargs.get("drop_last"):
            return max(n // size, 1)
        return max(math.ceil(n / size), 1)

    @property
    def steps_into_epoch(self) -> int:
        """Steps taken in the epoch now running (0 at an epoch boundary)."""
        if self._gen is None or self.last_step is None or self.last_step["epoch"] <= self.epochs_done:
            return 0
        return self.last_step["step"] - self._epoch_start_step

    @property
    def trained(self) -> bool:
        """Trained here, or holding weights loaded from a file."""
        return bool(self.history) or "loaded" in self.extra

    @property
    def untouched(self) -> bool:
        """As built: no optimizer step taken and no weights loaded (a run reset by Reset is again)."""
        return not self.trained and not self.optimizer.steps

    @property
    def done(self) -> bool:
        return self.error is not None or self.epochs_done >= self.target_epochs

    @property
    def last(self) -> dict | None:
        return self.history[-1] if self.history else None

    def evaluate(self, max_train_rows: int = 5000) -> dict:
        """Loss (and accuracy) of the current weights, as the fields of an epoch record: on the
        training data when it is small, and on the validation data when the run has some. Weights
        that blew up (a diverged run) give NaN outputs: their loss is NaN, not an error."""
        shared = self.start_key is not None and self.untouched
        if shared:
            with _START_LOCK:
                cached = _START_EVALUATIONS.get((self.start_key, max_train_rows))
            if cached is not None:
                return dict(cached)
        out = self._evaluate(max_train_rows)
        if shared:
            with _START_LOCK:
                _START_EVALUATIONS[(self.start_key, max_train_rows)] = dict(out)
                while len(_START_EVALUATIONS) > MAX_START_EVALUATIONS:
                    _START_EVALUATIONS.pop(next(iter(_START_EVALUATIONS)))
        return out

    def _evaluate(self, max_train_rows: int) -> dict:
        kwargs = self.train_kwargs
        transform = kwargs.get("transform")
        out = {}
        sets = [("", self.x, self.y)] if self.x is not None and len(self.x) <= max_train_rows else []
        if kwargs.get("validation") is not None:
            sets.append(("val_", *kwargs["validation"]))
        for prefix, x, y in sets:
            pred = self.model.predict(x, transform=transform)
            if not np.isfinite(pred).all():  # the run's error already says why
                out[f"{prefix}loss"] = float("nan")
                continue
            out[f"{prefix}loss"] = self.loss.value(pred, y)
            metric = resolve_metric(kwargs.get("metric", "auto"), self.loss, y)  # as train() reports it
            if metric is not None:
                out[f"{prefix}accuracy"] = metric(pred, y)
        return out

    def frame(self) -> pd.DataFrame:
        """The epoch history as a data frame (empty with an ``epoch`` column before training)."""
        return pd.DataFrame(self.history) if self.history else pd.DataFrame({"epoch": []})

    def advance(self, max_epochs: int | None = None, budget: float | None = None,
                on_step: Callable | None = None, max_steps: int | None = None) -> int:
        """Train until ``max_epochs`` more epochs are done, ``max_steps`` more optimizer steps
        (batches) are taken, ``budget`` seconds have passed, or the target is reached, whichever
        comes first. The budget is checked after every step, so a slow epoch (60,000 MNIST
        images) can stop part-way and carry on at the next call exactly where it was: the
        ``nnlib.train`` generator is kept. Returns the epochs completed.

        A diverging loss stops the run and stores a plain-words message in ``error``;
        other training errors are stored the same way — the page shows them, never a
        traceback, and the history so far stays."""
        if self.done:
            self.playing = False
            return 0
        if self._gen is None:
            kwargs = dict(self.train_kwargs)
            self._keep_steps = bool(kwargs.get("every_step"))  # the page asked for every step's record
            kwargs["every_step"] = True  # step records let a slice stop mid-epoch
            kwargs["eval_progress"] = True  # ... and between chunks of the end-of-epoch evaluation
            self.last_step, self._epoch_start_step = None, self.optimizer.steps
            self._gen = nnlib.train(self.model, self.loss, self.optimizer, self.x, self.y,
                                    epochs=_OPEN_ENDED, first_epoch=self.epochs_done, **kwargs)
        start, trained, stepped = time.perf_counter(), 0, 0
        try:
            while not self.done:
                record = next(self._gen).as_dict()
                if record["kind"] == "eval":  # the epoch's last batch is done; its evaluation runs
                    if budget is not None and time.perf_counter() - start >= budget:
                        break
                    continue
                if record["kind"] == "step":
                    self.last_step = record
                    stepped += 1
                    self._note_batch_loss(record)
                    if self._keep_steps:
                        self.steps.append(record)
                        if on_step is not None:
                            on_step(self, record)
                    if max_steps is not None and stepped >= max_steps:
                        break
                    if budget is not None and time.perf_counter() - start >= budget:
                        break
                    continue
                self.history.append(record)
                self._epoch_start_step = record["step"]
                self.batch_losses.clear()
                trained += 1
                if max_epochs is not None and trained >= max_epochs:
                    break
                if budget is not None and time.perf_counter() - start >= budget:
                    break
        except nnlib.DivergenceError as err:
            self.error = f"Training diverged: {err}"
        except (ValueError, FloatingPointError) as err:
            self.error = f"Training stopped: {err}"
        if self.release_caches:
            self.model.clear_cache()
            self.loss.clear_cache()
        if self.done:
            self.playing = False
        return trained

    def _note_batch_loss(self, record: dict) -> None:
        """Keep (epochs as a fraction, batch loss) of the epoch now running, so a slow epoch
        shows on the loss chart before it ends; the list is emptied when the epoch ends."""
        into = record["step"] - self._epoch_start_step
        if len(self.batch_losses) >= MAX_BATCH_POINTS:
            del self.batch_losses[::2]  # thin evenly; the curve keeps its shape
        self.batch_losses.append((record["epoch"] - 1 + into / self.steps_per_epoch, record["loss"]))


MAX_BATCH_POINTS = 400  # batch losses kept for the chart of the running epoch
MAX_START_EVALUATIONS = 64  # untrained runs' evaluations kept per process (a few floats each)
_START_EVALUATIONS: dict[tuple, dict] = {}  # (start_key, max_train_rows) -> evaluate()'s dict, oldest first
_START_LOCK = threading.Lock()
