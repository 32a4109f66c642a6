"""Argument checks shared by every nnlib module.

Each check raises ``ValueError`` naming the argument and echoing the bad value, in the
style of scikit-learn (``"lr must be > 0, got -1"``), so a UI can show the message as is.
"""

from __future__ import annotations

import numbers

import numpy as np

RandomSource = int | np.random.Generator | np.random.RandomState | None


def as_rng(rng: RandomSource, name: str = "rng") -> np.random.Generator | np.random.RandomState:
    """Turn a seed, a ``Generator`` or a legacy ``RandomState`` into a random source.

    An int seeds a new ``np.random.default_rng``; ``None`` gives an unseeded one. A
    ``RandomState`` is used as is: ``RandomState(0)`` replays ``np.random.seed(0)``, which
    is how a lesson reproduces a blog post that drew from NumPy's global stream.
    """
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise ValueError(f"{name} must be an int seed, np.random.Generator or RandomState, got {rng!r}")


def check_number(name: str, value, *, low=None, high=None, low_open=False, integer=False):
    """Check that ``value`` is a real number (an int when ``integer``) within bounds."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{name} must be {'an integer' if integer else 'a number'}, got {value!r}")
    if not integer and not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}")
    return value


def check_positive_int(name: str, value) -> int:
    return int(check_number(name, value, low=1, integer=True))


def check_array(name: str, x, *, ndim: int | None = None, dtype=None) -> np.ndarray:
    """Return ``x`` as an array, refusing NaN/inf and (optionally) a wrong number of dims."""
    arr = np.asarray(x) if dtype is None else np.asarray(x, dtype=dtype)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.inexact) and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.isfinite(arr).sum())
        raise ValueError(f"{name} contains {bad} NaN/inf value(s); clean the data first")
    return arr


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """float32 or float64, from anything ``np.dtype`` reads (``"float32"``, ``np.float64`` …)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"{name} must be float32 or float64, got {dtype!r}") from None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"{name} must be float32 or float64, got {dt}")
    return dt
