"""A whole class at once: N sessions open the app and press Play on one server.

    python benchmarks/class_load.py --sessions 1 5 10          # N = 1, 5, 10, 60 s of training each
    python benchmarks/class_load.py --sessions 30 --seconds 60 --app-dir /tmp/before   # another checkout

Starts `streamlit run streamlit_app.py` (hosted defaults, NNLIB_HOSTED=1) for each N, then N light
clients that speak Streamlit's own websocket protocol (the browser's part without the browser: no
HTML, no JavaScript, no drawing; `websockets` comes with Streamlit). Three of every four sessions
open /mnist?epochs=50, the fourth /mlp; each presses Play (the widget keyed `<page>_play`), then
re-runs the training fragment every time the server asks for it, as the browser's timer does.

Printed per N: first render (connect → first script run finished, each session; median and max),
epochs per MNIST session after --seconds of training (min / median / max, fairness max/min, total
per minute), server CPU use while training (cores), server RSS (before — after the lecturer's own
visit, each page trained for 5 s —, peak, right after the tabs close, --after seconds later, and once
Streamlit has released the closed sessions: --ttl, its server.disconnectedSessionTTL, plus one
collection of ui/load.py), and the server CPU the closed ("abandoned") tabs still cost.

``--smaps-dir DIR`` also saves the server's /proc/<pid>/smaps before the class and once it is released;
``benchmarks/smaps_diff.py`` says by which kind of mapping the memory differs.

The machine this was written on has 2 cores shared with other jobs: figures are noisy; compare
runs made one after the other, and run N = 20, 30 sparingly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
NUMBER = re.compile(r"\d+")
FINAL_EPOCH = 50  # the sessions open /mnist?epochs=50: a run stops there


# -- the server ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app_dir: Path, extra: list[str], log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", *extra]
    env = {**os.environ, "NNLIB_HOSTED": "1"}
    proc = subprocess.Popen(cmd, cwd=app_dir, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"streamlit exited ({proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, port
        except OSError:
            time.sleep(0.3)
    sys.exit(f"streamlit did not start; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """The process's resident memory in MB (``field="RssAnon"``: its heap and other anonymous memory only,
    without the pages of shared libraries it has touched)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- one session: Streamlit's websocket protocol ---------------------------------------------------

class Session:
    """One visitor: opens a page, presses Play, keeps the training fragment's timer going."""

    def __init__(self, url: str, page: str, query: str, play_key: str):
        self.url, self.page, self.query, self.play_key = url, page, query, play_key
        self.first_render: float | None = None
        self.epochs = 0
        self.played_at: float | None = None  # when Play was pressed (time.monotonic)
        self.last_epoch_at: float | None = None  # when the epoch counter last went up
        self.page_hash = ""
        self.play_id: str | None = None
        self.play_label = ""
        self.timers: dict[str, asyncio.Task] = {}
        self.finished = asyncio.Event()
        self.ws = None
        self.errors: list[str] = []
        self.events: list[tuple] = []  # (seconds since opening, message kind, ...): for debugging

    async def send_rerun(self, *, trigger: str | None = None, fragment_id: str = "") -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_hash
        cs.page_name = "" if self.page_hash else self.page
        if fragment_id:
            cs.fragment_id = fragment_id
            cs.is_auto_rerun = True
        if trigger:
            w = cs.widget_states.widgets.add()
            w.id = trigger
            w.trigger_value = True
        await self.ws.send(msg.SerializeToString())

    async def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.send_rerun(fragment_id=fragment_id)

    def _on_delta(self, delta) -> None:
        if not delta.HasField("new_element"):
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind == "button" and el.button.id.endswith(self.play_key):
            self.play_id, self.play_label = el.button.id, el.button.label
        elif kind == "metric" and el.metric.label.lower().startswith("epoch"):
            m = NUMBER.search(el.metric.body)
            if m:
                if int(m.group()) > self.epochs:
                    self.epochs, self.last_epoch_at = int(m.group()), time.monotonic()
        elif kind == "exception":
            self.errors.append(el.exception.message[:200])

    async def run(self, opened: float) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                      open_timeout=120, ping_interval=None) as ws:
            self.ws = ws
            await self.send_rerun()
            async for raw in ws:
                fm = ForwardMsg()
                fm.ParseFromString(raw)
                kind = fm.WhichOneof("type")
                if kind in ("new_session", "script_finished", "auto_rerun", "stop_auto_rerun"):
                    self.events.append((round(time.monotonic() - opened, 2), kind, fm.script_finished,
                                        list(fm.metadata.run.fragment_ids)))
                if kind == "navigation":  # st.navigation says which page this is (the hash to send back)
                    self.page_hash = fm.navigation.page_script_hash
                elif kind == "page_info_changed":  # the app rewrote the address bar (share links)
                    self.query = fm.page_info_changed.query_string
                elif kind == "new_session":
                    if not fm.metadata.run.fragment_ids:  # a full run: the browser drops its timers
                        for task in self.timers.values():
                            task.cancel()
                        self.timers.clear()
                elif kind == "delta":
                    self._on_delta(fm.delta)
                elif kind == "auto_rerun":
                    fid = fm.auto_rerun.fragment_id
                    if fid not in self.timers:
                        self.timers[fid] = asyncio.create_task(self._auto_rerun(fid, fm.auto_rerun.interval))
                elif kind == "stop_auto_rerun":
                    for fid in fm.stop_auto_rerun.fragment_ids or list(self.timers):
                        task = self.timers.pop(fid, None)
                        if task:
                            task.cancel()
                elif kind == "script_finished":
                    complete = fm.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY  # not cut for a rerun
                    if self.first_render is None and complete and self.play_id is not None:  # the lesson is shown
                        self.first_render = time.monotonic() - opened
                        self.finished.set()

    async def press_play(self) -> None:
        if self.play_id is None:
            self.errors.append("no Play button")
            return
        self.played_at = time.monotonic()
        await self.send_rerun(trigger=self.play_id)

    async def close(self) -> None:
        for task in self.timers.values():
            task.cancel()
        if self.ws is not None:
            await self.ws.close()


