"""The 2-D playground's data: the problem type, a built-in set, a CSV upload, clicked points.

``choose_data`` draws the sidebar's data controls and returns a ``Dataset`` (or None when
there is nothing to train on yet, with a message already shown). The user's own data (file
and clicks) lives only in this session's memory and never enters the share link."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from nnlib import data

from ..i18n import N_, _, shown
from ..params import PageParams, seed
from . import clicks, own_data, views

PROBLEMS = {"classification": N_("Classification"), "regression": N_("Regression")}
SOURCES = {"builtin": N_("Built-in set"), "csv": N_("My CSV file"), "clicks": N_("My clicks only")}
CLASS_SETS = list(data.TWO_D)
DATASET_NAMES = {"moons": N_("moons"), "circles": N_("circles"), "xor": "XOR", "spirals": N_("spirals"),
                 "blobs": N_("blobs")}
REGRESSION_SETS = {"sine": N_("sine (1-D)"), "step": N_("step (1-D)"), "abs": N_("|x| (1-D)"),
                   "poly": N_("noisy cubic (1-D)"), "plane": N_("plane (2-D)"), "bumps": N_("Gaussian bumps (2-D)")}
NO_DATA_IN_LINK = N_("Your data stays in this session: it is not stored on the server and never goes into the "
                     "page's address. A share link carries the settings only — whoever opens it brings their "
                     "own file or clicks.")
DEFAULT_BOX = ((-1.75, 1.75), (-1.75, 1.75))
MIN_CLICKS = 4
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "playground_sample.csv"


@dataclass
class Dataset:
    """What the playground trains on; ``key`` identifies the data for the run's signature."""

    problem: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    class_names: list[str]
    key: tuple
    name: str
    truth: object = None  # the noiseless function of a built-in regression set
    box: tuple = DEFAULT_BOX

    @property
    def dims(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


@st.cache_data(show_spinner=False, max_entries=64)
def builtin_classes(name: str, n: int, noise: float, classes: int, data_seed: int):
    rng = np.random.default_rng(data_seed)
    return data.make_2d(name, n, noise, rng=rng, classes=classes)


@st.cache_data(show_spinner=False, max_entries=64)
def builtin_regression(name: str, n: int, noise: float, data_seed: int):
    return data.make_regression(name, n, noise, rng=np.random.default_rng(data_seed))


@dataclass
class Choice:
    """The sidebar's data choices (and, for a built-in set, its points)."""

    problem: str
    source: str
    test: float
    classes: int = 2
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    names: list | None = None
    key: tuple = ()
    label: str = ""
    truth: object = None


def choose_data(p: PageParams, d: dict) -> Choice:
    """The sidebar's data controls (call inside ``st.sidebar``)."""
    problem = p.select(_("Problem"), "g_problem", list(PROBLEMS), d["g_problem"], horizontal=True,
                       format_func=shown(PROBLEMS))
    sources = list(SOURCES) if problem == "classification" else ["builtin", "csv"]
    source = p.select(_("Data source"), "g_source", list(SOURCES), d["g_source"], format_func=shown(SOURCES))
    if source not in sources:
        st.caption(_("Clicked points have a class: for regression, use a built-in set or a CSV file."))
        source = "builtin"
    test = round(float(p.slider(_("Test fraction"), "g_test", 0.1, 0.9, d["g_test"], 0.05)), 2)
    if source == "builtin":
        x, y, names, key, label, truth = _builtin(p, d, problem)
        return Choice(problem, source, test, len(names), x, y, names, key, label, truth)
    if source == "clicks":
        k = p.slider(_("Classes"), "g_classes", 2, data.MAX_CLASSES, d["g_classes"])
        return Choice(problem, source, test, k)
    return Choice(problem, source, test)


def own_data_area(choice: Choice) -> Dataset | None:
    """The main area's part of the data: the CSV upload and the clicking canvas; the split."""
    if choice.source == "csv":
        with st.expander(_("Your CSV file"), expanded=True, icon=":material/upload_file:"):
            got = _csv(choice.problem)
        if got is None:
            return None
        x, y, names, key, label, truth = got
    elif choice.source == "clicks":
        x, y = np.zeros((0, 2)), np.zeros(0, np.int64)
        names, key, label, truth = [str(i) for i in range(choice.classes)], ("clicks",), _("my points"), None
    else:
        x, y, names, key, label, truth = choice.x, choice.y, choice.names, choice.key, choice.label, choice.truth
    box = views.box(x) if len(x) and x.shape[1] == 2 else DEFAULT_BOX
    if choice.problem == "classification":
        cx, cy = _clicked(x, y, names, box, choice.source == "clicks")
        if len(cx):
            x, y = np.vstack([x, cx]), np.r_[y, cy].astype(np.int64)
            key = (*key, hashlib.sha1(np.c_[cx, cy].tobytes()).hexdigest()[:12])
            if choice.source != "clicks":  # clicks-only: the chart shows the canvas's box
                box = views.box(x)
    if choice.source == "clicks" and (len(x) < MIN_CLICKS or len(np.unique(y)) < 2):
        st.info(_("Click at least {n} points on the plane, in at least two classes, to train on them.",
                  n=MIN_CLICKS), icon=":material/ads_click:")
        return None
    key = (*key, choice.test)
    if len(x) < 10:  # too few to hold some out: train on all of them
        return Dataset(choice.problem, x, y, None, None, names, key, label, truth, box)
    xtr, xte, ytr, yte = data.train_test_split(x, y, choice.test, rng=np.random.default_rng([seed(), 7]))
    return Dataset(choice.problem, xtr, ytr, xte, yte, names, key, label, truth, box)


def _builtin(p: PageParams, d: dict, problem: str):
    noise = round(float(p.slider(_("Noise"), "g_noise", 0.0, 0.5, d["g_noise"], 0.05)), 2)
    n = p.select_slider(_("Points"), "g_n", [50, 100, 200, 300, 500, 1000], d["g_n"], advanced=True)
    if problem == "regression":
        name = p.select(_("Dataset"), "g_rdata", list(REGRESSION_SETS), d["g_rdata"],
                        format_func=shown(REGRESSION_SETS))
        x, y = builtin_regression(name, n, noise, seed())
        return x, y, [], ("builtin", "regression", name, n, noise, seed()), name, \
            (lambda pts, name=name: data.regression_target(name, pts))
    name = p.select(_("Dataset"), "g_data", CLASS_SETS, d["g_data"], format_func=shown(DATASET_NAMES))
    k = 2
    if name in data.MULTICLASS:
        k = p.slider(_("Classes"), "g_classes", 2, data.MAX_CLASSES, d["g_classes"],
                     help=_("Spirals and blobs come with 2 to 5 classes; more than 2 use a softmax output."))
    x, y = builtin_classes(name, n, noise, k, seed())
    return x, y, [str(i) for i in range(k)], ("builtin", "classification", name, n, noise, k, seed()), name, None


def _csv(problem: str):
    """Upload, validate, choose columns. Messages for every failure; None until usable."""
    st.caption(_(NO_DATA_IN_LINK))
    upload = st.file_uploader(_("CSV file (header row; UTF-8 or Korean Excel's cp949)"), type=["csv", "txt"],
                              key="mlp_csv_upload")
    st.caption(_("Format: one row per point, a header row, two numeric feature columns and a target column "
                 "(a class label, or a number for regression)."))
    if SAMPLE.exists():
        st.download_button(_("Download a sample CSV (fruit sizes, 3 classes)"), SAMPLE.read_bytes(),
                           file_name=SAMPLE.name, mime="text/csv", key="mlp_csv_sample",
                           icon=":material/download:")
    if upload is None:
        st.info(_("Upload a CSV file above to train on your own data."), icon=":material/upload_file:")
        return None
    raw = upload.getvalue()
    cache = st.session_state.get("mlp_csv_cache")
    if cache is None or cache[0] != upload.file_id:
        try:
            df, encoding = own_data.read_csv(raw)
            cache = (upload.file_id, df, encoding, None)
        except own_data.DataError as err:
            cache = (upload.file_id, None, None, str(err))
        st.session_state["mlp_csv_cache"] = cache
    df, encoding, error = cache[1:]
    name = own_data.plain(upload.name, 40)
    if error:
        st.error(_("{name}: {problem}", name=name, problem=error), icon=":material/error:")
        return None
    try:
        numeric = own_data.check_features(df)
    except own_data.DataError as err:
        st.error(_("{name}: {problem}", name=name, problem=str(err)), icon=":material/error:")
        return None
    columns = list(df.columns)
    f1 = st.selectbox(_("Feature x₁"), numeric, index=0, key="mlp_csv_f1")
    f2 = st.selectbox(_("Feature x₂"), numeric, index=1, key="mlp_csv_f2")
    rest = [c for c in columns if c not in (f1, f2)] or columns
    target = st.selectbox(_("Target"), rest, index=len(rest) - 1, key="mlp_csv_target")
    standardise = st.checkbox(_("Standardise the features (mean 0, standard deviation 1)"), key="mlp_csv_std")
    drop = st.session_state.get("mlp_csv_drop", False)
    try:
        own = own_data.prepare(df, f1, f2, target, problem, standardise=standardise, drop_missing=drop, seed=seed())
    except own_data.DataError as err:
        st.error(_("{name}: {problem}", name=name, problem=str(err)), icon=":material/error:")
        if err.kind == "missing":
            st.checkbox(_("Drop the rows with empty cells"), key="mlp_csv_drop")
        return None
    if drop:
        st.checkbox(_("Drop the rows with empty cells"), key="mlp_csv_drop")
    for note in own.notes:
        st.info(note, icon=":material/info:")
    st.caption(_("Read {rows} rows from {name} ({encoding}).", rows=len(own.x), name=name,
                 encoding=encoding.replace("utf-8-sig", "UTF-8")))
    key = ("csv", upload.file_id, f1, f2, target, standardise, drop, problem, seed())
    return own.x, own.y, own.classes, key, name, None


def _clicked(x, y, names: list[str], box, always_open: bool):
    """The canvas for adding points by clicking, in the chosen class's colour."""
    with st.expander(_("Add points by clicking"), expanded=always_open, icon=":material/ads_click:"):
        k = len(names)
        cls = st.radio(_("Class of the next points"), list(range(k)), horizontal=True, key="mlp_click_class",
                       format_func=shown({i: _("class {name}", name=n) for i, n in enumerate(names)}))
        cls = 0 if cls is None or cls >= k else cls
        st.caption(_("Click on the plane to add a point. Undo or clear: the buttons at the canvas's top right "
                     "(with a mouse, they appear when you hover over it). The points join the training data "
                     "(never the test points)."))
        if always_open:
            st.caption(_(NO_DATA_IN_LINK))
        try:
            from streamlit_drawable_canvas import st_canvas
        except Exception as err:  # noqa: BLE001 - the page works without the canvas
            st.warning(_("The clicking canvas could not start ({error}).", error=type(err).__name__))
            return np.zeros((0, 2)), np.zeros(0, np.int64)
        colour = views.CLASS_COLORS[cls]
        result = st_canvas(fill_color=colour, stroke_width=clicks.STROKE, stroke_color=colour,
                           background_image=clicks.background(x, y, box, k), height=clicks.SIZE, width=clicks.SIZE,
                           drawing_mode="point", point_display_radius=clicks.RADIUS, key="mlp_canvas",
                           update_streamlit=True)
        cx, cy = clicks.points_from_json(getattr(result, "json_data", None), box, k)
        if len(cx):
            counts = ", ".join(_("class {name}: {n}", name=names[i], n=int(c))
                               for i, c in enumerate(np.bincount(cy, minlength=k)))
            st.caption(_("Clicked points — {counts}.", counts=counts))
    return cx, cy
