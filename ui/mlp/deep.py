"""MLP lesson, section 2: post 004's deep sigmoid net and its vanishing gradients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import nnlib

from .. import common, live
from ..i18n import N_, _
from ..params import PageParams, seed
from ..presets import Preset
from ..run import TrainingRun
from . import views
from .shared import (
    ACTIVATIONS,
    LRS,
    PAGE,
    build_mlp,
    choose_preset,
    look_inside,
    record_norms,
    section_run,
    shown,
    tick_control,
)

POST_004 = {"first": 0.25462107925756766, "last": 0.10538895876740907, "seconds": 0.35006213188171387}
DEEP_INITS = {"tiny": N_("N(0, 0.01²) — the post's"), "xavier": "Xavier", "he": "He (ReLU)"}
DEEP_POST = {"d_depth": 6, "d_width": 32, "d_act": "sigmoid", "d_init": "tiny", "d_lr": 0.01, "d_epochs": 100}
DEEP_PRESETS = {
    "deep_post": Preset(N_("Sigmoid, tiny init (the post)"), DEEP_POST,
                        N_("Predict: 7 sigmoid layers with weights of size 0.01. Which layers will learn? Press "
                        "Play and read the gradient-norm chart: each layer down, the gradient shrinks ~100×.")),
    "deep_relu": Preset(N_("ReLU + He init"), {**DEEP_POST, "d_act": "relu", "d_init": "he"},
                        N_("Predict: same network, ReLU in the hidden layers and He init. Will the gradient "
                        "norms still spread over ten decades? Pin the post's run first to compare the losses.")),
    "deep_vs": Preset(N_("Sigmoid vs ReLU in a deep net"), {**DEEP_POST, "d_depth": 10, "d_init": "xavier",
                                                          "d_epochs": 200},
                      N_("Predict: 10 sigmoid layers even with a fair (Xavier) init. Play, pin the run, then switch "
                      "the activation to ReLU and init to He and play again: which loss falls faster, and why?")),
}


def deep(p: PageParams) -> None:
    choose_preset(p, DEEP_PRESETS)
    with st.sidebar:
        st.subheader(_("Deep network"))
        common.controls_note()
        depth = p.slider(_("Hidden layers"), "d_depth", 1, 10, 6, help=_("The post: 1 + hidden_depth 5 = 6"))
        width = p.select_slider(_("Units per hidden layer"), "d_width", [8, 16, 32, 64], 32)
        act = p.select(_("Activation (hidden layers)"), "d_act", list(ACTIVATIONS), "sigmoid",
                       format_func=shown(ACTIVATIONS))
        init = p.select(_("Initial weights"), "d_init", list(DEEP_INITS), "tiny", format_func=shown(DEEP_INITS))
        post_grad = p.toggle(_("The post's gradient h − y"), "d_postgrad", True, advanced=True,
                             help=_("The post's ½·MSE gradient h − y skips the 1/2 of the mean over the two "
                                    "outputs (2× the true gradient). Off: the true gradient."))
        lr = p.select_slider(_("Learning rate"), "d_lr", LRS, 0.01)
        epochs = p.select_slider(_("Epochs"), "d_epochs", [100, 200, 500, 1000, 2000], 100)
        tick = tick_control(p, "d_tick", epochs, 25)
        log_y = common.log_scale(p)
    sizes = [10, *[width] * depth, 2]
    signature = (depth, width, act, init, post_grad, seed())
    label = _("{depth}×{width} {activation}, {init} init, lr={lr}", depth=depth, width=width,
              activation=_(ACTIVATIONS[act]), init=init, lr=f"{lr:g}")

    def new_run() -> TrainingRun:
        rs = np.random.RandomState(seed())  # the post's order: x, y, then the weights
        x, y = rs.normal(0.0, 1.0, (1, 10)), rs.normal(0.0, 1.0, (1, 2))
        scale = 0.01 if init == "tiny" else None
        model = build_mlp(sizes, act, "normal" if init == "tiny" else init, rs, scale=scale)
        return TrainingRun(signature=("deep", *signature), model=model, loss=nnlib.MSE(half=True, sum_grad=post_grad),
                           optimizer=nnlib.SGD(model, lr=lr), x=x, y=y, train_kwargs={"metric": None},
                           target_epochs=epochs, label=label)

    run = section_run("deep", signature, new_run)
    run.label = label
    st.caption(_("One random sample (sidebar seed {seed}): x = {x}, y = {y}. The sigmoid output lives in (0, 1), "
                 "so a y outside it can only be approached.", seed=seed(),
                 x=np.array2string(run.x[0], precision=2), y=np.array2string(run.y[0], precision=3)))

    def draw(r: TrainingRun) -> None:
        record_norms(r)
        if r.history:
            first, last = r.history[0]["loss"], r.last["loss"]
            st.markdown(_("**Loss {first} → {last} in {n} epochs, {seconds} s of training** (the post: "
                          "{post_first} → {post_last} in 100 epochs, {post_seconds} s, with its own "
                          "unseeded sample).", first=f"{first:.4f}", last=f"{last:.4f}", n=r.epochs_done,
                          seconds=f"{r.last['seconds']:.3f}", post_first=f"{POST_004['first']:.4f}",
                          post_last=f"{POST_004['last']:.4f}", post_seconds=f"{POST_004['seconds']:.2f}"))
        cols = st.columns([1.4, 1])
        common.show_chart(cols[0], views.grad_norms_chart(pd.DataFrame(r.extra.get("norms", []))), width="stretch")
        if r.history:
            stats = r.model.layer_stats()
            common.show_chart(cols[1], views.grad_bars_chart(stats), width="stretch")
            ratio = views.vanishing_ratio(stats)
            if ratio is not None and ratio < 1e-3:
                st.info(_("The first layer's gradient is {ratio} × the last layer's: the early layers "
                          "hardly move. That is the **vanishing gradient**.", ratio=f"{ratio:.0e}"),
                        icon=":material/trending_down:")
        else:
            cols[1].caption(_("Press Play or Step: the gradient norms of every layer appear here."))
        note = (N_("Expected here: the post's gradient h − y is the gradient of the *sum* over the 2 outputs while "
                "the loss is their ½·*mean*, so backprop is exactly 2× the slope (relative error 0.5). Switch "
                "*The post's gradient* off in the sidebar and the check turns green.") if post_grad else "")
        look_inside(r, r.x, r.y, mismatch_note=note, norms=False)

    live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=tick, log_y=log_y)
    common.explain(_(
        "**Why the early layers don't learn.** Back-propagation multiplies the gradient, layer by layer, by the "
        "weights and by the sigmoid's slope σ′ ≤ 0.25. With weights of size 0.01 each sigmoid layer shrinks it "
        "by roughly 32 × 0.01 × 0.25 ≈ 0.1 or less, so six layers down almost nothing is left — only the last "
        "layers learn, and the loss falls because the output layer fits the single sample. ReLU's slope is 1 "
        "for positive inputs and He init keeps the signal's size from layer to layer: the gradient norms stay "
        "within one decade."), title=_("Vanishing gradients"))
    live.save_load(PAGE, run, {"section": "deep", "params": p.values()})
    common.show_code([nnlib.MSE, nnlib.Sigmoid, nnlib.Dense.backward, nnlib.Sequential.layer_stats,
                      nnlib.check_model_detail], key="mlp.code")
