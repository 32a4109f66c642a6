"""Lesson 3 (logistic regression in 1-D) helpers: the post's problem, a training run that
remembers (w, b) after every update, and the page's Altair charts.

No Streamlit here: tests call every function directly. The numbers come from nnlib
(``nnlib.data.logistic_1d``, ``nnlib.sigmoid``, ``nnlib.BinaryCrossEntropy``'s clipping);
this module only arranges them for the charts.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

import nnlib
from nnlib import data

from . import charts
from .i18n import N_, _
from .run import TrainingRun

MAX_CURVES = 60  # light-blue "after an update" curves drawn at most (the chart stays fast)
MAX_PATH_POINTS = 500  # points of the SGD path / per-update loss drawn at most (about one per pixel of width;
# the browser redraws every point of every live chart, and while it does it cannot handle a click)
PATH_DOTS = 200  # the path shows a dot per point up to this many points, a plain line beyond
# series keys (English, in the frames); the charts show them translated: _(CLASS_0)
CLASS_0, CLASS_1 = N_("class 0 (y = 0)"), N_("class 1 (y = 1)")
INITIAL, UPDATES, CURRENT = N_("initial curve"), N_("after each update"), N_("current curve")
TRUE_RULE, LEARNED_RULE = N_("true boundary"), N_("learned boundary −b/w")
PALETTE = {CLASS_0: "#ff7f0e", CLASS_1: "#1f77b4", INITIAL: "#2ca02c", UPDATES: "#87ceeb",
           CURRENT: "#d62728", TRUE_RULE: "#555555", LEARNED_RULE: "#d62728"}
PIN_COLOURS = ["#ff7f0e", "#e377c2", "#17becf", "#bcbd22"]


# -- the problem --------------------------------------------------------------------------

def build(n: int, boundary: float, scale: float, direction: str, seed: int):
    """The post's data and model, drawn in the post's order from one legacy stream:
    x, y = make_dataset(...), then w ~ N(0, 1), then b ~ N(0, 1). With
    ``RandomState(seed)`` this replays the post's code run after ``np.random.seed(seed)``.

    Returns ``x`` (n, 1), ``y`` (n,), the model ``Dense(1, 1) → Sigmoid`` and the stream
    (it goes on to shuffle the samples when shuffling is on)."""
    rng = np.random.RandomState(seed)
    x, y = data.logistic_1d(n, boundary, scale, direction, rng=rng)
    dense = nnlib.Dense(1, 1, init="normal", rng=rng)  # w ~ N(0, 1), as the post
    dense.b[...] = rng.standard_normal(1)  # nnlib starts biases at 0; the post draws b ~ N(0, 1)
    return x.reshape(-1, 1), y, nnlib.Sequential(dense, nnlib.Sigmoid()), rng


def weights(model: nnlib.Sequential) -> tuple[float, float]:
    """(w, b) of the model's one Dense(1, 1) layer."""
    dense = model.layers[0]
    return float(dense.W[0, 0]), float(dense.b[0])


def learned_boundary(w: float, b: float) -> float | None:
    """Where σ(w·x + b) = 0.5, i.e. z = 0: x = −b/w (None while w = 0: a flat curve)."""
    return None if w == 0 else -b / w


class PathRun(TrainingRun):
    """A ``TrainingRun`` that writes (w, b) into every step record (after that update) and
    every epoch record (at the end of the epoch), and keeps the starting point in
    ``extra["start"]`` — the SGD path of the page's charts, pinned runs included.

    ``extra["data"]`` names the data set, so a pinned path is drawn only on the loss
    landscape of the data it was trained on."""

    def advance(self, max_epochs=None, budget=None, on_step=None) -> int:
        if not self.steps:  # a fresh (or just loaded) model: this is where the path starts
            self.extra["start"] = weights(self.model)

        def record(run, rec):
            rec["w"], rec["b"] = weights(self.model)
            if on_step is not None:
                on_step(run, rec)

        first = len(self.history)
        trained = super().advance(max_epochs, budget, record)
        if first < len(self.history):
            by_step = {s["step"]: s for s in self.steps[-(len(self.history) - first) * len(self.x) - 1:]}
            for rec in self.history[first:]:
                end = by_step.get(rec["step"], {})
                rec["w"], rec["b"] = end.get("w"), end.get("b")
                rec["data"] = self.extra.get("data", "")
        return trained


