"""How long a click can wait for the live training slice on the MNIST page (issue 12): printed,
never asserted.

The live area trains in slices of ``ui.live.SLICE`` seconds and a click is served between two
slices, so the longest slice bounds the server's share of the Pause latency. A slice is cut
after any optimizer step; at an epoch's end the full pass over the training images (the post's
``train_loss``) and the 10,000 test images used to run in one piece. ``eval_progress`` (nnlib.train)
lets the slice stop between 1,024-row chunks of those passes too. This trains the page's default
network (784-100-200-10, batch 512, float64, one BLAS thread) for ``--epochs`` epochs on
``--subset`` images both ways, in slices, and prints the longest slice and the epoch times.

    OPENBLAS_NUM_THREADS=1 python benchmarks/pause_slices.py [--subset 60000] [--epochs 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import nnlib  # noqa: E402
from nnlib.mnist import load_mnist  # noqa: E402
from ui import mnist_setup as setup  # noqa: E402
from ui.live import SLICE  # noqa: E402
from ui.run import TrainingRun  # noqa: E402


def slices(subset: int, epochs: int, eval_progress: bool) -> tuple[float, float]:
    """(longest slice, seconds per epoch) of a run trained in SLICE-second slices."""
    s = setup.Settings(sizes=(100, 200), activation="relu", lr=0.1, batch_size=512, epochs=epochs,
                       optimizer="sgd", subset=subset, scale=0.1, precision="float64", gradient="fused",
                       full_pass=True, seed=0)
    data = load_mnist()
    train = data if subset >= len(data.y_train) else data.subset(subset, 0)
    model, loss, rng = setup.build(s)
    run = TrainingRun(signature=(), model=model, loss=loss, optimizer=nnlib.make_optimizer("sgd", model, 0.1),
                      x=train.flat_train, y=setup.targets(s, train.y_train),
                      train_kwargs=setup.train_kwargs(s, rng, data.flat_test, data.y_test), target_epochs=epochs)
    if not eval_progress:  # the old behaviour: ui.run turns it on; nnlib.train's default is off
        original = nnlib.train

        def train(*args, **kwargs):
            kwargs["eval_progress"] = False
            return original(*args, **kwargs)

        sys.modules["ui.run"].nnlib = type(sys)("nnlib_without_eval_progress")
        sys.modules["ui.run"].nnlib.__dict__.update(nnlib.__dict__, train=train)
    try:
        longest, start = 0.0, time.perf_counter()
        while not run.done:
            t0 = time.perf_counter()
            run.advance(budget=SLICE)
            longest = max(longest, time.perf_counter() - t0)
        return longest, (time.perf_counter() - start) / epochs
    finally:
        sys.modules["ui.run"].nnlib = nnlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subset", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    print(f"MNIST {args.subset:,} images, {args.epochs} epoch(s), slices of {SLICE} s, "
          f"load average {os.getloadavg()[0]:.1f}")
    for progress in (False, True):
        longest, per_epoch = slices(args.subset, args.epochs, progress)
        print(f"  eval_progress={progress!s:5}: longest slice {longest:.2f} s | {per_epoch:.2f} s per epoch",
              flush=True)


if __name__ == "__main__":
    main()
