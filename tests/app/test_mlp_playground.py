"""AppTest: the MLP lesson's 2-D playground (ui/mlp/playground.py) — each problem type and each
preset trains and its loss falls; the features-only and three-spirals presets reach their
accuracy; the CSV upload gives a plain message for every failure; share links, save/load."""

import io
import json
from pathlib import Path

import apptools
import numpy as np
import pytest
from apptools import metric, shown
from streamlit.testing.v1 import AppTest

import nnlib
from ui import presets
from ui.mlp.play_presets import PLAY_PRESETS

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "playground_sample.csv"


def open_play(query: dict | None = None) -> AppTest:
    return apptools.open_page("pages/mlp.py", {"section": "playground", **(query or {})})


def press(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def choose(at: AppTest, name: str) -> None:
    """Pick a preset from the playground's drop-down list of experiments."""
    at.selectbox(key="mlp_preset_choice").set_value(name).run()
    assert not at.exception, at.exception


def run_of(at: AppTest):
    return at.session_state["run:mlp"]


def epochs(at: AppTest) -> tuple[int, int]:
    done, target = metric(at, "Epoch").split("/")
    return int(done), int(target)


def play_to_the_end(at: AppTest, max_runs: int = 80) -> None:
    press(at, "mlp_play")
    for _ in range(max_runs):
        done, target = epochs(at)
        if done >= target:
            return
        at.run()
        assert not at.exception, at.exception
    raise AssertionError(f"training did not finish: epoch {epochs(at)}")


def chart_titles(at: AppTest) -> list[str]:
    out = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        for part in [spec, *spec.get("layer", [])]:
            t = part.get("title", "")
            out.append(t if isinstance(t, str) else t.get("text", ""))
    return out


def loss_falls(at: AppTest) -> None:
    press(at, "mlp_play")
    at.run()
    history = run_of(at).history
    assert len(history) >= 3, len(history)
    assert history[-1]["loss"] < history[0]["loss"]


@pytest.mark.parametrize(("query", "title", "shape"), [
    ({"g_data": "moons"}, "Decision boundary after", (2, 1)),
    ({"g_data": "blobs", "g_classes": "4"}, "Decision regions after", (2, 4)),
    ({"g_problem": "regression", "g_rdata": "sine"}, "Fitted curve after", (1, 1)),
    ({"g_problem": "regression", "g_rdata": "bumps"}, "Fitted surface after", (2, 1)),
], ids=["binary", "4 classes", "1-D regression", "2-D regression"])
def test_each_problem_type_trains_and_draws_its_picture(query, title, shape):
    at = open_play(query)
    loss_falls(at)
    model = run_of(at).model
    assert (model.in_features, model.out_features) == shape
    assert any(t.startswith(title) for t in chart_titles(at)), chart_titles(at)
    if "regression" in query.values():
        assert "Train accuracy" not in [m.label for m in at.metric]


@pytest.mark.parametrize("name", list(PLAY_PRESETS))
def test_each_preset_trains_and_its_loss_falls(name):
    at = open_play()
    choose(at, name)
    assert any(PLAY_PRESETS[name].title.split(":")[0] in i.value for i in at.info)
    for key, value in PLAY_PRESETS[name].values.items():
        assert at.session_state[f"mlp.{key}"] == value, key
    loss_falls(at)


def test_eleven_presets_are_one_drop_down_that_follows_the_run():
    """More presets than fit in one row of buttons are a drop-down list (one row, so that Play, the
    metrics and the loss chart stay on a 1280x800 screen): picking one applies it and shows its text;
    moving a control it set clears the choice, and picking the same preset again re-applies it."""
    at = open_play()
    assert len(PLAY_PRESETS) > presets.MAX_BUTTONS
    assert not [b for b in at.button if b.key and b.key.startswith("mlp_preset_")]
    box = at.selectbox(key="mlp_preset_choice")
    assert box.value is None and box.options == [p.title for p in PLAY_PRESETS.values()]
    choose(at, "pg_xor")
    assert at.session_state["mlp.g_w1"] == 2 and any("XOR" in i.value for i in at.info)
    at.select_slider(key="mlp.g_w1").set_value(4).run()
    assert at.selectbox(key="mlp_preset_choice").value is None and not at.info
    choose(at, "pg_xor")
    assert at.session_state["mlp.g_w1"] == 2 and at.selectbox(key="mlp_preset_choice").value == "pg_xor"
    assert dict(at.query_params).get("preset") == "pg_xor"


def test_a_preset_in_the_link_is_chosen_in_the_drop_down():
    at = open_play({"preset": "pg_spirals"})
    assert at.selectbox(key="mlp_preset_choice").value == "pg_spirals"
    assert at.session_state["mlp.g_data"] == "spirals"


def test_features_instead_of_depth_reaches_95_percent_with_no_hidden_layer():
    at = open_play({"g_tick": "1000"})
    choose(at, "pg_features")
    play_to_the_end(at)
    run = run_of(at)
    assert [type(layer).__name__ for layer in run.model.layers] == ["Dense", "Sigmoid"]
    assert run.model.in_features == 2 and run.train_kwargs["transform"].names == ("x1^2", "x2^2")
    assert float(metric(at, "Test accuracy")) >= 0.95


def test_three_spirals_with_softmax_reach_90_percent():
    at = open_play({"g_tick": "1000"})
    choose(at, "pg_spirals3")
    play_to_the_end(at, max_runs=200)
    run = run_of(at)
    assert type(run.model.layers[-1]).__name__ == "Softmax" and run.model.out_features == 3
    assert float(metric(at, "Test accuracy")) >= 0.9


def test_regularisation_and_schedule_change_live_and_the_rate_is_drawn():
    at = open_play({"g_sched": "step", "g_step_every": "10", "g_step_gamma": "0.5", "g_tick": "5"})
    press(at, "mlp_step")
    at.radio(key="mlp.g_reg").set_value("l1").run()
    run = run_of(at)
    assert epochs(at)[0] == 1 and run.optimizer.weight_decay == 0.001 and run.optimizer.decay == "l1"
    press(at, "mlp_play")
    at.run()
    assert run_of(at) is run and run.history[-1]["penalty"] > 0
    assert any("penalty" in c.value and "not included" in c.value for c in at.caption)
    assert "Learning rate in force" in chart_titles(at)
    lrs = [r["lr"] for r in run.history]
    steps_per_epoch = 7  # 210 training points in batches of 32
    assert lrs[0] == 0.03 and all(lr == 0.03 * 0.5 ** ((r["step"] - 1) // (10 * steps_per_epoch))
                                  for lr, r in zip(lrs, run.history, strict=True))


def test_dropout_and_depth_reach_six_layers_of_32():
    at = open_play({"g_layers": "6", **{f"g_w{i}": "32" for i in range(1, 7)}, "g_drop": "0.2"})
    press(at, "mlp_step")
    model = run_of(at).model
    assert len(model.dense_layers) == 7 and sum(type(la).__name__ == "Dropout" for la in model.layers) == 6
    assert any("Backprop agrees" in m.value for m in at.markdown)  # the gradient check freezes the masks


# -- your own data -------------------------------------------------------------------------------

def upload(at: AppTest, name: str, content: bytes) -> None:
    at.file_uploader(key="mlp_csv_upload").set_value((name, content, "text/csv")).run()
    assert not at.exception, at.exception


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_the_sample_csv_trains_as_three_classes_and_the_link_holds_no_data():
    at = open_play({"g_source": "csv"})
    assert any("never goes into the page's address" in c.value for c in at.caption)
    upload(at, "playground_sample.csv", SAMPLE.read_bytes())
    assert at.selectbox(key="mlp_csv_target").value == "fruit"
    at.checkbox(key="mlp_csv_std").check().run()
    loss_falls(at)
    run = run_of(at)
    assert run.model.out_features == 3 and abs(float(np.mean(run.x[:, 0]))) < 0.3
    assert any(t.startswith("Decision regions after") for t in chart_titles(at))
    link = " ".join(f"{k}={v}" for k, v in at.query_params.items())
    for private in ("fruit", "length_cm", "apple", "playground_sample"):
        assert private not in link
    at.selectbox(key="mlp_csv_target").set_value("weight_g").run()
    assert "holds text" not in errors(at)
    at.radio(key="mlp.g_problem").set_value("regression").run()
    assert not at.exception
    press(at, "mlp_step")
    assert run_of(at).model.out_features == 1 and any(t.startswith("Fitted surface") for t in chart_titles(at))


def test_a_cp949_file_with_korean_headers_reads_correctly():
    rows = "\n".join(f"{170 + i % 20},{50 + (i * 7) % 30},{'남' if i % 2 else '여'}" for i in range(40))
    at = open_play({"g_source": "csv"})
    upload(at, "키몸무게.csv", ("키,몸무게,성별\n" + rows + "\n").encode("cp949"))
    assert errors(at) == ""
    assert at.selectbox(key="mlp_csv_f1").options == ["키", "몸무게"]
    assert at.selectbox(key="mlp_csv_target").value == "성별"
    assert any("cp949" in c.value for c in at.caption)
    press(at, "mlp_step")
    assert epochs(at)[0] == 1


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "not a CSV text file"),
    ("이름,값\n가,1\n".encode("utf-16"), "not a CSV text file"),  # UTF-16 has NUL bytes
    ("a,b\n\xe9,1\n".encode("latin-1") + b"\xff\xff", "neither UTF-8 nor cp949"),
    (b"name,city\nann,seoul\nbob,busan\n", "numeric column"),
    (b"a,b,t\n" + b"".join(f"{i},{i % 3},c{i % 9}\n".encode() for i in range(40)), "9 different values"),
], ids=["image", "utf-16", "latin-1", "no numbers", "too many classes"])
def test_csv_failures_give_plain_messages(content, message):
    at = open_play({"g_source": "csv"})
    upload(at, "bad.csv", content)
    assert message in errors(at), errors(at)
    assert "mlp_play" not in [b.key for b in at.button]  # nothing to train on: no training panel


