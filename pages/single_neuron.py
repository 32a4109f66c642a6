"""Lesson 2 — one sigmoid neuron on post 002's four rows, one matrix at a time."""

import numpy as np
import streamlit as st

import nnlib
from nnlib import data
from ui import common, lessons, live, presets
from ui.common import latex_matrix as M
from ui.i18n import N_, _
from ui.params import PageParams, lecture_mode, seed
from ui.run import TrainingRun

PAGE = "neuron"
POST_SEED = 1234
POST_LR = 0.01
p = PageParams(PAGE)

common.page_start()
st.title(_("2 · A single neuron"))

PRESETS = {
    "post": presets.Preset(N_("The post's run"), {"init": "post", "postgrad": True, "lr": 0.01, "epochs": 1000},
                           N_("lr 0.01 for 1000 iterations from the post's weights. Predict: does the neuron get all "
                           "four rows right by the end? Watch the accuracy curve.")),
    "slow": presets.Preset(N_("Learning rate too small"),
                           {"init": "post", "postgrad": True, "lr": 0.001, "epochs": 1000},
                           N_("Ten times smaller steps. Predict where the loss ends after 1000 iterations "
                           "compared with the post's run — then pin both and compare.")),
    "fast": presets.Preset(N_("Large learning rate"), {"init": "post", "postgrad": True, "lr": 10.0, "epochs": 200},
                           N_("lr 10: a thousand times the post's. With one sigmoid neuron the loss cannot blow up — "
                           "predict whether it converges faster or oscillates.")),
    "mean": presets.Preset(N_("True gradient of the mean"),
                           {"init": "post", "postgrad": False, "lr": 0.01, "epochs": 1000},
                           N_("The correct gradient of the mean loss is 4× smaller than the post's. Predict the curve "
                           "against the post's run (pin that one first).")),
}
presets.picker(p, PAGE, PRESETS)

with st.sidebar:
    st.subheader(_("Single neuron"))
    common.controls_note()
    init = p.select(_("Initial weights"), "init", ["post", "sidebar"], "post",
                    format_func={"post": _("the post's (seed {seed})", seed=POST_SEED),
                                 "sidebar": _("from the sidebar seed")}.get)
    post_grad = p.toggle(_("Post's gradient (sum over rows)"), "postgrad", True, advanced=True,
                         help=_("The post's dMSE/dŷ = −2(y − ŷ) has no 1/n, so it is 4× the gradient of the mean "
                                "loss it reports. Off: the true gradient of the mean."))
    lr = p.select_slider(_("Learning rate"), "lr", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0], 0.01)
    epochs = p.select_slider(_("Iterations"), "epochs", [10, 50, 100, 200, 500, 1000, 2000, 5000], 1000)
    log_y = common.log_scale(p)

rng_seed = POST_SEED if init == "post" else seed()


def post_caption(rate: float, posts_gradient: bool) -> str:
    """Where the first iteration's numbers come from; "the same numbers as the post" only when
    they are (the post's weights, learning rate and gradient)."""
    seeded = f"`np.random.seed({POST_SEED}); W = np.random.randn(3, 1)`"
    if rate == POST_LR and posts_gradient:
        return _("{seeded}, b = 0, learning rate {lr} — the same numbers as the post.", seeded=seeded, lr=f"{rate:g}")
    if posts_gradient:
        return _("{seeded}, b = 0: the post's initial weights, so the forward pass matches the post. The update "
                 "does not: learning rate {lr}, the post's is 0.01.", seeded=seeded, lr=f"{rate:g}")
    return _("{seeded}, b = 0: the post's initial weights, so the forward pass matches the post. The update "
             "does not: learning rate {lr} with the gradient of the mean, the post's is 0.01 with the gradient "
             "of the sum.", seeded=seeded, lr=f"{rate:g}")


x, y = data.toy4()


def build(rng):
    """The post's neuron: W ~ randn(3, 1) from a legacy RandomState, b = 0."""
    dense = nnlib.Dense(3, 1, init="normal", rng=rng)
    return nnlib.Sequential(dense, nnlib.Sigmoid()), nnlib.MSE(sum_grad=post_grad)


# ---- one iteration, matrix by matrix --------------------------------------------------------
model, loss = build(np.random.RandomState(rng_seed))
dense, sig = model.layers
W0, b0 = dense.W.copy(), dense.b.copy()
z = dense.forward(x)
y_hat = sig.forward(z)
L = loss.forward(y_hat, y)
dL_dyhat = loss.backward()
sigma_prime = nnlib.Sigmoid.df(z)
delta = sig.backward(dL_dyhat)
dense.backward(delta)
dW, db = dense.dW.copy(), dense.db.copy()
nnlib.SGD(model, lr=lr).step()


