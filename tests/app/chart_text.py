"""Does a chart's text fit its chart? An estimate from the Vega-Lite spec alone.

Text width ≈ characters × font size × an average glyph width (0.5 em for Streamlit's sans-serif,
0.55 em bold; 1 em a Hangul character), checked against the width the chart gets at 1280 px: the main column is
``MAIN_WIDTH`` px wide with the sidebar open; ``st.columns`` split it by their weights, minus a
1-rem gap. Font sizes are Streamlit's chart theme (title 16 px bold, legend labels 14 px) or, in
lecture mode, ``ui.charts.lecture_style``'s (read from the spec's ``config``).
"""

from __future__ import annotations

import json

MAIN_WIDTH = 790  # px of the main column at a 1280-px window with the sidebar open (measured in Chromium)
GAP = 16  # px between st.columns
EM, EM_BOLD = 0.5, 0.55  # measured in Chromium: Source Sans ~0.36-0.45 em a Latin character (0.5: digits, capitals)
SYMBOL = 30  # a legend entry's symbol and padding, px
TITLE_PX, SUBTITLE_PX, LEGEND_PX = 16, 13, 14  # Streamlit's chart theme
COLOR_CHANNELS = ("color", "fill", "stroke", "shape", "strokeDash", "opacity", "size")


def with_datasets(proto) -> dict:
    """An AppTest chart element's Vega-Lite spec with its data put back: Streamlit sends a chart's datasets
    apart from the spec (Arrow bytes in ``proto.datasets``), and legend labels are in that data."""
    import pyarrow as pa

    spec = json.loads(proto.spec)
    spec["datasets"] = {**spec.get("datasets", {}), **{
        d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in proto.datasets}}
    return spec


def width_px(text: str, size: float, bold: bool = False) -> float:
    """A Latin character ``EM`` (bold ``EM_BOLD``) of the font size, a Hangul or other wide one 1 em."""
    return sum(size if ord(c) >= 0x1100 else size * (EM_BOLD if bold else EM) for c in str(text))


def _title_texts(title) -> list[tuple[str, bool]]:
    """[(text, is_title)] of a title: a string, a list of lines, or {"text", "subtitle"}."""
    if not title:
        return []
    if isinstance(title, str):
        return [(title, True)]
    if isinstance(title, list):
        return [(t, True) for t in title]
    out = []
    for key, is_title in (("text", True), ("subtitle", False)):
        value = title.get(key)
        for line in [value] if isinstance(value, str) else value or []:
            out.append((line, is_title))
    return out


def _parts(spec: dict):
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from _parts(child)
    if "spec" in spec:
        yield from _parts(spec["spec"])


def _values(spec: dict, part: dict, field: str) -> list:
    data = part.get("data") or spec.get("data") or {}
    rows = spec.get("datasets", {}).get(data.get("name"), [])
    return list(dict.fromkeys(str(r[field]) for r in rows if field in r and r[field] is not None))


def problems(spec: dict | str, width: float) -> list[str]:
    """What does not fit in a chart ``width`` px wide: its title, subtitle and legend labels."""
    if not isinstance(spec, dict):
        spec = json.loads(spec)
    config = spec.get("config", {})
    title_px = config.get("title", {}).get("fontSize", TITLE_PX)
    subtitle_px = config.get("title", {}).get("subtitleFontSize", SUBTITLE_PX)
    legend_px = config.get("legend", {}).get("labelFontSize", LEGEND_PX)
    out = []
    for part in _parts(spec):
        for text, is_title in _title_texts(part.get("title")):
            need = width_px(text, title_px, bold=True) if is_title else width_px(text, subtitle_px)
            if need > width:
                out.append(f"title {text!r} needs ~{need:.0f} px, the chart is {width:.0f} px wide")
        for channel in COLOR_CHANNELS:
            enc = part.get("encoding", {}).get(channel)
            if not isinstance(enc, dict) or "field" not in enc or enc.get("legend", {}) is None:
                continue
            if enc.get("type") in ("quantitative", "temporal"):  # a gradient legend: a few tick labels
                continue
            legend = enc.get("legend") or {}
            domain = (enc.get("scale") or {}).get("domain")
            labels = [str(v) for v in domain] if isinstance(domain, list) else _values(spec, part, enc["field"])
            widths = [width_px(label, legend_px) + SYMBOL for label in labels]
            if not widths:
                continue
            orient = legend.get("orient", "right")
            limit = legend.get("labelLimit", 160)
            for label, w in zip(labels, widths, strict=True):
                if limit and w - SYMBOL > limit:
                    out.append(f"legend label {label!r} (~{w - SYMBOL:.0f} px) is cut at labelLimit {limit}")
            if orient in ("left", "right"):
                room, need = 0.45 * width, max(widths)
            elif orient in ("top", "bottom"):
                columns = legend.get("columns")
                room = width
                need = max(widths) if columns == 1 else sum(widths[:columns] if columns else widths)
            else:  # inside the plot, in a corner
                room, need = 0.6 * width, max(widths)
            if need > room:
                out.append(f"{channel} legend ({orient}) needs ~{need:.0f} px of {room:.0f} px: {labels}")
    return out
