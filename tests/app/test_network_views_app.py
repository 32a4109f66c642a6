"""AppTest: the network diagram on the MLP (breast cancer) and MNIST pages — drawn live, a unit picked
shows its weights and bias, the picture follows the weights."""

import json

import apptools
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def not_hosted(monkeypatch):
    monkeypatch.setenv("NNLIB_HOSTED", "0")


def _graph_spec(at):
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if "The network" in json.dumps(spec.get("title", "")):
            return spec, apptools.chart_frames(chart)
    raise AssertionError("no network graph on the page")


def test_cancer_graph_shows_the_weights_and_a_picked_units_numbers():
    at = apptools.open_page("pages/mlp.py", {"section": "cancer"})
    at.button(key="mlp_step").click().run()
    at.toggle(key="mlp_c_graph_on").set_value(True).run()
    assert not at.exception
    spec, frames = _graph_spec(at)
    edges = next(f for f in frames if "source" in f)
    run = at.session_state["run:mlp"]
    W = run.model.dense_layers[-1].W
    last = edges[edges["target"].str.startswith(f"{len(run.model.dense_layers)}:")]
    strongest = W[:16, 0][np.argsort(-np.abs(W[:16, 0]))[:6]]  # 16 units shown, their 6 strongest edges
    np.testing.assert_allclose(sorted(last["w"]), sorted(strongest.astype(float)))
    at.selectbox(key="mlp_c_net_unit").set_value("1:0").run()
    table = at.dataframe[-1].value
    first = run.model.dense_layers[0]
    assert first.b is None  # the post's network has no biases: the table lists the 30 weights only
    np.testing.assert_allclose(table["w"].to_numpy(), first.W[:, 0])
    assert "mean radius" in set(table.iloc[:, 0])


def test_mnist_graph_draws_weight_tiles_without_784_inputs():
    at = apptools.open_page("pages/mnist.py", {"subset": "1000", "h1": "16", "h2": "16"})
    at.toggle(key="mnist_graph_on").set_value(True).run()
    assert not at.exception
    spec, frames = _graph_spec(at)
    nodes = next(f for f in frames if "node" in f and "column" in f)
    assert nodes["column"].min() == 1 and len(nodes) == 16 + 16 + 10
    assert '"image"' in json.dumps(spec)


def test_playground_views_graph_hidden_layer_and_landscape():
    at = apptools.open_page("pages/mlp.py", {"section": "playground"})
    for _ in range(3):
        at.button(key="mlp_step").click().run()
    spec, frames = _graph_spec(at)
    assert '"image"' in json.dumps(spec)  # each unit drawn as its picture of the plane
    nodes = next(f for f in frames if "node" in f and "column" in f)
    assert list(nodes[nodes["column"] == 0]["label"]) == ["x₁", "x₂"]

    at.radio(key="mlp_g_view").set_value("hidden").run()
    assert not at.exception
    titles = [json.loads(c.proto.spec).get("title", "") for c in at.get("vega_lite_chart")]
    assert any("What hidden layer 2 sees" in json.dumps(t) for t in titles)

    at.radio(key="mlp_g_view").set_value("landscape").run()
    at.button(key="mlp_g_land_landscape").click().run()
    assert not at.exception
    run = at.session_state["run:mlp"]
    result = run.extra["landscape"]
    centre = len(result["span"]) // 2
    assert result["span"][centre] == 0
    assert result["surface"][centre, centre] == pytest.approx(run.loss.value(run.model.predict(run.x), run.y),
                                                              rel=1e-12)
    assert result["path"].shape == (4, 2)  # the initial weights, then one snapshot per epoch
    assert any("Computed at epoch 3" in c.value for c in at.caption)
