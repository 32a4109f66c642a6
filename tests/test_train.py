"""nnlib.train: the training generator — steps, batches, records, pausing, seeds, errors."""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest

import nnlib as nn
from nnlib import data


def _setup(seed=0, n=40, dtype=np.float64, lr=0.5, opt="sgd"):
    x, y = data.moons(n, noise=0.1, rng=seed)
    model = nn.Sequential(nn.Dense(2, 8, init="he", rng=seed, dtype=dtype), nn.ReLU(),
                          nn.Dense(8, 1, rng=seed + 1, dtype=dtype), nn.Sigmoid())
    return model, nn.BinaryCrossEntropy(), nn.make_optimizer(opt, model, lr), x, y


def _run(model, loss, opt, x, y, **kw):
    return list(nn.train(model, loss, opt, x, y, **kw))


@pytest.mark.parametrize(("batch_size", "drop_last", "steps_per_epoch"), [
    (None, False, 1), (40, False, 1), (16, False, 3), (16, True, 2), (7, False, 6), (7, True, 5),
    (1, False, 40), (1, True, 40),
])
def test_step_counts(batch_size, drop_last, steps_per_epoch):
    model, loss, opt, x, y = _setup()
    records = _run(model, loss, opt, x, y, epochs=3, batch_size=batch_size, rng=0, drop_last=drop_last)
    assert [r.epoch for r in records] == [1, 2, 3]
    assert [r.step for r in records] == [steps_per_epoch * e for e in (1, 2, 3)]
    assert opt.steps == 3 * steps_per_epoch
    assert all(r.kind == "epoch" for r in records)


def test_full_batch_is_gradient_descent_on_all_rows():
    model, loss, opt, x, y = _setup()
    twin = nn.copy_model(model)
    _run(model, loss, opt, x, y, epochs=1)
    loss.forward(twin.forward(x), y)  # one step by hand on the whole set
    twin.backward_loss(loss)
    nn.SGD(twin, lr=0.5).step()
    for k, p in model.params().items():
        np.testing.assert_array_equal(p, twin.params()[k])


def test_epoch_loss_is_the_batch_weighted_mean_and_step_records_show_each_batch():
    model, loss, opt, x, y = _setup()
    records = _run(model, loss, opt, x, y, epochs=2, batch_size=16, rng=0, every_step=True)
    kinds = [r.kind for r in records]
    assert kinds == ["step"] * 3 + ["epoch"] + ["step"] * 3 + ["epoch"]
    steps, epoch = records[:3], records[3]
    assert [r.step for r in steps] == [1, 2, 3] and all(r.epoch == 1 for r in steps)
    sizes = np.array([16, 16, 8])
    assert epoch.loss == pytest.approx(np.dot([r.loss for r in steps], sizes) / 40, rel=1e-12)
    assert epoch.accuracy == pytest.approx(np.dot([r.accuracy for r in steps], sizes) / 40, rel=1e-12)
    assert all(r.lr == 0.5 for r in records)
    seconds = [r.seconds for r in records]
    assert seconds == sorted(seconds) and seconds[0] >= 0


def test_eval_progress_yields_between_evaluation_chunks_and_changes_no_number(monkeypatch):
    """A caller can stop inside the end-of-epoch passes (issue 12: Pause on MNIST waited for a
    whole 60,000-image pass); the epoch's train and validation numbers stay bit for bit the same."""
    monkeypatch.setattr(importlib.import_module("nnlib.train"), "EVAL_CHUNK", 16)
    runs = {}
    for progress in (False, True):
        model, loss, opt, x, y = _setup()
        runs[progress] = _run(model, loss, opt, x, y, epochs=2, batch_size=16, rng=0, every_step=True,
                              eval_train=True, validation=(x[:20], y[:20]), eval_progress=progress)
    plain, chunked = runs[False], runs[True]
    # 40 training rows in chunks of 16: 2 eval records before the last chunk; 20 validation rows: 1
    assert [r.kind for r in chunked] == (["step"] * 3 + ["eval"] * 3 + ["epoch"]) * 2
    assert [r.as_dict() | {"seconds": 0} for r in chunked if r.kind != "eval"] == \
        [r.as_dict() | {"seconds": 0} for r in plain]
    evals = [r for r in chunked if r.kind == "eval"]
    assert all(np.isnan(r.loss) and r.step == 3 * r.epoch for r in evals)
    seconds = [r.seconds for r in chunked]
    assert seconds == sorted(seconds)


