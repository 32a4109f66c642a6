"""Lesson 5 — post 001's network on the real MNIST digits: trained live, then taken apart."""

import numpy as np
import streamlit as st

import nnlib
from nnlib.mnist import load_mnist, preprocess_drawing
from ui import charts, common, digit_upload, lessons, live, memo, network_section, presets
from ui import mnist_setup as setup
from ui import mnist_views as views
from ui.i18n import N_, _, ngettext, shown
from ui.params import PageParams, seed
from ui.presets import Preset
from ui.run import TrainingRun

PAGE = "mnist"

GRADIENTS = {"fused": N_("correct: (s − y)/n"), "post": N_("the post's original code")}
ACTIVATIONS = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "tanh": "tanh", "sigmoid": N_("sigmoid")}
OPTIMIZERS = {"sgd": N_("SGD (the post)"), "momentum": N_("SGD + momentum 0.9"), "adam": "Adam"}
INPUTS = {"Draw": N_("Draw"), "Upload an image": N_("Upload an image")}
WEIGHT_VIEWS = {"change": N_("what each unit learned (W − W at the start)"), "weights": N_("the weights W")}
BASELINE_COLUMNS = [N_("model"), N_("training images"), N_("test accuracy"), N_("time (s)")]
COMPARISON_COLUMNS = [N_("quantity"), N_("post"), N_("this run"), N_("difference")]


SUBSETS = [1000, 2000, 5000, 10000, 20000, 30000, 60000]
WIDTHS = [16, 32, 50, 64, 100, 128, 200, 256, 512]
DEFAULT_SIZES = (100, 200, 100)


# -- once per server process, shared by every visitor ------------------------------------------
@st.cache_resource(show_spinner=False)
def server_setup() -> None:
    """Read the Cloud's secrets into the environment; on a shared server, cap BLAS threads."""
    st.secrets.load_if_toml_exists()
    if setup.is_hosted():
        setup.limit_blas_threads(1)


@st.cache_resource(show_spinner=False)
def mnist() -> nnlib.mnist.MnistData:
    return load_mnist()  # read-only uint8, about 55 MB, never copied to floats


@st.cache_resource(max_entries=4, show_spinner=False)
def training_images(n: int, subset_seed: int) -> nnlib.mnist.MnistData:
    data = mnist()
    return data if n >= len(data.y_train) else data.subset(n, subset_seed)


@st.cache_resource(show_spinner=False)
def test_one_hot() -> np.ndarray:
    return setup.one_hot(mnist().y_test)


@st.cache_data(max_entries=16, show_spinner=False)
def fit_baseline(kind: str, s: setup.Settings, cap: int) -> dict:
    data, test = training_images(s.subset, s.seed), mnist()
    return setup.sklearn_baseline(kind, data.flat_train, data.y_train, test.flat_test, test.y_test, s, cap)


server_setup()
hosted = setup.is_hosted()
p = PageParams(PAGE)

common.page_start()
st.title(_("5 · MNIST digits"))

BASE = dict(grad="fused", subset=60000, layers=2, h1=100, h2=200, act="relu", lr=0.1, batch=512, epochs=20,
            opt="sgd", scale=0.1, dtype="float64", fullpass=True)
