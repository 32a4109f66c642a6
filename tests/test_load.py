"""ui.load: the process-wide count of training sessions and the tick budget it sets."""

import time

import pytest

from ui import load


@pytest.fixture(autouse=True)
def empty_registry():
    load._last_tick.clear()
    yield
    load._last_tick.clear()


def test_sessions_are_counted_once_and_pruned_after_the_window():
    assert load.note_tick("a", now=100.0) == 1
    assert load.note_tick("b", now=100.5) == 2
    assert load.note_tick("a", now=101.0) == 2  # the same session again
    assert load.training_sessions(now=101.0) == 2
    # b stops ticking (tab closed): it drops out once the window has passed
    later = 100.5 + load.ACTIVE_WINDOW + 0.1
    assert load.training_sessions(now=later) == 1
    assert load.note_tick("c", now=later) == 2  # pruned: "b" is gone from the registry itself
    assert set(load._last_tick) == {"a", "c"}


def test_forget_stops_counting_a_paused_session():
    load.note_tick("a", now=1.0)
    load.note_tick("b", now=1.0)
    load.forget("a")
    load.forget("never-seen")
    assert load.training_sessions(now=1.0) == 1


def test_budget_is_the_base_up_to_one_session_per_core_then_shared():
    assert load.tick_budget(0.35, sessions=1, n_cores=2) == 0.35
    assert load.tick_budget(0.35, sessions=2, n_cores=2) == 0.35
    assert load.tick_budget(0.35, sessions=7, n_cores=2) == pytest.approx(0.1)
    # all sessions' budgets together stay at the cores' worth of the base
    for n in (3, 10):
        assert n * load.tick_budget(0.35, sessions=n, n_cores=2) == pytest.approx(0.7)
    assert load.tick_budget(0.35, sessions=1000, n_cores=2) == load.MIN_BUDGET
    assert load.tick_budget(0.01, sessions=1000, n_cores=2) == 0.01  # never above the base
    with pytest.raises(ValueError, match="base_seconds"):
        load.tick_budget(-1.0)


def test_saturation_notice_names_the_count_from_four_sessions_per_core():
    assert load.saturation_notice(sessions=7, n_cores=2) is None
    text = load.saturation_notice(sessions=34, n_cores=2)
    assert "34 people are training on this server" in text and "slower" in text


def test_cores_reads_a_cgroup_quota(tmp_path):
    quota = tmp_path / "cpu.max"
    quota.write_text("150000 100000\n")  # 1.5 CPUs -> 1
    assert load.cores(str(quota)) == 1
    quota.write_text("max 100000\n")
    assert load.cores(str(quota)) >= 1
    assert load.cores(str(tmp_path / "missing")) >= 1


def test_collector_thread_is_started_once():
    load.collect_now_and_then()
    first = load._collector
    load.collect_now_and_then()
    assert load._collector is first and first.is_alive() and first.daemon


def test_collect_frees_cycles():
    import gc
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the cyclic collector frees it
    ref = weakref.ref(a)
    gc.disable()
    try:
        del a, b
        assert ref() is not None
        load.collect()
        assert ref() is None
    finally:
        gc.enable()


def test_collect_hands_back_arrows_and_glibcs_free_memory_after_the_collection(monkeypatch):
    import gc

    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("gc") or 0)
    monkeypatch.setattr(load.heap, "release_arrow", lambda: calls.append("arrow") or True)
    monkeypatch.setattr(load.heap, "release", lambda: calls.append("release") or 1)
    monkeypatch.setattr(load.heap, "trim", lambda: calls.append("trim") or True)
    load.collect()  # nobody trains: the arenas' tops too
    load.note_tick("a")
    load.collect()  # a session trains: Arrow's pool every time, glibc's free pages only
    assert calls == ["gc", "arrow", "release", "gc", "arrow", "trim"]


def test_closed_sessions_past_their_reconnect_time_are_dropped_without_another_disconnect(monkeypatch):
    """Streamlit's TTLCache of disconnected sessions forgets expired ones only when written to: the
    collector expires them itself, so a quiet server gets its memory back."""
    from types import SimpleNamespace

    from streamlit.runtime import Runtime
    from streamlit.runtime.memory_session_storage import MemorySessionStorage

    storage = MemorySessionStorage(ttl_seconds=0.05)
    storage._cache["closed-tab"] = object()
    fake = SimpleNamespace(_session_mgr=SimpleNamespace(_session_storage=storage))
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: fake))
    assert load.expire_closed_sessions() == 0  # still within its reconnect time
    time.sleep(0.1)
    assert len(storage._cache._data) == 1  # expired, yet still held: nothing wrote to the cache
    assert load.expire_closed_sessions() == 1
    assert len(storage._cache._data) == 0


