"""Share the experiment on screen: its full link (with every control in the query string) to copy,
and, in lecture mode, a QR code of it in the sidebar for the room to scan from the projector.

The QR code is drawn by ``segno`` (pure Python, no dependencies, ISO/IEC 18004)."""

from __future__ import annotations

import functools
import io
import urllib.parse
from pathlib import Path

import segno
import streamlit as st

from .i18n import _
from .params import lecture_mode

SLOT = "_share_slot"
MAX_URL = 1500  # characters; a QR code of error level M holds up to 2331 bytes, and stays scannable far below


def share_link(query: dict[str, str], base: str | None = None) -> str:
    """The full link to this page with ``query``: ``base`` (by default ``st.context.url``, the address
    the browser opened, without its query) plus the parameters. Outside a browser (AppTest) the base is
    the page's path, e.g. ``/mlp``."""
    if base is None:
        base = st.context.url or "/" + Path(st.session_state.get("_page_file") or "home").stem
    base = base.split("?", 1)[0].split("#", 1)[0]
    if base.endswith("/home"):  # the default page lives at the root of the app
        base = base[: -len("home")]
    return base + ("?" + urllib.parse.urlencode(query) if query else "")


@functools.lru_cache(maxsize=256)  # a page's default link is the same for every visitor: encode it once
def qr_png(text: str, scale: int = 6) -> bytes:
    """A QR code of ``text`` as PNG bytes (error correction M, 2-module quiet zone).

    Raises ValueError when ``text`` is longer than ``MAX_URL`` characters."""
    if len(text) > MAX_URL:
        raise ValueError(f"text is {len(text)} characters; a scannable QR code holds at most {MAX_URL}")
    buf = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def reserve() -> None:
    """Keep a place in the sidebar (under lecture mode) for the share box, filled at the end of the
    page by ``draw`` once the page knows its parameters."""
    st.session_state[SLOT] = st.sidebar.container(key="share_box")


def draw(query: dict[str, str]) -> None:
    """The share box: a popover with the link (Streamlit's copy button sits at its right) and its QR
    code; in lecture mode the QR code is also shown in the sidebar."""
    slot = st.session_state.get(SLOT)
    if slot is None:
        return
    link = share_link(query)
    with slot:
        with st.popover(_("Copy share link"), icon=":material/share:", width="stretch"):
            st.caption(_("The link opens this page with exactly these settings. Copy it with the button at "
                         "its right."))
            st.code(link, language=None, wrap_lines=True)
            if len(link) <= MAX_URL:
                st.image(qr_png(link), caption=_("Scan to open this experiment"), width=220)
        room = room_link(query)
        if lecture_mode() and len(room) <= MAX_URL:
            st.image(qr_png(room, scale=8), caption=_("Scan to open this experiment"), width="stretch")
        if _local(link):  # under the code: the code stays on the projector's screen
            st.caption(_("This address points to this computer: other people's phones cannot open it. Run the "
                         "app where the room can reach it, or use the hosted app."))


def room_link(query: dict[str, str], base: str | None = None) -> str:
    """The link the projector's QR code carries: the same experiment, without lecture mode (the
    students open it on their own phones and laptops)."""
    return share_link({k: v for k, v in query.items() if k != "lecture"}, base)


def _local(link: str) -> bool:
    """True when ``link`` points at this computer only (localhost, 127.x, 0.0.0.0, ::1)."""
    host = (urllib.parse.urlsplit(link).hostname or "").lower()
    return host in {"localhost", "0.0.0.0", "::1"} or host.startswith("127.")
