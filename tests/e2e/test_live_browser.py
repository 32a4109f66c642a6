"""Real browser: while a page trains, nothing current dims and Pause (button or P) stops it
(issue 12). Timings are printed by benchmarks/latency.py; here only behaviour is asserted."""

import re
import time

import pytest
from test_browser import read_metric, wait_idle

pytestmark = pytest.mark.e2e

DIMMED = """() => Array.from(document.querySelectorAll('[data-testid="stElementContainer"]'))
  .filter(e => e.offsetHeight > 0 && parseFloat(getComputedStyle(e).opacity) < 0.99)
  .map(e => (e.querySelector('[data-testid]') || e).getAttribute('data-testid') + ': '
            + e.innerText.slice(0, 40).replace(/\\n/g, ' '))"""
PROGRESS = "() => { const p = document.querySelector('[data-testid=\"stProgress\"]'); return p ? p.innerText : ''; }"


def progress_text(page) -> str:
    return page.evaluate(PROGRESS)


@pytest.mark.parametrize("path, key, speed", [
    ("mnist?subset=10000&epochs=30", "mnist_play", "1 batch/redraw"),
    ("mlp?section=playground&g_epochs=2000", "mlp_play", "1 epoch/redraw"),
])
def test_nothing_dims_while_training_and_pause_stops_it(page, app_url, artifacts_dir, path, key, speed):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    # a slow speed (the speed control, a step smaller than an epoch on MNIST), so the run is
    # still going when the samples are taken
    page.locator(f".st-key-{key.replace('_play', '_speed')}").first.click()
    page.get_by_role("option", name=speed, exact=True).click()
    wait_idle(page)
    button = page.locator(f".st-key-{key} button").first
    button.click()
    page.wait_for_selector(f".st-key-{key} button:has-text('Pause')")
    # The click on Play ran the whole page once (on MNIST that takes a few seconds, and what it has
    # not redrawn yet dims meanwhile, as Streamlit does for any run); from then on only the live
    # area runs, and nothing may dim while it trains.
    time.sleep(1.5)  # a stale element starts to dim only after 0.5 s
    deadline = time.monotonic() + 60
    while page.evaluate(DIMMED) and time.monotonic() < deadline:
        time.sleep(0.2)
    dimmed, texts = [], set()
    for _ in range(25):
        dimmed += page.evaluate(DIMMED)
        texts.add(progress_text(page))
        time.sleep(0.2)
    page.screenshot(path=str(artifacts_dir / f"live-{key}.png"))
    assert not dimmed, f"dimmed while training: {sorted(set(dimmed))[:8]}"
    assert len(texts) > 3, f"the progress bar did not move while playing: {texts}"
    page.keyboard.press("p")  # the shortcut pauses from anywhere on the page
    page.wait_for_selector(f".st-key-{key} button:has-text('Resume')", timeout=10_000)
    wait_idle(page)  # the page run that Pause started has redrawn everything with the last numbers
    stopped = (read_metric(page, "epoch")[1], progress_text(page))
    time.sleep(2.0)
    assert (read_metric(page, "epoch")[1], progress_text(page)) == stopped, "training went on after Pause"
    assert re.search(r"lr \d", stopped[1]), f"the progress bar shows the learning rate in force: {stopped[1]!r}"


DIM_SAMPLER = ("() => { window.__dims = []; const dimmed = " + DIMMED + """;
  window.__dimTimer = setInterval(() => { const d = dimmed();
    if (d.length) window.__dims.push([Math.round(performance.now()), d]); }, 50); }""")


def test_mnist_play_and_pause_clicks_dim_nothing(page, app_url, artifacts_dir):
    """The clicks themselves run the whole MNIST page once. Streamlit dims what such a run has not
    redrawn 0.5 s after it started, so the run must reach the bottom of the page sooner: the
    *Look inside* section keeps the last pause's outputs while training plays (no 10,000-image
    pass on the Play click). Sampled every 50 ms from the Play click until the page is idle after
    Pause."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/mnist?subset=10000&epochs=30")
    wait_idle(page)
    page.locator(".st-key-mnist_speed").first.click()
    page.get_by_role("option", name="1 batch/redraw", exact=True).click()
    wait_idle(page)
    page.evaluate(DIM_SAMPLER)
    button = page.locator(".st-key-mnist_play button").first
    button.click()
    page.wait_for_selector(".st-key-mnist_play button:has-text('Pause')")
    time.sleep(3.0)  # the Play click's page run, then the live area's own runs
    button.click()
    page.wait_for_selector(".st-key-mnist_play button:has-text('Resume')", timeout=10_000)
    wait_idle(page)
    dims = page.evaluate("clearInterval(window.__dimTimer), window.__dims")
    page.screenshot(path=str(artifacts_dir / "live-mnist-clicks.png"))
    assert not dims, f"dimmed after a click ({len(dims)} samples): {sorted({d for _, ds in dims for d in ds})[:8]}"
    assert "epoch" in progress_text(page).lower(), "the run trained between the two clicks"

