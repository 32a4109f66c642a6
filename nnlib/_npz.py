"""Read an ``.npz`` archive that may be hostile: check first, pay later.

``np.load`` trusts a file: it inflates any member it is asked for, and allocates whatever
shape a member's ``.npy`` header claims (a 1 kB file can claim 7 TiB and raise
``MemoryError``). ``SafeNpz`` looks at what the file *declares* before reading any array
data: the zip directory (member names, ``ZipInfo.file_size``, compression, encryption) and
each member's ``.npy`` header (dtype, shape: NumPy's ``read_magic`` and
``read_array_header_1_0/2_0``, which read at most a few kB). A member is read only after its
header was accepted by the caller and its declared size fits the budget; the zip layer then
cannot inflate more than the declared size (``zipfile`` stops at ``file_size`` and checks the
CRC). Never unpickles (object dtypes are refused from the header).

Every problem raises ``ValueError`` naming the file (and the member) and what is wrong.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from typing import BinaryIO

import numpy as np

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record (PKWARE APPNOTE 4.3.16)
_EOCD_SIG = b"PK\x05\x06"
MAX_MEMBERS = 1024  # an nnlib model has 3 + 2 per Dense layer; MNIST has 4
MAX_DIRECTORY_BYTES = 2**20  # the zip's central directory (read whole by zipfile when it opens)
MAX_HEADER_BYTES = 10_000  # NumPy's own default limit for an .npy header


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError  # unreachable


def _directory_size(fp: BinaryIO) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the end record, or None if there is none.

    Read before ``zipfile.ZipFile`` parses the whole directory into Python objects (a 50 MB
    upload can list a million members)."""
    fp.seek(0, 2)
    end = fp.tell()
    fp.seek(max(0, end - (_EOCD.size + 65535)))
    tail = fp.read()
    at = tail.rfind(_EOCD_SIG)
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    fields = _EOCD.unpack(tail[at:at + _EOCD.size])
    return fields[4], fields[5]


class SafeNpz:
    """An ``.npz`` archive opened for checked reading.

    ``file`` is a path or a seekable binary file object; ``name`` is how messages call it;
    ``max_bytes`` caps the total declared (inflated) size of the members that will be read.
    Use as a context manager. ``members`` maps array names (without ``.npy``) to their
    ``ZipInfo``; ``header(key)`` returns ``(shape, dtype)`` from the member's ``.npy`` header;
    ``read(key, shape, dtypes)`` reads one array after checking its header and size.
    """

    def __init__(self, file, name: str, *, max_bytes: int, kind: str = "archive"):
        self.name, self.max_bytes, self.spent = name, int(max_bytes), 0
        self._own = isinstance(file, (str, bytes)) or hasattr(file, "__fspath__")
        fp = open(file, "rb") if self._own else file  # noqa: SIM115 - closed in close()
        try:
            head = fp.read(6)
            counts = _directory_size(fp)
            fp.seek(0)
            if counts is None:
                why = ("it holds one array, not an .npz archive" if head == b"\x93NUMPY"
                       else "it is not a NumPy .npz archive")
                raise ValueError(f"{name} is not a readable .npz {kind} ({why})")
            entries, directory = counts
            if entries > MAX_MEMBERS or directory > MAX_DIRECTORY_BYTES:
                raise ValueError(f"{name} lists {entries} members ({_size(directory)} of zip directory); "
                                 f"a .npz {kind} has at most {MAX_MEMBERS}")
            self.zip = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, struct.error, NotImplementedError) as err:
            if self._own:
                fp.close()
            raise ValueError(f"{name} is not a readable .npz {kind} ({err})") from err
        except ValueError:
            if self._own:
                fp.close()
            raise
        self._fp = fp
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self.zip.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if not info.filename.endswith(".npy") or key in self.members:
                self.close()
                what = "twice" if key in self.members else "which is not an .npy array"
                raise ValueError(f"{name} holds a member {_clip(info.filename)!r} {what}; not a .npz of arrays")
            if info.flag_bits & 0x1:
                self.close()
                raise ValueError(f"{name}: member {_clip(info.filename)!r} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self.close()
                raise ValueError(f"{name}: member {_clip(info.filename)!r} uses zip compression method "
                                 f"{info.compress_type}; .npz files are stored or deflated")
            self.members[key] = info

    def __enter__(self) -> SafeNpz:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close() if hasattr(self, "zip") else None
        if self._own:
            self._fp.close()

    def header(self, key: str) -> tuple[tuple[int, ...], np.dtype]:
        """``(shape, dtype)`` as member ``key``'s ``.npy`` header declares them (no data read).

        Also checks that the header's shape and dtype account for exactly the member's declared
        size, so that ``file_size`` (which the zip layer enforces) bounds what ``read`` allocates."""
        info = self.members[key]
        try:
            with self.zip.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f, max_header_size=MAX_HEADER_BYTES)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f, max_header_size=MAX_HEADER_BYTES)
                else:
                    raise ValueError(f".npy format version {version} is not read here (1.0 or 2.0)")
                offset = f.tell()
        except (ValueError, zipfile.BadZipFile, zlib.error, EOFError, OSError, SyntaxError, NotImplementedError,
                RuntimeError) as err:
            raise ValueError(f"{self.name}: member {key!r} has no readable .npy header ({err})") from err
        if dtype.hasobject or dtype.fields is not None:
            raise ValueError(f"{self.name}: member {key!r} holds {dtype} data; only plain numbers and text are read")
        count = 1
        for d in shape:
            count *= d  # Python ints: a claimed (10**12, 10**12) cannot overflow
        if offset + count * dtype.itemsize != info.file_size:
            raise ValueError(f"{self.name}: member {key!r} claims shape {shape} of {dtype} "
                             f"({_size(count * dtype.itemsize)}) but holds {_size(info.file_size - offset)} of data")
        return tuple(shape), dtype

    def read(self, key: str) -> np.ndarray:
        """The array in member ``key`` (check ``header(key)`` first). Counts against ``max_bytes``."""
        info = self.members[key]
        if self.spent + info.file_size > self.max_bytes:
            raise ValueError(f"{self.name}: member {key!r} inflates to {_size(info.file_size)}; with the "
                             f"{_size(self.spent)} read before, that is over the {_size(self.max_bytes)} limit")
        self.spent += info.file_size
        try:
            with self.zip.open(info) as f:
                return np.lib.format.read_array(f, allow_pickle=False, max_header_size=MAX_HEADER_BYTES)
        except (ValueError, zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError) as err:
            raise ValueError(f"{self.name}: member {key!r} is damaged or truncated ({err})") from err


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
