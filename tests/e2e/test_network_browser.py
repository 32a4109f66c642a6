"""See the network, in the real app: the 2-D playground's network diagram, what a hidden layer sees and
the loss landscape, at 1280×800 with and without lecture mode; the MNIST diagram with its weight tiles.
Screenshots go to test-artifacts/e2e/network-*.png."""

import pytest
from test_browser import wait_idle

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 800}
CHART = "[data-testid='stVegaLiteChart']"


def _chart_titled(page, text):
    """The Vega chart whose rendered text contains ``text`` (the title), scrolled into view."""
    chart = page.locator(CHART, has_text=text).first
    chart.wait_for(state="visible")
    chart.scroll_into_view_if_needed()
    return chart


def _no_exception_and_no_overflow(page):
    assert page.locator("[data-testid='stException']").count() == 0
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PROJECTOR["width"] + 1, f"the page is {width} px wide"


@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_playground_network_views(projector, app_url, artifacts_dir, lecture):
    page = projector
    mode = "lecture" if lecture else "normal"
    page.goto(f"{app_url}/mlp?section=playground" + ("&lecture=1" if lecture else ""))
    wait_idle(page)
    for _ in range(3):
        page.locator(".st-key-mlp_step button").first.click()
        page.wait_for_timeout(400)
        wait_idle(page)
    graph = _chart_titled(page, "The network")
    assert graph.locator("image").count() > 0 or graph.locator("canvas").count() > 0  # unit pictures drawn
    page.screenshot(path=str(artifacts_dir / f"network-graph-{mode}.png"))
    _no_exception_and_no_overflow(page)

    page.locator(".st-key-mlp_g_view").get_by_text("What a hidden layer sees").click()
    wait_idle(page)
    _chart_titled(page, "sees")
    page.screenshot(path=str(artifacts_dir / f"network-hidden-{mode}.png"))
    _no_exception_and_no_overflow(page)

    page.locator(".st-key-mlp_g_view").get_by_text("Loss landscape").click()
    wait_idle(page)
    page.locator(".st-key-mlp_g_land_landscape button").first.click()
    wait_idle(page)
    _chart_titled(page, "Loss around the current weights")
    page.screenshot(path=str(artifacts_dir / f"network-landscape-{mode}.png"))
    _no_exception_and_no_overflow(page)


def test_mnist_network_diagram_shows_weight_tiles(projector, app_url, artifacts_dir):
    page = projector
    page.goto(f"{app_url}/mnist?subset=1000&h1=16&h2=16")
    wait_idle(page)
    page.locator(".st-key-mnist_graph_on label").first.click()
    wait_idle(page)
    _chart_titled(page, "The network")
    page.screenshot(path=str(artifacts_dir / "network-mnist.png"))
    _no_exception_and_no_overflow(page)
