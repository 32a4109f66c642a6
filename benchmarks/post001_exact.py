"""Replay post 001's MNIST run with nnlib and print its numbers next to the post's.

    python benchmarks/post001_exact.py

The post's own settings (shared/reference/README.md, post 001): float64 pixels / 255, one-hot
labels, ``np.random.seed(0)`` (here ``RandomState(0)``) drawing the weights randn·0.1 in layer
order and then shuffling the index array at every epoch, 784-100-200-10 with ReLU, ReLU and
its softmax whose backward keeps only s(1 - s) (``DiagonalSoftmax``) fed by its binary-CE-shaped
gradient (``PostCrossEntropy``; the two cancel to the true (s - y)/n), batch 512 with the last
partial batch dropped, lr 0.1, 20 epochs, a full pass over the training set after every
epoch (``eval_train``). About 20-30 s on one core.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nnlib as nn  # noqa: E402
from nnlib.data import one_hot  # noqa: E402
from nnlib.mnist import load_mnist, to_float  # noqa: E402

# "[k] train_loss" after each epoch, recomputed with the post's code on the real MNIST (the
# reference README gives epochs 1 and 20; the MNIST page keeps all 20 in ui/mnist_setup.py)
POST_TRAIN_LOSS = dict(enumerate((
    0.41900695764324003, 0.32841351730431445, 0.28469834647736436, 0.2472436575904893,
    0.2238040783638741, 0.2064766890869934, 0.18788879900726665, 0.18239761839564864,
    0.1632899771929538, 0.1534925609936448, 0.14647234566527104, 0.14002885367460152,
    0.1305398540221366, 0.12422088380877823, 0.11884933890719969, 0.1151885636595044,
    0.10738619489117324, 0.1037703651472939, 0.09902387780023811, 0.0971087026489792,
), start=1))
POST_TEST_CE, POST_TEST_ACCURACY = 0.11808091754439508, 0.9645


def transform(xb):
    return to_float(xb, np.float64)  # bit for bit x / 255


def main():
    from threadpoolctl import threadpool_limits

    mnist = load_mnist()
    x, x_test = mnist.flat_train, mnist.flat_test
    y, y_test = one_hot(mnist.y_train, 10), one_hot(mnist.y_test, 10)
    with threadpool_limits(limits=1):
        t0 = time.perf_counter()
        rs = np.random.RandomState(0)
        model = nn.Sequential(
            nn.Dense(784, 100, init="normal", scale=0.1, rng=rs), nn.ReLU(),
            nn.Dense(100, 200, init="normal", scale=0.1, rng=rs), nn.ReLU(),
            nn.Dense(200, 10, init="normal", scale=0.1, rng=rs), nn.DiagonalSoftmax(),
        )
        loss = nn.PostCrossEntropy()
        worst = 0.0
        print(f"{'epoch':>5s}  {'train loss (nnlib)':>20s}  {'post':>20s}  {'seconds':>7s}")
        for r in nn.train(model, loss, nn.SGD(model, lr=0.1), x, y, epochs=20, batch_size=512, rng=rs,
                          drop_last=True, eval_train=True, transform=transform):
            post = POST_TRAIN_LOSS[r.epoch]
            worst = max(worst, abs(r.train_loss - post))
            print(f"{r.epoch:5d}  {r.train_loss!r:>20s}  {post!r:>20s}  {r.seconds:7.2f}")
        pred = model.predict(x_test, transform=transform)
        ce, acc = loss.value(pred, y_test), nn.accuracy(pred, y_test)
        seconds = time.perf_counter() - t0
    worst = max(worst, abs(ce - POST_TEST_CE))
    print(f"test cross-entropy {ce!r} (post {POST_TEST_CE!r})")
    print(f"test accuracy      {acc!r} (post {POST_TEST_ACCURACY!r})")
    print(f"largest difference from the post's numbers: {worst:.1e}; accuracy "
          f"{'equal' if acc == POST_TEST_ACCURACY else 'DIFFERENT'}; {seconds:.1f} s")


if __name__ == "__main__":
    main()
