"""See the network: the network drawn as a graph (TensorFlow Playground's picture), the data plane as a
hidden layer sees it (ConvNetJS's picture), and the loss landscape around the weights.

Plain functions, no Streamlit: ``*_frame`` builds data frames from a model, ``*_chart`` turns them into
an ``alt.Chart``; the pages call both and tests check the frames and the Vega-Lite spec.

The graph: one column per layer (inputs left, output right), one node per unit. An edge is a weight:
coloured by its sign (orange negative, blue positive, as in Playground), as wide as ``|w|``. A node's
colour is its bias. A node can carry a picture (a data-URI PNG): what the unit computes over the 2-D
input plane, or a first-layer unit's 28×28 weight tile on MNIST. Layers wider than ``max_units`` keep
their first ``max_units`` units, and each unit keeps only its ``top_k`` strongest incoming edges: the
caption (``graph_note``) says so.
"""

from __future__ import annotations

import base64
import io

import altair as alt
import numpy as np
import pandas as pd

import nnlib
from nnlib import landscape

from .i18n import _

NEGATIVE, ZERO, POSITIVE = "#e8710a", "#e8eaed", "#1a73e8"  # Playground's orange / grey / blue
CLASS_COLORS = ["#e8710a", "#1a73e8", "#1e8e3e", "#9334e6", "#d93025"]


