"""MLP lesson, section 3: the 2-D playground — classification with 2 to 5 classes or regression,
built-in sets, your own CSV file or clicked points, feature maps, regularisation (L1/L2 weight
decay, dropout), learning-rate schedules, a live decision boundary / fitted surface / curve."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pandas as pd
import streamlit as st

import nnlib
from nnlib import data, schedules
from nnlib.features import FeatureMap

from .. import common, live
from ..i18n import N_, _, ngettext
from ..params import PageParams, seed
from ..run import TrainingRun
from . import play_data, see_network, views
from .play_presets import PLAY_DEFAULTS, PLAY_PRESETS
from .shared import (
    ACTIVATIONS,
    BATCH_NAMES,
    BATCHES,
    LRS,
    OPTIMIZERS,
    PAGE,
    SATURATED_NOTE,
    choose_preset,
    look_inside,
    record_norms,
    section_run,
    shown,
    tick_control,
)

MAX_LAYERS = 6
WIDTHS = [1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32]
FEATURE_KEYS = {"x1": "g_fx1", "x2": "g_fx2", "x1^2": "g_fx1sq", "x2^2": "g_fx2sq", "x1x2": "g_fx1x2",
                "sin_x1": "g_fsin1", "sin_x2": "g_fsin2"}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1x2": "x₁x₂", "sin_x1": "sin x₁",
                  "sin_x2": "sin x₂"}
REGULARISERS = {"none": N_("none"), "l2": N_("L2"), "l1": N_("L1")}
REG_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
DROPOUTS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
SCHEDULES = {"constant": N_("constant"), "step": N_("step decay"), "exponential": N_("exponential"),
             "cosine": N_("cosine")}
WARMUPS = [0, 5, 10, 20, 50, 100]
STEP_EVERY = [10, 25, 50, 100, 200, 500]
STEP_GAMMAS = [0.1, 0.2, 0.5, 0.7]
EPOCH_GAMMAS = [0.9, 0.95, 0.98, 0.99, 0.995, 0.999]

BOUNDARY_KEY = N_("**Reading it.** The background is the network's P(class 1): :orange[orange] near 0, "
                  ":blue[blue] near 1; the white band between is the decision boundary. Dots are the points, "
                  "coloured by their true class: circles train, triangles test. A dot on the wrong colour is "
                  "misclassified.")
CLASSES_KEY = N_("**Reading it.** Each cell has the colour of the class the network predicts there, strong where "
                 "it is sure and pale where it hesitates (white: a tie between classes). A softmax output gives "
                 "one probability per class. Circles train, triangles test; a dot on another colour is "
                 "misclassified.")
SURFACE_KEY = N_("**Reading it.** The background is the network's output at every point of the plane, the dots "
                 "the targets, on the same colour scale: where the fit is good, a dot disappears into its "
                 "background. Circles train, triangles test.")
CURVE_KEY = N_("**Reading it.** The grey dots are the data (circles train, triangles test), the blue line the "
               "network's output, the dashed orange line the noiseless function the data came from.")


class LiveSchedule:
    """The schedule ``train`` calls; the page swaps ``current`` when its controls change, so the
    rate follows the controls without restarting the run (each schedule is still a pure
    function of the step count)."""

    def __init__(self, current):
        self.current = current

    def __call__(self, step: int) -> float:
        return self.current(step)


def build_model(n_in: int, hidden: list[int], n_out: int, act: str, output: str, dropout,
                rng) -> nnlib.Sequential:
    """Dense layers with ``act`` (and Dropout after a hidden layer whose rate is > 0: ``dropout`` is
    one rate for all or one per hidden layer), then a Dense layer of ``n_out`` units with
    ``output``; He init for ReLU units, Xavier otherwise."""
    init = "he" if act in ("relu", "leaky_relu") else "xavier"
    rates = list(dropout) if isinstance(dropout, (list, tuple)) else [dropout] * len(hidden)
    layers, sizes = [], [n_in, *hidden]
    for a, b, rate in zip(sizes[:-1], sizes[1:], rates, strict=True):
        layers += [nnlib.Dense(a, b, init=init, rng=rng), nnlib.get_activation(act)]
        if rate:
            layers.append(nnlib.Dropout(rate, rng=rng))
    layers += [nnlib.Dense(sizes[-1], n_out, init="xavier", rng=rng), nnlib.get_activation(output)]
    return nnlib.Sequential(*layers)


def head(problem: str, n_classes: int) -> tuple[int, str, nnlib.Loss]:
    """Output width, output activation and loss for the problem."""
    if problem == "regression":
        return 1, "identity", nnlib.MSE()
    if n_classes <= 2:
        return 1, "sigmoid", nnlib.BinaryCrossEntropy()
    return n_classes, "softmax", nnlib.CrossEntropy()


def make_schedule(name: str, lr: float, warmup: int, step_every: int, step_gamma: float, epoch_gamma: float,
                  epochs: int, steps_per_epoch: int):
    """The controls (in epochs) as a schedule in optimizer steps. The cosine runs over the epoch
    target after the warm-up and ends at lr/100 (never 0: training may go on past the target)."""
    s = steps_per_epoch
    total = max(1, (epochs - warmup) * s)
    return schedules.make_schedule(name, lr, total_steps=total, step_size=step_every * s, gamma=step_gamma,
                                   min_lr=lr / 100, warmup_steps=warmup * s, start_factor=0.1) \
        if name != "exponential" else _exponential(lr, epoch_gamma ** (1 / s), warmup * s)


def _exponential(lr: float, gamma: float, warmup_steps: int):
    base = schedules.Exponential(lr, gamma)
    return schedules.Warmup(base, warmup_steps, 0.1) if warmup_steps else base


def feature_controls(p: PageParams, d: dict) -> FeatureMap:
    """TensorFlow Playground's feature toggles, two to a row."""
    st.markdown(_("**Features** (what the network sees)"))
    cols = st.columns(2)
    names = [name for i, (name, key) in enumerate(FEATURE_KEYS.items())
             if p.toggle(FEATURE_LABELS[name], key, d[key], where=cols[i % 2])]
    if not names:
        st.caption(_("No feature chosen: the network sees x₁ and x₂."))
        names = ["x1", "x2"]
    return FeatureMap(names)


