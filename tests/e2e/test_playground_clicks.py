"""The 2-D playground in headless Chromium: points clicked onto the plane, in two classes,
become the training data and the network trains on them (streamlit-drawable-canvas, point mode)."""

import re
import time

import pytest
from test_browser import EXCEPTION, exception_texts, read_metric, wait_idle

pytestmark = pytest.mark.e2e

CANVAS = ".st-key-mlp_canvas canvas.upper-canvas"


def click_points(page, where):
    canvas = page.locator(CANVAS).first
    for x, y in where:
        canvas.click(position={"x": x, "y": y})
        time.sleep(0.3)
        wait_idle(page, settle_s=0.3)


def choose_class(page, label):
    page.locator(".st-key-mlp_click_class").get_by_text(label, exact=True).click()
    wait_idle(page)


def test_clicked_points_in_two_classes_train(page, app_url, artifacts_dir):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(app_url + "/mlp?section=playground&g_source=clicks&g_tick=5")
    wait_idle(page)
    page.locator(CANVAS).first.wait_for(state="visible", timeout=60_000)
    page.locator(CANVAS).first.scroll_into_view_if_needed()
    assert page.get_by_text(re.compile("Click at least 4 points")).count()
    # class 0 on the left of the plane, class 1 on the right (the canvas is 320 px square)
    click_points(page, [(40, 60), (60, 160), (50, 260), (90, 110)])
    choose_class(page, "class 1")
    click_points(page, [(270, 60), (250, 160), (280, 260), (230, 210)])
    caption = page.get_by_text(re.compile(r"Clicked points — class 0: 4, class 1: 4"))
    caption.first.wait_for(timeout=90_000)
    play = page.locator(".st-key-mlp_play button")
    play.first.wait_for(state="visible", timeout=60_000)
    _, loss0 = read_metric(page, "loss")
    play.first.click()
    deadline = time.monotonic() + 120  # a loaded machine trains slowly
    epoch = 0
    while time.monotonic() < deadline and not page.locator(EXCEPTION).count():
        _, epoch = read_metric(page, "epoch")
        _, loss = read_metric(page, "loss")
        if epoch and epoch >= 10 and loss is not None:
            break
        time.sleep(0.3)
    page.screenshot(path=str(artifacts_dir / "playground-clicks.png"), full_page=True)
    assert not exception_texts(page), exception_texts(page)
    assert epoch and epoch >= 10, f"epoch {epoch} after 120 s"
    _, loss = read_metric(page, "loss")
    assert loss is not None and (loss0 is None or loss < loss0) and loss < 0.65, (loss0, loss)
