"""Lesson 5 — post 001's network on the real MNIST digits: trained live, then taken apart."""

import numpy as np
import streamlit as st

import nnlib
from nnlib.mnist import load_mnist, preprocess_drawing
from ui import charts, common, live, presets
from ui import mnist_setup as setup
from ui import mnist_views as views
from ui.params import PageParams, seed
from ui.presets import Preset
from ui.run import TrainingRun

PAGE = "mnist"

GRADIENTS = {"fused": "correct: (s − y)/n", "post": "the post's original code"}
ACTIVATIONS = {"relu": "ReLU", "leaky_relu": "Leaky ReLU", "tanh": "tanh", "sigmoid": "sigmoid"}
OPTIMIZERS = {"sgd": "SGD (the post)", "momentum": "SGD + momentum 0.9", "adam": "Adam"}
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


@st.cache_resource(show_spinner="Loading MNIST…")
def mnist() -> nnlib.mnist.MnistData:
    return load_mnist()  # read-only uint8, about 55 MB, never copied to floats


@st.cache_resource(max_entries=4, show_spinner=False)
def training_images(n: int, subset_seed: int) -> nnlib.mnist.MnistData:
    data = mnist()
    return data if n >= len(data.y_train) else data.subset(n, subset_seed)


@st.cache_resource(show_spinner=False)
def test_one_hot() -> np.ndarray:
    return setup.one_hot(mnist().y_test)


@st.cache_data(max_entries=16, show_spinner="Fitting the scikit-learn model…")
def fit_baseline(kind: str, s: setup.Settings, cap: int) -> dict:
    data, test = training_images(s.subset, s.seed), mnist()
    return setup.sklearn_baseline(kind, data.flat_train, data.y_train, test.flat_test, test.y_test, s, cap)


server_setup()
hosted = setup.is_hosted()
p = PageParams(PAGE)

common.page_start()
st.title("5 · MNIST digits")
common.explain(
    "The network of post 001 — 784 inputs (one per pixel), hidden layers of 100 and 200 ReLU units, ten softmax "
    "outputs — trained on the real MNIST digits: 60,000 handwritten training images, and 10,000 test images it "
    "never trains on. Press **Play**: after 20 epochs the post reports **96.45 %** test accuracy. Then look "
    "inside: which digits it confuses, what its first layer looks for, and how it reads *your* handwriting."
)

BASE = dict(grad="fused", subset=60000, layers=2, h1=100, h2=200, act="relu", lr=0.1, batch=512, epochs=20,
            opt="sgd", scale=0.1, dtype="float64", fullpass=True)
PRESETS = {
    "post": Preset("The post's run", BASE,
                   "784-100-200-10, batch 512, lr 0.1, 20 epochs, seed 0, with the correct gradient. Predict the "
                   "test accuracy, then press Play: the post printed 0.9645. Compare the losses under *Versus the "
                   "post* epoch by epoch."),
    "bug": Preset("The post's gradient", {**BASE, "grad": "post"},
                  "The post's softmax backward and loss gradient are both wrong. Predict how much worse it does, "
                  "then Play, Pin, and run *The post's run*: the two curves coincide. Why is explained below."),
    "breaks": Preset("Big initial weights", {**BASE, "grad": "post", "scale": 0.3, "subset": 10000,
                                                           "epochs": 5},
                     "Initial weights randn·0.3 instead of ·0.1: the first outputs are confidently wrong. Run it "
                     "with the post's gradient, Pin it, then set *Output gradient* to *correct* and run again."),
    "lr": Preset("Learning rate too high", {**BASE, "lr": 3.0, "subset": 10000, "epochs": 5},
                 "lr 3 instead of 0.1: predict the loss curve, then Play. Steps this large jump over the valley; "
                 "accuracy stays near chance (10 %)."),
    "sigmoid": Preset("Deep sigmoid net", {**BASE, "act": "sigmoid", "layers": 3, "h2": 100, "h3": 100,
                                                 "subset": 10000, "epochs": 10},
                      "Three hidden sigmoid layers. Predict: faster or slower than ReLU? Play, Pin, then set the "
                      "activation to ReLU: the sigmoid net barely moves from 2.30 (= ln 10, pure guessing)."),
    "overfit": Preset("Tiny training set", {**BASE, "subset": 1000, "batch": 32, "epochs": 30},
                      "Only 1,000 training images. Predict the gap between train and test accuracy, then Play: "
                      "train accuracy reaches 100 % while test accuracy stalls near 89 % and the test loss rises."),
}
presets.picker(p, PAGE, PRESETS)

