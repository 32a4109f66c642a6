"""Hostile and damaged files: nnlib.load, nnlib.io.read_config and load_mnist refuse them
from what the file declares (zip directory, .npy headers), before paying for their data.

Memory is measured with ``tracemalloc`` (NumPy and zlib's output buffers are traced), as a
bound rather than a timing: a refused file must not make the loader allocate more than a
few MB, however large the file says it is. The files come from ``tests/hostile_npz.py``.
"""

from __future__ import annotations

import gzip
import io
import re
import tracemalloc
import zipfile

import hostile_npz as h
import numpy as np
import pytest

import nnlib as nn
from nnlib.mnist import load_mnist, read_idx

FEW_MB = 4 * 2**20


def _peak(call) -> tuple[BaseException | None, int]:
    """(the exception ``call()`` raised, or None; the peak traced memory during the call)."""
    tracemalloc.start()
    try:
        call()
        err = None
    except Exception as exc:  # noqa: BLE001 - returned to the test, which checks its type
        err = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return err, peak


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    return h.saved(h.small_model())


def _refused(data: bytes, match: str) -> str:
    err, peak = _peak(lambda: nn.load(io.BytesIO(data)))
    assert isinstance(err, ValueError), repr(err)  # not a MemoryError, not a zipfile error
    assert re.search(match, str(err)), str(err)
    assert str(err).startswith("the uploaded file"), str(err)  # names the file
    assert peak < FEW_MB, f"refusing it cost {peak / 2**20:.1f} MB"
    return str(err)


def test_an_extra_member_that_inflates_is_refused_from_the_zip_directory(model_bytes):
    data = h.bomb_member(model_bytes, 2**26, name="payload")  # 64 MiB of zeros, ~65 kB on disk
    _refused(data, r"does not match its architecture: expected arrays .* found \['0.W', '0.b', '2.W', '2.b', "
                   r"'payload'\]")


def test_a_weight_that_inflates_past_its_architecture_is_refused_from_its_header(model_bytes):
    data = h.inflated_weight(model_bytes, 3000, 3000)  # 72 MB of float64 zeros, ~70 kB on disk
    _refused(data, r"layer 0 is Dense\(4, 6\) but the file holds an array of shape \(3000, 3000\) for 0.W")


@pytest.mark.parametrize("shape", [(10**6, 10**6), (10**12, 6), (2**62, 2**62)])
def test_a_header_claiming_a_huge_shape_is_a_value_error_not_a_memory_error(model_bytes, shape):
    _refused(h.huge_header(model_bytes, shape), r"shape \(")


def test_an_architecture_that_claims_huge_layers_is_refused_before_anything_is_built(model_bytes):
    arch = '[{"type": "Dense", "in_features": 1000000, "out_features": 1000000, "bias": false, "dtype": "float64"}]'
    data = h.rezip({"nnlib_format.npy": h._members(model_bytes)["nnlib_format.npy"],
                    "architecture.npy": _text_npy(arch),
                    "0.W.npy": h.npy_header((10**6, 10**6))})
    _refused(data, r"its architecture needs 8,000,000,000,000 bytes of weights; the limit is 268,435,456")


def test_a_header_whose_shape_does_not_account_for_the_member_size_is_refused(model_bytes):
    # the right shape, but a member of 3 floats: np.load would allocate (4, 6) and then fail reading
    data = h.replaced(model_bytes, **{"0.W": h.npy_header((4, 6)) + bytes(24)})
    _refused(data, r"member '0.W' claims shape \(4, 6\) of float64 \(192 bytes\) but holds 24 bytes of data")


def test_object_arrays_are_refused_from_the_header_never_unpickled(model_bytes):
    data = h.replaced(model_bytes, **{"0.W": h.npy_header((4, 6), "|O") + bytes(8 * 24)})
    _refused(data, r"member '0.W' holds object data")


@pytest.mark.parametrize(("members", "match"), [
    ({"0.W.npy": b"1", "notes.txt": b"hello"}, r"member 'notes.txt' which is not an \.npy"),
    ({f"{i}.npy": b"" for i in range(1100)}, r"lists 1100 members .* at most 1024"),
])
def test_archives_with_odd_members_are_refused_from_their_directory(members, match):
    _refused(h.rezip(members, compress=False), match)


def test_a_duplicated_member_name_is_refused(model_bytes):
    buf = io.BytesIO(model_bytes)
    with zipfile.ZipFile(buf, "a") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("0.W.npy", h.npy_header((4, 6)) + bytes(192))
    _refused(buf.getvalue(), r"holds a member '0.W.npy' twice")


def test_a_long_hostile_member_name_is_cut_short_in_the_message(model_bytes):
    message = _refused(h.bomb_member(model_bytes, 100, name="x" * 5000), r"does not match")
    assert len(message) < 400


def test_an_oversized_text_entry_is_refused_before_it_is_read(model_bytes):
    big = _text_npy("[" + " " * 2**22 + "]")
    _refused(h.replaced(model_bytes, architecture=big),
             r"'architecture' entry inflates to 16,777,352 bytes \(at most 1,048,576")


