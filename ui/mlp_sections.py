"""The three sections of the MLP lesson (``pages/mlp.py``): breast cancer (post 000), the
deep sigmoid net (post 004) and the 2-D playground, plus what they share — building an
MLP, the per-section run, the "look inside" panel.

One ``mlp`` training panel is live at a time; each section keeps its own run and pinned
curves while another section is shown."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import streamlit as st

import nnlib
from nnlib import data

from . import charts, common, live, presets
from . import mlp_views as views
from .params import PageParams, lecture_mode, seed
from .presets import Preset
from .run import TrainingRun

PAGE = "mlp"
SECTIONS = {"cancer": "Breast cancer (post 000)", "deep": "Deep sigmoid net (post 004)",
            "playground": "2-D playground"}
ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
OPTIMIZERS = {"sgd": "gradient descent (SGD)", "momentum": "SGD + momentum 0.9", "adam": "Adam"}
LRS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCHES = ["full", 8, 16, 32, 64, 128]
TICKS = ["auto", 1, 2, 5, 10, 25, 100, 1000]
TICK_HELP = ("How many epochs to train between two redraws while playing (bigger = faster, choppier); "
             "auto = a fixed number of redraws per run.")


# -- shared ------------------------------------------------------------------------------------

def build_mlp(sizes: list[int], act: str, init: str, rng, *, bias: bool = True, scale: float | None = None,
              output: str = "sigmoid") -> nnlib.Sequential:
    """Dense layers of the given sizes, ``act`` after each hidden one, ``output`` at the end."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nnlib.Dense(n_in, n_out, bias=bias, init=init, scale=scale, rng=rng))
        layers.append(nnlib.get_activation(output if i == len(sizes) - 2 else act))
    return nnlib.Sequential(*layers)


def architecture(p: PageParams, prefix: str, widths: list[int], default_layers: int,
                 default_widths: list[int], max_layers: int = 4) -> list[int]:
    """Number of hidden layers, then one width slider per layer."""
    n = p.slider("Hidden layers", f"{prefix}layers", 1, max_layers, default_layers)
    return [p.select_slider(f"Units in hidden layer {i + 1}", f"{prefix}w{i + 1}", widths, default_widths[i])
            for i in range(n)]


def choose_preset(p: PageParams, section_presets: dict[str, Preset]) -> str | None:
    """The preset picker for this section (a preset of another section is dropped)."""
    key = f"preset:{PAGE}"
    if st.session_state.get(key) not in (None, *section_presets):
        st.session_state[key] = None
    return presets.picker(p, PAGE, section_presets)


def section_run(section: str, signature: tuple, factory) -> TrainingRun:
    """``live.get_run`` for one section: the run (and pinned curves) of the section being
    left are parked and come back when the user returns to it."""
    parked = st.session_state.setdefault(f"{PAGE}:parked", {})
    current = st.session_state.get(f"run:{PAGE}")
    if current is not None and current.signature[0] != section:
        current.playing = False
        parked[current.signature[0]] = (current, st.session_state.pop(f"pins:{PAGE}", []))
        del st.session_state[f"run:{PAGE}"]
        current = None
    if current is None and section in parked:
        run, pins = parked.pop(section)
        st.session_state[f"run:{PAGE}"] = run
        if pins:
            st.session_state[f"pins:{PAGE}"] = pins
    return live.get_run(PAGE, (section, *signature), factory)


def record_norms(run: TrainingRun) -> None:
    """Append the layers' gradient norms to ``run.extra["norms"]`` once per epoch seen."""
    if not run.history or run.extra.get("norm_epoch") == run.epochs_done:
        return
    rows = run.extra.setdefault("norms", [])
    if run.extra.get("norm_epoch", 0) > run.epochs_done:  # a model was loaded: start over
        rows.clear()
    rows.extend(views.norms_rows(run.epochs_done, run.model.layer_stats()))
    run.extra["norm_epoch"] = run.epochs_done