def path_frame(run: TrainingRun) -> pd.DataFrame:
    """The SGD path: (update, epoch, w, b) from the start (update 0) to the current weights."""
    start = run.extra.get("start") if run.steps else None
    w0, b0 = start if start is not None else weights(run.model)
    rows = [{"update": 0, "epoch": 0, "w": w0, "b": b0}]
    rows += [{"update": i + 1, "epoch": s["epoch"], "w": s["w"], "b": s["b"]}
             for i, s in enumerate(run.steps) if "w" in s]
    return pd.DataFrame(rows)


def thin(df: pd.DataFrame, most: int) -> pd.DataFrame:
    """At most ``most`` evenly spaced rows, always keeping the first and the last."""
    if len(df) <= most:
        return df
    keep = np.unique(np.linspace(0, len(df) - 1, most).round().astype(int))
    return df.iloc[keep]


# -- numbers for the charts ----------------------------------------------------------------

def mean_bce(x: np.ndarray, y: np.ndarray, w, b, eps: float | None = None) -> np.ndarray:
    """Mean binary cross-entropy over the data for every (w, b) pair at once (arrays of any
    one shape): ``nnlib.BinaryCrossEntropy().value`` of the model with those weights,
    vectorised with ``nnlib.sigmoid`` and the loss's own clipping at ``eps``."""
    eps = nnlib.BinaryCrossEntropy().eps if eps is None else eps
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    x, y = np.asarray(x, dtype=float).reshape(-1), np.asarray(y, dtype=float).reshape(-1)
    p = np.clip(nnlib.sigmoid(w[..., None] * x + b[..., None]), eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=-1)


def x_domain(x: np.ndarray, boundary: float, scale: float) -> tuple[float, float]:
    """The curve chart's x range: the data and the true boundary, one spread of margin."""
    x = np.asarray(x).reshape(-1)
    return float(min(x.min(), boundary) - scale), float(max(x.max(), boundary) + scale)


def curves_frame(path: pd.DataFrame, domain: tuple[float, float], points: int = 60,
                 most: int = MAX_CURVES) -> pd.DataFrame:
    """σ(w·x + b) over ``domain`` for the initial weights, up to ``most`` of the updates
    (evenly spaced) and the current weights (once there was an update): long form
    (x, a, series, update)."""
    xs = np.linspace(*domain, points)
    updates = thin(path.iloc[1:], most) if len(path) > 1 else path.iloc[:0]
    parts = [(path.iloc[:1], INITIAL), (updates, UPDATES)]
    if len(path) > 1:  # before the first update the current curve is the initial one: draw it green
        parts.append((path.iloc[-1:], CURRENT))
    frames = []
    for rows, series in parts:
        if rows.empty:
            continue
        a = nnlib.sigmoid(rows["w"].to_numpy()[:, None] * xs + rows["b"].to_numpy()[:, None])
        frames.append(pd.DataFrame({"x": np.tile(xs, len(rows)), "a": a.reshape(-1), "series": series,
                                    "update": np.repeat(rows["update"].to_numpy(), len(xs))}))
    return pd.concat(frames, ignore_index=True)


def landscape_frame(x: np.ndarray, y: np.ndarray, paths: list[pd.DataFrame], cells: int = 40,
                    pad: float = 0.15, min_span: float = 1.0) -> pd.DataFrame:
    """Mean BCE L(w, b) on a ``cells`` × ``cells`` grid that contains every path (plus a
    margin): one row per cell with its edges (w0, w1, b0, b1), centre (w, b) and loss."""
    w_all = pd.concat([p["w"] for p in paths]).dropna().to_numpy()
    b_all = pd.concat([p["b"] for p in paths]).dropna().to_numpy()

    def edges(v):
        lo, hi = float(v.min()), float(v.max())
        mid, half = (lo + hi) / 2, max(hi - lo, min_span) / 2 * (1 + 2 * pad)
        return np.linspace(mid - half, mid + half, cells + 1)

    we, be = edges(w_all), edges(b_all)
    wc, bc = (we[:-1] + we[1:]) / 2, (be[:-1] + be[1:]) / 2
    W, B = np.meshgrid(wc, bc)
    W0, B0 = np.meshgrid(we[:-1], be[:-1])
    W1, B1 = np.meshgrid(we[1:], be[1:])
    loss = mean_bce(x, y, W, B)
    return pd.DataFrame({"w": W.ravel(), "b": B.ravel(), "w0": W0.ravel(), "w1": W1.ravel(),
                         "b0": B0.ravel(), "b1": B1.ravel(), "loss": loss.ravel()})


