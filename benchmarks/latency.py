"""Browser latency of the live training pages (issue 12): printed, never asserted.

For each training page this starts ``streamlit run`` from ``--app-dir`` (default: this checkout),
opens it in headless Debian chromium (Playwright, 1280×800) and, sampling the page every 20 ms:

* first update  — Play clicked → the epoch counter or the progress bar first moves;
* control → url — the learning-rate slider moved one notch while playing → the page's share
                  link (the address bar, written at the end of the page's run) carries the new
                  value, i.e. the whole page has run with it (an upper bound on both versions:
                  the new rate is in force from the top of that run);
* control → lr  — the same, until the progress bar reads the new "lr" (the rate training uses;
                  only where the progress bar shows it);
* pause         — Pause clicked while playing → the button reads Resume *and* training has
                  stopped (the time of the last epoch/progress change after the click);
* pause button  — the same, until the button reads Resume (a run that was already over when
                  Pause was due counts as "never": the page's speed in ``PAGES`` keeps it going);
* busy          — the share of the playing time the browser's main thread spent in long tasks
                  (PerformanceObserver ``longtask``, tasks over 50 ms);
* counter lag   — epochs by which the Epoch metric trails the progress bar while playing (p95, max
                  of the samples between Play and Pause);
* stale/dimmed  — the share of samples (every 200 ms while playing) in which some element is
                  marked ``data-stale="true"`` / has a computed opacity below 1 (visible
                  elements: an empty placeholder has no height).

and, on a fresh visit (a new session) before all that:

* first element — navigation start → the first real element of the page is on screen;
* app skeleton  — how long Streamlit's grey page skeleton (``stAppSkeleton``, which its frontend
                  shows when no element has arrived 500 ms after the app mounted) was on screen;
* grey placeholders — from the first to the last sample showing a grey element placeholder
                  (``stSkeleton``: a widget or chart whose frontend code is still loading) that can be
                  seen (not transparent: the app's style delays them by a second, once it has arrived).

Then, for MNIST, the share of wall-clock time spent training: epochs per minute in the app
(epochs 1 → N, so page start-up does not count) against ``nnlib.train`` alone on the same
settings in this process.

Run ``python benchmarks/latency.py`` (this checkout) and ``--app-dir /tmp/main-copy`` (another
checkout, e.g. ``git worktree add /tmp/main-copy main``) in the same conditions and compare.
The machine may be shared: repeat (``--repeat``) and read the medians.
"""

from __future__ import annotations

import argparse
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

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]

# name: (path and query, Play key, learning-rate slider's CSS class, speed option or None for auto)
# A fast page gets a slower speed, so that its run is still going when Pause is clicked ~8 s after Play
# (the logistic page's 200 epochs at "auto", 10 epochs per redraw, are over in about 5 s; the playground's
# 2000 in about 8 s on an idle machine).
PAGES = {
    "logistic": ("logistic_1d?epochs=200", "logistic_play", "st-key-logistic-lr", "2 epochs/redraw"),
    "neuron": ("single_neuron?epochs=5000", "neuron_play", "st-key-neuron-lr", "25 epochs/redraw"),
    "playground": ("mlp?section=playground&g_epochs=2000", "mlp_play", "st-key-mlp-g_lr", "10 epochs/redraw"),
    "mnist": ("mnist", "mnist_play", "st-key-mnist-lr", None),
}

