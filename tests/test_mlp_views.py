"""The MLP lesson's pure pieces: chart builders (frame in, Vega-Lite out), the model
builder, and the numbers of post 000 through them."""

import json

import numpy as np
import pandas as pd
import pytest

import nnlib
from nnlib import data
from ui import charts
from ui.i18n import _, use_language
from ui.mlp import cancer as mlp_cancer
from ui.mlp import shared as sections
from ui.mlp import views


def spec(chart) -> dict:
    return chart.to_dict()


def layers(s: dict) -> list[dict]:
    return s.get("layer", [s])


@pytest.fixture
def moons_model():
    rng = np.random.default_rng(0)
    x, y = data.make_2d("moons", 200, 0.1, rng=rng)
    model = sections.build_mlp([2, 8, 8, 1], "relu", "he", rng)
    list(nnlib.train(model, nnlib.BinaryCrossEntropy(), nnlib.Adam(model, 0.03), x, y, epochs=20, batch_size=32,
                     rng=rng))
    return model, x, y


def test_build_mlp_replays_the_posts_first_epochs():
    x, y, _ = data.breast_cancer()
    model = sections.build_mlp([30, 128, 1], "sigmoid", "normal", np.random.RandomState(0), bias=False)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Sigmoid", "Dense", "Sigmoid"]
    records = list(nnlib.train(model, nnlib.BinaryCrossEntropy(), nnlib.SGD(model, lr=0.01), x, y, epochs=51))
    assert records[0].loss == pytest.approx(1.5326826056975693, abs=1e-12)
    assert records[50].loss == pytest.approx(0.4672773442711708, abs=1e-12)


def test_boundary_frame_and_chart(moons_model):
    model, x, y = moons_model
    x_range, y_range = views.box(x)
    grid = views.boundary_frame(model, x_range, y_range, 50)
    assert len(grid) == 2500 and list(grid.columns) == ["x", "y", "p"]
    assert grid["p"].between(0, 1).all() and grid["p"].min() < 0.1 and grid["p"].max() > 0.9
    assert grid["x"].min() == pytest.approx(x_range[0], abs=1e-4)
    assert grid["y"].max() == pytest.approx(y_range[1], abs=1e-4)
    points = pd.concat([views.points_frame(x[:150], y[:150], "train"), views.points_frame(x[150:], y[150:], "test")])
    s = spec(views.boundary_chart(grid, points, title="after 20 epochs"))
    assert s["width"] == "container" and s["height"] == 480 and s["title"] == "after 20 epochs"
    rect, dots = layers(s)
    assert rect["mark"]["type"] == "rect" and rect["encoding"]["color"]["field"] == "p"
    assert rect["encoding"]["x2"]["field"] == "x1" and rect["encoding"]["y2"]["field"] == "y1"  # cells in data units
    cells = next(d for d in s["datasets"].values() if len(d) == 2500)
    step = (x_range[1] - x_range[0]) / 49
    assert cells[0]["x1"] - cells[0]["x0"] == pytest.approx(step, rel=1e-3)  # each cell one grid step wide
    assert rect["encoding"]["x"]["scale"]["domain"][0] == pytest.approx(x_range[0] - step / 2, rel=1e-3)
    assert dots["encoding"]["shape"]["scale"]["range"] == ["circle", "triangle-up"]
    datasets = list(s["datasets"].values())
    assert sorted(len(d) for d in datasets) == [200, 2500]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_train_and_test_points_read_as_circles_and_triangles_in_every_2d_chart(moons_model, lang):
    """The legend names the sets in the page's language, matching the points, and draws its symbols
    large and dark (the marks' white outline had turned them into two tiny grey dots)."""
    model, x, y = moons_model
    box = views.box(x)
    points = pd.concat([views.points_frame(x[:150], y[:150], "train"), views.points_frame(x[150:], y[150:], "test")])
    with use_language(lang):
        train, test = _("train"), _("test")
        charts_ = [views.boundary_chart(views.boundary_frame(model, *box, 20), points),
                   views.class_chart(views.class_frame(sections.build_mlp([2, 4, 3], "relu", "he", 0, output="softmax"),
                                                       *box, 20), points, ["a", "b", "c"], "t"),
                   views.surface_chart(views.surface_frame(model, *box, 20),
                                       points.assign(value=points["label"].astype(float)), "t")]
        specs = [spec(c) for c in charts_]
    assert (train, test) != ("train", "test") or lang == "en"
    for s in specs:
        dots = layers(s)[1]
        shape = dots["encoding"]["shape"]
        assert shape["scale"] == {"domain": [train, test], "range": ["circle", "triangle-up"]}
        legend = shape["legend"]
        assert legend["symbolSize"] >= 100 and legend["symbolOpacity"] == 1
        assert legend["symbolFillColor"] == legend["symbolStrokeColor"] == "#555"
        data_sets = {row.get("set") for d in s["datasets"].values() for row in d if "set" in row}
        assert data_sets == {train, test}


