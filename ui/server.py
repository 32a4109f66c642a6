"""What the app adds to Streamlit's web server, through Streamlit's own ``st.App`` (its ASGI app, which
``streamlit run streamlit_app.py`` finds in the entry point and serves with uvicorn).

``PageHead`` adds the app's always-on CSS (``ui.style.HEAD_CSS``) to Streamlit's page (its index.html)
itself. Without it the app's style arrives as an element of the first run, whose frontend code is itself
loaded on first use: a first visit painted with Streamlit's spacing, showed grey placeholders before the rule
that delays them (``ui.style.PLACEHOLDER_CSS``) arrived, and then jumped.

It only touches HTML pages, never the frontend's code or the websocket that carries the lessons. Compression
stays Streamlit's choice (it sends its frontend code uncompressed, for load time and memory); behind nginx
(``deploy/nginx.conf``) the code is compressed and cached.
"""

from __future__ import annotations

import hashlib
import zlib

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .style import HEAD_CSS

MAX_PAGE_BYTES = 1_000_000  # Streamlit's page is ~8 KB; anything bigger passes through untouched


def gunzip(body: bytes, limit: int = MAX_PAGE_BYTES) -> bytes | None:
    """``body`` (gzip) decompressed, or None when it is not valid gzip or would exceed ``limit`` bytes."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(body, limit + 1)
    except zlib.error:
        return None
    return out if len(out) <= limit and inflate.eof else None


def add_to_head(html: bytes, head: bytes) -> bytes | None:
    """``html`` with ``head`` inserted just before its ``</head>``, or None when it has no ``</head>``."""
    at = html.find(b"</head>")
    return None if at < 0 else html[:at] + head + html[at:]


class PageHead:
    """ASGI middleware: inserts ``head`` (HTML, e.g. a ``<style>`` element) before ``</head>`` in every HTML
    page the app sends (``GET``, ``200``, ``text/html``), and fixes its length. A page Streamlit compressed
    (it gzips pages other than ``/``) is sent uncompressed: it is 8 KB.

    The changed page gets an ETag of its own (Streamlit's, with a hash of ``head``), so a browser that cached
    it revalidates correctly when either changes. Other responses, and websockets, pass through untouched."""

    def __init__(self, app: ASGIApp, head: str = HEAD_CSS) -> None:
        self.app = app
        self.head = head.encode()
        self.tag = hashlib.sha256(self.head).hexdigest()[:12]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        held: dict = {}  # the response's start message while its HTML body is collected
        chunks: list[bytes] = []
        size = 0

        async def forward(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message["headers"])
                if (message["status"] == 200 and headers.get("content-type", "").startswith("text/html")
                        and headers.get("content-encoding", "gzip") == "gzip"):
                    held["start"] = message
                    return
            elif message["type"] == "http.response.body" and "start" in held:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if message.get("more_body", False) and size <= MAX_PAGE_BYTES:
                    return
                await self._send_page(held.pop("start"), b"".join(chunks), message.get("more_body", False), send)
                return
            await send(message)

        await self.app(scope, receive, forward)

    async def _send_page(self, start: Message, html: bytes, more: bool, send: Send) -> None:
        headers = MutableHeaders(raw=start["headers"])
        if more:  # too big to hold: it goes out as it came
            plain = None
        else:
            plain = gunzip(html) if "content-encoding" in headers else html
        changed = None if plain is None else add_to_head(plain, self.head)
        if changed is not None:
            if "content-encoding" in headers:
                del headers["content-encoding"]
            headers["content-length"] = str(len(changed))
            etag = headers.get("etag")
            if etag:
                headers["etag"] = etag[:-1] + f'-{self.tag}"' if etag.endswith('"') else f"{etag}-{self.tag}"
            html = changed
        await send(start)
        await send({"type": "http.response.body", "body": html, "more_body": more})


MIDDLEWARE = [Middleware(PageHead)]