PRESETS = {
    "post": Preset(N_("The post's run"), BASE,
                   N_("784-100-200-10, batch 512, lr 0.1, 20 epochs, seed 0, with the correct gradient. Predict the "
                   "test accuracy, then press Play: the post printed 0.9645. Compare the losses under *Versus the "
                   "post* epoch by epoch.")),
    "bug": Preset(N_("The post's gradient"), {**BASE, "grad": "post"},
                  N_("The post's softmax backward and loss gradient are both wrong. Predict how much worse it does, "
                  "then Play, Pin, and run *The post's run*: the two curves coincide. Why is explained below.")),
    "breaks": Preset(N_("Big initial weights"), {**BASE, "grad": "post", "scale": 0.3, "subset": 10000,
                                                           "epochs": 5},
                     N_("Initial weights randn·0.3 instead of ·0.1: the first outputs are confidently wrong. Run it "
                     "with the post's gradient, Pin it, then set *Output gradient* to *correct* and run again.")),
    "lr": Preset(N_("Learning rate too high"), {**BASE, "lr": 3.0, "subset": 10000, "epochs": 5},
                 N_("lr 3 instead of 0.1: predict the loss curve, then Play. Steps this large jump over the valley; "
                 "accuracy stays near chance (10 %).")),
    "sigmoid": Preset(N_("Deep sigmoid net"), {**BASE, "act": "sigmoid", "layers": 3, "h2": 100, "h3": 100,
                                                 "subset": 10000, "epochs": 10},
                      N_("Three hidden sigmoid layers. Predict: faster or slower than ReLU? Play, Pin, then set the "
                      "activation to ReLU: the sigmoid net barely moves from 2.30 (= ln 10, pure guessing).")),
    "overfit": Preset(N_("Tiny training set"), {**BASE, "subset": 1000, "batch": 32, "epochs": 30},
                      N_("Only 1,000 training images. Predict the gap between train and test accuracy, then Play: "
                      "train accuracy reaches 100 % while test accuracy stalls near 89 % and the test loss rises.")),
    "diverge": Preset(N_("Blow-up (diverges)"), {**BASE, "layers": 3, "h1": 512, "h2": 512, "h3": 512,
                                                  "opt": "momentum", "lr": 3.0, "scale": 1.0, "subset": 1000,
                                                  "batch": 64, "epochs": 5},
                      N_("Three layers of 512 ReLU units, initial weights randn·1, momentum, lr 3. Predict: does "
                         "it learn slowly, or not at all? Press Play: within a few batches the weights grow so "
                         "large that the outputs overflow, the loss becomes NaN and training stops with an "
                         "explanation. Then lower the learning rate or σ and Reset.")),
}
presets.picker(p, PAGE, PRESETS)

with st.sidebar:
    st.subheader("MNIST")
    common.controls_note()
    grad = p.select(_("Output gradient"), "grad", list(GRADIENTS), "fused", format_func=shown(GRADIENTS),
                    help=_("The post's code multiplies a diagonal-only softmax derivative by a binary-cross-entropy "
                           "gradient; the correct one is (softmax − one-hot)/n."))
    subset = p.select_slider(_("Training images"), "subset", SUBSETS, setup.HOSTED_SUBSET if hosted else 60000,
                             help=_("A random subset of the 60,000 (seeded). Fewer images: faster epochs, more "
                                    "overfitting. The test set is always the full 10,000."))
    layers = p.slider(_("Hidden layers"), "layers", 1, 3, 2)
    sizes = tuple(p.select_slider(_("Units in hidden layer {n}", n=i + 1), f"h{i + 1}", WIDTHS, DEFAULT_SIZES[i])
                  for i in range(layers))
    act = p.select(_("Activation"), "act", list(ACTIVATIONS), "relu", format_func=shown(ACTIVATIONS))
    lr = p.select_slider(_("Learning rate"), "lr", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], 0.1)
    batch = p.select_slider(_("Batch size"), "batch", [16, 32, 64, 128, 256, 512, 1000], 512,
                            help=_("The post drops the last partial batch of every epoch; so do we."))
    epochs = p.select_slider(_("Epochs"), "epochs", [1, 2, 3, 5, 10, 15, 20, 30, 50], 20)
    opt = p.select(_("Optimizer"), "opt", list(OPTIMIZERS), "sgd", format_func=shown(OPTIMIZERS))
    log_y = common.log_scale(p)
    scale = p.select_slider(_("Initial weight scale σ (W = randn·σ)"), "scale", [0.01, 0.03, 0.1, 0.3, 1.0], 0.1,
                            advanced=True)
    precision = p.select(_("Precision"), "dtype", ["float64", "float32"],
                         setup.HOSTED_PRECISION if hosted else "float64", advanced=True,
                         help=_("float64 replays the post digit for digit; float32 is about 3× faster, and its "
                                "rounding ends the default run at 0.964 instead of 0.9645."))
    full_pass = p.toggle(_("Full-pass train loss after each epoch"), "fullpass", True, advanced=True,
                         help=_("What the post prints, so the two can be compared digit for digit. Off: epochs "
                                "about 20 % faster. Always on with the post's gradient."))

