"""One exercise on the page: statement, editor, Check / Hint / Reset, verdict, solution."""

from __future__ import annotations

import streamlit as st

from nnlib.exercises import EXERCISES, Exercise, Verdict, sandbox
from ui import common
from ui.i18n import _
from ui.params import lecture_mode

from . import editor, policy, verdict_view


def progress() -> dict:
    """{name: {"tries": n, "passed": bool}} for this browser session."""
    return st.session_state.setdefault("ex.progress", {})


def solved() -> int:
    return sum(1 for p in progress().values() if p.get("passed"))


def number(name: str) -> int:
    return list(EXERCISES).index(name) + 1


def _state(name: str, what: str, default=None):
    return st.session_state.get(f"ex.{name}.{what}", default)


def _set(name: str, what: str, value) -> None:
    st.session_state[f"ex.{name}.{what}"] = value


def show(ex: Exercise, run_code: bool) -> None:
    name = ex.name
    st.header(_("Exercise {number} · {title}", number=number(name), title=_(ex.title)))
    st.markdown(_(ex.statement))
    st.session_state.setdefault(editor.code_key(name), ex.starter)
    if st.session_state.get("ex.shown") != name or common.arrived():
        editor.remount(name)  # coming back: a fresh editor showing the stored code
        st.session_state["ex.shown"] = name

    if run_code:
        if editor.editor(name):  # Ctrl+Enter in the editor: a Check (set before any other Streamlit call)
            _set(name, "pending", True)
    else:
        _hosted_notice(ex)

    row = st.container(horizontal=True)
    hints_shown = _state(name, "hints", 0)
    if run_code:
        row.button(_("Check"), key=f"ex.{name}.check", type="primary", icon=":material/task_alt:",
                   on_click=_set, args=(name, "pending", True))
    row.button(_("Hint"), key=f"ex.{name}.hint", icon=":material/lightbulb:", on_click=_more_hint, args=(name,),
               disabled=hints_shown >= len(ex.hints),
               help=_("One more step of the way, {shown} of {total} shown", shown=hints_shown, total=len(ex.hints)))
    if run_code:
        row.button(_("Reset"), key=f"ex.{name}.reset", icon=":material/restart_alt:", on_click=_reset, args=(ex,),
                   help=_("Back to the starter code; the hints and the verdict are cleared"))

    for i in range(hints_shown):
        st.info(_("Hint {i}: {text}", i=i + 1, text=_(ex.hints[i])), icon=":material/lightbulb:")

    if run_code and _state(name, "pending"):
        with st.spinner(_("Checking your code in a separate process…")):
            _check(name, st.session_state[editor.code_key(name)])
    stored = _state(name, "verdict")
    if run_code and stored:
        if stored.get("code") != st.session_state[editor.code_key(name)]:
            st.caption(_("Your code has changed since this check: press Check again to grade the new version."))
        verdict_view.show(Verdict.from_dict(stored["verdict"]))

    _solution(ex)


def _check(name: str, code: str) -> None:
    """Grade ``code`` in the sandbox, store the verdict with the code it is for, and clear the
    pending request. A Check pressed within the editor's 250 ms debounce is followed by a rerun
    carrying the last keystrokes, which interrupts the first run at its next Streamlit call (the
    spinner): the request, set by the button's callback, stays pending until a run gets here, so
    it is never lost, and it grades the newest code. Nothing here calls Streamlit."""
    verdict = sandbox.run(name, code, policy.limits())
    record = progress().setdefault(name, {"tries": 0, "passed": False})
    record["tries"] += 1
    record["passed"] = record["passed"] or verdict.passed
    _set(name, "verdict", {"code": code, "verdict": verdict.to_dict()})
    _set(name, "pending", False)


def _more_hint(name: str) -> None:  # callbacks run before the page is drawn again
    _set(name, "hints", _state(name, "hints", 0) + 1)


def _reset(ex: Exercise) -> None:
    editor.set_code(ex.name, ex.starter)
    _set(ex.name, "pending", False)
    _set(ex.name, "hints", 0)
    _set(ex.name, "verdict", None)


def _hosted_notice(ex: Exercise) -> None:
    st.warning(_("On this shared server the code editor is off: running code typed into a web page on a "
                 "server that many people use is a security risk. Download the notebook and solve it in "
                 "Jupyter on your own computer with nnlib — it checks your code with the same grader — or run "
                 "this app locally (streamlit run streamlit_app.py), where the editor is on."),
               icon=":material/lock:")
    path = policy.notebook_path(number(ex.name), ex.name)
    if path.is_file():
        st.download_button(_("Download the notebook"), path.read_bytes(), file_name=path.name,
                           mime="application/x-ipynb+json", key=f"ex.{ex.name}.download",
                           icon=":material/download:")
    st.caption(_("The starter code:"))
    st.code(ex.starter, language="python")


def _solution(ex: Exercise) -> None:
    label = _("Reveal the solution (lecturer)") if lecture_mode() else _("Show the solution")
    if st.toggle(label, key=f"ex.{ex.name}.solution",
                 help=_("A solution in this exercise's form, and the nnlib source that does the same")):
        st.code(ex.solution, language="python")
        common.show_code(ex.reference_objects(), key=f"ex.{ex.name}.source", label=_("Show nnlib's own code"))
