"""The "see the network" views on a page: the live network graph (click a unit for its numbers), what a
hidden layer does to the plane, and the loss landscape on request. The pictures are built by
``ui.network``; this module only places them and keeps their choices in the session.

Call them from a live panel's ``draw(run)``, so they move at the same pace as the other charts.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import nnlib
from nnlib import landscape

from . import common, network
from .i18n import _
from .params import lecture_mode
from .run import TrainingRun

MAX_SNAPSHOTS = 200  # weights kept per run for the landscape's training path (thinned when full)
LANDSCAPE_GRID = 25  # α and β points: 625 evaluations of the training loss


def remember_weights(run: TrainingRun) -> None:
    """Keep a copy of the weights once per epoch (for the training path on the loss landscape)."""
    snaps = run.extra.setdefault("snapshots", [])
    epochs = run.extra.setdefault("snapshot_epochs", [])
    if epochs and epochs[-1] == run.epochs_done:
        return
    snaps.append({k: v.astype(np.float64) for k, v in run.model.params().items()})
    epochs.append(run.epochs_done)
    if len(snaps) > MAX_SNAPSHOTS:  # keep every other one: the path keeps its shape, memory stays bounded
        del snaps[1:-1:2], epochs[1:-1:2]


def graph(run: TrainingRun, *, key: str, input_names: list[str] | None = None, images: dict | None = None,
          show_inputs: bool = True, max_units: int = 16, top_k: int = 6, values: dict | None = None) -> None:
    """The network as a graph. Click a unit (or pick it below) to light up its edges and list its weights."""
    nodes, edges, info = network.graph_frames(run.model, input_names, max_units=max_units, top_k=top_k,
                                              show_inputs=show_inputs)
    pick_key = f"{key}_unit"
    units = [n for n in nodes["node"] if not n.startswith("0:")]
    labels = dict(zip(nodes["node"], nodes["label"], strict=True))
    if st.session_state.get(pick_key) not in [None, *units]:
        st.session_state[pick_key] = None  # the network changed under the selection
    height = max(300, min(640, 34 * int(nodes.groupby("column").size().max()) + 120))
    if lecture_mode():
        height += 80
    chart = network.graph_chart(nodes, edges, images=images, selected=st.session_state.get(pick_key), height=height,
                                 values=values)
    event = common.show_chart(st, chart, width="stretch", on_select="rerun", selection_mode="unit",
                              key=f"{key}_graph")
    clicked = [p.get("node") for p in (getattr(event, "selection", None) or {}).get("unit", [])] if event else []
    if clicked and clicked[0] in units and clicked[0] != st.session_state.get(f"{key}_clicked"):
        st.session_state[f"{key}_clicked"] = clicked[0]
        st.session_state[pick_key] = clicked[0]
    note = network.graph_note(info)
    st.caption(_("Edges: blue positive, orange negative weights, as thick as |w|; a unit's colour is its bias. "
                 "Hover an edge for its value.") + (" " + note if note else ""))
    shown = {None: _("none"), **labels}  # translated now: format_func may be called outside this run
    picked = st.selectbox(_("Show a unit's weights and bias"), [None, *units], key=pick_key, format_func=shown.get)
    if picked:
        table = network.unit_numbers(run.model, picked, input_names)
        st.dataframe(table, hide_index=True, width="content",
                     column_config={"w": st.column_config.NumberColumn(format="%.4f")})


def hidden_space(run: TrainingRun, x: np.ndarray, y: np.ndarray, x_range, y_range, *, key: str,
                 transform=None, comment: str | None = None) -> None:
    """The data and a grid of the input plane, as a chosen hidden layer sees them."""
    layers = landscape.hidden_layers(run.model)
    if not layers:
        st.caption(_("This network has no hidden layer: the output sees the input plane itself."))
        return
    names = {i: _("hidden layer {k}", k=n + 1) for n, i in enumerate(layers)}
    c1, c2, c3 = st.columns(3)
    layer = c1.selectbox(_("Layer"), layers, index=len(layers) - 1, format_func=names.get, key=f"{key}_layer")
    width = int(landscape.layer_output(run.model, np.asarray(x[:1]), layer, transform=transform).shape[1])
    units = None
    if width > 2:
        how = c2.radio(_("Axes"), ["pca", "units"], horizontal=True, key=f"{key}_axes",
                       format_func={"pca": _("2 principal components"), "units": _("2 units")}.get)
        if how == "units":
            a = c3.number_input(_("Units a, b"), 1, width, 1, key=f"{key}_ua")
            b = c3.number_input(_("unit b"), 1, width, 2, key=f"{key}_ub", label_visibility="collapsed")
            if a == b:
                st.caption(_("Pick two different units."))
            else:
                units = (int(a) - 1, int(b) - 1)
    points, grid, decision, how = network.hidden_space_frames(run.model, layer, x, y, x_range, y_range,
                                                              units=units, transform=transform)
    chart = network.hidden_space_chart(points, grid, decision, how, layer_name=names[layer],
                                       height=480 if lecture_mode() else 400)
    common.show_chart(st, chart, width="stretch")
    if len(decision):
        st.caption(_("The grey lines are a square grid of the input plane, bent by the layer. The dashed line is "
                     "where the output unit switches class: it is straight here, because the output is linear "
                     "in this layer's values."))
    else:
        st.caption(_("The grey lines are a square grid of the input plane, bent by the layer."))
    if comment:
        st.caption(comment)


def loss_landscape(run: TrainingRun, x: np.ndarray, y: np.ndarray, *, key: str, transform=None) -> None:
    """The loss around the current weights along two filter-normalised random directions, on request."""
    result = run.extra.get("landscape")
    if st.button(_("Compute the loss landscape"), key=f"{key}_landscape", disabled=not run.trained,
                 help=_("Evaluates the training loss on a 25×25 grid of weights around the current ones "
                        "(Li et al. 2018). Takes a few seconds; not redrawn while training.")):
        bar = st.progress(0.0, text=_("Computing the loss landscape…"))
        directions = landscape.random_directions(run.model, rng=np.random.default_rng(0))
        span = np.linspace(-1.0, 1.0, LANDSCAPE_GRID)
        surface = landscape.loss_surface(run.model, run.loss, x, y, directions, span, span, transform=transform,
                                         progress=lambda f: bar.progress(f, text=_("Computing the loss landscape…")))
        bar.empty()
        center = {k: v.astype(np.float64) for k, v in run.model.params().items()}
        path = landscape.project_path(run.extra.get("snapshots", []), center, directions)
        result = run.extra["landscape"] = {"span": span, "surface": surface, "path": path, "epoch": run.epochs_done}
    if result is None:
        st.caption(_("Train a little, then compute the landscape: the loss around the current weights, with the "
                     "path training took projected onto it."))
        return
    chart = network.landscape_chart(result["span"], result["span"], result["surface"], result["path"],
                                    height=480 if lecture_mode() else 400)
    common.show_chart(st, chart, width="stretch")
    st.caption(_("Computed at epoch {epoch}. The red cross is the current weights; the white line is the path "
                 "training took, projected onto the plane of two random, filter-normalised directions (random "
                 "directions are nearly orthogonal to the path, so it looks short).", epoch=result["epoch"]))


def sample_graph(run: TrainingRun, x: np.ndarray, *, key: str, input_names: list[str] | None = None,
                 sample_names: list[str] | None = None) -> None:
    """The graph with each unit coloured by its output for one chosen sample (tabular data)."""
    i = st.number_input(_("Sample (row of the data)"), 1, len(x), 1, key=f"{key}_sample")
    row = int(i) - 1
    if sample_names is not None:
        st.caption(_("Row {i}: {name}", i=row + 1, name=sample_names[row]))
    graph(run, key=key, input_names=input_names, values=network.unit_outputs(run.model, x[row]))


def mnist_graph(run: TrainingRun, *, key: str) -> None:
    """MNIST's reduced graph: no 784 input nodes; the first layer's units as their 28×28 weight tiles."""
    if not isinstance(run.model.layers[0], nnlib.Dense) or run.model.in_features != 784:
        return
    graph(run, key=key, images=network.weight_tiles(run.model), show_inputs=False, max_units=16, top_k=6)