def test_neuron_chart_of_8_units_fits_a_phone(moons_model):
    model, x, _ = moons_model
    frame = views.neuron_frame(model, *views.box(x), resolution=10)
    s = spec(views.neuron_chart(frame))
    # 8 columns and their spacing, plus ~60 px of row labels, within a 390-px phone's 356-px column
    assert 8 * s["spec"]["width"] + 7 * s["spacing"] + 60 <= 356


def test_neuron_frame_small_layers_only(moons_model):
    model, x, _ = moons_model
    x_range, y_range = views.box(x)
    frame = views.neuron_frame(model, x_range, y_range, resolution=10)
    assert sorted(frame["layer"].unique()) == ["layer 1", "layer 2"]
    assert frame.groupby("layer")["unit"].nunique().tolist() == [8, 8]
    assert len(frame) == 2 * 8 * 100 and frame["value"].between(0, 1).all()
    s = spec(views.neuron_chart(frame))
    assert "facet" in s and s["spec"]["mark"]["type"] == "rect"
    wide = sections.build_mlp([2, 16, 4, 1], "tanh", "xavier", 0)
    assert views.neuron_frame(wide, x_range, y_range).empty  # the first layer is too wide to draw


def test_confusion_matrix_heatmap_shows_the_posts_counts():
    counts = np.array([[194, 18], [12, 345]])
    s = spec(charts.matrix_heatmap(counts, mlp_cancer.CANCER_CLASSES, title="Confusion matrix"))
    (rows,) = s["datasets"].values()
    cells = {(r["true"], r["predicted"]): r["count"] for r in rows}
    assert cells == {("malignant", "malignant"): 194, ("malignant", "benign"): 18,
                     ("benign", "malignant"): 12, ("benign", "benign"): 345}
    assert [layer["mark"]["type"] for layer in layers(s)] == ["rect", "text"]


def deep_sigmoid_net(sum_grad: bool):
    rs = np.random.RandomState(0)
    x, y = rs.normal(0, 1, (1, 10)), rs.normal(0, 1, (1, 2))
    model = sections.build_mlp([10, *[32] * 6, 2], "sigmoid", "normal", rs, scale=0.01)
    loss = nnlib.MSE(half=True, sum_grad=sum_grad)
    records = list(nnlib.train(model, loss, nnlib.SGD(model, lr=0.01), x, y, epochs=100, metric=None))
    return model, loss, x, y, records


def test_deep_sigmoid_net_gradient_norms_vanish():
    model, _, _, _, records = deep_sigmoid_net(sum_grad=True)
    assert records[0].loss == pytest.approx(0.26, abs=0.01) and records[-1].loss < 0.6 * records[0].loss
    stats = model.layer_stats()
    middle = [f"layer {i} (32→32)" for i in range(2, 7)]
    assert views.layer_names(stats) == ["layer 1 (10→32)", *middle, "layer 7 (32→2)"]
    assert views.vanishing_ratio(stats) < 1e-6
    rows = views.norms_rows(100, stats)
    s = spec(views.grad_norms_chart(pd.DataFrame(rows)))
    assert s["encoding"]["y"]["scale"]["type"] == "log"
    bars = spec(views.grad_bars_chart(stats))
    assert bars["encoding"]["y"]["scale"]["type"] == "log" and bars["encoding"]["y2"]["field"] == "base"


def test_gradcheck_frame_green_for_true_gradient_red_for_the_posts():
    model, loss, x, y, _ = deep_sigmoid_net(sum_grad=False)
    ok = views.gradcheck_frame(nnlib.check_model_detail(model, loss, x, y, n_samples=3))
    assert len(ok) == 14 and ok["ok"].all() and ok["parameter"][0] == "layer 1 · W"
    post = nnlib.MSE(half=True, sum_grad=True)  # h - y: 2x the slope of ½·mean over 2 outputs
    bad = views.gradcheck_frame(nnlib.check_model_detail(model, post, x, y, n_samples=3))
    assert not bad["ok"].all() and bad["rel_error"].max() == pytest.approx(0.5, abs=1e-3)
    s = json.dumps(spec(views.gradcheck_chart(bad)))
    assert views.GOOD in s and views.BAD in s


