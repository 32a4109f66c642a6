"""nnlib.losses: values, gradients (finite differences), the fused softmax/sigmoid pairs, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nnlib_numgrad import assert_grad_close, central_diff

import nnlib as nn
from nnlib.data import one_hot

FAST = settings(max_examples=30, deadline=None, derandomize=True)
SEEDS = st.integers(0, 2**31 - 1)


def _check(loss, pred, target):
    """nnlib's checker and the independent one agree that loss.backward() is dL/dpred."""
    assert nn.check_loss(loss, pred, target) < 1e-6
    loss.forward(pred, target)
    analytic = loss.backward()
    assert_grad_close(analytic, central_diff(lambda: loss.value(pred, target), pred))


@FAST
@given(n=st.integers(1, 6), k=st.integers(1, 4), seed=SEEDS, half=st.booleans())
def test_mse_gradient(n, k, seed, half):
    rng = np.random.default_rng(seed)
    _check(nn.MSE(half=half), rng.standard_normal((n, k)), rng.standard_normal((n, k)))


@FAST
@given(n=st.integers(1, 6), seed=SEEDS, soft=st.booleans())
def test_bce_gradient(n, seed, soft):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, (n, 1))
    y = rng.uniform(0, 1, (n, 1)) if soft else rng.integers(0, 2, (n, 1)).astype(float)
    _check(nn.BinaryCrossEntropy(), p, y)


@FAST
@given(n=st.integers(1, 6), k=st.integers(2, 5), seed=SEEDS, labels=st.sampled_from(["int", "onehot"]))
def test_cross_entropy_gradient(n, k, seed, labels):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 1.0, (n, k))
    p /= p.sum(axis=1, keepdims=True)  # rows must be distributions (the ±1e-6 steps stay within ROW_SUM_TOL)
    y = rng.integers(0, k, n)
    _check(nn.CrossEntropy(), p, y if labels == "int" else one_hot(y, k))


@FAST
@given(n=st.integers(1, 6), k=st.integers(2, 5), seed=SEEDS, scale=st.sampled_from([0.5, 2.0, 5.0]),
       labels=st.sampled_from(["int", "onehot"]))
def test_softmax_cross_entropy_gradient_on_logits(n, k, seed, scale, labels):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, k)) * scale
    y = rng.integers(0, k, n)
    _check(nn.SoftmaxCrossEntropy(), z, y if labels == "int" else one_hot(y, k))


@FAST
@given(n=st.integers(1, 8), k=st.integers(2, 6), seed=SEEDS, labels=st.sampled_from(["int", "onehot"]))
def test_fused_softmax_cross_entropy_equals_the_chain(n, k, seed, labels):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, k)) * 2
    y = rng.integers(0, k, n)
    target = y if labels == "int" else one_hot(y, k)

    softmax, ce, sce = nn.Softmax(), nn.CrossEntropy(), nn.SoftmaxCrossEntropy()
    p = softmax.forward(z)
    value_chain = ce.forward(p, target)
    grad_chain = softmax.backward(ce.backward())  # Softmax followed by CrossEntropy, unfused
    grad_fused = ce.fused_backward()  # (p - onehot) / n
    value_logits = sce.forward(z, target)
    grad_logits = sce.backward()

    assert value_logits == pytest.approx(value_chain, rel=1e-12)
    assert value_chain == pytest.approx(-np.mean(np.log(p[np.arange(n), y])), rel=1e-14)
    expected = (nn.softmax(z) - one_hot(y, k)) / n
    np.testing.assert_allclose(grad_fused, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad_chain, expected, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(grad_logits, expected, rtol=1e-12, atol=1e-15)


@FAST
@given(n=st.integers(1, 8), seed=SEEDS)
def test_fused_sigmoid_bce_equals_the_chain(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 1)) * 2
    y = rng.integers(0, 2, n)
    sigmoid, bce = nn.Sigmoid(), nn.BinaryCrossEntropy()
    a = sigmoid.forward(z)
    bce.forward(a, y)
    chain = sigmoid.backward(bce.backward())
    np.testing.assert_allclose(bce.fused_backward(), (a - y[:, None]) / n, rtol=1e-14)
    np.testing.assert_allclose(chain, bce.fused_backward(), rtol=1e-9, atol=1e-15)


