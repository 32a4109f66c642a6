"""A tiny central-difference gradient, written independently of ``nnlib.gradcheck`` so the
tests check nnlib's gradients *and* nnlib's checker against a second implementation."""

from __future__ import annotations

import numpy as np


def central_diff(f, arr: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """dF/d``arr`` for a scalar ``f()`` that reads ``arr``; perturbs ``arr`` in place, then restores it."""
    grad = np.zeros(arr.shape)
    for idx in np.ndindex(*arr.shape):
        old = arr[idx]
        arr[idx] = old + eps
        up = f()
        arr[idx] = old - eps
        down = f()
        arr[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def assert_grad_close(analytic, numeric, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Element-wise |a - n| <= atol + rtol * |n| (atol absorbs the differences' rounding noise)."""
    np.testing.assert_allclose(np.asarray(analytic, dtype=float), numeric, rtol=rtol, atol=atol)