def architecture(p: PageParams, d: dict) -> list[int]:
    n = p.slider(_("Hidden layers"), "g_layers", 0, MAX_LAYERS, d["g_layers"],
                 help=_("0 = no hidden layer: a linear model of the features (logistic or linear regression)."))
    return [p.select_slider(_("Units in hidden layer {i}", i=i + 1), f"g_w{i + 1}", WIDTHS, d.get(f"g_w{i + 1}", 8))
            for i in range(n)]


def playground(p: PageParams) -> None:
    preset = choose_preset(p, PLAY_PRESETS)
    d = PLAY_DEFAULTS
    with st.sidebar:
        st.subheader(_("Data"))
        common.controls_note()
        choice = play_data.choose_data(p, d)
        st.subheader(_("Network"))
        two_d_input = not (choice.problem == "regression" and choice.source == "builtin"
                           and choice.key[2] in data.REGRESSION_1D)
        fm = feature_controls(p, d) if two_d_input else None
        hidden = architecture(p, d)
        act = p.select(_("Activation"), "g_act", list(ACTIVATIONS), d["g_act"], format_func=shown(ACTIVATIONS))
        opt = p.select(_("Optimizer"), "g_opt", list(OPTIMIZERS), d["g_opt"], format_func=shown(OPTIMIZERS),
                       advanced=True)
        lr = p.select_slider(_("Learning rate"), "g_lr", LRS, d["g_lr"])
        batch = p.select_slider(_("Batch size"), "g_batch", BATCHES, d["g_batch"], advanced=True,
                                format_func=shown(BATCH_NAMES))
        epochs = p.select_slider(_("Epochs"), "g_epochs", [50, 100, 200, 300, 500, 1000, 2000], d["g_epochs"])
        st.subheader(_("Regularisation"))
        reg = p.select(_("Weight penalty"), "g_reg", list(REGULARISERS), d["g_reg"], horizontal=True,
                       format_func=shown(REGULARISERS),
                       help=_("Weight decay on the weights (never the biases), applied by the optimizer: "
                              "L2 adds λ·W to each weight's gradient, L1 adds λ·sign(W)."))
        reg_rate = p.select_slider(_("Penalty rate λ"), "g_reg_rate", REG_RATES, d["g_reg_rate"]) \
            if reg != "none" else d["g_reg_rate"]
        per_layer = p.toggle(_("Dropout per layer"), "g_drop_each", False, advanced=True) if hidden else False
        if per_layer:
            dropout = tuple(p.select_slider(_("Dropout after hidden layer {i}", i=i + 1), f"g_drop{i + 1}",
                                            DROPOUTS, d[f"g_drop{i + 1}"]) for i in range(len(hidden)))
        else:
            dropout = p.select_slider(_("Dropout rate (every hidden layer)"), "g_drop", DROPOUTS, d["g_drop"],
                                      help=_("The fraction of hidden units switched off at random at each "
                                             "training step (inverted dropout); none when predicting."))
        st.subheader(_("Learning-rate schedule"))
        sched = p.select(_("Schedule"), "g_sched", list(SCHEDULES), d["g_sched"],
                         format_func=shown(SCHEDULES))
        warmup = p.select_slider(_("Warm-up epochs"), "g_warm", WARMUPS, d["g_warm"],
                                 help=_("The rate climbs linearly from lr/10 to lr over these epochs."))
        step_every = p.select_slider(_("Decay every (epochs)"), "g_step_every", STEP_EVERY, d["g_step_every"],
                                     advanced=True) if sched == "step" else d["g_step_every"]
        step_gamma = p.select_slider(_("Decay factor"), "g_step_gamma", STEP_GAMMAS, d["g_step_gamma"],
                                     advanced=True) if sched == "step" else d["g_step_gamma"]
        epoch_gamma = p.select_slider(_("Factor per epoch"), "g_egamma", EPOCH_GAMMAS, d["g_egamma"],
                                      advanced=True) if sched == "exponential" else d["g_egamma"]
        st.subheader(_("Display"))
        show_test = p.toggle(_("Show test points"), "g_showtest", True)
        thumbs = p.toggle(_("Neuron thumbnails"), "g_thumbs", True, advanced=True,
                          help=_("What every unit of the first two hidden layers computes (layers of up to 8 "
                                 "units)"))
        tick = tick_control(p, "g_tick", epochs, 25)
        log_y = common.log_scale(p)
    # With a built-in dataset, the clicking canvas (collapsed) goes below the live panel, so that Play, the
    # metrics and the loss chart stay on one 1280x800 screen under the preset's text; with a CSV file or
    # clicks only, the upload or the canvas comes first (nothing trains without it).
    panel_slot = st.container() if choice.source == "builtin" else contextlib.nullcontext()
    ds = play_data.own_data_area(choice)
    if ds is None:
        return
    n_out, output, loss = head(ds.problem, ds.n_classes)
    transform = fm if ds.dims == 2 else None
    n_in = len(fm) if transform is not None else ds.dims
    batch_size = None if batch == "full" else min(batch, len(ds.x_train))
    steps_per_epoch = 1 if batch_size is None else math.ceil(len(ds.x_train) / batch_size)
    schedule = make_schedule(sched, lr, warmup, step_every, step_gamma, epoch_gamma, epochs, steps_per_epoch)
    decay = reg_rate if reg != "none" else 0.0
    signature = (ds.key, fm.names if transform is not None else None, tuple(hidden), act, dropout, opt, batch,
                 seed())
    label = _label(ds, hidden, act, opt, lr, reg, reg_rate, dropout, sched, warmup)

    def new_run() -> TrainingRun:
        rng = np.random.default_rng([seed(), 1])
        model = build_model(n_in, hidden, n_out, act, output, dropout, rng)
        validation = (ds.x_test, ds.y_test) if ds.x_test is not None else None
        optimizer = nnlib.make_optimizer(opt, model, lr, weight_decay=decay, decay=reg if decay else "l2")
        return TrainingRun(signature=("playground", *signature), model=model, loss=loss, optimizer=optimizer,
                           x=ds.x_train, y=ds.y_train,
                           train_kwargs={"batch_size": batch_size, "rng": rng, "validation": validation,
                                         "transform": transform, "schedule": LiveSchedule(schedule),
                                         "metric": None if ds.problem == "regression" else "auto"},
                           target_epochs=epochs, label=label)

    run = section_run("playground", signature, new_run)
    run.label = label
    run.train_kwargs["schedule"].current = schedule  # the controls' schedule, from the next step on
    run.optimizer.weight_decay = decay
    if decay:
        run.optimizer.decay = reg
    varying = sched != "constant" or warmup > 0

    def draw(r: TrainingRun) -> None:
        if varying and r.history:
            common.show_chart(st, views.lr_chart(r.frame(), _("Learning rate in force")), width="stretch")
        if decay:
            penalty = r.history[-1].get("penalty") if r.history else r.optimizer.penalty()
            st.caption(_("The loss above is the data loss alone; the {kind} penalty (now {value}) is not "
                         "included. Training minimises their sum.", kind=_(REGULARISERS[reg]),
                         value=f"{penalty if penalty is not None else r.optimizer.penalty():.4g}"))
        _thumbnails(r, ds, transform, thumbs)
        record_norms(r)
        x_small = ds.x_train[:16]
        look_inside(r, x_small if transform is None else transform(x_small), ds.y_train[:16],
                    mismatch_note=_(SATURATED_NOTE) if ds.problem == "classification" else "")
        if ds.dims == 2:
            see_network.views(r, ds.x_train, ds.y_train, *ds.box, preset=preset, transform=transform,
                              input_names=[FEATURE_LABELS.get(n, n) for n in fm.names] if transform is not None
                              else None, classification=ds.problem == "classification")

    with panel_slot:
        live.panel(PAGE, run, epochs=epochs, lr=schedule(run.optimizer.steps), draw=draw, per_tick=tick,
                   log_y=log_y, draw_live=lambda r: _picture(r, ds, transform, show_test))
    common.explain(_(
        "**Reading the picture.** A hidden layer of ReLU or tanh units cuts the plane with straight lines; the "
        "next layer combines the cuts into curves — that is what depth buys. **Features** give the network "
        "curved inputs to start from (x₁² + x₂² is a circle), so a shallower network can do the same. "
        "**Weight decay** pulls every weight towards 0 at each step (L2 in proportion to the weight, L1 by a "
        "constant amount, which sets useless weights to exactly 0); **dropout** trains a different thinned "
        "network at each step; both fight overfitting. A **learning-rate schedule** changes the step size as "
        "training goes: a warm-up avoids wild first steps, a decay settles into a minimum."),
        title=_("Reading the picture"))
    meta = {"section": "playground", "params": p.values(), "problem": ds.problem, "classes": ds.class_names,
            "features": fm.config() if transform is not None else None}
    live.save_load(PAGE, run, meta, accept=lambda saved: _accept(saved, meta))
    code = [nnlib.Dense.forward, nnlib.Optimizer.step, nnlib.Optimizer.penalty_grad, type(schedule)]
    if transform is not None:
        code.insert(0, FeatureMap.__call__)
    if any(dropout) if isinstance(dropout, tuple) else dropout:
        code.insert(1, nnlib.Dropout.forward)
    if ds.problem == "regression" and choice.source == "builtin":
        code.insert(0, data.make_regression)
    elif choice.source == "builtin":
        code.insert(0, data.TWO_D[choice.key[2]])
    common.show_code(code, key="mlp.code")


