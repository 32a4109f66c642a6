"""nnlib.schedules: learning-rate schedules by hand, purity, train() integration, errors.
(Step by step against torch.optim.lr_scheduler: tests/test_torch_playground.py.)"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nnlib as nn
from nnlib import data
from nnlib import schedules as S


def test_closed_forms_by_hand():
    assert [S.Constant(0.1)(t) for t in (0, 5, 500)] == [0.1] * 3
    assert [S.StepDecay(1.0, 3, 0.5)(t) for t in range(7)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25]
    assert S.Exponential(2.0, 0.9)(3) == pytest.approx(2 * 0.9**3)
    cos = S.Cosine(1.0, 10, 0.1)
    assert cos(0) == 1.0 and cos(5) == pytest.approx(0.55) and cos(10) == pytest.approx(0.1)
    assert cos(25) == pytest.approx(0.1)  # stays at min_lr after the end
    warm = S.Warmup(S.Constant(0.2), 4, 0.25)
    assert [warm(t) for t in range(6)] == pytest.approx([0.05, 0.0875, 0.125, 0.1625, 0.2, 0.2])


def test_warmup_then_cosine_starts_the_cosine_after_the_warmup():
    sched = S.make_schedule("cosine", 0.1, total_steps=20, warmup_steps=5, start_factor=0.1)
    assert isinstance(sched, S.Warmup)
    assert sched(4) < sched(5) == pytest.approx(0.1)
    assert sched(15) == pytest.approx(0.05)
    assert sched.lr == 0.1


def test_schedules_are_pure_functions_of_the_step():
    sched = S.make_schedule("exponential", 0.5, gamma=0.97, warmup_steps=3)
    first = [sched(t) for t in range(50)]
    assert [sched(t) for t in reversed(range(50))][::-1] == first


def test_train_sets_the_rate_before_every_step_and_records_it():
    x, y = data.moons(64, 0.1, rng=0)
    model = nn.Sequential(nn.Dense(2, 8, rng=0), nn.Tanh(), nn.Dense(8, 1, rng=1), nn.Sigmoid())
    opt = nn.SGD(model, 0.3)
    sched = S.StepDecay(0.3, step_size=4, gamma=0.5)
    records = list(nn.train(model, nn.BinaryCrossEntropy(), opt, x, y, epochs=3, batch_size=16, rng=0,
                            every_step=True, schedule=sched))
    steps = [r for r in records if r.kind == "step"]
    assert [r.lr for r in steps] == [sched(t) for t in range(12)]
    assert [r.lr for r in records if r.kind == "epoch"] == [0.3, 0.15, 0.075]


def test_a_schedule_resumes_from_the_optimizers_step_count():
    x, y = data.moons(32, 0.1, rng=0)
    model = nn.Sequential(nn.Dense(2, 4, rng=0), nn.Tanh(), nn.Dense(4, 1, rng=1), nn.Sigmoid())
    opt, sched, state = nn.SGD(model, 0.1), S.Exponential(0.1, 0.9), nn.TrainState()
    first = list(nn.train(model, nn.BinaryCrossEntropy(), opt, x, y, epochs=2, schedule=sched, state=state))
    second = list(nn.train(model, nn.BinaryCrossEntropy(), opt, x, y, epochs=2, schedule=sched, state=state))
    assert [r.lr for r in first + second] == pytest.approx([0.1 * 0.9**t for t in range(4)])


def test_a_warmed_up_cosine_trains_as_well_as_a_constant_rate():
    x, y = data.spirals(200, 0.05, rng=0)

    def final(sched):
        rng = np.random.default_rng(0)
        model = nn.Sequential(nn.Dense(2, 16, rng=rng), nn.Tanh(), nn.Dense(16, 16, rng=rng), nn.Tanh(),
                              nn.Dense(16, 1, rng=rng), nn.Sigmoid())
        return list(nn.train(model, nn.BinaryCrossEntropy(), nn.Adam(model, 0.03), x, y, epochs=150,
                             batch_size=32, rng=rng, schedule=sched))[-1].loss
    constant = final(S.Constant(0.03))
    warm_cos = final(S.make_schedule("cosine", 0.03, total_steps=150 * 7, warmup_steps=70, min_lr=1e-4))
    assert warm_cos < constant


def test_a_rate_of_zero_stops_training_with_a_clear_message():
    x, y = data.moons(16, 0.1, rng=0)
    model = nn.Sequential(nn.Dense(2, 1, rng=0), nn.Sigmoid())
    with pytest.raises(ValueError, match=r"the schedule gave lr=0.0 at step 3; a learning rate must be a number > 0"):
        list(nn.train(model, nn.BinaryCrossEntropy(), nn.SGD(model, 0.1), x, y, epochs=5,
                      schedule=S.Cosine(0.1, 3)))


@pytest.mark.parametrize(("make", "match"), [
    (lambda: S.Constant(0), "lr must be > 0, got 0"),
    (lambda: S.StepDecay(0.1, 0), "step_size must be >= 1, got 0"),
    (lambda: S.StepDecay(0.1, 5, gamma=1.5), "gamma must be <= 1, got 1.5"),
    (lambda: S.Exponential(0.1, 0), "gamma must be > 0, got 0"),
    (lambda: S.Cosine(0.1, 10, min_lr=0.2), "min_lr must be <= 0.1, got 0.2"),
    (lambda: S.Warmup(0.1, 5), "then must be a schedule"),
    (lambda: S.Warmup(S.Constant(0.1), 0), "warmup_steps must be >= 1, got 0"),
    (lambda: S.make_schedule("linear", 0.1), r"schedule must be one of \['constant', 'step', 'exponential', "),
    (lambda: S.Constant(0.1)(-1), "step must be >= 0, got -1"),
    (lambda: S.Constant(0.1)(1.5), "step must be an integer, got 1.5"),
    (lambda: nn.train(*_tiny(), epochs=1, schedule=0.1), "schedule must be a function f"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def _tiny():
    model = nn.Sequential(nn.Dense(2, 1, rng=0), nn.Sigmoid())
    return model, nn.BinaryCrossEntropy(), nn.SGD(model, 0.1), np.zeros((4, 2)), np.array([0, 1, 0, 1])


def test_cosine_is_the_half_cosine():
    c = S.Cosine(0.4, 8)
    for t in range(9):
        assert c(t) == pytest.approx(0.2 * (1 + math.cos(math.pi * t / 8)))
