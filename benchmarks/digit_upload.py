"""Digit uploads: memory and time of the MNIST page's upload path, before and after, case by case.

    python benchmarks/digit_upload.py [--before 495b9f9] [--cases large_png,phone_photo,...]

Every case of ``tests/digit_fixtures.py`` (fixtures and stress fixtures) is run in a fresh Python
process, once with the code of commit ``--before`` (``ui/mnist_setup.decode_upload`` and
``nnlib/mnist.preprocess_drawing``, read with ``git show``) and once with this checkout
(``ui/digit_upload.decode`` and ``preprocess_drawing``). Each process reads the file's bytes, imports
everything, then measures the decode + preprocessing alone:

- extra MB: peak resident memory during the call minus the memory before it (Linux: the peak, VmHWM,
  is reset through ``/proc/self/clear_refs`` just before the call);
- ms: wall-clock time of the call (the machine is shared: compare within one run);
- result: ``ok`` with the mean absolute difference from the clean drawing's 28x28, ``blank``, or
  ``refused`` with the message.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
DEFAULT_BEFORE = "495b9f9"  # main before the upload fixes (issue 11, part 1)


def one(version: str, path: str, label: str, src: str) -> dict:
    """Run in the child process: decode + preprocess one file, report memory, time and result."""
    import importlib.util
    import time

    import digit_fixtures as fx
    import numpy as np

    def load(name: str, file: Path):
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        return module

    from nnlib.mnist import preprocess_drawing as current_preprocess

    if version == "before":
        decode = load("before_setup", Path(src) / "mnist_setup.py").decode_upload
        preprocess = load("before_mnist", Path(src) / "mnist.py").preprocess_drawing
    else:
        from ui.digit_upload import decode

        preprocess = current_preprocess
    ref = None if label == "-" else current_preprocess(fx.u8(fx.page(int(label))))
    data = Path(path).read_bytes()
    from PIL import Image  # noqa: F401 - imported before the baseline, as on the page

    Path("/proc/self/clear_refs").write_text("5")  # Linux: reset the peak (VmHWM) to the current RSS
    base = _status_kb("VmRSS")
    start = time.perf_counter()
    try:
        out = preprocess(decode(data, Path(path).name))
        result = "blank" if out is None else f"ok, error {float(np.abs(out - ref).mean()):.3f}" if ref is not None \
            else "not blank"
    except ValueError as err:
        result = f"refused: {err}"[:70]
    seconds = time.perf_counter() - start
    peak = _status_kb("VmHWM")
    return {"mb": (peak - base) / 1024, "ms": seconds * 1000, "result": result}


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="commit whose upload code is 'before'")
    parser.add_argument("--cases", default="", help="comma-separated fixture names (default: all)")
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    import digit_fixtures as fx

    wanted = set(filter(None, args.cases.split(",")))
    cases = [f for f in fx.fixtures() + fx.stress_fixtures() if not wanted or f.name in wanted]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        for repo_path, name in [("ui/mnist_setup.py", "mnist_setup.py"), ("nnlib/mnist.py", "mnist.py")]:
            text = subprocess.run(["git", "show", f"{args.before}:{repo_path}"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
            (src / name).write_text(text)
        print(f"before: {args.before}   after: this checkout   (extra MB = peak RSS of the call, ms = its time)")
        print(f"{'case':26s} {'KB':>7s} | {'before MB':>9s} {'ms':>6s}  {'result':34s} | "
              f"{'after MB':>8s} {'ms':>5s}  result")
        for f in cases:
            data = f.make()
            path = src / f"{f.name}.{f.ext}"
            path.write_bytes(data)
            row = {}
            for version in ("before", "after"):
                cmd = [sys.executable, __file__, "--one", version, str(path), "-" if f.label is None else str(f.label),
                       str(src)]
                env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
                done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
                row[version] = json.loads(done.stdout) if done.returncode == 0 else \
                    {"mb": float("nan"), "ms": float("nan"), "result": f"crashed: {done.stderr.strip()[-60:]}"}
            b, a = row["before"], row["after"]
            print(f"{f.name:26s} {len(data) / 1024:7.0f} | {b['mb']:9.1f} {b['ms']:6.0f}  {b['result'][:34]:34s} | "
                  f"{a['mb']:8.1f} {a['ms']:5.0f}  {a['result']}")


if __name__ == "__main__":
    main()
