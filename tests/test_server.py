"""ui.server.PageHead, the middleware that puts the app's always-on CSS into Streamlit's page: driven as ASGI
with a stand-in app, so every kind of response it may meet is tried (the real server: tests/e2e)."""

import asyncio
import concurrent.futures
import gzip
import os

import pytest

from ui import server, style

HEAD = b"<style>.x{}</style>"
PAGE = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body><div id=root></div></body></html>"


def call(start_headers: dict, chunks: list[bytes], *, status=200, method="GET", kind="http", path="/",
         request_headers: dict | None = None, seen: list | None = None) -> tuple[dict, bytes, list]:
    """Run PageHead(head=HEAD) around an app that answers with ``chunks`` (or, when the request's If-None-Match
    names its ETag, with a 304); returns the start message's headers, the body the client got, and every
    message sent. ``seen`` collects the scope the app got."""
    async def inner(scope, receive, send):
        if seen is not None:
            seen.append(scope)
        if scope["type"] != "http":
            await send({"type": "websocket.accept"})
            return
        asked = dict((k.decode(), v.decode()) for k, v in scope["headers"]).get("if-none-match", "")
        if start_headers.get("etag") and start_headers["etag"] in [v.strip() for v in asked.split(",")]:
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", start_headers["etag"].encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.encode(), v.encode()) for k, v in start_headers.items()]})
        for i, chunk in enumerate(chunks):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    middleware = server.PageHead(inner, head=HEAD.decode())
    scope = {"type": kind, "method": method, "path": path,
             "headers": [(k.encode(), v.encode()) for k, v in (request_headers or {}).items()]}
    # a thread of its own: the browser tests' Playwright keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, middleware(scope, receive, send)).result()
    starts = [m for m in sent if m["type"] == "http.response.start"]
    headers = {k.decode(): v.decode() for k, v in starts[0]["headers"]} if starts else {}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return headers, body, sent


def html_headers(body: bytes, **extra) -> dict:
    return {"content-type": "text/html; charset=utf-8", "content-length": str(len(body)),
            "etag": '"abc123"', **extra}


def test_the_page_gets_the_css_before_its_head_closes_with_its_length_and_etag_fixed():
    headers, body, _ = call(html_headers(PAGE), [PAGE])
    assert body == PAGE.replace(b"</head>", HEAD + b"</head>")
    assert headers["content-length"] == str(len(body))
    assert headers["etag"].startswith('"abc123-') and headers["etag"].endswith('"')  # a cached copy revalidates


def test_a_page_in_several_chunks_is_put_together_first():
    parts = [PAGE[:20], PAGE[20:50], PAGE[50:]]
    headers, body, sent = call(html_headers(PAGE), parts)
    assert body == PAGE.replace(b"</head>", HEAD + b"</head>") and headers["content-length"] == str(len(body))
    assert [m.get("more_body", False) for m in sent if m["type"] == "http.response.body"] == [False]


def test_a_page_streamlit_gzipped_goes_out_plain_with_the_css():
    packed = gzip.compress(PAGE)
    headers, body, _ = call(html_headers(packed, **{"content-encoding": "gzip", "vary": "Accept-Encoding"}), [packed])
    assert body == PAGE.replace(b"</head>", HEAD + b"</head>")
    assert "content-encoding" not in headers and headers["content-length"] == str(len(body))


@pytest.mark.parametrize("packed", [b"\x1f\x8b not gzip at all", gzip.compress(b"<head></head>" + b" " * 2_000_000)],
                         ids=["corrupt", "inflates past the limit"])
def test_gzip_that_cannot_be_read_within_the_limit_goes_out_as_it_came(packed):
    headers, body, _ = call(html_headers(packed, **{"content-encoding": "gzip"}), [packed])
    assert body == packed and headers["content-encoding"] == "gzip" and headers["content-length"] == str(len(packed))


