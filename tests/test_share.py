"""The share link and its QR code: the code an independent reader (zxing-cpp) decodes is the link."""

import io

import pytest
from PIL import Image

from ui import share

zxingcpp = pytest.importorskip("zxingcpp")


def decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_link_carries_every_parameter_and_no_old_query():
    link = share.share_link({"lr": "0.1", "preset": "post", "lecture": "1"}, base="http://lab:8501/mlp?x=1#top")
    assert link == "http://lab:8501/mlp?lr=0.1&preset=post&lecture=1"
    assert share.share_link({}, base="https://x.streamlit.app/home") == "https://x.streamlit.app/"


def test_the_qr_code_decodes_to_the_link():
    link = share.share_link({"section": "deep", "d_lr": "0.3", "seed": "7", "lecture": "1"},
                            base="https://nnlib-lessons.streamlit.app/mlp")
    assert decode(share.qr_png(link)) == [link]


def test_a_link_too_long_for_a_scannable_code_is_refused_clearly():
    with pytest.raises(ValueError, match="characters"):
        share.qr_png("https://x/" + "a" * 2000)


@pytest.mark.parametrize(("link", "local"), [("http://127.0.0.1:8501/mlp?lr=1", True), ("http://localhost:8501/", True),
                                             ("http://0.0.0.0:8501/", True), ("http://192.168.1.20:8501/mlp", False),
                                             ("https://nnlib.streamlit.app/mlp", False)])
def test_a_link_only_this_computer_can_open_is_recognised(link, local):
    assert share._local(link) == local


def test_the_rooms_qr_code_opens_the_experiment_without_lecture_mode():
    room = share.room_link({"lr": "0.1", "lecture": "1", "lang": "ko"}, base="http://lab:8501/logistic_1d")
    assert room == "http://lab:8501/logistic_1d?lr=0.1&lang=ko"
    assert decode(share.qr_png(room)) == [room]
