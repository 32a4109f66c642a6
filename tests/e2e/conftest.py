"""Fixtures for the real-browser tests: a `streamlit run` server and headless Chromium.

The browser is Debian's chromium (`apt-get install chromium`), driven by the `playwright`
Python package; no browser is ever downloaded. Without either, every e2e test is skipped with
the reason, unless the environment sets NNLIB_REQUIRE_BROWSER=1 (CI does): then they fail.

NNLIB_APP_DIR runs the tests against another directory holding a `streamlit_app.py` (used to
check this harness itself); artifacts still go to <repo>/test-artifacts/e2e/.
"""

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_DIR = Path(os.environ.get("NNLIB_APP_DIR") or REPO_ROOT).resolve()
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0  # seconds until /_stcore/health must answer "ok"


def _missing_browser_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not importable: pip install playwright (no browser download needed)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium; skips (or, with NNLIB_REQUIRE_BROWSER=1, fails) when absent."""
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("NNLIB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NNLIB_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def app_url(browser, artifacts_dir):
    """Base URL of `streamlit run streamlit_app.py` from APP_DIR, stopped after the session."""
    yield from _serve(artifacts_dir / "server.log")


@pytest.fixture
def fresh_app_url(browser, artifacts_dir):
    """A server of its own that no browser has visited yet (for first-visit behaviour)."""
    yield from _serve(artifacts_dir / "server-fresh.log")


@pytest.fixture
def fast_rerun_app_url(browser, artifacts_dir):
    """A server with Streamlit's fast reruns on (its default; our config turns them off): a
    widget change mid-run then starts a second script thread while the first still runs."""
    yield from _serve(artifacts_dir / "server-fast-reruns.log", "--runner.fastReruns", "true")


def _serve(log_path: Path, *extra: str):
    if not (APP_DIR / "streamlit_app.py").is_file():
        pytest.fail(f"no streamlit_app.py in {APP_DIR}", pytrace=False)
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra,
    ]
    with open(log_path, "w") as log:
        # its own process group, so that stopping it also stops anything it started
        server = subprocess.Popen(
            cmd, cwd=APP_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {server.returncode}:\n{_log_tail(log_path)}", pytrace=False
                )
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"/_stcore/health did not answer ok within {SERVER_START_TIMEOUT:.0f} s:\n"
                    f"{_log_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.3)
        yield url
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if server.poll() is not None:
            return
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def _fresh_page(browser, width: int, height: int, timeout_ms: int):
    """A page in a fresh browser context (own cookies, own Streamlit session), closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height})
    p = context.new_page()
    p.set_default_timeout(timeout_ms)
    try:
        yield p
    finally:
        context.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser context (own cookies/session) with a 1600×1000 viewport, per test."""
    yield from _fresh_page(browser, 1600, 1000, 60_000)


@pytest.fixture
def projector(browser):
    """A fresh browser context with a 1280×800 viewport (a common projector), per test."""
    yield from _fresh_page(browser, 1280, 800, 120_000)
