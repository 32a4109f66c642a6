"""Helpers shared by the AppTest files: open a page as a share link would, read metrics,
read a chart's spec and data."""

import re
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_page(page_file: str | None = None, query: dict | None = None) -> AppTest:
    """Run the app, then switch to ``page_file`` with ``query`` in the URL, as if a link
    pointed at that page (the first run reads the app-wide parameters: seed, lecture)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page_file:
        at.switch_page(page_file)
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.run()
    assert not at.exception, at.exception
    return at


def shown(markdown: str) -> str:
    """What Markdown text with backslash escapes reads as: values from a link or a file are
    escaped in the page's messages (``ui.safe_text.plain``)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")  # escapes, invisible word joiners


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def epoch(at: AppTest) -> int:
    """Epochs done, from the "Epoch" metric ("k / N")."""
    return int(metric(at, "Epoch").split("/")[0])


def chart_frames(chart) -> list:
    """A chart's data sets (Streamlit sends them as Arrow tables) as data frames."""
    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]


def chart_text(chart) -> str:
    """A chart's Vega-Lite spec plus its data sets as text."""
    return chart.proto.spec + " ".join(f.to_csv() for f in chart_frames(chart))
