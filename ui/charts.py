"""Altair chart builders: plain functions, data frame in, ``alt.Chart`` out. No Streamlit,
so tests call them directly and check the Vega-Lite spec."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .i18n import N_, _

SERIES_NAMES = {  # shown in the session's language: _(SERIES_NAMES[key])
    "loss": N_("train loss"),  # the batch-weighted mean over the epoch (the whole set when full-batch)
    "train_loss": N_("train loss (full pass)"),
    "val_loss": N_("test loss"),
    "accuracy": N_("train accuracy"),
    "val_accuracy": N_("test accuracy"),
}


LEGEND_ROW = 30  # px a legend row below a plot takes in the browser (lecture mode's 16 px labels included)
LEGEND_ROOM = 360  # px a legend may use: a half-width chart at 1280 px (387 px) less its padding
LEGEND_PX = 14  # px of a legend label in Streamlit's chart theme (lecture_style: LECTURE_LEGEND_PX)
LECTURE_LEGEND_PX = 16
SYMBOL_PX = 28  # a legend entry's symbol and the padding after it
DASHES = [[1, 0], [6, 4], [2, 2], [10, 3, 2, 3], [1, 3]]  # one per series when the colour tells runs apart
DASH_GLYPHS = ["——", "– –", "···", "–·–", "· ·"]  # the same dashes, written in the chart's subtitle


def text_px(text: str, size: float = LEGEND_PX) -> float:
    """About how wide ``text`` is in Streamlit's sans-serif at ``size`` px, a little wider than measured
    (Chromium, Source Sans: "train loss (full pass)" 112 px at 14 px, 0.36 em a character; Hangul 0.88 em):
    0.45 em a Latin character, 1 em a Hangul or other wide one."""
    return sum(size if ord(c) >= 0x1100 else 0.45 * size for c in str(text))


def legend_columns(labels: list[str], room: float, size: float = LEGEND_PX) -> int:
    """The most legend entries per row that fit ``room`` px (each column as wide as its widest entry)."""
    widths = [text_px(label, size) + SYMBOL_PX for label in labels]
    for columns in range(len(widths), 1, -1):
        per_column = [max(widths[i::columns]) for i in range(columns)]
        if sum(per_column) <= room:
            return columns
    return 1


def fit_label(label: str, room: float, size: float = LEGEND_PX) -> str:
    """``label`` cut to fit ``room`` px (with "…"); whole when it fits."""
    if text_px(label, size) + SYMBOL_PX <= room:
        return label
    while label and text_px(label + "…", size) + SYMBOL_PX > room:
        label = label[:-1]
    return label.rstrip(" ,·:") + "…"


def current_run() -> str:
    """The legend's name of the run being trained (pinned runs carry their own labels)."""
    return _("current run")


def long_history(history: pd.DataFrame, fields: list[str], run: str | None = None) -> pd.DataFrame:
    """Epoch history (one column per metric) -> long form (epoch, series, value[, run])."""
    present = [f for f in fields if f in history and history[f].notna().any()]
    if history.empty or not present:
        return pd.DataFrame({"epoch": [], "series": [], "value": [], "run": []})
    out = history.melt(id_vars="epoch", value_vars=present, var_name="series", value_name="value")
    out["series"] = out["series"].map(lambda s: _(SERIES_NAMES[s]) if s in SERIES_NAMES else s)
    out["run"] = run or current_run()
    return out.dropna(subset=["value"])


