"""Named experiments ("presets") with a short predict-then-run commentary.

A preset sets some of a page's controls (through ``PageParams.apply``), starts a fresh
run, and shows its text until another preset is chosen. The chosen preset travels in the
share link as ``?preset=<name>``."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from . import live
from .i18n import _
from .params import PageParams


@dataclass(frozen=True)
class Preset:
    title: str
    values: dict = field(default_factory=dict)
    text: str = ""  # "predict, then run": what to look for


def _apply(p: PageParams, page: str, name: str, preset: Preset) -> None:
    p.apply(preset.values)
    st.session_state[f"preset:{page}"] = name
    live.reset(page)


def picker(p: PageParams, page: str, presets: dict[str, Preset], where=st) -> str | None:
    """Buttons for the presets; returns the active preset's name (or None). Call it before
    the page's controls are drawn."""
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
                    p.notices.append(f"`{name}={given}` in the link differs from the preset "
                                     f"'{presets[raw].title}' ({name} = {value}); the preset's value is used.")
        elif raw is not None:
            p.notices.append(f"`preset={raw}` in the link is not a preset of this page; ignored.")
    # One wrapping row of buttons sized to their titles: the experiment (Play, metrics, loss chart) has
    # to fit on the same projector screen below it.
    row = where.container(horizontal=True, gap="small", vertical_alignment="center", key=f"{page}_presets")
    row.markdown(_("**Experiments:**"), width="content")
    for name, preset in presets.items():
        row.button(_(preset.title), key=f"{page}_preset_{name}", on_click=_apply, args=(p, page, name, preset),
                   width="content", type="primary" if st.session_state[key] == name else "secondary")
    active = st.session_state[key]
    if active is not None:
        changed = {k: v for k, v in presets[active].values.items()
                   if st.session_state.get(p.key(k), p.get(k)) != v}
        if changed:  # the user moved a control since: the preset no longer describes the run
            st.session_state[key] = active = None
    if active is not None:
        where.container(key=f"{page}_preset_text").info(f"**{_(presets[active].title)}.** {_(presets[active].text)}")
    return active


def query(page: str) -> dict[str, str]:
    """``{"preset": name}`` for the share link while a preset is active."""
    active = st.session_state.get(f"preset:{page}")
    return {"preset": active} if active else {}