SAMPLER = """
() => {
  window.__samples = []; window.__longtasks = [];
  try {
    new PerformanceObserver(list => { for (const e of list.getEntries())
      window.__longtasks.push([e.startTime, e.duration]); }).observe({type: 'longtask', buffered: false});
  } catch (e) {}
  let n = 0;
  window.__timer = setInterval(() => {
    const value = document.querySelector('[data-testid="stMetricValue"]');
    const box = document.querySelector('[data-testid="stProgress"]');
    const bar = box && box.querySelector('[role="progressbar"]');
    const play = document.querySelector('.st-key-%(key)s button');
    const s = {t: performance.now(), epoch: value ? value.innerText : '',
               progress: bar ? bar.getAttribute('aria-valuenow') + '|' + box.innerText : '',
               button: play ? play.innerText : '', url: location.search};
    if (n++ %% 10 === 0) {
      // visible elements only: an empty placeholder has no height and cannot look dimmed
      s.stale = Array.from(document.querySelectorAll('[data-stale="true"]')).filter(e => e.offsetHeight > 0).length;
      let dim = 0;
      for (const el of document.querySelectorAll('[data-testid="stElementContainer"]')) {
        if (el.offsetHeight > 0 && parseFloat(getComputedStyle(el).opacity) < 0.99) dim++;
      }
      s.dim = dim;
    }
    window.__samples.push(s);
  }, 20);
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# One BLAS thread for the app's server and for nnlib.train alone: the same conditions (and, on a
# shared machine, no threads spinning against each other: two threads ran 4× slower here).
ONE_THREAD = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def serve(app_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log, "w") as out:
        server = subprocess.Popen(cmd, cwd=app_dir, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                  env=ONE_THREAD)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return server, url
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise RuntimeError(f"streamlit did not start; see {log}")


def stop(server: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if server.poll() is not None:
            return
        try:
            os.killpg(server.pid, sig)
            server.wait(wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    time.sleep(1.0)


def now(page) -> float:
    return page.evaluate("performance.now()")


def click(page, selector: str) -> float:
    """Click in the page and return the click's performance.now()."""
    return page.evaluate("s => { const t = performance.now(); document.querySelector(s).click(); return t; }",
                         selector)


def progress_key(s: dict) -> tuple:
    return s["epoch"], s["progress"]


def measure_page(browser, url: str, name: str, play_s: float = 4.0) -> dict:
    path, key, lr_class, speed = PAGES[name]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{url}/{path}")
        wait_idle(page)
        page.wait_for_selector(f".st-key-{key} button")
        if speed:
            page.locator(f".st-key-{key.replace('_play', '_speed')}").first.click()
            page.get_by_role("option", name=speed, exact=True).click()
            wait_idle(page)
        page.evaluate(SAMPLER % {"key": key})
        time.sleep(0.3)
        button = f".st-key-{key} button"
        t_play = click(page, button)
        time.sleep(play_s)
        # control change: one notch up on the learning-rate slider
        url_before = page.evaluate("location.search")
        slider = page.locator(f".{lr_class} input[type='range'], .{lr_class} [role='slider']").first
        slider.focus()
        t_ctrl = now(page)
        slider.press("ArrowRight")
        time.sleep(play_s)
        new_lr = slider.get_attribute("aria-valuetext") or slider.get_attribute("aria-valuenow") or ""
        finished = "pause" not in page.locator(button).first.inner_text().lower()
        t_pause = click(page, button)
        time.sleep(6.0)
        samples = page.evaluate("window.__samples")
        longtasks = page.evaluate("window.__longtasks")
    finally:
        context.close()

    before_play = [s for s in samples if s["t"] < t_play]
    start_key = progress_key(before_play[-1]) if before_play else None
    first = next((s["t"] - t_play for s in samples if s["t"] > t_play and progress_key(s) != start_key), None)
    ctrl = next((s["t"] - t_ctrl for s in samples if s["t"] > t_ctrl and s["url"] != url_before), None)
    ctrl_lr = next((s["t"] - t_ctrl for s in samples if s["t"] > t_ctrl and f"lr {new_lr}" in s["progress"]), None)
    after = [s for s in samples if s["t"] >= t_pause]
    flipped = next((s["t"] - t_pause for s in after if "pause" not in s["button"].lower()), None)
    last_change, prev = 0.0, (progress_key(after[0]) if after else None)
    for s in after[1:]:
        if progress_key(s) != prev:
            last_change, prev = s["t"] - t_pause, progress_key(s)
    pause = None if flipped is None or finished else max(flipped, last_change)
    playing = [s for s in samples if t_play <= s["t"] < t_pause and "stale" in s]
    lags = [lag for s in samples if t_play <= s["t"] < t_pause and (lag := counter_lag(s)) is not None]
    window = t_pause - t_play
    busy = sum(max(0.0, min(st + d, t_pause) - max(st, t_play)) for st, d in longtasks) / window
    return {
        "first update s": None if first is None else first / 1000,
        "control→url s": None if ctrl is None else ctrl / 1000,
        "control→lr s": None if ctrl_lr is None else ctrl_lr / 1000,
        "pause s": None if pause is None else pause / 1000,
        "pause button s": None if flipped is None or finished else flipped / 1000,
        "busy %": 100 * busy,
        "longest task s": max((d for _, d in longtasks), default=0.0) / 1000,
        "stale %": 100 * sum(s["stale"] > 0 for s in playing) / max(len(playing), 1),
        "dimmed %": 100 * sum(s["dim"] > 0 for s in playing) / max(len(playing), 1),
        "counter lag p95": sorted(lags)[int(0.95 * len(lags))] if lags else None,
        "counter lag max": max(lags, default=None),
    }