def test_sequential_backward_loss_uses_the_fused_gradient():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((7, 4)), rng.integers(0, 3, 7)
    fused, chain = (nn.Sequential(nn.Dense(4, 3, rng=0), nn.Softmax()) for _ in range(2))
    ce = nn.CrossEntropy()
    ce.forward(fused.forward(x), y)
    fused.backward_loss(ce)  # (p - y) / n straight into the Dense layer
    ce.forward(chain.forward(x), y)
    chain.backward(ce.backward())  # through the softmax Jacobian
    for key, g in fused.grads().items():
        np.testing.assert_allclose(g, chain.grads()[key], rtol=1e-9, atol=1e-14)


def test_values_by_hand():
    p = np.array([[0.9], [0.2], [0.6]])
    y = np.array([1, 0, 1])
    assert nn.MSE().forward(p, y) == pytest.approx(np.mean((p[:, 0] - y) ** 2))
    assert nn.MSE(half=True).forward(p, y) == pytest.approx(0.5 * np.mean((p[:, 0] - y) ** 2))
    expected = -np.mean(np.log([0.9, 0.8, 0.6]))
    assert nn.BinaryCrossEntropy().forward(p, y) == pytest.approx(expected, rel=1e-14)
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert nn.CrossEntropy().forward(probs, np.array([0, 2])) == pytest.approx(-np.mean(np.log([0.7, 0.8])))
    logits = np.log(probs) + 5.0  # shifting logits leaves softmax alone
    assert nn.SoftmaxCrossEntropy().forward(logits, np.array([0, 2])) == pytest.approx(
        -np.mean(np.log([0.7, 0.8])), rel=1e-12)


def test_mse_sum_grad_is_the_posts_unnormalised_gradient():
    rng = np.random.default_rng(0)
    p, y = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    true, post = nn.MSE(), nn.MSE(sum_grad=True)
    true.forward(p, y)
    post.forward(p, y)
    np.testing.assert_allclose(post.backward(), -2 * (y - p))  # post 002's dMSE/dŷ
    np.testing.assert_allclose(post.backward(), 4 * true.backward())
    half = nn.MSE(half=True, sum_grad=True)
    half.forward(p, y)
    np.testing.assert_allclose(half.backward(), p - y)  # post 004's h - y
    assert nn.check_loss(nn.MSE(sum_grad=True), p, y) > 0.5  # not the gradient of the mean


def test_bce_is_finite_at_zero_and_one():
    p = np.array([[0.0], [1.0], [1.0], [0.0]])
    y = np.array([0, 1, 0, 1])
    bce = nn.BinaryCrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = bce.forward(p, y)
        grad = bce.backward()
        fused = bce.fused_backward()
    assert np.isfinite(value) and value == pytest.approx(-np.log(1e-10) / 2, rel=1e-6)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(fused))
    assert bce.forward(np.array([[0.0], [1.0]]), np.array([0, 1])) < 1e-9


def test_cross_entropy_is_finite_at_zero_probability():
    ce = nn.CrossEntropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = ce.forward(np.array([[1.0, 0.0]]), np.array([1]))
        assert np.all(np.isfinite(ce.backward()))
    assert value == pytest.approx(-np.log(1e-10))
    assert np.isfinite(nn.SoftmaxCrossEntropy().forward(np.array([[1000.0, -1000.0]]), np.array([1])))


def test_float_labels_with_integer_values_are_accepted():
    p = np.full((3, 3), 1 / 3)
    assert nn.CrossEntropy().forward(p, np.array([0.0, 1.0, 2.0])) == pytest.approx(np.log(3))


