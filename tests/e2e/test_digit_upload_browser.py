"""The MNIST page's digit upload in real Chromium: a sideways-stored phone photo of grey paper is shown as
the 28×28 the net receives; a HEIC file gets one plain sentence naming it."""

import sys
from pathlib import Path

import pytest
from test_browser import EXCEPTION, wait_idle

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import digit_fixtures as fx  # noqa: E402

pytestmark = pytest.mark.e2e


def open_upload(page, app_url):
    page.goto(app_url + "/mnist")
    wait_idle(page)
    page.get_by_role("tab", name="Draw a digit").click()
    page.get_by_text("Upload an image", exact=True).click()
    wait_idle(page)


def upload(page, path: Path):
    page.locator(".st-key-mnist_digit_upload input[type='file']").set_input_files(str(path))
    wait_idle(page)


def test_phone_photo_and_heic_uploads(page, app_url, artifacts_dir, tmp_path):
    photo = tmp_path / "IMG_0007.jpg"
    photo.write_bytes(fx.phone_photo(7))
    heic = tmp_path / "IMG_0008.HEIC"
    heic.write_bytes(fx.heic_header())
    open_upload(page, app_url)

    upload(page, photo)
    page.get_by_text("What the network sees").first.wait_for(timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
                           ".filter(i => i.complete && i.naturalWidth > 0).length >= 2", timeout=30_000)
    wait_idle(page)
    assert page.locator("[data-testid='stMetric']").filter(has_text="The network's guess").count() == 1
    assert not page.locator("[data-testid='stAlertContentError']").all_inner_texts()
    assert not page.get_by_text("it looks blank").count()
    page.screenshot(path=str(artifacts_dir / "digit-upload-photo.png"), full_page=True)

    upload(page, heic)  # replaces the photo
    error = page.locator("[data-testid='stAlertContentError']").first
    error.wait_for(timeout=30_000)
    text = error.inner_text()
    assert "IMG_0008.HEIC is a HEIC/HEIF photo" in text and "JPEG or PNG" in text
    assert not page.locator(EXCEPTION).count()
    page.screenshot(path=str(artifacts_dir / "digit-upload-heic.png"), full_page=True)


def test_upload_on_a_phone(browser, app_url, artifacts_dir, tmp_path):
    """390 px wide: the picture as read and the 28×28 stack under the uploader, nothing cut off."""
    photo = tmp_path / "IMG_0009.jpg"
    photo.write_bytes(fx.phone_photo(4))
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_upload(page, app_url)
        upload(page, photo)
        page.get_by_text("What the network sees").first.wait_for(timeout=30_000)
        page.wait_for_function("() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
                               ".filter(i => i.complete && i.naturalWidth > 0).length >= 2", timeout=30_000)
        wait_idle(page)
        shown = [img.bounding_box() for img in page.locator("[data-testid='stImage'] img").all() if img.is_visible()]
        assert len(shown) >= 2  # the picture as read and the 28×28 (other tabs' images are hidden)
        for box in shown:
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert not page.locator(EXCEPTION).count()
        page.get_by_text("Your picture as read").first.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "digit-upload-phone.png"))
    finally:
        context.close()