def test_missing_values_offer_to_drop_the_rows():
    text = "a,b,t\n" + "".join(f"{i},{'' if i % 10 == 3 else i % 5},{i % 2}\n" for i in range(50))
    at = open_play({"g_source": "csv"})
    upload(at, "gaps.csv", text.encode())
    assert "5 of 50 rows have empty cells" in errors(at)
    at.checkbox(key="mlp_csv_drop").check().run()
    assert errors(at) == "" and any("Dropped 5 rows" in i.value for i in at.info)
    press(at, "mlp_step")
    assert len(run_of(at).x) + len(run_of(at).train_kwargs["validation"][0]) == 45


def test_a_text_target_for_regression_and_a_big_file_are_explained():
    at = open_play({"g_source": "csv", "g_problem": "regression"})
    upload(at, "fruit.csv", SAMPLE.read_bytes())
    assert "holds text" in errors(at)
    rng = np.random.default_rng(0)
    big = "x,y,v\n" + "".join(f"{a:.3f},{b:.3f},{a * b:.3f}\n" for a, b in rng.standard_normal((6000, 2)))
    upload(at, "big.csv", big.encode())
    assert errors(at) == ""
    assert any("6000 rows" in i.value and "sample of 5000" in i.value for i in at.info)
    press(at, "mlp_step")
    assert len(run_of(at).x) == 3500  # 5000 sampled rows, 30 % held out


