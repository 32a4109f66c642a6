"""Home: what the course is and how to use it."""

import streamlit as st

from ui import common, params
from ui.i18n import _

common.page_start()
st.title(_("Neural networks from scratch, one lesson at a time"))
st.markdown(_(
    """Five short lessons build a neural network from the ground up with **nnlib**, a small
NumPy-only library whose every formula you can open and read. Each lesson starts from a
blog post's experiment and reproduces its numbers, then lets you move the sliders."""))
st.markdown(_(
    """| Lesson | What you see |
|---|---|
| **1 · Activations** | sigmoid, tanh, ReLU, leaky ReLU and softmax, with their slopes |
| **2 · Single neuron** | one sigmoid neuron learning a 4-row table, one matrix at a time |
| **3 · Logistic regression 1-D** | a sigmoid curve sliding onto the decision boundary, update by update |
| **4 · Multi-layer perceptron** | breast-cancer diagnosis, a deep sigmoid net's vanishing gradients, 2-D playgrounds |
| **5 · MNIST digits** | a 3-layer net reading handwritten digits — draw your own |"""))
st.markdown(_(
    """**How to use it.** Pick a lesson in the sidebar. Pages that train have **Play / Pause /
Step / Reset** buttons; the curves grow while training runs. Changing the learning
rate or the number of epochs keeps the trained weights; changing the network or the data
starts a fresh model. **Pin run** keeps a curve so the next run is drawn over it."""))
st.markdown(_(
    """**For lecturers.** *Lecture mode* (sidebar) enlarges everything and folds the text away.
Every control is in the address bar: copy the URL to share the exact experiment on a slide."""))
params.PageParams("home").sync_url()