def counter_lag(sample: dict) -> int | None:
    """Epochs by which the Epoch metric ("40 / 200") trails the progress bar's count of finished epochs
    in one sample: "41 of 200 epochs · lr 0.03" (41 finished) or, inside an epoch, "Epoch 42 of 200 ·
    batch 3 of 7 · lr 0.03" (41 finished)."""
    metric = re.match(r"\s*(\d+)", sample["epoch"])
    text = sample["progress"].split("|", 1)[-1]
    first = re.search(r"\d+", text)
    if metric is None or first is None:
        return None
    finished = int(first.group()) - (1 if "batch" in text else 0)
    return finished - int(metric.group(1))


FIRST_LOAD = """
(() => {
  window.__load = [];
  const visible = sel => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetHeight > 0);
  // a placeholder is seen when it, and every box around it, is not (nearly) transparent: the app's style
  // keeps a placeholder transparent for its first second (ui/style.PLACEHOLDER_CSS)
  const seen = sel => visible(sel).filter(e => {
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (parseFloat(s.opacity) < 0.1 || s.visibility === 'hidden') return false;
    }
    return true;
  });
  const sample = () => {
    // a real element: a visible element container that is not (or does not hold) a grey skeleton
    const real = visible('[data-testid="stMain"] [data-testid="stElementContainer"]')
      .some(e => !e.querySelector('[data-testid*="Skeleton"]'));
    window.__load.push([performance.now(), visible('[data-testid="stAppSkeleton"]').length > 0, real,
                        seen('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]').length]);
    if (window.__load.length < 1500) setTimeout(sample, 20);
  };
  sample();
})()
"""


def first_load(browser, url: str, path: str) -> dict:
    """A fresh visit (new browser context: a new session, an empty browser cache), sampled every
    20 ms from navigation start: when the page's first real element appeared, how long
    Streamlit's grey app skeleton (``stAppSkeleton``, shown when no element has arrived 500 ms
    after the app mounted) was on screen, and how long any grey element placeholder
    (``stSkeleton``: a widget or chart whose code is still loading) was."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.add_init_script(FIRST_LOAD)
    try:
        page.goto(f"{url}/{path}")
        wait_idle(page)
        samples = page.evaluate("window.__load")
    finally:
        context.close()
    first = next((t for t, _app, real, _n in samples if real), None)
    app = [t for t, shown, _real, _n in samples if shown]
    grey = [t for t, _app, _real, n in samples if n]
    return {"first element s": None if first is None else first / 1000,
            "app skeleton s": (app[-1] - app[0] + 20) / 1000 if app else 0.0,
            "grey placeholders s": (grey[-1] - grey[0] + 20) / 1000 if grey else 0.0}


def mnist_training_share(browser, url: str, app_dir: Path, subset: int = 10000, epochs: int = 10,
                         speed: str | None = None) -> dict:
    """Epochs per minute in the app (epoch 1 → ``epochs``) vs nnlib.train alone, same settings.
    ``speed``: the speed option to pick first (its label), None for the page's "auto"."""
    alone_before = nnlib_alone(app_dir, subset, epochs)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(300_000)
    try:
        page.goto(f"{url}/mnist?subset={subset}&epochs={epochs}")
        wait_idle(page)
        if speed:
            page.locator(".st-key-mnist_speed").first.click()
            page.get_by_role("option", name=speed, exact=True).click()
            wait_idle(page)
        page.evaluate(SAMPLER % {"key": "mnist_play"})
        click(page, ".st-key-mnist_play button")
        page.wait_for_function(
            f"document.querySelector('[data-testid=\"stMetricValue\"]').innerText.trim().startsWith('{epochs} ')",
            timeout=300_000)
        samples = page.evaluate("window.__samples")
    finally:
        context.close()

    def reached(n):
        """When the progress bar (its value: epochs done / target, to the batch where the page
        shows batches) first reached ``n`` epochs."""
        for s in samples:
            value = s["progress"].split("|")[0]
            if value not in ("", "null") and float(value) / 100 * epochs >= n - 1e-6:
                return s["t"]
        raise RuntimeError(f"the progress bar never reached {n} epochs")

    app_s = (reached(epochs) - reached(1)) / 1000 / (epochs - 1)
    alone_s = (alone_before + nnlib_alone(app_dir, subset, epochs)) / 2  # before and after: the load drifts
    return {"app s/epoch": app_s, "nnlib.train alone s/epoch": alone_s, "training share %": 100 * alone_s / app_s}


