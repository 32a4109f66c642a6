"""nnlib.Dropout and the optimizers' weight decay: behaviour, gradients against finite
differences, training, saving, errors. (PyTorch comparisons: tests/test_torch_playground.py.)"""

from __future__ import annotations

import io

import numpy as np
import pytest
from nnlib_numgrad import assert_grad_close, central_diff

import nnlib as nn
from nnlib import data

# -- dropout ---------------------------------------------------------------------------------

def test_dropout_keeps_about_one_minus_rate_and_rescales_the_kept_entries():
    layer = nn.Dropout(0.3, rng=0)
    x = np.ones((400, 50))
    out = layer.forward(x, train=True)
    kept = out != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(out[kept], 1 / 0.7)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout: the expectation is x


def test_dropout_is_the_identity_in_eval_and_in_predict():
    x = np.random.default_rng(1).standard_normal((20, 4))
    layer = nn.Dropout(0.5, rng=0)
    assert layer.forward(x, train=False) is x
    model = nn.Sequential(nn.Dense(4, 6, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=1), nn.Dense(6, 1, rng=2))
    plain = nn.Sequential(model.layers[0], nn.ReLU(), model.layers[3])
    np.testing.assert_array_equal(model.predict(x), plain.predict(x))
    assert not np.allclose(model.forward(x, train=True), plain.forward(x, train=False))


def test_dropout_masks_follow_the_seed_and_change_every_pass():
    x = np.ones((10, 10))
    a, b = nn.Dropout(0.5, rng=7), nn.Dropout(0.5, rng=7)
    first = a.forward(x)
    np.testing.assert_array_equal(first, b.forward(x))
    assert not np.array_equal(first, a.forward(x))


def test_dropout_rate_zero_changes_nothing_and_backward_passes_the_gradient():
    layer = nn.Dropout(0.0, rng=0)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones((2, 3))), np.ones((2, 3)))


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_backward_matches_finite_differences_through_its_mask(rate):
    rng = np.random.default_rng(3)
    layer = nn.Dropout(rate, rng=4)
    x = rng.standard_normal((5, 7))
    r = rng.standard_normal((5, 7))
    layer.forward(x)
    dx = layer.backward(r)
    layer.freeze()  # the same mask for the differences

    def f():
        return float(np.sum(layer.forward(x) * r))

    assert_grad_close(dx, central_diff(f, x))
    assert nn.check_layer(nn.Dropout(rate, rng=5), x) < 1e-6


def test_a_model_with_dropout_passes_the_gradient_check_and_keeps_its_own_masks_unfrozen():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Dense(3, 8, rng=rng), nn.Tanh(), nn.Dropout(0.4, rng=rng),
                          nn.Dense(8, 8, rng=rng), nn.ReLU(), nn.Dropout(0.4, rng=rng), nn.Dense(8, 1, rng=rng),
                          nn.Sigmoid())
    x, y = rng.standard_normal((12, 3)), rng.integers(0, 2, 12)
    assert nn.check_model(model, nn.BinaryCrossEntropy(), x, y) < 1e-6
    assert not model.layers[2].frozen


def test_set_mask_imposes_a_boolean_mask_and_refuses_other_masks():
    layer = nn.Dropout(0.5)
    keep = np.array([[True, False], [False, True]])
    layer.set_mask(keep)
    np.testing.assert_array_equal(layer.forward(np.ones((2, 2))), [[2, 0], [0, 2]])
    with pytest.raises(ValueError, match=r"frozen Dropout needs inputs of its mask's shape \(2, 2\), got \(3, 2\)"):
        layer.forward(np.ones((3, 2)))
    with pytest.raises(ValueError, match="keep must be a boolean array, got dtype float64"):
        layer.set_mask(np.ones((2, 2)))


@pytest.mark.parametrize(("rate", "match"), [(1.0, "rate must be <= 0.99, got 1.0"), (-0.1, "rate must be >= 0"),
                                             ("0.5", "rate must be a number")])
def test_bad_dropout_rates(rate, match):
    with pytest.raises(ValueError, match=match):
        nn.Dropout(rate)


def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(RuntimeError, match="Dropout.backward called before forward"):
        nn.Dropout(0.5).backward(np.ones((1, 1)))


def test_dropout_saves_and_loads_and_the_snippet_treats_it_as_the_identity():
    model = nn.Sequential(nn.Dense(2, 4, rng=0), nn.ReLU(), nn.Dropout(0.25, rng=0), nn.Dense(4, 1, rng=1))
    buf = io.BytesIO()
    nn.save(model, buf)
    loaded = nn.load(buf.getvalue())
    assert repr(loaded.layers[2]) == "Dropout(0.25)"
    x = np.random.default_rng(0).standard_normal((5, 2))
    np.testing.assert_allclose(loaded.predict(x), model.predict(x))
    scope: dict = {}
    exec(nn.io.INFERENCE_SNIPPET.split('if __name__ == "__main__":')[0], scope)
    buf.seek(0)
    np.testing.assert_allclose(scope["predict"](scope["load"](buf), x), model.predict(x))


