"""Datasets of the lessons and small helpers (split, standardise, one-hot, batches).

Every random function takes ``rng``: a seed, a ``np.random.Generator`` or a legacy
``np.random.RandomState``. Classification sets return ``x`` (n, d) float64 and integer
labels ``y`` (n,). MNIST lives in ``nnlib.mnist``.
"""

from __future__ import annotations

import numpy as np

from ._checks import RandomSource, as_rng, check_array, check_choice, check_number, check_positive_int

XY = tuple[np.ndarray, np.ndarray]  # inputs and labels
MAX_CLASSES = 5


def toy4() -> XY:
    """Post 002's four rows: x (4, 3) and y (4, 1) = [0, 1, 1, 0] (y equals x's first column)."""
    x = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=np.float64)
    y = np.array([[0, 1, 1, 0]], dtype=np.float64).T
    return x, y


def logistic_1d(n_samples: int = 100, boundary: float = 7.0, scale: float = 2.0,
                direction: str = "pos", rng: RandomSource = None) -> XY:
    """Post 003's ``make_dataset``: x ~ Normal(boundary, scale); y = x > boundary ('pos')
    or x < boundary ('neg'). Returns x (n,) float64 and y (n,) int."""
    n = check_positive_int("n_samples", n_samples)
    check_number("boundary", boundary)
    check_number("scale", scale, low=0, low_open=True)
    check_choice("direction", direction, {"pos", "neg"})
    x = as_rng(rng).normal(loc=boundary, scale=scale, size=(n,))
    y = (x > boundary) if direction == "pos" else (x < boundary)
    return x, y.astype(np.int64)


