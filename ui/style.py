"""The app's CSS, in one place: what each page sends for its mode and language (``ui.common.page_start``) and
what the server adds to Streamlit's page itself, so that it applies from the first paint (``ui.server``).

Plain strings, no Streamlit import: the server imports this module before any session exists."""

from __future__ import annotations

# Always: metric values shrink with the window instead of being cut to "1 / …" on a small laptop.
# Always, too: the experiment starts near the top of the screen (Streamlit leaves 6rem above the title),
# so Play, the metrics and the loss chart share one 1280×800 projector screen.
TOP_CSS = """
  [data-testid="stMainBlockContainer"] { padding-top: 2.75rem; }
  /* a phone shows Streamlit's header bar (≈ 64 px, the sidebar button) over the page: start below it */
  @media (max-width: 640px) { [data-testid="stMainBlockContainer"] { padding-top: 4.5rem; } }
  [data-testid="stMain"] h1 { padding-top: 0.25rem; padding-bottom: 0.5rem; }
  [class*="_presets"] button { min-height: 2.1rem; padding: 0.1rem 0.7rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.75rem !important; }
  [class*="_preset_text"] [data-testid="stAlertContainer"] { padding: 0.4rem 0.8rem; }
  [data-testid="stMain"] [class*="_preset_text"] p { font-size: 0.95rem; }
"""
# Always: a widget or chart whose frontend code is still loading (Streamlit loads each element type's code on
# its first use in a page load) shows a grey placeholder, for 0.1-0.7 s on a first visit to a local server.
# A flash of grey boxes that vanish at once is noise in front of a room; the placeholder only helps where
# the wait is long (a phone on a slow network). So it stays transparent for its first second, then fades in:
# the usual "delay the skeleton" rule. The placeholders' own pulse animation is replaced, not hidden.
PLACEHOLDER_CSS = """
  [data-testid="stSkeleton"], [data-testid="stSkeletonElement"] {
    animation: nnlib-late-placeholder 0.3s ease-in 1s both !important; }
  @keyframes nnlib-late-placeholder { from { opacity: 0; } to { opacity: 1; } }
"""
BASE_CSS = """
<style>
  [data-testid="stMain"] [data-testid="stMetricValue"] { font-size: clamp(1.35rem, 2.3vw, 2.25rem); }
""" + TOP_CSS + """
</style>
"""

LECTURE_CSS = """
<style>
  [data-testid="stMain"] .stMarkdown p, [data-testid="stMain"] .stMarkdown li { font-size: 1.3rem; }
  [data-testid="stMain"] h1 { font-size: 2.3rem !important; }
  [data-testid="stMain"] [data-testid="stProgress"] p { font-size: 1.15rem; }
  [data-testid="stMain"] h2 { font-size: 2.3rem !important; }
  [data-testid="stMain"] .stButton button p { font-size: clamp(0.95rem, 1.2vw, 1.15rem); white-space: normal;
                                              overflow-wrap: normal; word-break: normal; }
  [class*="_presets"] [data-testid="stSelectbox"] input { font-size: clamp(0.95rem, 1.2vw, 1.15rem); }
  [data-testid="stMetricValue"] { font-size: clamp(1.5rem, 2.3vw, 2.8rem); }
  [data-testid="stMetricLabel"] p { font-size: clamp(1rem, 1.2vw, 1.25rem); }
  [data-testid="stSidebar"] [data-testid="stCaptionContainer"] { display: none; }
  [data-testid="stMain"] .katex { font-size: 1.45em; }
""" + TOP_CSS + """
</style>
"""

# Korean breaks lines between words (at spaces), not inside them: "합\n니다" is hard to read, most of all
# on a projector. Long tokens (code, numbers) may still wrap anywhere rather than overflow.
KOREAN_CSS = """
<style>
  [data-testid="stMain"] :is(p, li, td, th, h1, h2, h3, h4, label, summary),
  [data-testid="stSidebar"] :is(p, li, h1, h2, h3, label),
  [data-testid="stMain"] .stButton button p { word-break: keep-all; overflow-wrap: anywhere; }
</style>
"""

# Sent with the page itself (ui.server), before any element: the rules that hold in every mode and language.
# PLACEHOLDER_CSS is only here: the page's own copy (BASE_CSS, LECTURE_CSS) arrives too late to matter for it.
# Streamlit's own styles are added to the head after it and would win a tie, so the layout rules are nested
# in ``:root`` (one more pseudo-class: they win at once instead of when the page's copy arrives).
# A browser without CSS nesting skips them and gets them from that copy (BASE_CSS, LECTURE_CSS).
HEAD_CSS = "<style>\n:root {" + TOP_CSS + "}" + PLACEHOLDER_CSS + "</style>"
