"""Two languages (English, Korean): the one translation function every user-visible string goes through.

Message catalogs are gettext ``.po`` files managed with Babel (``locales/<lang>/LC_MESSAGES/messages.po``),
with the English text as the source: ``_("Learning rate")``, placeholders by name:
``_("Epoch {epoch} of {total}", epoch=3, total=20)``. The ``.po`` files are compiled in memory the
first time a language is used (no build step: ``streamlit run`` on a fresh checkout just works).

``N_("...")`` marks a string for extraction where it is defined (a module-level constant, a preset's
text) without translating it there; translate it where it is shown: ``_(PRESET_TEXT)``.

The language in force is the session's (``st.session_state``), chosen by ``?lang=``, the sidebar, or the
browser's language (``st.context.locale``); see ``ui.common.page_start``. Outside a Streamlit run (unit
tests of pure chart builders) it is English unless a test wraps the call in ``use_language("ko")``.

Catalog maintenance (``scripts/i18n.py``): ``extract`` → ``update`` → edit → ``check`` (run in CI).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGES = {"en": "English", "ko": "한국어"}  # code -> its own name, as the selector shows it
DEFAULT = "en"
SESSION_KEY = "_lang"

_forced: contextvars.ContextVar[str | None] = contextvars.ContextVar("nnlib_lang", default=None)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction without translating it (translate it where it is shown)."""
    return message


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English, the source language, translates to itself)."""
    po = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or not po.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def normalise(lang: object) -> str | None:
    """``"ko"``, ``"ko-KR"``, ``"KO_kr"`` → ``"ko"``; anything unsupported → None."""
    if not isinstance(lang, str):
        return None
    code = lang.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def current_language() -> str:
    forced = _forced.get()
    if forced:
        return forced
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:
            return DEFAULT
        import streamlit as st

        return st.session_state.get(SESSION_KEY, DEFAULT)
    except Exception:  # noqa: BLE001 - no Streamlit runtime: English
        return DEFAULT


@contextlib.contextmanager
def use_language(lang: str):
    """Translate into ``lang`` inside the block (tests, or building a chart for another language)."""
    token = _forced.set(normalise(lang) or DEFAULT)
    try:
        yield
    finally:
        _forced.reset(token)


def _(message: str, /, **fmt) -> str:  # positional-only: a placeholder may be named {message}
    """``message`` in the current language; ``{name}`` placeholders are filled from ``fmt``."""
    text = translations(current_language()).gettext(message) if message else message
    return text.format(**fmt) if fmt else text


def shown(names: dict):
    """A widget's ``format_func`` showing ``names[key]`` in the session's language (the keys stay the
    widget's values; a key without a name is shown as it is). Translated now, during the page's run:
    Streamlit may call ``format_func`` later, outside the run, where ``_`` falls back to English."""
    translated = {key: _(name) for key, name in names.items()}
    return lambda key: translated.get(key, str(key))


def ngettext(singular: str, plural: str, n: int, /, **fmt) -> str:
    """Singular or plural by ``n`` (Korean has one form); ``{n}`` is filled in too."""
    text = translations(current_language()).ngettext(singular, plural, n)
    return text.format(n=n, **fmt)
