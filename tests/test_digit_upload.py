"""Digit uploads as students bring them (tests/digit_fixtures.py makes them): each decoded by the page's
path (ui.digit_upload.decode → nnlib.mnist.preprocess_drawing) must give the 28x28 image of the clean
drawing, and a small trained net must read it; bad files get a plain message naming the file."""

from __future__ import annotations

import functools
import io
import tracemalloc

import digit_fixtures as fx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

import nnlib
from nnlib.mnist import load_mnist, preprocess_drawing
from ui import digit_upload
from ui import mnist_setup as setup

FIXTURES = {f.name: f for f in fx.fixtures()}
DIGITS = [name for name, f in FIXTURES.items() if f.label is not None]


@functools.cache
def fixture_bytes(name: str) -> bytes:
    return FIXTURES[name].make()


def read(name: str) -> np.ndarray | None:
    """What the page feeds the network for this upload."""
    return preprocess_drawing(digit_upload.decode(fixture_bytes(name), f"{name}.{FIXTURES[name].ext}"))


def reference(label: int) -> np.ndarray:
    """The clean drawing: the same digit in black on white, straight from NumPy."""
    return preprocess_drawing(fx.u8(fx.page(label)))


# -- every case gives the clean drawing ----------------------------------------------------------
@pytest.mark.parametrize("name", DIGITS)
def test_upload_gives_the_clean_28x28(name):
    out = read(name)
    assert out is not None, f"{name}: reported blank"
    ref = reference(FIXTURES[name].label)
    assert out.shape == (28, 28) and out.dtype == np.float32
    mean_error = float(np.abs(out - ref).mean())
    correlation = float(np.corrcoef(out.ravel(), ref.ravel())[0, 1])
    assert mean_error < 0.05 and correlation > 0.88, (name, mean_error, correlation)


def test_blank_grey_paper_under_a_lamp_is_blank():
    assert read("blank_grey_paper") is None


@pytest.fixture(scope="module")
def small_net():
    """784-64-10 trained 3 epochs on 5000 MNIST images (seeded, a few seconds)."""
    mnist = load_mnist()
    s = setup.Settings(sizes=(64,), subset=5000, epochs=3, batch_size=64, precision="float32", full_pass=False)
    data = mnist.subset(s.subset, 0)
    model, loss, rng = setup.build(s)
    opt = nnlib.make_optimizer(s.optimizer, model, s.lr)
    kwargs = setup.train_kwargs(s, rng, mnist.flat_test[:1000], mnist.y_test[:1000])
    list(nnlib.train(model, loss, opt, data.flat_train, data.y_train, epochs=s.epochs, **kwargs))
    return model


def test_a_small_trained_net_reads_the_uploads(small_net):
    names = [n for n in DIGITS if n != "large_png"]  # the 4096² PNG has its own memory test below
    images = np.stack([read(n) for n in names]).reshape(len(names), 784)
    guesses = small_net.predict(images).argmax(axis=1)
    right = [int(g) == FIXTURES[n].label for n, g in zip(names, guesses, strict=True)]
    assert np.mean(right) >= 0.85, [n for n, ok in zip(names, right, strict=True) if not ok]
    # the upright 7 of a sideways-stored photo and the 7 on grey paper are read as 7
    for name in ("exif6_jpeg", "grey_paper", "phone_photo"):
        assert right[names.index(name)], name


# -- decoding: orientation, transparency, bit depth, formats ---------------------------------------
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillows_exif_transpose(orientation):
    rng = np.random.default_rng(orientation)
    pixels = rng.integers(0, 256, (24, 40), dtype=np.uint8)  # not square: a turn changes the shape
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = fx.save(Image.fromarray(pixels), "PNG", exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))), dtype=np.float32) / 255
    np.testing.assert_allclose(digit_upload.decode(data, "x.png"), expected, atol=1e-6)


def test_sideways_stored_seven_is_decoded_upright():
    data = fixture_bytes("exif6_jpeg")
    assert Image.open(io.BytesIO(data)).size == (400, 300)  # stored landscape
    assert digit_upload.decode(data, "x.jpg").shape == (400, 300)  # shown portrait, as any viewer does


def test_mpo_is_read_as_the_jpeg_it_is():
    data = fixture_bytes("mpo")
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "MPO" and img.n_frames == 2
    assert digit_upload.decode(data, "x.jpg").shape == (400, 300)


@pytest.mark.parametrize("rgb, background", [((0, 0, 0), 1.0), ((255, 255, 255), 0.0)])
def test_transparency_is_composited_away_from_the_ink(rgb, background):
    gray = digit_upload.decode(fx.transparent(1, rgb), "x.png")
    assert gray[0, 0] == pytest.approx(background)  # transparent corner: the paper
    assert abs(gray.min() - gray.max()) > 0.9  # and the ink stands out from it


def test_sixteen_bit_mid_grey_ink_is_scaled_not_clipped():
    gray = digit_upload.decode(fixture_bytes("i16_png"), "x.png")
    assert gray.max() == pytest.approx(1.0, abs=1e-3)
    assert gray.min() == pytest.approx(0.5, abs=0.02)  # the pen is 32768 of 65535


