"""AppTest: the shell (navigation, sidebar, lecture mode, share links) and the first two
lessons (activations, single neuron), run as a user would through Streamlit."""


import apptools
import numpy as np
import pytest
from apptools import chart_frames, chart_text, epoch, metric, shown
from streamlit.testing.v1 import AppTest


def open_page(page: str | None = None, query: dict | None = None) -> AppTest:
    return apptools.open_page(page and f"pages/{page}.py", query)


def test_home_page_lists_the_lessons_and_the_sidebar():
    at = open_page()
    assert "Neural networks from scratch" in at.title[0].value
    assert at.number_input(key="app.seed").value == 0
    assert at.toggle(key="app.lecture").value is False
    cards = at.get("page_link")
    assert [c.proto.page for c in cards] == [  # one card per lesson, in course order (URL paths)
        "activations", "single_neuron", "logistic_1d", "mlp", "mnist", "exercises"]
    assert [c.proto.label for c in cards][:2] == ["1 · Activations", "2 · Single neuron"]


@pytest.mark.parametrize(("page", "target"), [("activations", "single_neuron"), ("single_neuron", "logistic_1d"),
                                              ("logistic_1d", "mlp"), ("mlp", "mnist"), ("mnist", "exercises"),
                                              ("exercises", "home")])
def test_every_lesson_ends_with_a_link_to_the_next(page, target):
    at = open_page(page, {"subset": "1000"} if page == "mnist" else None)
    links = at.get("page_link")
    assert links, f"{page}: no page link"
    assert links[-1].proto.page == ("" if target == "home" else target)
    assert ("Next lesson →" in links[-1].proto.label) == (target != "home")


def test_activations_page_plots_function_and_derivative():
    at = open_page("activations")
    spec = chart_text(at.get("vega_lite_chart")[0])
    assert "f′(x)" in spec and "Sigmoid" in spec
    assert metric(at, "f(0)") == "0.5000" and metric(at, "f′(0)") == "0.2500"
    at.selectbox(key="act.fn").set_value("relu").run()
    assert not at.exception
    assert metric(at, "f′(0)") == "0.0000"
    at.slider(key="act.x0").set_value(2.0).run()
    assert metric(at, "f(2)") == "2.0000" and metric(at, "f′(2)") == "1.0000"


def test_activations_softmax_bad_logits_warns_instead_of_failing():
    at = open_page("activations")
    at.text_input(key="act.logits").input("1, two, 3").run()
    assert not at.exception
    assert any("can't be used: 'two' is not a number" in shown(w.value) for w in at.warning)
    at.text_input(key="act.logits").input("1e400, 2").run()
    assert any("'1e400' is not a finite number" in shown(w.value) for w in at.warning)
    at.text_input(key="act.logits").input(", ".join(["1"] * 60)).run()
    assert any("give 2 to 12 numbers, got 60" in shown(w.value) and "…" in w.value for w in at.warning)


def test_activations_softmax_of_huge_finite_logits_with_a_temperature_is_not_nan():
    at = open_page("activations", query={"logits": "1e308, 0", "temp": "0.5"})
    assert not at.exception and not at.warning
    bars = [f for c in at.get("vega_lite_chart") for f in chart_frames(c) if "probability" in f]
    assert bars[0]["probability"].tolist() == [1.0, 0.0]  # the softmax bars
    jacobian = at.dataframe[0].value
    assert np.isfinite(jacobian.to_numpy()).all() and (jacobian.to_numpy() == 0).all()


def test_a_crafted_link_cannot_put_a_link_or_a_wall_of_text_into_the_notice():
    attack = "[Session expired: log in](https://evil.example/login)"
    at = open_page("activations", query={"logits": attack, "fn": attack, "x0": "9" * 5000, "temp": "<b>hi</b>",
                                         "compare": ["1", "x" * 5000]})
    assert not at.exception
    notices = [w.value for w in at.warning]
    text = " ".join(notices)
    assert "](" not in text and "<b>" not in text and "9" * 100 not in text and "x" * 100 not in text
    assert len(text) < 2500, len(text)  # five bad values, each cut short
    assert "“fn=[Session expired: log in](https://evil.example/login)” in the link was ignored" in shown(text)


