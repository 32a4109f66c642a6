"""Tests for nnlib.mnist: the shipped data, IDX parsing, verification and drawing preprocessing."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np
import pytest

from nnlib.mnist import (
    DEFAULT_PATH,
    TEST_LABEL_COUNTS,
    TRAIN_LABEL_COUNTS,
    MnistData,
    _otsu_threshold,
    load_mnist,
    preprocess_drawing,
    read_idx,
    to_float,
)

IDX_STEMS = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


# ------------------------------------------------------------------ helpers


def idx_bytes(arr: np.ndarray) -> bytes:
    """Encode a uint8 array of 1 or 3 dimensions as an IDX file."""
    magic = 0x0800 | arr.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def small_arrays(n_train: int = 12, n_test: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    """Tiny random MNIST-shaped arrays."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez_compressed(path, **arrays)
    return path


def ink_stats(img: np.ndarray) -> tuple[int, int, float, float]:
    """(bbox height, bbox width, centre-of-mass row, centre-of-mass column)."""
    rows = np.flatnonzero(img.any(axis=1))
    cols = np.flatnonzero(img.any(axis=0))
    idx = np.arange(img.shape[0])
    mass = img.sum()
    cy = float(img.sum(axis=1) @ idx / mass)
    cx = float(img.sum(axis=0) @ idx / mass)
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1, cy, cx


@pytest.fixture(scope="module")
def mnist() -> MnistData:
    return load_mnist()


# ------------------------------------------------------------------ shipped data


def test_shipped_file_shapes_dtypes_counts(mnist: MnistData) -> None:
    assert DEFAULT_PATH.is_file()
    assert mnist.x_train.shape == (60000, 28, 28)
    assert mnist.y_train.shape == (60000,)
    assert mnist.x_test.shape == (10000, 28, 28)
    assert mnist.y_test.shape == (10000,)
    for arr in (mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test):
        assert arr.dtype == np.uint8
        assert not arr.flags.writeable
    assert tuple(np.bincount(mnist.y_train, minlength=10)) == TRAIN_LABEL_COUNTS
    assert tuple(np.bincount(mnist.y_test, minlength=10)) == TEST_LABEL_COUNTS
    assert mnist.x_train.min() == 0 and mnist.x_train.max() == 255
    assert mnist.x_test.min() == 0 and mnist.x_test.max() == 255


def test_shipped_arrays_are_read_only(mnist: MnistData) -> None:
    with pytest.raises(ValueError):
        mnist.x_train[0, 0, 0] = 1
    with pytest.raises(ValueError):
        mnist.flat_test[0, 0] = 1


def test_flat_views_share_memory(mnist: MnistData) -> None:
    assert mnist.flat_train.shape == (60000, 784)
    assert mnist.flat_test.shape == (10000, 784)
    assert np.shares_memory(mnist.flat_train, mnist.x_train)
    assert np.shares_memory(mnist.flat_test, mnist.x_test)


def test_subset_is_seeded_and_read_only(mnist: MnistData) -> None:
    a = mnist.subset(500, 3)
    b = mnist.subset(500, np.random.default_rng(3))
    c = mnist.subset(500, 4)
    assert a.x_train.shape == (500, 28, 28) and a.y_train.shape == (500,)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    assert a.x_test is mnist.x_test
    assert not a.x_train.flags.writeable
    with pytest.raises(ValueError, match="n_train"):
        mnist.subset(0)
    with pytest.raises(ValueError, match="n_train"):
        mnist.subset(60001)


# ------------------------------------------------------------------ IDX files


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_round_trip(tmp_path: Path, compress: bool) -> None:
    arrays = small_arrays()
    for key in ("x_train", "y_train"):
        data = idx_bytes(arrays[key])
        path = tmp_path / (key + (".gz" if compress else ""))
        path.write_bytes(gzip.compress(data) if compress else data)
        out = read_idx(path)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, arrays[key])
        np.testing.assert_array_equal(read_idx(path.read_bytes()), arrays[key])


