"""Small page helpers shared by every lesson: lecture mode styling, explanatory text,
"show the code", and the guard that turns any error into a plain message."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import math
import sys
import threading
import traceback
from collections.abc import Callable

import altair as alt
import streamlit as st

from . import charts
from .params import app_params, lecture_mode, notice_slot, show_notices

# Altair validates a chart against the Vega-Lite JSON schema when it is built (its "debug mode")
# and again when Streamlit turns it into a spec: most of the server's time per redraw of a live
# page. The charts here are fixed code, validated whenever a page is drawn at rest (and by the
# tests); while training plays (``quick_charts``) the repeated redraws skip the second check.
alt.utils.schemapi.disable_debug_mode()
_quick = contextvars.ContextVar("nnlib_quick_charts", default=False)


@contextlib.contextmanager
def quick_charts():
    """Within this block ``show_chart`` skips the schema validation of each redraw."""
    token = _quick.set(True)
    try:
        yield
    finally:
        _quick.reset(token)


LOCK_WAIT_S = 30.0  # a training tick is far shorter; never wait forever on a stuck thread

# Always: metric values shrink with the window instead of being cut to "1 / …" on a small laptop.
BASE_CSS = """
<style>
  [data-testid="stMain"] [data-testid="stMetricValue"] { font-size: clamp(1.35rem, 2.3vw, 2.25rem); }
</style>
"""

LECTURE_CSS = """
<style>
  [data-testid="stMain"] .stMarkdown p, [data-testid="stMain"] .stMarkdown li { font-size: 1.3rem; }
  [data-testid="stMain"] h1 { font-size: 3rem !important; }
  [data-testid="stMain"] h2 { font-size: 2.3rem !important; }
  [data-testid="stMain"] .stButton button p { font-size: clamp(0.95rem, 1.2vw, 1.15rem); white-space: normal;
                                              overflow-wrap: normal; word-break: normal; }
  [data-testid="stMetricValue"] { font-size: clamp(1.5rem, 2.3vw, 2.8rem); }
  [data-testid="stMetricLabel"] p { font-size: clamp(1rem, 1.2vw, 1.25rem); }
  [data-testid="stSidebar"] [data-testid="stCaptionContainer"] { display: none; }
  [data-testid="stMain"] .katex { font-size: 1.45em; }
</style>
"""


def page_start() -> None:
    """The top of every page: the shared sidebar (seed, lecture mode) and lecture styling.

    Pages call it themselves rather than the entry point drawing it, so a page behaves the
    same under ``streamlit run`` and under ``AppTest`` (which re-runs only the page)."""
    _leave_pages_folder_mode()
    here = sys._getframe(1).f_globals.get("__file__", "")  # the page script that called us
    st.session_state["_arrived"] = st.session_state.get("_page_file") != here
    st.session_state["_page_file"] = here
    notice_slot()  # link notices go to the top of the page, where they are seen
    app = app_params()
    with st.sidebar:
        app.number("Random seed", "seed", 0, 2**31 - 1, 0,
                   help="Every random thing (data, initial weights, shuffling) follows this seed: "
                        "same seed, same curve.")
        app.toggle("Lecture mode", "lecture", False,
                   help="Bigger type and charts, explanations folded away, fewer knobs: for a projector.")
        st.caption("Built on **nnlib**, a small pure-NumPy neural-network library. "
                   "Every number on these pages is computed by it.")
        st.divider()
    show_notices(app.notices)
    st.html(LECTURE_CSS if lecture_mode() else BASE_CSS)


def arrived() -> bool:
    """True on the first run of a page after the user came from another page."""
    return bool(st.session_state.get("_arrived", False))


def show_chart(where, chart, **kwargs) -> None:
    """``where.altair_chart(chart, **kwargs)``, with projector-sized type in lecture mode."""
    chart = charts.lecture_style(chart) if lecture_mode() else chart
    if _quick.get():  # Streamlit calls chart.to_dict(): make that one skip the validation
        object.__setattr__(chart, "to_dict", functools.partial(type(chart).to_dict, chart, validate=False))
    where.altair_chart(chart, **kwargs)


def side_by_side(spec: list[float]) -> list:
    """Columns normally; stacked full-width containers in lecture mode, where the projector's big
    type would squash two charts side by side."""
    return [st.container() for _ in spec] if lecture_mode() else st.columns(spec)


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


def session_lock() -> threading.RLock:
    """One lock per browser session, held while a page or a live fragment runs.

    Streamlit's fast reruns start a new script thread when a widget changes while the old
    one is still running (it stops only at its next ``st`` call): without the lock, a Pause
    or a slider move during a training tick ran two threads on one training run ("generator
    already executing", a history appended while charted). ``.streamlit/config.toml`` also
    turns fast reruns off; the lock keeps it safe when the app runs without that file."""
    lock = st.session_state.get("_session_lock")
    if lock is None:
        lock = st.session_state.setdefault("_session_lock", threading.RLock())
    return lock


def guarded(body: Callable[[], None]) -> None:
    """Run a page body under the session lock; a bug or bad input shows a plain message,
    never a traceback."""
    lock = session_lock()
    got = lock.acquire(timeout=LOCK_WAIT_S)  # the other thread stops at its next st call
    try:
        body()
    except ValueError as err:  # nnlib's argument errors are written for the reader
        st.error(f"That setting can't be used: {err}")
    except Exception as err:  # noqa: BLE001 - the page must survive anything
        traceback.print_exc()  # to the server log, for a bug report; never onto the page
        st.error(f"Something went wrong on this page ({type(err).__name__}: {err}). "
                 "Press Reset or reload the page; your other pages are unaffected.")
    finally:
        if got:
            lock.release()


def latex_matrix(a, digits: int = 8) -> str:
    """A 1-D or 2-D array as a LaTeX bmatrix (1-D arrays become a column)."""
    import numpy as np

    a = np.atleast_1d(np.asarray(a, dtype=float))
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    rows = [" & ".join(_number(v, digits) for v in row) for row in a]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _number(v: float, digits: int) -> str:
    if not math.isfinite(v):
        return r"\text{" + str(v) + "}"
    if v == int(v):
        return str(int(v))
    return f"{v:.{digits}f}".rstrip("0").rstrip(".")


def _leave_pages_folder_mode() -> None:
    """A share link opened on a freshly started server runs its page straight from the
    ``pages/`` folder (Streamlit's older multipage mode), skipping the entry point: no
    navigation titles, no wide layout. Switch Streamlit to ``st.navigation`` mode and rerun
    through the entry point, which shows the same page with its URL parameters."""
    try:  # a Streamlit internal: if a release renames it, pages still work (links open plainer)
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    # Once per session: AppTest resets Streamlit to this mode before every run of a test.
    if getattr(PagesManager, "uses_pages_directory", False) and not st.session_state.get("_left_pages_folder_mode"):
        st.session_state["_left_pages_folder_mode"] = True
        PagesManager.uses_pages_directory = False
        st.rerun()
