"""Small page helpers shared by every lesson: lecture mode styling, explanatory text,
"show the code", and the guard that turns any error into a plain message."""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable

import streamlit as st

from .params import lecture_mode

LECTURE_CSS = """
<style>
  .stApp, .stMarkdown p, .stMarkdown li { font-size: 1.3rem; }
  h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; }
  [data-testid="stMetricValue"] { font-size: 2.6rem; }
  [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
  .vega-embed text { font-size: 15px; }
</style>
"""


def apply_lecture_style() -> None:
    if lecture_mode():
        st.html(LECTURE_CSS)


def explain(markdown: str, title: str = "Explanation") -> None:
    """Explanatory text: shown in full normally, folded into an expander in lecture mode
    so the projector shows the picture, not paragraphs."""
    if lecture_mode():
        with st.expander(title, expanded=False):
            st.markdown(markdown)
    else:
        st.markdown(markdown)


def show_code(objects: list, key: str, label: str = "Show the code") -> None:
    """A toggle that prints the source of the nnlib functions/classes that just ran."""
    if st.toggle(label, key=key, help="The nnlib source that computed what you see"):
        for obj in objects:
            name = getattr(obj, "__qualname__", repr(obj))
            module = getattr(obj, "__module__", "")
            st.caption(f"`{module}.{name}`")
            st.code(inspect.getsource(obj), language="python")


def guarded(body: Callable[[], None]) -> None:
    """Run a page body; a bug or bad input shows a plain message, never a traceback."""
    try:
        body()
    except ValueError as err:  # nnlib's argument errors are written for the reader
        st.error(f"That setting can't be used: {err}")
    except Exception as err:  # noqa: BLE001 - the page must survive anything
        traceback.print_exc()  # to the server log, for a bug report; never onto the page
        st.error(f"Something went wrong on this page ({type(err).__name__}: {err}). "
                 "Press Reset or reload the page; your other pages are unaffected.")


def latex_matrix(a, digits: int = 8) -> str:
    """A 1-D or 2-D array as a LaTeX bmatrix (1-D arrays become a column)."""
    import numpy as np

    a = np.atleast_1d(np.asarray(a, dtype=float))
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    rows = [" & ".join(f"{v:.{digits}f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}" for v in row)
            for row in a]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