def png_data_uri(values: np.ndarray, *, diverging: bool = True, size: int | None = None) -> str:
    """A 2-D array as a small PNG data URI: orange (low) … white … blue (high) when ``diverging``
    (scaled by the largest |value|), else black (low) … white (high) scaled min…max."""
    from PIL import Image

    v = np.asarray(values, dtype=np.float64)
    if diverging:
        t = v / max(float(np.abs(v).max()), 1e-12)  # -1 … 1
        neg, pos = np.array([0xE8, 0x71, 0x0A]), np.array([0x1A, 0x73, 0xE8])
        white = np.array([255.0, 255.0, 255.0])
        rgb = np.where(t[..., None] < 0, white + (neg - white) * -t[..., None], white + (pos - white) * t[..., None])
    else:
        span = float(v.max() - v.min())
        g = (v - v.min()) / span if span > 1e-12 else np.full_like(v, 0.5)
        rgb = np.repeat((g * 255)[..., None], 3, axis=-1)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    if size:
        img = img.resize((size, size), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# -- the graph ----------------------------------------------------------------------------------

def _unit_label(column: int, unit: int, n_columns: int, input_names: list[str] | None) -> str:
    if column == 0:
        return input_names[unit] if input_names and unit < len(input_names) else _("input {i}", i=unit + 1)
    if column == n_columns - 1:
        return _("output {i}", i=unit + 1)
    return _("unit {i} (layer {k})", i=unit + 1, k=column)


def graph_frames(model: nnlib.Sequential, input_names: list[str] | None = None, *, max_units: int = 16,
                 top_k: int = 6, show_inputs: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(nodes, edges, info) of the network drawn as a graph.

    nodes: column, unit, x, y, node (an id "c:u"), label, bias (NaN for inputs).
    edges: source, target (node ids), x, y, x2, y2, w, width (|w|), text (the hover line).
    info: {"cut_units": bool, "cut_edges": bool, "top_k": int} for the caption.
    ``show_inputs=False`` leaves the input column out (MNIST's 784 pixels): the first Dense layer's
    units then stand alone in the first column."""
    dense = model.dense_layers
    if not dense:
        raise ValueError("model has no Dense layer to draw")
    widths = [dense[0].in_features] + [d.out_features for d in dense]
    shown = [min(w, max_units) for w in widths]
    first = 0 if show_inputs else 1
    cols = list(range(first, len(widths)))
    nodes = []
    for c in cols:
        for u in range(shown[c]):
            nodes.append({"column": c, "unit": u, "x": float(c - first), "y": (shown[c] - 1) / 2 - u,
                          "node": f"{c}:{u}", "label": _unit_label(c, u, len(widths), input_names),
                          "bias": float(dense[c - 1].b[u]) if c > 0 and dense[c - 1].b is not None else np.nan})
    nodes_df = pd.DataFrame(nodes)
    pos = {n["node"]: (n["x"], n["y"]) for n in nodes}
    edges, cut_edges = [], False
    for c in cols[1:]:
        W = np.asarray(dense[c - 1].W, dtype=np.float64)[:shown[c - 1], :shown[c]]
        for j in range(W.shape[1]):
            keep = np.arange(W.shape[0])
            if W.shape[0] > top_k:
                keep = np.sort(np.argsort(-np.abs(W[:, j]), kind="stable")[:top_k])
                cut_edges = True
            for i in keep:
                s, t = f"{c - 1}:{i}", f"{c}:{j}"
                w = float(W[i, j])
                edges.append({"source": s, "target": t, "x": pos[s][0], "y": pos[s][1], "x2": pos[t][0],
                              "y2": pos[t][1], "w": w, "width": abs(w),
                              "text": _("w from {src} to {dst} = {w}",
                                        src=_unit_label(c - 1, int(i), len(widths), input_names),
                                        dst=_unit_label(c, j, len(widths), input_names), w=f"{w:.3f}")})
    info = {"cut_units": any(s < w for s, w in zip(shown, widths, strict=True)), "cut_edges": cut_edges,
            "top_k": top_k, "max_units": max_units}
    return nodes_df, pd.DataFrame(edges), info


def graph_note(info: dict) -> str:
    """The caption that says what the picture leaves out."""
    parts = []
    if info.get("cut_units"):
        parts.append(_("Layers wider than {n} units show their first {n}.", n=info["max_units"]))
    if info.get("cut_edges"):
        parts.append(_("Each unit shows its {k} strongest incoming weights.", k=info["top_k"]))
    return " ".join(parts)


def graph_chart(nodes: pd.DataFrame, edges: pd.DataFrame, *, images: dict[str, str] | None = None,
                selected: str | None = None, values: dict[str, float] | None = None, height: int = 420,
                title: str | None = None) -> alt.Chart:
    """The graph: edges as rules (colour = sign of w, width = |w|), nodes as squares coloured by their
    bias, or as pictures (``images``: node id → data URI). ``selected`` (a node id) keeps its incoming and
    outgoing edges opaque and fades the rest. ``values`` (node id → a unit's output for one chosen sample)
    colours the units by that output (orange negative, white 0, blue positive) instead of their bias.
    Clicking a node selects it (selection parameter "unit", field "node":
    ``st.altair_chart(on_select="rerun")`` returns it)."""
    title = title if title is not None else _("The network: weights and units")
    wmax = float(edges["width"].max()) if len(edges) else 1.0
    color_scale = alt.Scale(domain=[-wmax, 0, wmax], range=[NEGATIVE, ZERO, POSITIVE], clamp=True,
                            interpolate="rgb")  # straight from orange to blue through grey, no pink detour
    e = edges.copy()
    if len(e):
        e["on"] = True if selected is None else (e["source"] == selected) | (e["target"] == selected)
    n_rows = int(nodes.groupby("column").size().max())
    x_scale = alt.Scale(domain=[float(nodes["x"].min()) - 0.35, float(nodes["x"].max()) + 0.35], nice=False)
    y_scale = alt.Scale(domain=[-(n_rows - 1) / 2 - 0.6, (n_rows - 1) / 2 + 0.6], nice=False)
    layers = []
    if len(e):
        layers.append(alt.Chart(e).mark_rule().encode(
            x=alt.X("x:Q", axis=None, scale=x_scale), y=alt.Y("y:Q", axis=None, scale=y_scale),
            x2="x2:Q", y2="y2:Q",
            color=alt.Color("w:Q", scale=color_scale, title=_("weight"),
                            legend=alt.Legend(orient="bottom", type="gradient", gradientLength=160)),
            strokeWidth=alt.StrokeWidth("width:Q", scale=alt.Scale(domain=[0, wmax], range=[0.3, 6]), legend=None),
            opacity=alt.condition("datum.on", alt.value(0.9), alt.value(0.08)),
            tooltip=[alt.Tooltip("text:N", title=_("weight"))]))
    unit = alt.selection_point(name="unit", fields=["node"], on="click", empty=False)
    n = nodes.assign(bias_text=nodes["bias"].map(lambda b: "" if np.isnan(b) else f"{b:.3f}"),
                     picked=nodes["node"] == selected)
    if values is not None:
        n = n.assign(value=n["node"].map(values).astype(float))
        n["value_text"] = n["value"].map(lambda v: "" if np.isnan(v) else f"{v:.3f}")
    size = max(60, min(900, int(16000 / max(n_rows, 1) ** 1.6)))
    tips = [alt.Tooltip("label:N", title=_("unit")), alt.Tooltip("bias_text:N", title=_("bias"))]
    if values is not None:
        vmax = max(float(np.nanmax(np.abs(n["value"]))) if n["value"].notna().any() else 1.0, 1e-12)
        fill = alt.condition("isValid(datum.value) && isFinite(datum.value)",
                             alt.Color("value:Q", scale=alt.Scale(domain=[-vmax, 0, vmax], range=[NEGATIVE, "#ffffff",
                                                                                      POSITIVE], clamp=True),
                                       legend=None), alt.value("#ffffff"))
        tips.append(alt.Tooltip("value_text:N", title=_("output for this sample")))
    else:
        fill = alt.condition("isValid(datum.bias) && isFinite(datum.bias)",
                             alt.Color("bias:Q", scale=color_scale, legend=None), alt.value("#ffffff"))
    squares = alt.Chart(n).mark_square(size=size, stroke="#555", strokeWidth=1).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), color=fill,
        strokeWidth=alt.condition("datum.picked", alt.value(3.5), alt.value(1)), tooltip=tips,
    ).add_params(unit)
    layers.append(squares)
    if images:
        pics = n[n["node"].isin(images)].assign(url=lambda d: d["node"].map(images))
        side = max(12, int(np.sqrt(size)) - 2)
        layers.append(alt.Chart(pics).mark_image(width=side, height=side).encode(
            x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), url="url:N",
            tooltip=[alt.Tooltip("label:N", title=_("unit")), alt.Tooltip("bias_text:N", title=_("bias"))]))
    labels = n[(n["column"] == n["column"].min())]
    layers.append(alt.Chart(labels).mark_text(align="right", dx=-int(np.sqrt(size) / 2) - 6, fontSize=13).encode(
        x=alt.X("x:Q", scale=x_scale), y=alt.Y("y:Q", scale=y_scale), text="label:N"))
    return alt.layer(*layers).properties(title=title, width="container", height=height)


def unit_maps(model: nnlib.Sequential, x_range, y_range, *, resolution: int = 16, max_units: int = 16,
              transform=None) -> dict[str, str]:
    """Node id → picture of what that unit outputs over the 2-D input plane (hidden and output units)."""
    points, _, _ = nnlib.data.grid(x_range, y_range, resolution)
    h = np.asarray(points, dtype=model.dtype)
    if transform is not None:
        h = transform(h)
    out, column = {}, 0
    for layer in model.layers:
        h = layer.forward(h, train=False)
        if isinstance(layer, nnlib.Dense):
            continue
        column += 1
        for u in range(min(h.shape[1], max_units)):
            grid = h[:, u].reshape(resolution, resolution)[::-1]  # row 0 at the top of the picture
            centred = grid - (0.5 if isinstance(layer, nnlib.Sigmoid | nnlib.Softmax) else 0.0)
            out[f"{column}:{u}"] = png_data_uri(centred, size=32)
    return out


def unit_outputs(model: nnlib.Sequential, sample: np.ndarray, *, transform=None) -> dict[str, float]:
    """Node id → each unit's output (after its activation) for one input row ``sample``; inputs too."""
    h = np.asarray(sample, dtype=model.dtype).reshape(1, -1)
    if transform is not None:
        h = transform(h)
    out = {f"0:{i}": float(v) for i, v in enumerate(h[0])}
    column = 0
    for layer in model.layers:
        h = layer.forward(h, train=False)
        if isinstance(layer, nnlib.Dense):
            continue
        column += 1
        out.update({f"{column}:{u}": float(v) for u, v in enumerate(h[0])})
    return out


def weight_tiles(model: nnlib.Sequential, max_units: int = 16, side: int = 28) -> dict[str, str]:
    """Node id → the first Dense layer's incoming weights of each unit as a side×side tile (MNIST)."""
    W = model.dense_layers[0].W
    if W.shape[0] != side * side:
        raise ValueError(f"the first layer has {W.shape[0]} inputs, not {side}×{side}")
    return {f"1:{u}": png_data_uri(W[:, u].reshape(side, side), size=side) for u in range(min(W.shape[1], max_units))}


def unit_numbers(model: nnlib.Sequential, node: str, input_names: list[str] | None = None) -> pd.DataFrame:
    """The selected unit's incoming weights and its bias as a table (what the single-neuron lesson
    writes as W and b)."""
    column, unit = (int(v) for v in node.split(":"))
    if column < 1:
        raise ValueError(f"inputs have no weights; pick a unit of layer 1 or later, got {node!r}")
    d = model.dense_layers[column - 1]
    n_cols = len(model.dense_layers) + 1
    rows = [{_("from"): _unit_label(column - 1, i, n_cols, input_names), "w": float(d.W[i, unit])}
            for i in range(d.in_features)]
    if d.b is not None:  # a layer built without biases (post 000's) has no row for one
        rows.append({_("from"): _("bias b"), "w": float(d.b[unit])})
    return pd.DataFrame(rows)


# -- what a hidden layer sees -------------------------------------------------------------------

def hidden_space_frames(model: nnlib.Sequential, layer: int, x: np.ndarray, y: np.ndarray, x_range, y_range, *,
                        units: tuple[int, int] | None = None, lines: int = 13, samples: int = 40,
                        transform=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    """(points, grid, decision, how) in hidden layer ``layer``'s coordinates.

    The coordinates are two chosen ``units`` of the layer, or (default, or for a layer wider than 2) its
    first two principal components over the data points. ``grid`` holds ``lines`` horizontal and vertical
    lines of the input box, each sampled at ``samples`` points and mapped through the layer: bent as the
    layer bends the plane. ``decision`` holds the output unit's zero level when it is a straight line in
    this plane (the last hidden layer of a one-output net, in PCA or in a 2-unit layer), else is empty.
    ``how`` names the axes ("PCA", "units")."""
    h = landscape.layer_output(model, x, layer, transform=transform)
    width = h.shape[1]
    if units is not None:
        if not all(0 <= u < width for u in units) or units[0] == units[1]:
            raise ValueError(f"units must be two different units in 0…{width - 1}, got {units}")
        axes = np.zeros((width, 2))
        axes[units[0], 0] = axes[units[1], 1] = 1.0
        mean, how = np.zeros(width), "units"
    else:
        mean, axes = landscape.pca_basis(h)
        if width <= 2:  # the layer's own plane: its units are the axes, exactly
            axes, mean, how = np.eye(width, 2), np.zeros(width), "units"
        else:
            how = "PCA"
    uv = (h - mean) @ axes
    labels = np.asarray(y)
    labels = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 else labels.reshape(-1)
    points = pd.DataFrame({"u": uv[:, 0], "v": uv[:, 1], "label": labels.astype(int)})
    t = np.linspace(0, 1, samples)
    xs, ys = np.linspace(*x_range, lines), np.linspace(*y_range, lines)
    segments = []
    for k, x0 in enumerate(xs):
        segments.append((f"v{k}", np.column_stack([np.full(samples, x0), y_range[0] + t * (y_range[1] - y_range[0])])))
    for k, y0 in enumerate(ys):
        segments.append((f"h{k}", np.column_stack([x_range[0] + t * (x_range[1] - x_range[0]), np.full(samples, y0)])))
    stacked = np.concatenate([s for _, s in segments])
    g = (landscape.layer_output(model, stacked, layer, transform=transform) - mean) @ axes
    grid = pd.DataFrame({"u": g[:, 0], "v": g[:, 1], "line": np.repeat([n for n, _ in segments], samples),
                         "order": np.tile(np.arange(samples), len(segments))})
    decision = pd.DataFrame({"u": [], "v": []})
    exact = how == "units" and (units is None or width == 2) or how == "PCA"
    try:
        a, c, d = landscape.decision_line(model, layer, mean, axes)
    except ValueError:
        a = c = d = None
    if exact and a is not None and (abs(a) > 1e-12 or abs(c) > 1e-12):
        lo_u, hi_u = float(min(uv[:, 0].min(), g[:, 0].min())), float(max(uv[:, 0].max(), g[:, 0].max()))
        lo_v, hi_v = float(min(uv[:, 1].min(), g[:, 1].min())), float(max(uv[:, 1].max(), g[:, 1].max()))
        if abs(c) >= abs(a):
            us = np.linspace(lo_u, hi_u, 50)
            vs = -(a * us + d) / c
        else:
            vs = np.linspace(lo_v, hi_v, 50)
            us = -(c * vs + d) / a
        inside = (vs >= lo_v) & (vs <= hi_v) & (us >= lo_u) & (us <= hi_u)
        decision = pd.DataFrame({"u": us[inside], "v": vs[inside]})
    return points, grid, decision, how


def hidden_space_chart(points: pd.DataFrame, grid: pd.DataFrame, decision: pd.DataFrame, how: str, *,
                       layer_name: str, height: int = 420) -> alt.Chart:
    """The bent grid (grey lines), the data points by class and the output's straight decision line."""
    if how == "PCA":
        u_title, v_title = _("1st principal component"), _("2nd principal component")
    else:
        u_title, v_title = _("unit a"), _("unit b")
    classes = sorted(points["label"].unique().tolist())
    base_grid = alt.Chart(grid).mark_line(color="#9aa0a6", strokeWidth=0.8, opacity=0.7).encode(
        x=alt.X("u:Q", title=u_title, scale=alt.Scale(zero=False)),
        y=alt.Y("v:Q", title=v_title, scale=alt.Scale(zero=False)), detail="line:N", order="order:Q")
    dots = alt.Chart(points).mark_circle(size=40, opacity=0.85).encode(
        x="u:Q", y="v:Q",
        color=alt.Color("label:N", title=_("class"), scale=alt.Scale(domain=classes, range=CLASS_COLORS),
                        legend=alt.Legend(orient="bottom")))
    layers = [base_grid, dots]
    if len(decision):
        layers.append(alt.Chart(decision).mark_line(color="#202124", strokeWidth=3, strokeDash=[8, 4]).encode(
            x="u:Q", y="v:Q"))
    return alt.layer(*layers).properties(title=_("What {layer} sees", layer=layer_name), width="container",
                                         height=height)


# -- loss landscape -------------------------------------------------------------------------------

def landscape_chart(alphas: np.ndarray, betas: np.ndarray, surface: np.ndarray, path: np.ndarray | None = None,
                    *, height: int = 420, log: bool = True) -> alt.Chart:
    """The loss around the current weights (α along δ, β along η) as a heat map with the training path
    (its last point, the current weights, at the origin)."""
    a, b = np.meshgrid(alphas, betas)
    da = float(alphas[1] - alphas[0]) if len(alphas) > 1 else 1.0
    db = float(betas[1] - betas[0]) if len(betas) > 1 else 1.0
    df = pd.DataFrame({"a0": a.ravel() - da / 2, "a1": a.ravel() + da / 2, "b0": b.ravel() - db / 2,
                       "b1": b.ravel() + db / 2, "loss": surface.ravel()})
    df = df[np.isfinite(df["loss"])]
    use_log = log and bool((df["loss"] > 0).all())
    df = df.assign(level=np.log10(df["loss"]) if use_log else df["loss"])
    # a quantized colour scale: bands of equal loss, read like a filled contour map
    heat = alt.Chart(df).mark_rect().encode(
        x=alt.X("a0:Q", title="α (δ)", scale=alt.Scale(nice=False, zero=False)), x2="a1:Q",
        y=alt.Y("b0:Q", title="β (η)", scale=alt.Scale(nice=False, zero=False)), y2="b1:Q",
        color=alt.Color("level:Q", title=_("log₁₀ loss") if use_log else _("loss"),
                        scale=alt.Scale(type="quantize", scheme="viridis", nice=True),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("loss:Q", title=_("loss"), format=".4f")])
    layers = [heat]
    if path is not None and len(path):
        inside = (path[:, 0] >= alphas.min()) & (path[:, 0] <= alphas.max()) & \
                 (path[:, 1] >= betas.min()) & (path[:, 1] <= betas.max())
        p = pd.DataFrame({"a": path[:, 0], "b": path[:, 1], "step": np.arange(len(path))})[inside]
        layers.append(alt.Chart(p).mark_line(color="white", strokeWidth=2, point=True).encode(
            x="a:Q", y="b:Q", order="step:Q", tooltip=[alt.Tooltip("step:Q", title=_("snapshot"))]))
    layers.append(alt.Chart(pd.DataFrame({"a": [0.0], "b": [0.0]})).mark_point(
        shape="cross", size=200, color="red", strokeWidth=3).encode(x="a:Q", y="b:Q"))
    return alt.layer(*layers).properties(title=_("Loss around the current weights"), width="container",
                                         height=height)
