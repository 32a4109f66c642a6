"""Small page helpers shared by every lesson: lecture mode styling, explanatory text,
"show the code", and the guard that turns any error into a plain message."""

from __future__ import annotations

import functools
import inspect
import math
import sys
import threading
import traceback
from collections.abc import Callable

import altair as alt
import streamlit as st

from . import charts, i18n, memo, share
from .i18n import _
from .params import app_params, lecture_mode, notice_slot, show_notices
from .safe_text import plain
from .style import BASE_CSS, KOREAN_CSS, LECTURE_CSS

# Altair validates a chart against the Vega-Lite JSON schema when it is built (its "debug mode")
# and again when Streamlit turns it into a spec: most of the server's time per redraw of a live
# page. The charts here are fixed code, validated by the chart builders' unit tests; ``show_chart``
# skips the second check, and this turns off the first.
alt.utils.schemapi.disable_debug_mode()


LOCK_WAIT_S = 30.0  # a training tick is far shorter; never wait forever on a stuck thread

def page_start() -> None:
    """The top of every page: the shared sidebar (seed, lecture mode) and lecture styling.

    Pages call it themselves rather than the entry point drawing it, so a page behaves the
    same under ``streamlit run`` and under ``AppTest`` (which re-runs only the page)."""
    _leave_pages_folder_mode()
    here = sys._getframe(1).f_globals.get("__file__", "")  # the page script that called us
    st.session_state["_arrived"] = st.session_state.get("_page_file") != here
    st.session_state["_page_file"] = here
    notice_slot()  # link notices go to the top of the page, where they are seen
    resolve_language()
    app = app_params()
    with st.sidebar:
        # lecture mode first: it decides what the rest of the sidebar shows (the projector needs the QR code
        # on screen, so the seed hides there and the language selector drops its label)
        app.toggle(_("Lecture mode"), "lecture", False,
                   help=_("Bigger type and charts, explanations folded away, fewer knobs: for a projector."))
        choose_language(app)
        app.number(_("Random seed"), "seed", 0, 2**31 - 1, 0, advanced=True,  # kept, but hidden in lecture mode
                   help=_("Every random thing (data, initial weights, shuffling) follows this seed: "
                          "same seed, same curve."))
        share.reserve()
        st.caption(_("Built on **nnlib**, a small pure-NumPy neural-network library. "
                     "Every number on these pages is computed by it."))
        st.divider()
    show_notices(app.notices)
    # what depends on the mode and the language; what holds in every mode is in the page itself (ui.server)
    st.html((LECTURE_CSS if lecture_mode() else BASE_CSS) + (KOREAN_CSS if i18n.current_language() == "ko" else ""))


def browser_language() -> str:
    """The language the browser asks for (``st.context.locale``): Korean for a Korean browser,
    English for everything else."""
    try:
        locale = st.context.locale
    except Exception:  # noqa: BLE001 - no browser (AppTest, bare mode): English
        locale = None
    return i18n.normalise(locale) or i18n.DEFAULT


def resolve_language() -> str:
    """The session's language before any widget is drawn (the entry point needs it for the page
    titles): the selector's latest value, else ``?lang=`` in the link, else the browser's language."""
    from .params import stored

    lang = (i18n.normalise(st.session_state.get("app.lang")) or i18n.normalise(stored("app.lang"))
            or i18n.normalise(st.query_params.get("lang")) or browser_language())
    st.session_state[i18n.SESSION_KEY] = lang
    return lang


def choose_language(app) -> str:
    """The sidebar's language selector. The first visit takes ``?lang=`` from the link, else the
    browser's language; the choice is kept for the session (every page) and travels in share links.
    Changing it redraws the page in the other language and keeps the runs, pins and controls."""
    lang = app.select("Language · 언어", "lang", list(i18n.LANGUAGES), browser_language(),
                      format_func=i18n.LANGUAGES.get, horizontal=True,
                      label_visibility="collapsed" if lecture_mode() else "visible")
    st.session_state[i18n.SESSION_KEY] = lang
    return lang


def controls_note() -> None:
    """Under a page's sidebar heading: which controls keep the trained model and which start over."""
    st.markdown(":small[:material/restart_alt: " + _("**Learning rate**, **epochs** and the display controls keep "
                "the trained model; **every other control starts a fresh one** (pinned curves stay).") + "]")


def log_scale(p) -> bool:
    """The sidebar toggle for a log-scale loss axis (kept in the share link as ``logy``)."""
    return p.toggle(_("Log-scale loss axis"), "logy", False,
                    help=_("Draw the loss on a logarithmic axis: late, small improvements and runs that differ "
                           "by orders of magnitude become visible."))


def arrived() -> bool:
    """True on the first run of a page after the user came from another page."""
    return bool(st.session_state.get("_arrived", False))


def show_chart(where, chart, **kwargs):
    """``where.altair_chart(chart, **kwargs)``, with projector-sized type in lecture mode; returns what
    ``altair_chart`` returns (the selection event with ``on_select``)."""
    lecture = lecture_mode()
    spec = memo.converted(chart, lecture, lambda: _vega_lite_spec(charts.lecture_style(chart) if lecture else chart))
    if spec is not None:  # a chart every visitor sees alike (ui.memo): converted once per process
        return where.vega_lite_chart(spec=spec, **kwargs)
    chart = charts.lecture_style(chart) if lecture else chart
    _skip_validation(chart)
    return where.altair_chart(chart, **kwargs)


def _skip_validation(chart) -> None:
    """Streamlit serialises a chart with chart.to_dict(), which validates it against the Vega-Lite schema:
    ~8 ms a chart, under a lock shared by every session of the process. The chart builders' unit tests
    validate every kind of chart, so the server skips it (the object's own attribute, not Altair's _kwds)."""
    object.__setattr__(chart, "to_dict", functools.partial(type(chart).to_dict, chart, validate=False))


def _vega_lite_spec(chart) -> dict | None:
    """The Vega-Lite dict ``st.altair_chart`` would send for ``chart`` (its data as Arrow datasets), through
    Streamlit's own conversion; None if a Streamlit release renamed it (the caller then sends the chart)."""
    try:
        from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
    except ImportError:
        return None
    _skip_validation(chart)
    return _convert_altair_to_vega_lite_spec(chart)


def side_by_side(spec: list[float]) -> list:
    """Columns normally; stacked full-width containers in lecture mode, where the projector's big
    type would squash two charts side by side."""
    return [st.container() for _ in spec] if lecture_mode() else st.columns(spec)


def explain(markdown: str, title: str | None = None) -> None:
    """Explanatory text: shown in full normally, folded into an expander in lecture mode
    so the projector shows the picture, not paragraphs."""
    if lecture_mode():
        with st.expander(title or _("Explanation"), expanded=False):
            st.markdown(markdown)
    else:
        st.markdown(markdown)


def show_code(objects: list, key: str, label: str | None = None) -> None:
    """A toggle that prints the source of the nnlib functions/classes that just ran."""
    if st.toggle(label or _("Show the code"), key=key, help=_("The nnlib source that computed what you see")):
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
        st.error(_("That setting can't be used — {error}", error=plain(err, 300)))  # may quote a link or a file
    except Exception as err:  # noqa: BLE001 - the page must survive anything
        traceback.print_exc()  # to the server log, for a bug report; never onto the page
        st.error(_("Something went wrong on this page. Press Reset or reload the page; your other pages are "
                   "unaffected. — {error}", error=plain(f"{type(err).__name__}: {err}", 240)))
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
