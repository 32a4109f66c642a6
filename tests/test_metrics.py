"""nnlib.metrics: predicted/true classes, accuracy, confusion matrix (against scikit-learn)."""

from __future__ import annotations

import numpy as np
import pytest

import nnlib as nn
from nnlib.data import one_hot


def test_predicted_and_true_class():
    np.testing.assert_array_equal(nn.predicted_class(np.array([[0.2], [0.7], [0.5]])), [0, 1, 0])
    np.testing.assert_array_equal(nn.predicted_class(np.array([0.2, 0.9]), threshold=0.1), [1, 1])
    np.testing.assert_array_equal(nn.predicted_class(np.array([[0.1, 0.9], [2.0, -1.0]])), [1, 0])
    np.testing.assert_array_equal(nn.true_class(one_hot(np.array([2, 0]), 3)), [2, 0])
    np.testing.assert_array_equal(nn.true_class(np.array([[1.0], [0.0]])), [1, 0])


def test_accuracy_with_labels_and_one_hot():
    pred = np.array([[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1]])
    y = np.array([1, 0, 1, 1])
    assert nn.accuracy(pred, y) == 0.5
    assert nn.accuracy(pred, one_hot(y, 3)) == 0.5
    assert nn.accuracy(np.array([[0.9], [0.1]]), np.array([1, 0])) == 1.0


def test_confusion_matrix_matches_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 300), rng.integers(0, 5, 300)
    np.testing.assert_array_equal(nn.confusion_matrix(y_true, y_pred),
                                  sklearn_metrics.confusion_matrix(y_true, y_pred))
    counts = nn.confusion_matrix(y_true, y_pred, n_classes=7)
    assert counts.shape == (7, 7) and counts.sum() == 300
    precision, recall = nn.precision_recall(counts)
    np.testing.assert_allclose(precision[:5], sklearn_metrics.precision_score(y_true, y_pred, average=None))
    np.testing.assert_allclose(recall[:5], sklearn_metrics.recall_score(y_true, y_pred, average=None))
    np.testing.assert_array_equal(precision[5:], 0)  # classes never seen: 0, not NaN


def test_binary_confusion_matrix_orientation():
    counts = nn.confusion_matrix(np.array([0, 0, 1, 1, 1]), np.array([0, 1, 1, 1, 0]))
    np.testing.assert_array_equal(counts, [[1, 1], [1, 2]])  # rows: true class, columns: predicted
