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


# Every grey placeholder (Streamlit's, for an element whose frontend code is still loading), with its age (how
# long since it was put on the page) and whether it can be seen (it and every box around it ≥ 10 % opaque)
PLACEHOLDER_WATCH = """() => {
  window.__grey = []; window.__watching = true; const born = new Map();
  // dated when put on the page (a MutationObserver runs right after the change), not when first sampled: a busy
  // main thread delays the samples, and a late first sample would make an old placeholder look young
  const SKELETONS = '[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]';
  const date = () => { const now = performance.now();
    for (const e of document.querySelectorAll(SKELETONS)) if (!born.has(e)) born.set(e, now); };
  window.__dating = new MutationObserver(date);
  window.__dating.observe(document, {childList: true, subtree: true});
  const seen = e => { if (e.offsetHeight === 0) return false;
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      const s = getComputedStyle(n); if (parseFloat(s.opacity) < 0.1 || s.visibility === 'hidden') return false; }
    return true; };
  window.__top = new Set();  // the main area's top padding in rem, in every sample (the app's, from the first paint)
  const sample = () => {
    const now = performance.now();
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (main) window.__top.add(Math.round(100 * parseFloat(getComputedStyle(main).paddingTop)
                                          / parseFloat(getComputedStyle(document.documentElement).fontSize)) / 100);
    date();  // any the observer has not dated yet
    for (const e of document.querySelectorAll(SKELETONS)) {
      window.__grey.push([now - born.get(e), seen(e)]);
    }
    if (window.__watching) setTimeout(sample, 10);
  };
  sample();
}"""


def no_grey_flash(page, where: str) -> None:
    grey = page.evaluate("window.__watching = false, window.__dating.disconnect(), window.__grey")
    assert grey, f"{where}: no placeholder at all: the test no longer watches what it should"
    early = [age for age, seen in grey if seen and age < 900]
    assert not early, f"{where}: a grey placeholder was seen {min(early):.0f} ms after it appeared"


def test_a_first_visit_and_going_to_another_lesson_flash_no_grey_placeholders(projector, app_url, artifacts_dir):
    # Streamlit loads each kind of element's code on its first use in a page load and shows a grey placeholder
    # until then (0.1-0.7 s here). The server puts the app's CSS in the page itself (ui.server), so from the
    # first paint each placeholder stays transparent for its first second: elements appear without a flash.
    page = projector
    page.add_init_script(f"({PLACEHOLDER_WATCH})()")
    page.goto(f"{app_url}/logistic_1d")  # a fresh browser context: nothing cached
    wait_idle(page)
    no_grey_flash(page, "first visit to /logistic_1d")
    assert page.evaluate("Array.from(window.__top)") == [2.75]  # never Streamlit's 6rem, then a jump up
    assert page.evaluate("""Array.from(document.head.querySelectorAll('style'))
                            .some(s => s.textContent.includes('nnlib-late-placeholder'))""")  # in the page itself
    placeholder = page.evaluate("""async () => {
      const e = document.createElement('div'); e.dataset.testid = 'stSkeleton'; e.style.height = '40px';
      document.querySelector('[data-testid="stMain"]').appendChild(e);
      const at = () => parseFloat(getComputedStyle(e).opacity);
      const first = at(); await new Promise(r => setTimeout(r, 1600)); const later = at(); e.remove();
      return [first, later]; }""")
    assert placeholder[0] < 0.1 and placeholder[1] > 0.9, placeholder  # hidden at first, shown when slow
    page.evaluate(PLACEHOLDER_WATCH)
    page.locator('[data-testid="stSidebarNav"] a[href$="/mnist"]').first.click()
    page.wait_for_timeout(300)
    wait_idle(page)
    no_grey_flash(page, "from /logistic_1d to /mnist")
    page.screenshot(path=str(artifacts_dir / "lecturer-no-grey-placeholders.png"))
