"""nnlib.activations: functions, derivatives, backward passes (finite differences), softmax."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nnlib_numgrad import assert_grad_close, central_diff

import nnlib as nn

FAST = settings(max_examples=25, deadline=None, derandomize=True)
LAYERS = [nn.Identity, nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Softmax,
          lambda: nn.LeakyReLU(0.2)]
KINKED = (nn.ReLU, nn.LeakyReLU)


def _inputs(seed, n, k, scale, kinked):
    x = np.random.default_rng(seed).standard_normal((n, k)) * scale
    if kinked:  # keep finite differences off the kink at 0
        x = np.where(np.abs(x) < 1e-3, 0.5, x)
    return x


@FAST
@given(make=st.sampled_from(LAYERS), n=st.integers(1, 5), k=st.integers(1, 6),
       seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([0.3, 1.0, 3.0]))
def test_activation_backward_matches_finite_differences(make, n, k, seed, scale):
    layer = make()
    x = _inputs(seed, n, k, scale, isinstance(layer, KINKED))
    assert nn.check_layer(layer, x, rng=seed) < 1e-6

    r = np.random.default_rng(seed + 1).standard_normal((n, k))
    layer.forward(x)
    dx = layer.backward(r)
    assert dx.shape == x.shape
    assert_grad_close(dx, central_diff(lambda: float(np.sum(layer.forward(x, train=False) * r)), x))


@pytest.mark.parametrize("make", [nn.Identity, nn.Sigmoid, nn.Tanh, nn.ReLU, lambda: nn.LeakyReLU(0.1)])
def test_plain_derivative_matches_finite_differences(make):
    layer = make()
    z = np.linspace(-4, 4, 41) + 0.01  # never exactly on ReLU's kink
    numeric = (layer.f(z + 1e-6) - layer.f(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(layer.df(z), numeric, rtol=1e-6, atol=1e-9)


def test_functions_by_formula():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(nn.Sigmoid.f(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(nn.Sigmoid.df(z), np.exp(-z) / (1 + np.exp(-z)) ** 2, rtol=1e-14)
    np.testing.assert_array_equal(nn.Tanh.f(z), np.tanh(z))
    np.testing.assert_array_equal(nn.ReLU.f(z), [0, 0, 0, 0.5, 2])
    np.testing.assert_array_equal(nn.ReLU.df(z), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(nn.LeakyReLU(0.1).f(z), [-0.2, -0.05, 0, 0.5, 2])
    np.testing.assert_array_equal(nn.LeakyReLU(0.1).df(z), [0.1, 0.1, 0.1, 1, 1])
    np.testing.assert_array_equal(nn.Identity.f(z), z)
    np.testing.assert_array_equal(nn.Identity.df(z), np.ones(5))


def test_sigmoid_is_stable_for_large_inputs_and_keeps_float32():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from exp
        s = nn.sigmoid(z)
        d = nn.Sigmoid.df(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.all(np.isfinite(d)) and d[0] == d[-1] == 0.0
    assert nn.sigmoid(z.astype(np.float32)).dtype == np.float32
    assert nn.sigmoid(np.array([1, -1])).dtype == np.float64


def test_softmax_rows_sum_to_one_and_are_stable():
    z = np.array([[1000.0, 1000.0, 990.0], [-1000.0, 0.0, 1000.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nn.softmax(z)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(s[2], 1 / 3)
    np.testing.assert_array_equal(s[1], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(nn.softmax(np.array([1.0, 2.0])), np.exp([1, 2]) / np.exp([1, 2]).sum())


def test_softmax_backward_is_the_explicit_jacobian_product():
    rng = np.random.default_rng(0)
    z, g = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    layer = nn.Softmax()
    layer.forward(z)
    dz = layer.backward(g)
    for i in range(len(z)):
        s = nn.softmax(z[i])
        jac = np.diag(s) - np.outer(s, s)  # ds_a/dz_b, written out here
        np.testing.assert_allclose(nn.Softmax.jacobian(z[i]), jac, rtol=1e-14, atol=1e-16)
        np.testing.assert_allclose(dz[i], jac.T @ g[i], rtol=1e-12, atol=1e-15)


def test_softmax_jacobian_matches_finite_differences():
    z = np.array([0.3, -1.2, 2.0, 0.1])
    numeric = np.stack([(nn.softmax(z + e) - nn.softmax(z - e)) / 2e-6 for e in np.eye(4) * 1e-6], axis=1)
    np.testing.assert_allclose(nn.Softmax.jacobian(z), numeric, rtol=1e-6, atol=1e-10)


def test_diagonal_softmax_is_the_posts_wrong_gradient():
    rng = np.random.default_rng(1)
    z, g = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    right, wrong = nn.Softmax(), nn.DiagonalSoftmax()
    np.testing.assert_array_equal(right.forward(z), wrong.forward(z))  # same forward
    s = nn.softmax(z)
    np.testing.assert_allclose(wrong.backward(g), g * s * (1 - s), rtol=1e-15)
    assert not np.allclose(wrong.backward(g), right.backward(g), rtol=1e-3)
    assert nn.check_layer(nn.DiagonalSoftmax(), z) > 1e-2  # gradient check catches it
    assert nn.check_layer(nn.Softmax(), z) < 1e-6


def test_backward_uses_the_cached_output_not_a_later_forward():
    layer = nn.Sigmoid()
    x = np.array([[0.0, 1.0]])
    layer.forward(x)
    layer.forward(np.array([[5.0, 5.0]]), train=False)  # evaluation must not clobber the cache
    s = nn.sigmoid(x)
    np.testing.assert_allclose(layer.backward(np.ones((1, 2))), s * (1 - s))


@pytest.mark.parametrize("make", LAYERS + [nn.DiagonalSoftmax])
def test_backward_before_forward(make):
    layer = make()
    with pytest.raises(RuntimeError, match=r"backward called before forward"):
        layer.backward(np.ones((2, 3)))


@pytest.mark.parametrize("make", LAYERS)
def test_backward_rejects_a_grad_of_another_shape(make):
    layer = make()
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"grad must have shape \(4, 3\), got \(1, 3\)"):
        layer.backward(np.ones((1, 3)))


def test_float32_in_float32_out():
    x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    for make in LAYERS:
        layer = make()
        out = layer.forward(x)
        assert out.dtype == np.float32, layer
        assert layer.backward(np.ones_like(x)).dtype == np.float32, layer


def test_get_activation_and_repr():
    for name, cls in nn.ACTIVATIONS.items():
        layer = nn.get_activation(name)
        assert type(layer) is cls
        assert repr(layer) == (f"{cls.__name__}()" if cls is not nn.LeakyReLU else "LeakyReLU(alpha=0.01)")
        assert layer.params() == {} and layer.grads() == {}
    with pytest.raises(ValueError, match=r"activation must be one of .*got 'swish'"):
        nn.get_activation("swish")


@pytest.mark.parametrize(("alpha", "match"), [
    (-0.1, r"alpha must be >= 0, got -0.1"),
    (2, r"alpha must be <= 1, got 2"),
    ("a", r"alpha must be a number, got 'a'"),
    (float("nan"), r"alpha must be finite, got nan"),
])
def test_leaky_relu_rejects_bad_alpha(alpha, match):
    with pytest.raises(ValueError, match=match):
        nn.LeakyReLU(alpha)


def test_softmax_with_a_temperature_shifts_before_it_scales():
    # softmax(z / T) by hand: 1e308 / 0.5 overflows to inf and the result is NaN
    z = np.array([1e308, 0.0])
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(nn.softmax(z / 0.5)).any()
    np.testing.assert_array_equal(nn.softmax(z, temperature=0.5), [1.0, 0.0])
    jac = nn.Softmax.jacobian(z, temperature=0.5)
    assert np.isfinite(jac).all() and np.allclose(jac, 0)
    moderate = np.array([[2.0, 1.0, 0.1], [-3.0, 0.0, 3.0]])
    for t in (0.1, 0.5, 1.0, 5.0):
        np.testing.assert_allclose(nn.softmax(moderate, temperature=t), nn.softmax(moderate / t), rtol=1e-14)
        np.testing.assert_allclose(nn.Softmax.jacobian(moderate[0], temperature=t),
                                   nn.Softmax.jacobian(moderate[0] / t), rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize("temperature", [0, -1.0, float("inf"), float("nan")])
def test_softmax_refuses_a_temperature_that_is_not_positive_and_finite(temperature):
    with pytest.raises(ValueError, match="temperature must be"):
        nn.softmax(np.array([1.0, 2.0]), temperature=temperature)