def test_shuffling_follows_the_rng_and_full_batch_never_draws():
    model, loss, opt, x, y = _setup()
    rs = np.random.RandomState(5)
    _run(model, loss, opt, x, y, epochs=2, batch_size=None, rng=rs)
    assert np.array_equal(rs.randint(0, 1000, 5), np.random.RandomState(5).randint(0, 1000, 5))
    # Mini-batches: the index array is shuffled in place at every epoch, as the posts do.
    model, loss, opt, x, y = _setup()
    rs, ref = np.random.RandomState(5), np.random.RandomState(5)
    _run(model, loss, opt, x, y, epochs=2, batch_size=8, rng=rs)
    order = np.arange(40)
    ref.shuffle(order)
    ref.shuffle(order)
    assert rs.randint(0, 10**6) == ref.randint(0, 10**6)


def test_no_shuffle_takes_rows_in_order():
    model, loss, opt, x, y = _setup()
    twin = nn.copy_model(model)
    _run(model, loss, opt, x, y, epochs=1, batch_size=10, shuffle=False)
    sgd = nn.SGD(twin, lr=0.5)
    for i in range(0, 40, 10):
        loss.forward(twin.forward(x[i:i + 10]), y[i:i + 10])
        twin.backward_loss(loss)
        sgd.step()
    for k, p in model.params().items():
        np.testing.assert_array_equal(p, twin.params()[k])


SOURCES = {"int": lambda: 3, "Generator": lambda: np.random.default_rng(3),
           "RandomState": lambda: np.random.RandomState(3)}


@pytest.mark.parametrize("make_rng", SOURCES.values(), ids=SOURCES.keys())
def test_same_seed_same_weights_and_curves(make_rng):
    def run(make):
        x, y = data.moons(60, noise=0.2, rng=1)
        model = nn.Sequential(nn.Dense(2, 6, rng=make()), nn.Tanh(), nn.Dense(6, 1, rng=make()), nn.Sigmoid())
        opt = nn.Adam(model, lr=0.01)
        curve = [r.loss for r in nn.train(model, nn.BinaryCrossEntropy(), opt, x, y, epochs=5, batch_size=8,
                                          rng=make())]
        return model, curve

    (m1, c1), (m2, c2) = run(make_rng), run(make_rng)
    assert c1 == c2  # bit-identical
    for k, p in m1.params().items():
        np.testing.assert_array_equal(p, m2.params()[k])
    m3, c3 = run(lambda: 4)
    assert c3 != c1
    assert not np.array_equal(m3.params()["0.W"], m1.params()["0.W"])


def test_different_shuffle_seeds_give_different_curves_from_the_same_weights():
    curves = []
    for seed in (0, 1):
        model, loss, opt, x, y = _setup()
        curves.append([r.loss for r in _run(model, loss, opt, x, y, epochs=3, batch_size=8, rng=seed)])
    assert curves[0] != curves[1]


def test_pausing_and_resuming_equals_an_uninterrupted_run():
    model_a, loss, opt_a, x, y = _setup()
    straight = [r.loss for r in _run(model_a, loss, opt_a, x, y, epochs=6, batch_size=8, rng=7)]

    model_b, loss_b, opt_b, _, _ = _setup()
    gen = nn.train(model_b, loss_b, opt_b, x, y, epochs=6, batch_size=8, rng=7)
    first = [next(gen).loss for _ in range(2)]  # pause here: stop calling next ...
    rest = [r.loss for r in gen]  # ... and go on later
    assert first + rest == straight
    for k, p in model_a.params().items():
        np.testing.assert_array_equal(p, model_b.params()[k])


