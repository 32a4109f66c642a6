"""Post 001's MNIST run with the correct gradient: test accuracy and cross-entropy after 20 epochs.

    python benchmarks/post001_fixed.py [--dtypes float32 float64] [--seeds 0]

The post's settings (784-100-200-10, ReLU, weights randn·0.1 from ``RandomState(seed)`` in
layer order, the same stream shuffling every epoch, batch 512 with the last partial batch
dropped, lr 0.1, 20 epochs) with nnlib's defaults: ``Softmax`` + ``CrossEntropy`` on integer
labels, back-propagated as the fused (s - y)/n, pixels converted per batch. The reference
asks for at least the post's 0.9645.

The post's two flawed pieces cancel to that same gradient (see ``nnlib.legacy``), so in
float64 this run is the post's run up to rounding — it prints the post's numbers. In float32
the rounding differs and the accuracy lands a few images either side of it; ``--seeds 0 1 2
3 4`` shows how much the seed alone moves it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nnlib as nn  # noqa: E402
from nnlib.mnist import load_mnist, to_float  # noqa: E402

POST_TEST_CE, POST_TEST_ACCURACY = 0.11808091754439508, 0.9645


def run(mnist, dtype, seed):
    def transform(xb):
        return to_float(xb, dtype)

    rs = np.random.RandomState(seed)
    model = nn.Sequential(
        nn.Dense(784, 100, init="normal", scale=0.1, rng=rs, dtype=dtype), nn.ReLU(),
        nn.Dense(100, 200, init="normal", scale=0.1, rng=rs, dtype=dtype), nn.ReLU(),
        nn.Dense(200, 10, init="normal", scale=0.1, rng=rs, dtype=dtype), nn.Softmax(),
    )
    loss = nn.CrossEntropy()
    t0 = time.perf_counter()
    for _ in nn.train(model, loss, nn.SGD(model, lr=0.1), mnist.flat_train, mnist.y_train, epochs=20,
                      batch_size=512, rng=rs, drop_last=True, transform=transform):
        pass
    pred = model.predict(mnist.flat_test, transform=transform)
    return nn.accuracy(pred, mnist.y_test), loss.value(pred, mnist.y_test), time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    mnist = load_mnist()
    print(f"post 001: test accuracy {POST_TEST_ACCURACY}, test cross-entropy {POST_TEST_CE!r}")
    print(f"{'dtype':8s} {'seed':>4s} {'accuracy':>9s} {'>= post':>8s} {'test CE':>20s} {'seconds':>8s}")
    with threadpool_limits(limits=1):
        for dtype in args.dtypes:
            for seed in args.seeds:
                acc, ce, seconds = run(mnist, np.dtype(dtype), seed)
                print(f"{dtype:8s} {seed:4d} {acc:9.4f} {'yes' if acc >= POST_TEST_ACCURACY else 'NO':>8s} "
                      f"{ce!r:>20s} {seconds:8.1f}", flush=True)


if __name__ == "__main__":
    main()
