"""ui.network: the network graph, the hidden-layer view and the landscape chart, from hand-made nets."""

import json

import numpy as np
import pytest

import nnlib as nn
from nnlib import landscape as ls
from ui import network as nw


def _net_221():
    model = nn.Sequential(nn.Dense(2, 2, rng=0), nn.Tanh(), nn.Dense(2, 1, rng=1), nn.Sigmoid())
    model.layers[0].W[...] = [[0.731, -2.0], [0.0, 1.5]]
    model.layers[0].b[...] = [0.25, -0.5]
    model.layers[2].W[...] = [[3.0], [-1.0]]
    model.layers[2].b[...] = [0.1]
    return model


def test_edges_follow_the_known_weights():
    nodes, edges, info = nw.graph_frames(_net_221(), ["x₁", "x₂"])
    assert list(nodes["node"]) == ["0:0", "0:1", "1:0", "1:1", "2:0"]
    assert nodes.set_index("node").loc["1:1", "bias"] == -0.5
    e = edges.set_index(["source", "target"])
    assert e.loc[("0:0", "1:0"), "w"] == 0.731 and e.loc[("0:0", "1:1"), "w"] == -2.0
    assert e.loc[("1:0", "2:0"), "width"] == 3.0 and e.loc[("1:1", "2:0"), "width"] == 1.0
    assert e.loc[("0:0", "1:0"), "text"] == "w from x₁ to unit 1 (layer 1) = 0.731"
    assert not info["cut_edges"] and not info["cut_units"] and nw.graph_note(info) == ""


def test_chart_colours_by_sign_and_widths_by_size():
    nodes, edges, _ = nw.graph_frames(_net_221(), ["x₁", "x₂"])
    spec = nw.graph_chart(nodes, edges).to_dict()
    rules = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    color = rules["encoding"]["color"]["scale"]
    assert color["domain"] == [-3.0, 0, 3.0] and color["range"] == [nw.NEGATIVE, nw.ZERO, nw.POSITIVE]
    width = rules["encoding"]["strokeWidth"]
    assert width["field"] == "width" and width["scale"]["domain"] == [0, 3.0]


def test_selected_unit_keeps_only_its_edges_bright():
    nodes, edges, _ = nw.graph_frames(_net_221(), ["x₁", "x₂"])
    spec = nw.graph_chart(nodes, edges, selected="1:1").to_dict()
    data = next(v for v in spec["datasets"].values() if v and "source" in v[0])
    on = {(r["source"], r["target"]) for r in data if r["on"]}
    assert on == {("0:0", "1:1"), ("0:1", "1:1"), ("1:1", "2:0")}
    table = nw.unit_numbers(_net_221(), "1:1", ["x₁", "x₂"])
    assert list(table["w"]) == [-2.0, 1.5, -0.5]


def test_wide_layers_keep_the_strongest_edges_and_say_so():
    model = nn.Sequential(nn.Dense(30, 20, rng=0), nn.ReLU(), nn.Dense(20, 3, rng=1), nn.Softmax())
    nodes, edges, info = nw.graph_frames(model, max_units=16, top_k=4)
    assert nodes.groupby("column").size().tolist() == [16, 16, 3]
    assert edges.groupby("target").size().max() == 4
    W = model.layers[0].W[:16, :16]
    kept = edges[edges["target"] == "1:0"]["w"].abs().sort_values().to_numpy()
    np.testing.assert_allclose(kept, np.sort(np.abs(W[:, 0]))[-4:])
    assert "16" in nw.graph_note(info) and "4" in nw.graph_note(info)


def test_mnist_form_has_weight_tiles_and_no_input_column():
    model = nn.Sequential(nn.Dense(784, 10, rng=0), nn.ReLU(), nn.Dense(10, 10, rng=1), nn.Softmax())
    nodes, edges, _ = nw.graph_frames(model, show_inputs=False)
    assert nodes["column"].min() == 1 and set(edges["source"].str[0]) == {"1"}
    tiles = nw.weight_tiles(model)
    assert len(tiles) == 10 and all(t.startswith("data:image/png;base64,") for t in tiles.values())
    spec = json.dumps(nw.graph_chart(nodes, edges, images=tiles).to_dict())
    assert '"image"' in spec


def test_hidden_space_of_a_two_unit_layer_is_its_activations():
    model = _net_221()
    x, y = nn.data.moons(50, rng=0)
    points, grid, decision, how = nw.hidden_space_frames(model, 1, x, y, (-2, 3), (-2, 2), lines=5, samples=7)
    h = np.tanh(x @ model.layers[0].W + model.layers[0].b)
    np.testing.assert_allclose(points[["u", "v"]].to_numpy(), h, atol=1e-12)
    assert how == "units" and len(grid) == 10 * 7
    corner = np.tanh(np.array([[-2.0, -2.0]]) @ model.layers[0].W + model.layers[0].b)[0]
    first = grid[(grid["line"] == "v0") & (grid["order"] == 0)]
    np.testing.assert_allclose(first[["u", "v"]].to_numpy()[0], corner, atol=1e-12)
    # the dashed line is where the output's logit is 0: 3u - v + 0.1 = 0
    assert len(decision) > 2
    np.testing.assert_allclose(3 * decision["u"] - decision["v"] + 0.1, 0, atol=1e-9)


def test_hidden_space_rejects_bad_units():
    with pytest.raises(ValueError, match="two different units"):
        nw.hidden_space_frames(_net_221(), 1, np.zeros((3, 2)), np.zeros(3), (0, 1), (0, 1), units=(0, 0))


def test_landscape_chart_marks_the_current_weights_at_the_origin():
    model = _net_221()
    x, y = nn.data.moons(60, rng=1)
    dirs = ls.random_directions(model, rng=0)
    alphas = betas = np.linspace(-1, 1, 5)
    surface = ls.loss_surface(model, nn.BinaryCrossEntropy(), x, y, dirs, alphas, betas)
    spec = nw.landscape_chart(alphas, betas, surface, path=np.array([[0.5, 0.5], [0.0, 0.0]])).to_dict()
    assert len(spec["layer"]) == 3 and spec["layer"][-1]["mark"]["shape"] == "cross"
