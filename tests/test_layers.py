"""nnlib.layers: Dense forward/backward, initialisation, random sources, dtypes, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nnlib_numgrad import assert_grad_close, central_diff

import nnlib as nn

FAST = settings(max_examples=30, deadline=None, derandomize=True)


@FAST
@given(n=st.integers(1, 6), d_in=st.integers(1, 6), d_out=st.integers(1, 6), bias=st.booleans(),
       seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([0.1, 1.0, 3.0]))
def test_dense_gradients_match_finite_differences(n, d_in, d_out, bias, seed, scale):
    rng = np.random.default_rng(seed)
    layer = nn.Dense(d_in, d_out, bias=bias, rng=rng)
    if bias:
        layer.b[:] = rng.standard_normal(d_out)
    x = rng.standard_normal((n, d_in)) * scale
    assert nn.check_layer(layer, x, rng=seed) < 1e-6

    # The same check, independently: L = sum(Dense(x) * r).
    r = rng.standard_normal((n, d_out))
    layer.forward(x)
    dx = layer.backward(r)

    def f():
        return float(np.sum(layer.forward(x, train=False) * r))

    assert_grad_close(dx, central_diff(f, x))
    assert_grad_close(layer.dW, central_diff(f, layer.W))
    if bias:
        assert_grad_close(layer.db, central_diff(f, layer.b))


def test_dense_forward_and_backward_by_hand():
    layer = nn.Dense(2, 3, init="zeros")
    layer.W[:] = [[1, 2, 3], [4, 5, 6]]
    layer.b[:] = [0.5, -0.5, 1]
    x = np.array([[1.0, 0.0], [2.0, -1.0]])
    np.testing.assert_array_equal(layer.forward(x), [[1.5, 1.5, 4.0], [-1.5, -1.5, 1.0]])
    g = np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 1.0]])
    dx = layer.backward(g)
    np.testing.assert_array_equal(layer.dW, x.T @ g)
    np.testing.assert_array_equal(layer.db, [1.0, 2.0, 0.0])
    np.testing.assert_array_equal(dx, g @ layer.W.T)
    assert layer.backward(g, need_input_grad=False) is None


def test_dense_params_and_grads_by_name_are_the_live_arrays():
    layer = nn.Dense(3, 2, rng=0)
    assert set(layer.params()) == {"W", "b"} == set(layer.grads())
    assert layer.params()["W"] is layer.W and layer.grads()["b"] is layer.db
    no_bias = nn.Dense(3, 2, bias=False, rng=0)
    assert set(no_bias.params()) == {"W"} == set(no_bias.grads())
    assert no_bias.b is None
    np.testing.assert_array_equal(no_bias.forward(np.ones((1, 3))), np.ones((1, 3)) @ no_bias.W)


def test_dense_backward_writes_gradients_in_place():
    layer = nn.Dense(3, 2, rng=0)
    dW, db = layer.dW, layer.db
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    assert layer.dW is dW and layer.db is db
    np.testing.assert_array_equal(db, [4.0, 4.0])


@pytest.mark.parametrize(
    ("init", "scale", "expected_std"),
    [
        ("normal", None, 1.0),
        ("normal", 0.1, 0.1),
        ("normal", 0.01, 0.01),
        ("he", None, np.sqrt(2 / 400)),
        ("xavier", None, np.sqrt(2 / (400 + 300))),
    ],
)
def test_dense_init_scales(init, scale, expected_std):
    layer = nn.Dense(400, 300, init=init, scale=scale, rng=0)
    assert layer.W.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(layer.W.mean()) < 0.01 * expected_std * 10
    np.testing.assert_array_equal(layer.b, 0)


def test_dense_zeros_init():
    layer = nn.Dense(3, 4, init="zeros")
    np.testing.assert_array_equal(layer.W, 0)


def test_random_sources_int_generator_and_legacy_randomstate():
    w_int = nn.Dense(5, 4, init="normal", rng=7).W
    np.testing.assert_array_equal(w_int, np.random.default_rng(7).standard_normal((5, 4)))
    np.testing.assert_array_equal(nn.Dense(5, 4, init="normal", rng=np.random.default_rng(7)).W, w_int)
    # RandomState(0) replays np.random.seed(0); np.random.randn(5, 4), as the posts draw.
    np.random.seed(0)
    expected = np.random.randn(5, 4) * 0.1
    got = nn.Dense(5, 4, init="normal", scale=0.1, rng=np.random.RandomState(0)).W
    np.testing.assert_array_equal(got, expected)
    assert not np.array_equal(nn.Dense(5, 4, rng=1).W, nn.Dense(5, 4, rng=2).W)


def test_layers_drawn_in_order_continue_one_stream():
    rs = np.random.RandomState(0)
    a, b = nn.Dense(3, 2, init="normal", rng=rs), nn.Dense(2, 2, init="normal", rng=rs)
    ref = np.random.RandomState(0)
    np.testing.assert_array_equal(a.W, ref.randn(3, 2))
    np.testing.assert_array_equal(b.W, ref.randn(2, 2))


def test_float32_layer_stays_float32():
    layer = nn.Dense(3, 2, rng=0, dtype=np.float32)
    assert layer.W.dtype == layer.b.dtype == layer.dW.dtype == np.float32
    out = layer.forward(np.ones((4, 3)))  # float64 input is cast once, not upcast
    assert out.dtype == np.float32
    assert layer.backward(np.ones((4, 2), np.float32)).dtype == np.float32


def test_forward_without_train_caches_nothing():
    layer = nn.Dense(2, 2, rng=0)
    layer.forward(np.ones((3, 2)), train=False)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.ones((3, 2)))


def test_repr_and_config():
    assert repr(nn.Dense(3, 2)) == "Dense(3, 2)"
    assert repr(nn.Dense(3, 2, bias=False)) == "Dense(3, 2, bias=False)"
    assert nn.Dense(3, 2, dtype=np.float32).config() == {
        "type": "Dense", "in_features": 3, "out_features": 2, "bias": True, "dtype": "float32"}


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "match"), [
    ({"in_features": 0, "out_features": 3}, r"in_features must be >= 1, got 0"),
    ({"in_features": 3, "out_features": 0}, r"out_features must be >= 1, got 0"),
    ({"in_features": -2, "out_features": 3}, r"in_features must be >= 1, got -2"),
    ({"in_features": 2.5, "out_features": 3}, r"in_features must be an integer, got 2.5"),
    ({"in_features": 2, "out_features": 3, "init": "uniform"}, r"init must be one of .*got 'uniform'"),
    ({"in_features": 2, "out_features": 3, "scale": 0}, r"scale must be > 0, got 0"),
    ({"in_features": 2, "out_features": 3, "dtype": np.int32}, r"dtype must be float32 or float64.*int32"),
    ({"in_features": 2, "out_features": 3, "rng": -1}, r"rng must be a non-negative seed, got -1"),
    ({"in_features": 2, "out_features": 3, "rng": "seed"}, r"rng must be an int seed.*got 'seed'"),
])
def test_dense_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.Dense(**kwargs)


def test_dense_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3\) for Dense\(3, 2\), got \(4, 5\)"):
        nn.Dense(3, 2, rng=0).forward(np.ones((4, 5)))


def test_dense_rejects_1d_input():
    with pytest.raises(ValueError, match=r"x must have shape \(n, 3\).*got \(3,\)"):
        nn.Dense(3, 2, rng=0).forward(np.ones(3))


def test_dense_backward_before_forward():
    with pytest.raises(RuntimeError, match=r"Dense.backward called before forward"):
        nn.Dense(3, 2, rng=0).backward(np.ones((1, 2)))


def test_dense_backward_rejects_wrong_grad_shape():
    layer = nn.Dense(3, 2, rng=0)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"grad must have shape \(4, 2\), got \(4, 3\)"):
        layer.backward(np.ones((4, 3)))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"init": "he", "scale": 0.01}, r"scale applies to init='normal' only, got scale=0.01 with init='he'"),
    ({"dtype": "foo"}, r"dtype must be float32 or float64, got 'foo'"),
    ({"dtype": np.int32}, r"dtype must be float32 or float64, got int32"),
])
def test_dense_rejects_contradictory_or_unknown_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.Dense(2, 3, **kwargs)


def test_plotting_derivatives_keep_float32():
    z = np.linspace(-2, 2, 5, dtype=np.float32)
    for act in (nn.Identity(), nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(0.1)):
        assert act.df(z).dtype == np.float32, act