# -- one measurement ---------------------------------------------------------------------------------

def layout(n: int) -> list[tuple[str, str, str]]:
    """(page, query, play key) for each of n sessions: three of four on MNIST, the fourth on the MLP."""
    return [("mlp", "", "mlp_play") if i % 4 == 3 else ("mnist", "epochs=50", "mnist_play") for i in range(n)]


def save_smaps(pid: int, path: Path | None) -> None:
    """A copy of /proc/<pid>/smaps (every mapping's size, Rss, Anonymous...) to diff by mapping later
    (``benchmarks/smaps_diff.py``); nothing when ``path`` is None."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Path(f"/proc/{pid}/smaps").read_text())


async def measure(n: int, url: str, pid: int, seconds: float, after: float, ttl: float,
                  smaps: Path | None = None) -> dict:
    rss0, anon0, samples = rss_mb(pid), rss_mb(pid, "RssAnon"), []
    save_smaps(pid, smaps and smaps / f"n{n}_before.smaps")
    sessions = [Session(url, *spec) for spec in layout(n)]
    load0 = os.getloadavg()[0]
    opened, cpu_open = time.monotonic(), cpu_seconds(pid)
    tasks = [asyncio.create_task(s.run(opened)) for s in sessions]

    async def sample():
        while True:
            samples.append(rss_mb(pid))
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    try:
        await asyncio.wait_for(asyncio.gather(*(s.finished.wait() for s in sessions)), 180)
    except TimeoutError:
        pass
    renders = sorted(s.first_render for s in sessions if s.first_render is not None)
    cpu_render = (cpu_seconds(pid) - cpu_open) / max(1, len(renders))
    await asyncio.sleep(1.0)  # let the last page settle before pressing Play
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    for s in sessions:
        await s.press_play()
    await asyncio.sleep(seconds)
    cpu_train = (cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
    epochs = [s.epochs for s in sessions if s.page == "mnist"]
    # epochs per minute of each MNIST session while it trained: a run that reached its last epoch (50)
    # before the time was up counts until that epoch, not until the end
    rates = [60 * s.epochs / max(1e-9, min(s.last_epoch_at if s.epochs >= FINAL_EPOCH else t0 + seconds,
                                        t0 + seconds) - s.played_at)
             for s in sessions if s.page == "mnist" and s.played_at is not None and s.epochs]
    errors = [e for s in sessions for e in s.errors]
    for s in sessions:
        await s.close()
    for t in tasks:
        t.cancel()
    await asyncio.sleep(2.0)
    rss_close = rss_mb(pid)
    # the closed tabs: what they still cost (Streamlit keeps a disconnected session ~2 min)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(min(10.0, after))
    cpu_abandoned = (cpu_seconds(pid) - cpu1) / (time.monotonic() - t1)
    await asyncio.sleep(max(0.0, after - 10.0))
    rss_after = rss_mb(pid)
    # Streamlit frees a closed session after server.disconnectedSessionTTL (a phone that slept reconnects to
    # its model within it); ui/load.py's collector drops expired ones every 20 s and hands the memory back.
    await asyncio.sleep(max(0.0, ttl + load_collect_every() + 5.0 - (time.monotonic() - t1) - 2.0))
    sampler.cancel()
    save_smaps(pid, smaps and smaps / f"n{n}_released.smaps")
    return {"rss_released": rss_mb(pid), "ttl": ttl, "anon0": anon0, "anon_released": rss_mb(pid, "RssAnon"),
        "cpu_render": cpu_render, "load": (load0 + os.getloadavg()[0]) / 2,
        "rate": sum(rates), "n": n, "renders": renders, "opened": len(renders), "epochs": epochs,
        "cpu_train": cpu_train,
        "cpu_abandoned": cpu_abandoned, "rss0": rss0, "rss_peak": max(samples, default=rss0),
        "rss_close": rss_close, "rss_after": rss_after, "errors": errors, "seconds": seconds,
    }


def report(r: dict, single: float | None) -> str:
    e = r["epochs"] or [0]
    ren = r["renders"] or [float("nan")]
    fair = max(e) / min(e) if min(e) > 0 else float("inf")
    per_min = r["rate"]
    share = f" ({per_min / single:.0%} of one session alone)" if single else ""
    lines = [
        f"N = {r['n']} [{r['label']}] (machine load average {r['load']:.1f}): {r['opened']}/{r['n']} pages "
        f"rendered; first render median {statistics.median(ren):.2f} s, max {max(ren):.2f} s, "
        f"{r['cpu_render'] * 1000:.0f} ms server CPU each",
        f"  MNIST epochs per session in {r['seconds']:.0f} s: min {min(e)}, median {statistics.median(e):g}, "
        f"max {max(e)}; max/min {fair:.2f}; total {per_min:.0f} epochs/min{share}",
        f"  server CPU while training {r['cpu_train']:.2f} cores; after the tabs closed {r['cpu_abandoned']:.2f} cores",
        f"  RSS MB: before {r['rss0']:.0f}, peak {r['rss_peak']:.0f}, at close {r['rss_close']:.0f}, "
        f"after {r['after']:.0f} s {r['rss_after']:.0f} ({r['rss_after'] / r['rss0'] - 1:+.0%} vs before); "
        f"once Streamlit released the closed sessions ({r['ttl']:.0f} s TTL) {r['rss_released']:.0f} "
        f"({r['rss_released'] / r['rss0'] - 1:+.0%}); of it anonymous (heap) memory {r['anon0']:.0f} before, "
        f"{r['anon_released']:.0f} at the end",
    ]
    if r["errors"]:
        lines.append(f"  errors on the pages: {r['errors'][:3]}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20, 30])
    ap.add_argument("--seconds", type=float, default=60.0, help="training time after everyone pressed Play")
    ap.add_argument("--after", type=float, default=60.0, help="wait after the tabs close before reading RSS")
    ap.add_argument("--app-dir", type=Path, action="append",
                    help="checkout holding streamlit_app.py (default: this one); give two to compare them, "
                         "measured one after the other for each N")
    ap.add_argument("--ttl", type=float, default=120.0,
                    help="server.disconnectedSessionTTL in seconds (Streamlit's default 120): how long a closed tab's "
                         "session is kept for a reconnect")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra `streamlit run` argument, e.g. --server-arg=--runner.postScriptGC=true")
    ap.add_argument("--classes", type=int, default=1,
                    help="classes one after the other on the same server (each waits until the previous one's "
                         "sessions are released): the second shows what the first left behind")
    ap.add_argument("--smaps-dir", type=Path,
                    help="save the server's /proc/<pid>/smaps before each class and once it is released, as "
                         "DIR[/<app dir's name>][/c<class>]/n<N>_before.smaps and n<N>_released.smaps "
                         "(compare them with benchmarks/smaps_diff.py)")
    args = ap.parse_args()
    single: dict[Path, float] = {}
    for n in args.sessions:
        for app_dir in args.app_dir or [REPO]:
            app_dir = app_dir.resolve()
            log = Path(f"/tmp/class_load_server_{n}.log")
            proc, port = start_server(app_dir, [f"--server.disconnectedSessionTTL={args.ttl:g}", *args.server_arg],
                                      log)
            try:
                # a warm server: one visit first (datasets loaded, modules imported), as after the lecturer's own
                asyncio.run(_warm(f"http://127.0.0.1:{port}"))
                results = []
                for k in range(args.classes):
                    smaps = args.smaps_dir
                    if smaps and len(args.app_dir or []) > 1:
                        smaps = smaps / app_dir.name
                    if smaps and args.classes > 1:
                        smaps = smaps / f"c{k + 1}"
                    results.append(asyncio.run(measure(n, f"http://127.0.0.1:{port}", proc.pid, args.seconds,
                                                       args.after, args.ttl, smaps)))
                    results[-1]["label"] = str(app_dir) + (f", class {k + 1} of {args.classes}" if args.classes > 1
                                                           else "")
            finally:
                stop_server(proc)
            for r in results:
                r["after"] = args.after
                if n == 1:
                    single.setdefault(app_dir, r["rate"])
                print(report(r, single.get(app_dir)), flush=True)


async def _warm(url: str) -> None:
    """The lecturer's own visit before the class: each page opened and trained for a few seconds (modules
    imported, datasets and process-wide caches filled, BLAS buffers touched). RSS "before" is taken after it;
    these two closed sessions (~3 MB each) are still held then and freed by the end."""
    for page, query, key in (("mnist", "epochs=50", "mnist_play"), ("mlp", "", "mlp_play")):
        s = Session(url, page, query, key)
        task = asyncio.create_task(s.run(time.monotonic()))
        await asyncio.wait_for(s.finished.wait(), 180)
        await s.press_play()
        await asyncio.sleep(5.0)
        await s.close()
        task.cancel()
    await asyncio.sleep(1.0)


def load_collect_every() -> float:
    sys.path.insert(0, str(REPO))
    from ui.load import COLLECT_EVERY

    return COLLECT_EVERY


if __name__ == "__main__":
    main()
