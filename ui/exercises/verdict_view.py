"""The grader's verdict on the page: a summary, then one green or red line per sub-check, with
the failing ones' detail (where, expected vs got) and diagnosis. Everything that came out of
the student's code is shown as escaped plain text, cut short."""

from __future__ import annotations

import re

import streamlit as st

from nnlib.exercises import Msg, Verdict
from ui.i18n import _

MAX_TEXT = 400
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")


def plain(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters with every Markdown character escaped."""
    text = text if len(text) <= limit else text[:limit] + "…"
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", " ")


def say(msg: Msg | None) -> str:
    """A grader message in the session's language (its template goes through the catalog)."""
    if msg is None:
        return ""
    try:
        return _(msg.template, **msg.params) if msg.params else _(msg.template)
    except (KeyError, IndexError, ValueError):  # a translation with a wrong placeholder
        return str(msg)


def show(verdict: Verdict) -> None:
    summary = plain(say(verdict.summary()))
    if verdict.passed:
        st.success(summary, icon=":material/check_circle:")
    else:
        st.error(summary, icon=":material/cancel:")
    failed = verdict.failed
    diagnosed = set()
    for c in failed:
        st.markdown(f":red[✗ {plain(say(c.label))}]")
        if c.detail is not None:
            st.markdown(f"&nbsp;&nbsp;&nbsp;&nbsp;{plain(say(c.detail))}")
        diagnosis = say(c.diagnosis)
        if diagnosis and diagnosis not in diagnosed:  # once: the same mistake fails every case
            diagnosed.add(diagnosis)
            st.info(plain(diagnosis, 800), icon=":material/lightbulb:")
    passed = [c for c in verdict.checks if c.passed]
    if passed:
        with st.expander(_("{n} checks passed", n=len(passed)), expanded=not failed and len(passed) <= 12):
            for c in passed:
                st.markdown(f":green[✓ {plain(say(c.label))}]")
    if verdict.output:
        with st.expander(_("What your code printed")):
            st.text(verdict.output[:2000])
