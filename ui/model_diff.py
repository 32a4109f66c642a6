"""What differs between a model file's architecture and the page's model, in words.

``differences(file_config, page_config)`` compares two ``Sequential.config()`` lists (the
file's is read by ``nnlib.io.read_config`` before any weight) and names each difference:
layer sizes, activations, precision, biases. "holds a 784-100-200-10 network, but this page
is set to a 784-100-200-10 network" told nothing when only the precision differed.

Values from the file are shown through ``ui.safe_text.plain``: a crafted file cannot put
Markdown into the message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .i18n import _
from .safe_text import plain


@dataclass(frozen=True)
class Difference:
    kind: str  # "sizes", "activations", "precision", "biases" or "layers"
    text: str  # translated, Markdown-safe
    file: str = ""
    page: str = ""


def _dense(config: list[dict]) -> list[dict]:
    return [c for c in config if c.get("type") == "Dense"]


def sizes(config: list[dict]) -> str:
    dense = _dense(config)
    return "-".join(str(v) for v in [dense[0]["in_features"]] + [d["out_features"] for d in dense]) if dense else ""


def activations(config: list[dict]) -> str:
    names = []
    for c in config:
        if c.get("type") == "Dense":
            continue
        names.append(f"LeakyReLU(α={c.get('alpha', 0.01):g})" if c.get("type") == "LeakyReLU" else str(c.get("type")))
    return ", ".join(names) or _("none")


def precision(config: list[dict]) -> str:
    kinds = sorted({np.dtype(c.get("dtype", "float64")).name for c in _dense(config)})
    return " + ".join(kinds)


def biases(config: list[dict]) -> str:
    has = {bool(c.get("bias", True)) for c in _dense(config)}
    if has == {True}:
        return _("with biases")
    return _("without biases") if has == {False} else _("some layers with biases")


def differences(file_config: list[dict], page_config: list[dict]) -> list[Difference]:
    """Each way the file's model differs from the page's (empty when they are the same)."""
    found = []
    for kind, describe, label in (
        ("sizes", sizes, _("layer sizes")),
        ("activations", activations, _("activations")),
        ("precision", precision, _("precision")),
        ("biases", biases, _("biases")),
    ):
        theirs, ours = describe(file_config), describe(page_config)
        if theirs != ours:
            found.append(Difference(kind, _("{what}: {file} in the file, {page} on this page", what=label,
                                            file=plain(theirs), page=plain(ours)), theirs, ours))
    if not found and file_config != page_config:  # e.g. the same layers in another order
        found.append(Difference("layers", _("the layers differ in their order or settings")))
    return found


def only_precision(found: list[Difference]) -> bool:
    """True when the precision is the only difference: the weights convert safely (float32 ↔ float64)."""
    return bool(found) and all(d.kind == "precision" for d in found)