with st.sidebar:
    st.subheader("MNIST")
    grad = p.select("Output gradient", "grad", list(GRADIENTS), "fused", format_func=GRADIENTS.get,
                    help="The post's code multiplies a diagonal-only softmax derivative by a binary-cross-entropy "
                         "gradient; the correct one is (softmax − one-hot)/n.")
    subset = p.select_slider("Training images", "subset", SUBSETS, setup.HOSTED_SUBSET if hosted else 60000,
                             help="A random subset of the 60,000 (seeded). Fewer images: faster epochs, more "
                                  "overfitting. The test set is always the full 10,000.")
    layers = p.slider("Hidden layers", "layers", 1, 3, 2)
    sizes = tuple(p.select_slider(f"Units in hidden layer {i + 1}", f"h{i + 1}", WIDTHS, DEFAULT_SIZES[i])
                  for i in range(layers))
    act = p.select("Activation", "act", list(ACTIVATIONS), "relu", format_func=ACTIVATIONS.get)
    lr = p.select_slider("Learning rate", "lr", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], 0.1)
    batch = p.select_slider("Batch size", "batch", [16, 32, 64, 128, 256, 512, 1000], 512,
                            help="The post drops the last partial batch of every epoch; so do we.")
    epochs = p.select_slider("Epochs", "epochs", [1, 2, 3, 5, 10, 15, 20, 30, 50], 20)
    opt = p.select("Optimizer", "opt", list(OPTIMIZERS), "sgd", format_func=OPTIMIZERS.get)
    scale = p.select_slider("Initial weight scale σ (W = randn·σ)", "scale", [0.01, 0.03, 0.1, 0.3, 1.0], 0.1,
                            advanced=True)
    precision = p.select("Precision", "dtype", ["float64", "float32"], "float64", advanced=True,
                         help="float64 replays the post digit for digit; float32 is about 3× faster, and its "
                              "rounding ends the default run at 0.964 instead of 0.9645.")
    full_pass = p.toggle("Full-pass train loss after each epoch", "fullpass", True, advanced=True,
                         help="What the post prints, so the two can be compared digit for digit. Off: epochs "
                              "about 20 % faster. Always on with the post's gradient.")

s = setup.Settings(sizes=sizes, activation=act, lr=lr, batch_size=batch, epochs=epochs, optimizer=opt,
                   subset=subset, scale=scale, precision=precision, gradient=grad, full_pass=full_pass, seed=seed())
test = mnist()
if hosted and subset == setup.HOSTED_SUBSET:
    st.caption(f"Running on a shared server: the default is {subset:,} training images (the post used 60,000); "
               "move *Training images* to train on more.")


# -- training --------------------------------------------------------------------------------
def new_run() -> TrainingRun:
    model, loss, rng = setup.build(s)
    data = training_images(s.subset, s.seed)
    y_test = test_one_hot() if s.post_gradient else test.y_test
    return TrainingRun(signature=s.signature(), model=model, loss=loss,
                       optimizer=nnlib.make_optimizer(s.optimizer, model, s.lr),
                       x=data.flat_train, y=setup.targets(s, data.y_train),
                       train_kwargs=setup.train_kwargs(s, rng, test.flat_test, y_test),
                       target_epochs=s.epochs, label=s.label(), extra={"W0": model.layers[0].W.copy()})


st.header("Training")
run = live.get_run(PAGE, s.signature(), new_run)
run.label = s.label()
differences = setup.differences_from_post(s)


