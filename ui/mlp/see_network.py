"""MLP lesson, 2-D playground: "see the network" — the graph with each unit's picture of the plane, what a
hidden layer does to the plane, and the loss landscape. Called from the playground's live ``draw``."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import network, network_section
from ..i18n import N_, _
from ..run import TrainingRun

# What to look for in "what a hidden layer sees", per preset (shown under the picture).
HIDDEN_SPACE_NOTES = {
    "pg_moons": N_("After training, the last hidden layer has pulled the two moons apart: the output unit only "
                   "draws a straight line here."),
    "pg_xor": N_("Two tanh units fold the plane so that the two diagonal pairs land on opposite sides of one "
                 "straight line."),
    "pg_spirals": N_("Watch the layers unroll the spirals one after the other: in the last hidden layer the arms "
                     "come apart and a straight line separates them."),
    "pg_overfit": N_("The last layer bends the grid hard around single training points: that is the overfitting, "
                     "seen from inside."),
    "pg_l2": N_("With L2 the last layer bends the grid gently: the weights stay small, so the plane is not folded "
                "around single points."),
    "pg_dropout": N_("Dropout makes every unit useful on its own: the rings come apart smoothly in the last layer."),
    "pg_spirals3": N_("Three classes: the last layer spreads the three arms apart, one softmax unit per class "
                      "(no single straight line here: each pair of classes has its own)."),
    "pg_schedule": N_("Warm-up, then cosine: the layer unfolds the moons steadily, without the early jumps of a "
                      "large constant rate."),
}
VIEWS = {"graph": N_("Network diagram"), "hidden": N_("What a hidden layer sees"), "landscape": N_("Loss landscape")}


def feature_labels(n_inputs: int, names: list[str] | None = None) -> list[str]:
    """The input nodes' names: the feature map's names when there is one, else x₁, x₂."""
    if names and len(names) == n_inputs:
        return list(names)
    return ["x₁", "x₂"][:n_inputs] if n_inputs <= 2 else [f"x{i + 1}" for i in range(n_inputs)]


def views(run: TrainingRun, x: np.ndarray, y: np.ndarray, x_range, y_range, *, preset: str | None = None,
          transform=None, input_names: list[str] | None = None, classification: bool = True) -> None:
    """The three views, one at a time (a radio: drawing all three every tick would slow training).
    "What a hidden layer sees" colours points by class: classification only."""
    network_section.remember_weights(run)
    offered = [k for k in VIEWS if classification or k != "hidden"]
    choice = st.radio(_("See the network"), offered, horizontal=True, key="mlp_g_view",
                      format_func={k: _(v) for k, v in VIEWS.items()}.get)
    if choice == "graph":
        images = network.unit_maps(run.model, x_range, y_range, transform=transform)
        network_section.graph(run, key="mlp_g_net", input_names=feature_labels(run.model.in_features, input_names),
                              images=images)
        st.caption(_("Each unit's picture is its output over the input plane: blue high, orange low."))
    elif choice == "hidden":
        note = HIDDEN_SPACE_NOTES.get(preset or "")
        network_section.hidden_space(run, x, y, x_range, y_range, key="mlp_g_hidden", transform=transform,
                                     comment=_(note) if note else None)
    else:
        network_section.loss_landscape(run, x, y, key="mlp_g_land", transform=transform)
