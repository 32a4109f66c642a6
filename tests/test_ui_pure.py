"""The app's pure helpers: chart builders (frame in, Altair chart out) and TrainingRun."""

import json

import numpy as np
import pandas as pd

import nnlib
from ui import charts
from ui.i18n import _, use_language
from ui.run import TrainingRun


def spec(chart) -> dict:
    return json.loads(chart.to_json())


def test_long_history_keeps_present_metrics_and_names_them():
    hist = pd.DataFrame({"epoch": [1, 2], "loss": [0.9, 0.5], "val_loss": [1.0, None], "accuracy": [None, None]})
    long = charts.long_history(hist, ["loss", "val_loss", "accuracy"], run="lr=0.1")
    assert set(long["series"]) == {"train loss", "test loss"}
    assert len(long) == 3 and set(long["run"]) == {"lr=0.1"}


def test_curves_chart_overlays_runs_and_dashes_the_pinned_ones():
    a = charts.long_history(pd.DataFrame({"epoch": [1, 2], "loss": [1.0, 0.5]}), ["loss"], "pinned lr=1")
    b = charts.long_history(pd.DataFrame({"epoch": [1, 2], "loss": [0.8, 0.2]}), ["loss"], "current run")
    s = spec(charts.curves_chart(pd.concat([a, b]), log_y=True))
    values = next(iter(s["datasets"].values()))
    assert {v["run"] for v in values} == {"pinned lr=1", "current run"}
    assert s["encoding"]["y"]["scale"]["type"] == "log"
    # the colour tells the runs apart, the dash the series
    assert s["encoding"]["color"]["field"] == "run_shown" and s["encoding"]["strokeDash"]["field"] == "series"


