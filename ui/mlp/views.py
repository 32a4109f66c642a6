"""Pictures of the MLP lesson: decision boundary, neuron thumbnails, gradient norms per
layer, the live gradient check and unit health.

Two kinds of plain functions, no Streamlit: ``*_frame`` turns a model (or nnlib's rows) into
a data frame, ``*_chart`` turns a frame into an ``alt.Chart``. Tests call both directly."""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd

import nnlib

from .. import charts
from ..i18n import _

# class 0 orange, class 1 blue (as in TensorFlow Playground), then green, purple, pink
CLASS_COLORS = ["#e8710a", "#1a73e8", "#1e8e3e", "#9334e6", "#d01884"]
BACKGROUND = alt.Scale(domain=[0, 0.5, 1], range=["#f8c99b", "#f7f7f7", "#a9c8f5"])
GOOD, BAD = "#1e8e3e", "#d93025"
GRADCHECK_OK = 1e-5  # relative error below this: backprop agrees with finite differences
# Central differences in float64 (ε = 1e-6) resolve gradients to about 1e-9 — e.g. where a well-fitted
# BCE has cancelled down to 1 − p ≈ 1e-5 — so gradients below GRADCHECK_FLOOR are compared in
# absolute terms: an error shows only when |backprop − numerical| > GRADCHECK_OK · GRADCHECK_FLOOR = 1e-9.
GRADCHECK_FLOOR = 1e-4


def box(x: np.ndarray, pad: float = 0.25) -> tuple[tuple[float, float], tuple[float, float]]:
    """The plotting box around 2-D points: their range plus ``pad`` on each side."""
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _grid_frame(model_out: np.ndarray, points: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"x": np.round(points[:, 0], 4), "y": np.round(points[:, 1], 4),
                         "p": np.round(model_out.reshape(-1), 3)})


# -- decision boundary ---------------------------------------------------------------------

def boundary_frame(model: nnlib.Sequential, x_range, y_range, resolution: int = 50,
                   transform=None) -> pd.DataFrame:
    """The model's probability of class 1 at the centres of a resolution² grid (x, y, p);
    ``transform`` (a feature map) is applied to the grid as to the training points."""
    points, _, _ = nnlib.data.grid(x_range, y_range, resolution)
    return _grid_frame(model.predict(points, transform=transform), points)


def points_frame(x: np.ndarray, y: np.ndarray, subset: str) -> pd.DataFrame:
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "label": np.asarray(y).reshape(-1).astype(int),
                         "set": subset})


def _cell_scale(values: pd.Series) -> alt.Scale:
    return alt.Scale(domain=[float(values.min()), float(values.max())], nice=False, zero=False)


def _named_sets(points: pd.DataFrame) -> pd.DataFrame:
    """The points' ``set`` column ("train"/"test") in the page's language, as the legend shows it."""
    return points.assign(set=points["set"].map(lambda name: _(name)))


def _set_shape() -> alt.Shape:
    """Circles for training points, triangles for test points, with a legend whose symbols read at a
    glance (dark grey and large: the marks' white outline made them tiny grey dots)."""
    return alt.Shape("set:N", scale=alt.Scale(domain=[_("train"), _("test")], range=["circle", "triangle-up"]),
                     title=_("points"), legend=alt.Legend(orient="bottom", symbolSize=120, symbolFillColor="#555",
                                                          symbolStrokeColor="#555", symbolStrokeWidth=1,
                                                          symbolOpacity=1))


