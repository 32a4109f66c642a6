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
                 legend_corner: str | None = None) -> alt.Chart:
    """Lines of ``value`` against ``epoch``, one per (run, series), with hover values.

    ``height`` is the chart's whole height in pixels (Streamlit fits title, axes and legend into it).
    ``legend_corner`` places a single run's legend inside the plot ("top-right" by default,
    "bottom-right" for an accuracy); pinned runs get a legend row each below the plot.

    ``data`` is the long form from ``long_history`` (several runs concatenated overlay
    them: pinned runs are dashed, the current run solid)."""
    title = _("Loss") if title is None else title
    y_title = _("loss") if y_title is None else y_title
    x_title = _("epoch") if x_title is None else x_title
    if data.empty:  # before the first epoch: say what to do rather than draw empty axes
        note = pd.DataFrame({"text": [_("Press Play or Step to train")]})
        return alt.Chart(note, title=title, height=height).mark_text(size=16, color="gray").encode(
            text="text:N").properties(width="container")
    one_run = data["run"].nunique() == 1  # no pinned runs: the legend needs only the series
    data = data.assign(line=data["series"] if one_run else data["run"] + " · " + data["series"],
                       pinned=data["run"] != current_run())
    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    if log_y:
        data = data[data["value"] > 0]
    rows = data["line"].nunique()
    if one_run and rows > 2:
        # Three or more series (MNIST's batch losses, train and test loss): one row under the plot (short
        # names, so that it fits a half-width column at 1280 px); inside, their box would cover the curves
        # while the first epochs still fill the plot's whole width. One row keeps the projector's one screen.
        legend = alt.Legend(orient="bottom", direction="horizontal", columns=rows, labelLimit=0, offset=6)
        grow = 0
    elif one_run:
        # The few series names sit inside the plot, in the corner the curves leave empty (a loss falls,
        # an accuracy rises): the plot keeps its whole height on a one-screen projector layout.
        corner = legend_corner or ("bottom-right" if y_title in ("accuracy", _("accuracy")) else "top-right")
        legend = alt.Legend(orient=corner, labelLimit=0, fillColor="white", padding=6, cornerRadius=4,
                            strokeColor="#dddddd")
        grow = 0
    else:
        # Pinned runs: one legend entry per row below the plot (their labels are long; two columns get
        # cut off in a narrow column); the chart grows by the extra rows, as the legend sits inside its height.
        legend = alt.Legend(orient="bottom", columns=1, labelLimit=0, offset=6, rowPadding=2)
        grow = LEGEND_ROW * rows
    base = alt.Chart(data, title=title, height=height + grow)
    lines = base.mark_line(point=len(data) < 60).encode(
        x=alt.X("epoch:Q", title=x_title, axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("value:Q", title=y_title, scale=scale),
        color=alt.Color("line:N", title=None, scale=alt.Scale(scheme="category10"), legend=legend),
        strokeDash=alt.StrokeDash("pinned:N", legend=None,
                                  scale=alt.Scale(domain=[False, True], range=[[1, 0], [6, 4]])),
        tooltip=[alt.Tooltip("run:N", title=_("run")), alt.Tooltip("series:N", title=_("series")),
                 alt.Tooltip("epoch:Q", title=x_title), alt.Tooltip("value:Q", title=y_title, format=".5f")],
    )
    return lines.properties(width="container")


def lecture_style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The same chart with type big enough for a projector (lecture mode)."""
    return (chart.configure_axis(labelFontSize=16, titleFontSize=18)
            .configure_legend(labelFontSize=16, titleFontSize=17, symbolSize=160)
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
