"""The real app in headless Chromium: every page renders, every lesson trains.

Conventions the pages must follow for these tests to find things (see README, Tests):
- every page is a link in the *sidebar* navigation (`st.navigation`, default position);
  a lesson's URL path is its file name (`pages/mlp.py` -> `/mlp`);
- every page but the home page and the exercises draws at least one Altair chart;
- a lesson that trains has a Play button `st.button(..., key="<prefix>_play")`, shows
  `st.metric("Epoch …", n)` (a number, e.g. "3" or "3 / 20") and, if it has one,
  `st.metric("… loss …", value)`; while training runs, the same button reads "Pause" (text or
  the :material/pause: icon) and stops it.
Screenshots and the server log go to test-artifacts/e2e/.
"""

import re
import time
import urllib.parse

import pytest

pytestmark = pytest.mark.e2e

# (URL path of the page, key of its Play/Train button)
TRAINING_PAGES = [
    ("single_neuron", "neuron_play"),
    ("logistic_1d", "logistic_play"),
    ("mlp", "mlp_play"),
    ("mnist", "mnist_play"),
]

APP = "[data-testid='stApp']"
IDLE = f"{APP}[data-test-script-state='notRunning']"
EXCEPTION = "[data-testid='stException']"
CHART_DRAWN = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
PAGE_LOAD_TIMEOUT_MS = 120_000
TRAIN_TIMEOUT_S = 60.0
NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def wait_idle(page, timeout_ms=PAGE_LOAD_TIMEOUT_MS, settle_s=0.5, settle_limit_s=5.0):
    """Wait until the script is not running, then (best effort) until it stays so for settle_s."""
    page.wait_for_selector(IDLE, timeout=timeout_ms)
    end = time.monotonic() + settle_limit_s
    idle_since = time.monotonic()
    while time.monotonic() < end:
        if page.locator(IDLE).count() == 0:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= settle_s:
            return
        time.sleep(0.1)


def page_name(href):
    return urllib.parse.urlparse(href).path.strip("/").split("/")[-1] or "home"


def collect_nav(page, app_url):
    """[(name, absolute href)] of the sidebar navigation, in order; the home page is "home"."""
    page.goto(app_url + "/")
    wait_idle(page)
    more = page.locator("[data-testid='stSidebarNavViewButton']")
    if more.count() and "more" in more.first.inner_text().lower():
        more.first.click()
    links = page.locator("[data-testid='stSidebarNav'] a")
    hrefs = [
        urllib.parse.urljoin(app_url + "/", links.nth(i).get_attribute("href")) for i in range(links.count())
    ]
    return [(page_name(h), h) for h in hrefs]


def exception_texts(page):
    return page.locator(EXCEPTION).all_inner_texts()


def read_metric(page, label_part):
    """(found, value) of the first st.metric whose label contains label_part (any case).

    value is the first number in the metric's value ("3 / 20" -> 3.0), None when it has none.
    """
    for metric in page.locator("[data-testid='stMetric']").all():
        try:
            label = metric.locator("[data-testid='stMetricLabel']").inner_text(timeout=2_000)
            if label_part.lower() not in label.lower():
                continue
            text = metric.locator("[data-testid='stMetricValue']").inner_text(timeout=2_000)
        except Exception:  # the element was replaced by a rerun while we read it
            continue
        m = NUMBER.search(text)
        return True, (float(m.group().replace(",", "")) if m else None)
    return False, None


def pause(page, key):
    """Stop training: the Play button reads Pause while training runs."""
    play_button = page.locator(f".st-key-{key} button")
    if play_button.count() and re.search(r"pause|⏸", play_button.first.inner_text(), re.IGNORECASE):
        play_button.first.click()
        return True
    return False


@pytest.fixture(scope="module")
def nav_links(browser, app_url):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        return collect_nav(context.new_page(), app_url)
    finally:
        context.close()


def test_every_page_renders(page, app_url, artifacts_dir):
    nav = collect_nav(page, app_url)
    names = [name for name, _ in nav]
    assert len(nav) >= 4, f"expected the home page and the lessons in the sidebar nav, found {names}"

    problems = []
    for i, (name, href) in enumerate(nav):
        page.goto(href)
        wait_idle(page)
        if name not in ("home", "exercises"):
            try:
                page.locator(CHART_DRAWN).first.wait_for(timeout=15_000)
            except Exception:
                problems.append(f"{name}: no drawn Altair chart ([data-testid='stVegaLiteChart'])")
        for text in exception_texts(page):
            problems.append(f"{name}: exception on the page:\n{text}")
        page.screenshot(path=str(artifacts_dir / f"{i:02d}-{name}.png"), full_page=True)

    assert not problems, "\n".join(problems) + f"\n(screenshots in {artifacts_dir})"


