"""nnlib.model: Sequential passes, whole-model gradients, parameters, predict, introspection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nnlib_numgrad import assert_grad_close, central_diff

import nnlib as nn
from nnlib.data import one_hot

ACTS = [nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Identity]


def _mlp(widths, act, seed, last=None):
    layers = []
    for i, (a, b) in enumerate(zip(widths, widths[1:], strict=False)):
        layers.append(nn.Dense(a, b, init="xavier", rng=seed + i))
        layers.append(act() if i < len(widths) - 2 else last)
    return nn.Sequential(*[layer for layer in layers if layer is not None])


@settings(max_examples=20, deadline=None, derandomize=True)
@given(act=st.sampled_from(ACTS), hidden=st.integers(1, 5), n=st.integers(1, 6),
       seed=st.integers(0, 10**6), head=st.sampled_from(["softmax_ce", "logits_sce", "sigmoid_bce", "mse"]))
def test_whole_model_gradients_match_finite_differences(act, hidden, n, seed, head):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    if head == "softmax_ce":
        model, loss = _mlp([3, hidden, 4], act, seed, nn.Softmax()), nn.CrossEntropy()
        y = rng.integers(0, 4, n)
    elif head == "logits_sce":
        model, loss = _mlp([3, hidden, 4], act, seed), nn.SoftmaxCrossEntropy()
        y = one_hot(rng.integers(0, 4, n), 4)
    elif head == "sigmoid_bce":
        model, loss = _mlp([3, hidden, 1], act, seed, nn.Sigmoid()), nn.BinaryCrossEntropy()
        y = rng.integers(0, 2, n)
    else:
        model, loss, y = _mlp([3, hidden, 2], act, seed), nn.MSE(), rng.standard_normal((n, 2))
    if act in (nn.ReLU, nn.LeakyReLU):  # keep the hidden pre-activations off the kink
        h = model.layers[0].forward(x, train=False)
        model.layers[0].b[:] += np.where(np.abs(h) < 1e-3, 0.1, 0).max(axis=0)
    assert nn.check_model(model, loss, x, y) < 1e-6

    loss.forward(model.forward(x), y)
    model.backward_loss(loss)
    for name, p in model.params().items():
        numeric = central_diff(lambda: loss.value(model.forward(x, train=False), y), p)
        assert_grad_close(model.grads()[name], numeric)


def test_backward_skips_the_first_layers_input_gradient_and_returns_nothing():
    model = nn.Sequential(nn.Dense(3, 2, rng=0), nn.Tanh(), nn.Dense(2, 1, rng=1))
    model.forward(np.ones((4, 3)))
    assert model.backward(np.ones((4, 1))) is None
    assert np.abs(model.layers[0].dW).sum() > 0


def test_params_and_grads_are_named_live_arrays():
    model = nn.Sequential(nn.Dense(3, 4, rng=0), nn.ReLU(), nn.Dense(4, 2, bias=False, rng=1), nn.Softmax())
    assert list(model.params()) == ["0.W", "0.b", "2.W"] == list(model.grads())
    assert model.params()["2.W"] is model.layers[2].W and model.grads()["0.b"] is model.layers[0].db
    for p, g in model.param_pairs():
        assert p.shape == g.shape
    assert model.n_params == 3 * 4 + 4 + 4 * 2
    assert (model.in_features, model.out_features, model.dtype) == (3, 2, np.float64)
    assert len(model.dense_layers) == 2


def test_list_constructor_and_call():
    layers = [nn.Dense(2, 2, rng=0), nn.Tanh()]
    model = nn.Sequential(layers)
    x = np.ones((3, 2))
    np.testing.assert_array_equal(model(x), np.tanh(x @ layers[0].W + layers[0].b))


def test_predict_equals_forward_in_chunks_and_caches_nothing():
    model = nn.Sequential(nn.Dense(4, 5, rng=0), nn.Sigmoid(), nn.Dense(5, 3, rng=1), nn.Softmax())
    x = np.random.default_rng(0).standard_normal((23, 4))
    full = model.forward(x, train=False)
    np.testing.assert_allclose(model.predict(x, batch_size=5), full, rtol=1e-15)
    np.testing.assert_allclose(model.predict(x), full, rtol=1e-15)
    assert model.activations() == [None, None]
    with pytest.raises(RuntimeError, match="backward called before forward"):
        model.backward(np.ones((23, 3)))
    u8 = (np.abs(x) * 50).astype(np.uint8)
    np.testing.assert_allclose(model.predict(u8, batch_size=7, transform=lambda b: b / 255.0),
                               model.forward(u8 / 255.0, train=False), rtol=1e-15)


def test_one_feature_model_accepts_1d_input():
    model = nn.Sequential(nn.Dense(1, 1, rng=0), nn.Sigmoid())
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_array_equal(model.forward(x), model.forward(x[:, None]))


def test_layer_stats_dead_relu_fraction():
    dense = nn.Dense(2, 3, init="zeros")
    dense.W[:] = [[-1.0, 1.0, 1.0], [-1.0, 1.0, -1.0]]
    dense.b[:] = [-0.1, 0.0, 0.0]  # unit 0 is negative for every non-negative input: dead
    model = nn.Sequential(dense, nn.ReLU(), nn.Dense(3, 1, rng=0), nn.Sigmoid())
    x = np.random.default_rng(0).uniform(0, 1, (50, 2))
    loss = nn.BinaryCrossEntropy()
    loss.forward(model.forward(x), (x[:, 0] > 0.5).astype(int))
    model.backward_loss(loss)
    first, second = model.layer_stats()
    assert first["layer"] == 0 and first["name"] == "Dense(2, 3)" and first["activation"] == "ReLU"
    assert first["dead_fraction"] == pytest.approx(1 / 3)
    assert np.isnan(first["saturated_fraction"])
    assert first["grad_norm"] == pytest.approx(np.linalg.norm(dense.dW))
    assert first["weight_norm"] == pytest.approx(np.linalg.norm(dense.W))
    np.testing.assert_array_equal(dense.dW[:, 0], 0)  # a dead unit gets no gradient
    assert second["activation"] == "Sigmoid"


@pytest.mark.parametrize("act", [nn.Sigmoid, nn.Tanh])
def test_layer_stats_saturation(act):
    dense = nn.Dense(1, 4, init="zeros")
    dense.W[:] = [[100.0, -100.0, 0.1, -0.1]]
    model = nn.Sequential(dense, act())
    model.forward(np.ones((3, 1)))
    (row,) = model.layer_stats()
    assert row["saturated_fraction"] == pytest.approx(0.5)
    assert np.isnan(row["dead_fraction"])


def test_layer_stats_before_any_pass_and_activations():
    model = nn.Sequential(nn.Dense(2, 2, rng=0), nn.ReLU(), nn.Dense(2, 1, rng=0))
    rows = model.layer_stats()
    assert len(rows) == 2 and all(np.isnan(r["dead_fraction"]) for r in rows)
    assert rows[1]["activation"] == "" and rows[0]["grad_norm"] == 0.0
    model.forward(np.ones((3, 2)))
    (relu_out,) = model.activations()
    assert relu_out.shape == (3, 2)


def test_repr_and_config():
    model = nn.Sequential(nn.Dense(784, 100), nn.ReLU(), nn.Dense(100, 10), nn.LeakyReLU(0.2))
    assert repr(model) == ("Sequential(\n  Dense(784, 100),\n  ReLU(),\n  Dense(100, 10),\n"
                           "  LeakyReLU(alpha=0.2)\n)  # 79,510 parameters")
    assert [c["type"] for c in model.config()] == ["Dense", "ReLU", "Dense", "LeakyReLU"]


@pytest.mark.parametrize(("layers", "match"), [
    ((), r"layers must not be empty"),
    ((nn.Dense(2, 3), "relu"), r"layers\[1\] must be an nnlib Layer, got 'relu'"),
    ((nn.Dense(2, 3), nn.ReLU(), nn.Dense(4, 1)),
     r"layer sizes do not chain: Dense\(2, 3\) is followed by Dense\(4, 1\)"),
])
def test_bad_construction(layers, match):
    with pytest.raises(ValueError, match=match):
        nn.Sequential(*layers)


def test_wrong_input_width_names_the_layer():
    model = nn.Sequential(nn.Dense(3, 2), nn.ReLU())
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3\) for Dense\(3, 2\), got \(5, 4\)"):
        model.forward(np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3\)"):
        model.predict(np.ones((5, 4)))


def test_one_layer_instance_twice_is_refused():
    dense, act = nn.Dense(3, 3, rng=0), nn.Tanh()
    with pytest.raises(ValueError, match=r"layers\[2\] is the same object as layers\[0\] \(Dense\(3, 3\)\)"):
        nn.Sequential(dense, nn.Tanh(), dense)
    with pytest.raises(ValueError, match=r"layers\[3\] is the same object as layers\[1\] \(Tanh\(\)\)"):
        nn.Sequential(dense, act, nn.Dense(3, 3), act)


@pytest.mark.parametrize(("batch_size", "match"), [(0, r"batch_size must be >= 1, got 0"),
                                                   (-1, r"batch_size must be >= 1, got -1"),
                                                   (2.5, r"batch_size must be an integer, got 2.5")])
def test_predict_rejects_bad_batch_sizes(batch_size, match):
    model = nn.Sequential(nn.Dense(2, 1, rng=0))
    with pytest.raises(ValueError, match=match):
        model.predict(np.ones((4, 2)), batch_size=batch_size)


def test_lists_are_accepted_as_inputs():
    model = nn.Sequential(nn.Dense(2, 3, rng=0), nn.Softmax())
    np.testing.assert_array_equal(model.forward([[1.0, 2.0]]), model.forward(np.array([[1.0, 2.0]])))
    soft = nn.Softmax()
    s = soft.forward(np.array([1.0, 2.0, 3.0]))  # one logit vector, 1-D
    np.testing.assert_allclose(soft.backward(np.array([1.0, 0, 0])), nn.Softmax.jacobian([1.0, 2.0, 3.0]).T @ [1, 0, 0])
    assert s.shape == (3,)