def test_read_idx_rejects_bad_files(tmp_path: Path) -> None:
    data = idx_bytes(small_arrays()["x_train"])
    truncated = tmp_path / "truncated"
    truncated.write_bytes(data[:-100])
    with pytest.raises(ValueError, match=re.escape(str(truncated)) + r".*truncated.*found"):
        read_idx(truncated)
    gz = tmp_path / "truncated.gz"
    gz.write_bytes(gzip.compress(data)[:-50])
    with pytest.raises(ValueError, match="gzip"):
        read_idx(gz)
    with pytest.raises(ValueError, match="magic number 0x00000c03"):
        read_idx(b"\x00\x00\x0c\x03" + data[4:])
    with pytest.raises(ValueError, match="trailing"):
        read_idx(data + b"\x00")


def test_load_mnist_from_idx_directory(tmp_path: Path) -> None:
    arrays = small_arrays()
    for key, stem in IDX_STEMS.items():
        data = idx_bytes(arrays[key])
        if key.startswith("x"):  # mix gzip'd and raw files
            (tmp_path / f"{stem}.gz").write_bytes(gzip.compress(data))
        else:
            (tmp_path / stem).write_bytes(data)
    loaded = load_mnist(tmp_path)
    for key in IDX_STEMS:
        np.testing.assert_array_equal(getattr(loaded, key), arrays[key])
        assert not getattr(loaded, key).flags.writeable


def test_load_mnist_idx_directory_missing_file(tmp_path: Path) -> None:
    arrays = small_arrays()
    for key, stem in IDX_STEMS.items():
        if key != "y_test":
            (tmp_path / stem).write_bytes(idx_bytes(arrays[key]))
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path)


def test_load_mnist_idx_count_mismatch(tmp_path: Path) -> None:
    arrays = small_arrays()
    arrays["y_train"] = arrays["y_train"][:-1]
    for key, stem in IDX_STEMS.items():
        (tmp_path / stem).write_bytes(idx_bytes(arrays[key]))
    with pytest.raises(ValueError, match=r"12 train images .* but 11 labels"):
        load_mnist(tmp_path)


# ------------------------------------------------------------------ npz verification


def test_load_mnist_small_npz_round_trip(tmp_path: Path) -> None:
    arrays = small_arrays()
    loaded = load_mnist(write_npz(tmp_path / "small.npz", **arrays))
    np.testing.assert_array_equal(loaded.x_test, arrays["x_test"])
    assert loaded.flat_train.shape == (12, 784)


def test_truncated_npz(tmp_path: Path) -> None:
    data = DEFAULT_PATH.read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"truncated\.npz.*damaged or truncated"):
        load_mnist(bad)


def test_damaged_npz_member(tmp_path: Path) -> None:
    path = write_npz(tmp_path / "small.npz", **small_arrays())
    data = bytearray(path.read_bytes())
    start = data.index(b"x_train.npy") + 200  # inside the compressed x_train member
    data[start : start + 64] = bytes(64)
    bad = tmp_path / "damaged.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"damaged\.npz"):
        load_mnist(bad)


def test_npz_missing_key(tmp_path: Path) -> None:
    arrays = small_arrays()
    del arrays["y_test"]
    with pytest.raises(ValueError, match=r"missing\.npz.*missing array\(s\) y_test"):
        load_mnist(write_npz(tmp_path / "missing.npz", **arrays))


def test_npz_wrong_dtype(tmp_path: Path) -> None:
    arrays = small_arrays()
    arrays["x_train"] = arrays["x_train"].astype(np.float32)
    with pytest.raises(ValueError, match=r"x_train.*dtype is float32, expected uint8"):
        load_mnist(write_npz(tmp_path / "dtype.npz", **arrays))


def test_npz_wrong_shape(tmp_path: Path) -> None:
    arrays = small_arrays()
    arrays["x_test"] = arrays["x_test"].reshape(5, 784)
    with pytest.raises(ValueError, match=r"x_test.*shape is \(5, 784\), expected \(n, 28, 28\)"):
        load_mnist(write_npz(tmp_path / "shape.npz", **arrays))