# -- charts ---------------------------------------------------------------------------------

def _shown(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its series keys in the session's language (what the legend and tooltips show)."""
    return df.assign(series=df["series"].map(lambda s: _(s)))


def _colour(title=None, legend=True) -> alt.Color:
    return alt.Color("series:N", title=title, scale=alt.Scale(domain=[_(k) for k in PALETTE],
                                                              range=list(PALETTE.values())),
                     legend=alt.Legend(orient="bottom", columns=4, labelLimit=260) if legend else None)


def curve_chart(x: np.ndarray, y: np.ndarray, path: pd.DataFrame, boundary: float,
                domain: tuple[float, float], height: int = 380) -> alt.LayerChart:
    """The post's picture, live: data at a = 0/1, the initial sigmoid (green), the curve
    after each update (light blue, later = darker), the current one (red), and rules at
    the true and the learned boundary."""
    x, y = np.asarray(x).reshape(-1), np.asarray(y).reshape(-1)
    scale_x = alt.Scale(domain=list(domain), nice=False)
    enc_x = alt.X("x:Q", title="x", scale=scale_x)
    pts = pd.DataFrame({"x": x, "a": y.astype(float), "series": np.where(y == 1, CLASS_1, CLASS_0)})
    points = alt.Chart(_shown(pts)).mark_circle(size=70, opacity=0.75).encode(
        x=enc_x, y=alt.Y("a:Q", title="a = σ(w·x + b)", scale=alt.Scale(domain=[-0.05, 1.05])),
        color=_colour(), tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("a:Q", title=_("label"))])
    curves = curves_frame(path, domain)
    layers = [points]
    for series, mark in [(UPDATES, dict(strokeWidth=1)), (INITIAL, dict(strokeWidth=2.5)),
                         (CURRENT, dict(strokeWidth=4))]:
        part = curves[curves["series"] == series]
        if part.empty:
            continue
        enc = dict(x=enc_x, y="a:Q", color=_colour(), detail="update:N",
                   tooltip=[alt.Tooltip("series:N", title=_("series")),
                            alt.Tooltip("update:Q", title=_("after update")),
                            alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("a:Q", format=".3f")])
        if series == UPDATES:  # fade in: the later the update, the less transparent
            enc["opacity"] = alt.Opacity("update:Q", scale=alt.Scale(range=[0.15, 0.9]), legend=None)
        layers.append(alt.Chart(_shown(part)).mark_line(clip=True, **mark).encode(**enc).properties(name=series))
    w, b = path["w"].iloc[-1], path["b"].iloc[-1]
    rules = [(TRUE_RULE, boundary)]
    learned = learned_boundary(w, b)
    if learned is not None and domain[0] <= learned <= domain[1]:
        rules.append((LEARNED_RULE, learned))
    rule_df = pd.DataFrame({"x": [v for _, v in rules], "series": [s for s, _ in rules]})
    layers.append(alt.Chart(_shown(rule_df)).mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(
        x=enc_x, color=_colour(), tooltip=[alt.Tooltip("series:N", title=_("series")),
                                           alt.Tooltip("x:Q", format=".3f")]))
    return alt.layer(*layers).properties(height=height, width="container",
                                         title=_("Data and the sigmoid curve after every update"))


