"""Lesson 3 — logistic regression on one feature (post 003): the sigmoid curve slides to
the decision boundary, one sample at a time."""

import sys

import streamlit as st

import nnlib
from ui import common, lessons, live, memo, presets
from ui import logistic_views as views
from ui.i18n import N_, _
from ui.params import PageParams, lecture_mode, seed
from ui.presets import Preset

PAGE = "logistic"
p = PageParams(PAGE)

common.page_start()
st.title(_("3 · Logistic regression in 1-D"))

POST = {"n": 100, "boundary": 7.0, "scale": 2.0, "direction": "pos", "shuffle": False, "lr": 0.01, "epochs": 10}
PRESETS = {
    "post": Preset(N_("The post's run"), POST,
                   N_("100 points around 7, lr 0.01, 10 epochs = 1000 updates. Predict: does the middle of the red "
                   "curve reach the boundary at 7? Watch *Learned boundary*, then pin the run and try "
                   "*Centred data*.")),
    "centred": Preset(N_("Centred data"), {**POST, "boundary": 0.0},
                      N_("The post's last listing puts the boundary at 0; nothing else changes. Predict: faster or "
                      "slower than at 7? Compare the two paths on the loss landscape.")),
    "high": Preset(N_("Learning rate too high"), {**POST, "lr": 5.0},
                   N_("lr 5: one update moves w by up to 5·x ≈ 35. Predict: does the curve settle, or jump between "
                   "near-vertical steps? Watch the light-blue curves and the zigzag on the landscape.")),
    "far": Preset(N_("Boundary far from 0"), {**POST, "lr": 0.001, "epochs": 50},
                  N_("Boundary 7 with small steps, for 50 epochs. Predict how far −b/w gets. Then read *Why is a "
                  "boundary far from 0 slow?* below: the bias gets steps seven times too small.")),
    "neg": Preset(N_("Negative direction"), {**POST, "direction": "neg"},
                  N_("Now class 1 is x < 7: the curve has to fall, not rise. Predict the sign of w at the end, and "
                  "whether 10 epochs are enough to flip it.")),
}
presets.picker(p, PAGE, PRESETS)

with st.sidebar:
    st.subheader(_("Logistic regression 1-D"))
    common.controls_note()
    boundary = p.slider(_("Decision boundary"), "boundary", -10.0, 10.0, 7.0, 0.5,
                        help=_("x is drawn around this value; the label says which side of it x fell"))
    direction = p.select(_("Class 1 is"), "direction", ["pos", "neg"], "pos", horizontal=True,
                         format_func={"pos": _("x > boundary"), "neg": _("x < boundary")}.get)
    n = p.slider(_("Samples"), "n", 10, 200, 100, 10, advanced=True)
    scale = p.slider(_("Spread of x"), "scale", 0.5, 5.0, 2.0, 0.5, advanced=True,
                     help=_("x ~ Normal(boundary, spread); the post uses 2"))
    shuffle = p.toggle(_("Shuffle every epoch"), "shuffle", False, advanced=True,
                       help=_("The post visits the samples in the same order every epoch; on: a new order each epoch"))
    lr = p.select_slider(_("Learning rate"), "lr", [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 5.0,
                                                 10.0], 0.01)
    epochs = p.select_slider(_("Epochs"), "epochs", [1, 2, 5, 10, 20, 50, 100, 200], 10,
                             help=_("One epoch = one update per sample ({n} updates)", n=n))
    log_y = common.log_scale(p)

signature = (n, boundary, scale, direction, shuffle, seed())
label = ", ".join([f"lr={lr:g}", _("boundary {boundary}", boundary=f"{boundary:g}")]
                  + ([_("x < boundary")] if direction == "neg" else []) + ([_("shuffled")] if shuffle else []))


def new_run() -> views.PathRun:
    x, y, model, rng = views.build(n, boundary, scale, direction, seed())
    return views.PathRun(signature, model, nnlib.BinaryCrossEntropy(), nnlib.SGD(model, lr=lr), x, y,
                         train_kwargs={"batch_size": 1, "shuffle": shuffle, "rng": rng, "every_step": True},
                         target_epochs=epochs, label=label, extra={"data": repr(signature)})


run = live.get_run(PAGE, signature, new_run)
run.label = label
domain = views.x_domain(run.x, boundary, scale)


def pinned_paths() -> list:
    """Pinned runs trained on this same data, as per-epoch (w, b) paths."""
    out = []
    for pin in live.pins(PAGE):
        h = pin["history"]
        if {"w", "b", "data"} <= set(h.columns) and (h["data"] == run.extra["data"]).all():
            label = _("pin: {label}", label=pin["label"])
            out.append((label, h.rename(columns={"epoch": "update"})[["update", "w", "b"]]))
    return out


