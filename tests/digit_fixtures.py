"""Digit images as students upload them, generated (never committed, never personal photos).

Each fixture is a real MNIST test digit, drawn large on "paper" and saved the way phones, scanners
and paint programs save pictures: EXIF orientation, a camera's multi-picture JPEG (MPO), CMYK JPEG,
WebP, AVIF, GIF, BMP, TIFF, palette and grey+alpha PNG, transparency, 16-bit and 32-bit greyscale,
grey paper, uneven light, specks, a 4096 x 4096 PNG, a 12-megapixel phone photo, and combinations.

    python tests/digit_fixtures.py OUTDIR     # writes every fixture to OUTDIR to look at

Used by tests/test_digit_upload.py and benchmarks/digit_upload.py. Deterministic: every random
thing is seeded.
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, features

ORIENTATION = 0x0112
# the most typical MNIST test image of each digit 0..9: the highest correlation with the mean of that
# digit's 60 000-image training set (computed once; a small net reads them, as it reads a careful drawing)
TYPICAL = {0: 6114, 1: 7319, 2: 6084, 3: 4097, 4: 6705, 5: 8082, 6: 7733, 7: 4089, 8: 7765, 9: 7867}


@dataclass(frozen=True)
class Fixture:
    name: str
    label: int | None  # the digit shown; None: nothing to read (blank paper)
    make: Callable[[], bytes]
    what: str
    ext: str


@functools.cache
def mnist_digit(label: int) -> np.ndarray:
    """The 28x28 uint8 MNIST test digit used for ``label``."""
    from nnlib.mnist import load_mnist

    return load_mnist().x_test[TYPICAL[label]]


def ink(label: int, side: int) -> np.ndarray:
    """The digit's ink (float32 0..1), smoothly upscaled to ``side`` x ``side``."""
    img = Image.fromarray(mnist_digit(label)).resize((side, side), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32) / 255


def page(label: int, size: tuple[int, int] = (300, 400), digit: int = 240, at: tuple[float, float] = (0.5, 0.5),
         paper: float = 1.0, pen: float = 0.0, light: np.ndarray | None = None, noise: float = 0.0,
         seed: int = 0) -> np.ndarray:
    """A ``(height, width)`` float32 grey picture in [0, 1]: paper of reflectance ``paper`` with the
    digit (``digit`` pixels square, centred at fractions ``at``) in a pen of reflectance ``pen``,
    times a ``light`` field, plus Gaussian sensor noise of standard deviation ``noise``."""
    w, h = size
    out = np.full((h, w), paper, np.float32)
    d = ink(label, digit)
    top, left = int(at[1] * h - digit / 2), int(at[0] * w - digit / 2)
    out[top : top + digit, left : left + digit] -= (paper - pen) * d
    if light is not None:
        out *= light
    if noise:
        out += np.random.default_rng(seed).normal(0, noise, out.shape).astype(np.float32)
    return np.clip(out, 0, 1, out=out)


def lighting(h: int, w: int, dark: float = 0.55) -> np.ndarray:
    """A lamp at the top left: full light there, ``dark`` of it at the far corner (float32)."""
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    return 1 - (1 - dark) * np.sqrt((x**2 + y**2) / 2)


def u8(a: np.ndarray) -> np.ndarray:
    return np.round(a * 255).astype(np.uint8)