def curves_chart(data: pd.DataFrame, title: str | None = None, y_title: str | None = None,
                 log_y: bool = False, height: int = 320, x_title: str | None = None,
                 legend_corner: str | None = None, legend_room: float = LEGEND_ROOM,
                 legend_px: float = LEGEND_PX) -> alt.Chart:
    """Lines of ``value`` against ``epoch``, one per (run, series), with hover values.

    ``height`` is the chart's whole height in pixels (Streamlit fits title, axes and legend into it).
    ``legend_corner`` places a single run's legend inside the plot ("top-right" by default,
    "bottom-right" for an accuracy); three series or more go in rows below it. ``legend_room`` is the
    width in px the legend may use (the chart's at 1280 px), ``legend_px`` its labels' font size
    (``LECTURE_LEGEND_PX`` for a chart drawn with ``lecture_style``).

    ``data`` is the long form from ``long_history``; several runs concatenated overlay them: then the
    colour tells the runs apart (pinned runs get a legend row each) and the dash the series."""
    title = _("Loss") if title is None else title
    y_title = _("loss") if y_title is None else y_title
    x_title = _("epoch") if x_title is None else x_title
    if data.empty:  # before the first epoch: say what to do rather than draw empty axes
        note = pd.DataFrame({"text": [_("Press Play or Step to train")]})
        return alt.Chart(note, title=title, height=height).mark_text(size=16, color="gray").encode(
            text="text:N").properties(width="container")
    one_run = data["run"].nunique() == 1  # no pinned runs: the legend needs only the series
    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    if log_y:
        data = data[data["value"] > 0]
    series = list(dict.fromkeys(data["series"]))
    grow, dash = 0, alt.Undefined  # one run: every line solid, the colour tells the series apart
    if one_run:
        if len(series) > 2:
            # Three or more series (MNIST's batch losses, train and test loss): rows under the plot, as many
            # entries per row as fit a half-width column at 1280 px; inside, their box would cover the curves
            # while the first epochs still fill the plot's whole width.
            columns = legend_columns(series, legend_room, legend_px)
            legend = alt.Legend(orient="bottom", direction="horizontal", columns=columns, labelLimit=0, offset=6)
            grow = LEGEND_ROW * (-(-len(series) // columns) - 1)
        else:
            # The few series names sit inside the plot, in the corner the curves leave empty (a loss falls,
            # an accuracy rises): the plot keeps its whole height on a one-screen projector layout.
            corner = legend_corner or ("bottom-right" if y_title in ("accuracy", _("accuracy")) else "top-right")
            legend = alt.Legend(orient=corner, labelLimit=0, fillColor="rgba(255, 255, 255, 0.7)", padding=6,
                                cornerRadius=4, strokeColor="#dddddd")  # a curve behind it still shows
        color = alt.Color("series:N", title=None, scale=alt.Scale(scheme="category10"), legend=legend)
    else:
        # Pinned runs: the colour says which run (one legend row each, its name cut to the column), the
        # dash which quantity: 4 runs × 3 losses are 4 + 3 entries, not 12 long ones sharing 10 colours.
        # The chart grows by the legend's rows, as the legend sits inside its height.
        runs = list(dict.fromkeys(data["run"]))
        shown = {run: fit_label(run, legend_room, legend_px) for run in runs}
        data = data.assign(run_shown=data["run"].map(shown))
        runs_legend = alt.Legend(orient="bottom", columns=1, labelLimit=0, offset=6, rowPadding=2, title=None)
        color = alt.Color("run_shown:N", title=None, sort=[shown[r] for r in runs],
                          scale=alt.Scale(scheme="category10"), legend=runs_legend)
        # which dash is which series: a line under the title ("—— train loss   – – test loss"), wrapped to
        # the chart's width (a second legend below the plot would sit beside the first and be cut)
        dash = alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=series, range=DASHES[:len(series)]))
        key_lines = [""]
        for key in (f"{glyph} {name}" for glyph, name in zip(DASH_GLYPHS, series, strict=False)):
            joined = f"{key_lines[-1]}   {key}" if key_lines[-1] else key
            if key_lines[-1] and text_px(joined, legend_px) > legend_room:
                key_lines.append(key)
            else:
                key_lines[-1] = joined
        title = alt.Title(title, subtitle=key_lines, subtitleFontSize=legend_px, subtitleColor="#333")
        grow = LEGEND_ROW * (len(runs) + len(key_lines))
    base = alt.Chart(data, title=title, height=height + grow)
    lines = base.mark_line(point=len(data) < 60).encode(
        x=alt.X("epoch:Q", title=x_title, axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("value:Q", title=y_title, scale=scale),
        color=color,
        strokeDash=dash,
        detail="run:N",
        tooltip=[alt.Tooltip("run:N", title=_("run")), alt.Tooltip("series:N", title=_("series")),
                 alt.Tooltip("epoch:Q", title=x_title), alt.Tooltip("value:Q", title=y_title, format=".5f")],
    )
    return lines.properties(width="container")


def lecture_style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The same chart with type big enough for a projector (lecture mode)."""
    return (chart.configure_axis(labelFontSize=16, titleFontSize=18)
            .configure_legend(labelFontSize=LECTURE_LEGEND_PX, titleFontSize=17, symbolSize=160)
            .configure_title(fontSize=21, subtitleFontSize=16)
            .configure_header(labelFontSize=16, titleFontSize=18))  # text marks keep their size: labels on
                                                                        # bars would collide


def function_chart(x: np.ndarray, curves: dict[str, np.ndarray], point: tuple[float, dict] | None = None,
                   title: str = "", height: int = 400) -> alt.Chart:
    """Several y(x) curves (e.g. f and f′) on one chart; ``point`` = (x0, {curve: y0}) marks
    the values at x0 with dots and a vertical rule."""
    df = pd.concat([pd.DataFrame({"x": x, "y": y, "curve": name}) for name, y in curves.items()])
    chart = alt.Chart(df, title=title, height=height).mark_line(strokeWidth=3).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q", title=None),
        color=alt.Color("curve:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(scheme="category10")),
        tooltip=[alt.Tooltip("curve:N", title=_("curve")), alt.Tooltip("x:Q", format=".3f"),
                 alt.Tooltip("y:Q", format=".4f")],
    )
    if point is not None:
        x0, values = point
        pts = pd.DataFrame({"x": x0, "y": list(values.values()), "curve": list(values.keys())})
        chart = chart + alt.Chart(pd.DataFrame({"x": [x0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
        chart = chart + alt.Chart(pts).mark_point(size=120, filled=True).encode(
            x="x:Q", y="y:Q", color="curve:N",
            tooltip=[alt.Tooltip("curve:N", title=_("curve")), alt.Tooltip("x:Q", format=".3f"),
                     alt.Tooltip("y:Q", format=".4f")])
    return chart.properties(width="container")


def matrix_heatmap(counts: np.ndarray, labels: list[str] | None = None, title: str | None = None,
                   x_title: str | None = None, y_title: str | None = None, height: int = 300,
                   select: str | None = None) -> alt.Chart:
    """A count matrix as a heatmap with the numbers written in the cells.

    ``select`` names a point selection on the cells (fields ``true`` and ``predicted``, the row and
    column labels): with ``st.altair_chart(on_select="rerun")`` a click on a cell reruns the page with
    that cell in the chart's selection state."""
    title = _("Confusion matrix") if title is None else title
    x_title = _("predicted") if x_title is None else x_title
    y_title = _("true") if y_title is None else y_title
    counts = np.asarray(counts)
    labels = labels or [str(i) for i in range(counts.shape[0])]
    rows, cols = np.indices(counts.shape)
    df = pd.DataFrame({"true": np.array(labels)[rows.ravel()], "predicted": np.array(labels)[cols.ravel()],
                       "count": counts.ravel()})
    base = alt.Chart(df, title=title, height=height).encode(
        # every label shown (Vega drops "overlapping" ones in lecture mode's bigger type: rows 1, 3, 5…)
        x=alt.X("predicted:N", title=x_title, sort=labels, axis=alt.Axis(labelAngle=0, labelOverlap=False)),
        y=alt.Y("true:N", title=y_title, sort=labels, axis=alt.Axis(labelOverlap=False)),
    )
    cells = base.mark_rect().encode(color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None),
                                    tooltip=[alt.Tooltip("true:N", title=y_title),
                                             alt.Tooltip("predicted:N", title=x_title),
                                             alt.Tooltip("count:Q", title=_("count"))])
    if select:
        cells = cells.add_params(alt.selection_point(name=select, fields=["true", "predicted"], on="click",
                                                     clear="dblclick"))
    threshold = counts.max() / 2 if counts.size else 0
    text = base.mark_text(fontSize=14).encode(
        text="count:Q",
        color=alt.condition(alt.datum.count > threshold, alt.value("white"), alt.value("black")),
    )
    return (cells + text).properties(width="container")


def bars_chart(df: pd.DataFrame, x: str, y: str, title: str = "", height: int = 220,
               color: str | None = None, y_scale: alt.Scale | None = None, x_title: str | None = None,
               y_title: str | None = None) -> alt.Chart:
    """A plain bar chart (probabilities, per-class accuracy, gradient norms...). The axes are titled
    ``x_title``/``y_title`` (the column names when not given)."""
    x_title = x if x_title is None else x_title
    y_title = y if y_title is None else y_title
    enc = {"x": alt.X(f"{x}:N", sort=None, title=x_title),
           "y": alt.Y(f"{y}:Q", scale=y_scale or alt.Undefined, title=y_title),
           "tooltip": [alt.Tooltip(f"{x}:N", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=".4f")]}
    if color:
        enc["color"] = alt.Color(f"{color}:N", legend=None)
    return alt.Chart(df, title=title, height=height).mark_bar().encode(**enc).properties(width="container")
