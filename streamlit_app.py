"""nnlib lessons — the app's entry point: `streamlit run streamlit_app.py`.

Lists the lesson pages in course order (only those that exist) and runs the chosen page
inside a guard that turns errors into plain messages. Each page draws the shared sidebar
itself (``ui.common.page_start``).

``streamlit run`` first imports this file, finds ``app`` (Streamlit's ``st.App``: its server with the
middleware of ``ui.server``) and serves it; each session's runs then execute the file as the app's script
(``__name__ == "__main__"``)."""

import streamlit as st

if __name__ != "__main__":  # imported by `streamlit run` (or uvicorn) for the server
    from ui import server

    app = st.App(__file__, middleware=server.MIDDLEWARE)
else:
    from ui import common, lessons, load
    from ui.i18n import _

    load.configure_process()  # once per server process: one BLAS thread, fewer malloc arenas, the collector
    common.resolve_language()  # the titles below are in the session's language
    st.set_page_config(page_title=_("nnlib lessons"), page_icon=":material/neurology:", layout="wide")

    pages = [st.Page(f, title=_(t), icon=i, default=(f == "pages/home.py"))
             for f, t, i, _blurb in lessons.available()]
    nav = st.navigation(pages)

    common.guarded(nav.run)