def nnlib_alone(app_dir: Path, subset: int, epochs: int) -> float:
    """Seconds per epoch (epochs 2..N) of nnlib.train on the MNIST page's default settings, run in
    a subprocess importing ``app_dir``'s own nnlib and ui.mnist_setup."""
    code = f"""
import time, nnlib
from nnlib.mnist import load_mnist
from ui import mnist_setup as setup
s = setup.Settings(sizes=(100, 200), activation="relu", lr=0.1, batch_size=512, epochs={epochs}, optimizer="sgd",
                   subset={subset}, scale=0.1, precision="float64", gradient="fused", full_pass=True, seed=0)
data = load_mnist()
train = data.subset({subset}, 0)
model, loss, rng = setup.build(s)
kw = setup.train_kwargs(s, rng, data.flat_test, data.y_test)
opt = nnlib.make_optimizer("sgd", model, 0.1)
times = []
for rec in nnlib.train(model, loss, opt, train.flat_train, setup.targets(s, train.y_train), epochs={epochs}, **kw):
    times.append(time.perf_counter())
print((times[-1] - times[0]) / (len(times) - 1))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=app_dir, capture_output=True, text=True, check=True,
                         env=ONE_THREAD)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help="none: only the MNIST training share")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-share", action="store_true", help="skip the MNIST training-share measurement")
    parser.add_argument("--share", type=lambda v: tuple(int(x) for x in (v + ":0").split(":")[:3]), nargs="*",
                        default=[(60000, 10, 0), (10000, 30, 0), (10000, 30, 10)],
                        help="training-share settings as IMAGES:EPOCHS[:EPOCHS_PER_REDRAW] (default: the post's "
                             "60,000 images, whose epochs the issue measured, and the 10,000 subset, whose short "
                             "epochs weigh any per-redraw cost six times more, at the speed 'auto' (its pace, one "
                             "epoch per 0.25 s redraw here, is close to the epoch time) and at 10 epochs per redraw)")
    parser.add_argument("--burn", type=int, default=0,
                        help="run this many CPU-bound processes meanwhile: a busy machine, the same for two runs")
    args = parser.parse_args()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.burn)]
    try:
        measure(args)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def measure(args) -> None:
    from playwright.sync_api import sync_playwright

    log = Path("/tmp") / f"latency-{os.getpid()}.log"
    server, url = serve(args.app_dir.resolve(), log)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox",
                                                                          "--disable-gpu"])
            print(f"app: {args.app_dir.resolve()}  (median of {args.repeat}; {args.burn} CPU burners; "
                  f"load average {os.getloadavg()[0]:.1f})")
            for name in [p for p in args.pages if p != "none"]:
                runs = [{**first_load(browser, url, PAGES[name][0]), **measure_page(browser, url, name)}
                        for _ in range(args.repeat)]
                cells = []
                for field in runs[0]:
                    values = [r[field] for r in runs if r[field] is not None]
                    if not values:  # never happened within the measuring window (6 s after the click)
                        cells.append(f"{field} none")
                        continue
                    med = statistics.median(values)
                    missed = f" ({len(runs) - len(values)} of {len(runs)} never)" if len(values) < len(runs) else ""
                    cells.append((f"{field} {med:.2f}" if "s" == field.split()[-1] else f"{field} {med:.0f}") + missed)
                print(f"{name:>10}: " + " | ".join(cells), flush=True)
            if not args.no_share:
                for subset, epochs, per_redraw in args.share:
                    speed = f"{per_redraw} epochs/redraw" if per_redraw else None
                    share = mnist_training_share(browser, url, args.app_dir.resolve(), subset, epochs, speed)
                    print(f"     mnist ({subset:,} images, epochs 1 → {epochs}, {speed or 'speed auto'}): "
                          + " | ".join(f"{k} {v:.2f}" for k, v in share.items()), flush=True)
            browser.close()
    finally:
        stop(server)


if __name__ == "__main__":
    main()
