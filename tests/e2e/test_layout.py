"""One screen on a projector, nothing wider than a phone: the real app in Chromium.

At 1280×800 (a common projector), with and without lecture mode, every training page shows its
Play button, its metrics row and its loss chart together, without scrolling. At 390 px (a phone)
nothing on any page is wider than the screen. Screenshots go to test-artifacts/e2e/layout-*.png.
"""

import pytest
from test_browser import TRAINING_PAGES, wait_idle

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHART = "[data-testid='stVegaLiteChart']"


def boxes(page, key):
    """Bounding boxes (viewport coordinates) of the Play button, the first metric after it and
    the first chart after it (the loss chart: the live area draws it first)."""
    return page.evaluate(
        """(key) => {
            const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
                                  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
            const play = document.querySelector(`.st-key-${key} button`);
            if (!play) return {play: null};
            const after = (sel) => [...document.querySelectorAll(sel)].find(
                el => el.getBoundingClientRect().top > play.getBoundingClientRect().top);
            return {play: box(play), metric: box(after("[data-testid='stMetric']")),
                    chart: box(after("[data-testid='stVegaLiteChart']"))};
        }""",
        key,
    )


# the playground (11 experiments, the clicking canvas) is its own layout
ONE_SCREEN_PAGES = [*TRAINING_PAGES, ("mlp?section=playground", "mlp_play")]


@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
@pytest.mark.parametrize(("slug", "key"), ONE_SCREEN_PAGES)
def test_play_metrics_and_loss_chart_fit_one_projector_screen(browser, app_url, artifacts_dir, slug, key, lecture):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{app_url}/{slug}" + (("&" if "?" in slug else "?") + "lecture=1" if lecture else ""))
        wait_idle(page)
        page.locator(f".st-key-{key} button").first.wait_for(state="visible")
        prefix = key.removesuffix("_play")
        # as a lecturer: once as the page opens, once with the first experiment (preset) chosen and its
        # text shown above the buttons; each time after one Step, so the loss chart has curve and axes
        for moment in ("open", "preset"):
            if moment == "preset":
                listed = page.locator(f".st-key-{prefix}_preset_choice input")  # many presets: a drop-down
                if listed.count():
                    page.mouse.move(0, 0)  # the Step button's tooltip would cover the list
                    page.wait_for_timeout(500)
                    listed.click()
                    page.locator("[role='option']:visible").first.click()
                else:
                    page.locator(f"[class*='st-key-{prefix}_preset_'] button").first.click()
                page.wait_for_timeout(500)
                wait_idle(page)
            page.locator(f".st-key-{prefix}_step button").first.click()
            page.wait_for_timeout(500)
            wait_idle(page)
            page.locator(CHART).first.wait_for(state="visible")
            found = boxes(page, key)
            mode = "lecture" if lecture else "normal"
            name = slug.replace("?section=", "-")
            page.screenshot(path=str(artifacts_dir / f"layout-{name}-{mode}-{moment}.png"))
            for part in ("play", "metric", "chart"):
                b = found.get(part)
                assert b is not None, f"/{slug}: no {part} found below the Play button"
                assert 0 <= b["top"] and b["bottom"] <= PROJECTOR["height"], (
                    f"/{slug} ({mode}, {moment}): the {part} spans y = {b['top']:.0f}…{b['bottom']:.0f} px, "
                    f"outside the {PROJECTOR['height']}-px screen: {found}")
    finally:
        context.close()


@pytest.mark.parametrize("slug", ["", "activations"] + [slug for slug, _ in ONE_SCREEN_PAGES])
def test_nothing_wider_than_a_phone(browser, app_url, artifacts_dir, slug):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{app_url}/{slug}")
        wait_idle(page)
        wide = page.evaluate(
            """(width) => {
                const main = document.querySelector("[data-testid='stMain']");
                const out = [];
                if (main.scrollWidth > main.clientWidth + 1) out.push(`main scrolls: ${main.scrollWidth}px`);
                for (const el of main.querySelectorAll("table, [data-testid='stVegaLiteChart'], img, canvas, input")) {
                    const r = el.getBoundingClientRect();
                    if (r.width > 0 && r.right > width + 1) {
                        out.push(`${el.tagName} ${el.closest('[data-testid]')?.dataset.testid}: right ${r.right}px`);
                    }
                }
                return out;
            }""",
            PHONE["width"],
        )
        page.screenshot(path=str(artifacts_dir / f"layout-phone-{slug.replace('?section=', '-') or 'home'}.png"))
        assert not wide, f"/{slug} is wider than a {PHONE['width']}-px phone: {wide[:8]}"
        # Streamlit's header bar covers the top of a phone's page: the title must start below it (a Korean
        # title's glyphs reach the top of its line and were cut off)
        header = page.locator("[data-testid='stHeader']").bounding_box()
        title = page.locator("[data-testid='stMain'] h1").first.bounding_box()
        assert title["y"] >= header["y"] + header["height"], f"/{slug}: the title starts under the header bar"
    finally:
        context.close()


