"""MNIST: load the shipped copy (or any MNIST-shaped data) and prepare drawn digits.

Pure NumPy. The repository ships ``data/mnist/mnist.npz`` (built from the original
IDX files by ``python scripts/build_mnist.py``), so nothing is downloaded at run time.

Public API
----------
- :data:`DEFAULT_PATH`, :data:`TRAIN_LABEL_COUNTS`, :data:`TEST_LABEL_COUNTS`
- :func:`load_mnist` -> :class:`MnistData`
- :func:`read_idx` -- parse one IDX file (gzip'd or raw)
- :func:`preprocess_drawing` -- a canvas drawing -> a 28x28 MNIST-style image
- :func:`to_float` -- uint8 pixels -> floats in [0, 1]
"""

from __future__ import annotations

import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ._npz import SafeNpz

__all__ = [
    "DEFAULT_PATH",
    "IDX_NAMES",
    "MnistData",
    "TEST_LABEL_COUNTS",
    "TRAIN_LABEL_COUNTS",
    "load_mnist",
    "preprocess_drawing",
    "read_idx",
    "to_float",
]

DEFAULT_PATH: Path = Path(__file__).resolve().parent.parent / "data" / "mnist" / "mnist.npz"
"""The MNIST copy shipped with the repository."""

TRAIN_LABEL_COUNTS: tuple[int, ...] = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
"""How many of the 60000 MNIST training images show each digit 0..9."""

TEST_LABEL_COUNTS: tuple[int, ...] = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)
"""How many of the 10000 MNIST test images show each digit 0..9."""

IDX_NAMES: dict[str, str] = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
"""Standard IDX file names (optionally with ``.gz``) for each array."""

_KEYS = ("x_train", "y_train", "x_test", "y_test")
_IDX_MAGIC_IMAGES = 0x00000803  # uint8, 3 dimensions
_IDX_MAGIC_LABELS = 0x00000801  # uint8, 1 dimension
_REBUILD_HINT = "rebuild it with `python scripts/build_mnist.py` (from the repository root)"

