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


# Path segments of what Streamlit serves besides its page: its frontend code, media, internal endpoints, and the
# pages of custom components (their iframes' HTML is theirs, not ours). A file name has a dot; a page never does.
NOT_PAGES = {"static", "media", "_stcore", "component"}


def is_page_path(path: str) -> bool:
    """Whether ``path`` (``"/"``, ``"/mnist"``) asks for Streamlit's page rather than a file or an endpoint."""
    parts = [p for p in path.split("/") if p]
    return not (NOT_PAGES.intersection(parts) or (parts and "." in parts[-1]))


class PageHead:
    """ASGI middleware: inserts ``head`` (HTML, e.g. a ``<style>`` element) before ``</head>`` in Streamlit's
    page (``GET``/``HEAD`` of a page path, ``200``, ``text/html``), and fixes its length. A page Streamlit
    compressed (it gzips pages other than ``/``) is sent uncompressed: it is 8 KB.

    The changed page gets an ETag of its own (Streamlit's, with a hash of ``head``). A browser's
    ``If-None-Match`` is translated back, so a copy it holds gets a 304 when it is current and the new page
    when it is not (a copy cached before this middleware, or with another ``head``). A ``HEAD`` request gets the
    changed page's headers; a ``Range`` request for a page gets the whole page. Other paths (the frontend's code,
    media, endpoints, components' pages) and websockets pass through untouched."""

    def __init__(self, app: ASGIApp, head: str = HEAD_CSS) -> None:
        self.app = app
        self.head = head.encode()
        self.tag = hashlib.sha256(self.head).hexdigest()[:12]

    def etag(self, streamlits: str) -> str:
        return streamlits[:-1] + f'-{self.tag}"' if streamlits.endswith('"') else f"{streamlits}-{self.tag}"

    def request_headers(self, raw: list) -> list:
        """The request's headers as Streamlit should see them: our ETags back to Streamlit's, others dropped
        (they name another page), no ``Range``/``If-Range``."""
        out = []
        for name, value in raw:
            if name.lower() in (b"range", b"if-range"):
                continue
            if name.lower() == b"if-none-match":
                ours = [v.strip() for v in value.decode("latin-1").split(",")]
                kept = [v for v in ours if v == "*"] + [v.replace(f"-{self.tag}", "") for v in ours
                                                       if v.endswith((f'-{self.tag}"', f"-{self.tag}"))]
                if not kept:
                    continue
                value = ", ".join(kept).encode("latin-1")
            out.append((name, value))
        return out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "HEAD") or not is_page_path(scope.get("path", "/")):
            await self.app(scope, receive, send)
            return
        # a HEAD is answered from the page a GET would get, so that its headers describe that page
        scope = {**scope, "method": "GET", "headers": self.request_headers(scope.get("headers", []))}
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
                if message["status"] == 304 and "etag" in headers:  # the browser's copy is current
                    headers["etag"] = self.etag(headers["etag"])
            elif message["type"] == "http.response.body" and "start" in held:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if message.get("more_body", False) and size <= MAX_PAGE_BYTES:
                    return
                await self._send_page(held.pop("start"), b"".join(chunks), message.get("more_body", False),
                                      send, method == "HEAD")
                return
            elif message["type"] == "http.response.body" and method == "HEAD":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, forward)

    async def _send_page(self, start: Message, html: bytes, more: bool, send: Send, head_only: bool) -> None:
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
            if "etag" in headers:
                headers["etag"] = self.etag(headers["etag"])
            html = changed
        await send(start)
        await send({"type": "http.response.body", "body": b"" if head_only else html, "more_body": more})


MIDDLEWARE = [Middleware(PageHead)]
