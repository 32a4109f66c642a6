"""The 2-D playground's pure parts: reading and checking a user's CSV (ui.mlp.own_data), clicked
points from the canvas JSON (ui.mlp.clicks), and its pictures (ui.mlp.views)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

import nnlib
from ui.mlp import clicks, own_data, views
from ui.mlp.playground import build_model, head, make_schedule

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "playground_sample.csv"


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


# -- reading a CSV ---------------------------------------------------------------------------

def test_the_committed_sample_reads_as_three_classes_and_a_regression_target():
    df, enc = own_data.read_csv(SAMPLE.read_bytes())
    assert enc == "utf-8-sig" and list(df.columns) == ["length_cm", "width_cm", "weight_g", "fruit"]
    own = own_data.prepare(df, "length_cm", "width_cm", "fruit", "classification", standardise=True)
    assert own.classes == ["apple", "lemon", "orange"] and own.x.shape == (150, 2)
    np.testing.assert_allclose(own.x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(own.x.std(axis=0), 1)
    reg = own_data.prepare(df, "length_cm", "width_cm", "weight_g", "regression")
    assert reg.y.dtype == np.float64 and reg.y.min() > 50


def test_utf8_with_a_bom_and_cp949_korean_headers_read_correctly():
    text = "키,몸무게,성별\n170,65,남\n160,50,여\n175,70,남\n"
    for raw, expected in [(_csv(text, "utf-8-sig"), "utf-8-sig"), (_csv(text, "cp949"), "cp949"),
                          (_csv(text, "euc-kr"), "cp949")]:
        df, enc = own_data.read_csv(raw)
        assert enc == expected and list(df.columns) == ["키", "몸무게", "성별"]
        assert df["성별"].tolist() == ["남", "여", "남"]


def test_semicolons_and_tabs_are_sniffed():
    df, _ = own_data.read_csv(b"a;b;c\n1;2;x\n3;4;y\n")
    assert list(df.columns) == ["a", "b", "c"] and df["b"].tolist() == [2, 4]
    df, _ = own_data.read_csv(b"a\tb\tc\n1\t2\tx\n")
    assert list(df.columns) == ["a", "b", "c"]


@pytest.mark.parametrize(("raw", "kind", "words"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_csv", "binary data"),
    (b"PK\x03\x04\x14\x00\x06\x00", "not_csv", "binary data"),  # an .xlsx is a zip
    (b"", "not_csv", "empty"),
    (b"just one line of words without commas\n", "not_csv", "two columns"),
    ("a,b\n\xe9t\xe9,1\n".encode("latin-1") + b"\xff\xff", "encoding", "neither UTF-8 nor cp949"),
    (b"a,b,c\n" + b"1,2,3\n" * 10 + b"1,2,3,4,5\n", "not_csv", "could not be read as a CSV"),
])
def test_files_that_are_not_usable_csv_say_why(raw, kind, words):
    with pytest.raises(own_data.DataError, match=words) as err:
        own_data.read_csv(raw)
    assert err.value.kind == kind


def test_a_file_over_the_size_limit_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(own_data, "MAX_BYTES", 100)
    with pytest.raises(own_data.DataError, match="the limit is 0 MB") as err:
        own_data.read_csv(b"a,b\n" + b"1,2\n" * 50)
    assert err.value.kind == "too_big"


def _frame(n=30, **cols):
    rng = np.random.default_rng(0)
    base = {"a": rng.standard_normal(n), "b": rng.standard_normal(n), "label": ["x", "y"] * (n // 2)}
    return pd.DataFrame({**base, **cols})


def test_checks_of_the_chosen_columns():
    with pytest.raises(own_data.DataError, match="1 numeric column") as err:
        own_data.check_features(pd.DataFrame({"name": ["a", "b"], "n": [1, 2]}))
    assert err.value.kind == "no_numeric"

    df = _frame()
    df.loc[[3, 7], "a"] = np.nan
    with pytest.raises(own_data.DataError, match="2 of 30 rows have empty cells") as err:
        own_data.prepare(df, "a", "b", "label", "classification")
    assert err.value.kind == "missing"
    own = own_data.prepare(df, "a", "b", "label", "classification", drop_missing=True)
    assert len(own.x) == 28 and "Dropped 2 rows" in own.notes[0]

    many = _frame(label=[f"c{i % 7}" for i in range(30)])
    with pytest.raises(own_data.DataError, match="7 different values; classification takes at most 5") as err:
        own_data.prepare(many, "a", "b", "label", "classification")
    assert err.value.kind == "too_many_classes"

    with pytest.raises(own_data.DataError, match="holds text") as err:
        own_data.prepare(_frame(), "a", "b", "label", "regression")
    assert err.value.kind == "text_target"

    with pytest.raises(own_data.DataError, match="single value") as err:
        own_data.prepare(_frame(label=["x"] * 30), "a", "b", "label", "classification")
    assert err.value.kind == "one_class"

    with pytest.raises(own_data.DataError, match="Only 4 usable rows"):
        own_data.prepare(_frame(n=4), "a", "b", "label", "classification")


def test_more_than_5000_rows_are_sampled_with_the_seed_and_a_note():
    big = _frame(n=6000)
    a = own_data.prepare(big, "a", "b", "label", "classification", seed=3)
    b = own_data.prepare(big, "a", "b", "label", "classification", seed=3)
    assert len(a.x) == 5000 and "6000 rows" in a.notes[0] and "5000" in a.notes[0]
    np.testing.assert_array_equal(a.x, b.x)


def test_numeric_labels_become_classes_in_sorted_order():
    own = own_data.prepare(_frame(label=[3.0, 1.0, 2.0] * 10), "a", "b", "label", "classification")
    assert own.classes == ["1", "2", "3"] and own.y[:3].tolist() == [2, 0, 1]


def test_plain_escapes_markdown_and_cuts_long_text():
    assert own_data.plain(":red[boom] **x**") == r"\:red\[boom\] \*\*x\*\*"
    assert own_data.plain("a\nb") == "a b"
    long = own_data.plain("x" * 100, 10)
    assert long == "x" * 9 + "…"


# -- clicked points ----------------------------------------------------------------------------

def _circle(px, py, fill):
    """A Fabric.js point as the canvas's point tool makes it (left edge, vertically centred)."""
    return {"type": "circle", "left": px - (clicks.RADIUS + clicks.STROKE / 2), "top": py, "radius": clicks.RADIUS,
            "strokeWidth": clicks.STROKE, "fill": fill, "stroke": fill, "originX": "left", "originY": "center"}


