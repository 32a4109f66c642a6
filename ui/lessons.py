"""The course: its lessons in order (file, title, icon, what you see), the home page's lesson cards
and each lesson's "next lesson →" link. The entry point builds its navigation from ``LESSONS``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from .i18n import N_, _

LESSONS = [  # (file, title, icon, one line on what the lesson shows) in course order
    ("pages/home.py", N_("Start here"), ":material/home:", ""),
    ("pages/activations.py", N_("1 · Activations"), ":material/show_chart:",
     N_("sigmoid, tanh, ReLU, leaky ReLU and softmax, with their slopes")),
    ("pages/single_neuron.py", N_("2 · Single neuron"), ":material/radio_button_checked:",
     N_("one sigmoid neuron learning a 4-row table, one matrix at a time")),
    ("pages/logistic_1d.py", N_("3 · Logistic regression 1-D"), ":material/timeline:",
     N_("a sigmoid curve sliding onto the decision boundary, update by update")),
    ("pages/mlp.py", N_("4 · Multi-layer perceptron"), ":material/hub:",
     N_("breast-cancer diagnosis, a deep sigmoid net's vanishing gradients, 2-D playgrounds")),
    ("pages/mnist.py", N_("5 · MNIST digits"), ":material/draw:",
     N_("a 3-layer net reading handwritten digits — draw your own")),
    ("pages/exercises.py", N_("6 · Your turn: exercises"), ":material/edit_note:",
     N_("write the backward pass yourself and have it graded at once")),
]
ROOT = Path(__file__).resolve().parent.parent


PAGE_KEYS = {"neuron": "pages/single_neuron.py", "logistic": "pages/logistic_1d.py", "mlp": "pages/mlp.py",
             "mnist": "pages/mnist.py"}  # the keys pages save their models under -> their files


def title_of(page_key) -> str:
    """A page's title in the session's language from the key a saved model names it by; anything
    else (a crafted file) as plain text, cut short."""
    from .safe_text import plain

    file = PAGE_KEYS.get(page_key) if isinstance(page_key, str) else None
    titles = {f: t for f, t, _icon, _blurb in LESSONS}
    return _(titles[file]) if file in titles else plain(page_key, 30)


def available() -> list[tuple[str, str, str, str]]:
    """The lessons whose page file exists (a checkout may hold only some)."""
    return [lesson for lesson in LESSONS if (ROOT / lesson[0]).exists()]


def cards(per_row: int = 3) -> None:
    """One bordered card per lesson: a link to it and what it shows."""
    lessons = [lesson for lesson in available() if lesson[3]]
    for i in range(0, len(lessons), per_row):
        for col, (file, title, icon, blurb) in zip(st.columns(per_row), lessons[i:i + per_row], strict=False):
            card = col.container(border=True, height="stretch")
            card.page_link(file, label=_(title), icon=icon)
            card.caption(_(blurb))


def next_link(current: str) -> None:
    """"Next lesson →" at the end of a lesson (back to the start after the last one)."""
    files = [lesson[0] for lesson in available()]
    name = f"pages/{Path(current).name}"
    if name not in files:
        return
    i = files.index(name)
    st.divider()
    if i + 1 < len(files):
        file, title, icon, _blurb = available()[i + 1]
        st.page_link(file, label=_("Next lesson → {title}", title=_(title)), icon=icon)
    else:
        file, title, icon, _blurb = available()[0]
        st.page_link(file, label=_("That was the last lesson. Back to the start"), icon=icon)