@pytest.mark.parametrize("headers, status, method, path", [
    ({"content-type": "application/javascript"}, 200, "GET", "/"),
    ({"content-type": "text/html"}, 404, "GET", "/"),
    ({"content-type": "text/html"}, 200, "POST", "/"),
    ({"content-type": "text/html", "content-encoding": "br"}, 200, "GET", "/"),
    ({"content-type": "text/html"}, 200, "GET", "/static/js/index.js"),  # Streamlit's frontend code
    ({"content-type": "text/html"}, 200, "GET", "/component/my_component/index.html"),  # a component's own page
    ({"content-type": "text/html"}, 200, "GET", "/media/abc.html"),
    ({"content-type": "text/html"}, 200, "GET", "/favicon.png"),
], ids=["javascript", "404", "POST", "brotli", "static", "component", "media", "a file"])
def test_other_responses_pass_untouched_chunk_by_chunk(headers, status, method, path):
    chunks = [b"<head>", b"</head>", b"tail"]
    got_headers, body, sent = call(headers, chunks, status=status, method=method, path=path)
    assert body == b"".join(chunks) and got_headers == headers
    assert len([m for m in sent if m["type"] == "http.response.body"]) == 3  # streamed, not held


@pytest.mark.parametrize(("path", "page"), [("/", True), ("/mnist", True), ("/mlp/", True), ("", True),
                                            ("/static/js/a.js", False), ("/_stcore/health", False),
                                            ("/app/static/x", False), ("/favicon.png", False),
                                            ("/component/c/index.html", False), ("/media/x.png", False)])
def test_page_paths(path, page):
    assert server.is_page_path(path) is page


def test_a_head_request_gets_the_headers_of_the_page_a_get_gets():
    got, _, _ = call(html_headers(PAGE), [PAGE])
    headers, body, sent = call(html_headers(PAGE), [PAGE], method="HEAD")
    assert body == b"" and headers == got


def test_a_browsers_cached_copy_gets_a_304_when_current_and_the_page_when_not():
    got, _, _ = call(html_headers(PAGE), [PAGE])
    current = got["etag"]
    headers, body, sent = call(html_headers(PAGE), [PAGE], request_headers={"if-none-match": current})
    assert sent[0]["status"] == 304 and headers["etag"] == current and body == b""
    # a copy cached before the middleware (Streamlit's own ETag) or with another head: the page, with the CSS
    for stale in ('"abc123"', '"abc123-0123456789ab"', '"other"'):
        seen = []
        headers, body, sent = call(html_headers(PAGE), [PAGE], request_headers={"if-none-match": stale}, seen=seen)
        assert sent[0]["status"] == 200 and HEAD in body and headers["etag"] == current, stale
        assert b"if-none-match" not in dict(seen[0]["headers"])


def test_a_range_request_for_a_page_gets_the_whole_page():
    seen = []
    headers, body, _ = call(html_headers(PAGE), [PAGE], request_headers={"range": "bytes=0-9", "if-range": '"x"'},
                            seen=seen)
    assert body == PAGE.replace(b"</head>", HEAD + b"</head>")
    assert not {b"range", b"if-range"} & set(dict(seen[0]["headers"]))


def test_a_websocket_passes_untouched():
    _, _, sent = call({}, [], kind="websocket")
    assert sent == [{"type": "websocket.accept"}]


def test_a_page_without_a_head_or_too_big_to_hold_goes_out_as_it_came():
    no_head = b"<html><body>hi</body></html>"
    headers, body, _ = call(html_headers(no_head), [no_head])
    assert body == no_head and headers["content-length"] == str(len(no_head)) and headers["etag"] == '"abc123"'
    big = [b"<head></head>" + b" " * 600_000, os.urandom(600_000), b"end"]  # over MAX_PAGE_BYTES
    headers, body, _ = call(html_headers(b"".join(big)), big)
    assert body == b"".join(big) and headers["content-length"] == str(len(body))


def test_the_app_serves_its_always_on_css_with_the_rule_that_delays_grey_placeholders():
    assert server.MIDDLEWARE[0].cls is server.PageHead
    assert server.PageHead(None).head == style.HEAD_CSS.encode()
    assert "@keyframes nnlib-late-placeholder" in style.HEAD_CSS and ":root {" + style.TOP_CSS + "}" in style.HEAD_CSS
    assert style.HEAD_CSS.startswith("<style>") and style.HEAD_CSS.endswith("</style>")
