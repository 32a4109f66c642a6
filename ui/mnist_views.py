"""Pictures and tables of the MNIST lesson: plain functions (arrays or data frames in,
images, data frames or ``alt.Chart`` out), no Streamlit, so tests call them directly."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from . import charts
from .i18n import N_, _
from .mnist_setup import POST_TEST_ACCURACY, POST_TEST_CE, POST_TRAIN_LOSSES

DIGITS = [str(d) for d in range(10)]
# diverging colours for weights: negative blue, zero white, positive red (ColorBrewer RdBu ends)
_NEG, _ZERO, _POS = (33, 102, 172), (247, 247, 247), (178, 24, 43)
_PAD = (120, 120, 120)
ROLES = {"guess": N_("guess"), "wrong guess": N_("wrong guess"), "true digit": N_("true digit"), "other": N_("other")}


# -- images -----------------------------------------------------------------------------------
def _diverging(v: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] -> RGB uint8 (blue - white - red)."""
    stops = np.array([-1.0, 0.0, 1.0])
    rgb = [np.interp(v, stops, [_NEG[c], _ZERO[c], _POS[c]]) for c in range(3)]
    return np.stack(rgb, axis=-1).round().astype(np.uint8)


def weight_mosaic(W: np.ndarray, max_units: int = 100, upscale: int = 3, pad: int = 1) -> np.ndarray:
    """First-layer weights ``W`` (784, units) -> one RGB image: a 28×28 tile per hidden unit
    (the first ``max_units``) in a near-square grid. Each tile is scaled by its own largest
    |weight|: red pixels push the unit up when inked, blue ones push it down."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != 784:
        raise ValueError(f"W must have shape (784, units), got {W.shape}")
    units = min(W.shape[1], max_units)
    cols = math.ceil(math.sqrt(units))
    rows = math.ceil(units / cols)
    tiles = W[:, :units].T.reshape(units, 28, 28)
    peak = np.abs(tiles).max(axis=(1, 2), keepdims=True)
    tiles = tiles / np.where(peak > 0, peak, 1.0)
    cell = 28 + pad
    img = np.empty((rows * cell + pad, cols * cell + pad, 3), np.uint8)
    img[:] = _PAD
    colored = _diverging(tiles)
    for i in range(units):
        r, c = divmod(i, cols)
        img[pad + r * cell: pad + r * cell + 28, pad + c * cell: pad + c * cell + 28] = colored[i]
    return np.repeat(np.repeat(img, upscale, axis=0), upscale, axis=1)


def digit_image(pixels: np.ndarray, upscale: int = 6) -> np.ndarray:
    """A 28×28 digit (uint8 0..255 or float 0..1) -> a crisp, upscaled uint8 gray image
    (white ink on black, as MNIST stores it)."""
    a = np.asarray(pixels)
    if a.size != 784:
        raise ValueError(f"a digit has 784 pixels, got shape {a.shape}")
    a = a.reshape(28, 28)
    if a.dtype != np.uint8:
        a = (np.clip(a, 0.0, 1.0) * 255).round().astype(np.uint8)
    return np.repeat(np.repeat(a, upscale, axis=0), upscale, axis=1)


# -- predictions ------------------------------------------------------------------------------
def probability_frame(probs: np.ndarray, true: int | None = None) -> pd.DataFrame:
    """One row per digit: its probability and its role (the guess, the true digit, other)."""
    probs = np.asarray(probs, dtype=np.float64).reshape(-1)
    guess = int(np.argmax(probs))
    role = ["other"] * len(probs)
    if true is not None:
        role[int(true)] = "true digit"
    role[guess] = "guess" if true is None or guess == true else "wrong guess"
    return pd.DataFrame({"digit": DIGITS[:len(probs)], "probability": probs, "role": role})


def probability_chart(probs: np.ndarray, true: int | None = None, title: str = "",
                      height: int = 160) -> alt.Chart:
    """Bars of the ten probabilities; the guess green (red when wrong), the true digit blue."""
    df = probability_frame(probs, true)
    df["shown"] = df["role"].map(lambda r: _(ROLES[r]))  # the tooltip's words; the colours follow the key
    colors = alt.Scale(domain=["guess", "wrong guess", "true digit", "other"],
                       range=["#2ca02c", "#d62728", "#1f77b4", "#c7c7c7"])
    base = alt.Chart(df, title=title, height=height).encode(
        x=alt.X("digit:N", sort=DIGITS, title=None, axis=alt.Axis(labelAngle=0)),
        color=alt.Color("role:N", scale=colors, legend=None),
        tooltip=[alt.Tooltip("digit:N", title=_("digit")),
                 alt.Tooltip("probability:Q", title=_("probability"), format=".4f"),
                 alt.Tooltip("shown:N", title=_("role"))],
    )
    bars = base.mark_bar().encode(y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), title=None))
    # a confident mistake leaves the true digit's bar at ~0: a marker keeps it visible
    marker = base.transform_filter(alt.datum.role == "true digit").transform_calculate(floor="0.08").mark_point(
        shape="triangle-up", filled=True, size=70, opacity=1).encode(y=alt.Y("floor:Q", title=None))
    return alt.layer(bars, marker).properties(width="container")


def misclassified(probs: np.ndarray, labels: np.ndarray, k: int = 12) -> np.ndarray:
    """Indices of up to ``k`` wrongly classified rows, the most confident mistakes first."""
    probs, labels = np.asarray(probs), np.asarray(labels).reshape(-1)
    guess = probs.argmax(axis=1)
    wrong = np.flatnonzero(guess != labels)
    confidence = probs[wrong, guess[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def per_class_frame(labels: np.ndarray, guesses: np.ndarray) -> pd.DataFrame:
    """Per digit: test images, how many were right, accuracy and error rate (%)."""
    labels, guesses = np.asarray(labels).reshape(-1), np.asarray(guesses).reshape(-1)
    count = np.bincount(labels, minlength=10)
    right = np.bincount(labels[labels == guesses], minlength=10)
    acc = np.divide(right, count, out=np.zeros(10), where=count > 0)
    return pd.DataFrame({"digit": DIGITS, "images": count, "correct": right, "accuracy": acc,
                         "error %": 100 * (1 - acc)})


def per_class_chart(df: pd.DataFrame, height: int = 260) -> alt.Chart:
    """Error rate per digit (bars from zero, value written on each bar): which digits are hard."""
    title = alt.Title(_("Errors per digit"), subtitle=_("% of that digit's test images"))
    base = alt.Chart(df, title=title, height=height).encode(
        x=alt.X("digit:N", sort=DIGITS, title=_("digit"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("error %:Q", title=_("error %")),
        tooltip=[alt.Tooltip("digit:N", title=_("digit")), alt.Tooltip("images:Q", title=_("images")),
                 alt.Tooltip("correct:Q", title=_("correct")),
                 alt.Tooltip("accuracy:Q", title=_("accuracy"), format=".4f")],
    )
    bars = base.mark_bar(color="#d62728")
    text = base.mark_text(dy=-8).encode(text=alt.Text("error %:Q", format=".1f"))
    return (bars + text).properties(width="container")


def confusion_chart(labels: np.ndarray, guesses: np.ndarray, mistakes_only: bool = False,
                    height: int = 380, select: str | None = None) -> alt.Chart:
    """The 10×10 confusion matrix heatmap; ``mistakes_only`` blanks the diagonal so the
    colour scale shows which digits get confused."""
    from nnlib import confusion_matrix

    counts = confusion_matrix(labels, guesses, n_classes=10)
    if mistakes_only:
        counts = counts.copy()
        np.fill_diagonal(counts, 0)
    title = _("Test-set mistakes (diagonal hidden)") if mistakes_only else _("Test-set confusion matrix")
    return charts.matrix_heatmap(counts, DIGITS, title=title, x_title=_("predicted digit"),
                                 y_title=_("true digit"), height=height, select=select)


def selected_cell(selection: dict | None, name: str = "cell") -> tuple[int, int] | None:
    """(true digit, predicted digit) of the clicked confusion-matrix cell in a Streamlit chart
    selection state (``{"cell": [{"true": "4", "predicted": "9"}]}``), or None."""
    points = (selection or {}).get(name) or []
    if not points:
        return None
    try:
        return int(points[0]["true"]), int(points[0]["predicted"])
    except (KeyError, TypeError, ValueError):
        return None


def cell_indices(labels: np.ndarray, guesses: np.ndarray, true: int, predicted: int, k: int = 24) -> np.ndarray:
    """Indices of (up to ``k`` of) the test images with label ``true`` that were classified as
    ``predicted`` — the images behind one confusion-matrix cell, in test-set order."""
    labels, guesses = np.asarray(labels).reshape(-1), np.asarray(guesses).reshape(-1)
    return np.flatnonzero((labels == true) & (guesses == predicted))[:k]


# -- training, versus the post ----------------------------------------------------------------
def epoch_seconds(history: list[dict]) -> float | None:
    """How long the last epoch took (records hold cumulative training seconds)."""
    if not history:
        return None
    before = history[-2]["seconds"] if len(history) > 1 else 0.0
    return history[-1]["seconds"] - before


def _own_loss(row: dict) -> tuple[float, str]:
    if row.get("train_loss") is not None:
        return row["train_loss"], "full pass"
    return row["loss"], "batch mean"


def post_comparison(history: list[dict]) -> pd.DataFrame:
    """The post's printed numbers next to this run's: train loss per epoch (up to 20) and,
    once 20 epochs are done, the test cross-entropy and accuracy."""
    rows = []
    for row in history[:len(POST_TRAIN_LOSSES)]:
        ours, kind = _own_loss(row)
        post = POST_TRAIN_LOSSES[row["epoch"] - 1]
        quantity = (_("epoch {n} train loss", n=row["epoch"]) if kind == "full pass"
                    else _("epoch {n} train loss (batch mean)", n=row["epoch"]))
        rows.append((quantity, post, ours))
    if len(history) >= len(POST_TRAIN_LOSSES):
        final = history[len(POST_TRAIN_LOSSES) - 1]
        rows.append((_("epoch {n} test cross-entropy", n=20), POST_TEST_CE, final.get("val_loss")))
        rows.append((_("epoch {n} test accuracy", n=20), POST_TEST_ACCURACY, final.get("val_accuracy")))
    df = pd.DataFrame(rows, columns=["quantity", "post", "this run"])
    df["difference"] = df["this run"] - df["post"]
    return df


def difference_text(d: float | None) -> str:
    """A this-run-minus-post difference as table text: "0" when they are equal (never "-0.0000000000"),
    else two significant digits in scientific notation with the sign ("+3.1e-16"); "—" when missing."""
    if d is None or d != d:
        return "—"
    return "0" if d == 0 else f"{d:+.1e}"


def post_loss_frame(history: list[dict]) -> pd.DataFrame:
    """Long form (epoch, series, value, run) of the post's printed train loss and this run's,
    for ``charts.curves_chart``."""
    post = pd.DataFrame({"epoch": range(1, len(POST_TRAIN_LOSSES) + 1), "value": POST_TRAIN_LOSSES,
                         "series": _("train loss, printed"), "run": _("the post")})
    if not history:
        return post
    own = [_own_loss(r) for r in history]
    ours = pd.DataFrame({"epoch": [r["epoch"] for r in history], "value": [v for v, _ in own],
                         "series": _("train loss (full pass)") if own[-1][1] == "full pass"
                         else _("train loss (batch mean)"), "run": charts.current_run()})
    return pd.concat([post, ours], ignore_index=True)
