"""The 2-D playground's own data: a CSV the user uploads, read and checked here (no Streamlit).

Everything stays in the session: the bytes are read into a data frame in memory, never
written anywhere, and never put in a share link. Each problem raises ``DataError`` with a
plain message for the page to show (``kind`` names the problem, for tests):

- ``too_big``: over ``MAX_BYTES``;  ``not_csv``: binary content, or no table pandas can read;
- ``encoding``: neither UTF-8 (with or without BOM) nor cp949 / EUC-KR (what Korean Excel writes);
- ``no_numeric``: fewer than two numeric columns to use as features;
- ``missing``: empty cells in the chosen columns (the page offers to drop those rows);
- ``text_target``: a text target for regression;  ``too_many_classes``: more than ``MAX_CLASSES`` labels;
- ``one_class``: a single label;  ``too_few``: fewer than ``MIN_ROWS`` usable rows.

More than ``MAX_ROWS`` rows are sampled down (with the seed) and a note says so.

Encodings are tried in order: ``utf-8-sig`` (UTF-8, BOM or not), then ``cp949`` (a superset
of EUC-KR). That is all the brief asks and never guesses wrong on Korean text, where a
detector such as charset-normalizer can mistake short cp949 text for another code page.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nnlib.data import MAX_CLASSES

from ..i18n import _

MAX_BYTES = 5 * 2**20  # 5 MB: far more than 5,000 rows of a few columns
MAX_ROWS = 5000  # more rows are sampled down: training and redraws stay interactive
MIN_ROWS = 10
ENCODINGS = ("utf-8-sig", "cp949")
_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=])")


class DataError(ValueError):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class OwnData:
    """Features x (n, 2) float64, target y (n,) int labels or float numbers, and what to show."""

    x: np.ndarray
    y: np.ndarray
    classes: list[str] = field(default_factory=list)  # label names for a classification target
    notes: list[str] = field(default_factory=list)
    columns: tuple[str, str, str] = ("", "", "")
    scaling: tuple | None = None  # (mean, std) of the features when standardised


def plain(text: object, limit: int = 40) -> str:
    """User data as safe Markdown text: one line, cut to ``limit`` characters, every Markdown
    or Streamlit directive character escaped (a column called ``:red[x]`` shows as typed)."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[:limit - 1] + "…"
    return _PUNCT.sub(r"\\\1", s)


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding that read it (UTF-8 with or without BOM, else cp949)."""
    if b"\x00" in raw[:4096]:
        raise DataError("not_csv", _("This file is not a CSV text file (it holds binary data, as a spreadsheet "
                                     "or an image does). In Excel, use Save As → CSV."))
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DataError("encoding", _("Could not read the text of this file: it is neither UTF-8 nor cp949/EUC-KR "
                                  "(Korean Excel). Save it again as 'CSV UTF-8'."))


def read_csv(raw: bytes) -> tuple[pd.DataFrame, str]:
    """The uploaded bytes as a data frame (pandas parses; the delimiter is sniffed among , ; tab)."""
    if len(raw) > MAX_BYTES:
        raise DataError("too_big", _("This file is {size:.1f} MB; the limit is {limit} MB.",
                                     size=len(raw) / 2**20, limit=MAX_BYTES // 2**20))
    if not raw.strip():
        raise DataError("not_csv", _("This file is empty."))
    text, encoding = decode(raw)
    try:
        sep = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise DataError("not_csv", _("This file could not be read as a CSV table ({why}).",
                                     why=plain(err, 80))) from None
    if df.shape[1] < 2 or df.empty:
        raise DataError("not_csv", _("This file does not look like a CSV table: it needs a header row and "
                                     "at least two columns separated by commas."))
    df.columns = [str(c) for c in df.columns]
    return df, encoding


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns that hold numbers (empty cells allowed)."""
    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]


def check_features(df: pd.DataFrame) -> list[str]:
    cols = numeric_columns(df)
    if len(cols) < 2:
        raise DataError("no_numeric", _("This table has {n} numeric column(s); the playground needs two numeric "
                                        "feature columns (numbers such as 1.5, without units or thousands "
                                        "separators).", n=len(cols)))
    return cols


def prepare(df: pd.DataFrame, f1: str, f2: str, target: str, problem: str, *, standardise: bool = False,
            drop_missing: bool = False, seed: int = 0) -> OwnData:
    """The chosen columns as training data. ``problem`` is "classification" (the target's distinct
    values become classes 0…k-1 in sorted order) or "regression" (the target must be numbers)."""
    if len({f1, f2}) < 2:
        raise DataError("same_column", _("Choose two different feature columns."))
    notes = []
    part = df[[f1, f2, target]] if target not in (f1, f2) else df[[f1, f2]].assign(**{"__target": df[target]})
    part.columns = ["f1", "f2", "t"]
    missing = part.isna().any(axis=1)
    if missing.any():
        if not drop_missing:
            raise DataError("missing", _("{n} of {total} rows have empty cells in the chosen columns.",
                                         n=int(missing.sum()), total=len(part)))
        part = part[~missing]
        notes.append(_("Dropped {n} rows with empty cells.", n=int(missing.sum())))
    if len(part) < MIN_ROWS:
        raise DataError("too_few", _("Only {n} usable rows; the playground needs at least {min}.",
                                     n=len(part), min=MIN_ROWS))
    if len(part) > MAX_ROWS:
        notes.append(_("The file has {n} rows; a random sample of {max} is used (the same sample for the same "
                       "seed), so that training stays interactive.", n=len(part), max=MAX_ROWS))
        part = part.sample(MAX_ROWS, random_state=seed)
    x = part[["f1", "f2"]].to_numpy(np.float64)
    scaling = None
    if standardise:
        mean, std = x.mean(axis=0), x.std(axis=0)
        std = np.where(std < 1e-12, 1.0, std)
        x = (x - mean) / std
        scaling = (mean, std)
    t = part["t"]
    if problem == "regression":
        if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t):
            raise DataError("text_target", _("The target column holds text (such as {example}); regression needs "
                                             "numbers. Choose a numeric target, or switch to classification.",
                                             example=plain(t.astype(str).iloc[0], 20)))
        return OwnData(x, t.to_numpy(np.float64), [], notes, (f1, f2, target), scaling)
    labels = sorted(t.astype(str).unique()) if not pd.api.types.is_numeric_dtype(t) else sorted(t.unique())
    if len(labels) > MAX_CLASSES:
        raise DataError("too_many_classes", _("The target column has {n} different values; classification "
                                              "takes at most {max} classes. Is it a number to predict? Then "
                                              "choose regression.", n=len(labels), max=MAX_CLASSES))
    if len(labels) < 2:
        raise DataError("one_class", _("The target column has a single value; classification needs at "
                                       "least two classes."))
    index = {v: i for i, v in enumerate(labels)}
    keys = t.astype(str) if not pd.api.types.is_numeric_dtype(t) else t
    y = keys.map(index).to_numpy(np.int64)
    return OwnData(x, y, [_label(v) for v in labels], notes, (f1, f2, target), scaling)


def _label(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