def test_changing_the_learning_rate_while_paused_takes_effect_and_keeps_the_state():
    model, loss, opt, x, y = _setup(opt="momentum", lr=0.1)
    gen = nn.train(model, loss, opt, x, y, epochs=4, batch_size=8, rng=0)
    r1 = next(gen)
    velocity = [v.copy() for v in opt.velocity]
    weights = {k: p.copy() for k, p in model.params().items()}
    opt.lr = 0.01
    r2 = next(gen)
    assert (r1.lr, r2.lr) == (0.1, 0.01)
    assert r2.step == 2 * r1.step and r2.epoch == 2

    # Replay epoch 2 by hand from the paused state: the same weights, velocities and lr.
    twin = nn.copy_model(model)
    for k, p in twin.params().items():
        p[...] = weights[k]
    sgd = nn.SGD(twin, lr=0.01, momentum=0.9)
    for v, saved in zip(sgd.velocity, velocity, strict=True):
        v[...] = saved
    rs = nn._checks.as_rng(0)
    order = np.arange(40)
    rs.shuffle(order)
    rs.shuffle(order)
    for i in range(0, 40, 8):
        idx = order[i:i + 8]
        loss.forward(twin.forward(x[idx]), y[idx])
        twin.backward_loss(loss)
        sgd.step()
    for k, p in model.params().items():
        np.testing.assert_allclose(p, twin.params()[k], rtol=1e-12, atol=1e-15)


def test_a_second_call_continues_the_model_optimizer_and_numbering():
    model, loss, opt, x, y = _setup()
    first = _run(model, loss, opt, x, y, epochs=2, batch_size=8, rng=0)
    more = _run(model, loss, opt, x, y, epochs=2, batch_size=8, rng=1, first_epoch=2)
    assert [r.epoch for r in first + more] == [1, 2, 3, 4]
    assert [r.step for r in more] == [15, 20]


def test_validation_and_eval_train_fields():
    model, loss, opt, x, y = _setup()
    xv, yv = data.moons(30, noise=0.1, rng=9)
    plain = _run(*_setup(), epochs=1)
    assert plain[0].val_loss is None and plain[0].val_accuracy is None and plain[0].train_loss is None
    for r in nn.train(model, loss, opt, x, y, epochs=3, batch_size=8, rng=0, validation=(xv, yv),
                      eval_train=True):
        pv = model.predict(xv)
        assert r.val_loss == pytest.approx(loss.value(pv, yv), rel=1e-14)
        assert r.val_accuracy == nn.accuracy(pv, yv)
        assert r.train_loss == pytest.approx(loss.value(model.predict(x), y), rel=1e-14)


def test_training_learns():
    x, y = data.moons(200, noise=0.1, rng=0)
    model = nn.Sequential(nn.Dense(2, 16, init="he", rng=0), nn.Tanh(), nn.Dense(16, 1, rng=1), nn.Sigmoid())
    records = _run(model, nn.BinaryCrossEntropy(), nn.Adam(model, lr=0.02), x, y, epochs=60, batch_size=20,
                   rng=0)
    assert records[-1].loss < 0.2 * records[0].loss
    assert records[-1].accuracy > 0.97


def test_transform_on_uint8_input_and_float32_model():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (64, 12)).astype(np.uint8)
    y = (x[:, :6].sum(axis=1) > x[:, 6:].sum(axis=1)).astype(np.int64)
    model = nn.Sequential(nn.Dense(12, 8, init="he", rng=0, dtype=np.float32), nn.ReLU(),
                          nn.Dense(8, 2, rng=1, dtype=np.float32))
    seen = []

    def transform(xb):
        seen.append(xb.dtype)
        return xb.astype(np.float32) / np.float32(255)

    records = _run(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.5), x, y, epochs=30, batch_size=16,
                   rng=0, transform=transform, validation=(x, y), eval_train=True)
    assert set(seen) == {np.dtype(np.uint8)}
    assert all(p.dtype == np.float32 for p in model.params().values())
    assert records[-1].loss < records[0].loss
    assert records[-1].train_loss == pytest.approx(records[-1].val_loss, rel=1e-6)


