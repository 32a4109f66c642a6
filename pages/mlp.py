"""Lesson 4 — the multi-layer perceptron: post 000's breast-cancer network, post 004's deep
sigmoid net (vanishing gradients) and a 2-D playground with decision boundaries.

The sections live in the package ``ui/mlp/``: ``cancer.py``, ``deep.py`` and ``playground.py`` (what
they share in ``shared.py``), their pictures in ``views.py``."""

import streamlit as st

from ui import common, lessons, presets
from ui.i18n import _
from ui.mlp import cancer, deep, playground, shared
from ui.params import PageParams

p = PageParams(shared.PAGE)

common.page_start()
st.title(_("4 · Multi-layer perceptron"))
section = p.select(_("Experiment"), "section", list(shared.SECTIONS), "cancer", horizontal=True,
                   format_func=shared.shown(shared.SECTIONS), label_visibility="collapsed")  # the title says what
{"cancer": cancer.cancer, "deep": deep.deep, "playground": playground.playground}[section](p)
common.explain(_(
    "Stack layers of neurons — *Dense* (a weighted sum) then an activation — and you get a **multi-layer "
    "perceptron**. Training is the same loop as for one neuron: forward pass, loss, back-propagation of the "
    "gradient through every layer, an optimizer step. Three experiments: the network of post 000 on real "
    "medical data, the deep sigmoid network of post 004 whose early layers stop learning, and a 2-D playground "
    "where you watch the decision boundary form."),
    title=_("What this page shows"),
)
lessons.next_link(__file__)
p.sync_url(extra=presets.query(shared.PAGE))