def test_activations_logits_travel_in_the_link_and_leaky_alpha_reaches_the_comparison():
    at = open_page("activations", query={"logits": "3, 2, 1", "fn": "leaky_relu", "alpha": "0.5", "compare": "1"})
    assert at.text_input(key="act.logits").value == "3, 2, 1" and not at.warning
    frames = apptools.chart_frames(at.get("vega_lite_chart")[0])
    slopes = frames[0]
    leaky = slopes[slopes["curve"] == "Leaky ReLU"]
    assert leaky["y"].min() == 0.5  # the chosen α, not the default 0.01
    at.text_input(key="act.logits").input("5, 0").run()
    assert dict(at.query_params)["logits"] == "5, 0"


def test_single_neuron_shows_the_posts_first_step():
    at = open_page("single_neuron")
    text = " ".join(block.value for block in at.latex)
    for number in ["0.47143516", "-1.19097569", "1.43270697",  # W = randn(3, 1) after seed 1234
                   "0.80732274", "0.67110045", "0.87035962", "0.56014025",  # ŷ
                   "0.27262716361994604",  # the mean squared error, to the last digit
                   "-0.17444809", "0.13082577", "0.35273266",  # dW, db
                   "0.47317964", "-1.19228395", "1.42917964", "-0.00352733"]:  # after one step
        assert number in text, number


def test_single_neuron_play_trains_and_the_loss_falls():
    at = open_page("single_neuron")
    assert epoch(at) == 0
    at.button(key="neuron_play").click().run()
    first = float(metric(at, "Loss"))
    for _ in range(3):
        at.run()
    assert epoch(at) > 25
    assert float(metric(at, "Loss")) < first
    assert at.button(key="neuron_play").label == "Pause"  # playing: the same button now pauses
    at.button(key="neuron_play").click().run()
    paused = epoch(at)
    at.run()
    assert epoch(at) == paused


def test_step_trains_one_epoch_and_reset_starts_over_with_the_same_weights():
    at = open_page("single_neuron")
    at.button(key="neuron_step").click().run()
    assert epoch(at) == 1
    loss_after_one = metric(at, "Loss")
    at.button(key="neuron_step").click().run()
    assert epoch(at) == 2
    at.button(key="neuron_reset").click().run()
    assert epoch(at) == 0
    at.button(key="neuron_step").click().run()
    assert metric(at, "Loss") == loss_after_one  # same seed, same first step


def test_learning_rate_change_keeps_weights_but_gradient_mode_change_resets():
    at = open_page("single_neuron")
    at.button(key="neuron_step").click().run()
    at.button(key="neuron_step").click().run()
    run = at.session_state["run:neuron"]
    at.select_slider(key="neuron.lr").set_value(0.1).run()
    assert at.session_state["run:neuron"] is run and epoch(at) == 2
    assert run.optimizer.lr == 0.1
    at.toggle(key="neuron.postgrad").set_value(False).run()
    assert at.session_state["run:neuron"] is not run and epoch(at) == 0


def test_huge_learning_rate_is_caught_and_explained():
    at = open_page("single_neuron")
    run = at.session_state["run:neuron"]
    run.model.layers[0].W[...] = np.nan  # weights gone bad, as after an overflow
    at.button(key="neuron_step").click().run()
    assert not at.exception
    assert any("diverged" in e.value and "learning rate" in e.value for e in at.error)


