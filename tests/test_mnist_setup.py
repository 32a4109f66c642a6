"""The MNIST lesson's settings → nnlib objects, hosting detection, image uploads and the
scikit-learn baseline (ui/mnist_setup.py, no Streamlit)."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib
from nnlib.mnist import load_mnist
from ui import live
from ui import mnist_setup as setup
from ui.run import TrainingRun


def test_defaults_are_the_posts_run():
    s = setup.Settings()
    assert s.architecture == "784-100-200-10"
    assert (s.activation, s.lr, s.batch_size, s.epochs, s.optimizer, s.subset, s.scale, s.seed) == (
        "relu", 0.1, 512, 20, "sgd", 60000, 0.1, 0)
    assert setup.differences_from_post(s) == []
    assert setup.differences_from_post(setup.Settings(gradient="post")) == []  # same numbers in float64
    assert setup.differences_from_post(setup.Settings(subset=5000, lr=0.3)) == [
        "learning rate 0.3 (post: 0.1)", "training subset 5000 (post: 60000)"]


def test_signature_ignores_only_lr_and_epochs():
    s = setup.Settings()
    assert setup.Settings(lr=0.3, epochs=5).signature() == s.signature()
    for change in [dict(sizes=(64,)), dict(gradient="post"), dict(subset=1000), dict(seed=1), dict(batch_size=32),
                   dict(precision="float32"), dict(optimizer="adam"), dict(scale=0.3), dict(activation="tanh")]:
        assert setup.Settings(**change).signature() != s.signature(), change


def test_build_draws_the_posts_weights_in_layer_order():
    model, loss, rng = setup.build(setup.Settings())
    expected = np.random.RandomState(0)
    for dense, shape in zip(model.dense_layers, [(784, 100), (100, 200), (200, 10)], strict=True):
        assert dense.W.shape == shape and dense.W.dtype == np.float64
        np.testing.assert_array_equal(dense.W, expected.randn(*shape) * 0.1)
        assert not dense.b.any()
    assert type(model.layers[-1]) is nnlib.Softmax and type(loss) is nnlib.CrossEntropy
    assert rng.randint(10**9) == expected.randint(10**9)  # the same stream goes on to shuffle


def test_build_post_gradient_and_float32_variants():
    model, loss, _ = setup.build(setup.Settings(gradient="post", sizes=(32,), activation="tanh"))
    assert type(model.layers[-1]) is nnlib.DiagonalSoftmax and type(loss) is nnlib.PostCrossEntropy
    assert type(model.layers[1]) is nnlib.Tanh and len(model.dense_layers) == 2
    model32, _, _ = setup.build(setup.Settings(precision="float32"))
    assert all(d.W.dtype == np.float32 for d in model32.dense_layers)


def test_targets_and_transform_per_variant():
    labels = np.array([3, 0], np.uint8)
    np.testing.assert_array_equal(setup.targets(setup.Settings(), labels), labels)
    onehot = setup.targets(setup.Settings(gradient="post"), labels)
    assert onehot.dtype == np.float64 and onehot.tolist()[0] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    x = np.array([[0, 255, 51]], np.uint8)
    assert setup.transform(setup.Settings(precision="float32"))(x).dtype == np.float32
    np.testing.assert_array_equal(setup.transform(setup.Settings())(x), x / 255)
    kw = setup.train_kwargs(setup.Settings(gradient="post", full_pass=False), None, x, labels)
    assert kw["eval_train"] is True and kw["drop_last"] is True and kw["batch_size"] == 512


@pytest.mark.parametrize("env, cloud_dir_exists, hosted", [
    ({}, False, False),
    ({}, True, True),                          # Streamlit Community Cloud's /mount/src
    ({"NNLIB_HOSTED": "1"}, False, True),
    ({"NNLIB_HOSTED": "true"}, False, True),
    ({"NNLIB_HOSTED": "0"}, True, False),      # the variable wins over the folder
    ({"NNLIB_HOSTED": "maybe"}, False, False),
])
def test_is_hosted(tmp_path, env, cloud_dir_exists, hosted):
    cloud = tmp_path / "mount-src"
    if cloud_dir_exists:
        cloud.mkdir()
    assert setup.is_hosted(env, str(cloud)) is hosted


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_sklearn_baseline_on_a_capped_subset(mnist):
    s = setup.Settings(subset=5000)
    data = mnist.subset(5000, 0)
    out = setup.sklearn_baseline("logistic", data.flat_train, data.y_train, mnist.flat_test, mnist.y_test, s,
                                 max_train=1000)
    assert out["n"] == 1000 and out["accuracy"] > 0.8 and out["seconds"] > 0
    with pytest.raises(ValueError, match="kind"):
        setup.sklearn_baseline("svm", data.flat_train, data.y_train, mnist.flat_test, mnist.y_test, s, 10)


def test_export_import_round_trip_of_the_posts_model(mnist):
    """Download → upload on this page's architecture (DiagonalSoftmax included): same predictions."""
    s = setup.Settings(gradient="post")
    trained, loss, _ = setup.build(s)
    trained.layers[0].W += 0.01
    fresh, _, _ = setup.build(s)
    run = TrainingRun(signature=(), model=trained, loss=loss, optimizer=nnlib.SGD(trained, 0.1), x=None, y=None)
    target = TrainingRun(signature=(), model=fresh, loss=loss, optimizer=nnlib.SGD(fresh, 0.1), x=None, y=None)
    ok, message = live.load_into("mnist", target, live.model_bytes(run, {"page": "mnist"}), "nnlib-mnist.npz")
    assert ok, message
    x = setup.transform(s)(mnist.flat_test[:50])
    np.testing.assert_array_equal(fresh.predict(x), trained.predict(x))
    ok, message = live.load_into("mnist", target, b"garbage", "bad.npz")
    assert not ok and "Could not load bad\\.npz" in message