def draw(r: TrainingRun) -> None:
    st.subheader("Versus the post")
    if differences:
        st.caption("Your settings differ from the post's, so the numbers will too: " + "; ".join(differences) + ".")
    left, right = common.side_by_side([1, 1])
    common.show_chart(left, charts.curves_chart(views.post_loss_frame(r.history), "Train loss: post vs this run",
                                                "cross-entropy", height=330), width="stretch")
    with right:
        seconds = views.epoch_seconds(r.history)
        c1, c2 = st.columns(2)
        c1.metric("Last epoch took", "—" if seconds is None else f"{seconds:.2f} s")
        test_loss = live.shown_metrics(r).get("val_loss")  # loaded weights too, not only a trained epoch
        c2.metric("Test loss", "—" if test_loss is None else f"{test_loss:.4f}")
        if r.history:
            st.dataframe(views.post_comparison(r.history).tail(5), hide_index=True, width="stretch",
                         column_config={"quantity": st.column_config.TextColumn(width="medium"),
                                        **{c: st.column_config.NumberColumn(format="%.10f")
                                           for c in ("post", "this run", "difference")}})

    st.subheader("First-layer weights")
    left, right = st.columns([3, 2])
    change = right.radio("Show", ["change", "weights"], horizontal=True, key="mnist_weights_view",
                         format_func={"change": "what each unit learned (W − W at the start)",
                                      "weights": "the weights W"}.get)
    right.markdown("One 28×28 tile per hidden unit: the weight from each pixel. **Red** pixels, when inked, push "
                   "the unit up; **blue** ones push it down. Each tile is scaled to its own largest weight.")
    W = r.model.layers[0].W
    left.image(views.weight_mosaic(W - r.extra["W0"] if change == "change" else W), width="stretch")
    if change == "change" and not r.optimizer.steps and "loaded" not in r.extra:
        right.info("Nothing has changed yet, so the tiles are blank: press Play or Step, or show the weights W.")