def test_npz_label_out_of_range(tmp_path: Path) -> None:
    arrays = small_arrays()
    arrays["y_train"][3] = 10
    with pytest.raises(ValueError, match=r"y_train.*labels must be 0\.\.9.*up to 10"):
        load_mnist(write_npz(tmp_path / "labels.npz", **arrays))


def test_label_counts_checked_for_standard_sizes(tmp_path: Path, mnist: MnistData) -> None:
    y_train = np.array(mnist.y_train)
    y_train[0] = (y_train[0] + 1) % 10
    arrays = {"x_train": mnist.x_train, "y_train": y_train, "x_test": mnist.x_test, "y_test": mnist.y_test}
    path = tmp_path / "relabelled.npz"
    np.savez(path, **arrays)  # uncompressed: fast to write
    with pytest.raises(ValueError, match=r"y_train.*label counts .* differ from MNIST"):
        load_mnist(path)
    assert load_mnist(path, verify_counts=False).y_train[0] == y_train[0]


def test_not_an_npz(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"hello world")
    with pytest.raises(ValueError, match=r"junk\.npz.*not a \.npz archive"):
        load_mnist(junk)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match=r"single\.npy.*expected a \.npz archive"):
        load_mnist(single)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.npz does not exist"):
        load_mnist(tmp_path / "nope.npz")


def test_missing_shipped_file_says_how_to_rebuild(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("nnlib.mnist.DEFAULT_PATH", tmp_path / "mnist.npz")
    with pytest.raises(FileNotFoundError, match=r"python scripts/build_mnist\.py"):
        load_mnist()


# ------------------------------------------------------------------ drawings


def canvas_with_bar(dark_on_light: bool = False) -> np.ndarray:
    """280x280 RGBA canvas with an off-centre vertical bar (a '1'), like st_canvas output."""
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)
    if dark_on_light:
        canvas[:] = 255  # opaque white background
        canvas[30:230, 200:230, :3] = 0  # black ink
    else:
        canvas[30:230, 200:230] = 255  # white, opaque stroke on a transparent canvas
    return canvas


def test_blank_canvas_is_none() -> None:
    assert preprocess_drawing(np.zeros((280, 280, 4), dtype=np.uint8)) is None
    black_opaque = np.zeros((280, 280, 4), dtype=np.uint8)
    black_opaque[..., 3] = 255
    assert preprocess_drawing(black_opaque) is None
    assert preprocess_drawing(np.full((280, 280, 3), 255, dtype=np.uint8)) is None  # white paper
    speck = np.zeros((280, 280), dtype=np.uint8)
    speck[100, 100] = 255
    assert preprocess_drawing(speck) is None


def test_drawn_bar_is_normalised_and_centred() -> None:
    out = preprocess_drawing(canvas_with_bar())
    assert out is not None
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() == pytest.approx(1.0)
    height, width, cy, cx = ink_stats(out)
    assert abs(max(height, width) - 20) <= 1
    assert width <= 4  # aspect ratio kept: 200 x 30 -> 20 x 3
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1


def test_dark_ink_on_light_background_matches() -> None:
    light = preprocess_drawing(canvas_with_bar(dark_on_light=True))
    dark = preprocess_drawing(canvas_with_bar())
    assert light is not None and dark is not None
    np.testing.assert_allclose(light, dark, atol=1e-6)
    gray = 255 - canvas_with_bar()[..., 0]  # grayscale, dark ink on white
    np.testing.assert_allclose(preprocess_drawing(gray), dark, atol=1e-6)
    np.testing.assert_allclose(preprocess_drawing(gray / 255.0), dark, atol=1e-6)
    forced = preprocess_drawing(canvas_with_bar(dark_on_light=True), invert=True)
    np.testing.assert_allclose(forced, dark, atol=1e-6)


