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
