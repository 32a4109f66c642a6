"""AppTest: the MNIST lesson as a user drives it — defaults (the post's run), a small subset
trained one step, share links, presets, pinned runs, lecture mode, the hosted default and
the scikit-learn baseline. Nothing here trains on the full 60 000 images."""


import apptools
import pytest
from apptools import epoch, metric
from streamlit.testing.v1 import AppTest


@pytest.fixture(autouse=True)
def not_hosted(monkeypatch):
    monkeypatch.setenv("NNLIB_HOSTED", "0")


def open_mnist(query: dict | None = None) -> AppTest:
    return apptools.open_page("pages/mnist.py", query)


def query(at: AppTest) -> dict:
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def test_defaults_are_the_posts_run_and_render_without_training():
    at = open_mnist()
    assert metric(at, "Epoch") == "0 / 20"
    values = {k: at.sidebar.get("select_slider")[i].value for i, k in enumerate(["subset", "h1", "h2", "lr",
                                                                                 "batch", "epochs", "scale"])}
    assert values == {"subset": 60000, "h1": 100, "h2": 200, "lr": 0.1, "batch": 512, "epochs": 20, "scale": 0.1}
    assert at.selectbox(key="mnist.grad").value == "fused" and at.selectbox(key="mnist.act").value == "relu"
    assert at.selectbox(key="mnist.dtype").value == "float64"
    assert any("has not trained yet" in c.value for c in at.caption)
    # loss, vs the post, confusion, per digit; the misclassified digits' 12 charts wait until their tab is opened
    assert len(at.get("vega_lite_chart")) == 4
    assert any("Draw a digit" in i.value for i in at.info)  # the calm blank-canvas state
    assert query(at) == {}  # defaults: a clean share link
    at.toggle(key="mnist.code").set_value(True).run()
    code = " ".join(c.value for c in at.code)
    assert "def fused_backward" in code and "def preprocess_drawing" in code


def test_small_subset_step_trains_one_epoch_above_chance():
    at = open_mnist({"subset": "5000"})
    at.button(key="mnist_step").click().run()
    assert not at.exception
    assert epoch(at) == 1
    assert float(metric(at, "Test accuracy")) > 0.5
    assert metric(at, "Last epoch took").endswith(" s")
    table = at.dataframe[0].value
    assert table["quantity"].iloc[0] == "epoch 1 train loss"  # full pass, as the post prints
    assert any("training subset 5000 (post: 60000)" in c.value for c in at.caption)


def test_lr_change_keeps_the_model_and_architecture_change_resets_it():
    at = open_mnist({"subset": "1000", "batch": "32"})
    at.button(key="mnist_step").click().run()
    assert epoch(at) == 1
    at.select_slider(key="mnist.lr").set_value(0.3).run()
    assert epoch(at) == 1 and metric(at, "Epoch") == "1 / 20"
    assert query(at)["lr"] == "0.3"
    at.select_slider(key="mnist.h1").set_value(64).run()
    assert epoch(at) == 0


def test_share_link_round_trip_and_bad_values():
    at = open_mnist({"subset": "2000", "layers": "1", "h1": "64", "act": "tanh", "opt": "adam", "lr": "0.001"})
    assert at.select_slider(key="mnist.subset").value == 2000
    assert at.slider(key="mnist.layers").value == 1 and at.select_slider(key="mnist.h1").value == 64
    assert at.selectbox(key="mnist.act").value == "tanh" and at.selectbox(key="mnist.opt").value == "adam"
    assert query(at) == {"subset": "2000", "layers": "1", "h1": "64", "act": "tanh", "opt": "adam", "lr": "0.001"}
    bad = open_mnist({"subset": "banana", "grad": "sneaky", "layers": "9"})
    assert bad.select_slider(key="mnist.subset").value == 60000
    assert bad.selectbox(key="mnist.grad").value == "fused" and bad.slider(key="mnist.layers").value == 2
    notices = apptools.shown(" ".join(w.value for w in bad.warning))
    assert "subset=banana" in notices and "grad=sneaky" in notices and "layers=9" in notices


def test_preset_sets_the_controls_and_travels_in_the_link():
    at = open_mnist()
    at.button(key="mnist_preset_overfit").click().run()
    assert not at.exception
    assert at.select_slider(key="mnist.subset").value == 1000
    assert at.select_slider(key="mnist.batch").value == 32 and at.select_slider(key="mnist.epochs").value == 30
    assert any("Only 1,000 training images" in i.value for i in at.info)
    assert query(at)["preset"] == "overfit"
    linked = open_mnist({"preset": "breaks"})
    assert linked.selectbox(key="mnist.grad").value == "post"
    assert linked.select_slider(key="mnist.scale").value == 0.3