# preprocess_drawing settings, after MNIST: digits fit a 20x20 box inside a 28x28 frame,
# centred by centre of mass at pixel (14, 14) (row, column indices).
_FRAME = 28
_BOX = 20
_CENTRE = 14.0
_INK_THRESHOLD = 0.1  # ink level (0..1) that counts as part of the digit's bounding box
# paper and ink in photos and scans
_GRID = 4  # the paper level is estimated in a 4 x 4 grid of blocks, then interpolated
_PAPER_PERCENTILE = 30  # per block: the paper level holds while ink covers under 70 % of a block
_NOISE_SIGMAS = 3.0  # contrast below this many noise standard deviations is paper
_MIN_CONTRAST = 0.1  # ink must differ from the paper by at least a tenth of the full range ...
_MIN_SNR = 2.0  # ... and by at least twice the noise floor
_GAP = 0.03  # blank rows/columns (share of the longer side) that separate a speck from the digit
_PART_SHARE = 0.1  # a separate part of the drawing is kept if it has >= 10 % of the largest part's ink


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class MnistData:
    """MNIST-shaped data: uint8 images ``(n, 28, 28)`` and uint8 labels ``(n,)``, read-only.

    ``eq=False``: compare arrays explicitly (``np.array_equal``), not the dataclasses.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def flat_train(self) -> np.ndarray:
        """Training images as a read-only ``(n, 784)`` view (no copy)."""
        return self.x_train.reshape(len(self.x_train), -1)

    @property
    def flat_test(self) -> np.ndarray:
        """Test images as a read-only ``(n, 784)`` view (no copy)."""
        return self.x_test.reshape(len(self.x_test), -1)

    def subset(self, n_train: int, rng: int | np.random.Generator = 0) -> MnistData:
        """Return a copy whose training part is ``n_train`` randomly chosen training examples.

        Plain uniform sampling without replacement (not stratified, so class counts vary a
        little); the chosen examples keep their original order. The test part is shared
        unchanged. ``rng`` is an int seed or a ``np.random.Generator``; the same seed
        always gives the same subset.
        """
        n = len(self.y_train)
        if isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)):
            raise TypeError(f"n_train must be an int, got {type(n_train).__name__}: {n_train!r}")
        if not 1 <= n_train <= n:
            raise ValueError(f"n_train must be between 1 and {n}, got {n_train}")
        gen = np.random.default_rng(rng)
        idx = np.sort(gen.choice(n, size=int(n_train), replace=False))
        return MnistData(
            x_train=_read_only(self.x_train[idx]),
            y_train=_read_only(self.y_train[idx]),
            x_test=self.x_test,
            y_test=self.y_test,
        )


MAX_NPZ_BYTES: int = 2**30
"""``load_mnist``'s default cap on the inflated size of a ``.npz``'s four arrays (1.07 GB;
MNIST itself is 55 MB)."""


def load_mnist(path: str | os.PathLike[str] | None = None, *, verify_counts: bool = True,
               max_bytes: int = MAX_NPZ_BYTES) -> MnistData:
    """Load and verify MNIST (or MNIST-shaped data such as Fashion-MNIST).

    ``path`` is one of:

    - ``None``: the copy shipped with the repository (:data:`DEFAULT_PATH`);
    - a ``.npz`` file with uint8 arrays ``x_train (n, 28, 28)``, ``y_train (n,)``,
      ``x_test (m, 28, 28)``, ``y_test (m,)``;
    - a directory holding the four standard IDX files (:data:`IDX_NAMES`, each raw or
      with ``.gz``).

    Every array is checked (keys, dtype, shapes, matching counts, labels 0..9) and made
    read-only. With ``verify_counts=True`` and the standard 60000/10000 sizes, the label
    counts must equal MNIST's (:data:`TRAIN_LABEL_COUNTS`, :data:`TEST_LABEL_COUNTS`); pass
    ``verify_counts=False`` for other 60000/10000 data sets such as Fashion-MNIST.

    A ``.npz`` is checked from its zip directory and ``.npy`` headers before any data is read,
    and refused when its four arrays would inflate to more than ``max_bytes``; IDX files are
    checked from their headers, and a gzip'd one is never inflated beyond what its header
    declares (nor beyond ``max_bytes``).

    Raises ``FileNotFoundError`` if the file or directory (or an IDX file in it) is missing,
    and ``ValueError`` naming the file and the problem for damaged, malformed or oversized data.
    """
    source = DEFAULT_PATH if path is None else Path(path)
    if source.is_dir():
        arrays, names = _load_idx_dir(source, max_bytes)
    elif source.is_file():
        arrays, names = _load_npz(source, max_bytes)
    elif path is None:
        raise FileNotFoundError(f"the shipped MNIST file {source} is missing; {_REBUILD_HINT}")
    else:
        hint = f"; {_REBUILD_HINT}" if source.resolve() == DEFAULT_PATH else ""
        raise FileNotFoundError(
            f"MNIST path {source} does not exist "
            f"(expected a .npz file or a directory of the four IDX files){hint}"
        )
    _validate(arrays, names, source, verify_counts=verify_counts)
    return MnistData(**{key: _read_only(arrays[key]) for key in _KEYS})


def read_idx(source: str | os.PathLike[str] | bytes, *, max_bytes: int = 2**30) -> np.ndarray:
    """Parse an IDX file (gzip'd or raw) of uint8 images or labels.

    ``source`` is a path or the file's bytes. Gzip is recognised by its magic bytes, not by
    the file name. The header is checked: magic ``0x00000803`` (uint8, 3 dims: images) or
    ``0x00000801`` (uint8, 1 dim: labels), positive dimensions, and a payload of exactly
    ``prod(dims)`` bytes. A gzip'd file is inflated only as far as its header declares, and
    refused when that is over ``max_bytes``. Returns a read-only uint8 array of shape ``dims``.
    Raises ``ValueError`` naming the file for anything malformed or truncated.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        name, data = "<bytes>", bytes(source)
    else:
        name = str(source)
        data = Path(source).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = _gunzip_idx(data, name, max_bytes)
    if len(data) < 4:
        raise ValueError(f"IDX file {name}: only {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic not in (_IDX_MAGIC_IMAGES, _IDX_MAGIC_LABELS):
        raise ValueError(
            f"IDX file {name}: magic number 0x{magic:08x} is not 0x{_IDX_MAGIC_IMAGES:08x} "
            f"(uint8 images) or 0x{_IDX_MAGIC_LABELS:08x} (uint8 labels)"
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"IDX file {name}: truncated header ({len(data)} of {header} bytes)")
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if any(d <= 0 or d >= 2**31 for d in dims):
        raise ValueError(f"IDX file {name}: invalid dimensions {dims}")
    expected = math.prod(dims)  # Python ints: three dimensions near 2**31 do not wrap around
    payload = len(data) - header
    if payload != expected:
        problem = "truncated" if payload < expected else "has trailing bytes"
        raise ValueError(
            f"IDX file {name}: {problem}: dimensions {dims} need {expected} data bytes, found {payload}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def to_float(x: np.ndarray, dtype: type[np.floating] | np.dtype = np.float32) -> np.ndarray:
    """Map uint8 pixels (any shape, e.g. ``(n, 784)`` or ``(n, 28, 28)``) to floats in [0, 1].

    float32: ``x.astype(float32) * float32(1/255)`` (no float64 temporaries; 255 -> 1.0).
    float64: exactly ``x.astype(float64) / 255``, bit-for-bit what ``x / 255`` gives.
    """
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise ValueError(f"to_float expects uint8 pixels, got dtype {x.dtype}")
    dt = np.dtype(dtype)
    if dt == np.float32:
        return x.astype(np.float32) * np.float32(1 / 255)
    if dt == np.float64:
        return x.astype(np.float64) / 255
    raise ValueError(f"to_float dtype must be float32 or float64, got {dt}")


# --------------------------------------------------------------------------- drawings


def preprocess_drawing(
    image: np.ndarray,
    *,
    invert: bool | Literal["auto"] = "auto",
    min_ink: float = 5e-4,
) -> np.ndarray | None:
    """Turn a drawn digit into the 28x28 float32 image in [0, 1] an MNIST network expects.

    ``image`` is ``H x W x 4`` RGBA (e.g. ``st_canvas(...).image_data``), ``H x W x 3`` RGB
    or ``H x W`` grayscale; uint8/integer 0..255 or float 0..1. Steps, after MNIST's own
    preprocessing (LeCun, Cortes, Burges):

    1. Ink intensity: luminance (Rec. 601); for RGBA times alpha, so a transparent or black
       canvas is blank. ``invert="auto"`` inverts (dark ink on a light background) when the
       darkest pixel lies further below the paper level (median of the image border) than the
       brightest lies above it; ``True``/``False`` force it.
    2. Paper: the paper level is estimated per block of a 4x4 grid (30th percentile of the
       ink-side values, a median of the neighbouring blocks caps a block full of ink) and
       interpolated bilinearly, so evenly grey paper and uneven lighting both become 0. The
       noise of the paper (1.4826 x the median absolute deviation) sets a floor: contrast below
       3 sigma is paper. Otsu's threshold (Otsu 1979, "A threshold selection method from
       gray-level histograms") on the contrast above the floor splits ink from noise; the median
       contrast of the ink class becomes ink level 1.0. A clean canvas is unchanged by this step.
    3. Blank check: return ``None`` if the ink differs from the paper by under a tenth of the
       range or under twice the noise floor, if the total ink is below ``min_ink`` times the
       number of pixels, or if no pixel reaches ink level 0.1, so the UI can ask for a digit.
    4. Bounding box of the ink (level >= 0.1) that a speck cannot stretch: rows (then columns,
       then both again) are split into parts at runs of blank lines longer than 3 % of the
       longer side, and only parts holding at least 10 % of the largest part's ink are kept.
    5. Crop to that box and resample with exact area averaging (each output pixel integrates
       the source pixels it covers) so the longer side is 20 pixels, keeping the aspect ratio.
    6. Stretch so the brightest pixel is 1.0 (every MNIST digit has a 254 or 255 pixel), so
       thin strokes on a large canvas are not faint.
    7. Paste into a 28x28 frame, shifted by the rounded centre-of-mass offset so the centre
       of mass lands at pixel (14, 14). Unlike MNIST, the shift is clamped so that no ink
       falls off the frame (this only matters for very lopsided drawings).
    """
    ink = _ink_intensity(image, invert)
    if min_ink < 0:
        raise ValueError(f"min_ink must be >= 0, got {min_ink}")
    if ink.sum() < min_ink * ink.size:
        return None
    box = _ink_box(ink)
    if box is None:
        return None
    (r0, r1), (c0, c1) = box
    crop = ink[r0 : r1 + 1, c0 : c1 + 1]
    h, w = crop.shape
    scale = _BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    digit = _area_resize(crop, new_h, new_w)
    digit /= digit.max()
    return _paste_centred(digit).astype(np.float32)


def _ink_intensity(image: np.ndarray, invert: bool | Literal["auto"]) -> np.ndarray:
    """Return the ``H x W`` float64 ink intensity in [0, 1] of a drawn image."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (3, 4))):
        raise ValueError(f"image must be H x W, H x W x 3 (RGB) or H x W x 4 (RGBA), got shape {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"image is empty, shape {arr.shape}")
    if invert not in ("auto", True, False):
        raise ValueError(f"invert must be 'auto', True or False, got {invert!r}")
    values = _to_unit_range(arr)
    if values.ndim == 2:
        gray = values
    else:
        gray = values[:, :, :3] @ np.array([0.299, 0.587, 0.114])
        if values.shape[2] == 4:
            gray = gray * values[:, :, 3]
    if invert == "auto":
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        paper = float(np.median(border))
        invert = bool(paper - gray.min() > gray.max() - paper)
    return _paper_removed(1.0 - gray if invert else gray)


def _paper_removed(values: np.ndarray) -> np.ndarray:
    """Ink-side values (ink brighter than the paper) -> ink in [0, 1]: paper and its noise 0, ink 1.

    Returns all zeros when there is no ink that stands out from the paper (see preprocess_drawing)."""
    contrast = values - _paper_level(values)
    centre = float(np.median(contrast))
    contrast -= centre
    sigma = 1.4826 * float(np.median(np.abs(contrast)))  # robust noise estimate (MAD), paper is the majority
    floor = _NOISE_SIGMAS * sigma
    above = contrast[contrast > floor]
    if above.size == 0:
        return np.zeros_like(values)
    threshold = _otsu_threshold(above)
    level = float(np.median(above[above >= threshold]))
    if level < max(_MIN_CONTRAST, _MIN_SNR * floor):
        return np.zeros_like(values)
    return np.clip((contrast - floor) / (level - floor), 0.0, 1.0)


def _paper_level(values: np.ndarray) -> np.ndarray:
    """The paper's level under every pixel: the darkest value if over half the pixels have it exactly
    (a flat background), else per block of a ``_GRID`` x ``_GRID`` grid the
    ``_PAPER_PERCENTILE``-th percentile, capped by the median of the neighbouring blocks (a block
    that is mostly ink), then interpolated bilinearly between block centres (``H x W`` float64)."""
    lowest = values.min()
    if 2 * np.count_nonzero(values == lowest) > values.size:
        return np.full_like(values, lowest)  # flat paper: a canvas, a clean export
    h, w = values.shape
    rows = np.linspace(0, h, _GRID + 1).round().astype(int)
    cols = np.linspace(0, w, _GRID + 1).round().astype(int)
    grid = np.zeros((_GRID, _GRID))
    for i in range(_GRID):
        for j in range(_GRID):
            block = values[rows[i] : max(rows[i + 1], rows[i] + 1), cols[j] : max(cols[j + 1], cols[j] + 1)]
            grid[i, j] = np.percentile(block, _PAPER_PERCENTILE)
    padded = np.pad(grid, 1, mode="edge")
    around = np.median([padded[a : a + _GRID, b : b + _GRID] for a in range(3) for b in range(3)], axis=0)
    grid = np.minimum(grid, around)
    return _interpolation(rows, h) @ grid @ _interpolation(cols, w).T


def _interpolation(edges: np.ndarray, n: int) -> np.ndarray:
    """``(n, len(edges) - 1)`` weights of linear interpolation between block centres (flat at the ends)."""
    centres = (edges[:-1] + edges[1:] - 1) / 2
    positions = np.arange(n)
    eye = np.eye(len(centres))
    return np.stack([np.interp(positions, centres, eye[k]) for k in range(len(centres))], axis=1)


def _otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu's threshold (1979): the cut of the histogram that maximises the between-class
    variance ``w0 w1 (mu0 - mu1)^2``. Returns the upper edge of the last bin of the lower class."""
    lo, hi = float(values.min()), float(values.max())
    if hi - lo <= 1e-9:  # one level (up to rounding): nothing to split
        return lo
    hist, edges = np.histogram(values, bins=bins, range=(lo, hi))
    p = hist / hist.sum()
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(p)[:-1]
    m0 = np.cumsum(p * centres)[:-1]
    total = float(p @ centres)
    w1 = 1.0 - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total * w0 - m0) ** 2 / (w0 * w1)
    between[(w0 <= 0) | (w1 <= 0)] = -1.0
    return float(edges[int(np.argmax(between)) + 1])


def _ink_box(ink: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``((top, bottom), (left, right))`` inclusive bounds of the drawing's ink, or None.

    Alternately along rows and columns, the ink mass profile is split into parts at gaps of
    blank lines; parts with under ``_PART_SHARE`` of the largest part's ink (a stray speck) are
    left out, so they cannot stretch the box."""
    strong = np.where(ink >= _INK_THRESHOLD, ink, 0.0)
    gap = max(1, round(_GAP * max(ink.shape)))
    rows = _main_span(strong.sum(axis=1), gap)
    cols = _main_span(strong.sum(axis=0), gap)
    if rows is None or cols is None:
        return None
    for _ in range(2):
        rows = _main_span(strong[:, cols[0] : cols[1] + 1].sum(axis=1), gap) or rows
        cols = _main_span(strong[rows[0] : rows[1] + 1].sum(axis=0), gap) or cols
    return rows, cols


def _main_span(profile: np.ndarray, gap: int) -> tuple[int, int] | None:
    """First and last index of the parts of ``profile`` (ink per line) that carry the drawing."""
    idx = np.flatnonzero(profile > 0)
    if idx.size == 0:
        return None
    breaks = np.flatnonzero(np.diff(idx) > gap)
    starts = idx[np.r_[0, breaks + 1]]
    ends = idx[np.r_[breaks, idx.size - 1]]
    cumulative = np.concatenate([[0.0], np.cumsum(profile)])
    mass = cumulative[ends + 1] - cumulative[starts]
    keep = mass >= _PART_SHARE * mass.max()
    return int(starts[keep].min()), int(ends[keep].max())


def _to_unit_range(arr: np.ndarray) -> np.ndarray:
    """Return ``arr`` as float64 in [0, 1]: integers are 0..255; floats 0..1 (or 0..255)."""
    if arr.dtype == np.bool_:
        return arr.astype(np.float64)
    if np.issubdtype(arr.dtype, np.integer):
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi > 255:
            raise ValueError(f"integer image values must be in 0..255, got {lo}..{hi}")
        return arr.astype(np.float64) / 255
    if np.issubdtype(arr.dtype, np.floating):
        values = arr.astype(np.float64)
        if not np.isfinite(values).all():
            raise ValueError("image contains NaN or infinite values")
        lo, hi = float(values.min()), float(values.max())
        if lo < 0 or hi > 255:
            raise ValueError(f"float image values must be in 0..1 (or 0..255), got {lo}..{hi}")
        return values / 255 if hi > 1 else values
    raise ValueError(f"image dtype must be integer or float, got {arr.dtype}")


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """``(n_out, n_in)`` matrix: output pixel i averages the source span it covers.

    Output pixel i covers ``[i, i + 1) * n_in / n_out`` in source coordinates; its weight
    on source pixel j is the length of overlap with ``[j, j + 1)``, divided by the span
    length, so every row sums to 1 (exact box-filter / area resampling).
    """
    step = n_in / n_out
    lo = (np.arange(n_out) * step)[:, None]
    hi = lo + step
    src = np.arange(n_in)[None, :]
    overlap = np.minimum(hi, src + 1) - np.maximum(lo, src)
    return np.clip(overlap, 0.0, None) / step


def _area_resize(image: np.ndarray, new_h: int, new_w: int) -> np.ndarray:
    """Resample a 2-D image to ``(new_h, new_w)`` by area averaging (anti-aliased)."""
    h, w = image.shape
    return _area_weights(h, new_h) @ image @ _area_weights(w, new_w).T


def _paste_centred(digit: np.ndarray) -> np.ndarray:
    """Place ``digit`` in a 28x28 frame with its centre of mass at (14, 14), ink kept inside."""
    h, w = digit.shape
    mass = digit.sum()
    cy = (digit.sum(axis=1) @ np.arange(h)) / mass
    cx = (digit.sum(axis=0) @ np.arange(w)) / mass
    top = min(max(int(np.floor(_CENTRE - cy + 0.5)), 0), _FRAME - h)
    left = min(max(int(np.floor(_CENTRE - cx + 0.5)), 0), _FRAME - w)
    frame = np.zeros((_FRAME, _FRAME))
    frame[top : top + h, left : left + w] = digit
    return np.clip(frame, 0.0, 1.0)


# --------------------------------------------------------------------------- helpers


def _gunzip_idx(data: bytes, name: str, max_bytes: int) -> bytes:
    """Inflate a gzip'd IDX file, never beyond the size its header declares (+1 byte, to tell
    trailing data) nor beyond ``max_bytes``: a gzip bomb costs what its header claims, at most."""
    inflater = zlib.decompressobj(wbits=31)  # 31: gzip wrapper
    try:
        head = inflater.decompress(data, 4 + 4 * 3)
        need = len(head)
        magic = int.from_bytes(head[:4], "big") if len(head) >= 4 else 0
        if magic in (_IDX_MAGIC_IMAGES, _IDX_MAGIC_LABELS) and len(head) >= 4 + 4 * (magic & 0xFF):
            ndim = magic & 0xFF
            need = 4 + 4 * ndim + math.prod(int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
        if need > max_bytes:
            raise ValueError(f"IDX file {name}: its header declares {need:,} bytes; the limit is "
                             f"{max_bytes:,} (max_bytes)")
        body = inflater.decompress(inflater.unconsumed_tail, need - len(head) + 1)
    except zlib.error as exc:
        raise ValueError(f"IDX file {name}: damaged or truncated gzip data ({exc})") from exc
    out = head + body
    if len(out) <= need and not inflater.eof:
        raise ValueError(f"IDX file {name}: damaged or truncated gzip data (the stream ends early)")
    return out


def _read_only(arr: np.ndarray) -> np.ndarray:
    """Mark ``arr`` read-only (in place) and return it."""
    arr.flags.writeable = False
    return arr


def _load_npz(path: Path, max_bytes: int) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read the four arrays from a ``.npz`` file; damaged or oversized files raise ``ValueError``.

    Everything a file declares is checked before any pixel is read (``nnlib._npz``): the
    four names, each ``.npy`` header's dtype and shape (uint8, ``(n, 28, 28)`` / ``(n,)``,
    matching counts) and the total size against ``max_bytes``. Other members are never read."""
    names = {key: f"{path} [{key}]" for key in _KEYS}
    with open(path, "rb") as f:
        head = f.read(6)
    if head == b"\x93NUMPY":
        raise ValueError(f"MNIST file {path}: a single .npy array, expected a .npz archive")
    if not head.startswith(b"PK"):
        raise ValueError(f"MNIST file {path}: not a .npz archive (no zip signature at the start)")
    try:
        npz = SafeNpz(path, f"MNIST file {path}", max_bytes=max_bytes, kind="archive")
    except ValueError as exc:
        raise ValueError(f"MNIST file {path}: damaged or truncated .npz archive ({exc})") from exc
    with npz:
        missing = [key for key in _KEYS if key not in npz.members]
        if missing:
            found = ", ".join(k[:40] for k in list(npz.members)[:12]) or "none"
            raise ValueError(
                f"MNIST file {path}: missing array(s) {', '.join(missing)} "
                f"(found: {found}; need {', '.join(_KEYS)})"
            )
        shapes = {}
        for key in _KEYS:
            shape, dtype = npz.header(key)
            _check_declared(names[key], key, shape, dtype)
            shapes[key] = shape
        for part in ("train", "test"):
            xk, yk = f"x_{part}", f"y_{part}"
            if shapes[xk][0] != shapes[yk][0]:
                raise ValueError(f"MNIST data {path}: {shapes[xk][0]} {part} images ({names[xk]}) "
                                 f"but {shapes[yk][0]} labels ({names[yk]})")
        total = sum(npz.members[key].file_size for key in _KEYS)
        if total > max_bytes:
            raise ValueError(f"MNIST file {path}: its four arrays inflate to {total:,} bytes; the limit is "
                             f"{max_bytes:,} (pass a larger max_bytes to load_mnist if the data is real)")
        arrays = {key: npz.read(key) for key in _KEYS}
    return arrays, names


def _check_declared(name: str, key: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    """The dtype and shape checks of ``_validate``, on what a header declares (before reading)."""
    if dtype != np.uint8:
        raise ValueError(f"{name}: dtype is {dtype}, expected uint8")
    if key.startswith("x") and (len(shape) != 3 or shape[1:] != (28, 28)):
        raise ValueError(f"{name}: shape is {shape}, expected (n, 28, 28)")
    if key.startswith("y") and len(shape) != 1:
        raise ValueError(f"{name}: shape is {shape}, expected (n,)")
    if shape[0] == 0:
        raise ValueError(f"{name}: is empty")


def _load_idx_dir(folder: Path, max_bytes: int) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read the four standard IDX files (raw preferred, else ``.gz``) from ``folder``."""
    arrays: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    for key, stem in IDX_NAMES.items():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            raise FileNotFoundError(f"MNIST directory {folder}: missing {stem} (or {stem}.gz)")
        arrays[key] = read_idx(found, max_bytes=max_bytes)
        names[key] = str(found)
    return arrays, names


def _validate(
    arrays: dict[str, np.ndarray], names: dict[str, str], source: Path, *, verify_counts: bool
) -> None:
    """Check dtypes, shapes, matching counts, label range and (optionally) MNIST label counts."""
    for key in _KEYS:
        arr = arrays[key]
        if arr.dtype != np.uint8:
            raise ValueError(f"{names[key]}: dtype is {arr.dtype}, expected uint8")
        if key.startswith("x") and (arr.ndim != 3 or arr.shape[1:] != (28, 28)):
            raise ValueError(f"{names[key]}: shape is {arr.shape}, expected (n, 28, 28)")
        if key.startswith("y") and arr.ndim != 1:
            raise ValueError(f"{names[key]}: shape is {arr.shape}, expected (n,)")
        if len(arr) == 0:
            raise ValueError(f"{names[key]}: is empty")
    for part in ("train", "test"):
        xk, yk = f"x_{part}", f"y_{part}"
        n_x, n_y = len(arrays[xk]), len(arrays[yk])
        if n_x != n_y:
            raise ValueError(
                f"MNIST data {source}: {n_x} {part} images ({names[xk]}) but {n_y} labels ({names[yk]})"
            )
        top = int(arrays[yk].max())
        if top > 9:
            bad = int(np.count_nonzero(arrays[yk] > 9))
            raise ValueError(f"{names[yk]}: labels must be 0..9, found {bad} label(s) up to {top}")
    standard = len(arrays["y_train"]) == 60000 and len(arrays["y_test"]) == 10000
    if verify_counts and standard:
        for yk, known in (("y_train", TRAIN_LABEL_COUNTS), ("y_test", TEST_LABEL_COUNTS)):
            counts = tuple(int(c) for c in np.bincount(arrays[yk], minlength=10))
            if counts != known:
                raise ValueError(
                    f"{names[yk]}: label counts {list(counts)} differ from MNIST's {list(known)}; "
                    "the file is damaged, or it is another data set (e.g. Fashion-MNIST): "
                    "then pass verify_counts=False"
                )