def test_points_from_the_canvas_json_map_back_to_data_coordinates_and_classes():
    box = ((-2.0, 2.0), (-1.0, 3.0))
    want = np.array([[0.0, 1.0], [-2.0, 3.0], [1.5, -0.5]])
    px = clicks.to_canvas(want, box)
    json_data = {"objects": [_circle(*px[0], views.CLASS_COLORS[1]), _circle(*px[1], views.CLASS_COLORS[0]),
                             _circle(*px[2], views.CLASS_COLORS[1].upper()),
                             _circle(10, 10, views.CLASS_COLORS[4]),  # a class not in use: ignored
                             {"type": "path", "path": []}, _circle(900, 10, views.CLASS_COLORS[0])]}
    x, y = clicks.points_from_json(json_data, box, 2)
    np.testing.assert_allclose(x, want, atol=1e-9)
    assert y.tolist() == [1, 0, 1]
    empty_x, empty_y = clicks.points_from_json(None, box, 2)
    assert empty_x.shape == (0, 2) and empty_y.shape == (0,)
    assert clicks.points_from_json({"objects": "junk"}, box, 2)[0].shape == (0, 2)


def test_the_background_is_a_png_of_the_canvas_size_with_the_points():
    png = clicks.background(np.array([[0.0, 0.0]]), np.array([1]), ((-1, 1), (-1, 1)), 2)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert img.shape == (clicks.SIZE, clicks.SIZE, 3)
    centre = img[clicks.SIZE // 2, clicks.SIZE // 2]
    assert centre[2] > centre[0]  # a faint blue dot (class 1) at the origin


# -- pictures -----------------------------------------------------------------------------------

def _softmax_model(k=3, seed=0):
    return build_model(2, [8], k, "tanh", "softmax", 0.0, np.random.default_rng(seed))


def test_class_frame_colours_each_cell_by_its_class_paler_when_unsure():
    model = _softmax_model()
    frame = views.class_frame(model, (-1, 1), (-1, 1), 20)
    assert len(frame) == 400 and set(frame["cls"]) <= {0, 1, 2}
    probs = model.predict(nnlib.data.grid((-1, 1), (-1, 1), 20)[0])
    np.testing.assert_array_equal(frame["cls"], probs.argmax(axis=1))
    # an unsure cell (near 1/3) is near white; a sure one near its class colour
    for _, row in frame.iterrows():
        rgb = np.array([int(row["fill"][i:i + 2], 16) for i in (1, 3, 5)])
        if row["confidence"] < 0.4:
            assert rgb.min() > 200
    assert views._mix_white("#1a73e8", np.array([0.0, 1.0])) == ["#1a73e8", "#ffffff"]


def test_class_chart_spec_uses_one_colour_per_class():
    model = _softmax_model(k=4)
    grid = views.class_frame(model, (-1, 1), (-1, 1), 10)
    pts = views.points_frame(np.zeros((4, 2)), np.arange(4), "train")
    spec = views.class_chart(grid, pts, ["a", "b", "c", "d"], "Decision regions").to_dict()
    dots = spec["layer"][1]["encoding"]["color"]["scale"]
    assert dots["domain"] == ["a", "b", "c", "d"] and dots["range"] == views.CLASS_COLORS[:4]
    assert spec["layer"][0]["encoding"]["color"]["scale"] is None  # the cells carry their own colour


def test_regression_pictures():
    model = build_model(1, [4], 1, "relu", "identity", 0.0, np.random.default_rng(0))
    curve = views.curve_frame(model, (-1, 1), 50, truth=lambda x: x[:, 0] ** 2)
    np.testing.assert_allclose(curve["truth"], curve["x"] ** 2)
    pts = views.value_points_frame(np.zeros((3, 1)), np.arange(3.0), "train")
    assert isinstance(views.curve_chart(curve, pts, "Fitted curve"), alt.LayerChart)
    model2 = build_model(2, [], 1, "relu", "identity", 0.0, np.random.default_rng(0))
    surface = views.surface_frame(model2, (-1, 1), (-1, 1), 10)
    w, b = model2.layers[0].W[:, 0], model2.layers[0].b[0]
    np.testing.assert_allclose(surface["value"], surface["x"] * w[0] + surface["y"] * w[1] + b, atol=1e-4)
    spec = views.surface_chart(surface, views.value_points_frame(np.zeros((2, 2)), [0, 1], "test"), "S").to_dict()
    assert spec["layer"][0]["encoding"]["color"]["field"] == "value"


def test_lr_chart_draws_the_rate_per_epoch():
    history = pd.DataFrame({"epoch": [1, 2, 3], "lr": [0.1, 0.05, 0.025]})
    spec = views.lr_chart(history, "Learning rate in force").to_dict()
    data = spec["datasets"][spec["data"]["name"]]
    assert [row["lr"] for row in data] == [0.1, 0.05, 0.025]


def test_head_and_schedule_of_the_page():
    assert head("regression", 0)[:2] == (1, "identity") and isinstance(head("regression", 0)[2], nnlib.MSE)
    assert head("classification", 2)[:2] == (1, "sigmoid")
    assert head("classification", 4)[:2] == (4, "softmax")
    sched = make_schedule("cosine", 0.1, warmup=2, step_every=10, step_gamma=0.5, epoch_gamma=0.9, epochs=12,
                          steps_per_epoch=5)
    assert sched(0) == pytest.approx(0.01) and sched(10) == pytest.approx(0.1)
    assert sched(60) == pytest.approx(0.001)  # the end of the epoch target: lr / 100
    exp = make_schedule("exponential", 0.1, 0, 10, 0.5, 0.9, 100, 4)
    assert exp(4) == pytest.approx(0.09)  # the per-epoch factor spread over the epoch's 4 steps
    step = make_schedule("step", 0.1, 0, 10, 0.5, 0.9, 100, 3)
    assert step(29) == 0.1 and step(30) == 0.05


def test_build_model_puts_dropout_after_each_hidden_layer():
    model = build_model(3, [4, 5], 2, "relu", "softmax", 0.25, np.random.default_rng(0))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "ReLU", "Dropout", "Dense", "ReLU", "Dropout", "Dense", "Softmax"]
    assert json.dumps(model.config())  # saveable
