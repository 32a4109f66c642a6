"""Seconds per epoch for post 001's network on the real MNIST, nnlib against scikit-learn and PyTorch.

    python benchmarks/mlp_mnist_shape.py [--rounds 5]

784-100-200-10, ReLU, softmax + cross-entropy (fused, on logits), plain SGD, batch 512, lr 0.1,
the 60000 training images shuffled every epoch (last partial batch kept, as scikit-learn does).
Every contender runs on ONE BLAS / torch thread. The contenders take turns, one epoch each per
round, so a change in machine load hits them all alike; the first round is a warm-up and is
not counted; each figure is the median of the remaining rounds. Everything is printed, nothing
asserted.

- nnlib float32 / float64: ``nnlib.train`` on the uint8 images, converted per batch by
  ``transform`` (the app's setting: never a float copy of the data set).
- scikit-learn: ``MLPClassifier(solver="sgd", momentum=0, alpha=0, batch_size=512,
  learning_rate_init=0.1)``; one ``partial_fit`` call = one epoch (sklearn breaks out of its
  epoch loop after one pass when called incrementally, shuffling first; ``max_iter=1`` with
  ``warm_start=True`` would do the same pass). It gets the images already divided by 255
  (it cannot convert per batch): as float32, which it then computes in (its fastest
  setting), and — a second row — as the float64 that ``x / 255`` gives, its default.
  Each call re-validates X; that cost is printed separately.
- PyTorch (when installed): the same model, ``torch.set_num_threads(1)``, a uint8 tensor,
  ``x[idx].float() / 255`` per batch, ``CrossEntropyLoss``, ``optim.SGD``; a second row
  feeds it through the tutorials' ``DataLoader(TensorDataset(x, y), shuffle=True)`` instead.

GFLOP/s uses the usual 6 × samples × weights per epoch (2 forward, 4 backward), for all
contenders alike. That count includes the first layer's dL/dx (2 × samples × 784 × 100),
which none of the three computes (nobody needs the gradient of the pixels), so the
"executed" column subtracts it: that is the arithmetic really done, and the figure to hold
against a plain float32 ``a @ b`` on the same thread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nnlib as nn  # noqa: E402
from nnlib.mnist import load_mnist, to_float  # noqa: E402

SHAPE = (784, 100, 200, 10)
WEIGHTS = sum(a * b for a, b in zip(SHAPE, SHAPE[1:], strict=False))  # 100,400 (+ 310 biases)
BATCH, LR = 512, 0.1


def nnlib_contender(x, y, dtype):
    model = nn.Sequential(
        nn.Dense(784, 100, init="normal", scale=0.1, rng=0, dtype=dtype), nn.ReLU(),
        nn.Dense(100, 200, init="normal", scale=0.1, rng=1, dtype=dtype), nn.ReLU(),
        nn.Dense(200, 10, init="normal", scale=0.1, rng=2, dtype=dtype),
    )
    gen = nn.train(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=LR), x, y, epochs=10**6,
                   batch_size=BATCH, rng=0, transform=lambda xb: to_float(xb, dtype))
    state = {"seconds": 0.0}

    def epoch():
        record = next(gen)
        seconds, state["seconds"] = record.seconds - state["seconds"], record.seconds
        return seconds, record.loss

    return epoch


def sklearn_contender(x_scaled, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=SHAPE[1:-1], activation="relu", solver="sgd", alpha=0.0,
                        batch_size=BATCH, learning_rate="constant", learning_rate_init=LR, momentum=0.0,
                        nesterovs_momentum=False, early_stopping=False, shuffle=True, random_state=0)
    classes = np.arange(10)

    def epoch():
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(x_scaled, y, classes=classes)
        return time.perf_counter() - t, clf.loss_

    return epoch


def torch_contender(x, y, data_loader=False):
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 100), torch.nn.ReLU(), torch.nn.Linear(100, 200),
                                torch.nn.ReLU(), torch.nn.Linear(200, 10))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x.copy()), torch.from_numpy(y.astype(np.int64))
    gen = torch.Generator().manual_seed(0)
    if data_loader:
        dataset = torch.utils.data.TensorDataset(xt.float().div_(255), yt)
        loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=True, generator=gen)

    def batches():
        if data_loader:
            yield from loader
            return
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), BATCH):
            idx = order[i:i + BATCH]
            yield xt[idx].float().div_(255), yt[idx]

    def epoch():
        t = time.perf_counter()
        total = 0.0
        for xb, yb in batches():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        return time.perf_counter() - t, total / len(xt)

    return epoch


def matmul_gflops(m, k, n, dtype=np.float32, min_seconds=0.5):
    rng = np.random.default_rng(0)
    a, b = rng.random((m, k), dtype=dtype), rng.random((k, n), dtype=dtype)
    a @ b
    runs, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_seconds:
        a @ b
        runs += 1
    return 2 * m * k * n * runs / (time.perf_counter() - t0) / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after the warm-up (default 5)")
    args = parser.parse_args()

    from threadpoolctl import threadpool_info, threadpool_limits

    try:
        import torch
    except ImportError:
        torch = None
    import sklearn

    data = load_mnist()
    x, y = data.flat_train, data.y_train  # uint8, read-only, (60000, 784) and (60000,)
    x32 = to_float(x, np.float32)  # for scikit-learn only (nnlib and torch convert per batch)
    n = len(x)

    with threadpool_limits(limits=1):
        if torch is not None:
            torch.set_num_threads(1)
        contenders = {
            "nnlib float32": nnlib_contender(x, y, np.float32),
            "nnlib float64": nnlib_contender(x, y, np.float64),
            "sklearn f32 X": sklearn_contender(x32, y),
            "sklearn f64 X": sklearn_contender(x / 255, y),
        }
        if torch is not None:
            torch.set_num_threads(1)
            contenders["PyTorch CPU"] = torch_contender(x, y)
            contenders["PyTorch+loader"] = torch_contender(x, y, data_loader=True)

        times = {name: [] for name in contenders}
        losses = {}
        for r in range(args.rounds + 1):
            line = {}
            for name, epoch in contenders.items():
                seconds, losses[name] = epoch()
                line[name] = seconds
                if r > 0:
                    times[name].append(seconds)
            print(f"round {r}{' (warm-up, not counted)' if r == 0 else ''}: "
                  + ", ".join(f"{k} {v:.3f}s" for k, v in line.items()), flush=True)

        from sklearn.utils import check_array
        t = time.perf_counter()
        check_array(x32, dtype=[np.float64, np.float32])
        sk_validation = time.perf_counter() - t
        mm_shape = matmul_gflops(512, 784, 100)
        mm_square = matmul_gflops(1024, 1024, 1024)
        mm_shape64 = matmul_gflops(512, 784, 100, np.float64)
        blas = [f"{i['internal_api']} {i['version']} ({i['num_threads']} thread)" for i in threadpool_info()]

    med = {k: statistics.median(v) for k, v in times.items()}
    flops = 6 * n * WEIGHTS
    executed = flops - 2 * n * SHAPE[0] * SHAPE[1]  # no dL/dx for the input layer
    print()
    print(f"MNIST {n}x784 uint8, {SHAPE}, batch {BATCH}, lr {LR}; median of {args.rounds} epochs after a "
          f"warm-up; numpy {np.__version__}, scikit-learn {sklearn.__version__}"
          + (f", torch {torch.__version__}" if torch is not None else "") + f"; BLAS: {'; '.join(blas)}")
    print(f"{'contender':15s} {'s/epoch':>8s} {'min':>7s} {'max':>7s} {'GFLOP/s 6nW':>12s} {'executed':>9s} "
          f"{'last loss':>10s}")
    for k in med:
        print(f"{k:15s} {med[k]:8.3f} {min(times[k]):7.3f} {max(times[k]):7.3f} {flops / med[k] / 1e9:12.1f} "
              f"{executed / med[k] / 1e9:9.1f} {losses[k]:10.4f}")
    print(f"plain float32 matmul: 512x784 @ 784x100 {mm_shape:.1f} GFLOP/s, 1024^3 {mm_square:.1f} GFLOP/s; "
          f"float64 512x784 @ 784x100 {mm_shape64:.1f} GFLOP/s")
    print(f"(scikit-learn's per-call input validation alone: {sk_validation:.3f} s of its epoch)")
    print()
    f32 = med["nnlib float32"]
    for other, target in [("sklearn f32 X", 0.30), ("sklearn f64 X", 0.30), ("PyTorch CPU", 0.40),
                          ("PyTorch+loader", 0.40)]:
        if other in med:
            print(f"nnlib float32 / {other:14s} = {f32 / med[other]:.2f}   (target <= {target:.2f})")
    if torch is None:
        print("PyTorch not installed: pip install torch==2.13.0 to add it")
    for label, count in [("6nW", flops), ("executed", executed)]:
        rate = count / f32 / 1e9
        print(f"nnlib float32 GFLOP/s ({label}) / plain matmul = {rate / mm_shape:.0%} of 512x784 @ 784x100, "
              f"{rate / mm_square:.0%} of 1024^3   (target >= 70%)")
    print(f"nnlib float64 / nnlib float32 = {med['nnlib float64'] / f32:.2f}")


if __name__ == "__main__":
    main()
