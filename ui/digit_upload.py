"""Digit images from students' files → the greyscale picture ``nnlib.mnist.preprocess_drawing`` reads.

The one decode path for uploaded digit images (phone photos, scans, paint-program exports), in the order
DESIGN.md sets for every outside input:

1. cheap checks: the byte count, HEIC/HEIF recognised by its ``ftyp`` box, the format (only the plugins
   listed in ``FORMATS`` are ever tried) and the declared pixel size (``Image.open`` reads the header only);
2. decode with a bound: a JPEG (MPO too: a camera's multi-picture JPEG) is decoded at 1/2, 1/4 or 1/8
   scale by libjpeg (``Image.draft``); other formats are decoded once and then averaged down strip by
   strip, so no full-size copy is made;
3. normalise: every mode (1, L, LA, P with or without transparency, RGB, RGBA, CMYK, I;16, I, F, ...)
   becomes luminance (Rec. 601) in [0, 1], 16-bit and 32-bit modes scaled by their real range; a
   transparent background is composited onto white (onto black when everything visible is light: a white
   digit exported from a paint program on a transparent layer); the EXIF orientation is applied last;
4. every problem becomes a ``ValueError`` whose plain message names the file.

Pillow only (no Streamlit), so tests decode exactly what the page decodes.
"""

from __future__ import annotations

import io
import math
import re
import warnings

import numpy as np

from ui.i18n import _

MAX_BYTES = 10 * 2**20
MAX_SIDE = 4096  # formats decoded at full size (PNG, WebP, GIF, BMP, TIFF, AVIF): at most 4096 x 4096
MAX_JPEG_PIXELS = 64_000_000  # JPEG/MPO: decoded at 1/8 scale at most, so a 48-megapixel photo is fine
MIN_SIDE = 8
WORK_SIDE = 512  # the longer side of the picture handed to preprocess_drawing (the canvas is 280)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")
"""Pillow plugins tried, no others. Pillow's JPEG plugin also opens a camera's multi-picture JPEG (format
"MPO": a JPEG with more pictures after the first, e.g. a depth or HDR gain map); its first picture is read."""
EXTENSIONS = ["png", "jpg", "jpeg", "jfif", "mpo", "webp", "gif", "bmp", "tif", "tiff", "avif", "heic", "heif"]
"""What the file picker offers: HEIC/HEIF is listed so that it gets a plain explanation, not a refusal."""

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_ORIENTATION = 0x0112  # EXIF/TIFF tag
_STRIP_ROWS = 128  # rows decoded into NumPy at a time when averaging down


class UploadError(ValueError):
    """A refused upload; the message is one plain sentence that names the file."""


def shown_name(name: str, limit: int = 60) -> str:
    """``name`` (it comes from the user) cut to ``limit`` characters, Markdown/HTML specials escaped."""
    name = " ".join(str(name).split()) or "?"
    if len(name) > limit:
        name = name[: limit - 1] + "…"
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~&$:])", r"\\\1", name)