@pytest.mark.parametrize(("slug", "key"), TRAINING_PAGES)
def test_training_page_trains(page, nav_links, artifacts_dir, slug, key):
    hrefs = dict(nav_links)
    if slug not in hrefs:
        pytest.skip(f"page not built yet: no /{slug} in the sidebar nav")
    page.goto(hrefs[slug])
    wait_idle(page)
    assert not exception_texts(page), f"/{slug} raised before training:\n{exception_texts(page)}"
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # importable: the fixtures ran

    play = page.locator(f".st-key-{key} button")
    try:  # a loaded machine may still be drawing the page after the first idle state
        play.first.wait_for(state="visible", timeout=PAGE_LOAD_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(f"/{slug} has no Play button keyed {key!r} (st.button(..., key={key!r}))")
    _, epoch0 = read_metric(page, "epoch")

    play.first.click()
    first_loss = None
    deadline = time.monotonic() + TRAIN_TIMEOUT_S
    while True:
        if page.locator(EXCEPTION).count():
            break
        has_epoch, epoch = read_metric(page, "epoch")
        has_loss, loss = read_metric(page, "loss")
        if first_loss is None:
            first_loss = loss
        trained = epoch is not None and epoch > (epoch0 or 0)
        loss_moved = not has_loss or (first_loss is not None and loss is not None and loss != first_loss)
        if trained and loss_moved:
            break
        if time.monotonic() > deadline:
            page.screenshot(path=str(artifacts_dir / f"train-{slug}-timeout.png"), full_page=True)
            assert has_epoch, f"/{slug} shows no st.metric labelled 'Epoch'"
            assert trained, f"/{slug}: the Epoch metric stayed at {epoch0} for {TRAIN_TIMEOUT_S:.0f} s"
            break  # trained, but the loss never moved: the assertion below says so
        time.sleep(0.25)

    paused = pause(page, key)
    wait_idle(page)
    page.screenshot(path=str(artifacts_dir / f"train-{slug}.png"), full_page=True)
    assert not exception_texts(page), f"/{slug} raised while training:\n{exception_texts(page)}"

    if paused:
        _, epoch_a = read_metric(page, "epoch")
        time.sleep(1.5)
        _, epoch_b = read_metric(page, "epoch")
        assert epoch_a == epoch_b, f"/{slug}: training went on after Pause (epoch {epoch_a} -> {epoch_b})"
    if first_loss is not None:
        _, final_loss = read_metric(page, "loss")
        assert final_loss is not None and final_loss < first_loss, (
            f"/{slug}: loss did not fall while training ({first_loss} -> {final_loss})"
        )


@pytest.mark.e2e
@pytest.mark.parametrize("server", ["app_url", "fast_rerun_app_url"])
def test_moving_the_learning_rate_mid_run_keeps_training(request, browser, server, artifacts_dir):
    """A slider moved while an epoch is being computed must neither stop the run ("generator
    already executing") nor break the charts: with fast reruns a second script thread starts
    before the first reaches its next st call."""
    url = request.getfixturevalue(server)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(url + "/mnist")  # 60 000 images: each tick trains ~1 s, a wide window for the race
        wait_idle(page)
        page.locator(".st-key-mnist_play button").first.click()
        deadline = time.monotonic() + TRAIN_TIMEOUT_S
        while (read_metric(page, "epoch")[1] or 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        slider = page.locator(".st-key-mnist-lr input[type='range']").first
        values = []
        for key in ("ArrowRight", "ArrowLeft"):  # 0.1 -> 0.3 -> 0.1, a moment apart, to land inside a tick
            slider.focus()
            slider.press(key)
            time.sleep(1.0)
            values.append(slider.get_attribute("aria-valuetext"))
        _, epoch_a = read_metric(page, "epoch")
        time.sleep(3.0)
        _, epoch_b = read_metric(page, "epoch")
        errors = page.locator("[data-testid='stAlertContentError']").all_inner_texts() + exception_texts(page)
        page.screenshot(path=str(artifacts_dir / f"lr-mid-run-{server}.png"))
        assert not errors, errors
        assert epoch_b > epoch_a, f"training stopped after the learning-rate change (epoch {epoch_a} -> {epoch_b})"
        assert values == ["0.3", "0.1"], f"the slider did not move as pressed: {values}"
        pause(page, "mnist_play")
    finally:
        context.close()


def test_keyboard_play_pause_and_step(page, app_url, artifacts_dir):
    """Enter on the focused Play button starts training and the focus stays on it (it now reads
    Pause), so a second Enter pauses; P toggles from anywhere, S steps."""
    page.goto(app_url + "/single_neuron?epochs=5000")
    wait_idle(page)
    play = page.locator(".st-key-neuron_play button").first
    play.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.innerText.includes('Pause')")
    page.keyboard.press("Enter")  # the same, still focused button pauses
    page.wait_for_function("document.activeElement && document.activeElement.innerText.includes('Resume')")
    wait_idle(page)
    _, paused = read_metric(page, "epoch")
    time.sleep(1.0)
    assert read_metric(page, "epoch")[1] == paused > 0
    page.mouse.click(5, 500)  # focus away from the button, then the shortcuts
    page.keyboard.press("s")
    deadline = time.monotonic() + 20
    while read_metric(page, "epoch")[1] != paused + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert read_metric(page, "epoch")[1] == paused + 1, "S did not step one epoch"
    page.keyboard.press("p")
    page.wait_for_selector(".st-key-neuron_play button:has-text('Pause')")
    page.keyboard.press("p")
    page.wait_for_selector(".st-key-neuron_play button:has-text('Resume')")
    page.screenshot(path=str(artifacts_dir / "keyboard.png"))
    assert not exception_texts(page)


@pytest.mark.e2e
def test_share_link_opened_first_on_a_fresh_server(browser, fresh_app_url, artifacts_dir):
    """A lecturer's link is often the very first request after the server starts: it must open the
    linked page with its settings, the lesson navigation and the wide layout — not Streamlit's
    plain pages-folder listing."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    try:
        page.goto(fresh_app_url + "/single_neuron?lr=0.1&epochs=200&preset=fast")
        wait_idle(page)
        titles = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
        assert any("Single neuron" in t for t in titles), titles  # our titles, not file names
        assert not any(t.strip() == "streamlit app" for t in titles), titles
        assert "single neuron" in page.locator("h1").first.inner_text().lower()
        assert page.locator("[data-testid='stMainBlockContainer']").bounding_box()["width"] > 1000  # wide
        epoch_text = page.locator("[data-testid='stMetricValue']").first.inner_text()
        assert epoch_text.strip().endswith("/ 200"), epoch_text  # the preset's 200 iterations
        assert not exception_texts(page)
        page.screenshot(path=str(artifacts_dir / "share-link-fresh-server.png"), full_page=False)
    finally:
        context.close()


def test_a_crafted_share_link_shows_its_values_as_plain_text(page, app_url, artifacts_dir):
    """Issue 11 §4: link values in the notice are text — no link, markup, maths, icon or code of the
    attacker's choosing — and a 5,000-character value is cut short."""
    attack = "[Session expired: log in](https://evil.example/login)"
    query = urllib.parse.urlencode({
        "fn": attack, "logits": "**bold** <b>html</b> `code` $x^2$ :red[red] :material/warning: www.evil.example",
        "x0": "9" * 5000, "compare": "![img](https://evil.example/a.png)"})
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{app_url}/activations?{query}")
        wait_idle(page)
        alerts = page.locator("[data-testid='stAlert']")
        assert alerts.count() >= 2  # the link notice and the logits warning
        text = " ".join(alerts.all_inner_texts()).replace("\u2060", "")  # invisible word joiners (ui.safe_text)
        assert f"fn={attack}" in text and "*bold*" in text and "<b>html</b>" in text and "$x^2$" in text, text
        assert "9" * 100 not in text and "…" in text
        assert alerts.locator("a, b, strong, em, code, img, .katex").count() == 0
        icons = alerts.locator("[data-testid='stIconMaterial']").all_inner_texts()
        assert "warning" not in icons, icons  # only the notice's own link_off icon
        assert page.locator("a[href*='evil.example']").count() == 0
        assert not exception_texts(page)
        page.screenshot(path=str(artifacts_dir / f"crafted-link-{width}.png"), full_page=False)