def test_one_run_has_its_legend_inside_pinned_runs_get_a_row_each_below():
    hist = pd.DataFrame({"epoch": [1, 2], "loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    one = charts.long_history(hist, ["loss", "val_loss"], "current run")
    alone = spec(charts.curves_chart(one, height=300))
    assert alone["encoding"]["color"]["legend"]["orient"] == "top-right"  # inside the plot, where a loss is not
    assert alone["height"] == 300  # the legend takes no rows of its own
    acc = charts.long_history(pd.DataFrame({"epoch": [1, 2], "accuracy": [0.5, 0.9]}), ["accuracy"])
    assert spec(charts.curves_chart(acc, "Accuracy", "accuracy"))["encoding"]["color"]["legend"]["orient"] == (
        "bottom-right")  # an accuracy rises: its empty corner is the other one
    pinned = charts.long_history(hist, ["loss", "val_loss"], "lr=0.01, boundary 7")
    both = spec(charts.curves_chart(pd.concat([pinned, one]), height=300))
    runs, dashes = both["encoding"]["color"], both["encoding"]["strokeDash"]
    assert runs["legend"]["columns"] == 1 and runs["legend"]["labelLimit"] == 0  # never cut by Vega
    assert dashes["scale"]["domain"] == ["train loss", "test loss"] and dashes["legend"] is None
    assert both["title"]["subtitle"] == ["—— train loss   – – test loss"]  # which dash is which, under the title
    # a row per run, one for the dashes' line: the plot keeps its height
    assert both["height"] == 300 + charts.LEGEND_ROW * 3
    three = charts.long_history(pd.DataFrame({"epoch": [1, 2], "loss": [1.0, 0.5], "train_loss": [0.9, 0.4],
                                              "val_loss": [1.1, 0.7]}), ["loss", "train_loss", "val_loss"])
    mnist = spec(charts.curves_chart(three, height=300))  # MNIST: three series, one run
    columns = mnist["encoding"]["color"]["legend"]["columns"]  # as many per row as fit, the rest below
    assert columns >= 2 and mnist["height"] == 300 + charts.LEGEND_ROW * (-(-3 // columns) - 1)


def test_mnist_losses_with_three_pins_read_whole_in_a_half_width_chart():
    """Issue 12: four runs of three losses were twelve one-row entries cut at the column's edge ("pin 1:
    784-100-200-10 relu, sgd lr=0.1, σ=0.1 · tes") in ten repeating colours; four series of one run
    lost their fourth ("trai…"). Now: a colour per run, a dash per series, rows as wide as they fit."""
    hist = pd.DataFrame({"epoch": [1, 2], "loss": [1.0, 0.5], "train_loss": [0.9, 0.4], "val_loss": [1.1, 0.7]})
    fields = ["loss", "train_loss", "val_loss"]
    frames = [charts.long_history(hist, fields, f"pin {i}: 784-{w}-200-10 relu, sgd lr={lr}, σ=0.1")
              for i, (w, lr) in enumerate([(100, 0.1), (64, 0.3), (32, 1.0)], start=1)]
    frames.append(charts.long_history(hist, fields))
    s = spec(charts.curves_chart(pd.concat(frames), height=270))
    runs = s["encoding"]["color"]
    shown = list(dict.fromkeys(r["run_shown"] for r in next(iter(s["datasets"].values()))))
    assert len(shown) == 4 == len(set(shown))  # four distinct entries, one colour each
    assert all(charts.text_px(label) + charts.SYMBOL_PX <= charts.LEGEND_ROOM for label in shown)
    assert runs["scale"]["scheme"] == "category10"  # 4 runs: no colour repeats
    assert s["encoding"]["strokeDash"]["scale"]["domain"] == ["train loss", "train loss (full pass)", "test loss"]
    lines = s["title"]["subtitle"]
    keys = [key for line in lines for key in line.split("   ")]  # each dash named once, on lines that fit
    assert keys == ["—— train loss", "– – train loss (full pass)", "··· test loss"]
    assert all(charts.text_px(line) <= charts.LEGEND_ROOM for line in lines)
    assert s["height"] == 270 + charts.LEGEND_ROW * (4 + len(lines))
    batches = pd.DataFrame({"epoch": [0.5, 1.0], "value": [1.2, 1.0], "series": "batch loss", "run": "current run"})
    with use_language("ko"):
        four = pd.concat([charts.long_history(hist, fields), batches.assign(series=_("batch loss"),
                                                                             run=charts.current_run())])
        one = spec(charts.curves_chart(four, height=270, legend_px=charts.LECTURE_LEGEND_PX))
    legend = one["encoding"]["color"]["legend"]
    labels = list(dict.fromkeys(r["series"] for r in next(iter(one["datasets"].values()))))
    assert len(labels) == 4 and legend["columns"] < 4  # two rows in Korean lecture type, not one cut row
    widths = [charts.text_px(label, charts.LECTURE_LEGEND_PX) + charts.SYMBOL_PX for label in labels]
    assert sum(max(widths[i::legend["columns"]]) for i in range(legend["columns"])) <= charts.LEGEND_ROOM
    assert one["height"] == 270 + charts.LEGEND_ROW * (-(-4 // legend["columns"]) - 1)


def test_fit_label_cuts_only_what_does_not_fit():
    assert charts.fit_label("pin 1: lr=0.3", 360) == "pin 1: lr=0.3"
    long = "pin 2: " + "784-100-200-10 relu, sgd lr=0.1, σ=0.1, " * 3
    cut = charts.fit_label(long, 360)
    assert cut.endswith("…") and cut.startswith("pin 2: ") and charts.text_px(cut) + charts.SYMBOL_PX <= 360


def test_lecture_style_enlarges_the_type_of_any_chart():
    for chart in (charts.curves_chart(charts.long_history(pd.DataFrame({"epoch": [1], "loss": [1.0]}), ["loss"])),
                  charts.matrix_heatmap(np.eye(2, dtype=int), ["a", "b"])):
        config = spec(charts.lecture_style(chart))["config"]
        assert config["axis"]["labelFontSize"] >= 16 and config["legend"]["labelFontSize"] >= 16
        assert config["title"]["fontSize"] > 18


def test_curves_chart_of_an_empty_history_is_still_a_chart():
    s = spec(charts.curves_chart(charts.long_history(pd.DataFrame({"epoch": []}), ["loss"])))
    assert s["mark"]["type"] == "text" and "Press Play" in str(s["datasets"])


def test_matrix_heatmap_writes_every_count():
    s = spec(charts.matrix_heatmap(np.array([[194, 18], [12, 345]]), ["malignant", "benign"]))
    values = next(iter(s["datasets"].values()))
    cells = {(v["true"], v["predicted"]): v["count"] for v in values}
    assert cells == {("malignant", "malignant"): 194, ("malignant", "benign"): 18,
                     ("benign", "malignant"): 12, ("benign", "benign"): 345}
    assert [layer["mark"]["type"] for layer in s["layer"]] == ["rect", "text"]


def test_function_chart_marks_the_point():
    x = np.linspace(-1, 1, 5)
    s = spec(charts.function_chart(x, {"f": x**2}, point=(0.5, {"f": 0.25})))
    assert len(s["layer"]) == 3


def _run(lr=0.5, epochs=5):
    x, y = nnlib.data.toy4()
    model = nnlib.Sequential(nnlib.Dense(3, 1, rng=0), nnlib.Sigmoid())
    return TrainingRun(("toy",), model, nnlib.BinaryCrossEntropy(), nnlib.SGD(model, lr), x, y, target_epochs=epochs)


def test_run_advances_to_its_target_and_stops():
    run = _run()
    assert run.advance(max_epochs=2) == 2 and run.epochs_done == 2
    run.advance()
    assert run.epochs_done == 5 and run.done
    assert run.advance() == 0
    run.target_epochs = 8  # moving the epochs slider continues the same run
    run.advance()
    assert [r["epoch"] for r in run.history] == list(range(1, 9))


def test_run_in_slices_equals_one_uninterrupted_run():
    a, b = _run(epochs=6), _run(epochs=6)
    a.advance()
    for _step in range(6):
        b.advance(max_epochs=1)
    assert [r["loss"] for r in a.history] == [r["loss"] for r in b.history]


def test_run_records_divergence_as_a_message_and_keeps_the_history():
    run = _run(epochs=4)
    run.advance(max_epochs=1)
    run.model.layers[0].W[...] = np.nan
    run.advance()
    assert run.error and "diverged" in run.error and "learning rate" in run.error
    assert len(run.history) == 1 and run.done and not run.playing
