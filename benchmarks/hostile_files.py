"""What a hostile or damaged model/data file costs before it is refused: memory and time.

Each case runs in a fresh Python process (so one case's memory cannot hide in another's):
the process builds nothing itself, it reads a prepared file and calls the loader. Printed:
how far the call raised the process's peak resident memory (``resource.getrusage``: coarse,
it moves only above the peak the imports left), the peak of the memory Python and NumPy
allocated during the call (``tracemalloc``: NumPy buffers and zlib's output alike; for the
upload case it includes reading the upload itself), the seconds the call took, and the first
words of the error it raised.

    python benchmarks/hostile_files.py            # every case (~1 min; the 2 GiB bomb ~6 s to build)
    python benchmarks/hostile_files.py --small    # a 256 MiB bomb instead of 2 GiB

Run from the repository root. Files: the issue 11 cases (an extra member that inflates to
2 GiB, a weight that inflates to 8000x8000, a tiny .npy header claiming a huge shape, an
MNIST x_train claiming (10^12, 28, 28)) and a few of their kind.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import hostile_npz as h  # noqa: E402

CHILD = r"""
import resource, sys, time, traceback
sys.path.insert(0, {root!r})
import nnlib
from nnlib.mnist import load_mnist
{setup}
import tracemalloc
tracemalloc.start()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    result = {call}
    refused = isinstance(result, tuple) and result[0] is False  # ui.live.load_into's (ok, message)
    outcome = "refused: " + result[1] if refused else "accepted"
except BaseException as err:
    outcome = type(err).__name__ + ": " + str(err).replace(chr(10), " ")
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
traced = tracemalloc.get_traced_memory()[1]
print(f"{{(peak - before) / 1024:.1f}}\t{{traced / 2**20:.1f}}\t{{seconds:.3f}}\t{{outcome}}")
"""


def run_case(path: Path, call: str, setup: str = "") -> tuple[float, float, float, str]:
    code = CHILD.format(root=str(ROOT), setup=setup, call=call.format(path=str(path)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    line = (out.stdout.strip().splitlines() or [""])[-1]
    if line.count("\t") < 3:
        return float("nan"), float("nan"), float("nan"), f"process failed: {out.stderr.strip()[-200:]}"
    mb, traced, seconds, outcome = line.split("\t", 3)
    return float(mb), float(traced), float(seconds), outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="a 256 MiB bomb instead of 2 GiB")
    args = ap.parse_args()
    bomb = 2**28 if args.small else 2**31
    model = h.saved(h.mnist_model())
    small = h.saved(h.small_model())
    load = "nnlib.load({path!r})"
    # the upload path of every training page: ui.live.load_into with the MNIST page's model
    upload = ("ui.live.load_into('mnist', run, open({path!r}, 'rb').read(), 'upload.npz')")
    upload_setup = (f"sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
                    "import ui.live, hostile_npz as h\n"
                    "from types import SimpleNamespace\n"
                    "run = SimpleNamespace(model=h.mnist_model(), extra={})")
    cases = [
        ("valid 784-100-200-10 model (reference)", model, load, ""),
        (f"model + extra member inflating to {bomb / 2**30:g} GiB", h.bomb_member(model, bomb), load, ""),
        ("model whose 0.W inflates to 8000x8000", h.inflated_weight(model, 8000, 8000), load, ""),
        ("model whose 0.W header claims (10^6, 10^6)", h.huge_header(small, (10**6, 10**6)), load, ""),
        ("model whose 0.W header claims (10^12, 6)", h.huge_header(small, (10**12, 6)), load, ""),
        ("upload: 784-100-200-10 page, 0.W inflates to 8000x8000", h.inflated_weight(model, 8000, 8000),
         upload, upload_setup),
        (f"upload: model + member inflating to {bomb / 2**30:g} GiB", h.bomb_member(model, bomb), upload,
         upload_setup),
        ("MNIST .npz (60 + 20 images, reference)", h.mnist_bytes(), "load_mnist({path!r}, verify_counts=False)", ""),
        ("MNIST .npz, x_train header claims (10^12, 28, 28)",
         h.mnist_bytes(x_train=h.npy_header((10**12, 28, 28), "|u1")), "load_mnist({path!r})", ""),
        ("MNIST .npz, x_train inflates to (800000, 28, 28), 60 labels",
         h.mnist_bytes(x_train=(h.npy_header((800000, 28, 28), "|u1"), 800000 * 784)), "load_mnist({path!r})", ""),
    ]
    print(f"{'case':<60} {'file':>9} {'RSS +MB':>8} {'traced MB':>9} {'seconds':>8}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (label, data, call, setup) in enumerate(cases):
            path = Path(tmp) / f"case{i}.npz"
            path.write_bytes(data)
            mb, traced, seconds, outcome = run_case(path, call, setup)
            size = f"{len(data) / 1e6:.2f} MB" if len(data) > 1e5 else f"{len(data) / 1e3:.1f} kB"
            outcome = outcome.replace(str(path), "FILE").replace("\\", "")
            print(f"{label:<60} {size:>9} {mb:>8.1f} {traced:>9.1f} {seconds:>8.3f}  {outcome[:100]}")
            del data


if __name__ == "__main__":
    main()