def test_a_column_name_with_markdown_is_shown_as_typed():
    at = open_play({"g_source": "csv"})
    upload(at, ":red[x].csv", b"a,b\n1,2\n")
    text = errors(at)
    assert "\\:red\\[x\\]" in text  # escaped, so Markdown shows it literally


def test_clicks_only_asks_for_points_first():
    at = open_play({"g_source": "clicks"})
    assert any("Click at least 4 points" in i.value for i in at.info)
    assert "mlp_play" not in [b.key for b in at.button]


# -- links, lecture mode, save/load ---------------------------------------------------------------

def test_share_link_round_trip_of_the_new_controls():
    query = {"g_problem": "regression", "g_rdata": "plane", "g_fx1sq": "1", "g_reg": "l2", "g_reg_rate": "0.01",
             "g_drop": "0.3", "g_sched": "cosine", "g_warm": "10", "g_layers": "0"}
    at = open_play(query)
    run = run_of(at)
    assert run.train_kwargs["transform"].names == ("x1", "x2", "x1^2")
    assert run.optimizer.weight_decay == 0.01 and run.optimizer.decay == "l2"
    q = dict(at.query_params)
    assert {k: q[k] for k in query} == {**query, "g_fx1sq": "True"}


def test_lecture_mode_hides_the_fine_knobs_but_keeps_the_lesson():
    at = open_play({"lecture": "1", "g_sched": "step"})
    keys = {w.key for w in at.select_slider} | {w.key for w in at.radio} | {w.key for w in at.selectbox}
    assert {"mlp.g_lr", "mlp.g_drop", "mlp.g_reg", "mlp.g_warm"} <= keys
    assert "mlp.g_step_every" not in keys and "mlp.g_batch" not in keys and "mlp.g_opt" not in keys


