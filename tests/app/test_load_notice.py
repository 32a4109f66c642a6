"""A crowded server says so on the training pages (ui.load), and a lone visitor sees nothing of it."""

import time

import apptools
import pytest

from ui import load


@pytest.fixture(autouse=True)
def empty_registry():
    load._last_tick.clear()
    yield
    load._last_tick.clear()


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_a_crowded_server_shows_how_many_are_training():
    at = apptools.open_page("pages/single_neuron.py")
    others = load.SATURATED_PER_CORE * load.cores()  # enough other sessions, all training right now
    for i in range(others):
        load.note_tick(f"other-{i}", now=time.monotonic())
    at.button(key="neuron_play").click().run()
    assert not at.exception
    assert f"{others + 1} people are training on this server right now" in captions(at)


def test_a_lone_visitor_sees_no_notice_and_is_counted_while_training():
    at = apptools.open_page("pages/single_neuron.py")
    at.button(key="neuron_play").click().run()
    assert not at.exception
    assert "people are training" not in captions(at)
    assert load.training_sessions() == 1  # this session's tick was counted
