"""nnlib.data: the lessons' datasets and helpers — shapes, balance, seeds, errors."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import data

TWO_D = sorted(data.TWO_D)
SOURCES = {"int": lambda: 5, "Generator": lambda: np.random.default_rng(5),
           "RandomState": lambda: np.random.RandomState(5)}


def test_toy4_is_post_002s_table():
    x, y = data.toy4()
    np.testing.assert_array_equal(x, [[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])
    assert x.dtype == y.dtype == np.float64


@pytest.mark.parametrize("direction", ["pos", "neg"])
def test_logistic_1d(direction):
    x, y = data.logistic_1d(500, boundary=7.0, scale=2.0, direction=direction, rng=0)
    assert x.shape == y.shape == (500,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, (x > 7) if direction == "pos" else (x < 7))
    assert x.mean() == pytest.approx(7.0, abs=0.3) and x.std() == pytest.approx(2.0, rel=0.1)
    # post 003 draws x ~ Normal(boundary, scale): the same stream as rng.normal
    np.testing.assert_array_equal(x, np.random.default_rng(0).normal(7.0, 2.0, 500))


def test_breast_cancer_is_standardised():
    x, y, names = data.breast_cancer()
    assert x.shape == (569, 30) and y.shape == (569,) and len(names) == 30
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1, rtol=1e-12)
    assert np.bincount(y).tolist() == [212, 357]
    raw = data.breast_cancer(standardize=False)[0]
    assert raw.mean() > 10


@pytest.mark.parametrize("name", TWO_D)
@pytest.mark.parametrize("n", [1, 2, 101, 200])
def test_two_d_sets_shapes_and_labels(name, n):
    x, y = data.make_2d(name, n_samples=n, noise=0.1, rng=0)
    assert x.shape == (n, 2) and y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1}
    assert np.all(np.isfinite(x)) and np.abs(x).max() < 3
    if name != "xor":  # built from two halves of n // 2 and n - n // 2 points
        assert np.bincount(y, minlength=2).tolist() == [n // 2, n - n // 2]


def test_xor_labels_follow_the_quadrants_and_are_roughly_balanced():
    x, y = data.xor(2000, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))
    assert abs(y.mean() - 0.5) < 0.05


@pytest.mark.parametrize("name", TWO_D)
@pytest.mark.parametrize("make", SOURCES.values(), ids=SOURCES.keys())
def test_two_d_sets_are_reproducible_per_seed(name, make):
    a, b = data.make_2d(name, 50, rng=make()), data.make_2d(name, 50, rng=make())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = data.make_2d(name, 50, rng=6)
    assert not np.array_equal(a[0], c[0])


def test_noise_moves_points():
    clean, _ = data.circles(100, noise=0.0, rng=0)
    noisy, _ = data.circles(100, noise=0.3, rng=0)
    radii = np.sort(np.unique(np.round(np.hypot(*clean.T), 12)))
    np.testing.assert_allclose(radii, [0.5, 1.0])
    assert not np.allclose(noisy, clean)


def test_train_test_split():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    xtr, xte, ytr, yte = data.train_test_split(x, y, test_fraction=0.3, rng=0)
    assert (len(xtr), len(xte)) == (7, 3)
    np.testing.assert_array_equal(xtr[:, 0] // 2, ytr)  # rows stay paired with their labels
    assert sorted(np.r_[ytr, yte].tolist()) == list(range(10))
    again = data.train_test_split(x, y, test_fraction=0.3, rng=0)
    np.testing.assert_array_equal(again[3], yte)


def test_standardize_columns():
    rng = np.random.default_rng(0)
    x = rng.normal(5, 3, (100, 3))
    x[:, 2] = 4.0  # a constant column is only centred
    other = rng.normal(5, 3, (10, 3))
    xs, os_, (mean, std) = data.standardize_columns(x, other)
    np.testing.assert_allclose(xs[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(xs[:, :2].std(axis=0), 1)
    np.testing.assert_array_equal(xs[:, 2], 0)
    np.testing.assert_allclose(os_, (other - mean) / std)


def test_one_hot():
    np.testing.assert_array_equal(data.one_hot(np.array([2, 0, 1]), 4),
                                  [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert data.one_hot(np.array([1, 0])).shape == (2, 2)
    assert data.one_hot(np.array([1, 0]), dtype=np.float32).dtype == np.float32
    assert data.one_hot(np.array([], dtype=int), 3).shape == (0, 3)


def test_grid():
    points, xs, ys = data.grid((-1, 1), (0, 2), resolution=5)
    assert points.shape == (25, 2)
    np.testing.assert_array_equal(xs, np.linspace(-1, 1, 5))
    np.testing.assert_array_equal(points[:5, 1], 0)


def test_batches_cover_every_row_once():
    x, y = np.arange(23)[:, None], np.arange(23)
    got = list(data.batches(x, y, 5, rng=0))
    assert [len(b[1]) for b in got] == [5, 5, 5, 5, 3]
    assert sorted(np.concatenate([b[1] for b in got]).tolist()) == list(range(23))
    for xb, yb in got:
        np.testing.assert_array_equal(xb[:, 0], yb)
    assert [len(b[1]) for b in data.batches(x, y, 5, drop_last=True, rng=0)] == [5] * 4
    in_order = list(data.batches(x, y, 10, shuffle=False))
    np.testing.assert_array_equal(in_order[0][1], np.arange(10))
    assert np.shares_memory(in_order[0][0], x)  # unshuffled batches are views


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "match"), [
    (lambda: data.logistic_1d(0), r"n_samples must be >= 1, got 0"),
    (lambda: data.logistic_1d(10, scale=0), r"scale must be > 0, got 0"),
    (lambda: data.logistic_1d(10, direction="up"), r"direction must be one of \['neg', 'pos'\], got 'up'"),
    (lambda: data.logistic_1d(10, boundary=float("nan")), r"boundary must be finite, got nan"),
    (lambda: data.moons(0), r"n_samples must be >= 1, got 0"),
    (lambda: data.moons(10, noise=-0.1), r"noise must be >= 0, got -0.1"),
    (lambda: data.blobs(10, noise=9), r"noise must be <= 5, got 9"),
    (lambda: data.circles(10, factor=0), r"factor must be > 0, got 0"),
    (lambda: data.spirals(10, turns=0), r"turns must be > 0, got 0"),
    (lambda: data.xor(2.5), r"n_samples must be an integer, got 2.5"),
    (lambda: data.make_2d("donut"), r"dataset must be one of \[.blobs., .circles., .moons.*got .donut."),
    (lambda: data.moons(10, rng=-3), r"rng must be a non-negative seed, got -3"),
    (lambda: data.train_test_split(np.ones((4, 1)), np.ones(3)), r"x and y must have the same number"),
    (lambda: data.train_test_split(np.ones((4, 1)), np.ones(4), test_fraction=0),
     r"test_fraction must be > 0, got 0"),
    (lambda: data.train_test_split(np.ones((2, 1)), np.ones(2), test_fraction=0.1),
     r"test_fraction=0.1 leaves no train or no test rows out of 2"),
    (lambda: data.one_hot(np.array([0.0, 1.0])), r"labels must be a 1-D array of integers, got shape \(2,\)"),
    (lambda: data.one_hot(np.array([[0, 1]])), r"labels must be a 1-D array of integers, got shape \(1, 2\)"),
    (lambda: data.one_hot(np.array([0, 3]), 3), r"labels must be in \[0, 2\], got values from 0 to 3"),
    (lambda: data.one_hot(np.array([-1, 0]), 3), r"labels must be in \[0, 2\], got values from -1 to 0"),
    (lambda: data.one_hot(np.array([0]), 0), r"n_classes must be >= 1, got 0"),
    (lambda: data.grid((0, 1), (0, 1), resolution=0), r"resolution must be >= 1, got 0"),
    (lambda: list(data.batches(np.ones((3, 1)), np.ones(3), 0)), r"batch_size must be >= 1, got 0"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_one_hot_of_bool_labels():
    np.testing.assert_array_equal(data.one_hot(np.array([True, False, True])), [[0, 1], [1, 0], [0, 1]])


def test_helpers_take_lists_and_check_lengths():
    xtr, xte, ytr, yte = data.train_test_split([[0], [1], [2], [3]], [0, 1, 0, 1], 0.5, rng=0)
    assert xtr.shape == (2, 1) and sorted(np.r_[ytr, yte]) == [0, 0, 1, 1]
    assert [len(xb) for xb, _ in data.batches([[0], [1], [2]], [0, 1, 0], 2, rng=0)] == [2, 1]
    with pytest.raises(ValueError, match=r"x and y must have the same number of rows, got shapes \(3, 1\) and \(2,\)"):
        list(data.batches(np.ones((3, 1)), np.ones(2), 2))
    with pytest.raises(ValueError, match=r"x and y must have the same number of rows"):
        data.train_test_split(np.ones((3, 1)), np.ones(2))


def test_standardize_refuses_nan():
    with pytest.raises(ValueError, match=r"x contains 1 NaN/inf value\(s\)"):
        data.standardize_columns([[1.0, np.nan], [2.0, 3.0]])
    with pytest.raises(ValueError, match=r"others\[0\] contains 1 NaN/inf"):
        data.standardize_columns([[1.0], [2.0]], [[np.inf]])


# -- k-class sets and regression sets (the 2-D playground) ----------------------------------------

@pytest.mark.parametrize("name", list(data.MULTICLASS))
@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_k_class_sets_have_k_balanced_classes(name, k):
    x, y = data.make_2d(name, 301, 0.1, rng=0, classes=k)
    assert x.shape == (301, 2) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("k", [3, 5])
def test_k_blobs_are_separate_clusters_around_a_circle(k):
    x, y = data.blobs(500, 0.0, rng=1, classes=k)
    centres = np.array([x[y == j].mean(axis=0) for j in range(k)])
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 0.99, atol=0.1)
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[~np.eye(k, dtype=bool)]
    assert gaps.min() > 1.0


def test_k_spirals_arms_are_turned_evenly():
    x, y = data.spirals(300, 0.0, rng=0, classes=3)
    # the outermost point of each arm (t = 1) sits at angle 2π·1.5 + j·2π/3
    for j in range(3):
        arm = x[y == j]
        end = arm[np.argmax(np.linalg.norm(arm, axis=1))]
        assert np.arctan2(end[1], end[0]) % (2 * np.pi) == pytest.approx((3 * np.pi + j * 2 * np.pi / 3) % (2 * np.pi))


def test_two_classes_draw_the_same_points_as_before():
    """classes=2 keeps the original sets (the same rng draws): blobs at (±0.7, ±0.7)."""
    x, y = data.blobs(400, 0.0, rng=3)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [-0.7, -0.7], atol=0.05)
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [0.7, 0.7], atol=0.05)
    a = data.spirals(100, 0.1, rng=2)
    b = data.make_2d("spirals", 100, 0.1, rng=2, classes=2)
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize("name", sorted(data.REGRESSION))
def test_regression_sets_shapes_noise_and_seeds(name):
    x, y = data.make_regression(name, 200, 0.0, rng=0)
    dims = 1 if name in data.REGRESSION_1D else 2
    assert x.shape == (200, dims) and y.shape == (200,) and y.dtype == np.float64
    assert np.abs(x).max() <= 1.5
    np.testing.assert_allclose(y, data.regression_target(name, x))  # noise 0: the function itself
    xn, yn = data.make_regression(name, 200, 0.2, rng=0)
    np.testing.assert_array_equal(xn, x)
    assert np.std(yn - y) == pytest.approx(0.2, rel=0.15)
    np.testing.assert_array_equal(data.make_regression(name, 200, 0.2, rng=0)[1], yn)


def test_regression_functions_by_hand():
    x = np.array([[-1.0], [0.5]])
    np.testing.assert_allclose(data.regression_target("sine", x), [0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(data.regression_target("step", x), [-0.5, 0.5])
    np.testing.assert_allclose(data.regression_target("abs", x), [0.25, -0.25])
    np.testing.assert_allclose(data.regression_target("poly", x), [0.5, -0.625])
    np.testing.assert_allclose(data.regression_target("plane", np.array([[1.0, 1.0]])), [0.2])
    assert data.regression_target("bumps", np.array([[-0.5, 0.5]]))[0] > 0.9


@pytest.mark.parametrize(("call", "match"), [
    (lambda: data.make_2d("moons", 10, classes=3), "classes must be 2 for 'moons'"),
    (lambda: data.blobs(10, classes=6), "classes must be <= 5, got 6"),
    (lambda: data.spirals(10, classes=1), "classes must be >= 2, got 1"),
    (lambda: data.make_regression("wave", 10), "dataset must be one of"),
    (lambda: data.make_regression("sine", 10, noise=-1), "noise must be >= 0"),
    (lambda: data.regression_target("plane", np.zeros((3, 1))), r"x must have 2 column\(s\) for 'plane'"),
])
def test_bad_playground_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
