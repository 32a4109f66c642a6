"""A student arriving while the class trains: their first load through nginx, with and without its cache
of Streamlit's frontend files (issue 12's grey placeholders, issue 17's crowded server).

    python benchmarks/arrival.py --training 10 --visits 4

Starts one replica of the app (hosted defaults, ``NNLIB_HOSTED=1``) and three Debian nginx in front of it:
``deploy/nginx.conf`` as shipped (its ``/static/`` cache, and the page's modulepreload tags from
``deploy/preload.conf``), the same without the tags, and without either (every file from the replica's
Python, as before). ``--training`` light clients (``class_load.Session``:
Streamlit's websocket protocol, no browser) open /mnist and press Play, so the replica is busy as in a
class. Then ``--visits`` fresh Chromium contexts (empty cache, new session) open /mnist through each nginx
in turn, and ``latency.first_load`` samples each every 20 ms: when the first element showed, and how long
grey element placeholders (a widget or chart whose frontend code is still loading) were on screen.
Printed: medians and ranges per variant.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

import class_load  # noqa: E402
import latency  # noqa: E402

from tests.e2e.test_replicas import nginx_config  # noqa: E402 - the shipped config, made local

WITHOUT_CACHE = re.compile(r"\n        location /static/ \{.*?\n        \}\n", re.S)
WITHOUT_PRELOAD = re.compile(r"\n *include \S*preload\.conf;")


def start_nginx(conf_text: str, prefix: Path) -> tuple[subprocess.Popen, str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = latency.free_port()
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(conf_text.replace("listen 127.0.0.1:PORT;", f"listen 127.0.0.1:{port};"))
    proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-e", "stderr",
                             "-g", f"daemon off; pid {prefix / 'nginx.pid'};"],
                            stdout=open(prefix / "nginx.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nginx did not start; see {prefix / 'nginx.log'}")


def class_in_background(url: str, n: int) -> tuple[threading.Thread, list]:
    """``n`` light clients on /mnist pressing Play, in a thread of their own; returns the thread and a
    one-element list whose item stops them when set to True."""
    stop = [False]

    def main() -> None:
        async def go() -> None:
            sessions = [class_load.Session(url, "mnist", "epochs=50", "mnist_play") for _ in range(n)]
            tasks = [asyncio.create_task(s.run(time.monotonic())) for s in sessions]
            await asyncio.wait_for(asyncio.gather(*(s.finished.wait() for s in sessions)), 180)
            for s in sessions:
                await s.press_play()
            while not stop[0]:
                await asyncio.sleep(0.2)
            for s in sessions:
                await s.close()
            for t in tasks:
                t.cancel()
        asyncio.run(go())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    return thread, stop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--training", type=int, default=10, help="light clients training MNIST meanwhile")
    ap.add_argument("--visits", type=int, default=4, help="fresh browser visits through each nginx")
    ap.add_argument("--page", default="mnist")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arrival-"))
    replica, port = class_load.start_server(ROOT, [], work / "replica.log")
    procs = [replica]
    try:
        base = nginx_config((ROOT / "deploy" / "nginx.conf").read_text(), [port], 0, work)
        base = base.replace("listen 127.0.0.1:0;", "listen 127.0.0.1:PORT;")
        cache_only, n_preload = WITHOUT_PRELOAD.subn("", base)
        bare, n_cache = WITHOUT_CACHE.subn("\n", cache_only)
        assert (n_preload, n_cache) == (1, 1), "deploy/nginx.conf changed shape: update WITHOUT_* here"
        variants = {}
        for i, (name, text) in enumerate((("shipped nginx (cache + preload)", base),
                                          ("nginx with the cache, no preload", cache_only),
                                          ("nginx passing everything to the replica", bare))):
            proc, url = start_nginx(text.replace(str(work), str(work / f"nginx{i}")), work / f"nginx{i}")
            procs.append(proc)
            variants[name] = url
        thread, stop = class_in_background(f"http://127.0.0.1:{port}", args.training)
        time.sleep(8.0)  # the class is training
        results = {name: [] for name in variants}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            for url in variants.values():  # a first visitor fills the cache (the lecturer)
                latency.first_load(browser, url, args.page)
            for _ in range(args.visits):
                for name, url in variants.items():
                    results[name].append(latency.first_load(browser, url, args.page))
            browser.close()
        stop[0] = True
        thread.join(30)
        load = os.getloadavg()[0]
        print(f"{args.training} sessions training MNIST on one replica; {args.visits} fresh visits of /{args.page} "
              f"each (machine load average {load:.1f})")
        for name, rows in results.items():
            parts = []
            for key in ("first element s", "grey placeholders s"):
                values = [r[key] for r in rows if r.get(key) is not None]
                if values:
                    parts.append(f"{key} median {statistics.median(values):.2f} "
                                 f"({min(values):.2f}–{max(values):.2f})")
            print(f"  {name}: " + " | ".join(parts))
    finally:
        for proc in reversed(procs):
            latency.stop(proc)


if __name__ == "__main__":
    main()
