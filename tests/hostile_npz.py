"""Hostile .npz files (as an attacker or a damaged download would bring them), built in memory.

Shared by the tests (``tests/test_io_hostile.py``) and ``benchmarks/hostile_files.py``. Each
builder returns the file's bytes. Zip bombs are written in chunks through ``zipfile`` with
deflate, so building one never holds the inflated data.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np

import nnlib as nn


def small_model(dtype=np.float64, bias: bool = True) -> nn.Sequential:
    return nn.Sequential(nn.Dense(4, 6, rng=0, dtype=dtype, bias=bias), nn.ReLU(),
                         nn.Dense(6, 3, rng=1, dtype=dtype, bias=bias), nn.Softmax())


def mnist_model(dtype=np.float64) -> nn.Sequential:
    """The MNIST page's 784-100-200-10 network (what an upload there must match)."""
    return nn.Sequential(nn.Dense(784, 100, rng=0, dtype=dtype), nn.ReLU(), nn.Dense(100, 200, rng=1, dtype=dtype),
                         nn.ReLU(), nn.Dense(200, 10, rng=2, dtype=dtype), nn.Softmax())


def saved(model: nn.Sequential, meta: dict | None = None) -> bytes:
    buf = io.BytesIO()
    nn.save(model, buf, meta=meta)
    return buf.getvalue()


def npy_header(shape: tuple, dtype="<f8", version: tuple[int, int] = (1, 0)) -> bytes:
    """The bytes of an .npy header that claims ``shape`` and ``dtype`` (no data follows)."""
    buf = io.BytesIO()
    header = {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": tuple(shape)}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(buf, header)
    else:
        np.lib.format.write_array_header_2_0(buf, header)
    return buf.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezip(members: dict[str, bytes | tuple[bytes, int]], compress: bool = True) -> bytes:
    """A zip of ``members``: name -> bytes, or name -> (npy header, n zero bytes after it)."""
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method, allowZip64=True) as zf:
        for name, content in members.items():
            if isinstance(content, bytes):
                zf.writestr(name, content)
                continue
            header, n_zeros = content
            with zf.open(name, "w", force_zip64=n_zeros > 2**30) as f:
                f.write(header)
                chunk = bytes(2**24)
                for start in range(0, n_zeros, len(chunk)):
                    f.write(chunk[:min(len(chunk), n_zeros - start)])
    return buf.getvalue()


def replaced(data: bytes, **members: bytes | tuple[bytes, int]) -> bytes:
    """``data`` (an .npz) with members added or replaced (names without ``.npy``)."""
    out = _members(data)
    out.update({f"{k}.npy": v for k, v in members.items()})
    return rezip(out)


def bomb_member(model_bytes: bytes, n_bytes: int, name: str = "extra") -> bytes:
    """A valid model plus an extra member, a uint8 array of ``n_bytes`` zeros (deflated ~1000:1)."""
    return replaced(model_bytes, **{name: (npy_header((n_bytes,), "|u1"), n_bytes)})


def inflated_weight(model_bytes: bytes, rows: int, cols: int, key: str = "0.W") -> bytes:
    """The weight ``key`` replaced by a ``rows``×``cols`` float64 array of zeros (a few hundred KB deflated)."""
    return replaced(model_bytes, **{key: (npy_header((rows, cols)), rows * cols * 8)})


def huge_header(model_bytes: bytes, shape: tuple, key: str = "0.W", dtype="<f8") -> bytes:
    """The weight ``key`` replaced by a bare .npy header claiming ``shape`` (no data)."""
    return replaced(model_bytes, **{key: npy_header(shape, dtype)})


def mnist_npz(n_train: int = 60, n_test: int = 20, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
            "y_train": (np.arange(n_train) % 10).astype(np.uint8),
            "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
            "y_test": (np.arange(n_test) % 10).astype(np.uint8)}


def mnist_bytes(**override: bytes | tuple[bytes, int]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **mnist_npz())
    return replaced(buf.getvalue(), **override) if override else buf.getvalue()
