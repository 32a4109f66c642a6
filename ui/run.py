"""A training run the pages can pause and resume: model, optimizer and the ``nnlib.train``
generator, plus the history of records. Plain Python (no Streamlit) so tests use it
directly; pages keep one per lesson in ``st.session_state``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

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
    playing: bool = False
    error: str | None = None
    extra: dict = field(default_factory=dict)  # page-specific snapshots (e.g. curves per step)
    _gen: object = None

    @property
    def epochs_done(self) -> int:
        return self.history[-1]["epoch"] if self.history else 0

    @property
    def trained(self) -> bool:
        """Trained here, or holding weights loaded from a file."""
        return bool(self.history) or "loaded" in self.extra

    @property
    def done(self) -> bool:
        return self.error is not None or self.epochs_done >= self.target_epochs

    @property
    def last(self) -> dict | None:
        return self.history[-1] if self.history else None

    def evaluate(self, max_train_rows: int = 5000) -> dict:
        """Loss (and accuracy) of the current weights, as the fields of an epoch record: on the
        training data when it is small, and on the validation data when the run has some."""
        kwargs = self.train_kwargs
        transform = kwargs.get("transform")
        out = {}
        sets = [("", self.x, self.y)] if self.x is not None and len(self.x) <= max_train_rows else []
        if kwargs.get("validation") is not None:
            sets.append(("val_", *kwargs["validation"]))
        for prefix, x, y in sets:
            pred = self.model.predict(x, transform=transform)
            out[f"{prefix}loss"] = self.loss.value(pred, y)
            metric = resolve_metric(kwargs.get("metric", "auto"), self.loss, y)  # as train() reports it
            if metric is not None:
                out[f"{prefix}accuracy"] = metric(pred, y)
        return out

    def frame(self) -> pd.DataFrame:
        """The epoch history as a data frame (empty with an ``epoch`` column before training)."""
        return pd.DataFrame(self.history) if self.history else pd.DataFrame({"epoch": []})

    def advance(self, max_epochs: int | None = None, budget: float | None = None,
                on_step: Callable | None = None) -> int:
        """Train until ``max_epochs`` more epochs are done, ``budget`` seconds have passed
        (at least one epoch), or the target is reached. Returns the epochs trained.

        A diverging loss stops the run and stores a plain-words message in ``error``;
        other training errors are stored the same way — the page shows them, never a
        traceback, and the history so far stays."""
        if self.done:
            self.playing = False
            return 0
        if self._gen is None:
            self._gen = nnlib.train(self.model, self.loss, self.optimizer, self.x, self.y,
                                    epochs=_OPEN_ENDED, first_epoch=self.epochs_done, **self.train_kwargs)
        start, trained = time.perf_counter(), 0
        try:
            while not self.done:
                record = next(self._gen).as_dict()
                if record["kind"] == "step":
                    self.steps.append(record)
                    if on_step is not None:
                        on_step(self, record)
                    continue
                self.history.append(record)
                trained += 1
                if max_epochs is not None and trained >= max_epochs:
                    break
                if budget is not None and time.perf_counter() - start >= budget:
                    break
        except nnlib.DivergenceError as err:
            self.error = f"Training diverged: {err}"
        except (ValueError, FloatingPointError) as err:
            self.error = f"Training stopped: {err}"
        if self.done:
            self.playing = False
        return trained
