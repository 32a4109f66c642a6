"""MLP lesson, section 1: post 000's breast-cancer network, reproduced to the last digit,
then with biases, a held-out test set and a scikit-learn comparison."""

from __future__ import annotations

import time
import warnings

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import nnlib
from nnlib import data

from .. import charts, common, live, network_section
from ..i18n import N_, _, ngettext
from ..params import PageParams, seed
from ..presets import Preset
from ..run import TrainingRun
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

POST_000 = {"loss_0": 1.5326826056975693, "loss_50": 0.4672773442711708, "final": 0.12445125178791992,
            "confusion": [[194, 18], [12, 345]]}
POST_000_SETTINGS = {"layers": 1, "w1": 128, "act": "sigmoid", "init": "normal", "bias": False, "opt": "sgd",
                     "lr": 0.01, "batch": "full", "epochs": 1000, "test": 0.0}
CANCER_CLASSES = [N_("malignant"), N_("benign")]  # scikit-learn's target: 0 = malignant, 1 = benign
CANCER_PRESETS = {
    "post": Preset(N_("The post's run"), POST_000_SETTINGS,
                   N_("Predict: the post's 30 → 128 → 1 sigmoid network (N(0, 1) weights, no bias, gradient "
                   "descent at lr 0.01, all 569 rows) — how low does the loss get in 1000 epochs? Press Play: "
                   "the table under the confusion matrix checks every number the post printed, to the last "
                   "digit (with sidebar seed 0).")),
    "heldout": Preset(N_("A held-out test set"), {
        "layers": 1, "w1": 32, "act": "relu", "init": "he", "bias": True, "opt": "adam", "lr": 0.01,
        "batch": 32, "epochs": 50, "test": 0.25},
        N_("Predict: a quarter of the rows are hidden from training. Will the accuracy on them reach the post's "
        "94.7 % (which it measured on its training rows)? Then press *Fit scikit-learn* below to compare.")),
    "lr_high": Preset(N_("Learning rate too high"), {
        "layers": 1, "w1": 32, "act": "relu", "init": "he", "bias": True, "opt": "sgd", "lr": 10.0,
        "batch": "full", "epochs": 100, "test": 0.25},
        N_("Predict: 1000× the post's learning rate — does it learn 1000× faster? Play and watch the loss jump "
        "around; look inside for dead ReLU units. Then pin the run, set the learning rate to 1, press Reset "
        "and Play again to compare the two curves.")),
    "overfit": Preset(N_("Tiny training set"), {
        "layers": 2, "w1": 128, "w2": 128, "act": "relu", "init": "he", "bias": True, "opt": "adam",
        "lr": 0.003, "batch": "full", "epochs": 500, "test": 0.9},
        N_("Predict: 57 training rows, 20,000 weights. The training loss will go to ~0 — and the test loss? "
        "Watch it reach its lowest point early, then climb while training accuracy sits at 100 %.")),
}
INITS = {"normal": N_("N(0, 1) — the post's"), "xavier": N_("Xavier (sigmoid, tanh)"), "he": "He (ReLU)"}


@st.cache_data(show_spinner=False)
def cancer_split(test: float, split_seed: int):
    """The standardised breast-cancer rows (as the post) and, when ``test`` > 0, a held-out
    part: (x_train, y_train, x_test, y_test) — the test pair is None without a split."""
    x, y, _ = data.breast_cancer()
    if test <= 0:
        return x, y, None, None
    xtr, xte, ytr, yte = data.train_test_split(x, y, test, rng=np.random.default_rng(split_seed))
    return xtr, ytr, xte, yte


@st.cache_data(show_spinner=False)
def feature_names() -> list[str]:
    return list(data.breast_cancer()[2])


TABLE_COLUMNS = [N_("model"), N_("train accuracy"), N_("test accuracy"), N_("fit time (s)")]
SKLEARN_ACT = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu", "leaky_relu": "relu"}


