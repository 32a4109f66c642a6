"""ui.safe_text and the link notices: a value from a URL or a file is shown as inert text.

Property-based (hypothesis) over random link values and random upload bytes: no exception,
no unescaped Markdown, a bounded notice. "Unescaped Markdown" is checked structurally: in
CommonMark a backslash before ASCII punctuation makes it a literal character, so a text in
which every ASCII punctuation character is escaped (and no newline or control character
is left) renders as exactly its characters — no link, emphasis, code, HTML, maths, heading.
"""

from __future__ import annotations

import io
import re
import string
import unicodedata

import hostile_npz as h
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import nnlib
from ui import live
from ui.params import MAX_NOTICES, ignored_notice, notice_text, repeated_notice
from ui.run import TrainingRun
from ui.safe_text import JOINER, LIMIT, cut, plain

PUNCT = re.escape(string.punctuation)
INERT = re.compile(rf"(?:\\[{PUNCT}]|[^{PUNCT}\x00-\x1f\x7f])*")  # escaped punctuation, or no punctuation
FILL = INERT.pattern
IGNORED = re.compile(rf"“({FILL})=({FILL})” in the link was ignored \(({FILL})\); using the default, ({FILL})\.")
REPEATED = re.compile(rf"“({FILL})” appears more than once in the link; the last value, “({FILL})”, is used\.")
ATTACK = "[Session expired: log in](https://evil.example/login)"


def unescape(markdown: str) -> str:
    """What a reader sees: escapes resolved, the invisible word joiners gone."""
    return re.sub(rf"\\([{PUNCT}])", r"\1", markdown).replace(JOINER, "")


def unescape_only(markdown: str) -> str:
    """The text GitHub-flavoured Markdown searches for bare URLs and emoji: escapes resolved,
    the joiners still there."""
    return re.sub(rf"\\([{PUNCT}])", r"\1", markdown)


def inert(markdown: str) -> bool:
    return INERT.fullmatch(markdown) is not None


link_values = st.text(st.characters(codec="utf-8"), max_size=6000) | st.sampled_from([
    ATTACK, "<script>alert(1)</script>", "![x](https://evil.example/a.png)", "**bold** _it_ `code`",
    "$\\frac{1}{0}$", ":red[alarm] :material/warning: :smile:", "https://evil.example www.evil.example",
    "line\n# Heading\n- item\n| a | b |", "&lt;b&gt; &#91;x&#93;", "\u202eevil\u200b", "a" * 5000,
])


@settings(max_examples=300, deadline=None)
@given(link_values)
def test_plain_is_inert_cut_short_and_reads_as_the_value(value):
    out = plain(value)
    assert inert(out), out
    assert not re.search(r"(?i)https?:/|www\.|:[\w-]+:|@\w", unescape_only(out))  # autolink/emoji patterns
    assert len(cut(value)) <= LIMIT + 1
    assert unescape(out) == cut(value)  # nothing but the (cut) value itself is shown
    if len(value) <= LIMIT and not any(unicodedata.category(c)[0] == "C" for c in value):
        assert unescape(out) == value  # a short printable value is shown whole


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=50), link_values, st.text(max_size=300)), min_size=1, max_size=40))
def test_link_notices_keep_link_values_inert_and_bounded(bad):
    notices = []
    for name, raw, why in bad:
        notices += [ignored_notice(name, raw, why, 0.5), repeated_notice(name, raw)]
    text = notice_text(notices)
    assert len(text) <= MAX_NOTICES * 1000 + 200  # however long or many the link values
    lines = text.split("  \n")
    assert len(lines) == min(len(notices), MAX_NOTICES) + (len(notices) > MAX_NOTICES)
    for line in lines[:MAX_NOTICES]:  # the template's own Markdown, each filler inert
        assert IGNORED.fullmatch(line) or REPEATED.fullmatch(line), line


def test_the_crafted_link_of_the_issue_renders_no_link():
    notice = ignored_notice("logits", ATTACK, "not a number", "2.0, 1.0, 0.1")
    assert "](" not in notice and "\\[Session expired\\:" + JOINER + " log in\\]\\(https\\:" + JOINER in notice
    assert unescape(notice).startswith(f"“logits={ATTACK}”")
    long = ignored_notice("lr", "9" * 5000, "outside 0…1", 0.1)
    assert len(long) < 250 and "…" in long


def test_many_bad_parameters_are_counted_not_all_listed():
    text = notice_text([f"notice {i}" for i in range(50)])
    assert text.count("notice") == MAX_NOTICES and text.endswith("…and 46 more link values were ignored.")
    assert notice_text(["a", "b"]) == "a  \nb"


# -- uploads: random bytes through nnlib.load and the upload path of the training pages -----------

def _Run(model):  # noqa: N802 - reads as the class it builds
    return TrainingRun(signature=(), model=model, loss=nnlib.CrossEntropy(), optimizer=nnlib.SGD(model, 0.1),
                       x=np.zeros((2, 4)), y=np.array([0, 1]))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000) | st.builds(lambda b, i, x: _flip(b, i, x), st.just(h.saved(h.small_model())),
                                            st.integers(0, 10**6), st.binary(min_size=1, max_size=8)))
def test_random_upload_bytes_are_refused_with_a_plain_bounded_message(data):
    try:
        nnlib.load(io.BytesIO(data))
    except ValueError:
        pass  # the only exception a bad file may raise
    ok, message = live.load_into("mlp", _Run(h.small_model()), data, "x](https://evil.example) " + "n" * 300)
    assert "](" not in message and len(message) < 1500
    name_part = message.split("x\\]\\(https")[0]
    assert "evil" not in name_part


def _flip(data: bytes, at: int, junk: bytes) -> bytes:
    """``data`` with ``junk`` written over it at ``at`` (mod its length): a damaged download."""
    at %= len(data)
    return data[:at] + junk + data[at + len(junk):]


def test_load_into_escapes_the_file_name_and_cuts_it():
    ok, message = live.load_into("mlp", _Run(h.small_model()), b"not a zip", "[Session expired](https://evil.x)" * 50)
    assert not ok and "](" not in message and len(message) < 600
    np.testing.assert_equal(len(plain("x" * 1000)), LIMIT + 1)
