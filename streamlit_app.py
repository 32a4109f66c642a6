"""nnlib lessons — the app's entry point: `streamlit run streamlit_app.py`.

Lists the lesson pages in course order (only those that exist), draws the shared sidebar
(seed, lecture mode) and runs the chosen page inside a guard that turns errors into
plain messages."""

from pathlib import Path

import streamlit as st

from ui import common, params

ROOT = Path(__file__).parent
LESSONS = [  # (file, title, icon) in course order
    ("pages/home.py", "Start here", "🏠"),
    ("pages/activations.py", "1 · Activations", "📈"),
    ("pages/single_neuron.py", "2 · Single neuron", "🔵"),
    ("pages/logistic_1d.py", "3 · Logistic regression 1-D", "〰️"),
    ("pages/mlp.py", "4 · Multi-layer perceptron", "🕸️"),
    ("pages/mnist.py", "5 · MNIST digits", "✍️"),
]

st.set_page_config(page_title="nnlib lessons", page_icon="🧠", layout="wide")

pages = [st.Page(f, title=t, icon=i, default=(f == "pages/home.py")) for f, t, i in LESSONS if (ROOT / f).exists()]
nav = st.navigation(pages)

app = params.app_params()
with st.sidebar:
    app.number("Random seed", "seed", 0, 2**31 - 1, 0,
               help="Every random thing (data, initial weights, shuffling) follows this seed: "
                    "same seed, same curve.", where=st.sidebar)
    app.toggle("Lecture mode", "lecture", False, where=st.sidebar,
               help="Bigger type and charts, explanations folded away, fewer knobs: for a projector.")
    for notice in app.notices:
        st.caption(f"⚠️ {notice}")
    st.caption("Built on **nnlib**, a small pure-NumPy neural-network library. "
               "Every number on these pages is computed by it.")
common.apply_lecture_style()
common.guarded(nav.run)
