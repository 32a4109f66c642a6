"""Points added by clicking on the plane (``streamlit-drawable-canvas`` in point mode).

The canvas is a square of ``SIZE`` pixels showing the data box; each click adds a Fabric.js
circle whose fill is the chosen class's colour. These plain functions turn the canvas's JSON
into data points and draw the background picture (the current points, axes) with Pillow."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from .views import CLASS_COLORS

SIZE = 320  # canvas pixels (fits a 390-px phone)
RADIUS = 4  # the canvas's point_display_radius
STROKE = 1


def to_canvas(x: np.ndarray, box) -> np.ndarray:
    """Data coordinates (n, 2) → canvas pixels (x right, y down)."""
    (x0, x1), (y0, y1) = box
    px = (x[:, 0] - x0) / (x1 - x0) * SIZE
    py = (y1 - x[:, 1]) / (y1 - y0) * SIZE
    return np.c_[px, py]


def from_canvas(p: np.ndarray, box) -> np.ndarray:
    (x0, x1), (y0, y1) = box
    return np.c_[x0 + p[:, 0] / SIZE * (x1 - x0), y1 - p[:, 1] / SIZE * (y1 - y0)]


def points_from_json(json_data: dict | None, box, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The clicked points (x (n, 2) in data units, class labels (n,)) from the canvas JSON.

    The point tool puts a circle's left edge at click − (radius + stroke/2), vertically centred
    (``originY="center"``); its fill colour is the class colour. Other objects, colours of
    classes not in use and points outside the canvas are ignored."""
    colours = {c.lower(): i for i, c in enumerate(CLASS_COLORS[:n_classes])}
    pts, labels = [], []
    for obj in (json_data or {}).get("objects", []) if isinstance(json_data, dict) else []:
        if not isinstance(obj, dict) or obj.get("type", "").lower() != "circle":
            continue
        label = colours.get(str(obj.get("fill", "")).lower())
        try:
            r = float(obj.get("radius", RADIUS)) * float(obj.get("scaleX", 1))
            cx = float(obj["left"]) + r + float(obj.get("strokeWidth", STROKE)) / 2
            cy = float(obj["top"])
        except (KeyError, TypeError, ValueError):
            continue
        if label is None or not (0 <= cx <= SIZE and 0 <= cy <= SIZE):
            continue
        pts.append((cx, cy))
        labels.append(label)
    if not pts:
        return np.zeros((0, 2)), np.zeros(0, np.int64)
    return from_canvas(np.array(pts, dtype=np.float64), box), np.array(labels, np.int64)


def background(x: np.ndarray, y: np.ndarray | None, box, n_classes: int) -> bytes:
    """A PNG of the plane: light axes through 0 and the current points (faint, in class colours
    for labels; grey for regression targets), for the canvas background."""
    img = Image.new("RGB", (SIZE, SIZE), "#fafafa")
    draw = ImageDraw.Draw(img)
    zero = to_canvas(np.zeros((1, 2)), box)[0]
    draw.line([(zero[0], 0), (zero[0], SIZE)], fill="#d0d0d0")
    draw.line([(0, zero[1]), (SIZE, zero[1])], fill="#d0d0d0")
    if len(x):
        px = to_canvas(x, box)
        for i, (u, v) in enumerate(px):
            colour = CLASS_COLORS[int(y[i]) % len(CLASS_COLORS)] if y is not None and n_classes else "#9e9e9e"
            draw.ellipse([u - 2, v - 2, u + 2, v + 2], fill=_faint(colour))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _faint(hex_colour: str, amount: float = 0.55) -> tuple[int, int, int]:
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return tuple(int(v) for v in rgb + (255 - rgb) * amount)
