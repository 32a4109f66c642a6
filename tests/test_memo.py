"""ui.memo: charts every visitor's first render builds alike are built once per process."""

import numpy as np
import pandas as pd
import pytest

from ui import charts, memo
from ui.i18n import use_language


@pytest.fixture(autouse=True)
def empty_store():
    memo.clear()
    yield
    memo.clear()


def counting(builder):
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(1)
        return builder(*args, **kwargs)

    wrapped.__qualname__ = builder.__qualname__ + "_counted"
    wrapped.__module__ = builder.__module__
    return wrapped, calls


def test_key_compares_arrays_and_frames_by_value():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    assert memo.key(a) == memo.key(a.copy())
    assert memo.key(a) != memo.key(a.astype(np.float32))  # same numbers, other dtype
    assert memo.key(a) != memo.key(a.reshape(4, 3))
    b = a.copy()
    b[2, 3] += 1e-12
    assert memo.key(a) != memo.key(b)
    assert memo.key(a[:, ::2]) == memo.key(np.ascontiguousarray(a[:, ::2]))  # a strided view by its values
    df = pd.DataFrame({"x": [1.0, 2.0], "s": ["a", "b"]})
    assert memo.key(df) == memo.key(df.copy())
    assert memo.key(df) != memo.key(df.assign(s=["a", "c"]))
    assert memo.key(df) != memo.key(df.rename(columns={"x": "y"}))
    assert memo.key([df, 1, "t"]) == memo.key([df.copy(), 1, "t"])
    with pytest.raises(memo.Unhashable):
        memo.key(object())


def test_shared_builds_once_for_equal_arguments_and_anew_otherwise():
    build, calls = counting(charts.matrix_heatmap)
    counts = np.array([[5, 1], [2, 7]])
    first = memo.shared(True, build, counts, ["0", "1"], title="t")
    assert memo.shared(True, build, counts.copy(), ["0", "1"], title="t") is first
    assert len(calls) == 1
    other = memo.shared(True, build, counts + 1, ["0", "1"], title="t")  # other numbers: another chart
    assert other is not first and len(calls) == 2
    assert memo.shared(False, build, counts, ["0", "1"], title="t") is not first  # a training run: never shared
    assert len(calls) == 3
    assert memo.shared(True, build, counts, ["0", "1"], title="t", height=200) is not first
    assert len(calls) == 4


def test_the_language_is_part_of_the_key():
    counts = np.array([[5, 1], [2, 7]])
    with use_language("en"):
        en = memo.shared(True, charts.matrix_heatmap, counts)
    with use_language("ko"):
        ko = memo.shared(True, charts.matrix_heatmap, counts)
    assert en is not ko
    assert en.to_dict()["layer"][0]["title"] != ko.to_dict()["layer"][0]["title"]  # "Confusion matrix", translated


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    build, calls = counting(charts.matrix_heatmap)
    first = memo.shared(True, build, np.eye(2, dtype=int))
    for i in range(3):
        memo.shared(True, build, np.eye(2, dtype=int) * (i + 2))
    assert memo.shared(True, build, np.eye(2, dtype=int)) is not first  # pushed out, built again
    assert len(calls) == 5
    assert memo.converted(first, False, lambda: {"spec": 1}) is None  # no longer a shared chart


def test_converted_is_done_once_per_variant_and_only_for_shared_charts():
    chart = memo.shared(True, charts.matrix_heatmap, np.eye(3, dtype=int))
    done = []

    def convert(tag):
        done.append(tag)
        return {"tag": tag}

    assert memo.converted(chart, False, lambda: convert("plain")) == {"tag": "plain"}
    assert memo.converted(chart, False, lambda: convert("again")) == {"tag": "plain"}
    assert memo.converted(chart, True, lambda: convert("lecture")) == {"tag": "lecture"}
    assert done == ["plain", "lecture"]
    unshared = charts.matrix_heatmap(np.eye(3, dtype=int))
    assert memo.converted(unshared, False, lambda: convert("x")) is None
    assert done == ["plain", "lecture"]
