"""ui.run.TrainingRun in batch-level slices (issue 12): a slice stops mid-epoch, and the run
carries on exactly as one uninterrupted ``nnlib.train`` would; ui.live's pin names."""

import importlib

import numpy as np
import pytest

import nnlib
from ui import live
from ui.run import TrainingRun


def make_run(n=200, batch=16, seed=0, every_step=False) -> TrainingRun:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (x @ np.array([1.0, -2.0, 0.5]) > 0).astype(float).reshape(-1, 1)
    model = nnlib.Sequential(nnlib.Dense(3, 4, rng=1), nnlib.Tanh(), nnlib.Dense(4, 1, rng=2), nnlib.Sigmoid())
    kwargs = {"batch_size": batch, "rng": np.random.default_rng(3)}
    if every_step:
        kwargs["every_step"] = True
    return TrainingRun(signature=(), model=model, loss=nnlib.BinaryCrossEntropy(),
                       optimizer=nnlib.SGD(model, lr=0.5), x=x, y=y, train_kwargs=kwargs, target_epochs=5)


def test_steps_per_epoch_follows_the_batch_size_and_drop_last():
    assert make_run(n=200, batch=16).steps_per_epoch == 13  # 12 full batches + one of 8
    run = make_run(n=200, batch=16)
    run.train_kwargs["drop_last"] = True
    assert run.steps_per_epoch == 12
    run.train_kwargs["batch_size"] = None
    assert run.steps_per_epoch == 1  # full batch


def test_a_slice_can_stop_mid_epoch_and_resume_exactly():
    sliced, whole = make_run(), make_run()
    assert sliced.advance(max_steps=5) == 0  # no epoch finished
    assert sliced.optimizer.steps == 5 and sliced.epochs_done == 0 and sliced.steps_into_epoch == 5
    assert len(sliced.batch_losses) == 5 and sliced.batch_losses[-1][0] == pytest.approx(5 / 13)
    assert sliced.steps == []  # step records are kept only when the page asks (every_step)
    sliced.advance(max_steps=10)  # crosses the epoch's end (13 steps)
    assert sliced.epochs_done == 1 and sliced.steps_into_epoch == 2 and len(sliced.batch_losses) == 2
    sliced.advance(max_epochs=1)  # finishes epoch 2
    whole.advance(max_epochs=2)
    assert sliced.epochs_done == whole.epochs_done == 2
    for key, p in whole.model.params().items():
        np.testing.assert_array_equal(sliced.model.params()[key], p)
    assert [h["loss"] for h in sliced.history] == [h["loss"] for h in whole.history]


def test_a_zero_budget_trains_exactly_one_step_not_one_epoch():
    run = make_run()
    run.advance(budget=0.0)
    assert run.optimizer.steps == 1 and run.epochs_done == 0


def test_the_page_asked_for_every_step_keeps_them():
    run = make_run(every_step=True)
    seen = []
    run.advance(max_epochs=1, on_step=lambda r, rec: seen.append(rec["step"]))
    assert len(run.steps) == 13 and seen == list(range(1, 14))


def test_a_finished_run_does_not_train_past_its_target():
    run = make_run(n=32, batch=16)
    run.target_epochs = 2
    run.advance()
    assert run.epochs_done == 2 and run.done and not run.playing
    assert run.advance(max_epochs=5) == 0 and run.optimizer.steps == 4


def test_pins_are_named_by_what_differs_from_the_current_run():
    current = "correct gradient · 784-100-200-10 relu · sgd lr=0.1 · 60k · batch 512 · σ=0.1"
    assert live.pin_name(current.replace("σ=0.1", "σ=0.3"), current, 1) == "pin 1: σ=0.3"
    assert live.pin_name(current, current, 2) == "pin 2: same settings"
    assert live.pin_name("lr=0.01, boundary 7", "lr=1, boundary 7", 3) == "pin 3: lr=0.01"


def test_released_caches_leave_no_batch_behind_and_training_unchanged():
    """Issue 17: a paused run with ``release_caches`` holds its weights and gradients only (MNIST: ~4 MB
    less per session), and slicing with the caches dropped trains bit for bit as one uninterrupted run."""
    released, whole = make_run(), make_run()
    released.release_caches = True
    released.advance(max_steps=5)
    held = [layer for layer in released.model.layers for name in layer.CACHES if getattr(layer, name) is not None]
    assert held == [] and released.loss._cache is None
    frame = released._gen.gi_frame.f_locals
    assert all(frame.get(name) is None for name in ("xb", "yb", "pred", "pv"))  # nor does the paused generator
    with pytest.raises(RuntimeError, match="before forward"):
        released.model.layers[0].backward(np.ones((1, 4)))
    released.advance(max_steps=20)
    released.advance(max_epochs=2)
    whole.advance(max_epochs=released.epochs_done)
    assert released.epochs_done == whole.epochs_done
    for key, p in whole.model.params().items():
        np.testing.assert_array_equal(released.model.params()[key], p)
    assert [h["loss"] for h in released.history] == [h["loss"] for h in whole.history]
    kept = make_run()  # by default the caches stay: the MLP pages read the last batch's activations
    kept.advance(max_steps=1)
    assert all(a is not None for a in kept.model.activations())


def test_a_slice_can_stop_inside_the_end_of_epoch_evaluation(monkeypatch):
    """Pause waits for a chunk of the end-of-epoch passes, not for the whole pass (issue 12):
    a zero budget stops after every record, so the evaluation's chunks come one call at a time,
    and the epoch's numbers equal an uninterrupted run's."""
    monkeypatch.setattr(importlib.import_module("nnlib.train"), "EVAL_CHUNK", 50)
    sliced, whole = make_run(), make_run()
    for run in (sliced, whole):
        run.train_kwargs.update(eval_train=True, validation=(run.x[:120], run.y[:120]))
    calls = 0
    while sliced.epochs_done < 1:
        sliced.advance(budget=0.0)
        calls += 1
    # 13 batches, 200 training rows in chunks of 50 (a stop after each but the last: 3) and 120
    # validation rows (2), then the call that ends the epoch
    assert calls == 13 + 3 + 2 + 1
    whole.advance(max_epochs=1)
    drop = {"seconds"}
    assert {k: v for k, v in sliced.history[0].items() if k not in drop} == \
        {k: v for k, v in whole.history[0].items() if k not in drop}