def look_inside(run: TrainingRun, x_small, y_small, mismatch_note: str = "", norms: bool = True) -> None:
    """Live gradient check (backprop vs central differences on a few weights) and the
    units' health (dead ReLUs, saturated sigmoids) from the last training pass."""
    with st.expander("Look inside: gradient check, gradient norms, dead and saturated units",
                     expanded=not lecture_mode(), icon=":material/search:"):
        rows = nnlib.check_model_detail(run.model, run.loss, x_small, y_small, n_samples=3, rng=run.epochs_done)
        check = views.gradcheck_frame(rows)
        worst = check["rel_error"].max()
        where = f"{len(rows)} sampled weights, {len(x_small)} training sample{'s' * (len(x_small) > 1)}"
        if check["ok"].all():
            st.markdown(f":green[**✓ Backprop agrees with finite differences**] — worst relative error "
                        f"{worst:.1e} (below {views.GRADCHECK_OK:.0e}); {where}, checked again at every redraw.")
        else:
            st.markdown(f":red[**✗ Backprop differs from finite differences**] — worst relative error "
                        f"{worst:.1e} (above {views.GRADCHECK_OK:.0e}); {where}. {mismatch_note}")
        cols = st.columns(2)
        cols[0].altair_chart(views.gradcheck_chart(check), width="stretch")
        cols[0].caption(f"Relative error = |backprop − numerical| / max(|backprop|, |numerical|); gradients "
                        f"under {views.GRADCHECK_FLOOR:.0e} are compared in absolute terms (central differences "
                        "in float64 resolve about 1e-9).")
        if not run.history:
            cols[1].caption("Gradient norms and unit health appear after the first epoch.")
            return
        stats = run.model.layer_stats()
        if norms:
            cols[1].altair_chart(views.grad_norms_chart(pd.DataFrame(run.extra.get("norms", []))), width="stretch")
        table = views.health_frame(stats)
        st.dataframe(table, hide_index=True, width="stretch")
        for hint in views.health_hints(stats):
            st.warning(hint, icon=":material/warning:")