def breast_cancer(standardize: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """scikit-learn's breast cancer set (569 × 30; 1 = benign), standardised over all rows
    as post 000 does. Returns x, y (n,) int, feature names. Needs scikit-learn."""
    try:
        from sklearn.datasets import load_breast_cancer
    except ImportError as err:  # scikit-learn is optional for nnlib itself
        raise ImportError("breast_cancer() needs scikit-learn: pip install scikit-learn") from err
    bc = load_breast_cancer()
    x = bc["data"].astype(np.float64)
    if standardize:
        x = standardize_columns(x)[0]
    return x, bc["target"].astype(np.int64), list(bc["feature_names"])


# -- 2-D playground sets (integer labels, roughly in [-1.5, 1.5]^2) --------------------------

def _two_d(name: str, n: int, noise: float):
    check_positive_int("n_samples", n)
    check_number("noise", noise, low=0, high=5)
    return n // 2, n - n // 2


def moons(n_samples: int = 200, noise: float = 0.1, rng: RandomSource = None) -> XY:
    """Two interleaving half circles (like scikit-learn's ``make_moons``), centred."""
    n0, n1 = _two_d("moons", n_samples, noise)
    r = as_rng(rng)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    x = np.vstack([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    x = (x - [0.5, 0.25]) + r.normal(0, noise, x.shape)
    return _shuffled(x, np.r_[np.zeros(n0), np.ones(n1)], r)


def circles(n_samples: int = 200, noise: float = 0.1, factor: float = 0.5, rng: RandomSource = None) -> XY:
    """A small circle (label 1) inside a large one (label 0)."""
    n0, n1 = _two_d("circles", n_samples, noise)
    check_number("factor", factor, low=0, high=1, low_open=True)
    r = as_rng(rng)
    t0, t1 = np.linspace(0, 2 * np.pi, n0, endpoint=False), np.linspace(0, 2 * np.pi, n1, endpoint=False)
    x = np.vstack([np.c_[np.cos(t0), np.sin(t0)], factor * np.c_[np.cos(t1), np.sin(t1)]])
    x = x + r.normal(0, noise, x.shape)
    return _shuffled(x, np.r_[np.zeros(n0), np.ones(n1)], r)


def xor(n_samples: int = 200, noise: float = 0.1, rng: RandomSource = None) -> XY:
    """Points in [-1, 1]^2, label 1 where x1·x2 > 0 (TensorFlow Playground's XOR)."""
    _two_d("xor", n_samples, noise)
    r = as_rng(rng)
    x = r.uniform(-1, 1, (n_samples, 2))
    x += np.sign(x) * 0.05  # a small margin around the axes, as the Playground has
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return x + r.normal(0, noise, x.shape), y


def _class_sizes(n: int, k: int) -> list[int]:
    """``n`` points in ``k`` near-equal classes (2 classes: n // 2 and the rest)."""
    return [(n * (j + 1)) // k - (n * j) // k for j in range(k)]


def _classes(classes) -> int:
    return int(check_number("classes", classes, low=2, high=MAX_CLASSES, integer=True))


def spirals(n_samples: int = 200, noise: float = 0.1, turns: float = 1.5, rng: RandomSource = None,
            classes: int = 2) -> XY:
    """``classes`` (2…5) interleaved spiral arms, arm j turned by j·2π/classes; labels 0…classes-1."""
    _two_d("spirals", n_samples, noise)
    k = _classes(classes)
    check_number("turns", turns, low=0, low_open=True, high=5)
    r = as_rng(rng)
    parts = []
    sizes = _class_sizes(n_samples, k)
    for j, m in enumerate(sizes):
        t = np.linspace(0.05, 1, m)
        angle = 2 * np.pi * turns * t + j * 2 * np.pi / k
        parts.append(1.4 * t[:, None] * np.c_[np.cos(angle), np.sin(angle)])
    x = np.vstack(parts) + r.normal(0, noise, (n_samples, 2))
    return _shuffled(x, np.repeat(np.arange(k), sizes), r)


def blobs(n_samples: int = 200, noise: float = 0.1, rng: RandomSource = None, classes: int = 2) -> XY:
    """``classes`` (2…5) Gaussian blobs, spread 0.3 + noise, centred on a circle of radius
    0.99 from 225° on (2 classes: at (-0.7, -0.7) and (0.7, 0.7)); labels 0…classes-1."""
    _two_d("blobs", n_samples, noise)
    k = _classes(classes)
    r = as_rng(rng)
    sizes = _class_sizes(n_samples, k)
    parts = []
    for j, m in enumerate(sizes):
        angle = 1.25 * np.pi + j * 2 * np.pi / k
        centre = np.round(0.7 * np.sqrt(2) * np.array([np.cos(angle), np.sin(angle)]), 12)
        parts.append(r.normal(centre, 0.3 + noise, (m, 2)))
    return _shuffled(np.vstack(parts), np.repeat(np.arange(k), sizes), r)


def _shuffled(x, y, r):
    order = r.permutation(len(x))
    return x[order], y[order].astype(np.int64)


TWO_D = {"moons": moons, "circles": circles, "xor": xor, "spirals": spirals, "blobs": blobs}
MULTICLASS = ("spirals", "blobs")  # the sets that come in 2…MAX_CLASSES classes


def make_2d(name: str, n_samples: int = 200, noise: float = 0.1, rng: RandomSource = None, classes: int = 2) -> XY:
    """One of the 2-D playground sets by name; ``classes`` > 2 for spirals and blobs only."""
    check_choice("dataset", name, set(TWO_D))
    if name in MULTICLASS:
        return TWO_D[name](n_samples, noise, rng=rng, classes=classes)
    if classes != 2:
        raise ValueError(f"classes must be 2 for {name!r} (only {list(MULTICLASS)} have more), got {classes!r}")
    return TWO_D[name](n_samples, noise, rng=rng)


# -- regression sets: x (n, 1) or (n, 2) in [-1.5, 1.5], y (n,) float64 = f(x) + Normal(0, noise) ----

def _regression_x(n: int, noise: float, dims: int, r) -> np.ndarray:
    check_positive_int("n_samples", n)
    check_number("noise", noise, low=0, high=5)
    return r.uniform(-1.5, 1.5, (n, dims))


REGRESSION_1D = {
    "sine": lambda x: np.sin(np.pi * x[:, 0]),  # one and a half periods
    "step": lambda x: np.where(x[:, 0] > 0, 0.5, -0.5),
    "abs": lambda x: np.abs(x[:, 0]) - 0.75,
    "poly": lambda x: x[:, 0] ** 3 - 1.5 * x[:, 0],  # a cubic with two bends
}
REGRESSION_2D = {
    "plane": lambda x: 0.6 * x[:, 0] - 0.4 * x[:, 1],
    # a hill at (-0.5, 0.5) and a hollow at (0.6, -0.4), Gaussian bumps of width 0.5
    "bumps": lambda x: (np.exp(-((x[:, 0] + 0.5) ** 2 + (x[:, 1] - 0.5) ** 2) / 0.5)
                        - np.exp(-((x[:, 0] - 0.6) ** 2 + (x[:, 1] + 0.4) ** 2) / 0.5)),
}
REGRESSION = {**REGRESSION_1D, **REGRESSION_2D}


def make_regression(name: str, n_samples: int = 200, noise: float = 0.1, rng: RandomSource = None) -> XY:
    """A regression set by name: 1-D ``sine``, ``step``, ``abs``, ``poly`` (x of shape (n, 1))
    or 2-D ``plane``, ``bumps`` (x of shape (n, 2)); x uniform in [-1.5, 1.5], y (n,) float64
    the noiseless function plus Gaussian noise of standard deviation ``noise``."""
    check_choice("dataset", name, set(REGRESSION))
    r = as_rng(rng)
    x = _regression_x(n_samples, noise, 1 if name in REGRESSION_1D else 2, r)
    return x, regression_target(name, x) + r.normal(0, noise, len(x))


def regression_target(name: str, x) -> np.ndarray:
    """The noiseless function of a regression set at ``x`` (n, 1) or (n, 2) (for plotting the truth)."""
    check_choice("dataset", name, set(REGRESSION))
    x = check_array("x", x, ndim=2)
    dims = 1 if name in REGRESSION_1D else 2
    if x.shape[1] != dims:
        raise ValueError(f"x must have {dims} column(s) for {name!r}, got shape {x.shape}")
    return REGRESSION[name](x.astype(np.float64, copy=False))


# -- helpers ---------------------------------------------------------------------------------

def train_test_split(x, y, test_fraction: float = 0.25, rng: RandomSource = None,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows and split them: returns x_train, x_test, y_train, y_test."""
    check_number("test_fraction", test_fraction, low=0, high=1, low_open=True)
    x, y = _pair(x, y)
    n = len(x)
    n_test = int(round(n * test_fraction))
    if not 0 < n_test < n:
        raise ValueError(f"test_fraction={test_fraction} leaves no train or no test rows out of {n}")
    order = as_rng(rng).permutation(n)
    test, tr = order[:n_test], order[n_test:]
    return x[tr], x[test], y[tr], y[test]


def standardize_columns(x, *others, eps: float = 1e-12) -> tuple:
    """Scale columns to mean 0, std 1 using ``x``'s statistics; apply the same to ``others``.
    Returns (x_scaled, *others_scaled, (mean, std)). Constant columns are left centred."""
    x = check_array("x", x).astype(np.float64, copy=False)
    others = [check_array(f"others[{i}]", o) for i, o in enumerate(others)]
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std = np.where(std < eps, 1.0, std)
    scaled = [(np.asarray(o, dtype=np.float64) - mean) / std for o in (x, *others)]
    return (*scaled, (mean, std))


def one_hot(labels, n_classes: int | None = None, dtype=np.float64) -> np.ndarray:
    """Integer labels (n,) -> one-hot rows (n, n_classes)."""
    labels = np.asarray(labels)
    if labels.dtype == bool:
        labels = labels.astype(np.int64)
    if labels.ndim != 1 or labels.dtype.kind not in "iub":
        raise ValueError(f"labels must be a 1-D array of integers, got shape {labels.shape} "
                         f"and dtype {labels.dtype}")
    k = int(labels.max(initial=-1)) + 1 if n_classes is None else check_positive_int("n_classes", n_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must be in [0, {k - 1}], got values from {labels.min()} to {labels.max()}")
    out = np.zeros((labels.size, k), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out


def grid(x_range, y_range, resolution: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A resolution × resolution grid over the box; returns (points (r², 2), xs, ys) for
    decision-boundary pictures."""
    resolution = check_positive_int("resolution", resolution)
    xs = np.linspace(*x_range, resolution)
    ys = np.linspace(*y_range, resolution)
    gx, gy = np.meshgrid(xs, ys)
    return np.c_[gx.ravel(), gy.ravel()], xs, ys


def _pair(x, y) -> XY:
    """``x`` and ``y`` as arrays with the same number of rows."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(f"x and y must have the same number of rows, got shapes {x.shape} and {y.shape}")
    return x, y


def batch_indices(order: np.ndarray, batch_size: int, drop_last: bool = False, shuffled: bool = True):
    """Yield the row selectors of one epoch: slices of the permutation ``order`` (fancy
    indices) when ``shuffled``, plain slices (views, no copies) otherwise."""
    n = len(order)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start:start + batch_size] if shuffled else slice(start, start + batch_size)


def batches(x, y, batch_size: int, rng: RandomSource = None, shuffle: bool = True, drop_last: bool = False):
    """Yield (x_batch, y_batch) pairs for one epoch (a fresh permutation when ``shuffle``)."""
    batch_size = check_positive_int("batch_size", batch_size)
    x, y = _pair(x, y)
    order = as_rng(rng).permutation(len(x)) if shuffle else np.arange(len(x))
    for idx in batch_indices(order, batch_size, drop_last, shuffled=shuffle):
        yield x[idx], y[idx]