def _accept(saved: dict, meta: dict) -> str | None:
    """Refuse a saved model whose problem type, classes or feature map differ from the page's."""
    if "problem" not in saved:
        return None  # a model saved before these fields existed: the architecture check decides
    for field, what in (("problem", _("problem type")), ("features", _("feature map")), ("classes", _("classes"))):
        if saved.get(field) != meta[field]:
            return _("it was trained with another {what} ({saved}) than this page is set to ({now}); set the "
                     "controls to match, then load it again.", what=what, saved=_describe(saved.get(field)),
                     now=_describe(meta[field]))
    return None


def _describe(value) -> str:
    if isinstance(value, dict) and "names" in value:
        return ", ".join(FEATURE_LABELS.get(n, "?") for n in value["names"])
    if isinstance(value, list):
        return str(len(value))
    return str(value)[:40]


def _label(ds, hidden, act, opt, lr, reg, reg_rate, dropout, sched, warmup) -> str:
    parts = [ds.name, "-".join(map(str, hidden)) or "0", ACTIVATIONS[act], f"{opt} lr={lr:g}"]
    if reg != "none":
        parts.append(f"{reg.upper()} {reg_rate:g}")
    if any(dropout) if isinstance(dropout, tuple) else dropout:
        shown = "/".join(f"{r:g}" for r in dropout) if isinstance(dropout, tuple) else f"{dropout:g}"
        parts.append(_("dropout {rate}", rate=shown))
    if sched != "constant" or warmup:
        parts.append(_(SCHEDULES[sched]))
    if warmup:
        parts.append(_("{n} warm-up epochs", n=warmup))
    return " ".join(parts)