def landscape_chart(grid: pd.DataFrame, path: pd.DataFrame, boundary: float,
                    pinned: list[tuple[str, pd.DataFrame]] | None = None, height: int = 380) -> alt.LayerChart:
    """L(w, b) as a heatmap (log colour), the valley b = −boundary·w where −b/w is the true
    boundary, and the SGD path (white; pinned runs' paths per epoch, coloured, dashed)."""
    sx = alt.Scale(domain=[float(grid["w0"].min()), float(grid["w1"].max())], nice=False, zero=False)
    sy = alt.Scale(domain=[float(grid["b0"].min()), float(grid["b1"].max())], nice=False, zero=False)
    heat = alt.Chart(grid).mark_rect().encode(
        x=alt.X("w0:Q", title=_("w (weight)"), scale=sx), x2="w1:Q",
        y=alt.Y("b0:Q", title=_("b (bias)"), scale=sy), y2="b1:Q",
        color=alt.Color("loss:Q", title=_("mean BCE"), scale=alt.Scale(type="log", scheme="viridis"),
                        legend=alt.Legend(orient="right", format=".2~g")),
        tooltip=[alt.Tooltip("w:Q", format=".3f"), alt.Tooltip("b:Q", format=".3f"),
                 alt.Tooltip("loss:Q", title=_("loss"), format=".4f")])
    ws = np.linspace(sx.domain[0], sx.domain[1], 50)
    valley = pd.DataFrame({"w": ws, "b": -boundary * ws})
    valley_line = alt.Chart(valley).mark_line(clip=True, strokeDash=[3, 3], color="white", opacity=0.6).encode(
        x=alt.X("w:Q", scale=sx), y=alt.Y("b:Q", scale=sy), order="w:Q")
    current = charts.current_run()
    shown = thin(path, MAX_PATH_POINTS).assign(run=current)
    lines = [shown] + [p.assign(run=label) for label, p in (pinned or [])]
    runs = pd.concat(lines, ignore_index=True)
    domain = [current] + [label for label, _ in (pinned or [])]
    colours = ["white"] + PIN_COLOURS[:len(domain) - 1]
    dots = alt.OverlayMarkDef(size=12) if len(shown) <= PATH_DOTS else False
    trail = alt.Chart(runs).mark_line(clip=True, strokeWidth=2, point=dots).encode(
        x=alt.X("w:Q", scale=sx), y=alt.Y("b:Q", scale=sy), order="update:Q", detail="run:N",
        color=alt.Color("run:N", title=None, scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(orient="bottom") if pinned else None),
        strokeDash=alt.condition(alt.datum.run == current, alt.value([1, 0]), alt.value([5, 3])),
        tooltip=[alt.Tooltip("run:N", title=_("run")), alt.Tooltip("update:Q", title=_("update")),
                 alt.Tooltip("w:Q", format=".4f"), alt.Tooltip("b:Q", format=".4f")])
    ends = pd.DataFrame({"w": [path["w"].iloc[0], path["w"].iloc[-1]], "b": [path["b"].iloc[0], path["b"].iloc[-1]],
                         "point": [_("start"), _("now")]}).iloc[:1 if len(path) == 1 else 2]
    marks = alt.Chart(ends).mark_point(filled=True, size=160, stroke="white", strokeWidth=1.5).encode(
        x=alt.X("w:Q", scale=sx), y=alt.Y("b:Q", scale=sy),
        fill=alt.Fill("point:N", scale=alt.Scale(domain=[_("start"), _("now")],
                                                 range=[PALETTE[INITIAL], PALETTE[CURRENT]]), legend=None),
        tooltip=[alt.Tooltip("point:N", title=_("point")), alt.Tooltip("w:Q", format=".4f"),
                 alt.Tooltip("b:Q", format=".4f")])
    return (alt.layer(heat, valley_line, trail, marks).resolve_scale(color="independent")
            .properties(height=height, width="container",
                        title=alt.Title(_("Loss landscape L(w, b)"), subtitle=_("and the SGD path"))))


def update_loss_frame(x: np.ndarray, y: np.ndarray, path: pd.DataFrame) -> pd.DataFrame:
    """The loss on all the data after every update (update 0 = the initial weights)."""
    shown = thin(path, MAX_PATH_POINTS)
    return pd.DataFrame({"update": shown["update"].to_numpy(),
                         "loss": mean_bce(x, y, shown["w"].to_numpy(), shown["b"].to_numpy())})


def update_loss_chart(df: pd.DataFrame, height: int = 380) -> alt.Chart:
    """Loss on all the data after each single-sample update (the per-epoch chart averages them)."""
    last = max(10, int(df["update"].max()))
    title = alt.Title(_("Loss after each update"), subtitle=_("on all the data"))
    return alt.Chart(df, title=title, height=height).mark_line(
        color=PALETTE[CURRENT], point=len(df) < 30).encode(
        x=alt.X("update:Q", title=_("update (one sample each)"), scale=alt.Scale(domain=[0, last])),
        y=alt.Y("loss:Q", title=_("mean BCE"), scale=alt.Scale(zero=False), axis=alt.Axis(format=".3~f")),
        tooltip=[alt.Tooltip("update:Q", title=_("update")),
                 alt.Tooltip("loss:Q", title=_("loss"), format=".5f")]).properties(width="container")
