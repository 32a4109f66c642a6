"""Learning-rate schedules: pure functions of the optimizer's step count.

A schedule is a callable ``schedule(step) -> lr`` where ``step`` (int, ≥ 0) counts the
optimizer steps taken *before* the one about to happen, so ``schedule(0)`` is the rate of
the first step. ``nnlib.train(..., schedule=s)`` sets ``optimizer.lr = s(optimizer.steps)``
before every step, and each ``Record.lr`` shows the rate in force. Calling a schedule
changes nothing: the same step always gives the same rate, so a paused, resumed or
re-plotted run sees the same rates.

The formulas are PyTorch's (``torch.optim.lr_scheduler``), written in closed form:

- ``Constant(lr)``:                        lr
- ``StepDecay(lr, step_size, gamma)``:     lr · gamma^⌊t / step_size⌋            (``StepLR``)
- ``Exponential(lr, gamma)``:              lr · gamma^t                           (``ExponentialLR``)
- ``Cosine(lr, total_steps, min_lr)``:     min_lr + (lr − min_lr)(1 + cos(π·t/T))/2 for t ≤ T,
  then min_lr (``CosineAnnealingLR`` for one half period; SGDR, Loshchilov & Hutter 2017)
- ``Warmup(then, warmup_steps, start_factor)``: then.lr · (f + (1 − f)·t/w) for t < w, then
  ``then(t − w)`` (``LinearLR`` followed by ``then`` via ``SequentialLR``; Goyal et al. 2017)

Every constructor raises ``ValueError`` naming a bad argument; calling with a negative or
non-integer step raises ``ValueError`` too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._checks import check_number, check_positive_int


def _step(step) -> int:
    return int(check_number("step", step, low=0, integer=True))


def _lr(lr) -> float:
    return float(check_number("lr", lr, low=0, low_open=True))


@dataclass(frozen=True)
class Constant:
    """The same rate at every step."""

    lr: float

    def __post_init__(self):
        _lr(self.lr)

    def __call__(self, step: int) -> float:
        _step(step)
        return float(self.lr)


@dataclass(frozen=True)
class StepDecay:
    """Multiply the rate by ``gamma`` every ``step_size`` steps."""

    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self):
        _lr(self.lr)
        check_positive_int("step_size", self.step_size)
        check_number("gamma", self.gamma, low=0, high=1, low_open=True)

    def __call__(self, step: int) -> float:
        return float(self.lr * self.gamma ** (_step(step) // self.step_size))


@dataclass(frozen=True)
class Exponential:
    """Multiply the rate by ``gamma`` at every step."""

    lr: float
    gamma: float

    def __post_init__(self):
        _lr(self.lr)
        check_number("gamma", self.gamma, low=0, high=1, low_open=True)

    def __call__(self, step: int) -> float:
        return float(self.lr * self.gamma ** _step(step))


@dataclass(frozen=True)
class Cosine:
    """Half a cosine from ``lr`` down to ``min_lr`` over ``total_steps`` steps, then ``min_lr``.

    Training needs a rate above 0, so a schedule that runs past ``total_steps`` needs ``min_lr > 0``."""

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __post_init__(self):
        _lr(self.lr)
        check_positive_int("total_steps", self.total_steps)
        check_number("min_lr", self.min_lr, low=0, high=self.lr)

    def __call__(self, step: int) -> float:
        t = min(_step(step), self.total_steps)
        return float(self.min_lr + (self.lr - self.min_lr) * (1 + math.cos(math.pi * t / self.total_steps)) / 2)


@dataclass(frozen=True)
class Warmup:
    """Linear warm-up from ``start_factor · then.lr`` to ``then.lr`` over ``warmup_steps``
    steps, then the schedule ``then`` counted from the end of the warm-up."""

    then: Constant | StepDecay | Exponential | Cosine
    warmup_steps: int
    start_factor: float = 0.1

    def __post_init__(self):
        if not isinstance(self.then, (Constant, StepDecay, Exponential, Cosine)):
            raise ValueError(f"then must be a schedule (Constant, StepDecay, Exponential or Cosine), "
                             f"got {self.then!r}")
        check_positive_int("warmup_steps", self.warmup_steps)
        check_number("start_factor", self.start_factor, low=0, high=1, low_open=True)

    @property
    def lr(self) -> float:
        return self.then.lr

    def __call__(self, step: int) -> float:
        t = _step(step)
        if t < self.warmup_steps:
            f = self.start_factor
            return float(self.then.lr * (f + (1 - f) * t / self.warmup_steps))
        return self.then(t - self.warmup_steps)


SCHEDULES = ("constant", "step", "exponential", "cosine")


def make_schedule(name: str, lr: float, *, total_steps: int = 1000, step_size: int = 100, gamma: float = 0.5,
                  min_lr: float = 0.0, warmup_steps: int = 0, start_factor: float = 0.1):
    """A schedule by name (``"constant"``, ``"step"``, ``"exponential"``, ``"cosine"``), with a
    linear warm-up in front when ``warmup_steps`` > 0. Only the named schedule's arguments are
    used (``step_size``/``gamma`` for step, ``gamma`` for exponential, ``total_steps``/``min_lr``
    for cosine)."""
    if name == "constant":
        base = Constant(lr)
    elif name == "step":
        base = StepDecay(lr, step_size, gamma)
    elif name == "exponential":
        base = Exponential(lr, gamma)
    elif name == "cosine":
        base = Cosine(lr, total_steps, min_lr)
    else:
        raise ValueError(f"schedule must be one of {list(SCHEDULES)}, got {name!r}")
    if int(check_number("warmup_steps", warmup_steps, low=0, integer=True)) == 0:
        return base
    return Warmup(base, warmup_steps, start_factor)
