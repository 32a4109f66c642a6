"""MLP lesson, section 3: the 2-D playground with a live decision boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import nnlib
from nnlib import data

from .. import common, live
from ..i18n import N_, _
from ..params import PageParams, seed
from ..presets import Preset
from ..run import TrainingRun
from . import see_network, views
from .shared import (
    ACTIVATIONS,
    BATCH_NAMES,
    BATCHES,
    LRS,
    OPTIMIZERS,
    PAGE,
    SATURATED_NOTE,
    architecture,
    build_mlp,
    choose_preset,
    look_inside,
    record_norms,
    section_run,
    shown,
    tick_control,
)

PLAY_DEFAULTS = {"g_data": "moons", "g_noise": 0.2, "g_n": 300, "g_test": 0.3, "g_layers": 2, "g_w1": 8, "g_w2": 8,
                 "g_act": "relu", "g_opt": "adam", "g_lr": 0.03, "g_batch": 32, "g_epochs": 200}
PLAY_PRESETS = {
    "pg_moons": Preset(N_("Moons, a small ReLU net"), PLAY_DEFAULTS,
                       N_("Predict: two layers of 8 ReLU units. How many epochs until the boundary bends between "
                       "the moons? Watch the thumbnails: each unit is a straight cut; the next layer combines them.")),
    "pg_xor": Preset(N_("XOR with 2 hidden units"), {**PLAY_DEFAULTS, "g_data": "xor", "g_layers": 1, "g_w1": 2,
                                                  "g_act": "tanh", "g_epochs": 300},
                     N_("Predict: XOR needs two straight cuts. Can 2 tanh units make them? Try the seed a few times "
                     "— then give the layer 4 units.")),
    "pg_spirals": Preset(N_("Spirals need depth"), {**PLAY_DEFAULTS, "g_data": "spirals", "g_noise": 0.05, "g_n": 500,
                                                 "g_layers": 3, "g_w1": 16, "g_w2": 16, "g_w3": 16, "g_act": "tanh",
                                                 "g_lr": 0.01, "g_epochs": 500},
                       N_("Predict: three tanh layers of 16 units on two interleaved spirals. Will the boundary follow "
                       "the arms? Compare with 1 hidden layer of 16.")),
    "pg_overfit": Preset(N_("Overfitting with a tiny training set"), {
        **PLAY_DEFAULTS, "g_noise": 0.45, "g_n": 100, "g_test": 0.5, "g_layers": 3, "g_w1": 32, "g_w2": 32,
        "g_w3": 32, "g_lr": 0.01, "g_epochs": 1000},
        N_("Predict: 50 noisy training points, three layers of 32. The boundary will wrap around single points "
        "(circles); the test points (triangles) won't follow. Watch the test loss climb.")),
}
DATASETS = {"moons": N_("moons"), "circles": N_("circles"), "xor": "XOR", "spirals": N_("spirals"),
            "blobs": N_("blobs")}


BOUNDARY_KEY = N_("**Reading it.** The background is the network's P(class 1): :orange[orange] near 0, "
                ":blue[blue] near 1; the white band between is the decision boundary. Dots are the points, "
                "coloured by their true class: circles train, triangles test. A dot on the wrong colour is "
                "misclassified.")


@st.cache_data(show_spinner=False, max_entries=64)
def playground_data(name: str, n: int, noise: float, test: float, data_seed: int):
    rng = np.random.default_rng(data_seed)
    x, y = data.make_2d(name, n, noise, rng=rng)
    return data.train_test_split(x, y, test, rng=rng)


def playground(p: PageParams) -> None:
    preset = choose_preset(p, PLAY_PRESETS)
    d = PLAY_DEFAULTS
    with st.sidebar:
        st.subheader(_("Data"))
        name = p.select(_("Dataset"), "g_data", list(data.TWO_D), d["g_data"],
                        format_func=shown(DATASETS))
        noise = p.slider(_("Noise"), "g_noise", 0.0, 0.5, d["g_noise"], 0.05)
        n = p.select_slider(_("Points"), "g_n", [50, 100, 200, 300, 500, 1000], d["g_n"], advanced=True)
        test = p.slider(_("Test fraction"), "g_test", 0.1, 0.9, d["g_test"], 0.05)
        st.subheader(_("Network"))
        hidden = architecture(p, "g_", [1, 2, 3, 4, 5, 6, 8, 12, 16, 32], d["g_layers"], [8, 8, 8, 8])
        act = p.select(_("Activation"), "g_act", list(ACTIVATIONS), d["g_act"], format_func=shown(ACTIVATIONS))
        opt = p.select(_("Optimizer"), "g_opt", list(OPTIMIZERS), d["g_opt"], format_func=shown(OPTIMIZERS),
                       advanced=True)
        lr = p.select_slider(_("Learning rate"), "g_lr", LRS, d["g_lr"])
        batch = p.select_slider(_("Batch size"), "g_batch", BATCHES, d["g_batch"], advanced=True,
                                format_func=shown(BATCH_NAMES))
        epochs = p.select_slider(_("Epochs"), "g_epochs", [50, 100, 200, 500, 1000, 2000], d["g_epochs"])
        show_test = p.toggle(_("Show test points"), "g_showtest", True)
        thumbs = p.toggle(_("Neuron thumbnails"), "g_thumbs", True, advanced=True,
                          help=_("What every unit of the first two hidden layers computes (layers of up to 8 units)"))
        tick = tick_control(p, "g_tick", epochs, 25)
    noise, test = round(float(noise), 2), round(float(test), 2)
    xtr, xte, ytr, yte = playground_data(name, n, noise, test, seed())
    x_range, y_range = views.box(np.vstack([xtr, xte]))
    init = "he" if act in ("relu", "leaky_relu") else "xavier"
    batch_size = None if batch == "full" else min(batch, len(xtr))
    signature = (name, n, noise, test, tuple(hidden), act, opt, batch, seed())
    label = f"{_(DATASETS.get(name, name))} {'-'.join(map(str, hidden))} {_(ACTIVATIONS[act])}, {opt} lr={lr:g}"

    def new_run() -> TrainingRun:
        rng = np.random.default_rng([seed(), 1])
        model = build_mlp([2, *hidden, 1], act, init, rng)
        return TrainingRun(signature=("playground", *signature), model=model, loss=nnlib.BinaryCrossEntropy(),
                           optimizer=nnlib.make_optimizer(opt, model, lr), x=xtr, y=ytr,
                           train_kwargs={"batch_size": batch_size, "rng": rng, "validation": (xte, yte)},
                           target_epochs=epochs, label=label)

    run = section_run("playground", signature, new_run)
    run.label = label

    def draw(r: TrainingRun) -> None:
        points = [views.points_frame(xtr, ytr, "train")]
        if show_test:
            points.append(views.points_frame(xte, yte, "test"))
        grid = views.boundary_frame(r.model, x_range, y_range, 50)
        frame = views.neuron_frame(r.model, x_range, y_range) if thumbs else None
        # the boundary keeps a roughly square column; the thumbnails go below it, where any
        # window width has room for them
        left, right = st.columns([1.25, 1])
        common.show_chart(left, views.boundary_chart(grid, pd.concat(points, ignore_index=True),
                                                     title=_("Decision boundary after {n} epochs",
                                                             n=r.epochs_done)),
                          width="stretch")
        right.markdown(_(BOUNDARY_KEY))
        if frame is not None:
            if frame.empty:
                st.caption(_("Neuron thumbnails are drawn for hidden layers of up to 8 units."))
            else:
                common.show_chart(st, views.neuron_chart(frame), width="content")
                st.caption(_("Orange = the unit's lowest output on the plane, blue = its highest."))
        record_norms(r)
        look_inside(r, xtr[:16], ytr[:16], mismatch_note=SATURATED_NOTE)
        see_network.views(r, xtr, ytr, x_range, y_range, preset=preset)

    live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=tick)
    common.explain(_(
        "**Reading the picture.** The background is the network's probability of class 1 (blue) vs class 0 "
        "(orange); the white band is the decision boundary. Circles are training points, triangles test points. "
        "A hidden layer of ReLU or tanh units cuts the plane with straight lines; the next layer combines the "
        "cuts into curves — that is what depth buys."), title=_("Reading the picture"))
    live.save_load(PAGE, run, {"section": "playground", "params": p.values()})
    common.show_code([data.TWO_D[name], data.grid, nnlib.Sequential.predict, nnlib.Dense.forward,
                      nnlib.get_activation(act).__class__], key="mlp.code")
