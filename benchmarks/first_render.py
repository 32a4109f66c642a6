"""What a fresh session's first run of each page costs the server, and on what.

    python benchmarks/first_render.py                 # every page
    python benchmarks/first_render.py mnist mlp --top 25
    python benchmarks/first_render.py --server          # the real server's CPU per first render, no profile

For each page: one visit first (the server is warm: modules imported, datasets and other
process-wide caches filled, as after the lecturer's own visit), then fresh sessions that open the
page directly (Streamlit's AppTest, the same script run a browser's first visit triggers, in this
process). Prints the CPU seconds of each fresh first run (median of --repeat) and, under cProfile,
the functions of this repository (nnlib/, ui/, pages/) that took the most cumulative time, then the
biggest self-time functions overall. AppTest's own bookkeeping (it rebuilds the element tree in this
process) adds ~100 ms to every page, so ``--server`` measures the real thing as well: `streamlit run`
in a subprocess, and fresh sessions
of a small websocket client (benchmarks/class_load.py) opening each page one after the other; the
figure is the server process's CPU time from the connection to the end of the first script run.
The target (issue 17): at most 150 ms of server CPU per first render.
Timings on a shared machine are noisy; compare pages within one run.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NNLIB_HOSTED", "1")  # the shared-server defaults, as a class meets them

from streamlit.testing.v1 import AppTest  # noqa: E402

PAGES = ["home", "activations", "single_neuron", "logistic_1d", "mlp", "mnist"]


def first_run(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.switch_page(f"pages/{page}.py")
    at.run()
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].message}")
    return at


def cpu_of_first_run(page: str) -> float:
    t = time.process_time()
    first_run(page)
    return time.process_time() - t


def profile_script_thread(page: str) -> cProfile.Profile:
    """cProfile of the script run, which AppTest runs in a thread of its own."""
    prof = cProfile.Profile()

    def start(*_args):  # the first profile event of a new thread: hand that thread to cProfile
        sys.setprofile(None)
        if threading.current_thread().name != "MainThread":
            prof.enable()

    threading.setprofile(start)
    try:
        first_run(page)
    finally:
        threading.setprofile(None)
    return prof


def server_cpu(pages: list[str], repeat: int, app_dir: Path) -> list[tuple[str, float]]:
    """Median server CPU seconds of a fresh session's first render of each page (real server)."""
    import asyncio

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import class_load as cl

    proc, port = cl.start_server(app_dir, [], Path("/tmp/first_render_server.log"))
    url = f"http://127.0.0.1:{port}"

    async def visit(page: str) -> float:
        play = {"single_neuron": "neuron_play", "logistic_1d": "logistic_play", "mlp": "mlp_play",
                "mnist": "mnist_play"}.get(page)
        s = cl.Session(url, "" if page == "home" else page, "", play or "none")
        if play is None:
            s.play_id = "none"  # no Play button: the first complete run is the page
        cpu0 = cl.cpu_seconds(proc.pid)
        task = asyncio.create_task(s.run(time.monotonic()))
        await asyncio.wait_for(s.finished.wait(), 120)
        cpu = cl.cpu_seconds(proc.pid) - cpu0
        await s.close()
        task.cancel()
        await asyncio.sleep(0.3)
        return cpu

    async def run_all() -> list[tuple[str, float]]:
        out = []
        for page in pages:
            await visit(page)  # warm
            out.append((page, statistics.median([await visit(page) for _ in range(repeat)])))
        return out

    try:
        return asyncio.run(run_all())
    finally:
        cl.stop_server(proc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="*", default=PAGES)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--server", action="store_true", help="measure a real server's CPU instead of profiling")
    ap.add_argument("--app-dir", type=Path, default=ROOT, help="with --server: the checkout to serve")
    args = ap.parse_args()
    if args.server:
        print("page            first render, ms of server CPU (target <= 150), median of", args.repeat)
        for page, cpu in server_cpu(args.pages, args.repeat, args.app_dir.resolve()):
            print(f"  {page:14s} {cpu * 1000:6.0f}")
        return
    summary = []
    for page in args.pages:
        first_run(page)  # warm: imports and process-wide caches
        cpu = statistics.median(cpu_of_first_run(page) for _ in range(args.repeat))
        summary.append((page, cpu))
        stats = pstats.Stats(profile_script_thread(page))
        print(f"\n=== /{page}: first render {cpu * 1000:.0f} ms CPU (median of {args.repeat}) ===")
        rows = []
        for (file, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items():
            path = Path(file)
            if str(ROOT) in file and not path.name.startswith("first_render"):
                rows.append((ct, tt, f"{path.relative_to(ROOT)}:{line} {name}"))
        print("  this repository, by cumulative time (ms cum / ms self):")
        for ct, tt, where in sorted(rows, reverse=True)[: args.top]:
            print(f"    {ct * 1000:7.1f} {tt * 1000:7.1f}  {where}")
        overall = sorted(((v[2], f"{Path(k[0]).name}:{k[1]} {k[2]}") for k, v in stats.stats.items()), reverse=True)
        print("  everything, by self time (ms):")
        for tt, where in overall[: args.top // 2]:
            print(f"    {tt * 1000:7.1f}  {where}")
    print("\npage            first render, ms CPU (target <= 150)")
    for page, cpu in summary:
        print(f"  {page:14s} {cpu * 1000:6.0f}")


if __name__ == "__main__":
    main()
