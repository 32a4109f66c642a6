"""nnlib.gradcheck: the checker itself — against an independent difference, known gradients and bugs."""

from __future__ import annotations

import numpy as np
import pytest
from nnlib_numgrad import central_diff

import nnlib as nn
from nnlib.gradcheck import noise_floor


def test_numerical_grad_of_known_functions():
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(nn.numerical_grad(lambda: float(np.sum(a**3)), a), (3 * a**2).ravel(),
                               rtol=1e-8)
    np.testing.assert_allclose(nn.numerical_grad(lambda: float(np.sin(a).sum()), a, indices=[1, 3]),
                               np.cos(a).ravel()[[1, 3]], rtol=1e-8)
    before = a.copy()
    nn.numerical_grad(lambda: float(a.sum()), a)
    np.testing.assert_array_equal(a, before)  # perturbed in place, then restored


def test_numerical_grad_agrees_with_the_independent_difference():
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((3, 4)), rng.standard_normal((5, 3))

    def f():
        return float(np.sum(np.tanh(x @ w) ** 2))

    np.testing.assert_allclose(nn.numerical_grad(f, w).reshape(w.shape), central_diff(f, w),
                               rtol=1e-9, atol=1e-12)


def test_rel_error():
    assert nn.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert nn.rel_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)
    assert nn.rel_error([1e-12], [0.0]) == pytest.approx(1e-4)  # the default floor 1e-8
    assert nn.rel_error([1e-12], [0.0], floor=1e-3) == pytest.approx(1e-9)
    assert nn.rel_error([], []) == 0.0


def test_noise_floor_follows_the_functions_size():
    assert noise_floor(0.0) == 1e-8
    assert noise_floor(1.0) == pytest.approx(1e7 * 2.220446e-16 / 2e-6, rel=1e-6)  # ≈ 1.1e-3
    assert noise_floor(10.0) == pytest.approx(10 * noise_floor(1.0))


class _Doubled(nn.Dense):
    """A Dense layer whose backward returns twice the true input gradient."""

    def backward(self, grad, need_input_grad=True):
        out = super().backward(grad, need_input_grad)
        return None if out is None else 2 * out


class _NoBiasGrad(nn.Dense):
    def backward(self, grad, need_input_grad=True):
        out = super().backward(grad, need_input_grad)
        self.db[...] = 0
        return out


@pytest.mark.parametrize("cls", [_Doubled, _NoBiasGrad])
def test_check_layer_catches_wrong_gradients(cls):
    x = np.random.default_rng(0).standard_normal((4, 3))
    assert nn.check_layer(nn.Dense(3, 2, rng=0), x) < 1e-7
    assert nn.check_layer(cls(3, 2, rng=0), x) > 0.3


def test_check_loss_catches_wrong_gradients():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 0.9, (6, 1))
    y = rng.integers(0, 2, 6)
    assert nn.check_loss(nn.BinaryCrossEntropy(), p, y) < 1e-7
    assert nn.check_loss(nn.MSE(sum_grad=True), p, y) > 0.5


def test_check_model_on_right_and_wrong_models():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)

    def model(head, first=nn.Dense):
        return nn.Sequential(first(4, 5, rng=0), nn.Tanh(), first(5, 3, rng=1), head)

    assert nn.check_model(model(nn.Softmax()), nn.CrossEntropy(), x, y) < 1e-6
    # Post 001's two pieces are each wrong, and each is caught when paired with a right one ...
    assert nn.check_model(model(nn.DiagonalSoftmax()), nn.CrossEntropy(), x, y) > 0.1
    assert nn.check_model(model(nn.Softmax()), nn.PostCrossEntropy(), x, y) > 0.1
    # ... but together they cancel: s(1-s)·(-(y/s) + (1-y)/(1-s)) = s - y, the true gradient.
    assert nn.check_model(model(nn.DiagonalSoftmax()), nn.PostCrossEntropy(), x, y) < 1e-6
    # A layer subclass with a wrong backward is checked as written, not rebuilt as a plain Dense.
    assert nn.check_model(model(nn.Softmax(), first=_Doubled), nn.CrossEntropy(), x, y) > 0.3


def test_check_model_detail_rows_sampling_and_no_side_effects():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    model = nn.Sequential(nn.Dense(3, 4, rng=0, dtype=np.float32), nn.ReLU(),
                          nn.Dense(4, 1, rng=1, dtype=np.float32), nn.Sigmoid())
    before = {k: p.copy() for k, p in model.params().items()}
    rows = nn.check_model_detail(model, nn.BinaryCrossEntropy(), x, y, n_samples=2, rng=0)
    assert [r["param"] for r in rows] == ["0.W", "0.W", "0.b", "0.b", "2.W", "2.W", "2.b"]
    assert set(rows[0]) == {"param", "index", "backprop", "numerical", "rel_error"}
    assert max(r["rel_error"] for r in rows) < 1e-6  # checked on a float64 copy of a float32 model
    for k, p in model.params().items():
        np.testing.assert_array_equal(p, before[k])
    assert model.activations() == [None, None]  # the model itself never ran
    u8 = (np.abs(x) * 40).astype(np.uint8)
    assert nn.check_model(model, nn.BinaryCrossEntropy(), u8, y, transform=lambda b: b / 255.0) < 1e-6


def test_vanishing_but_correct_gradients_pass():
    """Post 004's deep sigmoid net: early-layer gradients ~1e-13, far below what a central
    difference resolves; the size-aware floor keeps them from looking wrong."""
    rng = np.random.default_rng(0)
    layers = [nn.Dense(10, 32, init="normal", scale=0.01, rng=rng), nn.Sigmoid()]
    for _ in range(5):
        layers += [nn.Dense(32, 32, init="normal", scale=0.01, rng=rng), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Dense(32, 2, init="normal", scale=0.01, rng=rng), nn.Sigmoid())
    x, y = rng.standard_normal((1, 10)), rng.standard_normal((1, 2))
    rows = nn.check_model_detail(model, nn.MSE(half=True), x, y, n_samples=3)
    assert abs(rows[0]["backprop"]) < 1e-10
    assert max(r["rel_error"] for r in rows) < 1e-6


def test_check_layer_checks_a_float32_layer_in_float64():
    from nnlib.gradcheck import check_layer
    layer = nn.Dense(4, 3, rng=0, dtype=np.float32)
    x = np.random.default_rng(1).standard_normal((6, 4))
    assert check_layer(layer, x) < 1e-6
    assert layer.W.dtype == np.float32  # the layer itself is untouched


def test_check_model_without_parameters_says_so():
    from nnlib.gradcheck import check_model
    with pytest.raises(ValueError, match=r"model has no parameters to check"):
        check_model(nn.Sequential(nn.ReLU()), nn.MSE(), np.ones((2, 2)), np.ones((2, 2)))
