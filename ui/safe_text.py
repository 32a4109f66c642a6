"""Show a value that came from outside (a share link, an uploaded file's name or content, an
error message quoting them) as plain text inside Streamlit's Markdown.

Streamlit has no escaping helper, and ``st.warning``/``st.error``/``st.success``/``st.caption``
render Markdown: a link value such as ``[Session expired: log in](https://evil.example)`` would
become a clickable link inside the app's own warning box. ``plain`` makes such a value inert:

- control and format characters (newlines, tabs, bidi overrides, zero-width joiners) become a
  space, so a value cannot start a new Markdown block (a heading, a list, a table row);
- it is cut to ``limit`` characters (an ellipsis marks the cut), so a 5,000-character link
  value cannot fill the page;
- every ASCII punctuation character is backslash-escaped (CommonMark allows an escape before
  any of them, and it then stands for itself): no link, emphasis, code span, HTML tag,
  entity, ``$`` maths, ``:color[...]`` directive or ``:material/icon:`` can form;
- an invisible WORD JOINER (U+2060) follows every ``:`` and ``@`` and sits between ``www`` and
  its dot: GitHub-flavoured Markdown finds bare URLs (``https://…``, ``www.…``) and e-mail
  addresses in the text *after* escapes are resolved (a real browser showed
  ``https\\:\\/\\/evil.example`` as a link), and emoji shortcodes (``:smile:``) the same
  way; the joiner breaks those patterns without changing what a reader sees.

Use it at the place where the value is put into a message, not earlier: the message's own
Markdown (bold, line breaks) keeps working.
"""

from __future__ import annotations

import re
import string
import unicodedata

LIMIT = 80  # characters of an outside value shown in a message
JOINER = "\u2060"  # WORD JOINER: invisible, breaks autolink and emoji patterns
_ESCAPE = {ord(c): "\\" + c for c in string.punctuation}
_ESCAPE[ord(":")] = "\\:" + JOINER
_ESCAPE[ord("@")] = "\\@" + JOINER
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)


def cut(value: object, limit: int = LIMIT) -> str:
    """``str(value)`` on one line (control/format characters as spaces), at most ``limit``
    characters plus an ellipsis. Not escaped: for widgets that show text as is (``st.text``,
    a chart label)."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(value)[:limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def plain(value: object, limit: int = LIMIT) -> str:
    """``value`` as inert Markdown text: one line, at most ``limit`` characters (+ "…"), every
    ASCII punctuation character backslash-escaped, a word joiner after ``:``, ``@`` and ``www``
    (before a dot). See the module docstring."""
    return _WWW.sub(r"\1" + JOINER, cut(value, limit)).translate(_ESCAPE)