def test_float32_predictions_keep_float32_gradients():
    z = np.zeros((4, 3), np.float32)
    for loss, target in [(nn.SoftmaxCrossEntropy(), np.array([0, 1, 2, 0])),
                         (nn.SoftmaxCrossEntropy(), one_hot(np.array([0, 1, 2, 0]), 3)),
                         (nn.MSE(), np.ones((4, 3))), (nn.CrossEntropy(), np.array([0, 1, 2, 0]))]:
        loss.forward(z + np.float32(1 / 3 if type(loss) is nn.CrossEntropy else 0.5), target)  # CE: distributions
        assert loss.backward().dtype == np.float32, loss


def test_post_cross_entropy_reports_cross_entropy_but_uses_the_posts_gradient():
    rng = np.random.default_rng(0)
    p = nn.softmax(rng.standard_normal((5, 4)))
    y = one_hot(rng.integers(0, 4, 5), 4)
    post, ce = nn.PostCrossEntropy(), nn.CrossEntropy()
    assert post.forward(p, y) == ce.forward(p, y)
    np.testing.assert_allclose(post.backward(), (-(y / p) + (1 - y) / (1 - p)) / 5, rtol=1e-14)
    assert nn.check_loss(nn.PostCrossEntropy(), p, y) > 0.1
    assert not nn.PostCrossEntropy().fuses(nn.Softmax())
    assert nn.CrossEntropy().fuses(nn.Softmax()) and not nn.CrossEntropy().fuses(nn.DiagonalSoftmax())


def test_the_posts_two_wrong_pieces_cancel_to_the_fused_gradient():
    rng = np.random.default_rng(4)
    z, y = rng.standard_normal((9, 5)) * 3, one_hot(rng.integers(0, 5, 9), 5)
    diag, post = nn.DiagonalSoftmax(), nn.PostCrossEntropy()
    post.forward(diag.forward(z), y)
    np.testing.assert_allclose(diag.backward(post.backward()),
                               (nn.softmax(z) - y) / 9, rtol=1e-10, atol=1e-15)


def test_repr():
    assert repr(nn.MSE(half=True)) == "MSE(half=True, sum_grad=False)"
    assert repr(nn.SoftmaxCrossEntropy()) == "SoftmaxCrossEntropy()"


# -- bad input ---------------------------------------------------------------------------------

P3 = np.full((2, 3), 1 / 3)


@pytest.mark.parametrize(("loss", "pred", "target", "match"), [
    (nn.CrossEntropy(), P3, np.array([0.5, 1.0]),
     r"y must hold integer class labels, got 1 non-integer value\(s\) such as 0.5 \(dtype float64\)"),
    (nn.SoftmaxCrossEntropy(), P3, np.array([0.2, 1.7]), r"y must hold integer class labels"),
    (nn.CrossEntropy(), P3, np.array([0, 3]), r"y labels must be in \[0, 2\], got values from 0 to 3"),
    (nn.SoftmaxCrossEntropy(), P3, np.array([-1, 2]), r"y labels must be in \[0, 2\], got values from -1"),
    (nn.CrossEntropy(), P3, np.array([0, 1, 2]), r"y must have 2 labels, got 3"),
    (nn.CrossEntropy(), P3, np.ones((2, 4)), r"y must be labels of shape \(2,\) or one-hot of shape \(2, 3\)"
                                             r", got \(2, 4\)"),
    (nn.CrossEntropy(), np.ones((2, 1)), np.array([0, 0]), r"needs \(n, k>=2\) outputs, got \(2, 1\)"),
    (nn.BinaryCrossEntropy(), np.full((2, 1), 0.5), np.array([0, 2]),
     r"y must hold labels or probabilities in \[0, 1\] for binary cross-entropy, got values from 0.0 to 2.0"),
    (nn.BinaryCrossEntropy(), np.full((2, 1), 0.5), np.array([-0.5, 1]), r"in \[0, 1\].*-0.5 to 1.0"),
    (nn.MSE(), np.ones((2, 1)), np.ones((3, 1)), r"y must have the model's output shape \(2, 1\), got \(3"),
    (nn.MSE(), np.ones((2, 2)), np.ones(2), r"y must have the model's output shape \(2, 2\), got \(2,\)"),
    (nn.MSE(), np.ones((2, 1)), np.array([1.0, np.nan]), r"y contains 1 NaN/inf value\(s\)"),
    (nn.BinaryCrossEntropy(), np.full((2, 1), 0.5), np.array([np.inf, 1]), r"y contains 1 NaN/inf"),
    (nn.CrossEntropy(), P3, np.array([np.nan, 1.0]), r"y contains 1 NaN/inf"),
    (nn.MSE(), np.ones((2, 1)), np.array(["a", "b"]), r"y must hold numbers, got dtype <U1"),
])
def test_bad_targets(loss, pred, target, match):
    with pytest.raises(ValueError, match=match):
        loss.forward(pred, target)
    with pytest.raises(ValueError, match=match):
        loss.value(pred, target)


