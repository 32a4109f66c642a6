"""The code editor: ``streamlit-code-editor`` (Ace, Python highlighting; its front end ships in
the wheel, so it works offline), or a plain ``st.text_area`` when the component is missing.

The code lives in ``st.session_state[code_key(name)]``: the editor starts from it and writes
back what the student typed (after a pause in typing, or when the editor loses focus). The
editor's key carries a version number: Reset, or coming back to the exercise, bumps it so the
editor is mounted afresh with the stored code."""

from __future__ import annotations

import streamlit as st

from ui.i18n import _
from ui.params import lecture_mode


def code_key(name: str) -> str:
    return f"ex.{name}.code"


def version_key(name: str) -> str:
    return f"ex.{name}.version"


def set_code(name: str, code: str) -> None:
    """Replace the exercise's code and mount a fresh editor showing it (Reset)."""
    st.session_state[code_key(name)] = code
    st.session_state[version_key(name)] = st.session_state.get(version_key(name), 0) + 1


def remount(name: str) -> None:
    st.session_state[version_key(name)] = st.session_state.get(version_key(name), 0) + 1


def editor(name: str, height_lines: int = 16) -> bool:
    """Draw the editor for exercise ``name``; its code goes to ``st.session_state[code_key(name)]``.
    Returns True when the student pressed Ctrl+Enter in it (a new "submit": check the code now)."""
    code = st.session_state[code_key(name)]
    key = f"ex.{name}.editor.{st.session_state.get(version_key(name), 0)}"
    try:
        from code_editor import code_editor
    except ImportError:
        code_editor = None
    if code_editor is None:
        text = st.text_area(_("Your code"), value=code, height=28 * height_lines, key=key)
        st.session_state[code_key(name)] = text
        return False
    st.caption(_("Your code (Python). Ctrl+Enter checks it, like the Check button."))
    # "debounce": the code is sent 250 ms after the last key press. Not "blur": the rerun it starts
    # when the editor loses focus swallowed the click on Check that caused the blur.
    result = code_editor(code, lang="python", theme="default", height=[height_lines, 40], key=key,
                         response_mode="debounce",
                         options={"wrap": False, "tabSize": 4, "fontSize": 20 if lecture_mode() else 14},
                         props={"style": {"borderRadius": "0.5rem"}})
    if not (isinstance(result, dict) and result.get("id") and isinstance(result.get("text"), str)):
        return False
    st.session_state[code_key(name)] = result["text"]
    if result.get("type") == "submit" and st.session_state.get(f"ex.{name}.submitted") != result["id"]:
        st.session_state[f"ex.{name}.submitted"] = result["id"]
        return True
    return False
