"""nnlib lessons — the app's entry point: `streamlit run streamlit_app.py`.

Lists the lesson pages in course order (only those that exist) and runs the chosen page
inside a guard that turns errors into plain messages. Each page draws the shared sidebar
itself (``ui.common.page_start``)."""

from pathlib import Path

import streamlit as st
from threadpoolctl import threadpool_limits

from ui import common
from ui.i18n import N_, _

# The lessons' matrices are small: a second BLAS thread only fights Streamlit (and other
# visitors) for the 1-2 cores, and made full-batch training up to 10x slower on a busy box.
threadpool_limits(1)

ROOT = Path(__file__).parent
LESSONS = [  # (file, title, icon) in course order
    ("pages/home.py", N_("Start here"), ":material/home:"),
    ("pages/activations.py", N_("1 · Activations"), ":material/show_chart:"),
    ("pages/single_neuron.py", N_("2 · Single neuron"), ":material/radio_button_checked:"),
    ("pages/logistic_1d.py", N_("3 · Logistic regression 1-D"), ":material/timeline:"),
    ("pages/mlp.py", N_("4 · Multi-layer perceptron"), ":material/hub:"),
    ("pages/mnist.py", N_("5 · MNIST digits"), ":material/draw:"),
    ("pages/exercises.py", N_("6 · Your turn: exercises"), ":material/edit_note:"),
]

common.resolve_language()  # the titles below are in the session's language
st.set_page_config(page_title=_("nnlib lessons"), page_icon=":material/neurology:", layout="wide")

pages = [st.Page(f, title=_(t), icon=i, default=(f == "pages/home.py")) for f, t, i in LESSONS if (ROOT / f).exists()]
nav = st.navigation(pages)

common.guarded(nav.run)
