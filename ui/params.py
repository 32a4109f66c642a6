"""Page controls that remember their values, travel in the URL and take presets.

Each control has a short ``name`` (used in the share link: ``?lr=0.1&hidden=64``) and a
widget key ``"<page>.<name>"``. Values live in a plain store in ``st.session_state`` as
well as in the widget, so they survive page switches and controls hidden in lecture mode
(Streamlit forgets the state of widgets that are not drawn). On a page's first visit in a
session, values come from the URL when valid; an invalid or tampered value falls back to
the default and the page shows a small notice instead of an error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import streamlit as st

from .i18n import _, ngettext
from .safe_text import plain

_STORE = "_params"
MAX_NOTICES = 4  # link notices shown one by one; the rest are counted


def _store() -> dict:
    return st.session_state.setdefault(_STORE, {})


def stored(key: str, default=None):
    """A control's kept value by its full key (``"app.lang"``), or ``default``."""
    return _store().get(key, default)


def lecture_mode() -> bool:
    return bool(_store().get("app.lecture", False))


def _as_bool(raw: str) -> bool:
    low = raw.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off"}:
        return False
    raise ValueError(_("expected 1 or 0"))


def _number_parser(kind: type, low, high) -> Callable[[str], object]:
    def parse(raw: str):
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(_("not a number")) from None
        if not math.isfinite(number):
            raise ValueError(_("not a finite number"))
        if kind is int and not number.is_integer():
            raise ValueError(_("not a whole number"))
        value = kind(number)
        if not (low <= value <= high):
            raise ValueError(_("outside {low}…{high}", low=low, high=high))
        return value
    return parse


def _shown(value) -> str:
    return (_("on") if value else _("off")) if isinstance(value, bool) else str(value)


def notice_slot(where=st) -> None:
    """Reserve the place (the top of the page) where notices about the share link appear."""
    st.session_state["_notice_slot"] = where.container()


def ignored_notice(name: str, raw: str, why: object, default: object) -> str:
    """The notice for a link value that could not be used. Every part that comes from the link
    (or quotes it) is shown as plain text, cut short (``ui.safe_text.plain``)."""
    return _("“{name}={value}” in the link was ignored ({why}); using the default, {default}.",
             name=plain(name, 30), value=plain(raw), why=plain(why, 200), default=plain(_shown(default)))


def repeated_notice(name: str, raw: str) -> str:
    return _("“{name}” appears more than once in the link; the last value, “{value}”, is used.",
             name=plain(name, 30), value=plain(raw))


def notice_text(notices: list[str]) -> str:
    """The notices as one Markdown block: the first ``MAX_NOTICES``, then a count of the rest
    (a crafted link can carry hundreds of parameters)."""
    shown = list(notices[:MAX_NOTICES])
    rest = len(notices) - len(shown)
    if rest > 0:
        shown.append(ngettext("…and {n} more link value was ignored.", "…and {n} more link values were ignored.",
                              rest))
    return "  \n".join(shown)


def show_notices(notices: list[str]) -> None:
    if not notices:
        return
    slot = st.session_state.get("_notice_slot") or st
    slot.warning(notice_text(notices), icon=":material/link_off:")


