"""Home: what the course is, a card per lesson, and how to use it."""

import streamlit as st

from ui import common, lessons, params
from ui.i18n import _

common.page_start()
st.title(_("Neural networks from scratch, one lesson at a time"))
st.markdown(_(
    "Five short lessons build a neural network from the ground up with **nnlib**, a small "
    "NumPy-only library whose every formula you can open and read. Each lesson starts from a "
    "blog post's experiment and reproduces its numbers, then lets you move the sliders."
))
lessons.cards()
st.markdown(_(
    "**How to use it.** Pick a lesson above or in the sidebar. Pages that train have **Play / Pause / "
    "Step / Reset** buttons; the curves grow while training runs. Changing the learning "
    "rate or the number of epochs keeps the trained weights; changing the network or the data "
    "starts a fresh model. **Pin run** keeps a curve so the next run is drawn over it.\n\n"
    "**For lecturers.** *Lecture mode* (sidebar) enlarges everything, puts the experiment first and folds "
    "the text away. Every control is in the address bar: **Copy share link** (sidebar) gives the exact "
    "experiment for a slide, and in lecture mode its QR code lets the room open it on their phones."
))
params.PageParams("home").sync_url()