def test_dropout_training_is_reproducible_and_learns():
    def run():
        x, y = data.circles(200, 0.1, rng=0)
        rng = np.random.default_rng(1)
        model = nn.Sequential(nn.Dense(2, 16, init="he", rng=rng), nn.ReLU(), nn.Dropout(0.2, rng=rng),
                              nn.Dense(16, 1, rng=rng), nn.Sigmoid())
        records = list(nn.train(model, nn.BinaryCrossEntropy(), nn.Adam(model, 0.03), x, y, epochs=60,
                                batch_size=32, rng=rng, validation=(x, y)))
        return records
    a, b = run(), run()
    assert [r.loss for r in a] == [r.loss for r in b]
    assert a[-1].loss < a[0].loss * 0.5 and a[-1].val_accuracy > 0.95


# -- weight decay ----------------------------------------------------------------------------

def _model(seed=0):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Dense(3, 5, rng=rng), nn.Tanh(), nn.Dense(5, 2, rng=rng))
    for layer in model.dense_layers:
        layer.b[:] = rng.standard_normal(layer.b.shape)
    return model, rng.standard_normal((8, 3)), rng.standard_normal((8, 2))


@pytest.mark.parametrize("decay", ["l2", "l1"])
def test_the_decayed_step_follows_the_gradient_of_loss_plus_penalty(decay):
    """One SGD step with weight decay = one SGD step on loss + penalty, whose gradient we take by
    central differences: the penalty's value and its gradient agree."""
    model, x, y = _model()
    loss = nn.MSE()
    opt = nn.SGD(model, lr=0.1, weight_decay=0.3, decay=decay)

    def objective():
        return loss.value(model.forward(x, train=False), y) + opt.penalty()

    numeric = {k: central_diff(objective, p) for k, p in model.params().items()}
    before = {k: p.copy() for k, p in model.params().items()}
    loss.forward(model.forward(x), y)
    model.backward_loss(loss)
    opt.step()
    for k, p in model.params().items():
        assert_grad_close((before[k] - p) / 0.1, numeric[k])


def test_biases_are_not_decayed_and_the_layer_gradients_stay_the_data_loss_gradients():
    model, x, y = _model()
    loss = nn.MSE()
    opt = nn.SGD(model, lr=0.1, weight_decay=0.5)
    b = model.layers[0].b.copy()
    loss.forward(model.forward(x), y)
    model.backward_loss(loss)
    grads = {k: g.copy() for k, g in model.grads().items()}
    db = model.layers[0].db.copy()
    opt.step()
    np.testing.assert_allclose(model.layers[0].b, b - 0.1 * db)  # no λ·b term
    for k, g in model.grads().items():
        np.testing.assert_array_equal(g, grads[k])
    assert opt.decayed == [True, False, True, False]


def test_penalty_values_by_hand():
    w = np.array([[1.0, -2.0], [3.0, 0.5]])
    pairs = [(w, np.zeros_like(w)), (np.array([10.0]), np.zeros(1))]
    assert nn.SGD(pairs, 0.1, weight_decay=0.2).penalty() == pytest.approx(0.1 * (1 + 4 + 9 + 0.25))
    assert nn.SGD(pairs, 0.1, weight_decay=0.2, decay="l1").penalty() == pytest.approx(0.2 * 6.5)
    assert nn.SGD(pairs, 0.1).penalty() == 0.0


def test_l1_drives_useless_weights_to_about_zero_and_l2_shrinks_them():
    """30 noisy samples of a plane plus 8 useless random inputs: plain least squares gives the
    useless inputs weights up to 0.25; L1 (λ = 0.3) sets all 8 to about 0, L2 only shrinks."""
    x, y = data.make_regression("plane", 30, 0.3, rng=0)
    x = np.c_[x, np.random.default_rng(1).standard_normal((30, 8))]
    weights = {}
    for decay, lam in (("l2", 0.0), ("l2", 0.3), ("l1", 0.3)):
        model = nn.Sequential(nn.Dense(10, 1, rng=0))
        records = list(nn.train(model, nn.MSE(), nn.SGD(model, 0.05, weight_decay=lam, decay=decay), x, y,
                                epochs=500))
        weights[decay if lam else "none"] = model.layers[0].W.ravel()
        assert (records[-1].penalty is None) == (lam == 0)
    useless = {k: np.abs(w[2:]) for k, w in weights.items()}
    assert useless["none"].max() > 0.2
    assert (useless["l1"] < 0.02).all() and (useless["none"] >= 0.02).sum() >= 6
    assert np.linalg.norm(weights["l2"]) < 0.85 * np.linalg.norm(weights["none"])


def test_train_reports_the_penalty_apart_from_the_data_loss():
    model, x, y = _model()
    opt = nn.Adam(model, 0.01, weight_decay=0.1)
    data_loss = nn.MSE().value(model.predict(x), y)  # a full batch: the epoch's loss is at these weights
    penalty_before = opt.penalty()
    record = next(nn.train(model, nn.MSE(), opt, x, y, epochs=1))
    assert record.loss == pytest.approx(data_loss, rel=1e-12)
    assert record.penalty == pytest.approx(opt.penalty()) and record.penalty != penalty_before


def test_weight_decay_can_change_between_steps_and_bad_values_are_refused():
    model, _, _ = _model()
    opt = nn.make_optimizer("momentum", model, 0.1, weight_decay=0.01, decay="l1")
    assert "weight_decay=0.01, decay='l1'" in repr(opt)
    opt.weight_decay = 0.0
    assert repr(opt) == "SGD(lr=0.1, momentum=0.9)"
    with pytest.raises(ValueError, match="weight_decay must be >= 0, got -1"):
        opt.weight_decay = -1
    with pytest.raises(ValueError, match=r"decay must be one of \['l1', 'l2'\], got 'l3'"):
        nn.Adam(model, decay="l3")