@st.cache_data(show_spinner=False, max_entries=32)
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
            return _("… train on")
        ok = a == b if isinstance(a, list) else abs(a - b) < 1e-12
        return _("✓ same") if ok else _("✗ differs")
    return pd.DataFrame({
        _("printed by the post"): [_("loss at [{i}]", i=0), _("loss at [{i}]", i=50),
                                   _("{code} after training", code="cross_entropy(y, ypred)"),
                                   "confusion_matrix(y, ypred)"],
        _("the post"): [repr(v) for v in post],
        _("nnlib, this run"): ["—" if v is None else repr(v) for v in ours],
        "": [same(a, b) for a, b in zip(ours, post, strict=True)],
    })


def cancer(p: PageParams) -> None:
    choose_preset(p, CANCER_PRESETS)
    with st.sidebar:
        st.subheader(_("Breast-cancer network"))
        common.controls_note()
        hidden = architecture(p, "", [2, 4, 8, 16, 32, 64, 128, 256], 1, [128, 32, 32, 32])
        act = p.select(_("Activation (hidden layers)"), "act", list(ACTIVATIONS), "sigmoid",
                       format_func=shown(ACTIVATIONS))
        init = p.select(_("Initial weights"), "init", list(INITS), "normal", format_func=shown(INITS), advanced=True)
        bias = p.toggle(_("Biases"), "bias", False, advanced=True,
                        help=_("The post's Dense.forward never adds its bias; switch on for a normal network."))
        opt = p.select(_("Optimizer"), "opt", list(OPTIMIZERS), "sgd", format_func=shown(OPTIMIZERS), advanced=True)
        lr = p.select_slider(_("Learning rate"), "lr", LRS, 0.01)
        batch = p.select_slider(_("Batch size"), "batch", BATCHES, "full", advanced=True,
                                format_func=shown(BATCH_NAMES),
                                help=_("full = all training rows per step (gradient descent, as the post)"))
        epochs = p.select_slider(_("Epochs"), "epochs", [10, 50, 100, 200, 500, 1000, 2000, 5000], 1000)
        test = p.slider(_("Test fraction"), "test", 0.0, 0.9, 0.0, 0.05,
                        help=_("Rows held out of training. 0 = train and evaluate on all 569 rows, as the post."))
        tick = tick_control(p, "tick", epochs, 40)
        log_y = common.log_scale(p)
    test = round(float(test), 2)
    xtr, ytr, xte, yte = cancer_split(test, seed())
    batch_size = None if batch == "full" else min(batch, len(xtr))
    signature = (tuple(hidden), act, init, bias, opt, batch, test, seed())
    label = f"{'-'.join(map(str, [30, *hidden, 1]))} {_(ACTIVATIONS[act])}, {opt} lr={lr:g}"

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
        where = _("all 569 rows (= the training rows)") if xte is None else _("the {n} test rows", n=len(xte))
        classes = [_(c) for c in CANCER_CLASSES]
        cols = st.columns([1.1, 1])
        title = alt.Title(_("Confusion matrix"), subtitle=where)
        common.show_chart(cols[0], charts.matrix_heatmap(counts, classes, title=title), width="stretch")
        if xte is None:
            cols[1].metric(_("Loss now, all rows"), f"{loss_now:.17g}",
                           help=_("Binary cross-entropy of the current weights on all rows — the post's last cell"))
        else:
            cols[1].metric(_("Test loss now"), f"{loss_now:.4f}")
        if r.playing:  # this block is the page's picture: redrawn every few seconds, not every frame
            cols[1].caption(_("As of epoch {epoch}: while training plays, this block is redrawn every few "
                              "seconds.", epoch=r.epochs_done))
        precision, recall = nnlib.precision_recall(counts)
        cols[1].dataframe(pd.DataFrame({_("class"): classes, _("precision"): precision, _("recall"): recall,
                                        _("rows"): counts.sum(axis=1)}), hide_index=True, width="stretch",
                          column_config={_("precision"): st.column_config.NumberColumn(format="%.3f"),
                                         _("recall"): st.column_config.NumberColumn(format="%.3f")})
        cols[1].caption(_("Precision: of the rows predicted as this class, the share that are. "
                          "Recall: of the rows of this class, the share found."))
        if is_post:
            if seed() != 0:
                st.warning(_("The post's numbers need sidebar seed 0 (its `np.random.seed(0)`)."))
            st.markdown(_("**The post's printed numbers, recomputed by nnlib**"))
            st.dataframe(post_000_table(r, loss_now, counts), width="stretch")  # scrolls on a phone
        record_norms(r)
        look_inside(r, xtr[:8], ytr[:8], mismatch_note=SATURATED_NOTE)
        if st.toggle(_("Network diagram"), key="mlp_c_graph_on",
                     help=_("The network drawn as a graph; each unit coloured by its output for one sample")):
            network_section.sample_graph(r, xtr, key="mlp_c_net", input_names=feature_names())

    live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=tick, log_y=log_y)
    common.explain(_(
        "**The post's two quirks, and one habit.** "
        "(1) *The `lr=0.2` it passes is ignored*: the post calls `model.train(x, y, 0.2, epochs=1000)`, but "
        "its `Dense.backward` updates the weights with `learning_rate`, a global variable set to 0.01 one cell "
        "earlier — so its printed run is gradient descent at **lr 0.01**. In nnlib the optimizer owns the "
        "learning rate (`SGD(model, lr=...)`) and layers never update themselves. "
        "(2) *No bias*: its `Dense.forward` returns `x @ W` and never adds `self.bias` (the bias is updated, "
        "but never used) — switch **Biases** on for a normal network. "
        "(3) *It scores itself on its training data*: loss and confusion matrix are measured on the same 569 "
        "rows it trained on. Move **Test fraction** above 0 to hold rows out: that is the honest number."),
        title=_("Why the post's lr=0.2 did nothing"))
    sklearn_block(hidden, act, test, run, xtr, ytr, xte, yte)
    live.save_load(PAGE, run, {"section": "cancer", "params": p.values()})
    common.show_code([build_mlp, nnlib.Dense.forward, nnlib.Dense.backward, nnlib.Sigmoid,
                      nnlib.BinaryCrossEntropy, nnlib.Sequential.backward_loss, nnlib.SGD, nnlib.train,
                      nnlib.confusion_matrix, nnlib.check_model_detail], key="mlp.code")