live.panel(PAGE, run, epochs=epochs, lr=lr, draw=draw, per_tick=max(1, epochs // 20))
common.explain(
    "**Two mistakes that cancel.** The post's softmax backward multiplies by s(1 − s) only — the diagonal of the "
    "softmax Jacobian diag(s) − ssᵀ — and its loss gradient −y/s + (1 − y)/(1 − s) belongs to *binary* "
    "cross-entropy. Multiplied, they give $s(1-s)\\left(-\\frac{y}{s}+\\frac{1-y}{1-s}\\right) = s - y$: exactly "
    "the correct fused gradient (s − y)/n. So in float64 the correct code prints the post's numbers to about 15 "
    "digits. The cancellation fails only where the post clips s to [10⁻¹⁰, 1 − 10⁻¹⁰]: a confidently wrong "
    "output then gets almost no gradient and stays wrong — see the preset *Big initial weights*.",
    title="Why the post's gradient works anyway")
live.save_load(PAGE, run, {"params": p.values()})


# -- look inside -------------------------------------------------------------------------------
def test_probabilities(r: TrainingRun) -> np.ndarray:
    """Softmax outputs on the 10,000 test images, recomputed only when the weights changed."""
    key = (r.optimizer.steps, float(r.model.layers[0].W.sum()))
    if r.extra.get("probs_key") != key:
        r.extra["probs"] = r.model.predict(test.flat_test, transform=setup.transform(s))
        r.extra["probs_key"] = key
    return r.extra["probs"]


st.header("Look inside")
if not run.trained:
    st.caption("The network has not trained yet: what follows shows random weights. Press Play or Step first.")
elif not run.history:
    st.caption(f"What follows shows the weights loaded from {run.extra['loaded']}.")
probs = test_probabilities(run)
guesses = probs.argmax(axis=1)
tab_conf, tab_wrong, tab_draw, tab_base = st.tabs(
    ["Confusion matrix", "Misclassified digits", "Draw a digit", "scikit-learn baseline"])

with tab_conf:
    st.caption(f"{int((guesses == test.y_test).sum()):,} of 10,000 test digits right "
               f"({np.mean(guesses == test.y_test):.2%}).")
    mistakes_only = st.toggle("Hide the diagonal (show only the mistakes)", key="mnist_mistakes_only")
    c1, c2 = common.side_by_side([3, 2])
    common.show_chart(c1, views.confusion_chart(test.y_test, guesses, mistakes_only), width="stretch")
    common.show_chart(c2, views.per_class_chart(views.per_class_frame(test.y_test, guesses)), width="stretch")

with tab_wrong:
    wrong = views.misclassified(probs, test.y_test, k=12)
    if wrong.size == 0:
        st.success("No test digit is misclassified.")
    else:
        st.caption("The test digits the network got wrong with the most confidence: true digit in blue, its "
                   "guess in red. Many are hard for people too.")
    for row in range(0, wrong.size, 6):
        for col, i in zip(st.columns(6), wrong[row:row + 6], strict=False):
            y, g = int(test.y_test[i]), int(guesses[i])
            col.image(views.digit_image(test.x_test[i], 4), caption=f"true {y} · guessed {g} ({probs[i, g]:.0%})")
            common.show_chart(col, views.probability_chart(probs[i], true=y, height=90), width="stretch")


def canvas_image() -> np.ndarray | None:
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception as err:  # noqa: BLE001 - the page works without the canvas
        st.warning(f"The drawing canvas could not start ({type(err).__name__}); upload an image instead.")
        return None
    result = st_canvas(fill_color="rgba(255, 255, 255, 1)", stroke_width=18, stroke_color="#FFFFFF",
                       background_color="#000000", height=280, width=280, drawing_mode="freedraw",
                       key="mnist_canvas", update_streamlit=True, return_image_data=True)
    st.caption("Draw one digit, big, with the mouse or a finger. Undo or clear: the buttons at the canvas's top "
               "right (with a mouse, they appear when you hover over it).")
    return None if result is None else result.image_data


def uploaded_image() -> np.ndarray | None:
    upload = st.file_uploader("A photo or scan of one digit (PNG or JPEG, up to 5 MB)", type=["png", "jpg", "jpeg"],
                              key="mnist_digit_upload")
    if upload is None:
        return None
    try:
        return setup.decode_upload(upload.getvalue(), upload.name)
    except ValueError as err:
        st.error(f"Could not use this image: {err}.")
        return None


def show_guess(image: np.ndarray | None, uploaded: bool = False) -> None:
    digit = None if image is None else preprocess_drawing(image)
    if digit is None:
        if uploaded and image is not None:
            st.info("No ink found in this image: it looks blank. Upload a digit written in a dark pen on light "
                    "paper (or light on dark).")
        else:
            st.info("Draw a digit (or upload one): the network's guess appears here.")
        return
    probs_one = run.model.predict(digit.reshape(1, 784))[0]
    guess = int(probs_one.argmax())
    c1, c2 = st.columns([1, 1])
    c1.metric("The network's guess", str(guess))
    c1.caption(f"{probs_one[guess]:.0%} sure")
    c1.image(views.digit_image(digit, 6), caption="What the network sees: 28×28, centred like MNIST")
    common.show_chart(c2, views.probability_chart(probs_one, title="Probabilities", height=260), width="stretch")
    if not run.trained:
        st.caption("Untrained network: its guess is noise. Train it first.")


with tab_draw:
    common.explain("Your drawing goes through MNIST's own preprocessing before the network sees it: cropped to the "
                   "ink, scaled so the longer side is 20 pixels, and placed in a 28×28 frame with its centre of "
                   "mass in the middle.")
    left, right = st.columns([1, 1])
    with left:
        source = st.radio("Input", ["Draw", "Upload an image"], horizontal=True, key="mnist_input",
                          label_visibility="collapsed")
        image = canvas_image() if source == "Draw" else uploaded_image()
    with right:
        show_guess(image, uploaded=source != "Draw")

with tab_base:
    cap = setup.SKLEARN_MAX[hosted]
    st.caption(f"scikit-learn on the same training images (at most {cap:,}, so it fits in seconds), tested on the "
               "same 10,000 test images.")
    kind = st.radio("scikit-learn model", list(setup.BASELINES), format_func=setup.BASELINES.get, horizontal=True,
                    key="mnist_baseline_kind")
    if st.button("Fit the scikit-learn model", key="mnist_baseline"):
        st.session_state["mnist_baseline_result"] = ((kind, s), fit_baseline(kind, s, cap))
    stored = st.session_state.get("mnist_baseline_result")
    if stored and stored[0] == (kind, s):
        result, last = stored[1], run.last or {}
        rows = [{"model": f"nnlib, this page ({run.epochs_done} epochs)", "training images": s.subset,
                 "test accuracy": last.get("val_accuracy"), "time (s)": last.get("seconds")},
                {"model": f"scikit-learn {result['model']}", "training images": result["n"],
                 "test accuracy": result["accuracy"], "time (s)": result["seconds"]}]
        st.dataframe(rows, hide_index=True, width="stretch",
                     column_config={"test accuracy": st.column_config.NumberColumn(format="%.4f"),
                                    "time (s)": st.column_config.NumberColumn(format="%.2f")})

code = ([nnlib.DiagonalSoftmax, nnlib.PostCrossEntropy] if s.post_gradient
        else [nnlib.Sequential.backward_loss, nnlib.CrossEntropy.fused_backward])
common.show_code(code + [nnlib.Dense.backward, nnlib.mnist.preprocess_drawing], key="mnist.code")
p.sync_url(extra=presets.query(PAGE))
