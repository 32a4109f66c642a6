"""Two replicas of the app behind Debian's nginx with deploy/nginx.conf, driven by two browsers.

What a large class relies on (README, "Deploying for a large class"):
- every request of one browser, the websocket included, reaches the same replica, so that its
  training never resets and never shows "connection lost";
- two browsers can land on different replicas (the sticky key is a cookie nginx sets, not the
  client's IP: every test browser, like a class behind one NAT, comes from the same address);
- when one replica dies, a session on the other one keeps training.

The test runs the shipped deploy/nginx.conf itself; it replaces only the `server app:8501` line
(two loopback replicas) and the `listen` port, and adds paths in a temporary directory (no root).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy import preload
from tests.e2e.conftest import APP_DIR, REPO_ROOT, _free_port, _log_tail, _stop
from tests.e2e.test_browser import EXCEPTION, read_metric, wait_idle
from ui import style

pytestmark = pytest.mark.e2e

NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
REPLICA_HEADER = "x-nnlib-replica"
# MNIST on all 60 000 images in float64, 50 epochs (about a minute): it trains for the whole test. (At the
# shared-server default, 10 000 images in float32, 50 epochs took ~10 s on a quiet machine: a session
# finished before the replica was killed and the counter stood still.)
LESSON = "/mnist?epochs=50&subset=60000&dtype=float64"
LOST = "[data-testid='stConnectionStatus']"
START_TIMEOUT = 90.0


def _wait_health(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url}: exited with code {proc.returncode}:\n{_log_tail(log)}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url}/_stcore/health did not answer ok in {START_TIMEOUT:.0f} s:\n{_log_tail(log)}", pytrace=False)


def _start_replica(log: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    env = {**os.environ, "NNLIB_HOSTED": "1"}  # as deploy/compose.yaml runs them
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=APP_DIR, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    return proc, port


def nginx_config(template: str, replica_ports: list[int], port: int, prefix: Path) -> str:
    """deploy/nginx.conf with loopback replicas, a loopback port, and every path under ``prefix``."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in replica_ports)
    conf, n_servers = re.subn(r"(?m)^ *server app:8501[^;]*;", servers, template)
    conf, n_listen = re.subn(r"listen 80;", f"listen 127.0.0.1:{port};", conf)
    conf, n_cache = re.subn(r"proxy_cache_path \S+", f"proxy_cache_path {prefix / 'static_cache'}", conf)
    conf, n_include = re.subn(r"include preload\.conf;", f"include {NGINX_CONF.parent / 'preload.conf'};", conf)
    assert (n_servers, n_listen, n_cache, n_include) == (1, 1, 1, 1), \
        "deploy/nginx.conf changed shape: update this test's substitutions"
    paths = "\n    ".join([
        f"access_log {prefix / 'access.log'};",
        *(f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
    ])
    conf = conf.replace("http {", f"http {{\n    {paths}", 1)
    if os.geteuid() == 0:  # root: keep the workers as root, so they can use the temp paths made by the master
        conf = "user root;\n" + conf
    return conf


@pytest.fixture
def cluster(browser, artifacts_dir, tmp_path):
    """Two replicas and nginx; yields (nginx url, {"127.0.0.1:port": Popen})."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        if os.environ.get("NNLIB_REQUIRE_BROWSER") == "1":
            pytest.fail("nginx not found (apt-get install nginx)", pytrace=False)
        pytest.skip("nginx not found (apt-get install nginx)")
    procs = []
    try:
        replicas = {}
        for i in (1, 2):
            proc, port = _start_replica(artifacts_dir / f"replica-{i}.log")
            procs.append(proc)
            replicas[f"127.0.0.1:{port}"] = proc
        for addr, proc in replicas.items():
            _wait_health(f"http://{addr}", proc, artifacts_dir / f"replica-{list(replicas).index(addr) + 1}.log")
        port = _free_port()
        conf = tmp_path / "nginx.conf"
        conf.write_text(nginx_config(NGINX_CONF.read_text(), [int(a.split(":")[1]) for a in replicas], port,
                                     tmp_path))
        log = artifacts_dir / "nginx.log"
        with open(log, "w") as out:
            proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf), "-e", "stderr",
                                     "-g", f"daemon off; pid {tmp_path / 'nginx.pid'};"],
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(proc)
        _wait_health(f"http://127.0.0.1:{port}", proc, log)
        yield f"http://127.0.0.1:{port}", replicas
    finally:
        for proc in procs:
            _stop(proc)


def _session(browser, url):
    """A browser context on the lesson; returns (context, page, replica of its first response, replicas seen)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    seen = []
    page.on("response", lambda r: seen.append(r.headers.get(REPLICA_HEADER)))
    response = page.goto(url + LESSON)
    return context, page, response.headers.get(REPLICA_HEADER), seen


def _static(url: str):
    """GET one frontend file through nginx as a browser does (gzip accepted); the response, body read."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
        return response


def _epoch(page) -> float:
    found, value = read_metric(page, "epoch")
    return value if found and value is not None else -1.0


def _watch(pages: dict, seconds: float) -> dict[str, list[float]]:
    """The epoch counter of every page, read about twice a second."""
    series = {name: [] for name in pages}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for name, page in pages.items():
            series[name].append(_epoch(page))
            assert page.locator(LOST).count() == 0, f"session {name}: Streamlit shows a lost connection"
            assert page.locator(EXCEPTION).count() == 0, f"session {name}: {page.locator(EXCEPTION).all_inner_texts()}"
        time.sleep(0.5)
    return series


def _assert_trains_without_reset(name: str, values: list[float]) -> None:
    seen = [v for v in values if v >= 0]
    assert seen, f"session {name}: no epoch counter on the page"
    drops = [(a, b) for a, b in zip(seen, seen[1:], strict=False) if b < a]
    assert not drops, f"session {name}: the epoch counter went back (a reset or another replica): {seen}"
    assert seen[-1] > seen[0], f"session {name}: training did not progress: {seen}"


def test_two_replicas_behind_nginx_keep_sessions_and_survive_one_dying(browser, cluster, artifacts_dir):
    url, replicas = cluster
    contexts = []
    try:
        ctx_a, page_a, replica_a, seen_a = _session(browser, url)
        contexts.append(ctx_a)
        assert replica_a in replicas, f"nginx did not name the replica ({REPLICA_HEADER}: {replica_a!r})"
        # A fresh browser gets a fresh random cookie, so it lands on either replica: open new ones until
        # one lands on the other (each try is a coin toss; 12 tails in a row would mean no balancing).
        for _ in range(12):
            ctx_b, page_b, replica_b, seen_b = _session(browser, url)
            contexts.append(ctx_b)
            if replica_b != replica_a:
                break
        assert replica_b != replica_a, "twelve browsers in a row landed on the same replica: nginx does not balance"

        pages = {"A": page_a, "B": page_b}
        for page in pages.values():
            wait_idle(page)
            page.locator(".st-key-mnist_play button").first.click()
        series = _watch(pages, 12.0)
        for name, values in series.items():
            _assert_trains_without_reset(name, values)
        for name, replica, seen in (("A", replica_a, seen_a), ("B", replica_b, seen_b)):
            others = {r for r in seen if r is not None and r != replica}
            assert not others, f"session {name} (on {replica}) had responses from {others}: not sticky"

        # Streamlit's frontend files come from nginx's cache once a visitor has loaded them, compressed
        scripts = page_a.evaluate("performance.getEntriesByType('resource').filter(e => e.name.includes("
                                  "'/static/js/')).sort((a, b) => b.decodedBodySize - a.decodedBodySize)"
                                  ".map(e => e.name)")
        assert len(scripts) > 20, scripts
        cached = _static(scripts[0])  # the largest
        assert cached.headers.get("X-Cache-Status") == "HIT", dict(cached.headers)
        assert cached.headers.get("Content-Encoding") == "gzip" and cached.headers.get("Cache-Control", "").find(
            "immutable") >= 0, dict(cached.headers)

        # The page comes with a modulepreload tag for each frontend file the lessons use (deploy/preload.conf)
        with urllib.request.urlopen(url + LESSON, timeout=10) as response:
            html = response.read().decode()
        _, preloaded = preload.listed((REPO_ROOT / "deploy" / "preload.conf").read_text())
        assert len(preloaded) > 50 and all(f"href=./static/js/{n}>" in html for n in preloaded)
        assert html.index("</head>") > html.rindex("rel=modulepreload")  # all of them inside <head>
        assert html.index("</head>") > html.index(style.HEAD_CSS)  # and the replica's CSS (ui/server.py) too

        # Kill A's replica outright (not a clean shutdown): B must not notice.
        os.killpg(replicas[replica_a].pid, signal.SIGKILL)
        replicas[replica_a].wait(10)
        after = _watch({"B": page_b}, 8.0)["B"]
        assert all(_static(s).status == 200 for s in scripts[:10])  # the cache still serves the frontend
        _assert_trains_without_reset("B after the other replica died", after)
        assert after[0] >= series["B"][-1], "session B was reset when the other replica died"
        page_b.screenshot(path=str(artifacts_dir / "replicas-b-after-kill.png"))
        # A lost its session with its process: the page says so (and reconnects to B as a new session).
        page_a.screenshot(path=str(artifacts_dir / "replicas-a-after-kill.png"))
    finally:
        for context in contexts:
            context.close()


def test_nginx_config_substitution_keeps_the_shipped_routing():
    """The test above runs deploy/nginx.conf, changed only where a local run must differ."""
    conf = nginx_config(NGINX_CONF.read_text(), [1111, 2222], 3333, Path("/tmp/x"))
    assert "server app:8501 max_fails" not in conf and "127.0.0.1:1111" in conf and "127.0.0.1:2222" in conf
    assert "listen 127.0.0.1:3333;" in conf
    for needed in ("hash $nnlib_route consistent", "proxy_set_header Upgrade $http_upgrade",
                   "add_header Set-Cookie $nnlib_set_cookie", "proxy_temp_path /tmp/x/proxy",
                   "proxy_cache_path /tmp/x/static_cache", "proxy_cache nnlib_static"):
        assert needed in conf
