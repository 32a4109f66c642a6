"""Does the 2-D playground stay interactive at its limits (6 hidden layers × 32 units)?

    python benchmarks/playground_limits.py [--rounds 5]

For a small network (2 × 8, the default) and the largest (6 × 32, dropout 0.2, all 7 features),
on 300 and 1000 points (batch 32, Adam), it times one training epoch and one redraw's pictures
(the 50 × 50 decision grid, the neuron thumbnails, the 3-class regions, the gradient check the
"Look inside" panel runs). Configurations take turns within each round so machine load hits them
alike; the figure is the median over rounds after a warm-up. Nothing is asserted: the page
trains for 0.35 s per redraw (ui/live.BUDGET), so an epoch well under that keeps the picture
moving several epochs per frame. Ratios to the small network are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nnlib  # noqa: E402
from nnlib import data  # noqa: E402
from nnlib.features import FEATURES, FeatureMap  # noqa: E402
from ui.mlp import views  # noqa: E402
from ui.mlp.playground import build_model  # noqa: E402

CONFIGS = {"2 × 8": ([8, 8], 0.0, ["x1", "x2"]), "6 × 32 + dropout, 7 features": ([32] * 6, 0.2, list(FEATURES))}


def setup(hidden, dropout, features, n, classes):
    x, y = data.spirals(n, 0.05, rng=0, classes=classes)
    fm = FeatureMap(features)
    rng = np.random.default_rng(0)
    out, act = (1, "sigmoid") if classes == 2 else (classes, "softmax")
    model = build_model(len(fm), hidden, out, "tanh", act, dropout, rng)
    loss = nnlib.BinaryCrossEntropy() if classes == 2 else nnlib.CrossEntropy()
    gen = nnlib.train(model, loss, nnlib.Adam(model, 0.01), x, y, epochs=10**6, batch_size=32, rng=rng,
                      transform=fm)
    return model, loss, fm, x, y, gen


def redraw(model, loss, fm, x, y, classes):
    box = views.box(x)
    if classes == 2:
        views.boundary_frame(model, *box, 50, fm)
    else:
        views.class_frame(model, *box, 50, fm)
    views.neuron_frame(model, *box, transform=fm)
    nnlib.check_model_detail(model, loss, fm(x[:16]), y[:16], n_samples=3, rng=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    for n, classes in ((300, 2), (1000, 3)):
        runs = {name: setup(*cfg, n, classes) for name, cfg in CONFIGS.items()}
        epoch_t = {name: [] for name in runs}
        draw_t = {name: [] for name in runs}
        for r in range(args.rounds + 1):
            for name, (model, loss, fm, x, y, gen) in runs.items():
                t0 = time.perf_counter()
                next(gen)
                t1 = time.perf_counter()
                redraw(model, loss, fm, x, y, classes)
                t2 = time.perf_counter()
                if r:  # round 0 warms up
                    epoch_t[name].append(t1 - t0)
                    draw_t[name].append(t2 - t1)
        print(f"\n{n} points, {classes} classes, batch 32, Adam ({args.rounds} rounds, medians)")
        base_e = statistics.median(epoch_t["2 × 8"])
        base_d = statistics.median(draw_t["2 × 8"])
        for name in runs:
            e, d = statistics.median(epoch_t[name]), statistics.median(draw_t[name])
            print(f"  {name:32s} epoch {1000 * e:7.1f} ms ({e / base_e:4.1f}×)   redraw pictures "
                  f"{1000 * d:7.1f} ms ({d / base_d:4.1f}×)   epochs per 0.35 s tick ≈ {0.35 / e:5.1f}")


if __name__ == "__main__":
    main()