def _picture(r: TrainingRun, ds: play_data.Dataset, transform, show_test: bool) -> None:
    """The decision boundary (regions, fitted curve or surface) and how to read it: redrawn with the curves
    while training plays (``live.panel``'s ``draw_live``), so the room watches it form."""
    x_range, y_range = ds.box if ds.dims == 2 else (None, None)
    title_epochs = r.epochs_done + r.extra.get("loaded_epochs", 0)  # loaded weights: what they had trained too
    left, right = st.columns([1.25, 1])
    subsets = [("train", ds.x_train, ds.y_train)]
    if show_test and ds.x_test is not None:
        subsets.append(("test", ds.x_test, ds.y_test))
    if ds.problem == "regression":
        points = pd.concat([views.value_points_frame(x, y, s) for s, x, y in subsets], ignore_index=True)
        if ds.dims == 1:
            lo, hi = float(ds.x_train.min()), float(ds.x_train.max())
            pad = 0.05 * (hi - lo)
            curve = views.curve_frame(r.model, (lo - pad, hi + pad), truth=ds.truth)
            chart = views.curve_chart(curve, points, ngettext("Fitted curve after {n} epoch",
                                                                "Fitted curve after {n} epochs", title_epochs))
            key = CURVE_KEY
        else:
            grid = views.surface_frame(r.model, x_range, y_range, 50, transform)
            chart = views.surface_chart(grid, points, ngettext("Fitted surface after {n} epoch",
                                                                  "Fitted surface after {n} epochs", title_epochs))
            key = SURFACE_KEY
    else:
        points = pd.concat([views.points_frame(x, y, s) for s, x, y in subsets], ignore_index=True)
        if ds.n_classes <= 2:
            grid = views.boundary_frame(r.model, x_range, y_range, 50, transform)
            title = ngettext("Decision boundary after {n} epoch", "Decision boundary after {n} epochs", title_epochs)
            chart = views.boundary_chart(grid, points, title=title)
            key = BOUNDARY_KEY
        else:
            grid = views.class_frame(r.model, x_range, y_range, 50, transform)
            chart = views.class_chart(grid, points, ds.class_names,
                                      ngettext("Decision regions after {n} epoch", "Decision regions after {n} epochs",
                                               title_epochs))
            key = CLASSES_KEY
    common.show_chart(left, chart, width="stretch")
    right.markdown(_(key))


def _thumbnails(r: TrainingRun, ds: play_data.Dataset, transform, thumbs: bool) -> None:
    """What each hidden unit computes (redrawn with the page's other pictures)."""
    x_range, y_range = ds.box if ds.dims == 2 else (None, None)
    if thumbs and ds.dims == 2:
        frame = views.neuron_frame(r.model, x_range, y_range, transform=transform)
        if frame.empty:
            st.caption(_("Neuron thumbnails are drawn for hidden layers of up to 8 units."))
        else:
            common.show_chart(st, views.neuron_chart(frame), width="content")
            st.caption(_("Orange = the unit's lowest output on the plane, blue = its highest."))