@pytest.mark.parametrize("loss", [nn.MSE(), nn.BinaryCrossEntropy(), nn.CrossEntropy(),
                                  nn.SoftmaxCrossEntropy(), nn.PostCrossEntropy()])
def test_backward_before_forward(loss):
    with pytest.raises(RuntimeError, match=r"backward called before forward"):
        loss.backward()
    with pytest.raises(RuntimeError, match=r"fused_backward called before forward"):
        loss.fused_backward()


@pytest.mark.parametrize("cls", [nn.BinaryCrossEntropy, nn.CrossEntropy, nn.SoftmaxCrossEntropy])
@pytest.mark.parametrize(("eps", "match"), [(0, r"eps must be > 0, got 0"),
                                            (0.5, r"eps must be <= 0.1, got 0.5")])
def test_bad_eps(cls, eps, match):
    with pytest.raises(ValueError, match=match):
        cls(eps=eps)


def test_float32_bce_and_cross_entropy_stay_finite_at_exactly_0_and_1():
    p = np.array([[1.0], [0.0], [1.0]], np.float32)
    y = np.array([0, 1, 1])
    bce = nn.BinaryCrossEntropy()
    value = bce(p, y)
    assert np.isfinite(value) and value > 10  # two confidently wrong rows cost a lot, not inf
    assert np.isfinite(bce.backward()).all() and bce.backward().dtype == np.float32
    ce = nn.CrossEntropy()
    assert np.isfinite(ce(np.array([[1.0, 0.0]], np.float32), [1]))
    # float64 keeps the posts' exact clip at 1 - 1e-10
    assert bce(p.astype(np.float64), y) == pytest.approx(2 * -np.log(1e-10) / 3, rel=1e-6)


def test_cross_entropy_rows_must_be_distributions():
    p = np.full((2, 3), 1 / 3)
    for rows in ([[1, 1, 0], [1, 0, 0]], [[3, 0, 0], [1, 0, 0]], [[1, 0, 0], [1.5, -0.5, 0]]):
        with pytest.raises(ValueError, match=r"y rows must be one-hot \(or probabilities summing to 1\)"):
            nn.CrossEntropy()(p, rows)
    soft = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]])  # label smoothing is fine
    assert nn.CrossEntropy()(p, soft) == pytest.approx(np.log(3))


def test_bool_labels_and_list_predictions():
    p = np.array([[0.2, 0.8], [0.9, 0.1]])
    assert nn.CrossEntropy()(p, np.array([True, False])) == pytest.approx(-np.log([0.8, 0.9]).mean())
    assert nn.MSE()([1.0, 2.0], [1.0, 3.0]) == pytest.approx(0.5)
    assert nn.CrossEntropy().value([[0.5, 0.5]], [0]) == pytest.approx(np.log(2))
