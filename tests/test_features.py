"""nnlib.features.FeatureMap: values, Jacobian against finite differences, use in training."""

from __future__ import annotations

import numpy as np
import pytest
from nnlib_numgrad import assert_grad_close, central_diff

import nnlib as nn
from nnlib import data
from nnlib.features import FEATURES, FeatureMap


def test_values_follow_the_formulas_in_the_given_order():
    x = np.array([[1.0, 2.0], [-0.5, 3.0]])
    fm = FeatureMap(["x1x2", "x1", "x2^2", "sin_x1", "x1^2", "sin_x2", "x2"])
    expected = np.c_[x[:, 0] * x[:, 1], x[:, 0], x[:, 1] ** 2, np.sin(x[:, 0]), x[:, 0] ** 2, np.sin(x[:, 1]), x[:, 1]]
    np.testing.assert_allclose(fm(x), expected)
    assert len(fm) == 7 and fm(x).dtype == np.float64


def test_jacobian_matches_finite_differences():
    x = np.random.default_rng(0).uniform(-2, 2, (6, 2))
    fm = FeatureMap(list(FEATURES))
    jac = fm.jacobian(x)
    for k in range(len(fm)):
        r = np.random.default_rng(k).standard_normal(len(x))

        def f(k=k, r=r):
            return float(np.sum(fm(x)[:, k] * r))
        assert_grad_close(jac[:, k, :] * r[:, None], central_diff(f, x))


def test_circles_with_squares_need_no_hidden_layer():
    """x₁² + x₂² separates the circles: a logistic regression on the squared features fits."""
    x, y = data.circles(300, 0.05, rng=0)
    fm = FeatureMap(["x1^2", "x2^2"])
    model = nn.Sequential(nn.Dense(2, 1, rng=0), nn.Sigmoid())
    list(nn.train(model, nn.BinaryCrossEntropy(), nn.Adam(model, 0.1), x, y, epochs=200, transform=fm))
    assert nn.accuracy(model.predict(x, transform=fm), y) > 0.97
    plain = nn.Sequential(nn.Dense(2, 1, rng=0), nn.Sigmoid())
    list(nn.train(plain, nn.BinaryCrossEntropy(), nn.Adam(plain, 0.1), x, y, epochs=200))
    assert nn.accuracy(plain.predict(x), y) < 0.7


def test_config_round_trip_and_equality():
    fm = FeatureMap(["x1", "sin_x2"])
    assert FeatureMap.from_config(fm.config()) == fm
    assert fm != FeatureMap(["sin_x2", "x1"]) and repr(fm) == "FeatureMap(['x1', 'sin_x2'])"


@pytest.mark.parametrize(("make", "match"), [
    (lambda: FeatureMap([]), "names must list at least one feature"),
    (lambda: FeatureMap(["x3"]), "names must be features out of .*, got 'x3'"),
    (lambda: FeatureMap(["x1", "x1"]), "names must not repeat a feature"),
    (lambda: FeatureMap()(np.zeros((3, 3))), r"x must be 2-D points of shape \(n, 2\), got shape \(3, 3\)"),
    (lambda: FeatureMap.from_config({"names": "x1"}), "a feature-map config must be"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