def test_share_link_round_trip_and_bad_values_fall_back():
    at = open_page("single_neuron", query={"lr": "0.3", "epochs": "200", "seed": "7"})
    assert at.select_slider(key="neuron.lr").value == 0.3
    assert at.select_slider(key="neuron.epochs").value == 200
    assert at.number_input(key="app.seed").value == 7
    assert metric(at, "Epoch") == "0 / 200"
    bad = open_page("single_neuron", query={"lr": "banana", "epochs": "-5"})
    assert bad.select_slider(key="neuron.lr").value == 0.01
    notices = shown(" ".join(w.value for w in bad.warning))
    assert "lr=banana" in notices and "epochs=-5" in notices


def test_page_writes_its_settings_into_the_url():
    at = open_page("single_neuron")
    at.select_slider(key="neuron.lr").set_value(0.1).run()
    assert at.query_params["lr"] == ["0.1"] or at.query_params["lr"] == "0.1"


def test_lecture_mode_folds_text_hides_advanced_controls_and_keeps_their_values():
    at = open_page("single_neuron")
    at.toggle(key="neuron.postgrad").set_value(False).run()
    at.toggle(key="app.lecture").set_value(True).run()
    assert not at.exception
    assert any("font-size" in h.value for h in at.get("html"))  # the projector styling
    keys = [t.key for t in at.toggle]
    assert "neuron.postgrad" not in keys  # an advanced control, hidden on the projector
    assert at.session_state["run:neuron"].signature[2] is False  # ...but its value stays
    assert len(at.expander) >= 1
    lecture = open_page("activations", query={"lecture": "1"})
    assert lecture.toggle(key="app.lecture").value is True


def test_pinned_runs_overlay_on_the_loss_chart():
    at = open_page("single_neuron")
    at.button(key="neuron_step").click().run()
    at.button(key="neuron_pin").click().run()
    at.select_slider(key="neuron.lr").set_value(1.0).run()
    at.button(key="neuron_reset").click().run()
    at.button(key="neuron_step").click().run()
    spec = chart_text(at.get("vega_lite_chart")[0])
    assert "lr=0.01" in spec and "current run" in spec


def test_export_then_import_gives_identical_predictions_and_bad_files_are_refused():
    import io

    import nnlib
    from ui import live

    at = open_page("single_neuron")
    for _ in range(3):
        at.button(key="neuron_step").click().run()
    run = at.session_state["run:neuron"]
    blob = live.model_bytes(run, {"page": "neuron", "epochs": run.epochs_done})
    x, _ = nnlib.data.toy4()
    before = run.model.predict(x)
    at.button(key="neuron_reset").click().run()
    fresh = at.session_state["run:neuron"]
    assert not fresh.trained
    ok, message = live.load_into("neuron", fresh, blob, "model.npz")
    assert ok, message
    np.testing.assert_array_equal(fresh.model.predict(x), before)
    assert fresh.trained and shown(fresh.extra["loaded"]) == "model.npz"  # can be downloaded again, shown as loaded
    assert fresh.extra["loaded_epochs"] == 3
    loaded = fresh.extra["loaded_metrics"]  # the metrics row describes the loaded weights at once
    assert loaded["loss"] == pytest.approx(nnlib.MSE().value(before, nnlib.data.toy4()[1]))
    assert loaded["accuracy"] == nnlib.accuracy(before, nnlib.data.toy4()[1])
    at.run()
    assert metric(at, "Loss") == f"{loaded['loss']:.4f}"
    assert any("Loaded: model.npz, trained 3 epochs" in shown(c.value) for c in at.caption)
    assert not live.load_into("neuron", fresh, b"not a zip", "junk.npz")[0]
    other = nnlib.Sequential(nnlib.Dense(3, 2, rng=0), nnlib.Sigmoid())
    buf = io.BytesIO()
    nnlib.save(other, buf, meta={"page": "neuron"})
    ok, message = live.load_into("neuron", fresh, buf.getvalue(), "wide.npz")
    assert not ok and "layer sizes: 3-2 in the file, 3-1 on this page" in shown(message), message
    ok, message = live.load_into("mlp", fresh, blob, "model.npz")
    assert not ok and "“2 · Single neuron” page" in message  # the lesson it came from, by its title


