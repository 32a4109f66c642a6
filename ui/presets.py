"""Named experiments ("presets") with a short predict-then-run commentary.

A preset sets some of a page's controls (through ``PageParams.apply``), starts a fresh
run, and shows its text until another preset is chosen. The chosen preset travels in the
share link as ``?preset=<name>``."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from . import live
from .i18n import _, shown
from .params import PageParams
from .safe_text import plain


@dataclass(frozen=True)
class Preset:
    """``title`` and ``text`` are marked with ``N_()`` where a preset is defined and translated here."""

    title: str
    values: dict = field(default_factory=dict)
    text: str = ""  # "predict, then run": what to look for


MAX_BUTTONS = 7  # more presets than this are listed in a drop-down instead of a row of buttons


def _apply(p: PageParams, page: str, name: str, preset: Preset) -> None:
    p.apply(preset.values)
    st.session_state[f"preset:{page}"] = name
    live.reset(page)


def _choose(p: PageParams, page: str, presets: dict[str, Preset], choice_key: str) -> None:
    name = st.session_state[choice_key]
    if name in presets:
        _apply(p, page, name, presets[name])


def picker(p: PageParams, page: str, presets: dict[str, Preset], where=st) -> str | None:
    """A row of buttons for the presets (a drop-down list where there are more than ``MAX_BUTTONS``), and
    the active preset's text below it; returns the active preset's name (or None). Call it before the
    page's controls are drawn."""
    key = f"preset:{page}"
    if key not in st.session_state:
        raw = st.query_params.get("preset")
        st.session_state[key] = None
        if raw in presets:
            p.apply(presets[raw].values)  # safe: no widget of this page exists yet in this run
            st.session_state[key] = raw
            for name, value in presets[raw].values.items():
                given = st.query_params.get(name)
                if given is not None and given != str(value):
                    p.notices.append(_("“{name}={value}” in the link differs from the preset “{preset}” "
                                       "({name} = {preset_value}); the preset's value is used.",
                                       name=plain(name, 30), value=plain(given), preset=_(presets[raw].title),
                                       preset_value=plain(value)))
        elif raw is not None:
            p.notices.append(_("“preset={value}” in the link is not a preset of this page; ignored.",
                               value=plain(raw)))
    active = st.session_state[key]
    if active is not None:
        changed = {k: v for k, v in presets[active].values.items()
                   if st.session_state.get(p.key(k), p.get(k)) != v}
        if changed:  # the user moved a control since: the preset no longer describes the run
            st.session_state[key] = active = None
    # The experiment (Play, metrics, loss chart) has to fit on the same projector screen below this row:
    # a few presets are one row of buttons sized to their titles; more would wrap into several rows, so
    # they become one drop-down list.
    row = where.container(horizontal=True, gap="small", vertical_alignment="center", key=f"{page}_presets")
    row.markdown(_("**Experiments:**"), width="content")
    if len(presets) <= MAX_BUTTONS:
        for name, preset in presets.items():
            row.button(_(preset.title), key=f"{page}_preset_{name}", on_click=_apply,
                       args=(p, page, name, preset), width="content",
                       type="primary" if active == name else "secondary")
    else:
        choice_key = f"{page}_preset_choice"
        if st.session_state.get(choice_key, "") != active:  # follows the run: None once a control moved
            st.session_state[choice_key] = active  # (set before the widget: no preset chosen shows none)
        row.selectbox(_("Experiment"), list(presets), key=choice_key,
                      format_func=shown({name: pr.title for name, pr in presets.items()}), label_visibility="collapsed",
                      placeholder=_("Choose one of {n}", n=len(presets)), width="stretch",
                      on_change=_choose, args=(p, page, presets, choice_key))
    if active is not None:
        where.container(key=f"{page}_preset_text").info(
            _("**{title}.** {text}", title=_(presets[active].title), text=_(presets[active].text)))
    return active


def query(page: str) -> dict[str, str]:
    """``{"preset": name}`` for the share link while a preset is active."""
    active = st.session_state.get(f"preset:{page}")
    return {"preset": active} if active else {}