def draw(r: views.PathRun) -> None:
    path = views.path_frame(r)
    w, b = path["w"].iloc[-1], path["b"].iloc[-1]
    learned = views.learned_boundary(w, b)
    cols = st.columns(4)
    cols[0].metric(_("Weight w"), f"{w:.4f}")
    cols[1].metric(_("Bias b"), f"{b:.4f}")
    cols[2].metric(_("Learned boundary −b/w"), "—" if learned is None else f"{learned:.3f}",
                   None if learned is None else _("{diff} from the true one", diff=f"{learned - boundary:+.3f}"),
                   delta_color="off", delta_arrow="off")
    cols[3].metric(_("True boundary"), f"{boundary:g}")
    height = 480 if lecture_mode() else 380
    pins = pinned_paths()
    fresh = not r.optimizer.steps and not pins  # an untrained run: the same charts for every visitor (ui.memo)
    common.show_chart(st, memo.shared(fresh, views.curve_chart, r.x, r.y, path, boundary, domain, height=height),
                      width="stretch")
    left, right = st.columns(2)
    grid = memo.shared(fresh, views.landscape_frame, r.x, r.y, [path] + [pp for _, pp in pins])
    common.show_chart(left, memo.shared(fresh, views.landscape_chart, grid, path, boundary, pins, height=height),
                      width="stretch")
    common.show_chart(right, memo.shared(fresh, views.update_loss_chart, views.update_loss_frame(r.x, r.y, path),
                                         height=height), width="stretch")


live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=max(1, epochs // 20), log_y=log_y)

common.explain(_(
    "One input *x*, one weight *w* and a bias *b*: z = w·x + b and **a = σ(z)**, the predicted probability "
    "that *x* belongs to class 1. The post draws *x* around a decision boundary and labels every point on one "
    "side 1. **Stochastic gradient descent** updates *w* and *b* after every single sample (100 updates per "
    "epoch) to lower the **binary cross-entropy**. The chart draws the starting curve (green), the curve after "
    "each update (light blue, later ones darker) and the current one (red), growing as it trains."),
    title=_("What this page shows"),
)
common.explain(_(
    "**Reading the curve.** σ(z) = 0.5 where z = 0, that is at **x = −b/w**: the learned boundary (red dashed "
    "line). Training slides it toward the true one (grey) and makes the step steeper (|w| grows). The data can "
    "be split perfectly, so a steeper and steeper curve could take the loss toward 0 — but not quickly here: "
    "in the post's run (seed 0) the epoch loss drops from 1.58 to 0.50 after the first epoch, then almost "
    "stalls (0.46 after ten epochs), because the bias crawls (see *Why is a boundary far from 0 slow?*). With "
    "*Centred data* it keeps falling.\n\n"
    "**The loss landscape** colours the mean loss for every (w, b) around the path (dark = low). On the dashed "
    "line b = −boundary·w the curve's middle is exactly at the true boundary; the SGD path (white) heads for "
    "it and then runs along it toward bigger |w|. Pin a run, change the learning rate, Reset and Play: both "
    "paths appear."),
    title=_("Reading the charts"),
)
common.explain(_(
    "**Why is a boundary far from 0 slow?** The gradients are dL/dw = (a − y)·x and dL/db = a − y. "
    "With x around 7 every update moves w about seven times as much as b, yet the boundary at 7 needs "
    "b = −7w: the bias has to travel seven times farther with steps seven times smaller. On the landscape "
    "that is a long, narrow valley: a learning rate small enough not to jump across it crawls along it. "
    "**Centring** the data (subtracting the mean of x, so the boundary sits near 0) makes both directions "
    "learn at the same pace — compare the *Centred data* preset, done in 10 epochs."),
    title=_("Why is a boundary far from 0 slow?"),
)
common.explain(_(
    "**Two differences from the post, same numbers.** The post's loss −(y log a + (1 − y) log(1 − a)) and its "
    "gradient (a − y)/(a(1 − a)) break when a sample pushes *a* to exactly 0 or 1 (log 0, division by 0: "
    "a large learning rate gets there). nnlib's `BinaryCrossEntropy` clips *a* to [10⁻¹⁰, 1 − 10⁻¹⁰], so a "
    "sample's loss never exceeds about 23, and after a sigmoid the model multiplies the two factors out "
    "by hand: dL/dz = (a − y)/(a(1 − a)) · a(1 − a) = **a − y**, finite everywhere. With the same seed "
    "(`np.random.seed(s)` in the post's code, seed *s* in the sidebar) the page reproduces the post's w and b "
    "to the last digit. The post sets no seed, so its own picture differs in the details — the curve still "
    "heads for the boundary."),
    title=_("Differences from the post"),
)

live.save_load(PAGE, run, {"params": p.values()})
common.show_code([nnlib.data.logistic_1d, nnlib.Dense.forward, nnlib.Dense.backward, nnlib.Sigmoid,
                  nnlib.BinaryCrossEntropy, nnlib.Sequential.backward_loss, nnlib.SGD,
                  sys.modules["nnlib.train"]._loop], key=f"{PAGE}.code")
lessons.next_link(__file__)
p.sync_url(extra=presets.query(PAGE))