s = setup.Settings(sizes=sizes, activation=act, lr=lr, batch_size=batch, epochs=epochs, optimizer=opt,
                   subset=subset, scale=scale, precision=precision, gradient=grad, full_pass=full_pass, seed=seed())
with st.spinner(_("Loading MNIST…")):
    test = mnist()
if hosted and subset == setup.HOSTED_SUBSET:
    st.caption(_("Running on a shared server: the default is {n} training images in {precision} (the post used "
                 "60,000 in float64); move *Training images* to train on more, or press *The post's run*.",
                 n=f"{subset:,}", precision=setup.HOSTED_PRECISION))


# -- training --------------------------------------------------------------------------------
def new_run() -> TrainingRun:
    model, loss, rng = setup.build(s)
    data = training_images(s.subset, s.seed)
    y_test = test_one_hot() if s.post_gradient else test.y_test
    return TrainingRun(signature=s.signature(), model=model, loss=loss,
                       optimizer=nnlib.make_optimizer(s.optimizer, model, s.lr),
                       x=data.flat_train, y=setup.targets(s, data.y_train),
                       train_kwargs=setup.train_kwargs(s, rng, test.flat_test, y_test),
                       target_epochs=s.epochs, label=s.label(), extra={"W0": model.layers[0].W.copy()},
                       start_key=(PAGE, s.signature()),  # seeded model, built-in data: the same for everyone
                       release_caches=True)  # ~4 MB of batch activations per session, never read here


run = live.get_run(PAGE, s.signature(), new_run)
run.label = s.label()
differences = setup.differences_from_post(s)


def draw(r: TrainingRun) -> None:
    st.subheader(_("Versus the post"))
    if differences:
        st.caption(_("Your settings differ from the post's, so the numbers will too: {differences}.",
                     differences="; ".join(differences)))
    left, right = common.side_by_side([1, 1])
    common.show_chart(left, charts.curves_chart(views.post_loss_frame(r.history), _("Train loss: post vs this run"),
                                                _("cross-entropy"), height=330), width="stretch")
    with right:
        seconds = views.epoch_seconds(r.history)
        c1, c2 = st.columns(2)
        c1.metric(_("Last epoch took"), "—" if seconds is None else f"{seconds:.2f} s")
        test_loss = live.shown_metrics(r).get("val_loss")  # loaded weights too, not only a trained epoch
        c2.metric(_("Test loss"), "—" if test_loss is None else f"{test_loss:.4f}")
    if r.history:  # the whole width: four columns of 10-digit numbers do not fit half of it
        heads = {c: _(c) for c in COMPARISON_COLUMNS}  # headers in the session's language
        table = views.post_comparison(r.history).tail(5)
        table["difference"] = table["difference"].map(views.difference_text)
        st.dataframe(table.rename(columns=heads), hide_index=True, width="stretch",
                     column_config={heads["quantity"]: st.column_config.TextColumn(width="medium"),
                                    **{heads[c]: st.column_config.NumberColumn(format="%.10f")
                                       for c in ("post", "this run")},
                                    heads["difference"]: st.column_config.TextColumn(heads["difference"])})

    st.subheader(_("First-layer weights"))
    left, right = st.columns([3, 2])
    change = right.radio(_("Show"), ["change", "weights"], horizontal=True, key="mnist_weights_view",
                         format_func=shown(WEIGHT_VIEWS))
    right.markdown(_("One 28×28 tile per hidden unit: the weight from each pixel. **Red** pixels, when inked, push "
                     "the unit up; **blue** ones push it down. Each tile is scaled to its own largest weight."))
    W = r.model.layers[0].W
    left.image(views.weight_mosaic(W - r.extra["W0"] if change == "change" else W), width="stretch")
    if change == "change" and not r.optimizer.steps and "loaded" not in r.extra:
        right.info(_("Nothing has changed yet, so the tiles are blank: press Play or Step, or show the weights W."))
    if st.toggle(_("Network diagram"), key="mnist_graph_on",
                 help=_("Hidden and output layers as a graph; each first-layer unit is drawn as its 28×28 weights")):
        network_section.mnist_graph(r, key="mnist_net")