@pytest.mark.parametrize("page", ["activations", "single_neuron"])
def test_show_the_code_prints_nnlib_source(page):
    at = open_page(page)
    key = {"activations": "act.code", "single_neuron": "neuron.code"}[page]
    at.toggle(key=key).set_value(True).run()
    assert not at.exception
    assert any("def " in c.value or "class " in c.value for c in at.code)


def test_preset_sets_the_controls_shows_its_text_and_travels_in_the_url():
    at = open_page("single_neuron")
    at.button(key="neuron_preset_slow").click().run()
    assert not at.exception
    assert at.select_slider(key="neuron.lr").value == 0.001
    assert any("Learning rate too small" in i.value for i in at.info)
    assert "slow" in str(at.query_params.get("preset"))
    linked = open_page("single_neuron", query={"preset": "fast"})
    assert linked.select_slider(key="neuron.lr").value == 10.0
    assert linked.select_slider(key="neuron.epochs").value == 200
    moved = linked.select_slider(key="neuron.lr").set_value(0.1).run()
    assert not any("Large learning rate" in i.value for i in moved.info)  # no longer that experiment
    bad = open_page("single_neuron", query={"preset": "nope"})
    assert any("preset=nope" in shown(w.value) for w in bad.warning)


def test_activations_share_link_round_trip():
    link = {"fn": "tanh", "x0": "1.5", "temp": "2.0", "compare": "0"}
    at = open_page("activations", query=link)
    assert at.selectbox(key="act.fn").value == "tanh" and at.slider(key="act.x0").value == 1.5
    assert at.slider(key="act.temp").value == 2.0
    assert metric(at, "f(1.5)") == "0.9051"  # tanh(1.5)
    assert {k: v for k, v in dict(at.query_params).items()} == {"fn": "tanh", "x0": "1.5", "temp": "2.0"}
    bad = open_page("activations", query={"fn": "<script>", "x0": "99"})
    assert bad.selectbox(key="act.fn").value == "sigmoid" and bad.slider(key="act.x0").value == 0.0
    notices = shown(" ".join(w.value for w in bad.warning))
    assert notices.count("in the link was ignored") == 2 and "x0=99” in the link was ignored (outside" in notices
    assert "“fn=<script>” in the link was ignored" in notices
    dup = open_page("activations", query={"temp": ["0.5", "2.0"], "x0": "1e999", "compare": "maybe"})
    notices = shown(" ".join(w.value for w in dup.warning))
    assert "“temp” appears more than once in the link; the last value, “2.0”, is used" in notices
    assert "“x0=1e999” in the link was ignored (not a finite number); using the default, 0.0." in notices
    assert "“compare=maybe” in the link was ignored (expected 1 or 0); using the default, off." in notices
    assert dup.slider(key="act.temp").value == 2.0 and dict(dup.query_params) == {"temp": "2.0"}
    # a repeated parameter whose last value is bad gets one notice, that it was ignored (not also "is used")
    worse = open_page("activations", query={"temp": ["0.5", "<script>"]})
    notices = shown(" ".join(w.value for w in worse.warning))
    assert "“temp=<script>” in the link was ignored" in notices and "is used" not in notices
    conflict = open_page("single_neuron", query={"preset": "post", "lr": "3.0"})
    assert "“lr=3.0” in the link differs from the preset" in shown(" ".join(w.value for w in conflict.warning))