def boundary_chart(grid: pd.DataFrame, points: pd.DataFrame, title: str | None = None,
                   height: int = 480) -> alt.Chart:
    """Background = P(class 1) (orange 0 … white 0.5 … blue 1) as a grid of cells; points
    coloured by label, circles for training points, triangles for test points.

    Each cell spans its grid point ± half a step (x/x2, y/y2 in data units), so the chart
    follows its column's width (``width="container"``) instead of a fixed pixel size."""
    title = _("Decision boundary") if title is None else title
    points = _named_sets(points)
    cells, x_scale, y_scale = _cells(grid)
    background = alt.Chart(cells).mark_rect(clip=True).encode(
        x=alt.X("x0:Q", title="x₁", scale=x_scale), x2="x1:Q",
        y=alt.Y("y0:Q", title="x₂", scale=y_scale), y2="y1:Q",
        color=alt.Color("p:Q", scale=BACKGROUND, title=_("P(class 1)"),
                        legend=alt.Legend(orient="bottom", gradientLength=110, values=[0, 0.5, 1])),
        tooltip=[alt.Tooltip("p:Q", title=_("P(class 1)"), format=".3f")],
    )
    dots = alt.Chart(points).mark_point(filled=True, size=55, stroke="white", strokeWidth=0.8, opacity=1,
                                        clip=True).encode(
        x=alt.X("x1:Q", scale=x_scale), y=alt.Y("x2:Q", scale=y_scale),
        color=alt.Color("label:N", scale=alt.Scale(domain=[0, 1], range=CLASS_COLORS[:2]), title=_("label"),
                        legend=None),  # the P(class 1) legend already maps orange to 0 and blue to 1
        shape=_set_shape(),
        tooltip=[alt.Tooltip("set:N", title=_("set")), alt.Tooltip("label:N", title=_("label")),
                 alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f")],
    )
    return (background + dots).properties(title=title, width="container", height=height)


# -- neuron thumbnails ---------------------------------------------------------------------

def neuron_frame(model: nnlib.Sequential, x_range, y_range, resolution: int = 14,
                 max_units: int = 8, max_layers: int = 2, transform=None) -> pd.DataFrame:
    """What each hidden unit computes over the input plane (like TensorFlow Playground's
    neuron pictures), for the first ``max_layers`` hidden layers; a layer wider than
    ``max_units`` stops the walk. ``value`` is the unit's output rescaled to [0, 1]."""
    points = nnlib.data.grid(x_range, y_range, resolution)[0]  # `_` is the translation function here
    frames, h, layer = [], points if transform is None else transform(points), 0
    for item in model.layers[:-1]:  # the last layer is the output's activation
        h = item.forward(h, train=False)
        if not isinstance(item, nnlib.Activation):
            continue
        layer += 1
        if layer > max_layers or h.shape[1] > max_units:
            break
        for unit in range(h.shape[1]):
            v = h[:, unit]
            span = v.max() - v.min()
            scaled = (v - v.min()) / span if span > 1e-12 else np.full_like(v, 0.5)
            frames.append(_grid_frame(scaled, points).rename(columns={"p": "value"}).assign(
                layer=_("layer {n}", n=layer), unit=_("unit {n}", n=unit + 1)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def neuron_chart(frame: pd.DataFrame, size: int | None = None) -> alt.Chart:
    """Small heatmaps, one per hidden unit: a row per layer, a column per unit (smaller
    pictures when a layer has many units)."""
    if size is None:
        size = 64 if frame["unit"].nunique() <= 4 else 32  # 8 units and the row labels fit a 390-px phone
    resolution = max(int(round(np.sqrt(frame.groupby(["layer", "unit"]).size().iloc[0]))), 2)
    cell = size / (resolution - 1) + 0.5
    return alt.Chart(frame).mark_rect(width=cell, height=cell).encode(
        x=alt.X("x:Q", axis=None, scale=_cell_scale(frame["x"])),
        y=alt.Y("y:Q", axis=None, scale=_cell_scale(frame["y"])),
        color=alt.Color("value:Q", scale=alt.Scale(scheme="blueorange", reverse=True), legend=None),
    ).properties(width=size, height=size).facet(
        row=alt.Row("layer:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=60)),
        column=alt.Column("unit:N", title=None, sort=[_("unit {n}", n=i) for i in range(1, 65)]),
        spacing=4,
    ).properties(title=_("What each hidden unit computes"))


# -- gradient norms per layer --------------------------------------------------------------

def layer_names(stats: list[dict]) -> list[str]:
    """"layer 1 (10→32)", … for the rows of ``Sequential.layer_stats``."""
    out = []
    for i, row in enumerate(stats):
        n_in, n_out = re.findall(r"\d+", row["name"])[:2]  # "Dense(30, 128, bias=False)"
        out.append(_("layer {n} ({n_in}→{n_out})", n=i + 1, n_in=n_in, n_out=n_out))
    return out


def norms_rows(epoch: int, stats: list[dict]) -> list[dict]:
    """One row per layer for the gradient-norm history."""
    return [{"epoch": epoch, "layer": name, "grad_norm": row["grad_norm"]}
            for name, row in zip(layer_names(stats), stats, strict=True)]


def decade_axis(values, most: int = 8) -> alt.Axis:
    """A log axis labelled at powers of ten only ("1e-8"), every second or third decade when the
    values span more than ``most`` of them, so the labels never pile up."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return alt.Axis(format=".0e")
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    step = max(1, -(-(hi - lo + 1) // most))
    return alt.Axis(values=[10.0 ** k for k in range(lo, hi + 1, step)], format=".0e")


def grad_norms_chart(frame: pd.DataFrame, title: str | alt.Title | None = None,
                     height: int = 300) -> alt.Chart:
    """‖dL/dW‖ of every layer against the epoch on a log axis: vanishing gradients show as
    lines many decades apart."""
    frame = frame[frame["grad_norm"] > 0] if not frame.empty else frame
    if frame.empty:
        frame = pd.DataFrame({"epoch": [0], "layer": [""], "grad_norm": [np.nan]})
    order = list(dict.fromkeys(frame["layer"]))
    title = title or alt.Title(_("Gradient norm per layer"), subtitle=_("log scale"))
    return alt.Chart(frame, title=title, height=height).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("grad_norm:Q", title="‖dL/dW‖", scale=alt.Scale(type="log"), axis=decade_axis(frame["grad_norm"])),
        color=alt.Color("layer:N", sort=order, scale=alt.Scale(scheme="viridis"),
                        # a few layers: rows under the plot, which keeps the column's whole width; a deep
                        # net's many layers: a column on the right
                        legend=alt.Legend(orient="bottom", title=None, labelLimit=0,
                                          columns=charts.legend_columns(order, charts.LEGEND_ROOM,
                                                                        charts.LECTURE_LEGEND_PX))
                        if len(order) <= 4 else alt.Legend(orient="right", title=None, labelLimit=0)),
        tooltip=[alt.Tooltip("layer:N", title=_("layer")), alt.Tooltip("epoch:Q", title=_("epoch")),
                 alt.Tooltip("grad_norm:Q", title="‖dL/dW‖", format=".2e")],
    ).properties(width="container")


def grad_bars_chart(stats: list[dict], title: str | None = None, height: int = 300) -> alt.Chart:
    """The latest ‖dL/dW‖ per layer, first layer on the left, log axis (bars start a decade
    below the smallest norm: a log axis has no zero)."""
    title = _("Gradient norm now") if title is None else title
    df = pd.DataFrame({"layer": layer_names(stats), "grad_norm": [r["grad_norm"] for r in stats]})
    df = df[df["grad_norm"] > 0]
    df["base"] = df["grad_norm"].min() / 10 if not df.empty else 1.0
    return alt.Chart(df, title=title, height=height).mark_bar().encode(
        x=alt.X("layer:N", sort=None, title=None, axis=alt.Axis(labelAngle=-40, labelOverlap=False)),
        y=alt.Y("grad_norm:Q", title="‖dL/dW‖", scale=alt.Scale(type="log"),
                axis=decade_axis(pd.concat([df["grad_norm"], df["base"]]))),
        y2="base:Q",
        color=alt.Color("layer:N", sort=None, scale=alt.Scale(scheme="viridis"), legend=None),
        tooltip=[alt.Tooltip("layer:N", title=_("layer")), alt.Tooltip("grad_norm:Q", title="‖dL/dW‖", format=".2e")],
    ).properties(width="container")


def vanishing_ratio(stats: list[dict]) -> float | None:
    """First layer's gradient norm over the last layer's (None before training)."""
    first, last = stats[0]["grad_norm"], stats[-1]["grad_norm"]
    return first / last if last > 0 else None


# -- gradient check ------------------------------------------------------------------------

def gradcheck_frame(rows: list[dict]) -> pd.DataFrame:
    """nnlib's per-weight check rows → one row per parameter array (its worst weight).

    ``rel_error`` is nnlib's, with tiny gradients (below ``GRADCHECK_FLOOR``) compared in
    absolute terms, as finite differences cannot resolve them in relative terms."""
    df = pd.DataFrame(rows)
    floored = [nnlib.rel_error(a, n, GRADCHECK_FLOOR) for a, n in zip(df["backprop"], df["numerical"], strict=True)]
    df["rel_error"] = np.fmin(df["rel_error"], floored)
    df["rel_error"] = df["rel_error"].fillna(np.inf)  # NaN weights (a diverged run): no agreement
    dense_index = {}
    for name in df["param"]:
        dense_index.setdefault(name.split(".")[0], len(dense_index) + 1)
    worst = df.loc[df.groupby("param", sort=False)["rel_error"].idxmax()].copy()
    worst["parameter"] = [_("layer {n} · {param}", n=dense_index[n.split(".")[0]], param=n.split(".")[1])
                          for n in worst["param"]]
    worst["ok"] = worst["rel_error"] < GRADCHECK_OK
    return worst[["parameter", "backprop", "numerical", "rel_error", "ok"]].reset_index(drop=True)


DIGITS_MAX = 16  # float64 carries about 16 significant digits: the most two numbers can share


def agreement_digits(rel_error) -> np.ndarray:
    """Matching significant digits of backprop and finite differences: −log₁₀(relative error),
    clipped to [0, 16] (a relative error of 1e-9 → 9 digits; an exact match → 16; NaN/inf → 0)."""
    err = np.asarray(rel_error, dtype=float)
    err = np.where(np.isfinite(err), err, 1.0)
    return np.clip(-np.log10(np.maximum(err, 10.0 ** -DIGITS_MAX)), 0, DIGITS_MAX)


def gradcheck_chart(frame: pd.DataFrame, bar: int = 26) -> alt.Chart:
    """One horizontal bar per parameter array: how many digits backprop and finite differences
    share at its worst sampled weight. Long green bars agree; a short red bar (left of the dashed
    line at 5 digits, a relative error of 1e-5) differs — readable at a glance, labelled in words."""
    df = frame.assign(digits=agreement_digits(frame["rel_error"]),
                      verdict=np.where(frame["ok"], _("agrees"), _("differs")))
    df["label"] = [_("{verdict} ({error})", verdict=v, error="0" if e == 0 else f"{e:.0e}")
                   for v, e in zip(df["verdict"], df["rel_error"], strict=True)]
    title = alt.Title(_("Gradient check"), subtitle=[_("backprop vs finite differences:"),
                                                     _("matching digits, worst weight per array")])
    base = alt.Chart(df).encode(
        y=alt.Y("parameter:N", sort=None, title=None, axis=alt.Axis(labelOverlap=False)),  # every array named
        x=alt.X("digits:Q", title=_("matching digits"), scale=alt.Scale(domain=[0, DIGITS_MAX]),
                axis=alt.Axis(values=[0, 4, 8, 12, 16])),
        tooltip=[alt.Tooltip("parameter:N", title=_("parameter")),
                 alt.Tooltip("backprop:Q", title=_("backprop"), format=".4e"),
                 alt.Tooltip("numerical:Q", title=_("numerical"), format=".4e"),
                 alt.Tooltip("rel_error:Q", title=_("relative error"), format=".2e")],
    )
    bars = base.mark_bar(height=bar * 0.7).encode(
        color=alt.Color("verdict:N", legend=None,
                        scale=alt.Scale(domain=[_("agrees"), _("differs")], range=[GOOD, BAD])))
    # the verdict in words: inside a long bar, just after a short one
    inside = base.transform_filter(alt.datum.digits >= DIGITS_MAX / 2).mark_text(
        align="right", dx=-4, color="white", fontWeight="bold").encode(text="label:N")
    after = base.transform_filter(alt.datum.digits < DIGITS_MAX / 2).mark_text(
        align="left", dx=4, color="#333333", fontWeight="bold").encode(text="label:N")
    limit = alt.Chart(pd.DataFrame({"x": [-np.log10(GRADCHECK_OK)]})).mark_rule(
        strokeDash=[4, 4], color="gray").encode(x="x:Q")
    height = bar * len(df) + 170  # the whole chart: a title, two subtitle lines and the axis around one row per array
    return alt.layer(bars, inside, after, limit, title=title).properties(width="container", height=height)


# -- unit health -----------------------------------------------------------------------------

def _percent(fraction: float) -> str:
    return "—" if fraction != fraction else f"{100 * fraction:.0f} %"  # NaN: not this activation


def health_frame(stats: list[dict]) -> pd.DataFrame:
    """Per layer, as display text: activation, gradient and weight norms, % dead ReLU units,
    % saturated outputs ("—" where the measure does not apply to the layer's activation)."""
    return pd.DataFrame({
        _("layer"): layer_names(stats),
        _("activation"): [r["activation"] for r in stats],
        _("gradient norm"): [f"{r['grad_norm']:.2e}" for r in stats],
        _("weight norm"): [f"{r['weight_norm']:.3g}" for r in stats],
        _("dead ReLU units"): [_percent(r["dead_fraction"]) for r in stats],
        _("saturated outputs"): [_percent(r["saturated_fraction"]) for r in stats],
    })


def health_hints(stats: list[dict], limit: float = 0.5) -> list[str]:
    """One line per hidden layer with most units dead or saturated (the output layer's
    saturation just means confident answers, so it is left out)."""
    hints = []
    for name, row in zip(layer_names(stats)[:-1], stats[:-1], strict=True):
        dead, sat = row["dead_fraction"], row["saturated_fraction"]
        if dead == dead and dead >= limit:  # NaN-safe: NaN for non-ReLU layers
            hints.append(_("{layer}: {share} of its ReLU units output 0 for every sample — they get no "
                           "gradient and stop learning. A lower learning rate, He init or LeakyReLU helps.",
                           layer=name, share=f"{dead:.0%}"))
        if sat == sat and sat >= limit:
            hints.append(_("{layer}: {share} of its {activation} outputs are saturated (slope "
                           "under 1 % of its peak) — gradients through them vanish. Smaller initial weights "
                           "(Xavier) or ReLU help.", layer=name, share=f"{sat:.0%}",
                           activation=row["activation"].lower()))
    return hints


# -- the 2-D playground: several classes, regression, the learning rate ---------------------

def _mix_white(hex_colour: str, amount: np.ndarray) -> list[str]:
    """``hex_colour`` blended towards white by ``amount`` (0 = the colour, 1 = white), per entry."""
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    mixed = rgb[None, :] + (255 - rgb[None, :]) * np.clip(amount, 0, 1)[:, None]
    return ["#" + "".join(f"{int(round(v)):02x}" for v in row) for row in mixed]


def class_frame(model: nnlib.Sequential, x_range, y_range, resolution: int = 50, transform=None) -> pd.DataFrame:
    """For a softmax model with k outputs: at each grid point the predicted class, its
    probability (``confidence``) and the cell's colour — the class's colour, lighter the less
    sure the model is (white at 1/k, a coin toss among k classes)."""
    points, _, _ = nnlib.data.grid(x_range, y_range, resolution)
    probs = model.predict(points, transform=transform)
    k = probs.shape[1]
    cls = probs.argmax(axis=1)
    conf = probs.max(axis=1)
    sure = (conf - 1 / k) / (1 - 1 / k)  # 0 at chance, 1 when certain
    fills = np.empty(len(points), dtype=object)
    for c in range(k):
        at = cls == c
        fills[at] = _mix_white(CLASS_COLORS[c], 1 - 0.75 * sure[at])  # never darker than a quarter tint
    return pd.DataFrame({"x": np.round(points[:, 0], 4), "y": np.round(points[:, 1], 4), "cls": cls,
                         "confidence": np.round(conf, 3), "fill": fills})


def _cells(grid: pd.DataFrame):
    resolution = max(int(round(np.sqrt(len(grid)))), 2)
    dx = (grid["x"].max() - grid["x"].min()) / (resolution - 1)
    dy = (grid["y"].max() - grid["y"].min()) / (resolution - 1)
    cells = grid.assign(x0=grid["x"] - dx / 2, x1=grid["x"] + dx / 2, y0=grid["y"] - dy / 2, y1=grid["y"] + dy / 2)
    x_scale = alt.Scale(domain=[float(cells["x0"].min()), float(cells["x1"].max())], nice=False, zero=False)
    y_scale = alt.Scale(domain=[float(cells["y0"].min()), float(cells["y1"].max())], nice=False, zero=False)
    return cells, x_scale, y_scale


def class_chart(grid: pd.DataFrame, points: pd.DataFrame, class_names: list[str], title: str,
                height: int = 480) -> alt.Chart:
    """The k-class boundary: each cell in its predicted class's colour, lightness = confidence;
    points in their true class's colour (circles train, triangles test)."""
    cells, x_scale, y_scale = _cells(grid)
    k = len(class_names)
    names = [str(n) for n in class_names]
    cells = cells.assign(class_name=[names[c] for c in cells["cls"]])
    background = alt.Chart(cells).mark_rect(clip=True).encode(
        x=alt.X("x0:Q", title="x₁", scale=x_scale), x2="x1:Q",
        y=alt.Y("y0:Q", title="x₂", scale=y_scale), y2="y1:Q",
        color=alt.Color("fill:N", scale=None),
        tooltip=[alt.Tooltip("class_name:N", title=_("predicted class")),
                 alt.Tooltip("confidence:Q", title=_("probability"), format=".3f")],
    )
    pts = _named_sets(points).assign(class_name=[names[int(c)] for c in points["label"]])
    dots = alt.Chart(pts).mark_point(filled=True, size=55, stroke="white", strokeWidth=0.8, opacity=1,
                                     clip=True).encode(
        x=alt.X("x1:Q", scale=x_scale), y=alt.Y("x2:Q", scale=y_scale),
        color=alt.Color("class_name:N", scale=alt.Scale(domain=names, range=CLASS_COLORS[:k]), title=_("class"),
                        legend=alt.Legend(orient="bottom", symbolType="circle")),
        shape=_set_shape(),
        tooltip=["set:N", alt.Tooltip("class_name:N", title=_("class")), alt.Tooltip("x1:Q", format=".2f"),
                 alt.Tooltip("x2:Q", format=".2f")],
    )
    return (background + dots).properties(title=title, width="container", height=height)


def value_points_frame(x: np.ndarray, y: np.ndarray, subset: str) -> pd.DataFrame:
    """Regression points: inputs (1 or 2 columns) and their target ``value``."""
    cols = {"x1": x[:, 0]} if x.shape[1] == 1 else {"x1": x[:, 0], "x2": x[:, 1]}
    return pd.DataFrame({**cols, "value": np.asarray(y, dtype=float).reshape(-1), "set": subset})


def surface_frame(model: nnlib.Sequential, x_range, y_range, resolution: int = 50, transform=None) -> pd.DataFrame:
    """A 2-D regression model's output at the centres of a resolution² grid (x, y, value)."""
    points, _, _ = nnlib.data.grid(x_range, y_range, resolution)
    return pd.DataFrame({"x": np.round(points[:, 0], 4), "y": np.round(points[:, 1], 4),
                         "value": np.round(model.predict(points, transform=transform).reshape(-1), 4)})


def surface_chart(grid: pd.DataFrame, points: pd.DataFrame, title: str, height: int = 480) -> alt.Chart:
    """The fitted surface as a heatmap and the points coloured by their target, on one colour scale."""
    cells, x_scale, y_scale = _cells(grid)
    lo = float(min(grid["value"].min(), points["value"].min()))
    hi = float(max(grid["value"].max(), points["value"].max()))
    scale = alt.Scale(scheme="blueorange", domain=[lo, hi] if hi > lo else [lo - 1, hi + 1], reverse=True)
    background = alt.Chart(cells).mark_rect(clip=True, opacity=0.85).encode(
        x=alt.X("x0:Q", title="x₁", scale=x_scale), x2="x1:Q",
        y=alt.Y("y0:Q", title="x₂", scale=y_scale), y2="y1:Q",
        color=alt.Color("value:Q", scale=scale, title=_("prediction / target"),
                        legend=alt.Legend(orient="bottom", gradientLength=140)),
        tooltip=[alt.Tooltip("value:Q", title=_("prediction"), format=".3f")],
    )
    dots = alt.Chart(_named_sets(points)).mark_point(filled=True, size=50, stroke="black", strokeWidth=0.6, opacity=1,
                                        clip=True).encode(
        x=alt.X("x1:Q", scale=x_scale), y=alt.Y("x2:Q", scale=y_scale),
        color=alt.Color("value:Q", scale=scale, legend=None),
        shape=_set_shape(),
        tooltip=["set:N", alt.Tooltip("value:Q", title=_("target"), format=".3f")],
    )
    return (background + dots).properties(title=title, width="container", height=height)


def curve_frame(model: nnlib.Sequential, x_range, n: int = 200, truth=None) -> pd.DataFrame:
    """A 1-D regression model's curve over ``x_range`` (x, prediction[, truth])."""
    xs = np.linspace(*x_range, n)
    out = {"x": xs, "prediction": model.predict(xs.reshape(-1, 1)).reshape(-1)}
    if truth is not None:
        out["truth"] = truth(xs.reshape(-1, 1))
    return pd.DataFrame(out)


def curve_chart(curve: pd.DataFrame, points: pd.DataFrame, title: str, height: int = 420) -> alt.Chart:
    """The fitted curve over the points (circles train, triangles test); the noiseless function dashed."""
    lines = [c for c in ("prediction", "truth") if c in curve]
    long = curve.melt("x", lines, var_name="curve", value_name="y")
    names = {"prediction": _("network"), "truth": _("true function")}
    long["curve"] = long["curve"].map(names)
    x_scale = alt.Scale(domain=[float(curve["x"].min()), float(curve["x"].max())], nice=False)
    dots = alt.Chart(points).mark_point(filled=True, size=40, opacity=0.6, color="#5f6368").encode(
        x=alt.X("x1:Q", title="x", scale=x_scale), y=alt.Y("value:Q", title="y"),
        shape=alt.Shape("set:N", scale=alt.Scale(domain=["train", "test"], range=["circle", "triangle-up"]),
                        title=_("points"), legend=alt.Legend(orient="bottom")),
        tooltip=["set:N", alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("value:Q", format=".3f")],
    )
    shown = [names[c] for c in lines]
    line = alt.Chart(long).mark_line(strokeWidth=3, clip=True).encode(
        x=alt.X("x:Q", scale=x_scale), y="y:Q",
        color=alt.Color("curve:N", scale=alt.Scale(domain=shown, range=["#1a73e8", "#e8710a"][:len(shown)]),
                        title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=shown, range=[[1, 0], [6, 4]][:len(shown)]),
                                  legend=None),
    )
    return (dots + line).properties(title=title, width="container", height=height)


def lr_chart(history: pd.DataFrame, title: str, height: int = 220) -> alt.Chart:
    """The learning rate in force at each epoch (a schedule's shape), to sit under the loss curve."""
    frame = history[["epoch", "lr"]] if not history.empty and "lr" in history else pd.DataFrame(
        {"epoch": [0], "lr": [np.nan]})
    return alt.Chart(frame, title=title, height=height).mark_line(color="#5f6368").encode(
        x=alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("lr:Q", title="lr", scale=alt.Scale(zero=True), axis=alt.Axis(format=".2~g", tickCount=4)),
        tooltip=["epoch:Q", alt.Tooltip("lr:Q", format=".2e")],
    ).properties(width="container")