def test_mnist_digit_survives_preprocessing(mnist: MnistData) -> None:
    """An MNIST digit drawn 10x larger comes back (almost) as itself."""
    digit = mnist.x_test[0]
    big = np.kron(digit, np.ones((10, 10), dtype=np.uint8))
    out = preprocess_drawing(big)
    assert out is not None
    assert np.abs(out - digit / 255).max() < 0.1


def on_paper(paper: float | np.ndarray, ink: float = 0.1, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """The bar of ``canvas_with_bar`` as a dark pen on paper of level ``paper`` (grey, 0..1)."""
    bar = canvas_with_bar()[..., 0] / 255.0
    out = paper - (paper - ink) * bar
    if noise:
        out = out + np.random.default_rng(seed).normal(0, noise, out.shape)
    return np.clip(out, 0, 1)


@pytest.mark.parametrize("paper", [215 / 255, 0.6, 0.4])  # light grey, grey, underexposed
def test_grey_paper_is_paper_not_ink(paper) -> None:
    """Today's bug: paper at 215 counted as ink, the whole page became the digit's box."""
    out = preprocess_drawing(on_paper(paper, ink=0.05))
    np.testing.assert_allclose(out, preprocess_drawing(canvas_with_bar()), atol=1e-6)


def test_uneven_light_and_sensor_noise_are_not_ink() -> None:
    y, x = np.mgrid[0:280, 0:280] / 280
    lamp = 1 - 0.5 * np.sqrt((x**2 + y**2) / 2)  # bright top left, half as bright bottom right
    out = preprocess_drawing(on_paper(0.9 * lamp, ink=0.08, noise=0.02))
    clean = preprocess_drawing(canvas_with_bar())
    assert np.abs(out - clean).mean() < 0.02
    blank = np.clip(0.9 * lamp + np.random.default_rng(1).normal(0, 0.02, lamp.shape), 0, 1)
    assert preprocess_drawing(blank) is None  # paper alone: no digit


def test_a_stray_speck_cannot_stretch_the_box() -> None:
    clean = preprocess_drawing(on_paper(1.0))
    for y, x in [(5, 5), (270, 20), (140, 10), (10, 140)]:
        specked = on_paper(1.0)
        specked[y : y + 3, x : x + 3] = 0.0
        np.testing.assert_allclose(preprocess_drawing(specked), clean, atol=1e-6)


def test_otsu_threshold_maximises_the_between_class_variance() -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0.2, 0.05, 5000), rng.normal(0.7, 0.1, 800)])
    t = _otsu_threshold(values)

    def between(cut: float) -> float:  # w0 w1 (mu0 - mu1)^2 of the split at cut
        lo, hi = values[values < cut], values[values >= cut]
        return lo.size * hi.size / values.size**2 * (lo.mean() - hi.mean()) ** 2

    s = np.sort(values)  # every possible split, by brute force
    best = max(between(c) for c in (s[1:] + s[:-1])[::7] / 2)
    assert between(t) >= 0.999 * best and 0.3 < t < 0.55


def test_preprocess_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="shape"):
        preprocess_drawing(np.zeros((28, 28, 2)))
    with pytest.raises(ValueError, match="invert"):
        preprocess_drawing(np.zeros((28, 28)), invert="yes")  # type: ignore[arg-type]


# ------------------------------------------------------------------ to_float


def test_to_float() -> None:
    x = np.arange(256, dtype=np.uint8).reshape(4, 64)
    f32 = to_float(x)
    assert f32.dtype == np.float32 and f32.shape == (4, 64)
    assert f32[0, 0] == 0.0 and f32[-1, -1] == 1.0
    np.testing.assert_allclose(f32, x / 255, rtol=1e-6)
    f64 = to_float(x, np.float64)
    assert f64.dtype == np.float64
    np.testing.assert_array_equal(f64, x / 255)  # bit-for-bit
    assert to_float(np.zeros((2, 28, 28), dtype=np.uint8)).shape == (2, 28, 28)
    with pytest.raises(ValueError, match="uint8"):
        to_float(x.astype(np.int64))
    with pytest.raises(ValueError, match="float32 or float64"):
        to_float(x, np.float16)
