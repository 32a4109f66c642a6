"""Classification metrics computed from model outputs."""

from __future__ import annotations

import numpy as np


def predicted_class(pred: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Class labels from outputs: threshold one probability column, argmax several."""
    pred = np.asarray(pred)
    if pred.ndim == 2 and pred.shape[1] > 1:
        return pred.argmax(axis=1)
    return (pred.reshape(-1) > threshold).astype(np.int64)


def true_class(y: np.ndarray) -> np.ndarray:
    """Class labels from targets: integer labels as they are, one-hot rows by argmax."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(-1).astype(np.int64, copy=False)


def accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose predicted class equals the true class."""
    return float(np.mean(predicted_class(pred) == true_class(y)))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """counts[i, j] = number of samples of true class i predicted as class j."""
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    k = n_classes or int(max(y_true.max(initial=0), y_pred.max(initial=0)) + 1)
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (y_true.astype(np.int64), y_pred.astype(np.int64)), 1)
    return counts


def precision_recall(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall from a confusion matrix (0 where undefined)."""
    tp = np.diag(counts).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(tp / counts.sum(axis=0))
        recall = np.nan_to_num(tp / counts.sum(axis=1))
    return precision, recall