def decode(data: bytes, name: str = "the file") -> np.ndarray:
    """Uploaded image bytes → an ``H x W`` float32 luminance image in [0, 1], longer side <= ``WORK_SIDE``.

    Upright (EXIF orientation applied), transparency composited away, any bit depth scaled to [0, 1].
    Raises ``ValueError`` with a plain message naming ``name`` (escaped, cut short) for a file that is
    empty, too large, HEIC/HEIF, not an image format listed in ``FORMATS``, damaged, or of unusable size.
    """
    from PIL import Image, UnidentifiedImageError

    shown = shown_name(name)
    if not data:
        raise UploadError(_("{name} is empty", name=shown))
    if len(data) > MAX_BYTES:
        raise UploadError(_("{name} is {size:.1f} MB; the limit is {limit} MB", name=shown,
                           size=len(data) / 2**20, limit=MAX_BYTES // 2**20))
    if _is_heif(data):
        raise UploadError(_("{name} is a HEIC/HEIF photo, which this page cannot read. Save it as JPEG or PNG "
                           "(on an iPhone: Settings › Camera › Formats › Most Compatible) and upload that",
                           name=shown))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # e.g. "Corrupt EXIF data": the picture is still read
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as img:
                _check_size(img, shown)
                orientation = _orientation(img)
                if img.format in ("JPEG", "MPO"):
                    img.draft("L" if img.mode in ("RGB", "YCbCr", "L") else None, (WORK_SIDE, WORK_SIDE))
                img.load()
                premultiplied, alpha = _average_down(img, shown)
    except UploadError:
        raise
    except UnidentifiedImageError as err:
        raise UploadError(_("{name} is not an image this page reads (PNG, JPEG, WebP, GIF, BMP, TIFF or AVIF)",
                            name=shown)) from err
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise UploadError(_("{name} has too many pixels to open safely", name=shown)) from err
    except Exception as err:  # noqa: BLE001 - truncated or damaged data: Pillow raises OSError, SyntaxError,
        # EOFError, ValueError, struct.error... whichever its parser meets first
        raise UploadError(_("{name} is damaged or incomplete", name=shown)) from err
    gray = _composite(premultiplied, alpha)
    return _orient(gray, orientation)


def _is_heif(data: bytes) -> bool:
    """An ISO BMFF ``ftyp`` box naming a HEIF/HEIC brand and not AVIF (which Pillow reads)."""
    if data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[:4], "big")
    box = data[8 : min(max(size, 16), 256)]
    brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4)} - {box[4:8]}  # box[4:8]: minor version
    return not brands & {b"avif", b"avis"} and bool(brands & _HEIF_BRANDS)


