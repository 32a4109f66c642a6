"""Build the shipped MNIST copy ``data/mnist/mnist.npz`` from the four original IDX files.

Usage (from the repository root)::

    python scripts/build_mnist.py [SOURCE_DIR] [--out data/mnist/mnist.npz]

SOURCE_DIR holds ``train-images-idx3-ubyte.gz`` etc. (gzip'd or raw); it defaults to
``../shared/data/mnist`` relative to the repository root. The sha256 of each *uncompressed*
file is checked against the published values before anything is written; the parsed arrays
are then verified by ``nnlib.mnist`` (shapes, dtypes, labels 0..9, MNIST label counts).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from nnlib.mnist import IDX_NAMES, load_mnist, read_idx  # noqa: E402

SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def read_verified(folder: Path, stem: str) -> bytes:
    """Return the uncompressed bytes of ``folder/stem[.gz]`` after checking their sha256."""
    raw, gz = folder / stem, folder / f"{stem}.gz"
    if raw.is_file():
        data = raw.read_bytes()
    elif gz.is_file():
        data = gzip.decompress(gz.read_bytes())
    else:
        raise SystemExit(f"error: {raw} (or {gz.name}) not found")
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256[stem]:
        raise SystemExit(f"error: sha256 of uncompressed {stem} is {digest}, expected {SHA256[stem]}")
    print(f"ok  {stem}  sha256 {digest}")
    return data


def main(argv: list[str] | None = None) -> None:
    """Verify the IDX files, write the compressed npz, then reload it with ``load_mnist``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=REPO_ROOT.parent / "shared" / "data" / "mnist",
        help="folder with the four IDX files (default: ../shared/data/mnist from the repo root)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "data" / "mnist" / "mnist.npz",
        help="output .npz (default: data/mnist/mnist.npz)",
    )
    args = parser.parse_args(argv)

    arrays = {key: read_idx(read_verified(args.source, stem)) for key, stem in IDX_NAMES.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    data = load_mnist(args.out)  # full verification of what was written
    size_mb = args.out.stat().st_size / 1e6
    print(
        f"wrote {args.out} ({size_mb:.1f} MB): "
        f"x_train {data.x_train.shape}, x_test {data.x_test.shape}, uint8"
    )


if __name__ == "__main__":
    main()