def test_an_architecture_of_a_hundred_thousand_layers_is_refused_before_they_are_built(model_bytes):
    arch = _text_npy("[" + ", ".join(['{"type": "ReLU"}'] * 100_000) + "]")  # 1.7 MB inflated: over the limit
    _refused(h.replaced(model_bytes, architecture=arch), r"'architecture' entry inflates to")
    arch = _text_npy("[" + ", ".join(['{"type":"ReLU"}'] * 5000) + "]")
    _refused(h.replaced(model_bytes, architecture=arch), r"its architecture lists 5,000 layers; at most 1,000")


def test_the_size_limit_is_a_parameter_and_an_honest_model_within_it_loads(model_bytes):
    model = nn.load(model_bytes, max_bytes=10_000)
    assert model.config() == h.small_model().config()
    with pytest.raises(ValueError, match=r"needs 408 bytes of weights; the limit is 100"):
        nn.load(model_bytes, max_bytes=100)


def test_read_config_reads_the_architecture_and_no_weight(model_bytes):
    from nnlib.io import read_config  # new with these checks: imported here so the rest runs on older code

    big = h.saved(h.mnist_model())
    config, meta = read_config(big)
    assert config == h.mnist_model().config() and meta == {}
    # a weight that would inflate to 512 MB costs nothing: read_config never opens it
    hostile = h.inflated_weight(big, 8000, 8000)
    err, peak = _peak(lambda: read_config(hostile))
    assert err is None and peak < FEW_MB
    with pytest.raises(ValueError, match="no 'nnlib_format' entry"):
        read_config(h.rezip({"a.npy": h.npy_header((1,)) + bytes(8)}))


def _text_npy(text: str) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.array(text))
    return buf.getvalue()


# -- load_mnist ------------------------------------------------------------------------------

def _mnist_refused(tmp_path, data: bytes, match: str) -> str:
    path = tmp_path / "hostile.npz"
    path.write_bytes(data)
    err, peak = _peak(lambda: load_mnist(path))
    assert isinstance(err, ValueError), repr(err)
    assert re.search(match, str(err)) and "hostile.npz" in str(err), str(err)
    assert peak < FEW_MB, f"refusing it cost {peak / 2**20:.1f} MB"
    return str(err)


def test_load_mnist_refuses_a_header_claiming_a_trillion_images(tmp_path):
    data = h.mnist_bytes(x_train=h.npy_header((10**12, 28, 28), "|u1"))
    _mnist_refused(tmp_path, data, r"member 'x_train' claims shape \(1000000000000, 28, 28\)")


def test_load_mnist_refuses_images_that_do_not_match_their_labels_before_reading_them(tmp_path):
    data = h.mnist_bytes(x_train=(h.npy_header((100_000, 28, 28), "|u1"), 100_000 * 784))  # 78 MB of zeros
    _mnist_refused(tmp_path, data, r"100000 train images .* but 60 labels")


@pytest.mark.parametrize(("key", "shape", "dtype", "match"), [
    ("x_train", (60, 28, 28), "<f8", r"\[x_train\]: dtype is float64, expected uint8"),
    ("x_test", (20, 32, 32), "|u1", r"\[x_test\]: shape is \(20, 32, 32\), expected \(n, 28, 28\)"),
    ("y_test", (20, 1), "|u1", r"\[y_test\]: shape is \(20, 1\), expected \(n,\)"),
])
def test_load_mnist_checks_dtype_and_shape_from_the_header(tmp_path, key, shape, dtype, match):
    n_bytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    _mnist_refused(tmp_path, h.mnist_bytes(**{key: (h.npy_header(shape, dtype), n_bytes)}), match)


def test_load_mnist_caps_the_total_it_inflates(tmp_path):
    path = tmp_path / "small.npz"
    path.write_bytes(h.mnist_bytes())
    assert len(load_mnist(path, verify_counts=False).y_train) == 60
    with pytest.raises(ValueError, match=r"small\.npz: its four arrays inflate to .* the limit is 10,000"):
        load_mnist(path, max_bytes=10_000)


def test_a_gzipped_idx_bomb_is_inflated_no_further_than_its_header_declares():
    header = (0x00000803).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (60, 28, 28))
    honest = 60 * 784
    bomb = gzip.compress(header + bytes(honest + 2**26), compresslevel=1)  # 64 MiB of trailing zeros
    err, peak = _peak(lambda: read_idx(bomb))
    assert isinstance(err, ValueError) and "has trailing bytes" in str(err), repr(err)
    assert peak < FEW_MB
    huge = (0x00000803).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (2**31 - 1, 28, 28))
    with pytest.raises(ValueError, match=r"its header declares 1,683,627,179,264 bytes; the limit"):
        read_idx(gzip.compress(huge + bytes(100)))
    assert read_idx(gzip.compress(header + bytes(honest))).shape == (60, 28, 28)


def test_a_member_that_needs_a_newer_zip_version_is_a_value_error(model_bytes):
    """zipfile raises NotImplementedError for "version needed to extract" 6.4 (found by hypothesis)."""
    b = bytearray(model_bytes)
    i = b.rfind(b"PK\x01\x02")  # the last member's central-directory entry
    b[i + 6] = 64
    with pytest.raises(ValueError, match="zip file version 6.4"):
        nn.load(io.BytesIO(bytes(b)))