def _saved(at: AppTest, meta_change: dict) -> bytes:
    run = run_of(at)
    buf = io.BytesIO()
    meta = {"page": "mlp", "epochs": run.epochs_done, "section": "playground", "problem": "classification",
            "classes": ["0", "1"], "features": {"type": "FeatureMap", "names": ["x1", "x2"]}, **meta_change}
    nnlib.save(run.model, buf, meta=meta)
    return buf.getvalue()


def test_a_saved_model_records_and_checks_its_feature_map_and_problem_type():
    at = open_play()
    press(at, "mlp_step")
    meta = json.loads(str(np.load(io.BytesIO(_saved(at, {})))["meta"]))
    assert meta["features"]["names"] == ["x1", "x2"] and meta["problem"] == "classification"
    other = _saved(at, {"features": {"type": "FeatureMap", "names": ["x1^2", "x2^2"]}})
    at.file_uploader(key="mlp_upload").set_value(("other.npz", other, "application/octet-stream")).run()
    assert "another feature map (x₁², x₂²)" in errors(at)
    same = _saved(at, {})
    at.file_uploader(key="mlp_upload").set_value(("same.npz", same, "application/octet-stream")).run()
    assert any("Loaded same.npz" in shown(s.value) for s in at.success)  # the file name is shown escaped
    # the boundary of the loaded weights says how long they had trained (it said "after 0 epochs")
    assert "Decision boundary after 1 epoch" in chart_titles(at), chart_titles(at)


def test_show_the_code_and_pins_cover_the_new_pieces():
    at = open_play({"g_drop": "0.2", "g_fx1sq": "1", "g_sched": "cosine", "g_reg": "l1"})
    press(at, "mlp_step")
    press(at, "mlp_pin")
    label = at.session_state["pins:mlp"][0]["label"]
    assert "dropout 0.2" in label and "L1 0.001" in label and "cosine" in label
    at.toggle(key="mlp.code").set_value(True).run()
    code = " ".join(c.value for c in at.code)
    for piece in ("def __call__(self, x)", "self.rng.random(x.shape) >= self.rate", "def penalty_grad",
                  "class Cosine", "def moons"):
        assert piece in code, piece


def test_dropout_per_layer():
    at = open_play({"g_layers": "3", "g_drop_each": "1", "g_drop1": "0.5", "g_drop3": "0.2"})
    press(at, "mlp_step")
    rates = [layer.rate for layer in run_of(at).model.layers if type(layer).__name__ == "Dropout"]
    assert rates == [0.5, 0.2]
    kinds = [type(layer).__name__ for layer in run_of(at).model.layers]
    assert kinds[:3] == ["Dense", "ReLU", "Dropout"] and kinds[3:5] == ["Dense", "ReLU"] and kinds[5] == "Dense"
