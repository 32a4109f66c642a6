"""The code editor: ``streamlit-code-editor`` (Ace, Python highlighting; its front end ships in
the wheel, so it works offline), or a plain ``st.text_area`` when the component is missing.

The code lives in ``st.session_state[code_key(name)]``: the editor starts from it and writes
back what the student typed (after a pause in typing, or when the editor loses focus). The
editor's key carries a version number: Reset, or coming back to the exercise, bumps it so the
editor is mounted afresh with the stored code."""

from __future__ import annotations

import streamlit as st

from ui.i18n import _


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


def editor(name: str, height_lines: int = 16) -> str:
    """Draw the editor for exercise ``name`` and return its current code."""
    code = st.session_state[code_key(name)]
    key = f"ex.{name}.editor.{st.session_state.get(version_key(name), 0)}"
    try:
        from code_editor import code_editor
    except ImportError:
        code_editor = None
    if code_editor is None:
        text = st.text_area(_("Your code"), value=code, height=28 * height_lines, key=key)
        st.session_state[code_key(name)] = text
        return text
    st.caption(_("Your code (Python). It is saved as you type; Ctrl+Enter saves at once."))
    result = code_editor(code, lang="python", theme="default", height=[height_lines, 40], key=key,
                         response_mode=["debounce", "blur"], options={"wrap": False, "tabSize": 4},
                         props={"style": {"borderRadius": "0.5rem"}})
    if isinstance(result, dict) and result.get("id") and isinstance(result.get("text"), str):
        st.session_state[code_key(name)] = result["text"]
    return st.session_state[code_key(name)]
