"""The MNIST lesson's view builders (plain functions) and what they are fed: a short training
run, a drawn "1" read back by a trained net, and post 001's first epoch to the last digit."""

from __future__ import annotations

import json

import numpy as np
import pytest

import nnlib
from nnlib.mnist import load_mnist, preprocess_drawing
from ui import mnist_setup as setup
from ui import mnist_views as views


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def small_net(mnist):
    """A 784-64-10 float32 net trained 2 epochs on 5000 images, and its last epoch record."""
    s = setup.Settings(sizes=(64,), subset=5000, epochs=2, batch_size=64, precision="float32", full_pass=False)
    data = mnist.subset(s.subset, 0)
    model, loss, rng = setup.build(s)
    opt = nnlib.make_optimizer(s.optimizer, model, s.lr)
    kwargs = setup.train_kwargs(s, rng, mnist.flat_test, mnist.y_test)
    records = list(nnlib.train(model, loss, opt, data.flat_train, data.y_train, epochs=s.epochs, **kwargs))
    return model, records[-1]


# -- training --------------------------------------------------------------------------------
def test_short_run_on_a_subset_is_far_better_than_chance(small_net):
    _, last = small_net
    assert last.epoch == 2
    assert last.val_accuracy >= 0.8  # chance is 0.1


def drawn_one() -> np.ndarray:
    """What the canvas returns for a "1": a thick white vertical stroke on 280x280 black RGBA."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[50:230, 130:148, :3] = 255
    return canvas


def test_a_drawn_one_is_read_as_one(small_net):
    model, _ = small_net
    digit = preprocess_drawing(drawn_one())
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    probs = model.predict(digit.reshape(1, 784))[0]
    assert int(np.argmax(probs)) == 1


def test_a_blank_canvas_gives_no_digit():
    blank = np.zeros((280, 280, 4), np.uint8)
    blank[..., 3] = 255
    assert preprocess_drawing(blank) is None


def test_post_gradient_first_epoch_reproduces_the_posts_printout(mnist):
    """Post 001's own code (DiagonalSoftmax + PostCrossEntropy, float64, one-hot labels,
    RandomState(0) for weights and shuffling, last batch dropped): "[0] train_loss: 0.41900695764324003"."""
    s = setup.Settings(gradient="post", epochs=1)
    model, loss, rng = setup.build(s)
    kwargs = setup.train_kwargs(s, rng, mnist.flat_test[:2], setup.targets(s, mnist.y_test[:2]))
    kwargs["validation"] = None
    opt = nnlib.make_optimizer(s.optimizer, model, s.lr)
    record = next(nnlib.train(model, loss, opt, mnist.flat_train, setup.targets(s, mnist.y_train), epochs=1, **kwargs))
    assert record.train_loss == pytest.approx(setup.POST_TRAIN_LOSSES[0], abs=1e-12)


# -- images -----------------------------------------------------------------------------------
def test_weight_mosaic_tiles_one_unit_per_cell_in_diverging_colours():
    W = np.zeros((784, 100))
    W[0, 0], W[1, 0] = 2.0, -2.0  # unit 0: pixel (0, 0) positive, pixel (0, 1) negative
    img = views.weight_mosaic(W, upscale=1, pad=1)
    assert img.shape == (10 * 29 + 1, 10 * 29 + 1, 3) and img.dtype == np.uint8
    assert tuple(img[1, 1]) == views._POS  # red
    assert tuple(img[1, 2]) == views._NEG  # blue
    assert tuple(img[1, 3]) == views._ZERO  # white: zero weight
    assert tuple(img[0, 0]) == views._PAD
    assert tuple(img[1 + 29, 1]) == views._ZERO  # an all-zero unit stays white (no division by 0)


def test_weight_mosaic_caps_units_and_upscales():
    img = views.weight_mosaic(np.random.default_rng(0).normal(size=(784, 200)), max_units=16, upscale=3)
    assert img.shape == ((4 * 29 + 1) * 3, (4 * 29 + 1) * 3, 3)
    with pytest.raises(ValueError, match="784"):
        views.weight_mosaic(np.zeros((100, 784)))


def test_digit_image_is_a_crisp_upscaled_gray_image():
    x = np.zeros((28, 28), np.float32)
    x[3, 4] = 1.0
    img = views.digit_image(x, upscale=6)
    assert img.shape == (168, 168) and img.dtype == np.uint8
    assert img[18:24, 24:30].min() == 255 and img.sum() == 255 * 36
    assert views.digit_image(np.full(784, 7, np.uint8), 2).max() == 7  # uint8 kept as is
    with pytest.raises(ValueError, match="784"):
        views.digit_image(np.zeros(10))


# -- predictions ------------------------------------------------------------------------------
def test_probability_frame_marks_guess_and_true_digit():
    probs = np.full(10, 0.02)
    probs[7], probs[1] = 0.7, 0.12
    df = views.probability_frame(probs, true=1)
    assert list(df["role"])[7] == "wrong guess" and list(df["role"])[1] == "true digit"
    assert views.probability_frame(probs, true=7)["role"][7] == "guess"
    assert set(views.probability_frame(probs)["role"]) == {"guess", "other"}


def test_probability_chart_is_bars_on_a_zero_to_one_scale():
    spec = views.probability_chart(np.eye(10)[3], true=5).to_dict()  # sure of 3, truly a 5
    bars, marker = spec["layer"]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert bars["encoding"]["x"]["sort"] == views.DIGITS
    # the true digit's bar is ~0 high: a marker shows where it is
    assert marker["mark"]["type"] == "point" and "true digit" in str(marker["transform"])
    roles = dict(views.probability_frame(np.eye(10)[3], 5)[["digit", "role"]].values.tolist())
    assert roles[views.DIGITS[3]] == "wrong guess" and roles[views.DIGITS[5]] == "true digit"


def test_misclassified_lists_the_most_confident_mistakes_first():
    labels = np.array([0, 1, 2, 3])
    probs = np.array([[0.9, 0.1] + [0] * 8,   # right
                      [0.6, 0.4] + [0] * 8,   # wrong, 0.6 sure
                      [0.95, 0.05] + [0] * 8,  # wrong, 0.95 sure
                      [0.0] * 3 + [1.0] + [0] * 6])  # right
    assert list(views.misclassified(probs, labels)) == [2, 1]
    assert list(views.misclassified(probs, labels, k=1)) == [2]


def test_per_class_frame_counts_and_rates():
    labels = np.array([0, 0, 1, 1, 1, 9])
    guesses = np.array([0, 5, 1, 1, 2, 9])
    df = views.per_class_frame(labels, guesses).set_index("digit")
    assert df.loc["0", "images"] == 2 and df.loc["0", "accuracy"] == 0.5
    assert df.loc["1", "correct"] == 2 and df.loc["1", "error %"] == pytest.approx(100 / 3)
    assert df.loc["4", "images"] == 0 and df.loc["4", "accuracy"] == 0  # absent digit: no division error
    assert views.per_class_chart(df.reset_index()).to_dict()["layer"][0]["mark"]["type"] == "bar"


def test_confusion_chart_can_hide_the_diagonal():
    labels, guesses = np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2])
    full = views.confusion_chart(labels, guesses)
    mistakes = views.confusion_chart(labels, guesses, mistakes_only=True)
    cells = {(r["true"], r["predicted"]): r["count"] for r in full.data.to_dict("records")}
    hidden = {(r["true"], r["predicted"]): r["count"] for r in mistakes.data.to_dict("records")}
    assert cells[("0", "0")] == 1 and cells[("0", "1")] == 1 and len(cells) == 100
    assert hidden[("0", "0")] == 0 and hidden[("0", "1")] == 1
    assert "diagonal hidden" in json.dumps(mistakes.to_dict())


# -- versus the post --------------------------------------------------------------------------
def post_history(n: int, full_pass: bool = True) -> list[dict]:
    return [{"epoch": k + 1, "loss": 0.5, "train_loss": setup.POST_TRAIN_LOSSES[k] if full_pass else None,
             "val_loss": setup.POST_TEST_CE, "val_accuracy": setup.POST_TEST_ACCURACY, "seconds": 1.5 * (k + 1)}
            for k in range(n)]


def test_epoch_seconds_is_the_last_epochs_share():
    assert views.epoch_seconds([]) is None
    assert views.epoch_seconds(post_history(1)) == 1.5
    assert views.epoch_seconds(post_history(3)) == pytest.approx(1.5)


def test_post_comparison_lines_up_epochs_and_final_numbers():
    df = views.post_comparison(post_history(20))
    assert len(df) == 22 and (df["difference"] == 0).all()
    assert df["quantity"].iloc[0] == "epoch 1 train loss"
    assert list(df["quantity"].iloc[-2:]) == ["epoch 20 test cross-entropy", "epoch 20 test accuracy"]
    assert df["post"].iloc[0] == 0.41900695764324003
    short = views.post_comparison(post_history(2, full_pass=False))
    assert len(short) == 2 and short["quantity"].iloc[1] == "epoch 2 train loss (batch mean)"
    assert short["this run"].iloc[1] == 0.5


def test_post_loss_frame_overlays_the_printout_and_this_run():
    only_post = views.post_loss_frame([])
    assert len(only_post) == 20 and set(only_post["run"]) == {"the post"}
    df = views.post_loss_frame(post_history(3))
    assert len(df) == 23
    assert set(df[df["run"] == "current run"]["series"]) == {"train loss (full pass)"}


def test_a_confusion_cell_click_selects_its_test_images():
    labels = np.array([4, 4, 9, 4, 7, 4])
    guesses = np.array([9, 4, 9, 9, 1, 9])
    assert views.cell_indices(labels, guesses, 4, 9).tolist() == [0, 3, 5]
    assert views.cell_indices(labels, guesses, 4, 9, k=2).tolist() == [0, 3]
    assert views.cell_indices(labels, guesses, 7, 7).size == 0
    assert views.selected_cell({"cell": [{"true": "4", "predicted": "9"}]}) == (4, 9)  # Streamlit's state
    assert views.selected_cell({"cell": []}) is None and views.selected_cell(None) is None
    assert views.selected_cell({"cell": [{"true": "<b>"}]}) is None  # never trusted blindly
    chart = json.loads(views.confusion_chart(labels, guesses, select="cell").to_json())
    params = chart.get("params", []) + [p for layer in chart["layer"] for p in layer.get("params", [])]
    assert params and params[0]["name"] == "cell" and params[0]["select"]["fields"] == ["true", "predicted"]


def test_a_difference_of_zero_reads_0_and_tiny_ones_keep_their_sign():
    assert views.difference_text(-0.0) == "0" and views.difference_text(0.0) == "0"
    assert views.difference_text(-1.1e-16) == "-1.1e-16" and views.difference_text(0.00042) == "+4.2e-04"
    assert views.difference_text(None) == "—" and views.difference_text(float("nan")) == "—"