def sklearn_block(hidden, act, test, run, xtr, ytr, xte, yte) -> None:
    st.subheader(_("Where does a from-scratch network stand?"))
    key = (tuple(hidden), act, test, seed())
    asked = st.session_state.setdefault(f"{PAGE}:sklearn", set())
    if st.button(_("Fit scikit-learn on the same rows"), key=f"{PAGE}_sklearn", icon=":material/compare_arrows:",
                 help=_("LogisticRegression and MLPClassifier with the same hidden sizes, on the same split")):
        asked.add(key)
    if key not in asked:
        st.caption(_("Fits scikit-learn's LogisticRegression and an MLPClassifier with the same hidden layers "
                     "(its own defaults: Adam, lr 0.001, batches of 200) and shows them next to this network."))
        return
    xte_, yte_ = (xtr, ytr) if xte is None else (xte, yte)
    this_run = ngettext("nnlib, this run ({n} epoch)", "nnlib, this run ({n} epochs)", run.epochs_done)
    ours = pd.DataFrame([{"model": this_run,
                          "train accuracy": nnlib.accuracy(run.model.predict(xtr), ytr),
                          "test accuracy": nnlib.accuracy(run.model.predict(xte_), yte_),
                          "fit time (s)": (run.last or {}).get("seconds", 0.0)}])
    with st.spinner(_("Fitting scikit-learn on the same rows…")):
        scores = sklearn_scores(tuple(hidden), act, test, seed())
    table = pd.concat([ours, scores], ignore_index=True)
    if xte is None:
        st.caption(_("Test fraction is 0: 'test accuracy' is measured on the training rows, as in the post."))
    headers = {name: _(name) for name in TABLE_COLUMNS}  # the headers in the session's language
    st.dataframe(table.rename(columns=headers), hide_index=True, width="stretch", column_config={
        headers[name]: st.column_config.NumberColumn(format="%.3f") for name in TABLE_COLUMNS[1:]})
