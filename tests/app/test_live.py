"""AppTest: the live-training panel shared by every training page (issue 12) — a paused run
stays put, the epoch counter never reads more than its target, the Loss metric is one labelled
quantity before training, while training and after a save and load, a pin says which settings it
really had, and the speed control trains in batches on MNIST."""

import io

import apptools
import numpy as np
import pytest
from apptools import metric
from streamlit.testing.v1 import AppTest

import nnlib
from ui import live
from ui import logistic_views as views


def metric_el(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_a_paused_run_does_not_advance_and_play_trains_at_most_a_slice():
    at = apptools.open_page("pages/single_neuron.py", {"epochs": "5000"})
    at.button(key="neuron_play").click().run()
    run = at.session_state["run:neuron"]
    assert run.playing and 0 < run.epochs_done < 5000  # one slice (0.1 s), not the whole run
    assert run.epochs_done <= max(1, 5000 // 40)  # and never more than the speed's epochs per redraw
    at.button(key="neuron_play").click().run()  # Pause
    assert not run.playing
    paused = run.epochs_done
    for _ in range(3):
        at.run()
    assert run.epochs_done == paused and at.button(key="neuron_play").label == "Resume"


def test_the_counter_never_shows_more_epochs_than_the_target():
    at = apptools.open_page("pages/single_neuron.py", {"epochs": "50"})
    for _ in range(60):
        at.button(key="neuron_play").click().run() if not at.session_state["run:neuron"].playing else at.run()
        if at.session_state["run:neuron"].done:
            break
    assert metric(at, "Epoch") == "50 / 50"
    at.select_slider(key="neuron.epochs").set_value(10).run()  # lower the target of the finished run
    value = metric(at, "Epoch")
    assert value == "50 (target 10)" and "/" not in value
    assert any("Trained past the new target" in c.value for c in at.caption)
    bar = at.get("progress")[0].proto.text
    assert "50 epochs (target 10)" in bar and "of 10" not in bar  # the progress bar agrees: never "50 of 10"
    at = apptools.open_page("pages/logistic_1d.py", {"epochs": "2"})
    for _ in range(2):
        at.button(key="logistic_step").click().run()
    at.select_slider(key="logistic.epochs").set_value(1).run()
    assert any("Reset to train 1 epoch." in c.value for c in at.caption)  # not "1 epochs"
    assert "2 epochs (target 1)" in at.get("progress")[0].proto.text


def test_before_training_the_loss_is_the_initial_loss_labelled_at_epoch_0():
    at = apptools.open_page("pages/logistic_1d.py")
    run = at.session_state["run:logistic"]
    w, b = views.weights(run.model)
    expected = float(views.mean_bce(run.x, run.y, w, b))
    loss = metric_el(at, "Loss")
    assert loss.value == f"{expected:.4f}" and loss.value != "—"
    assert loss.proto.delta == "at epoch 0"


def test_the_loss_is_the_same_quantity_before_a_save_and_after_the_load():
    at = apptools.open_page("pages/logistic_1d.py")
    for _ in range(3):
        at.button(key="logistic_step").click().run()
    run = at.session_state["run:logistic"]
    before = metric(at, "Loss")
    w, b = views.weights(run.model)
    assert before == f"{float(views.mean_bce(run.x, run.y, w, b)):.4f}"  # the current weights, all rows
    blob = live.model_bytes(run, {"page": "logistic", "epochs": run.epochs_done})
    at.button(key="logistic_reset").click().run()
    fresh = at.session_state["run:logistic"]
    ok, message = live.load_into("logistic", fresh, blob, "model.npz")
    assert ok, message
    at.run()
    assert metric(at, "Loss") == before  # the same quantity, not the epoch's running mean
    assert metric_el(at, "Loss").proto.delta == "loaded weights"


def test_a_pin_lists_the_learning_rates_the_run_really_had():
    at = apptools.open_page("pages/single_neuron.py")
    at.button(key="neuron_step").click().run()
    at.select_slider(key="neuron.lr").set_value(1.0).run()  # changed mid-run: the model is kept
    at.button(key="neuron_step").click().run()
    at.button(key="neuron_pin").click().run()
    assert at.session_state["pins:neuron"][-1]["label"] == "lr=0.01 → lr=1"
    assert not at.toast  # said inline, under the buttons, not in a toast over the metrics
    assert any("Run pinned" in c.value for c in at.caption)


@pytest.fixture
def not_hosted(monkeypatch):
    monkeypatch.setenv("NNLIB_HOSTED", "0")


def test_mnist_steps_one_batch_and_shows_progress_within_the_epoch(not_hosted):
    at = apptools.open_page("pages/mnist.py", {"subset": "1000", "batch": "32", "epochs": "2"})
    assert "s1" in at.selectbox(key="mnist_speed").options or at.selectbox(key="mnist_speed").options
    at.selectbox(key="mnist_speed").set_value("s1").run()
    at.button(key="mnist_step").click().run()
    run = at.session_state["run:mnist"]
    assert run.optimizer.steps == 1 and run.epochs_done == 0 and run.steps_into_epoch == 1
    bar = at.get("progress")[0]
    assert "batch 1 of 31" in bar.proto.text and "lr 0.1" in bar.proto.text  # 1000 // 32 (last one dropped)
    assert metric(at, "Epoch") == "0 / 2"
    assert at.button(key="mnist_play").label == "Resume"  # trained inside the first epoch: not "Play" again
    at.selectbox(key="mnist_speed").set_value("s10").run()
    at.button(key="mnist_step").click().run()
    assert run.optimizer.steps == 11


def test_mnist_loaded_model_shows_its_losses(not_hosted):
    at = apptools.open_page("pages/mnist.py", {"subset": "1000", "batch": "32", "epochs": "2"})
    at.button(key="mnist_step").click().run()
    run = at.session_state["run:mnist"]
    blob = live.model_bytes(run, {"page": "mnist", "epochs": 1})
    at.button(key="mnist_reset").click().run()
    fresh = at.session_state["run:mnist"]
    ok, message = live.load_into("mnist", fresh, blob, "digits.npz")
    assert ok, message
    at.run()
    assert metric(at, "Loss") != "—" and metric(at, "Test loss") != "—"
    pred = fresh.model.predict(fresh.train_kwargs["validation"][0], transform=fresh.train_kwargs.get("transform"))
    assert float(metric(at, "Test loss")) == pytest.approx(fresh.loss.value(pred, fresh.train_kwargs["validation"][1]),
                                                           abs=1e-4)
    assert np.isfinite(float(metric(at, "Loss")))
    assert isinstance(nnlib.load(io.BytesIO(blob)), nnlib.Sequential)


def test_a_control_change_while_playing_is_drawn_before_any_more_training(not_hosted):
    at = apptools.open_page("pages/mnist.py", {"subset": "1000", "batch": "32", "epochs": "5"})
    at.selectbox(key="mnist_speed").set_value("s1").run()
    at.button(key="mnist_play").click().run()
    run = at.session_state["run:mnist"]
    assert run.playing and run.optimizer.steps >= 1  # the Play click trains one slice
    steps = run.optimizer.steps
    at.select_slider(key="mnist.lr").set_value(0.3).run()  # changed while playing
    assert run.playing and run.optimizer.lr == 0.3
    assert run.optimizer.steps == steps  # this run only drew the change...
    assert "lr 0.3" in at.get("progress")[0].proto.text  # ...which the progress bar shows
    at.run()  # the next tick trains on, with the new rate
    assert run.optimizer.steps > steps and run.playing


def _unchanged_loss_page():
    import nnlib
    from ui import live
    from ui.run import TrainingRun

    x, y = nnlib.data.toy4()
    model = nnlib.Sequential(nnlib.Dense(3, 1, rng=0), nnlib.Sigmoid())
    run = TrainingRun(("toy",), model, nnlib.BinaryCrossEntropy(), nnlib.SGD(model, 0.1), x, y, target_epochs=5)
    run.advance(max_epochs=1)
    live.metrics(run)
    run.history.append({**run.history[-1], "epoch": 2})  # an epoch that left the weights as they were
    live.metrics(run)


def test_an_unchanged_loss_reads_plus_minus_0_in_grey_not_a_red_rise():
    """A reviewer saw "+0.0000" with a red arrow up on a run whose loss had stopped moving."""
    at = AppTest.from_function(_unchanged_loss_page).run()
    assert not at.exception, at.exception
    loss = [m for m in at.metric if m.label == "Loss"][-1]
    assert loss.proto.delta == "±0" and loss.proto.color == loss.proto.GRAY and loss.proto.direction == loss.proto.NONE


def test_mnist_says_which_quantity_its_loss_and_train_accuracy_are_before_a_save_and_after_the_load(not_hosted):
    # A big training set is not evaluated again after each epoch: the row shows the epoch's batches, averaged.
    # After a load it shows the loaded weights on every row: another quantity (another number), and both the
    # Loss and the Train accuracy say which one they are.
    at = apptools.open_page("pages/mnist.py", {"subset": "10000", "batch": "256", "epochs": "2", "fullpass": "0"})
    run = at.session_state["run:mnist"]
    run.advance(max_epochs=1)
    at.run()
    for name in ("Loss", "Train accuracy"):
        assert "the batches of epoch 1, averaged" in metric_el(at, name).proto.help, name
    blob = live.model_bytes(run, {"page": "mnist", "epochs": 1})
    at.button(key="mnist_reset").click().run()
    ok, message = live.load_into("mnist", at.session_state["run:mnist"], blob, "digits.npz")
    assert ok, message
    at.run()
    for name in ("Loss", "Train accuracy"):
        assert "the current weights on all 10,000 training rows" in metric_el(at, name).proto.help, name
