"""What a lecturer does in the real app: click a confusion-matrix cell to see its images, and show
the room the share link's QR code in lecture mode. Screenshots go to test-artifacts/e2e/."""

import re

import pytest
from test_browser import wait_idle

pytestmark = pytest.mark.e2e


def test_clicking_a_confusion_cell_shows_its_test_images(projector, app_url, artifacts_dir):
    page = projector
    page.goto(f"{app_url}/mnist?subset=1000")
    wait_idle(page)
    chart = page.locator(".st-key-mnist_confusion")
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)  # a cell mid-matrix
    page.wait_for_timeout(500)
    wait_idle(page)
    texts = page.locator("[data-testid='stMarkdownContainer']").all_inner_texts()
    heading = next((t for t in texts if re.match(r"True \d, predicted \d: \d+ test images", t)), None)
    page.screenshot(path=str(artifacts_dir / "lecturer-confusion-click.png"))
    assert heading, "no 'True t, predicted p' heading after clicking a cell"
    shown = int(re.search(r"first (\d+) shown", heading).group(1))
    captions = [c for c in page.locator("[data-testid='stImageCaption']").all_inner_texts() if c.startswith("#")]
    assert 0 < shown == len(captions) <= 24


def test_lecture_mode_shows_the_share_links_qr_code(projector, app_url, artifacts_dir):
    page = projector
    page.goto(f"{app_url}/logistic_1d?lecture=1&lr=0.1")
    wait_idle(page)
    qr = page.locator("[data-testid='stSidebar'] [data-testid='stImage'] img").first
    qr.wait_for(state="visible")
    box = qr.bounding_box()
    assert box["width"] >= 200 and box["y"] + box["height"] <= 800, box  # big, and on the projector's screen
    page.get_by_role("button", name=re.compile("Copy share link")).click()
    link = page.locator("[data-testid='stPopoverBody'] code").first.inner_text()
    page.screenshot(path=str(artifacts_dir / "lecturer-share-link.png"))
    assert link.startswith(app_url + "/logistic_1d?") and "lr=0.1" in link and "lecture=1" in link, link
