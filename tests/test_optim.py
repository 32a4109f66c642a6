"""nnlib.optim: SGD, momentum and Adam against hand-computed updates; in-place updates; errors."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib as nn

G1, G2 = np.array([0.5, 0.25]), np.array([-1.0, 2.0])


def _two_steps(make):
    """Run two steps on p = [1, -2] with the gradients G1 then G2; return p after each."""
    p, g = np.array([1.0, -2.0]), np.zeros(2)
    opt = make([(p, g)])
    seen = []
    for grad in (G1, G2):
        g[...] = grad
        opt.step()
        seen.append(p.copy())
    return seen


def test_sgd_by_hand():
    p1, p2 = _two_steps(lambda pairs: nn.SGD(pairs, lr=0.1))
    np.testing.assert_allclose(p1, [0.95, -2.025], rtol=1e-15)
    np.testing.assert_allclose(p2, [1.05, -2.225], rtol=1e-15)


def test_sgd_momentum_by_hand():
    # v1 = g1 = [0.5, 0.25]; v2 = 0.9 v1 + g2 = [-0.55, 2.225]; p -= lr v
    p1, p2 = _two_steps(lambda pairs: nn.SGD(pairs, lr=0.1, momentum=0.9))
    np.testing.assert_allclose(p1, [0.95, -2.025], rtol=1e-15)
    np.testing.assert_allclose(p2, [1.005, -2.2475], rtol=1e-14)


def test_adam_by_hand():
    p1, p2 = _two_steps(lambda pairs: nn.Adam(pairs, lr=0.1))
    # step 1: m = 0.1 g1, v = 0.001 g1², so m̂ = g1, v̂ = g1² and the step is lr·g1 / (|g1| + eps)
    expected = [1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 - 0.1 * 0.25 / (0.25 + 1e-8)]
    np.testing.assert_allclose(p1, expected, rtol=1e-15)
    # step 2: m = 0.9 m + 0.1 g2 = [-0.055, 0.2225]; v = 0.999 v + 0.001 g2² = [0.00124975, 0.0040624375]
    m_hat = np.array([-0.055, 0.2225]) / (1 - 0.9**2)
    v_hat = np.array([0.00124975, 0.0040624375]) / (1 - 0.999**2)
    np.testing.assert_allclose(p2, p1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-14)


def test_adam_first_step_moves_every_weight_by_about_lr():
    p, g = np.zeros(4), np.array([1e-3, -5.0, 20.0, 1e-6])
    nn.Adam([(p, g)], lr=0.01).step()
    np.testing.assert_allclose(np.abs(p), 0.01, rtol=1e-2)


@pytest.mark.parametrize("make", [lambda m: nn.SGD(m, lr=0.1), lambda m: nn.SGD(m, lr=0.1, momentum=0.5),
                                  lambda m: nn.Adam(m, lr=0.1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_are_in_place_on_the_models_arrays(make, dtype):
    model = nn.Sequential(nn.Dense(3, 2, rng=0, dtype=dtype), nn.Tanh(), nn.Dense(2, 1, rng=1, dtype=dtype))
    arrays = {k: p for k, p in model.params().items()}
    before = {k: p.copy() for k, p in arrays.items()}
    opt = make(model)
    loss = nn.MSE()
    loss.forward(model.forward(np.ones((4, 3))), np.zeros((4, 1)))
    model.backward_loss(loss)
    opt.step()
    for k, p in model.params().items():
        assert p is arrays[k] and p.dtype == dtype
        assert not np.array_equal(p, before[k])
    assert model.layers[0].W is arrays["0.W"]
    assert opt.steps == 1


def test_learning_rate_can_change_between_steps():
    p, g = np.array([1.0]), np.array([1.0])
    opt = nn.SGD([(p, g)], lr=0.1)
    opt.step()
    opt.lr = 0.5
    opt.step()
    np.testing.assert_allclose(p, [1.0 - 0.1 - 0.5])
    assert opt.lr == 0.5


def test_make_optimizer_and_repr():
    model = nn.Sequential(nn.Dense(2, 1, rng=0))
    assert repr(nn.make_optimizer("sgd", model, 0.1)) == "SGD(lr=0.1, momentum=0)"
    assert repr(nn.make_optimizer("momentum", model, 0.1)) == "SGD(lr=0.1, momentum=0.9)"
    assert repr(nn.make_optimizer("adam", model, 0.001)) == "Adam(lr=0.001, beta1=0.9, beta2=0.999)"
    with pytest.raises(ValueError, match=r"optimizer must be one of \['adam', 'momentum', 'sgd'\], got 'rms"):
        nn.make_optimizer("rmsprop", model, 0.1)


# -- bad input ---------------------------------------------------------------------------------

PAIRS = [(np.zeros(2), np.zeros(2))]


@pytest.mark.parametrize("cls", [nn.SGD, nn.Adam])
@pytest.mark.parametrize(("lr", "match"), [
    (0, r"lr must be > 0, got 0"), (-0.1, r"lr must be > 0, got -0.1"),
    (float("nan"), r"lr must be finite, got nan"), (float("inf"), r"lr must be finite, got inf"),
    ("0.1", r"lr must be a number, got '0.1'"),
])
def test_bad_learning_rate_in_constructor_and_setter(cls, lr, match):
    with pytest.raises(ValueError, match=match):
        cls(PAIRS, lr=lr)
    opt = cls(PAIRS, lr=0.1)
    with pytest.raises(ValueError, match=match):
        opt.lr = lr
    assert opt.lr == 0.1  # a rejected value leaves the old one


@pytest.mark.parametrize(("make", "match"), [
    (lambda: nn.SGD(PAIRS, lr=0.1, momentum=-0.5), r"momentum must be >= 0, got -0.5"),
    (lambda: nn.SGD(PAIRS, lr=0.1, momentum=1.0), r"momentum must be <= 0.9999, got 1.0"),
    (lambda: nn.Adam(PAIRS, beta1=1.0), r"beta1 must be <= 0.9999, got 1.0"),
    (lambda: nn.Adam(PAIRS, beta2=-0.1), r"beta2 must be >= 0, got -0.1"),
    (lambda: nn.Adam(PAIRS, eps=0), r"eps must be > 0, got 0"),
    (lambda: nn.SGD([], lr=0.1), r"params must hold at least one \(parameter, gradient\) pair, got none"),
    (lambda: nn.SGD(nn.Sequential(nn.ReLU()), lr=0.1), r"params must hold at least one"),
])
def test_bad_optimizer_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(("params", "match"), [
    ("abc", r"params must be a model or a list of \(parameter, gradient\) array pairs, got 'abc'"),
    ([1, 2], r"params\[0\] must be a \(parameter, gradient\) pair of float arrays of one shape, got 1"),
    ([(np.zeros(2), np.zeros(3))], r"params\[0\] must be a \(parameter, gradient\) pair"),
    ([(np.zeros(2, int), np.zeros(2, int))], r"params\[0\] must be a \(parameter, gradient\) pair"),
])
def test_optimizers_refuse_what_is_not_parameters(params, match):
    for cls in (nn.SGD, nn.Adam):
        with pytest.raises(ValueError, match=match):
            cls(params, lr=0.1)
