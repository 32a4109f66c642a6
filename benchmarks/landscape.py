"""How long the loss landscape takes for the 2-D playground's default network (issue: under 10 s).

    python benchmarks/landscape.py

Trains the default playground net (moons, 300 points, 2-8-8-1 ReLU, Adam lr 0.03) for 200 epochs, then
times ``nnlib.landscape.loss_surface`` on the app's 25×25 grid, next to one plain training epoch for scale.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
import nnlib as nn  # noqa: E402
from nnlib import landscape  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(0)
    x, y = nn.data.make_2d("moons", 300, 0.2, rng=rng)
    xtr, _, ytr, _ = nn.data.train_test_split(x, y, 0.3, rng=rng)
    model = nn.Sequential(nn.Dense(2, 8, init="he", rng=1), nn.ReLU(), nn.Dense(8, 8, init="he", rng=2), nn.ReLU(),
                          nn.Dense(8, 1, rng=3), nn.Sigmoid())
    opt = nn.Adam(model, lr=0.03)
    loss = nn.BinaryCrossEntropy()
    t = time.perf_counter()
    for _ in nn.train(model, loss, opt, xtr, ytr, epochs=200, batch_size=32, rng=0):
        pass
    epoch_s = (time.perf_counter() - t) / 200
    span = np.linspace(-1, 1, 25)
    dirs = landscape.random_directions(model, rng=0)
    t = time.perf_counter()
    surface = landscape.loss_surface(model, loss, xtr, ytr, dirs, span, span)
    took = time.perf_counter() - t
    print(f"training epoch (210 rows, batch 32): {epoch_s * 1e3:.2f} ms")
    print(f"loss landscape 25x25 on 210 rows:    {took:.3f} s  ({took / epoch_s:.0f} epochs' time; budget 10 s)")
    print(f"loss at the centre {surface[12, 12]:.4f}, range {surface.min():.4f} … {surface.max():.4f}")


if __name__ == "__main__":
    main()