def test_health_frame_and_hints():
    stats = [
        {"name": "Dense(2, 4)", "grad_norm": 0.0, "weight_norm": 1.0, "activation": "ReLU",
         "dead_fraction": 0.75, "saturated_fraction": np.nan},
        {"name": "Dense(4, 4)", "grad_norm": 0.1, "weight_norm": 1.0, "activation": "Sigmoid",
         "dead_fraction": np.nan, "saturated_fraction": 0.9},
        {"name": "Dense(4, 1, bias=False)", "grad_norm": 0.1, "weight_norm": 1.0, "activation": "Sigmoid",
         "dead_fraction": np.nan, "saturated_fraction": 1.0},
    ]
    frame = views.health_frame(stats)
    assert frame["dead ReLU units"].tolist() == ["75 %", "—", "—"]
    assert frame["saturated outputs"].tolist() == ["—", "90 %", "100 %"]
    hints = views.health_hints(stats)
    assert len(hints) == 2  # the output layer's saturation is not a problem
    assert "75% of its ReLU units" in hints[0] and "90% of its sigmoid outputs" in hints[1]
    healthy = [dict(row, dead_fraction=np.nan, saturated_fraction=0.1) for row in stats]
    assert views.health_hints(healthy) == []


def test_post_000_table_fills_in_as_training_goes():
    class Run:
        history = [{"loss": 1.5326826056975693}]
        epochs_done = 1
    table = mlp_cancer.post_000_table(Run(), 1.0, np.zeros((2, 2), int))
    assert table.iloc[0, -1] == "✓ same" and table.iloc[1, -1] == "… train on"


def test_gradcheck_tiny_gradients_compared_in_absolute_terms():
    rows = [{"param": "0.W", "index": 0, "backprop": 2.37e-10, "numerical": 2.22e-10, "rel_error": 0.06},
            {"param": "2.W", "index": 0, "backprop": 1e-3, "numerical": 2e-3, "rel_error": 0.5},
            {"param": "2.b", "index": 0, "backprop": np.nan, "numerical": np.nan, "rel_error": np.nan}]
    frame = views.gradcheck_frame(rows)
    assert frame["ok"].tolist() == [True, False, False]  # noise below 1e-9 / a real 2x / a diverged model
    assert frame["rel_error"][0] < 1e-6 and frame["rel_error"][1] == pytest.approx(0.5)


def test_gradient_check_reads_as_matching_digits_at_a_glance():
    frame = pd.DataFrame({"parameter": ["layer 1 · W", "layer 1 · b", "layer 2 · W"],
                          "backprop": [1.0, 2.0, 3.0], "numerical": [1.0, 2.0, 4.0],
                          "rel_error": [3e-11, 0.0, 0.25], "ok": [True, True, False]})
    assert views.agreement_digits(frame["rel_error"]).round(2).tolist() == [10.52, 16.0, 0.6]
    s = spec(views.gradcheck_chart(frame))
    rows = next(iter(s["datasets"].values()))
    assert [r["verdict"] for r in rows] == ["agrees", "agrees", "differs"]
    assert [r["label"] for r in rows] == ["agrees (3e-11)", "agrees (0)", "differs (2e-01)"]
    bars = s["layer"][0]
    assert bars["encoding"]["x"]["field"] == "digits" and bars["encoding"]["y"]["field"] == "parameter"
    assert s["height"] >= 22 * 3 + 80  # a row per array, never a 40-px strip


def test_gradient_norm_axis_is_labelled_at_a_few_powers_of_ten():
    rows = [{"epoch": e, "layer": f"layer {i}", "grad_norm": 10.0 ** -(2 * i)} for e in (1, 2) for i in range(8)]
    axis = spec(views.grad_norms_chart(pd.DataFrame(rows)))["encoding"]["y"]["axis"]
    values = axis["values"]
    assert len(values) <= 8 and all(float(np.log10(v)).is_integer() for v in values)
    assert min(values) <= 1e-14 and max(values) >= 1.0  # the whole range, 15 decades, every second one