def save(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def stored_for(display: np.ndarray, orientation: int) -> np.ndarray:
    """What a camera stores so that a viewer applying EXIF ``orientation`` shows ``display``."""
    turns = {1: 0, 3: 2, 6: 1, 8: -1}[orientation]  # orientation 6: viewer turns 90° clockwise
    return np.ascontiguousarray(np.rot90(display, turns))


def exif_jpeg(display: np.ndarray, orientation: int, quality: int = 90) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return save(Image.fromarray(u8(stored_for(display, orientation))).convert("RGB"), "JPEG", quality=quality,
                exif=exif)


def mpo(display: np.ndarray) -> bytes:
    """A two-picture MPO (the second picture: a depth map or gain map, here its blurred negative)."""
    first = Image.fromarray(u8(display)).convert("RGB")
    second = Image.fromarray(u8(1 - display)).convert("RGB").resize((first.width // 4, first.height // 4))
    return save(first, "MPO", save_all=True, append_images=[second], quality=90)


def transparent(label: int, rgb: tuple[int, int, int]) -> bytes:
    """An ``rgb`` digit on a fully transparent layer, as paint programs export it."""
    alpha = u8(ink(label, 240))
    alpha = np.pad(alpha, 40)
    rgba = np.zeros((*alpha.shape, 4), np.uint8)
    rgba[..., :3] = rgb
    rgba[..., 3] = alpha
    return save(Image.fromarray(rgba, "RGBA"), "PNG")


def sixteen_bit(label: int) -> bytes:
    """16-bit greyscale PNG: white paper (65535), mid-grey ink (32768)."""
    a = page(label, paper=1.0, pen=0.5)
    return save(Image.fromarray(np.round(a * 65535).astype(np.uint16)), "PNG")


def thirty_two_bit(label: int) -> bytes:
    """A 32-bit integer TIFF ('I'), values 0..65535 as scientific scanners write."""
    a = page(label, paper=0.9, pen=0.1)
    return save(Image.fromarray(np.round(a * 65535).astype(np.int32), "I"), "TIFF")


def float_tiff(label: int) -> bytes:
    return save(Image.fromarray(page(label, paper=0.95, pen=0.2), "F"), "TIFF")


def palette(label: int, transparent_index: bool = False) -> bytes:
    """A blue-pen drawing saved as a palette PNG (optionally with a transparent background index)."""
    a = page(label)
    rgb = np.stack([u8(a), u8(a), np.full(a.shape, 255, np.uint8)], axis=-1)  # blue ink on white
    img = Image.fromarray(rgb).quantize(16, dither=Image.Dither.NONE)
    if transparent_index:
        white = int(np.argmax(np.asarray(img.convert("L")).ravel() == 255))
        index = int(np.asarray(img).ravel()[white])
        return save(img, "PNG", transparency=index)
    return save(img, "PNG")


def la(label: int) -> bytes:
    """Grey + alpha (LA): dark digit, opaque paper on a transparent margin."""
    a = u8(page(label, size=(240, 300), digit=200, paper=0.9, pen=0.1))
    alpha = np.zeros((340, 280), np.uint8)
    grey = np.zeros((340, 280), np.uint8)
    grey[20:320, 20:260], alpha[20:320, 20:260] = a, 255
    return save(Image.fromarray(np.stack([grey, alpha], axis=-1), "LA"), "PNG")


def cmyk(label: int) -> bytes:
    a = page(label, paper=0.97, pen=0.05)
    return save(Image.fromarray(u8(a)).convert("RGB").convert("CMYK"), "JPEG", quality=92)


def large_png(label: int) -> bytes:
    """4096 x 4096 PNG, a few tens of KB: a flat white page with a big digit."""
    a = np.full((4096, 4096), 255, np.uint8)
    a[1048:3048, 1048:3048] = u8(1 - ink(label, 2000))
    return save(Image.fromarray(a), "PNG", optimize=False, compress_level=9)


def phone_photo(label: int, orientation: int = 6) -> bytes:
    """A 12-megapixel portrait phone photo (stored 4000 x 3000 with EXIF orientation 6): grey paper
    under a lamp, sensor noise, a digit a third of the frame high, a few specks of dust."""
    w, h = 3000, 4000
    a = page(label, size=(w, h), digit=1300, at=(0.45, 0.55), paper=0.84, pen=0.12,
             light=lighting(h, w, 0.6), noise=0.02, seed=label)
    rng = np.random.default_rng(100 + label)
    for y, x in rng.integers(0, [h // 6, w], size=(4, 2)):
        a[y : y + 6, x : x + 6] = 0.1
    return exif_jpeg(a, orientation, quality=88)


def heic_header() -> bytes:
    """The start of an iPhone HEIC file (ISO BMFF ``ftyp`` box, brand ``heic``): we can only say no."""
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def _specks(label: int) -> np.ndarray:
    a = page(label, size=(400, 400), digit=220, at=(0.5, 0.5))
    for y, x in [(10, 10), (15, 380), (385, 20), (380, 385), (200, 8), (8, 200)]:
        a[y : y + 4, x : x + 4] = 0.0
    return a


def fixtures() -> list[Fixture]:
    """Every upload case: name, the digit shown, a function that makes the bytes."""
    grey_paper = functools.partial(page, paper=215 / 255, pen=40 / 255)
    cases = [
        Fixture("clean_png", 3, lambda: save(Image.fromarray(u8(page(3))), "PNG"), "black on white, PNG", "png"),
        Fixture("exif6_jpeg", 7, lambda: exif_jpeg(page(7, paper=0.95), 6), "stored sideways, EXIF 6", "jpg"),
        Fixture("exif8_jpeg", 4, lambda: exif_jpeg(page(4, paper=0.95), 8), "stored sideways, EXIF 8", "jpg"),
        Fixture("exif3_jpeg", 2, lambda: exif_jpeg(page(2, paper=0.95), 3), "stored upside down, EXIF 3", "jpg"),
        Fixture("mpo", 5, lambda: mpo(page(5, paper=0.93)), "camera multi-picture JPEG", "jpg"),
        Fixture("cmyk_jpeg", 0, lambda: cmyk(0), "CMYK JPEG (print workflow)", "jpg"),
        Fixture("webp", 6, lambda: save(Image.fromarray(u8(page(6))), "WEBP", quality=80), "WebP", "webp"),
        Fixture("gif_scan", 8, lambda: save(Image.fromarray(u8(page(8))).convert("P"), "GIF"), "GIF", "gif"),
        Fixture("bmp_scan", 9, lambda: save(Image.fromarray(u8(page(9))).convert("RGB"), "BMP"), "BMP", "bmp"),
        Fixture("tiff_scan", 1, lambda: save(Image.fromarray(u8(page(1, paper=0.92))), "TIFF",
                                             compression="tiff_lzw"), "LZW TIFF scan", "tif"),
        Fixture("palette_png", 2, lambda: palette(2), "blue pen, palette PNG", "png"),
        Fixture("palette_transparent_png", 6, lambda: palette(6, True), "palette PNG, transparent index", "png"),
        Fixture("la_png", 4, lambda: la(4), "grey+alpha, transparent margin", "png"),
        Fixture("grey_paper", 7, lambda: save(Image.fromarray(u8(grey_paper(7))), "JPEG", quality=90),
                "dark 7 on grey paper (215)", "jpg"),
        Fixture("uneven_light", 3, lambda: save(Image.fromarray(u8(page(3, paper=0.9, pen=0.1,
                                                                         light=lighting(400, 300, 0.45),
                                                                         noise=0.015))), "PNG"),
                "lamp in one corner, sensor noise", "png"),
        Fixture("specks", 0, lambda: save(Image.fromarray(u8(_specks(0))), "PNG"), "specks far from the digit",
                "png"),
        Fixture("transparent_black", 1, lambda: transparent(1, (0, 0, 0)), "black on transparent", "png"),
        Fixture("transparent_white", 8, lambda: transparent(8, (255, 255, 255)), "white on transparent", "png"),
        Fixture("canvas_png", 5, lambda: save(Image.fromarray(u8(1 - page(5))), "PNG"), "white on black", "png"),
        Fixture("i16_png", 9, lambda: sixteen_bit(9), "16-bit grey PNG, mid-grey ink", "png"),
        Fixture("i32_tiff", 1, lambda: thirty_two_bit(1), "32-bit integer TIFF", "tif"),
        Fixture("f32_tiff", 7, lambda: float_tiff(7), "32-bit float TIFF", "tif"),
        Fixture("large_png", 2, lambda: large_png(2), "4096 x 4096 PNG", "png"),
        Fixture("phone_photo", 7, lambda: phone_photo(7), "12 MP photo, EXIF 6, grey paper, lamp, noise, dust",
                "jpg"),
        Fixture("phone_photo_mpo", 4, lambda: mpo(page(4, size=(1500, 2000), digit=700, paper=0.8, pen=0.15,
                                                       light=lighting(2000, 1500, 0.7), noise=0.02)),
                "3 MP MPO photo, grey paper, lamp, noise", "jpg"),
        Fixture("grey_paper_exif8", 3, lambda: exif_jpeg(grey_paper(3, light=lighting(400, 300, 0.7), noise=0.01), 8),
                "grey paper under a lamp, stored sideways (EXIF 8)", "jpg"),
        Fixture("i16_grey_paper", 9, lambda: save(Image.fromarray(np.round(grey_paper(9) * 65535).astype(np.uint16)),
                                                  "PNG"), "16-bit PNG of grey paper", "png"),
        Fixture("blank_grey_paper", None, lambda: save(Image.fromarray(u8(np.clip(
            0.84 * lighting(400, 300, 0.6) + np.random.default_rng(1).normal(0, 0.02, (400, 300)), 0, 1))), "JPEG"),
                "grey paper, lamp, noise, no digit", "jpg"),
    ]
    if features.check("avif"):
        cases.append(Fixture("avif", 6, lambda: save(Image.fromarray(u8(page(6))).convert("RGB"), "AVIF",
                                                     quality=80), "AVIF", "avif"))
    return cases


def large_variant(label: int, mode: str) -> bytes:
    """The 4096 x 4096 page in the heaviest modes a PNG decodes to: RGBA (transparent margins), 16-bit,
    palette with a transparent index."""
    a = np.full((4096, 4096), 1.0, np.float32)
    a[1048:3048, 1048:3048] -= 0.8 * ink(label, 2000)
    if mode == "RGBA":
        rgba = np.zeros((4096, 4096, 4), np.uint8)
        rgba[..., :3] = u8(a)[..., None]
        rgba[512:-512, 512:-512, 3] = 255
        return save(Image.fromarray(rgba, "RGBA"), "PNG")
    if mode == "I;16":
        return save(Image.fromarray(np.round(a * 65535).astype(np.uint16)), "PNG")
    img = Image.fromarray(u8(a)).convert("RGB").quantize(8, dither=Image.Dither.NONE)
    return save(img, "PNG", transparency=0)


def big_photo(label: int) -> bytes:
    """A 48-megapixel photo (8000 x 6000), the largest phones' full-resolution mode."""
    w, h = 8000, 6000
    a = page(label, size=(w, h), digit=2400, paper=0.85, pen=0.1, noise=0.02, seed=label)
    return save(Image.fromarray(u8(a)), "JPEG", quality=85)


def stress_fixtures() -> list[Fixture]:
    """The heaviest uploads that are accepted (for benchmarks/digit_upload.py)."""
    return [
        Fixture("large_rgba_png", 2, lambda: large_variant(2, "RGBA"), "4096² RGBA PNG", "png"),
        Fixture("large_i16_png", 5, lambda: large_variant(5, "I;16"), "4096² 16-bit PNG", "png"),
        Fixture("large_palette_png", 8, lambda: large_variant(8, "P"), "4096² palette PNG, transparency", "png"),
        Fixture("photo_48mp", 6, lambda: big_photo(6), "8000 x 6000 JPEG", "jpg"),
    ]


def main(outdir: str) -> None:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    for f in fixtures():
        data = f.make()
        (out / f"{f.name}.{f.ext}").write_bytes(data)
        print(f"{f.name:28s} {len(data) / 1024:8.1f} KB  {f.what}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main(sys.argv[1] if len(sys.argv) > 1 else "digit_fixtures")
