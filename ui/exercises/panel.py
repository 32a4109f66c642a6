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

    submitted = False
    if run_code:
        submitted = editor.editor(name)
    else:
        _hosted_notice(ex)

    row = st.container(horizontal=True)
    hints_shown = _state(name, "hints", 0)
    check = run_code and row.button(_("Check"), key=f"ex.{name}.check", type="primary", icon=":material/task_alt:")
    row.button(_("Hint"), key=f"ex.{name}.hint", icon=":material/lightbulb:", on_click=_more_hint, args=(name,),
               disabled=hints_shown >= len(ex.hints),
               help=_("One more step of the way, {shown} of {total} shown", shown=hints_shown, total=len(ex.hints)))
    if run_code:
        row.button(_("Reset"), key=f"ex.{name}.reset", icon=":material/restart_alt:", on_click=_reset, args=(ex,),
                   help=_("Back to the starter code; the hints and the verdict are cleared"))

    for i in range(hints_shown):
        st.info(_("Hint {i}: {text}", i=i + 1, text=_(ex.hints[i])), icon=":material/lightbulb:")

    if run_code and (check or submitted):
        with st.spinner(_("Checking your code in a separate process…")):
            verdict = sandbox.run(name, st.session_state[editor.code_key(name)], policy.limits())
        _set(name, "verdict", verdict.to_dict())
        record = progress().setdefault(name, {"tries": 0, "passed": False})
        record["tries"] += 1
        record["passed"] = record["passed"] or verdict.passed
    stored = _state(name, "verdict")
    if run_code and stored:
        verdict_view.show(Verdict.from_dict(stored))

    _solution(ex)


def _more_hint(name: str) -> None:  # callbacks run before the page is drawn again
    _set(name, "hints", _state(name, "hints", 0) + 1)


def _reset(ex: Exercise) -> None:
    editor.set_code(ex.name, ex.starter)
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