def tick_control(p: PageParams, name: str, epochs: int, frames: int) -> int:
    """Epochs per redraw; "auto" gives about ``frames`` redraws for the whole run."""
    tick = p.select_slider("Epochs per redraw", name, TICKS, "auto", advanced=True, help=TICK_HELP)
    return max(1, epochs // frames) if tick == "auto" else tick


# -- breast cancer (post 000) --------------------------------------------------------------------

POST_000 = {"loss_0": 1.5326826056975693, "loss_50": 0.4672773442711708, "final": 0.12445125178791992,
            "confusion": [[194, 18], [12, 345]]}
POST_000_SETTINGS = {"layers": 1, "w1": 128, "act": "sigmoid", "init": "normal", "bias": False, "opt": "sgd",
                     "lr": 0.01, "batch": "full", "epochs": 1000, "test": 0.0}
CANCER_CLASSES = ["malignant", "benign"]  # scikit-learn's target: 0 = malignant, 1 = benign
CANCER_PRESETS = {
    "post": Preset("The post's run", POST_000_SETTINGS,
                   "Predict: the post's 30 → 128 → 1 sigmoid network (N(0, 1) weights, no bias, gradient "
                   "descent at lr 0.01, all 569 rows) — how low does the loss get in 1000 epochs? Press Play: "
                   "the table under the confusion matrix checks every number the post printed, to the last "
                   "digit (with sidebar seed 0)."),
    "heldout": Preset("A held-out test set", {
        "layers": 1, "w1": 32, "act": "relu", "init": "he", "bias": True, "opt": "adam", "lr": 0.01,
        "batch": 32, "epochs": 50, "test": 0.25},
        "Predict: a quarter of the rows are hidden from training. Will the accuracy on them reach the post's "
        "94.7 % (which it measured on its training rows)? Then press *Fit scikit-learn* below to compare."),
    "lr_high": Preset("Learning rate too high", {
        "layers": 1, "w1": 32, "act": "relu", "init": "he", "bias": True, "opt": "sgd", "lr": 10.0,
        "batch": "full", "epochs": 100, "test": 0.25},
        "Predict: 1000× the post's learning rate — does it learn 1000× faster? Play and watch the loss jump "
        "around; look inside for dead ReLU units. Then pin the run, set the learning rate to 1, press Reset "
        "and Play again to compare the two curves."),
    "overfit": Preset("Overfitting with a tiny training set", {
        "layers": 2, "w1": 128, "w2": 128, "act": "relu", "init": "he", "bias": True, "opt": "adam",
        "lr": 0.003, "batch": "full", "epochs": 500, "test": 0.9},
        "Predict: 57 training rows, 20 000 weights. The training loss will go to ~0 — and the test loss? "
        "Watch it reach its lowest point early, then climb while training accuracy sits at 100 %."),
}
INITS = {"normal": "N(0, 1) — the post's", "xavier": "Xavier (sigmoid, tanh)", "he": "He (ReLU)"}
SATURATED_NOTE = ("With binary cross-entropy this usually means saturated outputs, not a bug: where the sigmoid "
                  "output is numerically 0 or 1 the loss is clipped and flat, so finite differences see no "
                  "slope, while backprop's fused gradient p − y still pushes (see *saturated outputs* below).")


@st.cache_data(show_spinner=False)
def cancer_split(test: float, split_seed: int):
    """The standardised breast-cancer rows (as the post) and, when ``test`` > 0, a held-out
    part: (x_train, y_train, x_test, y_test) — the test pair is None without a split."""
    x, y, _ = data.breast_cancer()
    if test <= 0:
        return x, y, None, None
    xtr, xte, ytr, yte = data.train_test_split(x, y, test, rng=np.random.default_rng(split_seed))
    return xtr, ytr, xte, yte


SKLEARN_ACT = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu", "leaky_relu": "relu"}


@st.cache_data(show_spinner="Fitting scikit-learn on the same rows…", max_entries=32)
def sklearn_scores(hidden: tuple, act: str, test: float, split_seed: int) -> pd.DataFrame:
    """scikit-learn's LogisticRegression and MLPClassifier (same hidden sizes, its default
    Adam training) on the same split: accuracy and fit time."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    xtr, ytr, xte, yte = cancer_split(test, split_seed)
    xte, yte = (xtr, ytr) if xte is None else (xte, yte)
    models = {"scikit-learn LogisticRegression": LogisticRegression(max_iter=1000),
              f"scikit-learn MLPClassifier{hidden}": MLPClassifier(hidden, activation=SKLEARN_ACT[act],
                                                                    max_iter=500, random_state=split_seed)}
    rows = []
    for name, model in models.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(xtr, ytr)
        rows.append({"model": name, "train accuracy": model.score(xtr, ytr), "test accuracy": model.score(xte, yte),
                     "fit time (s)": time.perf_counter() - start})
    return pd.DataFrame(rows)


def post_000_table(run: TrainingRun, final_loss: float, counts: np.ndarray) -> pd.DataFrame:
    """The post's printed numbers next to this run's, filled in as training reaches them."""
    h, done = run.history, run.epochs_done == 1000
    ours = [h[0]["loss"] if h else None, h[50]["loss"] if len(h) > 50 else None,
            final_loss if done else None, counts.tolist() if done else None]
    post = [POST_000["loss_0"], POST_000["loss_50"], POST_000["final"], POST_000["confusion"]]

    def same(a, b):
        if a is None:
            return "… train on"
        ok = a == b if isinstance(a, list) else abs(a - b) < 1e-12
        return "✓ same" if ok else "✗ differs"
    return pd.DataFrame({
        "printed by the post": ["loss at [0]", "loss at [50]", "cross_entropy(y, ypred) after training",
                                "confusion_matrix(y, ypred)"],
        "the post": [repr(v) for v in post],
        "nnlib, this run": ["—" if v is None else repr(v) for v in ours],
        "": [same(a, b) for a, b in zip(ours, post, strict=True)],
    })


def cancer(p: PageParams) -> None:
    choose_preset(p, CANCER_PRESETS)
    with st.sidebar:
        st.subheader("Breast-cancer network")
        hidden = architecture(p, "", [2, 4, 8, 16, 32, 64, 128, 256], 1, [128, 32, 32, 32])
        act = p.select("Activation (hidden layers)", "act", list(ACTIVATIONS), "sigmoid", format_func=ACTIVATIONS.get)
        init = p.select("Initial weights", "init", list(INITS), "normal", format_func=INITS.get, advanced=True)
        bias = p.toggle("Biases", "bias", False, advanced=True,
                        help="The post's Dense.forward never adds its bias; switch on for a normal network.")
        opt = p.select("Optimizer", "opt", list(OPTIMIZERS), "sgd", format_func=OPTIMIZERS.get, advanced=True)
        lr = p.select_slider("Learning rate", "lr", LRS, 0.01)
        batch = p.select_slider("Batch size", "batch", BATCHES, "full", advanced=True,
                                help="full = all training rows per step (gradient descent, as the post)")
        epochs = p.select_slider("Epochs", "epochs", [10, 50, 100, 200, 500, 1000, 2000, 5000], 1000)
        test = p.slider("Test fraction", "test", 0.0, 0.9, 0.0, 0.05,
                        help="Rows held out of training. 0 = train and evaluate on all 569 rows, as the post.")
        tick = tick_control(p, "tick", epochs, 40)
    test = round(float(test), 2)
    xtr, ytr, xte, yte = cancer_split(test, seed())
    batch_size = None if batch == "full" else min(batch, len(xtr))
    signature = (tuple(hidden), act, init, bias, opt, batch, test, seed())
    label = f"{'-'.join(map(str, [30, *hidden, 1]))} {ACTIVATIONS[act]}, {opt} lr={lr:g}"

    def new_run() -> TrainingRun:
        rs = np.random.RandomState(seed())  # np.random.seed(0); randn(30, 128); randn(128, 1) — the post
        model = build_mlp([30, *hidden, 1], act, init, rs, bias=bias)
        kwargs = {"batch_size": batch_size, "rng": rs}
        if xte is not None:
            kwargs["validation"] = (xte, yte)
        return TrainingRun(signature=("cancer", *signature), model=model, loss=nnlib.BinaryCrossEntropy(),
                           optimizer=nnlib.make_optimizer(opt, model, lr), x=xtr, y=ytr, train_kwargs=kwargs,
                           target_epochs=epochs, label=label)

    run = section_run("cancer", signature, new_run)
    run.label = label
    is_post = {k: p.get(k) for k in POST_000_SETTINGS} == POST_000_SETTINGS

    def draw(r: TrainingRun) -> None:
        x_eval, y_eval = (xtr, ytr) if xte is None else (xte, yte)
        pred = r.model.predict(x_eval)
        counts = nnlib.confusion_matrix(y_eval, nnlib.predicted_class(pred), n_classes=2)
        loss_now = r.loss.value(pred, y_eval)
        where = "all 569 rows (= the training rows)" if xte is None else f"the {len(xte)} test rows"
        cols = st.columns([1.1, 1])
        cols[0].altair_chart(charts.matrix_heatmap(counts, CANCER_CLASSES, title=f"Confusion matrix — {where}"),
                             width="stretch")
        if xte is None:
            cols[1].metric("Loss now, all rows", f"{loss_now:.17g}",
                           help="Binary cross-entropy of the current weights on all rows — the post's last cell")
        else:
            cols[1].metric("Test loss now", f"{loss_now:.4f}")
        precision, recall = nnlib.precision_recall(counts)
        cols[1].dataframe(pd.DataFrame({"class": CANCER_CLASSES, "precision": precision, "recall": recall,
                                        "rows": counts.sum(axis=1)}), hide_index=True, width="stretch",
                          column_config={"precision": st.column_config.NumberColumn(format="%.3f"),
                                         "recall": st.column_config.NumberColumn(format="%.3f")})
        cols[1].caption("Precision: of the rows predicted as this class, the share that are. "
                        "Recall: of the rows of this class, the share found.")
        if is_post:
            if seed() != 0:
                st.warning("The post's numbers need sidebar seed 0 (its `np.random.seed(0)`).")
            st.markdown("**The post's printed numbers, recomputed by nnlib**")
            st.table(post_000_table(r, loss_now, counts))
        record_norms(r)
        look_inside(r, xtr[:8], ytr[:8], mismatch_note=SATURATED_NOTE)

    live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=tick)
    common.explain(
        "**The post's two quirks, and one habit.** "
        "(1) *The `lr=0.2` it passes is ignored*: the post calls `model.train(x, y, 0.2, epochs=1000)`, but "
        "its `Dense.backward` updates the weights with `learning_rate`, a global variable set to 0.01 one cell "
        "earlier — so its printed run is gradient descent at **lr 0.01**. In nnlib the optimizer owns the "
        "learning rate (`SGD(model, lr=...)`) and layers never update themselves. "
        "(2) *No bias*: its `Dense.forward` returns `x @ W` and never adds `self.bias` (the bias is updated, "
        "but never used) — switch **Biases** on for a normal network. "
        "(3) *It scores itself on its training data*: loss and confusion matrix are measured on the same 569 "
        "rows it trained on. Move **Test fraction** above 0 to hold rows out: that is the honest number.",
        title="Why the post's lr=0.2 did nothing")
    sklearn_block(hidden, act, test, run, xtr, ytr, xte, yte)
    live.save_load(PAGE, run, {"section": "cancer", "params": p.values()})
    common.show_code([build_mlp, nnlib.Dense.forward, nnlib.Dense.backward, nnlib.Sigmoid,
                      nnlib.BinaryCrossEntropy, nnlib.Sequential.backward_loss, nnlib.SGD, nnlib.train,
                      nnlib.confusion_matrix, nnlib.check_model_detail], key="mlp.code")


def sklearn_block(hidden, act, test, run, xtr, ytr, xte, yte) -> None:
    st.subheader("Where does a from-scratch network stand?")
    key = (tuple(hidden), act, test, seed())
    asked = st.session_state.setdefault(f"{PAGE}:sklearn", set())
    if st.button("Fit scikit-learn on the same rows", key=f"{PAGE}_sklearn", icon=":material/compare_arrows:",
                 help="LogisticRegression and MLPClassifier with the same hidden sizes, on the same split"):
        asked.add(key)
    if key not in asked:
        st.caption("Fits scikit-learn's LogisticRegression and an MLPClassifier with the same hidden layers "
                   "(its own defaults: Adam, lr 0.001, batches of 200) and shows them next to this network.")
        return
    xte_, yte_ = (xtr, ytr) if xte is None else (xte, yte)
    ours = pd.DataFrame([{"model": f"nnlib, this run ({run.epochs_done} epochs)",
                          "train accuracy": nnlib.accuracy(run.model.predict(xtr), ytr),
                          "test accuracy": nnlib.accuracy(run.model.predict(xte_), yte_),
                          "fit time (s)": (run.last or {}).get("seconds", 0.0)}])
    table = pd.concat([ours, sklearn_scores(tuple(hidden), act, test, seed())], ignore_index=True)
    if xte is None:
        st.caption("Test fraction is 0: 'test accuracy' is measured on the training rows, as in the post.")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "train accuracy": st.column_config.NumberColumn(format="%.3f"),
        "test accuracy": st.column_config.NumberColumn(format="%.3f"),
        "fit time (s)": st.column_config.NumberColumn(format="%.3f")})


# -- the deep sigmoid net (post 004) ------------------------------------------------------------

POST_004 = {"first": 0.25462107925756766, "last": 0.10538895876740907, "seconds": 0.35006213188171387}
DEEP_INITS = {"tiny": "N(0, 0.01²) — the post's", "xavier": "Xavier", "he": "He (ReLU)"}
DEEP_POST = {"d_depth": 6, "d_width": 32, "d_act": "sigmoid", "d_init": "tiny", "d_lr": 0.01, "d_epochs": 100}
DEEP_PRESETS = {
    "deep_post": Preset("Sigmoid, tiny init (the post)", DEEP_POST,
                        "Predict: 7 sigmoid layers with weights of size 0.01. Which layers will learn? Press "
                        "Play and read the gradient-norm chart: each layer down, the gradient shrinks ~100×."),
    "deep_relu": Preset("ReLU + He init", {**DEEP_POST, "d_act": "relu", "d_init": "he"},
                        "Predict: same network, ReLU in the hidden layers and He init. Will the gradient "
                        "norms still spread over ten decades? Pin the post's run first to compare the losses."),
    "deep_vs": Preset("Sigmoid vs ReLU in a deep net", {**DEEP_POST, "d_depth": 10, "d_init": "xavier",
                                                          "d_epochs": 200},
                      "Predict: 10 sigmoid layers even with a fair (Xavier) init. Play, pin the run, then switch "
                      "the activation to ReLU and init to He and play again: which loss falls faster, and why?"),
}


def deep(p: PageParams) -> None:
    choose_preset(p, DEEP_PRESETS)
    with st.sidebar:
        st.subheader("Deep network")
        depth = p.slider("Hidden layers", "d_depth", 1, 10, 6, help="The post: 1 + hidden_depth 5 = 6")
        width = p.select_slider("Units per hidden layer", "d_width", [8, 16, 32, 64], 32)
        act = p.select("Activation (hidden layers)", "d_act", list(ACTIVATIONS), "sigmoid",
                       format_func=ACTIVATIONS.get)
        init = p.select("Initial weights", "d_init", list(DEEP_INITS), "tiny", format_func=DEEP_INITS.get)
        post_grad = p.toggle("The post's gradient h − y", "d_postgrad", True, advanced=True,
                             help="The post's ½·MSE gradient h − y skips the 1/2 of the mean over the two "
                                  "outputs (2× the true gradient). Off: the true gradient.")
        lr = p.select_slider("Learning rate", "d_lr", LRS, 0.01)
        epochs = p.select_slider("Epochs", "d_epochs", [100, 200, 500, 1000, 2000], 100)
        tick = tick_control(p, "d_tick", epochs, 25)
    sizes = [10, *[width] * depth, 2]
    signature = (depth, width, act, init, post_grad, seed())
    label = f"{depth}×{width} {ACTIVATIONS[act]}, {init} init, lr={lr:g}"

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
    st.caption(f"One random sample (sidebar seed {seed()}): x = {np.array2string(run.x[0], precision=2)}, "
               f"y = {np.array2string(run.y[0], precision=3)}. The sigmoid output lives in (0, 1), so a y "
               "outside it can only be approached.")

    def draw(r: TrainingRun) -> None:
        record_norms(r)
        if r.history:
            first, last = r.history[0]["loss"], r.last["loss"]
            st.markdown(f"**Loss {first:.4f} → {last:.4f} in {r.epochs_done} epochs, "
                        f"{r.last['seconds']:.3f} s of training** (the post: {POST_004['first']:.4f} → "
                        f"{POST_004['last']:.4f} in 100 epochs, {POST_004['seconds']:.2f} s, with its own "
                        "unseeded sample).")
        cols = st.columns([1.4, 1])
        cols[0].altair_chart(views.grad_norms_chart(pd.DataFrame(r.extra.get("norms", []))), width="stretch")
        if r.history:
            stats = r.model.layer_stats()
            cols[1].altair_chart(views.grad_bars_chart(stats), width="stretch")
            ratio = views.vanishing_ratio(stats)
            if ratio is not None and ratio < 1e-3:
                st.info(f"The first layer's gradient is {ratio:.0e} × the last layer's: the early layers "
                        "hardly move. That is the **vanishing gradient**.", icon=":material/trending_down:")
        else:
            cols[1].caption("Press Play or Step: the gradient norms of every layer appear here.")
        note = ("Expected here: the post's gradient h − y is the gradient of the *sum* over the 2 outputs while "
                "the loss is their ½·*mean*, so backprop is exactly 2× the slope (relative error 0.5). Switch "
                "*The post's gradient* off in the sidebar and the check turns green." if post_grad else "")
        look_inside(r, r.x, r.y, mismatch_note=note, norms=False)

    live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=tick)
    common.explain(
        "**Why the early layers don't learn.** Back-propagation multiplies the gradient, layer by layer, by the "
        "weights and by the sigmoid's slope σ′ ≤ 0.25. With weights of size 0.01 each sigmoid layer shrinks it "
        "by roughly 32 × 0.01 × 0.25 ≈ 0.1 or less, so six layers down almost nothing is left — only the last "
        "layers learn, and the loss falls because the output layer fits the single sample. ReLU's slope is 1 "
        "for positive inputs and He init keeps the signal's size from layer to layer: the gradient norms stay "
        "within one decade.", title="Vanishing gradients")
    live.save_load(PAGE, run, {"section": "deep", "params": p.values()})
    common.show_code([nnlib.MSE, nnlib.Sigmoid, nnlib.Dense.backward, nnlib.Sequential.layer_stats,
                      nnlib.check_model_detail], key="mlp.code")


# -- the 2-D playground --------------------------------------------------------------------------

PLAY_DEFAULTS = {"g_data": "moons", "g_noise": 0.2, "g_n": 300, "g_test": 0.3, "g_layers": 2, "g_w1": 8, "g_w2": 8,
                 "g_act": "relu", "g_opt": "adam", "g_lr": 0.03, "g_batch": 32, "g_epochs": 200}
PLAY_PRESETS = {
    "pg_moons": Preset("Moons, a small ReLU net", PLAY_DEFAULTS,
                       "Predict: two layers of 8 ReLU units. How many epochs until the boundary bends between "
                       "the moons? Watch the thumbnails: each unit is a straight cut; the next layer combines them."),
    "pg_xor": Preset("XOR with 2 hidden units", {**PLAY_DEFAULTS, "g_data": "xor", "g_layers": 1, "g_w1": 2,
                                                  "g_act": "tanh", "g_epochs": 300},
                     "Predict: XOR needs two straight cuts. Can 2 tanh units make them? Try the seed a few times "
                     "— then give the layer 4 units."),
    "pg_spirals": Preset("Spirals need depth", {**PLAY_DEFAULTS, "g_data": "spirals", "g_noise": 0.05, "g_n": 500,
                                                 "g_layers": 3, "g_w1": 16, "g_w2": 16, "g_w3": 16, "g_act": "tanh",
                                                 "g_lr": 0.01, "g_epochs": 500},
                       "Predict: three tanh layers of 16 units on two interleaved spirals. Will the boundary follow "
                       "the arms? Compare with 1 hidden layer of 16."),
    "pg_overfit": Preset("Overfitting with a tiny training set", {
        **PLAY_DEFAULTS, "g_noise": 0.45, "g_n": 100, "g_test": 0.5, "g_layers": 3, "g_w1": 32, "g_w2": 32,
        "g_w3": 32, "g_lr": 0.01, "g_epochs": 1000},
        "Predict: 50 noisy training points, three layers of 32. The boundary will wrap around single points "
        "(circles); the test points (triangles) won't follow. Watch the test loss climb."),
}


@st.cache_data(show_spinner=False, max_entries=64)
def playground_data(name: str, n: int, noise: float, test: float, data_seed: int):
    rng = np.random.default_rng(data_seed)
    x, y = data.make_2d(name, n, noise, rng=rng)
    return data.train_test_split(x, y, test, rng=rng)


def playground(p: PageParams) -> None:
    choose_preset(p, PLAY_PRESETS)
    d = PLAY_DEFAULTS
    with st.sidebar:
        st.subheader("Data")
        name = p.select("Dataset", "g_data", list(data.TWO_D), d["g_data"])
        noise = p.slider("Noise", "g_noise", 0.0, 0.5, d["g_noise"], 0.05)
        n = p.select_slider("Points", "g_n", [50, 100, 200, 300, 500, 1000], d["g_n"], advanced=True)
        test = p.slider("Test fraction", "g_test", 0.1, 0.9, d["g_test"], 0.05)
        st.subheader("Network")
        hidden = architecture(p, "g_", [1, 2, 3, 4, 5, 6, 8, 12, 16, 32], d["g_layers"], [8, 8, 8, 8])
        act = p.select("Activation", "g_act", list(ACTIVATIONS), d["g_act"], format_func=ACTIVATIONS.get)
        opt = p.select("Optimizer", "g_opt", list(OPTIMIZERS), d["g_opt"], format_func=OPTIMIZERS.get, advanced=True)
        lr = p.select_slider("Learning rate", "g_lr", LRS, d["g_lr"])
        batch = p.select_slider("Batch size", "g_batch", BATCHES, d["g_batch"], advanced=True)
        epochs = p.select_slider("Epochs", "g_epochs", [50, 100, 200, 500, 1000, 2000], d["g_epochs"])
        show_test = p.toggle("Show test points", "g_showtest", True)
        thumbs = p.toggle("Neuron thumbnails", "g_thumbs", True, advanced=True,
                          help="What every unit of the first two hidden layers computes (layers of up to 8 units)")
        tick = tick_control(p, "g_tick", epochs, 25)
    noise, test = round(float(noise), 2), round(float(test), 2)
    xtr, xte, ytr, yte = playground_data(name, n, noise, test, seed())
    x_range, y_range = views.box(np.vstack([xtr, xte]))
    init = "he" if act in ("relu", "leaky_relu") else "xavier"
    batch_size = None if batch == "full" else min(batch, len(xtr))
    signature = (name, n, noise, test, tuple(hidden), act, opt, batch, seed())
    label = f"{name} {'-'.join(map(str, hidden))} {ACTIVATIONS[act]}, {opt} lr={lr:g}"

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
        cols = st.columns([1.25, 1])
        cols[0].altair_chart(views.boundary_chart(grid, pd.concat(points, ignore_index=True),
                                                  title=f"Decision boundary after {r.epochs_done} epochs"),
                             width="content")
        if thumbs:
            frame = views.neuron_frame(r.model, x_range, y_range)
            if frame.empty:
                cols[1].caption("Neuron thumbnails are drawn for hidden layers of up to 8 units.")
            else:
                cols[1].altair_chart(views.neuron_chart(frame), width="content")
                cols[1].caption("Orange = the unit's lowest output on the plane, blue = its highest.")
        record_norms(r)
        look_inside(r, xtr[:16], ytr[:16], mismatch_note=SATURATED_NOTE)

    live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=tick)
    common.explain(
        "**Reading the picture.** The background is the network's probability of class 1 (blue) vs class 0 "
        "(orange); the white band is the decision boundary. Circles are training points, triangles test points. "
        "A hidden layer of ReLU or tanh units cuts the plane with straight lines; the next layer combines the "
        "cuts into curves — that is what depth buys.", title="Reading the picture")
    live.save_load(PAGE, run, {"section": "playground", "params": p.values()})
    common.show_code([data.TWO_D[name], data.grid, nnlib.Sequential.predict, nnlib.Dense.forward,
                      nnlib.get_activation(act).__class__], key="mlp.code")