live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=max(1, epochs // 20), log_y=log_y)
common.explain(_(
    "The network of post 001 — 784 inputs (one per pixel), hidden layers of 100 and 200 ReLU units, ten softmax "
    "outputs — trained on the real MNIST digits: 60,000 handwritten training images, and 10,000 test images it "
    "never trains on. Press **Play**: after 20 epochs the post reports **96.45 %** test accuracy. Then look "
    "inside: which digits it confuses, what its first layer looks for, and how it reads *your* handwriting."),
    title=_("What this page shows"),
)
common.explain(_(
    "**Two mistakes that cancel.** The post's softmax backward multiplies by s(1 − s) only — the diagonal of the "
    "softmax Jacobian diag(s) − ssᵀ — and its loss gradient −y/s + (1 − y)/(1 − s) belongs to *binary* "
    "cross-entropy. Multiplied, they give $s(1-s)\\left(-\\frac{y}{s}+\\frac{1-y}{1-s}\\right) = s - y$: exactly "
    "the correct fused gradient (s − y)/n. So in float64 the correct code prints the post's numbers to about 15 "
    "digits. The cancellation fails only where the post clips s to [10⁻¹⁰, 1 − 10⁻¹⁰]: a confidently wrong "
    "output then gets almost no gradient and stays wrong — see the preset *Big initial weights*."),
    title=_("Why the post's gradient works anyway"))
live.save_load(PAGE, run, {"params": p.values()})


# -- look inside -------------------------------------------------------------------------------
@st.cache_resource(max_entries=8, show_spinner=False)
def initial_probabilities(s: setup.Settings) -> np.ndarray:
    """The untrained network's test outputs: the same for every visitor with these settings and seed
    (``setup.build`` is seeded), so a fresh session's first render does not recompute them. Read-only."""
    model, _loss, _rng = setup.build(s)
    probs = model.predict(mnist().flat_test, transform=setup.transform(s))
    probs.flags.writeable = False
    return probs


def test_probabilities(r: TrainingRun) -> np.ndarray:
    """Softmax outputs on the 10,000 test images, recomputed only when the weights changed and
    training is not playing: while it plays, this section keeps the outputs of the last pause (the
    live area above moves; a 10,000-image pass on every click would make the click's page run slow
    enough to dim what it has not redrawn yet)."""
    if r.untouched:
        return initial_probabilities(s)
    key = weights_key(r)
    if r.extra.get("probs_key") != key and not (r.playing and "probs" in r.extra):
        r.extra["probs"] = r.model.predict(test.flat_test, transform=setup.transform(s))
        r.extra["probs_key"] = key
    return r.extra["probs"]


def weights_key(r: TrainingRun) -> tuple:
    return r.optimizer.steps, float(r.model.layers[0].W.sum())


st.header(_("Look inside"))
if not run.trained:
    st.caption(_("The network has not trained yet: what follows shows random weights. Press Play or Step first."))
elif not run.history:
    st.caption(_("What follows shows the weights loaded from {name}.", name=run.extra["loaded"]))
probs = test_probabilities(run)
if run.playing and run.extra.get("probs_key") not in (None, weights_key(run)):
    st.caption(_("While training plays, this section shows the network as it was at the last pause; it catches up "
                 "when you pause again."))
guesses = probs.argmax(axis=1)
# on_change="rerun": a tab knows whether it is open, so the costly one is drawn only when opened
tab_conf, tab_wrong, tab_draw, tab_base = st.tabs(
    [_("Confusion matrix"), _("Misclassified digits"), _("Draw a digit"), _("scikit-learn baseline")],
    key="mnist_inside_tab", on_change="rerun")

with tab_conf:
    st.caption(_("{right} of 10,000 test digits right ({share}).", right=f"{int((guesses == test.y_test).sum()):,}",
                 share=f"{np.mean(guesses == test.y_test):.2%}"))
    mistakes_only = st.toggle(_("Hide the diagonal (show only the mistakes)"), key="mnist_mistakes_only")
    c1, c2 = common.side_by_side([3, 2])
    untrained = run.untouched  # the same charts for every visitor: built once
    clicked = common.show_chart(c1, memo.shared(untrained, views.confusion_chart, test.y_test, guesses,
                                                mistakes_only, select="cell"),
                                width="stretch", on_select="rerun", selection_mode="cell", key="mnist_confusion")
    common.show_chart(c2, memo.shared(untrained, views.per_class_chart, views.per_class_frame(test.y_test, guesses)),
                      width="stretch")
    cell = views.selected_cell((clicked or {}).get("selection"))  # a dict: {"selection": {"cell": [...]}}
    if cell is None:
        st.caption(_("Click a cell of the matrix to see its test images (double-click to clear)."))
    else:
        true_digit, predicted = cell
        cell = views.cell_indices(test.y_test, guesses, true_digit, predicted)
        total = int(((test.y_test == true_digit) & (guesses == predicted)).sum())
        st.markdown(_("**True {true}, predicted {predicted}: {total} test images** (the first {shown} shown).",
                      true=true_digit, predicted=predicted, total=total, shown=len(cell)))
        for row in range(0, len(cell), 12):
            for col, i in zip(st.columns(12), cell[row:row + 12], strict=False):
                col.image(views.digit_image(test.x_test[i], 2), caption=f"#{i}", width="stretch")

with tab_wrong:
    if tab_wrong.open:  # drawn only when opened: its 12 charts cost ~0.3 s of CPU
        wrong = views.misclassified(probs, test.y_test, k=12)
        if wrong.size == 0:
            st.success(_("No test digit is misclassified."))
        else:
            st.caption(_("The test digits the network got wrong with the most confidence: true digit in blue, its "
                         "guess in red. Many are hard for people too."))
        for row in range(0, wrong.size, 6):
            for col, i in zip(st.columns(6), wrong[row:row + 6], strict=False):
                y, g = int(test.y_test[i]), int(guesses[i])
                col.image(views.digit_image(test.x_test[i], 4),
                          caption=_("true {y} · guessed {g} ({p})", y=y, g=g, p=f"{probs[i, g]:.0%}"))
                common.show_chart(col, views.probability_chart(probs[i], true=y, height=90), width="stretch")


def canvas_image() -> np.ndarray | None:
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception as err:  # noqa: BLE001 - the page works without the canvas
        st.warning(_("The drawing canvas could not start ({error}); upload an image instead.",
                     error=type(err).__name__))
        return None
    result = st_canvas(fill_color="rgba(255, 255, 255, 1)", stroke_width=18, stroke_color="#FFFFFF",
                       background_color="#000000", height=280, width=280, drawing_mode="freedraw",
                       key="mnist_canvas", update_streamlit=True, return_image_data=True)
    st.caption(_("Draw one digit, big, with the mouse or a finger. Undo or clear: the buttons at the canvas's top "
                 "right (with a mouse, they appear when you hover over it)."))
    return None if result is None else result.image_data


def uploaded_image() -> np.ndarray | None:
    upload = st.file_uploader(_("A photo, scan or drawing of one digit (JPEG, PNG, WebP, GIF, BMP, TIFF or AVIF; "
                                "up to {mb} MB)", mb=digit_upload.MAX_BYTES // 2**20),
                              type=digit_upload.EXTENSIONS, key="mnist_digit_upload")
    if upload is None:
        return None
    try:
        gray = digit_upload.decode(upload.getvalue(), upload.name)
    except ValueError as err:
        st.error(_("Could not use this image: {why}.", why=err))  # the decoder's own sentence, its file name escaped
        return None
    st.image(gray, width=160, clamp=True, caption=_("Your picture as read: upright, in grey"))
    return gray


def show_guess(image: np.ndarray | None, uploaded: bool = False) -> None:
    digit = None if image is None else preprocess_drawing(image)
    if digit is None:
        if uploaded and image is not None:
            st.info(_("No ink found in this image: it looks blank. Upload a digit written in a dark pen on light "
                      "paper (or light on dark)."))
        else:
            st.info(_("Draw a digit (or upload one): the network's guess appears here."))
        return
    probs_one = run.model.predict(digit.reshape(1, 784))[0]
    guess = int(probs_one.argmax())
    c1, c2 = st.columns([1, 1])
    c1.metric(_("The network's guess"), str(guess))
    c1.caption(_("{p} sure", p=f"{probs_one[guess]:.0%}"))
    c1.image(views.digit_image(digit, 6), caption=_("What the network sees: 28×28, centred like MNIST"))
    common.show_chart(c2, views.probability_chart(probs_one, title=_("Probabilities"), height=260), width="stretch")
    if not run.trained:
        st.caption(_("Untrained network: its guess is noise. Train it first."))


with tab_draw:
    common.explain(_("Your drawing goes through MNIST's own preprocessing before the network sees it: cropped to "
                     "the ink, scaled so the longer side is 20 pixels, and placed in a 28×28 frame with its centre "
                     "of mass in the middle."))
    left, right = st.columns([1, 1])
    with left:
        source = st.radio(_("Input"), list(INPUTS), horizontal=True, key="mnist_input",
                          label_visibility="collapsed", format_func=shown(INPUTS))
        if source == "Draw":
            st.space("small")  # room for the canvas's hover toolbar, which sits above its top edge
        image = canvas_image() if source == "Draw" else uploaded_image()
    with right:
        show_guess(image, uploaded=source != "Draw")

with tab_base:
    cap = setup.SKLEARN_MAX[hosted]
    st.caption(_("scikit-learn on the same training images (at most {cap}, so it fits in seconds), tested on the "
                 "same 10,000 test images.", cap=f"{cap:,}"))
    kind = st.radio(_("scikit-learn model"), list(setup.BASELINES), format_func=shown(setup.BASELINES),
                    horizontal=True, key="mnist_baseline_kind")
    if st.button(_("Fit the scikit-learn model"), key="mnist_baseline"):
        with st.spinner(_("Fitting the scikit-learn model…")):
            st.session_state["mnist_baseline_result"] = ((kind, s), fit_baseline(kind, s, cap))
    stored = st.session_state.get("mnist_baseline_result")
    if stored and stored[0] == (kind, s):
        result, last = stored[1], run.last or {}
        h = {c: _(c) for c in BASELINE_COLUMNS}  # headers in the session's language
        rows = [{h["model"]: ngettext("nnlib, this page ({n} epoch)", "nnlib, this page ({n} epochs)",
                                      run.epochs_done), h["training images"]: s.subset,
                 h["test accuracy"]: last.get("val_accuracy"), h["time (s)"]: last.get("seconds")},
                {h["model"]: f"scikit-learn {_(result['model'])}", h["training images"]: result["n"],
                 h["test accuracy"]: result["accuracy"], h["time (s)"]: result["seconds"]}]
        st.dataframe(rows, hide_index=True, width="stretch",
                     column_config={h["test accuracy"]: st.column_config.NumberColumn(format="%.4f"),
                                    h["time (s)"]: st.column_config.NumberColumn(format="%.2f")})

code = ([nnlib.DiagonalSoftmax, nnlib.PostCrossEntropy] if s.post_gradient
        else [nnlib.Sequential.backward_loss, nnlib.CrossEntropy.fused_backward])
common.show_code(code + [nnlib.Dense.backward, nnlib.mnist.preprocess_drawing], key="mnist.code")
lessons.next_link(__file__)
p.sync_url(extra=presets.query(PAGE))