def test_pinned_runs_overlay_the_loss_curves():
    at = open_mnist({"subset": "1000", "batch": "32", "epochs": "2"})
    at.button(key="mnist_step").click().run()
    at.button(key="mnist_pin").click().run()
    at.select_slider(key="mnist.lr").set_value(0.01).run()
    at.button(key="mnist_reset").click().run()
    at.button(key="mnist_step").click().run()
    at.button(key="mnist_pin").click().run()
    pins = at.session_state["pins:mnist"]
    assert [p["label"].split(" · ")[2] for p in pins] == ["sgd lr=0.1", "sgd lr=0.01"]
    assert "batch 32" in pins[0]["label"] and "σ=0.1" in pins[0]["label"]
    loss_chart = at.get("vega_lite_chart")[0]
    runs = set(apptools.chart_frames(loss_chart)[0]["run"])
    # named by what differs from the current run (lr=0.01): readable, not three identical cut labels
    assert runs == {"pin 1: sgd lr=0.1", "pin 2: same settings", "current run"}


def test_lecture_mode_hides_advanced_controls_and_folds_the_text():
    at = open_mnist({"lecture": "1"})
    keys = {w.key for w in at.sidebar.get("select_slider")} | {w.key for w in at.sidebar.get("selectbox")}
    assert "mnist.lr" in keys and "mnist.scale" not in keys and "mnist.dtype" not in keys
    assert len(at.expander) >= 2  # explanations folded away


def test_hosted_default_is_a_smaller_subset(monkeypatch):
    monkeypatch.setenv("NNLIB_HOSTED", "1")
    at = open_mnist()
    assert at.select_slider(key="mnist.subset").value == 10000
    assert at.selectbox(key="mnist.dtype").value == "float32"  # half the time per epoch on a shared server
    assert any("shared server" in c.value and "float32" in c.value for c in at.caption)
    at.button(key="mnist_preset_post").click().run()  # the post's own run is one click away
    assert at.select_slider(key="mnist.subset").value == 60000 and at.selectbox(key="mnist.dtype").value == "float64"


def test_sklearn_baseline_button_fits_and_compares():
    at = open_mnist({"subset": "1000"})
    at.button(key="mnist_baseline").click().run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "model" in d.value.columns)
    assert len(table) == 2 and table["training images"].tolist() == [1000, 1000]
    assert 0.7 < table["test accuracy"].iloc[1] < 1


def test_misclassified_digits_are_drawn_when_their_tab_opens():
    at = open_mnist()
    images_before = len(at.get("image"))  # the weight tiles
    at.session_state["mnist_inside_tab"] = "Misclassified digits"
    at.run()
    assert not at.exception
    assert len(at.get("image")) == images_before + 12  # the 12 most confident mistakes
    assert len(at.get("vega_lite_chart")) == 4 + 12  # and their probabilities


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point of this preset
def test_the_blow_up_preset_really_diverges_and_says_why():
    at = open_mnist()
    at.button(key="mnist_preset_diverge").click().run()
    assert query(at)["preset"] == "diverge"
    at.button(key="mnist_step").click().run()  # one epoch of 15 batches: the loss turns NaN within it
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Training diverged" in errors and "the weights blew up" in errors, errors
    assert epoch(at) == 0  # the epoch never completed


def test_clicking_a_confusion_cell_shows_its_test_images():
    at = open_mnist({"subset": "1000"})
    assert any("Click a cell of the matrix" in c.value for c in at.caption)
    # what the browser sends when a cell is clicked (the chart's selection state, keyed by the chart's key)
    at.session_state["mnist_confusion"] = {"selection": {"cell": [{"true": "4", "predicted": "9"}]}}
    at.run()
    assert not at.exception
    title = next(m.value for m in at.markdown if m.value.startswith("**True 4, predicted 9:"))
    total = int(title.split(": ")[1].split(" ")[0])
    shown = [i for i in at.get("image") if i.proto.imgs and i.proto.imgs[0].caption.startswith("#")]
    assert 0 < len(shown) == min(total, 24)


def test_a_second_visitor_gets_the_first_ones_charts_and_metrics_built_once(monkeypatch):
    """Issue 17: the untrained run's evaluation and charts are shared between sessions (ui.memo,
    TrainingRun.start_key) — and what the second visitor sees is exactly what building them anew shows."""
    from ui import memo
    from ui import run as run_module

    def seen(at):
        charts = [(c.proto.spec, [f.to_csv() for f in apptools.chart_frames(c)]) for c in at.get("vega_lite_chart")]
        return charts, [(m.label, m.value) for m in at.metric]

    memo.clear()
    run_module._START_EVALUATIONS.clear()
    first = seen(open_mnist({"subset": "1000"}))
    assert run_module._START_EVALUATIONS, "the untrained run's evaluation was not kept"
    calls = []
    monkeypatch.setattr(run_module.TrainingRun, "_evaluate", lambda self, n: calls.append(n) or {})
    second = seen(open_mnist({"subset": "1000"}))
    assert calls == []  # served from the shared store, not evaluated again
    monkeypatch.undo()
    assert second == first
    monkeypatch.setattr(memo, "MAX_ENTRIES", 0)  # nothing kept: every chart built and sent the plain way
    run_module._START_EVALUATIONS.clear()
    assert seen(open_mnist({"subset": "1000"})) == first