def test_two_pinned_runs_and_the_current_one_share_the_loss_chart():
    at = open_page("single_neuron")
    for lr in (0.01, 1.0, 10.0):
        at.select_slider(key="neuron.lr").set_value(lr).run()
        at.button(key="neuron_reset").click().run()
        for _ in range(3):
            at.button(key="neuron_step").click().run()
        if lr != 10.0:
            at.button(key="neuron_pin").click().run()
    frames = apptools.chart_frames(at.get("vega_lite_chart")[0])
    runs = set(frames[0]["run"])
    # a pin is named by its number and what differs from the current run (lr=10)
    assert runs == {"pin 1: lr=0.01", "pin 2: lr=1", "current run"}
    pins = at.session_state["pins:neuron"]
    assert [p["label"] for p in pins] == ["lr=0.01", "lr=1"]  # the whole settings stay with the pin
    assert at.button(key="neuron_unpin")
    at.button(key="neuron_unpin").click().run()
    assert set(apptools.chart_frames(at.get("vega_lite_chart")[0])[0]["run"]) == {"current run"}


def test_leaving_a_page_while_training_pauses_it_and_a_finished_run_says_so():
    at = open_page("single_neuron", query={"epochs": "200"})
    at.button(key="neuron_play").click().run()
    assert at.session_state["run:neuron"].playing
    at.run()
    assert at.session_state["run:neuron"].playing  # a rerun of the same page goes on training
    for other in ("pages/logistic_1d.py", "pages/activations.py"):  # another lesson, or a page without training
        at.switch_page(other).run()
        at.switch_page("pages/single_neuron.py").run()
        run = at.session_state["run:neuron"]
        assert not run.playing and not run.done, other  # back: waiting for Play, not training unasked
        assert at.button(key="neuron_play").label == "Resume"
        at.button(key="neuron_play").click().run()
        assert run.playing
    for _ in range(100):  # each run is one live tick of a few epochs
        if run.done:
            break
        at.run()
    at.run()
    assert run.done and at.button(key="neuron_play").label == "Finished" and at.button(key="neuron_play").disabled


def test_share_box_has_the_full_link_and_lecture_mode_shows_its_qr_code():
    at = open_page("logistic_1d", {"lr": "0.1"})
    links = [c.value for c in at.sidebar.code]
    assert links == ["/logistic_1d?lr=0.1"], links  # AppTest has no browser address; the page path stands in
    assert len(at.sidebar.get("image")) == 1  # the QR code inside the popover only
    lecture = open_page("logistic_1d", {"lr": "0.1", "lecture": "1"})
    assert [c.value for c in lecture.sidebar.code] == ["/logistic_1d?lecture=1&lr=0.1"]
    assert len(lecture.sidebar.get("image")) == 2  # and big in the sidebar, for the room to scan


@pytest.mark.parametrize("page", ["single_neuron", "logistic_1d", "mlp"])
def test_log_scale_toggle_and_the_note_on_what_restarts_the_model(page):
    import json

    at = open_page(page)
    assert any("every other control starts a fresh one" in m.value for m in at.sidebar.markdown)
    prefix = {"single_neuron": "neuron", "logistic_1d": "logistic", "mlp": "mlp"}[page]
    at.button(key=f"{prefix}_step").click().run()

    def loss_scale():
        for chart in at.get("vega_lite_chart"):
            spec = json.loads(chart.proto.spec)
            if spec.get("title") == "Loss":
                return spec["encoding"]["y"]["scale"].get("type", "linear")
        raise AssertionError("no loss chart")

    assert loss_scale() == "linear"
    at.toggle(key=f"{prefix}.logy").set_value(True).run()
    assert loss_scale() == "log"
    assert at.query_params.get("logy") in ("True", ["True"])  # travels in the share link
    assert "logy=True" in at.sidebar.code[0].value


def test_the_neuron_caption_claims_the_posts_numbers_only_with_the_posts_settings():
    post = open_page("single_neuron")
    assert any("the same numbers as the post" in c.value for c in post.caption)
    fast = open_page("single_neuron", {"preset": "fast"})  # lr 10
    captions = " ".join(c.value for c in fast.caption)
    assert "the same numbers as the post" not in captions
    assert "learning rate 10, the post's is 0.01" in captions
    mean = open_page("single_neuron", {"postgrad": "0"})
    assert "gradient of the mean" in " ".join(c.value for c in mean.caption)
