"""AppTest: the MLP lesson (pages/mlp.py) — post 000 reproduced to the last digit, the deep
sigmoid net's vanishing gradients, the 2-D playground, presets and share links."""

import json

import apptools
import pytest
from apptools import metric
from streamlit.testing.v1 import AppTest


def open_mlp(query: dict | None = None) -> AppTest:
    return apptools.open_page("pages/mlp.py", query)


def epoch(at: AppTest) -> tuple[int, int]:
    done, target = metric(at, "Epoch").split("/")
    return int(done), int(target)


def chart(at: AppTest, title_part: str) -> tuple[dict, list]:
    """(Vega-Lite spec, data frames) of the first chart whose title contains title_part."""
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        titles = [part.get("title", "") for part in [spec, *spec.get("layer", [])]]  # a layered chart's own
        if any(title_part in (t if isinstance(t, str) else t.get("text", "")) for t in titles):
            frames = apptools.chart_frames(element)
            return spec, frames
    raise AssertionError(f"no chart titled {title_part!r}")


def press(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def play_to_the_end(at: AppTest, max_runs: int = 40) -> None:
    press(at, "mlp_play")
    for _ in range(max_runs):
        done, target = epoch(at)
        if done >= target:
            return
        at.run()
        assert not at.exception, at.exception
    raise AssertionError(f"training did not finish: epoch {epoch(at)}")


def test_default_is_the_posts_network_and_play_lowers_the_loss():
    at = open_mlp()
    assert at.radio(key="mlp.section").value == "cancer"
    assert epoch(at) == (0, 1000)
    assert metric(at, "Loss now, all rows") == "1.5326826056975693"  # the post's "[0]", before any step
    press(at, "mlp_play")
    at.run()
    done, _ = epoch(at)
    assert done > 0
    assert float(metric(at, "Loss now, all rows")) < 1.5
    assert float(metric(at, "Loss")) < 1.54


def test_the_posts_run_preset_reproduces_post_000_exactly():
    at = open_mlp()
    press(at, "mlp_preset_post")
    at.select_slider(key="mlp.tick").set_value(1000).run()  # as many epochs per redraw as the time budget allows
    play_to_the_end(at)
    assert epoch(at) == (1000, 1000)
    assert float(metric(at, "Loss now, all rows")) == pytest.approx(0.12445125178791992, abs=1e-9)
    spec, frames = chart(at, "Confusion matrix")
    assert "all 569 rows (= the training rows)" in json.dumps(spec)  # the subtitle says which rows were counted
    cells = {(r["true"], r["predicted"]): r["count"] for r in frames[0].to_dict("records")}
    assert cells == {("malignant", "malignant"): 194, ("malignant", "benign"): 18,
                     ("benign", "malignant"): 12, ("benign", "benign"): 345}
    table = next(d.value for d in at.dataframe if "✓ same" in set(d.value.iloc[:, -1].astype(str)))
    assert list(table.iloc[:, -1]) == ["✓ same"] * 4, table
    assert "1.5326826056975693" in table.iloc[0, 2] and "0.4672773442711708" in table.iloc[1, 2]


def test_deep_net_preset_shows_vanishing_then_healthy_gradient_norms():
    at = open_mlp({"section": "deep"})
    press(at, "mlp_preset_deep_post")
    for _ in range(3):
        press(at, "mlp_step")
    spec, frames = chart(at, "Gradient norm per layer")
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    norms = frames[0]
    last = norms[norms["epoch"] == norms["epoch"].max()].set_index("layer")["grad_norm"]
    assert len(last) == 7 and last.iloc[0] < 1e-6 * last.iloc[-1]  # ten decades apart
    assert any("vanishing gradient" in i.value for i in at.info)
    assert "Loss 0.2602" in " ".join(m.value for m in at.markdown)  # ≈ the post's 0.2546 start

    press(at, "mlp_preset_deep_relu")
    assert at.selectbox(key="mlp.d_act").value == "relu" and epoch(at)[0] == 0
    for _ in range(3):
        press(at, "mlp_step")
    _, frames = chart(at, "Gradient norm per layer")
    norms = frames[0]
    last = norms[norms["epoch"] == norms["epoch"].max()].set_index("layer")["grad_norm"]
    assert last.min() > 0.05 * last.max()  # within about one decade
    assert not any("vanishing gradient" in i.value for i in at.info)
    # one training sample: about half of any ReLU layer is off by chance — no "dead units" alarm
    assert not any("ReLU units output 0" in w.value for w in at.warning)
    assert any("inactive by chance" in c.value for c in at.caption)


@pytest.mark.parametrize("dataset", ["moons", "circles", "xor", "spirals", "blobs"])
def test_each_2d_dataset_trains_and_draws_its_boundary(dataset):
    at = open_mlp({"section": "playground", "g_data": dataset})
    assert at.selectbox(key="mlp.g_data").value == dataset
    press(at, "mlp_play")
    at.run()
    done, _ = epoch(at)
    assert done >= 10
    _, frames = chart(at, f"Decision boundary after {done} epochs")
    grid = next(f for f in frames if "p" in f)
    assert len(grid) == 2500 and grid["p"].between(0, 1).all()
    loss = [r for r in at.session_state["run:mlp"].history]
    assert loss[-1]["loss"] < loss[0]["loss"]


def test_moons_small_relu_net_beats_90_percent_on_test_points():
    at = open_mlp({"section": "playground", "g_tick": "1000"})
    assert at.selectbox(key="mlp.g_act").value == "relu"
    assert [at.select_slider(key=f"mlp.g_w{i}").value for i in (1, 2)] == [8, 8]
    play_to_the_end(at)
    assert float(metric(at, "Test accuracy")) > 0.9
    assert "✓" in " ".join(m.value for m in at.markdown if "Backprop agrees" in m.value)


def test_learning_rate_keeps_the_weights_architecture_resets_them():
    at = open_mlp()
    press(at, "mlp_step")
    press(at, "mlp_step")
    assert epoch(at)[0] == 2
    at.select_slider(key="mlp.lr").set_value(0.1).run()
    assert epoch(at)[0] == 2 and at.session_state["run:mlp"].optimizer.lr == 0.1
    at.select_slider(key="mlp.w1").set_value(64).run()
    assert epoch(at)[0] == 0 and at.session_state["run:mlp"].model.layers[0].W.shape == (30, 64)


def test_sections_keep_their_own_runs():
    at = open_mlp()
    press(at, "mlp_step")
    at.radio(key="mlp.section").set_value("deep").run()
    assert epoch(at) == (0, 100)
    press(at, "mlp_step")
    press(at, "mlp_pin")
    at.radio(key="mlp.section").set_value("cancer").run()
    assert epoch(at) == (1, 1000) and "pins:mlp" not in at.session_state  # the deep net's pin is parked
    at.radio(key="mlp.section").set_value("deep").run()
    assert epoch(at) == (1, 100) and len(at.session_state["pins:mlp"]) == 1


def test_presets_and_sklearn_comparison():
    at = open_mlp()
    press(at, "mlp_preset_heldout")
    assert at.slider(key="mlp.test").value == 0.25 and at.select_slider(key="mlp.w1").value == 32
    assert any("held out" in i.value or "hidden from training" in i.value for i in at.info)
    press(at, "mlp_sklearn")
    table = at.dataframe[-1].value
    assert list(table["model"])[1:] == ["scikit-learn LogisticRegression", "scikit-learn MLPClassifier(32,)"]
    assert (table["test accuracy"].iloc[1:] > 0.9).all()


def test_share_link_round_trip():
    at = open_mlp({"section": "playground", "g_data": "circles", "g_layers": "1", "g_w1": "4", "g_lr": "0.1"})
    assert at.selectbox(key="mlp.g_data").value == "circles"
    assert at.slider(key="mlp.g_layers").value == 1 and at.select_slider(key="mlp.g_w1").value == 4
    assert at.select_slider(key="mlp.g_lr").value == 0.1
    assert at.session_state["run:mlp"].model.layers[0].W.shape == (2, 4)
    at.select_slider(key="mlp.g_epochs").set_value(500).run()
    q = dict(at.query_params)
    assert {k: q[k] for k in ("section", "g_data", "g_w1", "g_lr", "g_epochs")} == {
        "section": "playground", "g_data": "circles", "g_w1": "4", "g_lr": "0.1", "g_epochs": "500"}

    at = open_mlp({"section": "deep", "preset": "deep_relu"})
    assert at.selectbox(key="mlp.d_act").value == "relu" and at.selectbox(key="mlp.d_init").value == "he"
    assert dict(at.query_params).get("preset") == "deep_relu"


def test_bad_link_values_fall_back_with_a_notice():
    at = open_mlp({"section": "nowhere", "lr": "banana", "w1": "7", "preset": "deep_relu"})
    assert at.radio(key="mlp.section").value == "cancer"
    assert at.select_slider(key="mlp.lr").value == 0.01 and at.select_slider(key="mlp.w1").value == 128
    notices = apptools.shown(" ".join(w.value for w in at.warning))
    for name in ("section=nowhere", "lr=banana", "w1=7", "preset=deep_relu"):
        assert name in notices, name


def test_lecture_mode_hides_the_fine_knobs():
    at = open_mlp({"lecture": "1"})
    keys = {w.key for w in at.selectbox}
    assert "mlp.act" in keys and "mlp.init" not in keys and "mlp.opt" not in keys
    press(at, "mlp_step")
    assert epoch(at)[0] == 1


def test_the_cancer_block_says_which_epoch_it_shows_while_playing():
    """Reviewer: "Loss now, all rows" lagged the metrics row while training played, unmarked. The block is
    the page's picture (redrawn every few seconds): while playing it names the epoch it shows."""
    at = apptools.open_page("pages/mlp.py")
    assert not any("As of epoch" in c.value for c in at.caption)
    at.button(key="mlp_play").click().run()
    run = at.session_state["run:mlp"]
    assert run.playing
    assert any(f"As of epoch {run.epochs_done}:" in c.value for c in at.caption)