steps = [
    (_("Inputs and labels"), rf"x = {M(x, 0)},\quad y = {M(y, 0)}"),
    (_("Initial weights"), rf"W = {M(W0)},\quad b = {M(b0)}"),
    (_("Forward: weighted sum"), rf"z = xW + b = {M(z)}"),
    (_("Forward: sigmoid"), rf"\hat y = \sigma(z) = \frac{{1}}{{1 + e^{{-z}}}} = {M(y_hat)}"),
    (_("Loss: mean squared error"), rf"L = \tfrac{{1}}{{4}}\textstyle\sum (y - \hat y)^2 = {L:.17g}"),
    (_("Backward: loss gradient"), (r"\frac{\partial L}{\partial \hat y} = -2(y - \hat y)" if post_grad else
                                 r"\frac{\partial L}{\partial \hat y} = -\tfrac{2}{4}(y - \hat y)")
     + f" = {M(dL_dyhat)}"),
    (_("Backward: sigmoid slope"), rf"\sigma'(z) = \hat y (1 - \hat y) = {M(sigma_prime)}"),
    (_("Backward: chain rule"), rf"\delta = \frac{{\partial L}}{{\partial \hat y}} \odot \sigma'(z) = {M(delta)}"),
    (_("Gradient of the weights"), rf"\frac{{\partial L}}{{\partial W}} = x^\top \delta = {M(dW)}"),
    (_("Gradient of the bias"), rf"\frac{{\partial L}}{{\partial b}} = \textstyle\sum \delta = {M(db)}"),
    (_("Update: weights"), rf"W \leftarrow W - {lr:g}\,\frac{{\partial L}}{{\partial W}} = {M(dense.W)}"),
    (_("Update: bias"), rf"b \leftarrow b - {lr:g}\,\frac{{\partial L}}{{\partial b}} = {M(dense.b)}"),
]


def one_iteration() -> None:
    """Every matrix of the first iteration next to its formula (drawn after the live part: on a
    projector the experiment comes first)."""
    st.header(_("One iteration, matrix by matrix"))
    if init == "post":
        st.caption(post_caption(lr, post_grad))
    per_row = 1 if lecture_mode() else 2  # on a projector, one big step per row
    for i in range(0, len(steps), per_row):
        cols = st.columns(per_row)
        for col, (title, tex) in zip(cols, steps[i:i + per_row], strict=False):
            col.markdown(f"**{title}**")
            col.latex(tex)
    if post_grad:
        common.explain(_("ℹ️ **A quirk kept on purpose.** The post's gradient −2(y − ŷ) is the gradient of the *sum* "
                         "of squared errors, while the loss it prints is their *mean*: its steps are 4× (one per row) "
                         "what the printed loss asks for. We keep it so the numbers match the post; switch "
                         "*Post's gradient* off in the sidebar for the true gradient of the mean."))


# ---- training, live --------------------------------------------------------------------------

def new_run() -> TrainingRun:
    m, lo = build(np.random.RandomState(rng_seed))
    return TrainingRun(signature=(init, rng_seed, post_grad), model=m, loss=lo,
                       optimizer=nnlib.SGD(m, lr=lr), x=x, y=y, target_epochs=epochs,
                       label=run_label())


def run_label() -> str:
    return f"lr={lr:g}" if post_grad else _("lr={lr}, mean gradient", lr=f"{lr:g}")


run = live.get_run(PAGE, (init, rng_seed, post_grad), new_run)
run.label = run_label()


def draw(r: TrainingRun) -> None:
    w = r.model.layers[0]
    pred = r.model.predict(x)
    st.latex(rf"W = {M(w.W, 5)},\quad b = {M(w.b, 5)},\quad \hat y = {M(pred, 4)},\quad y = {M(y, 0)}")


live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=max(1, epochs // 40), log_y=log_y)
common.explain(
    _("One neuron with three inputs and a sigmoid: ŷ = σ(xW + b). It learns the four-row table of the post "
      "(the label equals the first input) by **gradient descent** on the mean squared error. Above, it trains "
      "live; below, every matrix of its first iteration is computed by nnlib and printed next to its formula."),
    title=_("What this page shows"),
)
one_iteration()
live.save_load(PAGE, run, {"params": p.values()})
common.show_code([nnlib.Dense.forward, nnlib.Dense.backward, nnlib.Sigmoid, nnlib.MSE, nnlib.SGD], key="neuron.code")
lessons.next_link(__file__)
p.sync_url(extra=presets.query(PAGE))
