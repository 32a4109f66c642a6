"""Two languages: the catalogs are complete and in step with the code, and the app switches language
without losing anything."""

import re
import sys
from pathlib import Path

import pytest

from ui import i18n
from ui.i18n import _, use_language

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n as catalog_tool  # noqa: E402  scripts/i18n.py

sys.path.insert(0, str(ROOT / "tests" / "app"))
import apptools  # noqa: E402

HANGUL = re.compile("[\uac00-\ud7a3]")


def test_catalogs_are_complete_and_up_to_date():
    """The CI check: every message of the code has a Korean translation with the same placeholders."""
    assert catalog_tool.problems("ko") == []


def test_placeholder_check_catches_a_changed_placeholder():
    assert catalog_tool.placeholders("Epoch {epoch} of {total}") == ["{epoch}", "{total}"]
    assert catalog_tool.placeholders("{epoch} / {totl}") != catalog_tool.placeholders("Epoch {epoch} of {total}")
    assert catalog_tool.placeholders("%s rows, %(n)d cols") == ["%(n)d", "%s"]


def test_translation_function_translates_and_fills_placeholders():
    assert _("Lecture mode") == "Lecture mode"
    with use_language("ko"):
        assert _("Lecture mode") == "강의 모드"
        assert _("a message the catalog does not have {x}", x=3) == "a message the catalog does not have 3"
    assert i18n.current_language() == "en"


@pytest.mark.parametrize("raw, code", [("ko", "ko"), ("ko-KR", "ko"), ("KO_kr", "ko"), ("en-US", "en"),
                                       ("fr", None), ("", None), (None, None), (3, None)])
def test_language_codes_are_normalised(raw, code):
    assert i18n.normalise(raw) == code


def test_link_chooses_korean_and_share_links_keep_it():
    at = apptools.open_page(None, {"lang": "ko"})
    assert at.toggle(key="app.lecture").label == "강의 모드"
    assert at.radio(key="app.lang").value == "ko"
    assert dict(at.query_params).get("lang") == "ko"


def test_switching_language_mid_run_keeps_the_model_and_its_epochs():
    at = apptools.open_page("pages/single_neuron.py")
    at.button(key="neuron_step").click().run()
    at.button(key="neuron_step").click().run()
    run = at.session_state["run:neuron"]
    weights = run.model.params()["0.W"].copy() if "0.W" in run.model.params() else None
    assert run.epochs_done == 2
    at.radio(key="app.lang").set_value("ko").run()
    assert not at.exception
    after = at.session_state["run:neuron"]
    assert after is run and after.epochs_done == 2
    if weights is not None:
        assert (after.model.params()["0.W"] == weights).all()
    assert at.toggle(key="app.lecture").label == "강의 모드"
    at.radio(key="app.lang").set_value("en").run()
    assert at.session_state["run:neuron"].epochs_done == 2