def test_a_big_photo_is_decoded_small_at_decode_time():
    """4000 x 3000 JPEG: libjpeg decodes at 1/4 scale (draft); NumPy never holds more than a few MB."""
    data = fixture_bytes("phone_photo")
    tracemalloc.start()
    gray = digit_upload.decode(data, "photo.jpg")
    digit = preprocess_drawing(gray)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert max(gray.shape) <= digit_upload.WORK_SIDE and digit is not None
    assert peak < 30 * 2**20, f"{peak / 2**20:.0f} MB"


def test_a_4096_square_png_is_averaged_down_in_strips():
    data = fixture_bytes("large_png")
    assert len(data) < 200_000
    tracemalloc.start()
    gray = digit_upload.decode(data, "big.png")
    digit = preprocess_drawing(gray)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert gray.shape == (512, 512)
    assert peak < 30 * 2**20, f"{peak / 2**20:.0f} MB"  # main: about 800 MB of NumPy arrays
    ref = reference(2)
    assert np.abs(digit - ref).mean() < 0.05


# -- refusals: plain words, the file named (escaped) -----------------------------------------------
def png(size=(60, 80), mode="L") -> bytes:
    return fx.save(Image.new(mode, size, 255), "PNG")


@pytest.mark.parametrize("data, message", [
    (b"", r"digit\\.png is empty"),
    (b"not an image at all", r"digit\\.png is not an image this page reads \(PNG, JPEG"),
    (png()[:60], "damaged or incomplete"),
    (png(size=(4, 4)), "4×4 pixels; use at least 8"),
    (png(size=(5000, 20)), "5000×20 pixels; use at most 4096 pixels a side"),
    (b"\0" * (digit_upload.MAX_BYTES + 1), "the limit is 10 MB"),
    (fx.heic_header(), "HEIC/HEIF photo, which this page cannot read. Save it as JPEG or PNG"),
    (fx.save(Image.new("RGB", (16, 16)), "ICO"), "not an image this page reads"),  # a format not on the list
    (fx.save(Image.fromarray(np.full((20, 20), 70000, np.int32), "I"), "TIFF"), "pixel values from 70000"),
])
def test_bad_files_are_refused_in_plain_words(data, message):
    with pytest.raises(ValueError, match=message):
        digit_upload.decode(data, "digit.png")


def test_avif_is_not_mistaken_for_heic():
    """AVIF shares HEIF's container (and often its mif1 brand): only the real HEIC gets the HEIC message."""
    avif = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf" + b"\x00" * 64  # a damaged AVIF
    with pytest.raises(ValueError) as err:
        digit_upload.decode(avif, "x.avif")
    assert "HEIC" not in str(err.value)


def test_a_huge_jpeg_is_refused_from_its_header():
    """The declared size is checked before anything is decoded: a 9000 x 9000 JPEG header is enough."""
    data = fx.save(Image.new("L", (9000, 9000), 255), "JPEG", quality=10)
    with pytest.raises(ValueError, match="9000×9000 pixels; photos up to 64 megapixels"):
        digit_upload.decode(data, "x.jpg")


def test_the_file_name_is_shown_escaped_and_cut_short():
    with pytest.raises(ValueError) as err:
        digit_upload.decode(b"", "[click](http://evil.example)<b>" + "x" * 200 + ".png")
    text = str(err.value)
    assert "[click](http" not in text and "<b>" not in text
    assert "\\[click\\]\\(http" in text and len(text) < 120


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "I", "I;16", "F"])
def test_every_pillow_mode_decodes(mode):
    img = Image.new(mode, (30, 20))
    buf = io.BytesIO()
    img.save(buf, "TIFF")
    gray = digit_upload.decode(buf.getvalue(), "x.tif")
    assert gray.shape == (20, 30) and gray.dtype == np.float32
    assert 0.0 <= gray.min() <= gray.max() <= 1.0


SMALL = ["clean_png", "exif6_jpeg", "gif_scan", "tiff_scan", "webp", "i16_png", "palette_transparent_png", "mpo"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(SMALL), cut=st.floats(0.0, 1.0),
       flips=st.lists(st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(0, 255)), max_size=6))
def test_damaged_files_give_a_plain_refusal_or_a_picture(name, cut, flips):
    """Truncated and bit-flipped versions of real uploads: a picture in [0, 1], or a ValueError that names
    the file; never another exception."""
    data = bytearray(fixture_bytes(name)[: max(1, int(cut * len(fixture_bytes(name))))])
    for where, value in flips:
        data[int(where * len(data))] = value
    try:
        gray = digit_upload.decode(bytes(data), "scan_01.png")
    except ValueError as err:
        assert str(err).startswith("scan\\_01\\.png "), str(err)
        return
    assert gray.ndim == 2 and np.isfinite(gray).all() and 0.0 <= gray.min() <= gray.max() <= 1.0
