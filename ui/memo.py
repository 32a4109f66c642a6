"""Build once per server process what every visitor's first render builds alike.

A fresh session's first render draws an untrained model: the same charts for everyone who opens a page
with the same settings (seeded models, built-in data). Altair builds a chart slowly — MNIST's confusion
matrix alone took ~35 ms of a first render, its selection and layers validated channel by channel — and
when a class arrives at once those milliseconds queue up on the server (issue 17: ≤ 150 ms of server CPU
per first render). ``shared(share, builder, *args)`` returns the chart ``builder(*args)`` built by an
earlier session with equal arguments in the same language, or builds and keeps it.

Only for pure builders (arguments in, new chart out) whose result the caller does not change:
``ui.common.show_chart`` only reads a chart (it styles a copy for lecture mode). Arguments are compared by
value: arrays by dtype, shape and a digest of their bytes, data frames by columns and a digest of
their values. Pages pass ``share=False`` while a run trains: its charts change at every tick and would
only push the shared ones out of the bounded store.

No Streamlit import: plain and testable.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .i18n import current_language

MAX_ENTRIES = 64  # charts kept per process (a first render's few charts, for a few settings and languages)

_lock = threading.Lock()
_store: OrderedDict[tuple, Any] = OrderedDict()
_keys: dict[int, tuple] = {}  # id(shared chart) -> its key, while the chart is in the store
_specs: dict[tuple, Any] = {}  # (key, variant) -> the chart as sent (Vega-Lite dict), while the chart is stored


class Unhashable(TypeError):
    """An argument ``key`` cannot compare by value."""


def key(value: Any) -> Any:
    """A hashable stand-in for ``value`` that is equal for equal values (arrays and frames included).

    Raises Unhashable for values it cannot compare by value."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, np.generic)):
        return value
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return ("ndarray", data.dtype.str, data.shape, hashlib.blake2b(data.view(np.uint8), digest_size=16).digest()
                if data.dtype != object else key(data.tolist()))
    if isinstance(value, pd.DataFrame):
        values = pd.util.hash_pandas_object(value, index=True).to_numpy()
        return ("DataFrame", tuple(map(str, value.columns)), tuple(map(str, value.dtypes)), key(values))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((key(k), key(v)) for k, v in value.items()))
    raise Unhashable(f"cannot compare a {type(value).__name__} by value")


def shared(share: bool, builder: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``builder(*args, **kwargs)``, built once per process for equal arguments and language when
    ``share`` is true (and always anew when it is false, or when an argument cannot be compared)."""
    if not share:
        return builder(*args, **kwargs)
    try:
        k = (builder.__module__, builder.__qualname__, current_language(), key(args), key(kwargs))
    except Unhashable:
        return builder(*args, **kwargs)
    with _lock:
        if k in _store:
            _store.move_to_end(k)
            return _store[k]
    built = builder(*args, **kwargs)
    with _lock:
        if k in _store:  # another session built it meanwhile: keep one
            return _store[k]
        _store[k] = built
        _keys[id(built)] = k
        while len(_store) > MAX_ENTRIES:
            old_key, old = _store.popitem(last=False)
            _keys.pop(id(old), None)
            for variant in [v for v in _specs if v[0] == old_key]:
                del _specs[variant]
    return built


def converted(chart: Any, variant: Any, convert: Callable[[], Any]) -> Any:
    """For a chart returned by ``shared``: ``convert()`` done once per ``variant`` (e.g. lecture mode on or
    off) and kept with the chart; None for any other chart (the caller converts it itself).
    The result is shared between sessions: callers must not change it."""
    with _lock:
        k = _keys.get(id(chart))
        if k is None or _store.get(k) is not chart:
            return None
        if (k, variant) in _specs:
            return _specs[(k, variant)]
    spec = convert()
    with _lock:
        if _store.get(k) is chart:
            _specs.setdefault((k, variant), spec)
    return spec


def clear() -> None:
    """Forget every shared chart (tests)."""
    with _lock:
        _store.clear()
        _keys.clear()
        _specs.clear()