def test_one_hot_targets_follow_the_model_dtype():
    x, y = data.blobs(32, rng=0)
    model = nn.Sequential(nn.Dense(2, 2, rng=0, dtype=np.float32), nn.Softmax())
    loss = nn.CrossEntropy()
    _run(model, loss, nn.SGD(model, lr=0.1), x, data.one_hot(y, 2), epochs=1, batch_size=8, rng=0)
    assert loss._cache[1].dtype == np.float32


def test_regression_without_metric():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    model = nn.Sequential(nn.Dense(3, 1, rng=0))
    records = _run(model, nn.MSE(), nn.SGD(model, lr=0.1), x, y, epochs=100, metric=None,
                   validation=(x, y))
    assert records[-1].accuracy is None and records[-1].val_accuracy is None
    assert records[-1].loss < 1e-6


def test_1d_inputs_for_a_one_feature_model():
    x, y = data.logistic_1d(50, rng=0)
    model = nn.Sequential(nn.Dense(1, 1, rng=0), nn.Sigmoid())
    records = _run(model, nn.BinaryCrossEntropy(), nn.SGD(model, lr=0.01), (x - 7) / 2, y, epochs=10,
                   batch_size=1, rng=0)
    assert records[-1].step == 500


def test_divergence_raises_and_names_the_learning_rate():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)) * 10
    y = rng.standard_normal((32, 1)) * 10
    model = nn.Sequential(nn.Dense(4, 16, rng=0), nn.ReLU(), nn.Dense(16, 1, rng=1))
    opt = nn.SGD(model, lr=5.0)
    gen = nn.train(model, nn.MSE(), opt, x, y, epochs=1000)
    done = []
    with np.errstate(all="ignore"), pytest.raises(nn.DivergenceError, match=r"lr=5.*Lower the learning rate"):
        for record in gen:
            done.append(record)
    assert issubclass(nn.DivergenceError, ValueError)
    assert all(np.isfinite(r.loss) for r in done)  # records before the blow-up stay valid


# -- bad input ---------------------------------------------------------------------------------

X = data.moons(40, noise=0.1, rng=0)[0]


@pytest.mark.parametrize(("change", "error", "match"), [
    ({"x": np.ones((40, 3))}, ValueError,
     r"x must have 2 columns \(the model's input width\), got shape \(40, 3\)"),
    ({"x": np.ones((40, 3)), "transform": lambda b: b},
     ValueError, r"x must have shape \(n, 2\) for Dense\(2, 8\), got \(2, 3\)"),
    ({"y": np.zeros(39, int)}, ValueError, r"x and y must have the same number of rows, got 40 and 39"),
    ({"y": np.zeros((40, 2))}, ValueError, r"y must have the model's output shape \(40, 1\), got \(40, 2\)"),
    ({"y": np.full(40, 2)}, ValueError, r"y must hold labels or probabilities in \[0, 1\].*from 2.0 to 2.0"),
    ({"x": np.where(np.arange(80).reshape(40, 2) == 5, np.nan, X)}, ValueError,
     r"x contains 1 NaN/inf value\(s\)"),
    ({"x": np.where(np.arange(80).reshape(40, 2) < 2, np.inf, X)}, ValueError, r"x contains 2 NaN/inf"),
    ({"y": np.where(np.arange(40) == 3, np.nan, 1.0)}, ValueError, r"y contains 1 NaN/inf value\(s\)"),
    ({"y": np.where(np.arange(40) == 3, -np.inf, 1.0)}, ValueError, r"y contains 1 NaN/inf"),
    ({"x": np.array([["a", "b"]] * 40)}, ValueError, r"x must hold numbers, got dtype <U1"),
    ({"x": np.ones((0, 2)), "y": np.ones(0)}, ValueError, r"x must hold at least one sample, got shape \(0"),
    ({"epochs": 0}, ValueError, r"epochs must be >= 1, got 0"),
    ({"epochs": -3}, ValueError, r"epochs must be >= 1, got -3"),
    ({"epochs": 2.5}, ValueError, r"epochs must be an integer, got 2.5"),
    ({"batch_size": 0}, ValueError, r"batch_size must be >= 1, got 0"),
    ({"batch_size": 41}, ValueError, r"batch_size must be <= the number of samples \(40\), got 41"),
    ({"rng": -1}, ValueError, r"rng must be a non-negative seed, got -1"),
    ({"validation": (np.ones((5, 2)),)}, ValueError, r"validation must be a pair \(x_val, y_val\)"),
    ({"validation": (np.ones((5, 3)), np.ones(5))}, ValueError, r"x_val must have 2 columns.*shape \(5, 3\)"),
    ({"validation": (np.ones((5, 2)), np.ones(4))}, ValueError,
     r"validation: x and y must have the same number of rows, got 5 and 4"),
    ({"validation": (np.full((5, 2), np.nan), np.ones(5))}, ValueError, r"x_val contains 10 NaN/inf"),
    ({"validation": (np.ones((5, 2)), np.full(5, 3.0))}, ValueError, r"validation: y must hold labels or"),
])
def test_bad_arguments(change, error, match):
    model, loss, opt, x, y = _setup()
    kw = {"x": x, "y": y, "epochs": 2, "batch_size": 8, "rng": 0} | change
    with pytest.raises(error, match=match):
        nn.train(model, loss, opt, **kw)  # raised at the call, before the first next()