class PageParams:
    """The controls of one page. Call the widget methods in the order they should appear,
    then ``sync_url()`` once at the end of the page."""

    def __init__(self, page: str):
        self.page = page
        self.defaults: dict[str, object] = {}
        self.notices: list[str] = []
        self.parsers: dict[str, Callable[[str], object]] = {}

    def key(self, name: str) -> str:
        return f"{self.page}.{name}"

    def _prepare(self, name: str, default, parse: Callable[[str], object]) -> str:
        key, store = self.key(name), _store()
        self.defaults[name], self.parsers[name] = default, parse
        if key not in store:
            store[key] = default
            raw = st.query_params.get(name)
            repeated = len(st.query_params.get_all(name)) > 1
            if raw is not None:
                try:
                    store[key] = parse(raw)
                except (ValueError, TypeError) as err:  # one notice: ignored, whether repeated or not
                    self.notices.append(ignored_notice(name, raw, err, default))
                else:
                    if repeated:
                        self.notices.append(repeated_notice(name, raw))
        if key in st.session_state:  # the widget's latest value (the user may just have moved it)
            store[key] = st.session_state[key]
        # Re-assigning turns widget state into state Streamlit keeps when the page changes.
        st.session_state[key] = store[key]
        return key

    def _show(self, advanced: bool) -> bool:
        return not (advanced and lecture_mode())

    def _keep(self, key: str, value):
        _store()[key] = value
        return value

    def get(self, name: str):
        return _store().get(self.key(name), self.defaults.get(name))

    # -- widgets ------------------------------------------------------------------------
    def slider(self, label: str, name: str, min_value, max_value, default, step=None, *,
               advanced: bool = False, help: str | None = None, format: str | None = None, where=st):
        kind = int if all(isinstance(v, int) for v in (min_value, max_value, default)) else float
        key = self._prepare(name, default, _number_parser(kind, min_value, max_value))
        if not self._show(advanced):
            return _store()[key]
        value = where.slider(label, min_value, max_value, step=step, key=key, help=help, format=format)
        return self._keep(key, value)

    def select_slider(self, label: str, name: str, options: Sequence, default, *, advanced: bool = False,
                      help: str | None = None, format_func=str, where=st):
        """A slider over fixed values (learning rates on a log scale, layer widths...)."""
        lookup = {str(o): o for o in options}

        def parse(raw: str):
            if raw not in lookup:
                shown = ", ".join(lookup) if len(lookup) <= 12 else f"{options[0]} … {options[-1]}"
                raise ValueError(_("not one of the slider's values: {values}", values=shown))
            return lookup[raw]
        key = self._prepare(name, default, parse)
        if not self._show(advanced):
            return _store()[key]
        return self._keep(key, where.select_slider(label, options=list(options), key=key, help=help,
                                                   format_func=format_func))

    def text(self, label: str, name: str, default: str, *, max_chars: int = 200, help: str | None = None,
             where=st) -> str:
        """A free-text field (the page validates what it means); kept and shared like the others."""
        def parse(raw: str):
            if len(raw) > max_chars:
                raise ValueError(_("longer than {n} characters", n=max_chars))
            return raw
        key = self._prepare(name, default, parse)
        return self._keep(key, where.text_input(label, key=key, max_chars=max_chars, help=help))

    def select(self, label: str, name: str, options: Sequence, default, *, advanced: bool = False,
               help: str | None = None, horizontal: bool = False, format_func=str, where=st,
               label_visibility: str = "visible"):
        lookup = {str(o): o for o in options}

        def parse(raw: str):
            if raw not in lookup:
                raise ValueError(_("expected one of {values}", values=", ".join(lookup)))
            return lookup[raw]
        key = self._prepare(name, default, parse)
        if not self._show(advanced):
            return _store()[key]
        if horizontal:
            value = where.radio(label, list(options), key=key, help=help, horizontal=True, format_func=format_func,
                                label_visibility=label_visibility)
        else:
            value = where.selectbox(label, list(options), key=key, help=help, format_func=format_func,
                                    label_visibility=label_visibility)
        return self._keep(key, value)

    def toggle(self, label: str, name: str, default: bool = False, *, advanced: bool = False,
               help: str | None = None, where=st):
        key = self._prepare(name, default, _as_bool)
        if not self._show(advanced):
            return _store()[key]
        return self._keep(key, where.toggle(label, key=key, help=help))

    def number(self, label: str, name: str, min_value: int, max_value: int, default: int, *,
               advanced: bool = False, help: str | None = None, where=st):
        key = self._prepare(name, int(default), _number_parser(int, min_value, max_value))
        if not self._show(advanced):
            return _store()[key]
        value = where.number_input(label, min_value, max_value, step=1, key=key, help=help)
        return self._keep(key, int(value))

    # -- presets, URL -------------------------------------------------------------------
    def apply(self, values: dict) -> None:
        """Set controls (for presets and imports). Call from a button's ``on_click``: values
        must be in place before the widgets are drawn."""
        for name, value in values.items():
            _store()[self.key(name)] = value
            st.session_state[self.key(name)] = value

    def values(self) -> dict:
        return {name: self.get(name) for name in self.defaults}

    def query(self) -> dict[str, str]:
        """The page's non-default values as URL parameters."""
        return {name: str(v) for name, v in self.values().items() if v != self.defaults[name]}

    def sync_url(self, extra: dict[str, str] | None = None) -> None:
        """Make the address bar a share link to exactly this experiment, and show notices
        about link values that were ignored."""
        wanted = {**app_query(), **self.query(), **(extra or {})}
        if {k: st.query_params.get_all(k) for k in st.query_params} != {k: [v] for k, v in wanted.items()}:
            st.query_params.from_dict(wanted)
        show_notices(self.notices)
        from . import share  # the share box (link, QR code) in the sidebar shows this very link

        share.draw(wanted)


def app_params() -> PageParams:
    return PageParams("app")


def app_query() -> dict[str, str]:
    """URL parameters shared by every page: the seed, lecture mode and the language."""
    store = _store()
    out = {}
    if store.get("app.seed", 0) != 0:
        out["seed"] = str(store["app.seed"])
    if store.get("app.lecture"):
        out["lecture"] = "1"
    lang = store.get("app.lang")
    if lang is not None and (lang != "en" or "lang" in st.query_params):  # English needs no mention
        out["lang"] = lang
    return out


def seed() -> int:
    return int(_store().get("app.seed", 0))
