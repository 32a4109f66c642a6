"""nnlib.landscape: the loss landscape around the weights (Li et al. 2018) and hidden-layer projections."""

import numpy as np
import pytest

import nnlib as nn
from nnlib import landscape as ls


def _moons_net(epochs=300, seed=0):
    x, y = nn.data.moons(300, noise=0.1, rng=seed)
    model = nn.Sequential(nn.Dense(2, 8, init="he", rng=1), nn.Tanh(), nn.Dense(8, 4, rng=2), nn.Tanh(),
                          nn.Dense(4, 1, rng=3), nn.Sigmoid())
    opt = nn.Adam(model, lr=0.03)
    for _ in nn.train(model, nn.BinaryCrossEntropy(), opt, x, y, epochs=epochs, batch_size=32, rng=0):
        pass
    return model, x, y


def test_directions_are_filter_normalised_and_skip_biases():
    model, _, _ = _moons_net(epochs=1)
    d1, d2 = ls.random_directions(model, rng=0)
    for key, p in model.params().items():
        if key.endswith(".W"):
            np.testing.assert_allclose(np.linalg.norm(d1[key], axis=0), np.linalg.norm(p, axis=0), rtol=1e-12)
            assert not np.allclose(d1[key], d2[key])
        else:
            assert not d1[key].any() and not d2[key].any()


def test_surface_at_the_origin_is_the_current_loss_and_weights_come_back():
    model, x, y = _moons_net(epochs=20)
    before = {k: v.copy() for k, v in model.params().items()}
    loss = nn.BinaryCrossEntropy()
    dirs = ls.random_directions(model, rng=3)
    surface = ls.loss_surface(model, loss, x, y, dirs, alphas=[-1, 0, 1], betas=[-0.5, 0, 0.5])
    assert surface.shape == (3, 3)
    assert surface[1, 1] == pytest.approx(loss.value(model.predict(x), y), rel=1e-12)
    assert surface[0, 0] != surface[1, 1]
    for k, v in model.params().items():
        np.testing.assert_array_equal(v, before[k])


def test_surface_matches_a_hand_moved_model():
    model, x, y = _moons_net(epochs=5)
    loss = nn.BinaryCrossEntropy()
    d1, d2 = ls.random_directions(model, rng=1)
    surface = ls.loss_surface(model, loss, x, y, (d1, d2), alphas=[0.3], betas=[-0.2])
    for k, p in model.params().items():
        p += 0.3 * d1[k] - 0.2 * d2[k]
    assert surface[0, 0] == pytest.approx(loss.value(model.predict(x), y), rel=1e-12)


def test_path_projection_recovers_known_coordinates():
    model, _, _ = _moons_net(epochs=1)
    center = {k: v.copy() for k, v in model.params().items()}
    d1, d2 = ls.random_directions(model, rng=5)
    snapshot = {k: center[k] + 2.0 * d1[k] - 3.0 * d2[k] for k in center}
    np.testing.assert_allclose(ls.project_path([center, snapshot], center, (d1, d2)), [[0, 0], [2, -3]], atol=1e-9)


def test_bad_grid_and_foreign_directions_are_refused():
    model, x, y = _moons_net(epochs=1)
    other = nn.Sequential(nn.Dense(2, 3, rng=0), nn.Sigmoid())
    with pytest.raises(ValueError, match="directions"):
        ls.loss_surface(model, nn.BinaryCrossEntropy(), x, y, ls.random_directions(other, 0), [0], [0])
    with pytest.raises(ValueError, match="10000"):
        ls.loss_surface(model, nn.BinaryCrossEntropy(), x, y, ls.random_directions(model, 0),
                        np.zeros(101), np.zeros(101))


def test_layer_output_of_a_hand_made_2_2_1_net():
    model = nn.Sequential(nn.Dense(2, 2, rng=0), nn.ReLU(), nn.Dense(2, 1, rng=1), nn.Sigmoid())
    d = model.layers[0]
    d.W[...] = [[1.0, -1.0], [2.0, 0.5]]
    d.b[...] = [0.5, -1.0]
    x = np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, 2.0]])
    assert ls.hidden_layers(model) == [1]
    np.testing.assert_allclose(ls.layer_output(model, x, 1), np.maximum(x @ d.W + d.b, 0))


def test_classes_are_linearly_separable_in_the_last_hidden_layer_of_a_trained_moons_net():
    from sklearn.linear_model import LogisticRegression

    model, x, y = _moons_net()
    layer = ls.hidden_layers(model)[-1]
    h = ls.layer_output(model, x, layer)
    mean, axes = ls.pca_basis(h)
    uv = (h - mean) @ axes
    assert LogisticRegression().fit(uv, y.ravel()).score(uv, y.ravel()) >= 0.95


def test_decision_line_is_the_output_units_zero_level():
    model, x, y = _moons_net()
    layer = ls.hidden_layers(model)[-1]
    h = ls.layer_output(model, x, layer)
    mean, axes = ls.pca_basis(h, k=h.shape[1])  # all axes: the plane holds every point exactly
    a, c, d = ls.decision_line(model, layer, mean, axes[:, :2])
    uvw = (h - mean) @ axes
    logit = h @ model.layers[-2].W[:, 0] + model.layers[-2].b[0]
    rest = (h - mean) @ axes[:, 2:] @ axes[:, 2:].T @ model.layers[-2].W[:, 0]
    np.testing.assert_allclose(a * uvw[:, 0] + c * uvw[:, 1] + d + rest, logit, atol=1e-9)
    with pytest.raises(ValueError, match="last hidden layer"):
        ls.decision_line(model, ls.hidden_layers(model)[0], mean, axes[:, :2])
