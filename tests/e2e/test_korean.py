"""The app in Korean in real Chromium: a walk through every page on a 1280×800 projector in lecture
mode (Korean headings, buttons and chart text, no exception, nothing wider than the window), and the
browser's own language choosing Korean on the first visit. Screenshots go to test-artifacts/e2e/."""

import re

import pytest
from test_browser import CHART_DRAWN, collect_nav, exception_texts, wait_idle

pytestmark = pytest.mark.e2e

HANGUL = re.compile("[\uac00-\ud7a3]")
STEP_KEYS = {"single_neuron": "neuron_step", "logistic_1d": "logistic_step", "mlp": "mlp_step",
             "mnist": "mnist_step"}


def test_every_page_in_korean_on_a_projector(projector, app_url, artifacts_dir):
    page = projector
    nav = collect_nav(page, app_url)
    problems = []
    for i, (name, href) in enumerate(nav):
        page.goto(href + ("&" if "?" in href else "?") + "lang=ko&lecture=1")
        wait_idle(page)
        if name in STEP_KEYS:
            step = page.locator(f".st-key-{STEP_KEYS[name]} button").first
            if not HANGUL.search(step.inner_text()):
                problems.append(f"{name}: the Step button reads {step.inner_text()!r}")
            step.click()
            wait_idle(page)
        if name not in ("home", "exercises"):  # the pages without a chart (as in test_browser)
            page.locator(CHART_DRAWN).first.wait_for(timeout=15_000)
        heading = page.locator("[data-testid='stMain'] h1").first.inner_text()
        if not HANGUL.search(heading):
            problems.append(f"{name}: the title is not Korean: {heading!r}")
        nav_text = page.locator("[data-testid='stSidebarNav']").inner_text()
        if "활성화 함수" not in nav_text:
            problems.append(f"{name}: the navigation is not Korean: {nav_text!r}")
        for text in exception_texts(page):
            problems.append(f"{name}: exception on the page:\n{text}")
        overflow = page.evaluate("""() => {
            const main = document.querySelector('[data-testid=stMain]');
            return main.scrollWidth - main.clientWidth;
        }""")
        if overflow > 2:
            problems.append(f"{name}: the page is {overflow}px wider than the window")
        page.screenshot(path=str(artifacts_dir / f"ko-{i:02d}-{name}.png"))
    assert not problems, "\n".join(problems) + f"\n(screenshots in {artifacts_dir})"


def test_a_korean_browser_opens_in_korean_and_an_english_one_in_english(browser, app_url, artifacts_dir):
    for locale, expect_korean in (("ko-KR", True), ("en-US", False)):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
        try:
            page = context.new_page()
            page.goto(app_url + "/single_neuron")
            wait_idle(page)
            title = page.locator("[data-testid='stMain'] h1").first.inner_text()
            assert bool(HANGUL.search(title)) == expect_korean, (locale, title)
            page.screenshot(path=str(artifacts_dir / f"locale-{locale}.png"))
        finally:
            context.close()