@pytest.mark.parametrize(("y", "match"), [
    (np.linspace(0, 2, 30), r"y must hold integer class labels, got 28 non-integer value\(s\) such as 0.0689655"),
    (np.arange(30) % 4, r"y labels must be in \[0, 2\], got values from 0 to 3"),
    (-(np.arange(30) % 3), r"y labels must be in \[0, 2\], got values from -2 to 0"),
])
def test_bad_class_labels(y, match):
    x = np.random.default_rng(0).standard_normal((30, 4))
    model = nn.Sequential(nn.Dense(4, 3, rng=0))
    with pytest.raises(ValueError, match=match):
        nn.train(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.1), x, y, epochs=1)


def test_a_bad_label_deep_in_the_data_is_found_before_training():
    x = np.random.default_rng(0).standard_normal((1000, 4))
    y = np.zeros(1000, int)
    y[-1] = 7
    model = nn.Sequential(nn.Dense(4, 3, rng=0))
    before = model.params()["0.W"].copy()
    with pytest.raises(ValueError, match=r"y labels must be in \[0, 2\]"):
        nn.train(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.1), x, y, epochs=1, batch_size=10)
    np.testing.assert_array_equal(model.params()["0.W"], before)


def test_record_as_dict():
    records = list(itertools.islice(nn.train(*_setup(), epochs=5), 1))
    d = records[0].as_dict()
    assert set(d) == {"kind", "epoch", "step", "loss", "accuracy", "train_loss", "val_loss",
                      "val_accuracy", "seconds", "lr", "penalty"}


# -- resuming exactly, and the objects train() is given ------------------------------------------

def _resumed(splits):
    model, loss, opt, x, y = _setup()
    rng, state, out = np.random.default_rng(3), nn.TrainState(), []
    for epochs in splits:
        out += [(r.epoch, r.step, r.loss) for r in nn.train(model, loss, opt, x, y, epochs=epochs,
                                                              batch_size=8, rng=rng, state=state)]
    return out, model, state


def test_a_train_state_makes_three_plus_three_epochs_equal_six():
    whole, m1, _ = _resumed([6])
    parts, m2, state = _resumed([3, 1, 2])
    assert parts == whole  # same numbering, same shuffles, same losses, bit for bit
    assert [e for e, _, _ in parts] == [1, 2, 3, 4, 5, 6] and state.epoch == 6
    for k, p in m1.params().items():
        np.testing.assert_array_equal(p, m2.params()[k])
    assert state.seconds > 0


