"""The reference posts' numbers marked **exact** in shared/reference/README.md, reproduced
through nnlib's public API (the posts' settings, not their code)."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import nnlib as nn
from nnlib import data

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # comes with scikit-learn; without it, run on BLAS's default threads
    threadpool_limits = None


@pytest.fixture(autouse=True)
def one_blas_thread():
    """One BLAS thread: on a small shared machine two threads are slower and far less steady
    (a busy neighbour made the 1000-epoch post-000 run take 17 s instead of 2). The results
    do not depend on it beyond the last bit."""
    with threadpool_limits(limits=1) if threadpool_limits else contextlib.nullcontext():
        yield

# -- post 002: one sigmoid neuron, MSE, one gradient step ----------------------------------------

POST_002 = {
    "W": [0.47143516, -1.19097569, 1.43270697],
    "y_hat": [0.80732274, 0.67110045, 0.87035962, 0.56014025],
    "mse": 0.27262716361994604,
    "dW": [-0.17444809, 0.13082577, 0.35273266],
    "db": 0.35273266,
    "W_after": [0.47317964, -1.19228395, 1.42917964],
    "b_after": -0.00352733,
}
PRINTED = 5e-9  # the README prints these arrays to 8 decimals


def _post_002_step():
    x, y = data.toy4()
    rs = np.random.RandomState(1234)  # np.random.seed(1234); W = np.random.randn(3, 1)
    dense = nn.Dense(3, 1, init="normal", rng=rs)
    model = nn.Sequential(dense, nn.Sigmoid())
    loss = nn.MSE(sum_grad=True)  # the post's dMSE/dŷ = -2(y - ŷ), a sum over the rows
    w0 = dense.W.copy()
    y_hat = model.forward(x)
    mse = loss.forward(y_hat, y)
    model.backward_loss(loss)
    dW, db = dense.dW.copy(), dense.db.copy()
    nn.SGD(model, lr=0.01).step()
    return x, y, w0, y_hat, mse, dW, db, dense


def test_post_002_first_step_matches_the_printed_numbers():
    _, _, w0, y_hat, mse, dW, db, dense = _post_002_step()
    assert mse == pytest.approx(POST_002["mse"], abs=1e-12)
    np.testing.assert_allclose(w0.ravel(), POST_002["W"], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(y_hat.ravel(), POST_002["y_hat"], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(dW.ravel(), POST_002["dW"], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(db, [POST_002["db"]], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(dense.W.ravel(), POST_002["W_after"], rtol=0, atol=PRINTED)
    np.testing.assert_allclose(dense.b, [POST_002["b_after"]], rtol=0, atol=PRINTED)


def test_post_002_first_step_to_full_precision():
    """The same step recomputed from the README's formulas with plain NumPy, to 1e-12."""
    x, y, w0, y_hat, mse, dW, db, dense = _post_002_step()
    w = np.random.RandomState(1234).randn(3, 1)
    np.testing.assert_array_equal(w0, w)
    z = x @ w
    s = 1 / (1 + np.exp(-z))
    dy = -2 * (y - s)  # not divided by n
    np.testing.assert_allclose(y_hat, s, rtol=0, atol=1e-12)
    assert mse == pytest.approx(np.mean((y - s) ** 2), abs=1e-12)
    np.testing.assert_allclose(dW, x.T @ (dy * s * (1 - s)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(db, np.sum(dy * s * (1 - s), axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(dense.W, w - 0.01 * x.T @ (dy * s * (1 - s)), rtol=0, atol=1e-12)


# -- post 000: breast cancer, 30-128-1 sigmoid net, BCE, full batch, 1000 epochs ----------------

def test_post_000_losses_and_confusion_matrix():
    x, y, _ = data.breast_cancer()
    rs = np.random.RandomState(0)  # np.random.seed(0); randn(30, 128); randn(128, 1)
    model = nn.Sequential(nn.Dense(30, 128, init="normal", bias=False, rng=rs), nn.Sigmoid(),
                          nn.Dense(128, 1, init="normal", bias=False, rng=rs), nn.Sigmoid())
    bce = nn.BinaryCrossEntropy(eps=1e-10)
    opt = nn.SGD(model, lr=0.01)  # the post's global learning_rate, not the 0.2 it passes to train
    records = list(nn.train(model, bce, opt, x, y, epochs=1000))  # batch_size=None: full batch
    assert len(records) == 1000 and records[-1].step == 1000
    # an epoch record's loss is its one batch's loss, taken before that epoch's update
    assert records[0].loss == pytest.approx(1.5326826056975693, abs=1e-9)
    assert records[50].loss == pytest.approx(0.4672773442711708, abs=1e-9)
    pred = model.predict(x)
    assert bce.value(pred, y) == pytest.approx(0.12445125178791992, abs=1e-9)
    np.testing.assert_array_equal(nn.confusion_matrix(y, nn.predicted_class(pred)), [[194, 18], [12, 345]])


# -- post 001: MNIST 784-100-200-10 with the post's own gradient ---------------------------------

@pytest.mark.slow
def test_post_001_exact_run():
    """About 20-30 s on 2 cores. The post's train loss is a full pass after each epoch; it is
    computed here after epochs 1 and 20 only (the same computation eval_train=True does)."""
    from nnlib.mnist import load_mnist, to_float

    mnist = load_mnist()
    x, x_test = mnist.flat_train, mnist.flat_test
    y, y_test = data.one_hot(mnist.y_train, 10), data.one_hot(mnist.y_test, 10)

    def transform(xb):
        return to_float(xb, np.float64)  # exactly x / 255

    rs = np.random.RandomState(0)  # np.random.seed(0) after loading; weights first, then shuffles
    model = nn.Sequential(
        nn.Dense(784, 100, init="normal", scale=0.1, rng=rs), nn.ReLU(),
        nn.Dense(100, 200, init="normal", scale=0.1, rng=rs), nn.ReLU(),
        nn.Dense(200, 10, init="normal", scale=0.1, rng=rs), nn.DiagonalSoftmax(),
    )
    loss = nn.PostCrossEntropy()
    train_loss = {}
    for record in nn.train(model, loss, nn.SGD(model, lr=0.1), x, y, epochs=20, batch_size=512, rng=rs,
                           drop_last=True, transform=transform):
        if record.epoch in (1, 20):
            train_loss[record.epoch] = loss.value(model.predict(x, transform=transform), y)
        assert record.step == 117 * record.epoch  # 60000 // 512 batches, the last partial one dropped
    assert train_loss[1] == pytest.approx(0.41900695764324003, abs=1e-9)
    assert train_loss[20] == pytest.approx(0.0971087026489792, abs=1e-9)
    pred = model.predict(x_test, transform=transform)
    assert loss.value(pred, y_test) == pytest.approx(0.11808091754439508, abs=1e-9)
    assert nn.accuracy(pred, y_test) == 0.9645
