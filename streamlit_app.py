"""nnlib lessons — the app's entry point: `streamlit run streamlit_app.py`.

Lists the lesson pages in course order (only those that exist) and runs the chosen page
inside a guard that turns errors into plain messages. Each page draws the shared sidebar
itself (``ui.common.page_start``)."""

import streamlit as st

from ui import common, lessons, load
from ui.i18n import _

load.configure_process()  # once per server process: one BLAS thread, fewer malloc arenas, the collector
common.resolve_language()  # the titles below are in the session's language
st.set_page_config(page_title=_("nnlib lessons"), page_icon=":material/neurology:", layout="wide")

pages = [st.Page(f, title=_(t), icon=i, default=(f == "pages/home.py")) for f, t, i, _blurb in lessons.available()]
nav = st.navigation(pages)

common.guarded(nav.run)
