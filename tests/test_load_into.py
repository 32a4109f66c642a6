"""ui.live.load_into (the upload path of every training page): mismatch messages name the real
difference, a precision change is converted, and a hostile file costs nothing but its bytes."""

from __future__ import annotations

import re
import tracemalloc

import hostile_npz as h
import numpy as np
import pytest

import nnlib
from ui import live
from ui.run import TrainingRun


def shown(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")  # escapes, invisible word joiners


def run_of(model: nnlib.Sequential) -> TrainingRun:
    return TrainingRun(signature=(), model=model, loss=nnlib.CrossEntropy(), optimizer=nnlib.SGD(model, 0.1),
                       x=np.random.default_rng(0).random((5, model.in_features)), y=np.arange(5) % 3)


def net(dtype=np.float64, bias=True, act=nnlib.ReLU, width=6):
    return nnlib.Sequential(nnlib.Dense(4, width, rng=0, dtype=dtype, bias=bias), act(),
                            nnlib.Dense(width, 3, rng=1, dtype=dtype, bias=bias), nnlib.Softmax())


@pytest.mark.parametrize(("saved", "page", "expected"), [
    (net(bias=False), net(), "biases: without biases in the file, with biases on this page"),
    (net(act=nnlib.Tanh), net(), "activations: Tanh, Softmax in the file, ReLU, Softmax on this page"),
    (net(width=9), net(), "layer sizes: 4-9-3 in the file, 4-6-3 on this page"),
    (net(act=lambda: nnlib.LeakyReLU(0.2)), net(act=nnlib.LeakyReLU),
     "activations: LeakyReLU(α=0.2), Softmax in the file, LeakyReLU(α=0.01), Softmax on this page"),
])
def test_a_mismatch_names_the_real_difference(saved, page, expected):
    ok, message = live.load_into("mlp", run_of(page), h.saved(saved), "model.npz")
    assert not ok and expected in shown(message), message
    assert "does not fit this page's model" in message


def test_two_differences_are_both_named():
    ok, message = live.load_into("mlp", run_of(net()), h.saved(net(np.float32, bias=False)), "m.npz")
    assert not ok and "precision: float32 in the file, float64 on this page" in shown(message)
    assert "biases: without biases in the file" in shown(message)


@pytest.mark.parametrize(("saved_dtype", "page_dtype"), [(np.float64, np.float32), (np.float32, np.float64)])
def test_a_precision_change_is_converted_and_said(saved_dtype, page_dtype):
    saved, page = net(saved_dtype), net(page_dtype)
    saved.layers[0].W += 0.125  # not the page's own initial weights
    run = run_of(page)
    ok, message = live.load_into("mlp", run, h.saved(saved), "model.npz")
    assert ok, message
    assert (f"saved in {np.dtype(saved_dtype).name} and converted to this page's {np.dtype(page_dtype).name}"
            in shown(message))
    assert run.model.dtype == page_dtype
    x = np.random.default_rng(1).random((7, 4))
    np.testing.assert_allclose(run.model.predict(x), saved.predict(x), rtol=1e-5)


def test_an_inflating_upload_that_fits_the_page_by_its_architecture_costs_nothing():
    page = h.mnist_model()
    data = h.inflated_weight(h.saved(page), 8000, 8000)  # the architecture says 784-100, the header 8000x8000
    tracemalloc.start()
    ok, message = live.load_into("mnist", run_of(page), data, "big.npz")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert not ok and "holds an array of shape (8000, 8000) for 0.W" in shown(message), message
    assert peak < 4 * 2**20


def test_a_crafted_page_name_in_the_meta_is_shown_as_plain_text():
    ok, message = live.load_into("mlp", run_of(net()), h.saved(net(), meta={"page": "[x](https://e.vil)" * 9}), "m")
    assert not ok and "](" not in message and len(message) < 200