def test_configure_process_sets_one_blas_thread_and_few_arenas_then_returns_at_once(monkeypatch):
    import threadpoolctl

    calls, arenas = [], []
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", lambda n: calls.append(n))
    monkeypatch.setattr(load.heap, "limit_arenas", lambda n: arenas.append(n) or True)
    monkeypatch.setattr(load, "collect_now_and_then", lambda: None)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(load, "_modules_seen", 0)
    load.configure_process()
    assert calls == [1] and arenas == [load.MALLOC_ARENAS]
    load.configure_process()  # nothing imported since: no second threadpoolctl scan (~2.5 ms a run)
    assert calls == [1]
    monkeypatch.setattr(load, "_modules_seen", load._modules_seen - 1)  # a page imported a module (SciPy's BLAS)
    load.configure_process()
    assert calls == [1, 1] and arenas == [load.MALLOC_ARENAS]  # BLAS limited again; arenas set once only


def test_an_operators_malloc_arena_max_wins(monkeypatch):
    import threadpoolctl

    arenas = []
    monkeypatch.setattr(threadpoolctl, "threadpool_limits", lambda n: None)
    monkeypatch.setattr(load.heap, "limit_arenas", lambda n: arenas.append(n) or True)
    monkeypatch.setattr(load, "collect_now_and_then", lambda: None)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    monkeypatch.setattr(load, "_modules_seen", 0)
    load.configure_process()
    assert arenas == []


def test_malloc_arenas_can_be_limited_here():
    assert load.heap.limit_arenas(load.MALLOC_ARENAS) is True  # glibc (Debian, the Docker image)


def test_crowding_is_sessions_per_core_and_at_least_one():
    assert load.crowding(sessions=1, n_cores=2) == 1.0  # a lone visitor: redraws at the normal pace
    assert load.crowding(sessions=2, n_cores=2) == 1.0
    assert load.crowding(sessions=30, n_cores=2) == 15.0  # ui.live caps the slowdown (MAX_CROWD_SLOWDOWN)
    assert load.crowding(sessions=0, n_cores=1) == 1.0


def test_at_most_one_session_per_core_trains_at_a_time(monkeypatch):
    import threading

    monkeypatch.setattr(load, "_slots", None)
    monkeypatch.setattr(load, "cores", lambda: 2)
    inside, most, lock = [0], [0], threading.Lock()

    def session():
        with load.training_slot() as granted:
            assert granted
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=session) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most[0] == 2 and inside[0] == 0  # every session trained, never more than two at once


def test_a_click_ends_the_wait_for_a_slot(monkeypatch):
    monkeypatch.setattr(load, "_slots", None)
    monkeypatch.setattr(load, "cores", lambda: 1)
    asked = []
    with load.training_slot() as held:  # another session trains
        assert held
        start = time.monotonic()
        with load.training_slot(lambda: asked.append(1) or len(asked) >= 2, poll=0.01) as granted:
            assert granted is False  # Pause was clicked: no training, served at once
        assert time.monotonic() - start < 1.0 and len(asked) == 2
    with load.training_slot() as granted:  # the slot came back
        assert granted


def test_slots_are_handed_out_in_arrival_order():
    import threading

    slots = load.TrainingSlots(1)
    assert slots.acquire(lambda: False, 0.01)
    order, started = [], []

    def session(name):
        started.append(name)
        assert slots.acquire(lambda: False, 0.01)
        order.append(name)
        slots.release()

    threads = []
    for name in "abcd":
        threads.append(threading.Thread(target=session, args=(name,)))
        threads[-1].start()
        while name not in started or len(slots._queue) < len(threads):  # queued before the next arrives
            time.sleep(0.005)
    slots.release()
    for t in threads:
        t.join(10)
    assert order == list("abcd") and slots.busy == 0
    # the session that just trained asks again at once: it queues behind those already waiting
    assert slots.acquire(lambda: False, 0.01)
    waiting = threading.Thread(target=session, args=("e",))
    waiting.start()
    while len(slots._queue) < 1:
        time.sleep(0.005)
    slots.release()
    again = []
    assert slots.acquire(lambda: again.append(1) or False, 0.01)
    assert order[-1] == "e"  # it got the slot back only after "e" had its turn
    waiting.join(10)
    slots.release()
