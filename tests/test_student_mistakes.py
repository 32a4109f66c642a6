"""A beginner's classic mistakes with nnlib in a notebook get a lesson, not a silent wrong number.

Each test reproduces the mistake as a student would write it (issue 11, section 3) and checks
the error says what to do. Correct use keeps working (and the posts' numbers stay exact: see
tests/test_reference.py).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nnlib as nn


def blobs(n=200, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    x = rng.standard_normal((n, 2)) + 3 * np.stack([np.cos(2 * np.pi * y / k), np.sin(2 * np.pi * y / k)], 1)
    return x, y


# -- probability losses fed raw scores -------------------------------------------------------

def test_cross_entropy_on_logits_is_refused_with_what_to_do():
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 3.0, -2.0]])
    with pytest.raises(ValueError, match=r"CrossEntropy needs predicted probabilities .* raw scores \(logits\)\. "
                                         r"End the model with Softmax\(\), or .* SoftmaxCrossEntropy\(\)"):
        nn.CrossEntropy().forward(logits, np.array([1, 0]))


def test_training_cross_entropy_without_softmax_is_refused_before_any_step():
    # today: "trains" to a loss of 1e-10 at about chance accuracy
    x, y = blobs()
    model = nn.Sequential(nn.Dense(2, 16, rng=0), nn.ReLU(), nn.Dense(16, 3, rng=1))
    opt = nn.SGD(model, lr=0.1)
    before = {k: p.copy() for k, p in model.params().items()}
    with pytest.raises(ValueError, match=r"End the model with Softmax\(\)"):
        list(nn.train(model, nn.CrossEntropy(), opt, x, y, epochs=5, batch_size=20, rng=0))
    assert opt.steps == 0 and all(np.array_equal(before[k], p) for k, p in model.params().items())


def test_cross_entropy_rows_that_do_not_sum_to_one_are_refused():
    per_class_sigmoid = nn.sigmoid(np.array([[2.0, -1.0, 0.5], [0.1, 3.0, -2.0]]))  # in [0, 1], rows not summing to 1
    with pytest.raises(ValueError, match=r"row 0 sums to 1\.772.*a Sigmoid per class does not sum to 1"):
        nn.CrossEntropy().value(per_class_sigmoid, np.array([1, 0]))


def test_cross_entropy_tolerates_float32_rounding_and_clipping():
    rng = np.random.default_rng(0)
    p32 = nn.softmax(rng.standard_normal((512, 10)).astype(np.float32) * 8)
    assert np.abs(p32.sum(axis=1) - 1).max() > 0  # float32 rows are not exactly 1
    y = rng.integers(0, 10, 512)
    assert np.isfinite(nn.CrossEntropy().value(p32, y))
    clipped = np.clip(nn.softmax(rng.standard_normal((8, 10)) * 50), 1e-7, 1 - 1e-7)  # a Keras-style clip
    assert np.isfinite(nn.CrossEntropy().value(clipped, rng.integers(0, 10, 8)))


def test_binary_cross_entropy_without_sigmoid_is_refused_not_blamed_on_the_learning_rate():
    x, y = blobs(k=2)
    model = nn.Sequential(nn.Dense(2, 8, rng=0), nn.Tanh(), nn.Dense(8, 1, rng=1))  # no Sigmoid
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy needs predicted probabilities in \[0, 1\].*"
                                         r"End the model with Sigmoid\(\)") as info:
        list(nn.train(model, nn.BinaryCrossEntropy(), nn.SGD(model, lr=0.5), x, y, epochs=20))
    assert "learning rate" not in str(info.value) and not isinstance(info.value, nn.DivergenceError)
    with pytest.raises(ValueError, match=r"got values from -0\.5 to 2"):
        nn.BinaryCrossEntropy().value(np.array([[-0.5], [2.0]]), np.array([0, 1]))


def test_the_rest_of_the_kind_targets_and_nan():
    p = nn.softmax(np.array([[1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match=r"y labels must be in \[0, 2\], got values from 3 to 3"):
        nn.CrossEntropy().value(p, np.array([3]))  # a class index >= n_classes
    with pytest.raises(ValueError, match=r"in \[0, 1\] for binary cross-entropy"):
        nn.BinaryCrossEntropy().value(np.array([[0.5]]), np.array([[2.0]]))  # BCE target outside {0, 1}
    with pytest.raises(ValueError, match=r"pred contains 1 NaN/inf"):
        nn.CrossEntropy().value(np.array([[np.nan, 0.5, 0.5]]), np.array([0]))
    # MSE reads any numbers: one-hot targets against probabilities (or raw scores) are fine
    assert nn.MSE().value(p, np.array([[0.0, 0.0, 1.0]])) > 0


# -- softmax applied twice ----------------------------------------------------------------------

def test_softmax_cross_entropy_after_a_softmax_layer_is_caught_in_train_and_in_a_hand_loop():
    x, y = blobs()
    model = nn.Sequential(nn.Dense(2, 8, rng=0), nn.ReLU(), nn.Dense(8, 3, rng=1), nn.Softmax())
    loss, opt = nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.1)
    with pytest.raises(ValueError, match=r"softmax would be applied twice.*Remove the final Softmax layer"):
        next(nn.train(model, loss, opt, x, y, epochs=1))
    with pytest.warns(UserWarning, match="softmax is applied twice"):
        loss.forward(model.forward(x), y)
    with pytest.raises(ValueError, match="softmax would be applied twice"):
        model.backward_loss(loss)
    with pytest.raises(ValueError, match="softmax would be applied twice"):
        model.check_loss_pairing(loss)


def test_a_perfect_model_scored_twice_through_softmax_would_report_0_313():
    perfect = np.array([[1.0, 0.0], [0.0, 1.0]])  # a Softmax layer's output for a perfect 2-class model
    with pytest.warns(UserWarning, match="softmax is applied twice"):
        assert nn.SoftmaxCrossEntropy().value(perfect, np.array([0, 1])) == pytest.approx(np.log1p(np.exp(-1)))


def test_softmax_cross_entropy_on_logits_does_not_warn():
    z = np.random.default_rng(0).standard_normal((64, 5)) * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.SoftmaxCrossEntropy().value(z, np.arange(64) % 5)


# -- a replaced weight array in a hand-written loop -----------------------------------------------

def test_optimizer_step_refuses_when_a_weight_array_was_replaced():
    x, y = blobs()
    model = nn.Sequential(nn.Dense(2, 8, rng=0), nn.ReLU(), nn.Dense(8, 3, rng=1), nn.Softmax())
    loss, opt = nn.CrossEntropy(), nn.SGD(model, lr=0.1)
    model.layers[0].W = np.random.default_rng(5).standard_normal((2, 8)) * 0.1  # a new array, not in place
    loss.forward(model.forward(x), y)
    model.backward_loss(loss)
    with pytest.raises(ValueError, match=r"parameter '0\.W' is no longer the array this optimizer updates.*"
                                         r"layer\.W\[\.\.\.\] = new_array"):
        opt.step()
    model.layers[0].W[...] = 0.05  # in place: fine
    fresh = nn.SGD(model, lr=0.1)
    w = model.layers[0].W.copy()
    fresh.step()
    assert not np.array_equal(model.layers[0].W, w)


def test_optimizer_built_from_pairs_still_steps():
    p, g = np.ones(3), np.full(3, 0.5)
    nn.SGD([(p, g)], lr=0.1).step()
    np.testing.assert_allclose(p, 0.95)


# -- DivergenceError says what caused it --------------------------------------------------------------

def test_divergence_from_huge_inputs_does_not_blame_the_learning_rate():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3)) * 1e300  # unscaled features
    model = nn.Sequential(nn.Dense(3, 4, rng=0), nn.Dense(4, 1, rng=1))
    expected = r"before any update, so the learning rate is not the cause.*Scale the inputs"
    with np.errstate(all="ignore"), pytest.raises(nn.DivergenceError, match=expected):
        list(nn.train(model, nn.MSE(), nn.SGD(model, lr=1e-6), x, rng.standard_normal(16), epochs=1))


def test_divergence_from_a_bad_transform_names_the_inputs():
    x = np.ones((8, 2))
    model = nn.Sequential(nn.Dense(2, 1, rng=0))
    with np.errstate(all="ignore"), pytest.raises(nn.DivergenceError, match=r"inputs contains NaN/inf.*not the cause"):
        list(nn.train(model, nn.MSE(), nn.SGD(model, lr=0.1), x, np.ones(8), epochs=1,
                      transform=lambda b: b / 0 * 0))