def _check_size(img, shown: str) -> None:
    w, h = img.size
    if min(w, h) < MIN_SIDE:
        raise UploadError(_("{name} is {w}×{h} pixels; use at least {least} pixels a side", name=shown, w=w, h=h,
                           least=MIN_SIDE))
    if img.format in ("JPEG", "MPO"):
        if w * h > MAX_JPEG_PIXELS:
            raise UploadError(_("{name} is {w}×{h} pixels; photos up to {mp} megapixels are read", name=shown,
                               w=w, h=h, mp=MAX_JPEG_PIXELS // 1_000_000))
    elif max(w, h) > MAX_SIDE:
        raise UploadError(_("{name} is {w}×{h} pixels; use at most {most} pixels a side (or a JPEG)", name=shown,
                           w=w, h=h, most=MAX_SIDE))


def _orientation(img) -> int:
    try:
        value = int(img.getexif().get(_ORIENTATION, 1))
    except Exception:  # noqa: BLE001 - a damaged EXIF block: show the picture as stored
        return 1
    return value if 1 <= value <= 8 else 1


def _canonical_mode(img) -> str:
    """The mode a strip is converted to before NumPy reads it."""
    mode = img.mode
    if mode in ("L", "LA", "RGB", "RGBA", "I", "F") or mode.startswith("I;16"):
        if "transparency" in img.info and mode in ("L", "RGB"):
            return mode + "A"
        return mode
    if mode == "P":
        return "RGBA" if "transparency" in img.info else "RGB"
    if mode in ("PA", "RGBa"):
        return "RGBA"
    if mode == "La":
        return "LA"
    if mode == "1":
        return "L"
    return "RGB"  # CMYK, YCbCr, LAB, HSV, RGBX: Pillow's own conversion


def _value_scale(img, shown: str) -> float:
    """What full white is in this mode: 255, 65535 for 16-bit; for 32-bit I and F, taken from the range."""
    if img.mode.startswith("I;16"):
        return 65535.0
    if img.mode not in ("I", "F"):
        return 255.0
    lo, hi = img.getextrema()
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0 or hi > 65535:
        raise UploadError(_("{name} has pixel values from {lo:g} to {hi:g}; this page reads 0 to 65535",
                           name=shown, lo=lo, hi=hi))
    if img.mode == "F" and hi <= 1:
        return 1.0
    return 255.0 if hi <= 255 else 65535.0


def _average_down(img, shown: str) -> tuple[np.ndarray, np.ndarray]:
    """Area-average ``img`` by an integer factor so the longer side is <= ``WORK_SIDE``, strip by strip.

    Returns (mean of alpha·luminance, mean of alpha) per output pixel, both float32 in [0, 1]: the
    composite onto any background is then exact (compositing is linear)."""
    mode = _canonical_mode(img)
    scale = _value_scale(img, shown)
    w, h = img.size
    f = max(1, math.ceil(max(w, h) / WORK_SIDE))
    out_w, out_h = math.ceil(w / f), math.ceil(h / f)
    col_counts = np.minimum(np.arange(0, w, f) + f, w) - np.arange(0, w, f)
    prem = np.empty((out_h, out_w), np.float32)
    alpha = np.ones((out_h, out_w), np.float32)
    has_alpha = mode.endswith("A")
    step = max(f, (_STRIP_ROWS // f) * f)
    for top in range(0, h, step):
        bottom = min(top + step, h)
        strip = img.crop((0, top, w, bottom))
        if strip.mode != mode:
            strip = strip.convert(mode)
        unit = np.float32(1 / scale)
        a = np.asarray(strip.getchannel("A")) * unit if has_alpha else None
        if mode in ("RGB", "RGBA"):
            strip = strip.convert("L")  # Rec. 601 luma, in C
        elif mode == "LA":
            strip = strip.getchannel("L")
        lum = np.asarray(strip) * unit
        row_counts = np.minimum(np.arange(0, bottom - top, f) + f, bottom - top) - np.arange(0, bottom - top, f)
        counts = row_counts[:, None] * col_counts[None, :]
        rows = slice(top // f, top // f + row_counts.size)
        if a is not None:
            prem[rows] = _block_sum(lum * a, f) / counts
            alpha[rows] = _block_sum(a, f) / counts
        else:
            prem[rows] = _block_sum(lum, f) / counts
    np.clip(prem, 0.0, 1.0, out=prem)
    np.clip(alpha, 0.0, 1.0, out=alpha)
    return prem, alpha


def _block_sum(arr: np.ndarray, f: int) -> np.ndarray:
    """Sums over ``f`` x ``f`` blocks (the last row/column of blocks may be partial)."""
    if f == 1:
        return arr
    r, w = arr.shape
    padded = np.zeros((-(-r // f) * f, -(-w // f) * f), np.float32)
    padded[:r, :w] = arr
    rows = padded.reshape(padded.shape[0] // f, f, padded.shape[1]).sum(axis=1)
    return rows.reshape(rows.shape[0], rows.shape[1] // f, f).sum(axis=2)


def _composite(premultiplied: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Put the picture on a white background, or on black when everything visible is light.

    A black digit on a transparent layer must not vanish (transparent = white paper), and neither must a
    white one: when under 2 % of the visible area is darker than mid-grey, the background is black."""
    if alpha.min() >= 1.0:
        return premultiplied
    visible = alpha > 0.5
    lum = premultiplied[visible] / alpha[visible]
    dark_share = float(np.mean(lum < 0.5)) if lum.size else 1.0
    background = 1.0 if dark_share >= 0.02 else 0.0
    return premultiplied + np.float32(background) * (1 - alpha)


def _orient(gray: np.ndarray, orientation: int) -> np.ndarray:
    """Apply the EXIF Orientation tag (1-8, TIFF 6.0 / EXIF 2.32): the picture as any viewer shows it."""
    if orientation in (2, 4, 5, 7):  # mirrored variants: flip left-right, then as 1, 3, 8, 6
        gray = gray[:, ::-1]
        orientation = {2: 1, 4: 3, 5: 8, 7: 6}[orientation]
    turns = {1: 0, 6: 3, 3: 2, 8: 1}[orientation]  # counter-clockwise quarter turns (6: rotate 90° clockwise)
    return np.ascontiguousarray(np.rot90(gray, turns))
