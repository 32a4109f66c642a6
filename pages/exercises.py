"""Your turn — exercises: write the pieces (a derivative, a backward pass, an optimizer step) and
get graded at once by nnlib.exercises. The page is thin: see ui/exercises/."""

import streamlit as st

from nnlib.exercises import EXERCISES
from ui import common, lessons
from ui.exercises import panel, policy
from ui.i18n import _
from ui.params import PageParams

PAGE = "ex"


@st.cache_resource(show_spinner=False)
def server_setup() -> None:
    """Read the Cloud's secrets into the environment (NNLIB_HOSTED, NNLIB_EXERCISES_RUN_CODE)."""
    st.secrets.load_if_toml_exists()


server_setup()
p = PageParams(PAGE)
common.page_start()
st.title(_("Your turn: exercises"))
run_code = policy.run_code_allowed()
common.explain(_("Write the pieces yourself — a derivative, a backward pass, an optimizer step — and press "
                 "**Check**. The grader runs your code on random shapes (a batch of one, odd sizes, float32 and "
                 "float64), compares it with nnlib and with central differences, and tells you which output is "
                 "wrong, where, and the classic mistake it looks like.") if run_code else
               _("Write the pieces yourself — a derivative, a backward pass, an optimizer step — in the "
                 "exercise's notebook, and run its Check cell: the grader runs your code on random shapes, "
                 "compares it with nnlib and with central differences, and tells you which output is wrong, "
                 "where, and the classic mistake it looks like."), title=_("How it works"))
names = list(EXERCISES)


def label(name: str) -> str:
    mark = "✓ " if panel.progress().get(name, {}).get("passed") else ""
    return _("{mark}{number} · {title}", mark=mark, number=panel.number(name), title=_(EXERCISES[name].title))


name = p.select(_("Exercise"), "ex", names, names[0], format_func=label)  # in the page: phones hide the sidebar
done = panel.solved()
st.progress(done / len(names), text=_("{done} of {total} solved", done=done, total=len(names)))

panel.show(EXERCISES[name], run_code)
lessons.next_link(__file__)
p.sync_url()