def test_without_a_state_a_second_call_reshuffles_from_scratch():
    whole, _, _ = _resumed([6])
    model, loss, opt, x, y = _setup()
    rng = np.random.default_rng(3)
    parts = [r.loss for e in (3, 3) for r in nn.train(model, loss, opt, x, y, epochs=e, batch_size=8, rng=rng)]
    assert parts[:3] == [w[2] for w in whole[:3]] and parts[3:] != [w[2] for w in whole[3:]]


@pytest.mark.parametrize(("change", "match"), [
    ({"model": "m"}, r"model must be an nnlib Sequential, got 'm'"),
    ({"loss": nn.MSE}, r"loss must be an nnlib Loss \(an instance: add the brackets, e.g. MSE\(\)\)"),
    ({"optimizer": "sgd"}, r"optimizer must be an nnlib Optimizer such as SGD\(model, lr=0.1\), got 'sgd'"),
    ({"optimizer": nn.SGD(_setup()[0], lr=0.1)}, r"optimizer was built for other parameters than this model's"),
    ({"first_epoch": -5}, r"first_epoch must be >= 0, got -5"),
    ({"first_epoch": "a"}, r"first_epoch must be an integer, got 'a'"),
    ({"state": {"epoch": 3}}, r"state must be a TrainState, got \{'epoch': 3\}"),
    ({"state": nn.TrainState(), "first_epoch": 2}, r"give first_epoch or state, not both \(got first_epoch=2\)"),
    ({"state": nn.TrainState(order=np.arange(10))}, r"state belongs to a run on 10 samples, but x has 40"),
    ({"metric": "f1"}, r"metric must be one of \['auto'\], got 'f1'"),
    ({"metric": 3}, r"metric must be a function f\(pred, y\), 'auto' or None, got 3"),
    ({"x": np.ones(40)}, r"x of shape \(40,\) does not fit the model's input"),
])
def test_bad_objects_and_states(change, match):
    model, loss, opt, x, y = _setup()
    kw = {"model": model, "loss": loss, "optimizer": opt, "x": x, "y": y, "epochs": 1} | change
    with pytest.raises(ValueError, match=match):
        nn.train(**kw)


def test_metric_auto_reports_accuracy_for_classification_only():
    model, loss, opt, x, y = _setup()
    assert _run(model, loss, opt, x, y, epochs=1)[0].accuracy is not None  # BCE
    rng = np.random.default_rng(0)
    xr = rng.standard_normal((30, 3))
    reg = nn.Sequential(nn.Dense(3, 1, rng=0))
    r = _run(reg, nn.MSE(), nn.SGD(reg, lr=0.1), xr, xr.sum(axis=1), epochs=1, validation=(xr, xr.sum(axis=1)))[0]
    assert r.accuracy is None and r.val_accuracy is None  # real-valued targets: regression
    r01 = _run(reg, nn.MSE(), nn.SGD(reg, lr=0.1), xr, (xr[:, 0] > 0).astype(float), epochs=1)[0]
    assert r01.accuracy is not None  # 0/1 targets with MSE, as post 002 trains


def test_float32_bce_on_saturated_outputs_trains_instead_of_diverging():
    # In float32, 1 - 1e-10 rounds to 1, so a clip at 1 - eps would leave log(1 - p) = -inf.
    model = nn.Sequential(nn.Dense(1, 1, init="zeros", dtype=np.float32), nn.Sigmoid())
    model.layers[0].W[:] = 1
    x, y = np.array([[20.0], [-20], [1], [-1]]), np.array([0, 1, 0, 1])  # every row wrong, two saturated
    records = _run(model, nn.BinaryCrossEntropy(), nn.SGD(model, lr=0.1), x, y, epochs=50)
    assert all(np.isfinite(r.loss) for r in records)
    assert records[-1].loss < 0.5 * records[0].loss and records[-1].accuracy == 1.0