def test_the_canvas_toolbar_leaves_the_input_choice_readable(browser, app_url, artifacts_dir):
    """The drawing canvas shows its toolbar (upload, undo, redo, draw, clear) above its top edge on
    hover; it once covered the "Upload an image" choice."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{app_url}/mnist?subset=1000")
        wait_idle(page)
        page.get_by_role("tab", name="Draw a digit").click()
        canvas = page.locator(".st-key-mnist_canvas")
        canvas.scroll_into_view_if_needed()
        canvas.hover()
        page.wait_for_timeout(800)
        toolbar = page.evaluate(
            """() => { const host = document.querySelector(
                           '.st-key-mnist_canvas [data-testid=stBidiComponentIsolated]');
                       const root = host.shadowRoot || host;
                       const card = root.querySelector('.dc-toolbar-card');
                       if (!card) return null; const r = card.getBoundingClientRect();
                       return {x: r.left, y: r.top, width: r.width, height: r.height}; }""")
        label = page.get_by_text("Upload an image").bounding_box()
        page.screenshot(path=str(artifacts_dir / "layout-canvas-toolbar.png"))
        assert toolbar is not None, "the canvas toolbar did not appear on hover"
        overlap_x = toolbar["x"] < label["x"] + label["width"] and label["x"] < toolbar["x"] + toolbar["width"]
        overlap_y = toolbar["y"] < label["y"] + label["height"] and label["y"] < toolbar["y"] + toolbar["height"]
        assert not (overlap_x and overlap_y), f"the canvas toolbar {toolbar} covers 'Upload an image' {label}"
    finally:
        context.close()


@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_every_speed_choice_reads_whole_in_its_box(browser, app_url, artifacts_dir, lecture):
    """The speed box is the narrowest column of the button row: each of its choices ("1000 epochs/redraw",
    "10 batches/redraw") must fit it at 1280 px, not read "5 epochs per redra"."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        for slug, key in [("mnist", "mnist_play"), ("mlp?section=playground", "mlp_play")]:
            page.goto(f"{app_url}/{slug}" + (("&" if "?" in slug else "?") + "lecture=1" if lecture else ""))
            wait_idle(page)
            box = page.locator(f".st-key-{key.removesuffix('_play')}_speed input")
            box.click()
            page.locator("[role='option']:visible").first.wait_for()
            too_long = page.evaluate(
                """(box) => {
                    const style = getComputedStyle(box);
                    const ctx = document.createElement("canvas").getContext("2d");
                    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
                    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                    return [...document.querySelectorAll("[role='option']")]
                        .map(o => [o.innerText.trim(), ctx.measureText(o.innerText.trim()).width, room])
                        .filter(([, width, r]) => width > r);
                }""",
                box.element_handle(),
            )
            page.keyboard.press("Escape")
            assert not too_long, f"/{slug}: speed choices wider than their box: {too_long}"
    finally:
        context.close()


DRAWN = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
                   .every(c => c.querySelector('canvas, svg'))"""


def settled_boxes(page, key, tries=50):
    """``boxes`` once the Play button, a metric and a chart are on the page, every chart is drawn, and two
    looks 0.2 s apart agree on where they start (while a page loads or plays, Streamlit may be swapping an
    element for its new version at the moment of a single look, and a chart not yet drawn would make the
    next one look like the first)."""
    last = None
    for _ in range(tries):
        found = boxes(page, key)
        if found.get("play") and found.get("metric") and found.get("chart") and page.evaluate(DRAWN):
            tops = {part: round(found[part]["top"]) for part in ("play", "metric", "chart")}
            if tops == last:
                return found
            last = tops
        page.wait_for_timeout(200)
    raise AssertionError(f"no steady Play button, metric and chart after {tries / 5:.0f} s: {found}")


# every training page draws its progress bar and caption with the same code (ui.live.progress): two pages
@pytest.mark.parametrize(("slug", "key"), [("logistic_1d", "logistic_play"), ("mnist", "mnist_play")])
def test_play_moves_nothing_on_the_page(projector, app_url, artifacts_dir, slug, key):
    # The progress caption ("0 of 50 epochs · lr 0.1") is there before Play, so pressing Play in front of a
    # room does not push the loss chart down by a line.
    page = projector
    page.goto(f"{app_url}/{slug}")
    wait_idle(page)
    before = settled_boxes(page, key)
    page.locator(f".st-key-{key} button").first.click()
    page.wait_for_timeout(1500)
    playing = settled_boxes(page, key)
    page.screenshot(path=str(artifacts_dir / f"layout-playing-{slug.split('?')[0]}.png"))
    for part in ("metric", "chart"):
        assert abs(playing[part]["top"] - before[part]["top"]) <= 2, (slug, part, before, playing)
