"""Many sessions on one server: how many are training right now, and what that means for each.

One process serves every visitor (Streamlit Community Cloud, or one replica behind nginx). Each
session trains in short ticks (``ui.live``); when a whole class presses Play at once, the ticks of
all sessions share the same cores. This module keeps the only process-wide record the app has
about its visitors: *when each session last trained* (session id → time, nothing else), pruned
after ``ACTIVE_WINDOW`` seconds. From it:

- ``training_sessions()``: how many sessions are training now;
- ``tick_budget(base)``: a session's training time per tick, shrunk so that all sessions together
  ask for at most ``cores()`` (every page stays responsive and the server keeps room for clicks
  and first renders); with the server to itself a session gets ``base``;
- ``saturation_notice()``: a plain sentence for the page when the server is crowded;
- ``training_slot()``: admission control — at most ``cores()`` sessions train at the same moment, the
  others wait their turn (a click ends the wait), so the cores do training, not thread switching;
- ``crowding()``: sessions per core, by which ``ui.live`` spaces out its redraws.

Memory: ``.streamlit/config.toml`` turns off Streamlit's ``gc.collect(2)`` after every script run
(``runner.postScriptGC``). With every 0.1 s training tick a script run, those full collections held
the GIL ~35 % of the wall time at 20 sessions (py-spy). ``collect_now_and_then()`` runs one full
collection every ``COLLECT_EVERY`` seconds instead, from a daemon thread (then ``ui.heap.release``),
so that the models of closed sessions are freed and their memory returned on a quiet server. Streamlit
itself drops a closed session only after ``server.disconnectedSessionTTL`` (120 s, so that a phone that
slept can reconnect to its model), and lazily: at the next disconnection of any session.

No Streamlit import at module level: the functions are plain and testable; only ``note_tick``
reads the current session's id.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import math
import os
import sys
import threading
import time
from collections.abc import Callable

from . import heap
from .i18n import _

ACTIVE_WINDOW = 5.0  # s: a session that trained within this window counts as training
SATURATED_PER_CORE = 4  # sessions per core from which epochs are clearly slower: say so on the page
MIN_BUDGET = 0.05  # s: never below this per slice (a slice's own overhead is a few ms)
SLOT_POLL = 0.05  # s between two looks for a click while a session waits for a training slot
COLLECT_EVERY = 20.0  # s between full garbage collections (instead of one per script run)

_lock = threading.Lock()
_last_tick: dict[str, float] = {}  # session id -> time.monotonic() of its last training tick
_collector: threading.Thread | None = None


def cores(cpu_max: str = "/sys/fs/cgroup/cpu.max") -> int:
    """The CPUs this process may use: its affinity, lowered by a cgroup v2 CPU quota (containers,
    Community Cloud). At least 1."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    try:
        quota, period = open(cpu_max).read().split()[:2]
        if quota != "max":
            n = min(n, max(1, math.floor(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, n)


def note_tick(session_id: str, now: float | None = None) -> int:
    """Record that ``session_id`` trains now; returns the number of sessions training (itself included)."""
    now = time.monotonic() if now is None else now
    with _lock:
        _last_tick[session_id] = now
        for sid in [s for s, t in _last_tick.items() if now - t > ACTIVE_WINDOW]:
            del _last_tick[sid]
        return len(_last_tick)


def forget(session_id: str) -> None:
    """The session stopped training (Pause, finished): stop counting it at once."""
    with _lock:
        _last_tick.pop(session_id, None)


def training_sessions(now: float | None = None) -> int:
    """Sessions that trained within the last ``ACTIVE_WINDOW`` seconds."""
    now = time.monotonic() if now is None else now
    with _lock:
        return sum(1 for t in _last_tick.values() if now - t <= ACTIVE_WINDOW)


def tick_budget(base_seconds: float, sessions: int | None = None, n_cores: int | None = None) -> float:
    """Seconds of training for one tick of one session.

    ``base_seconds`` while the sessions training are no more than the cores; beyond that,
    ``base_seconds · cores / sessions`` (at least ``MIN_BUDGET``): the sessions' ticks together then
    take about as long as one tick alone, so a Pause waits no longer and the total stays within the
    cores. ``sessions`` defaults to ``training_sessions()``, ``n_cores`` to ``cores()``.

    Raises ValueError for a negative ``base_seconds``."""
    if not base_seconds >= 0:
        raise ValueError(f"base_seconds must be >= 0, got {base_seconds!r}")
    sessions = training_sessions() if sessions is None else sessions
    n_cores = cores() if n_cores is None else n_cores
    if sessions <= n_cores:
        return base_seconds
    return max(min(MIN_BUDGET, base_seconds), base_seconds * n_cores / sessions)


def crowding(sessions: int | None = None, n_cores: int | None = None) -> float:
    """How many sessions train per core right now, at least 1: ``ui.live`` redraws each page's curves and
    pictures that many times less often, so that a crowded server spends its cores on training rather than
    on drawing (at 30 sessions on 2 cores, redrawing the curves took more of the server than training)."""
    sessions = training_sessions() if sessions is None else sessions
    n_cores = cores() if n_cores is None else n_cores
    return max(1.0, sessions / n_cores)


class TrainingSlots:
    """``n`` slots handed out first come, first served (a semaphore wakes an arbitrary waiter, and a session
    that releases its slot and asks again at once got it back before the others woke: at 30 sessions some
    trained 5 epochs in 30 s and others none)."""

    def __init__(self, n: int):
        self.n, self.busy = n, 0
        self._queue: collections.deque = collections.deque()
        self._cv = threading.Condition()

    def acquire(self, give_up: Callable[[], bool], poll: float) -> bool:
        """Wait for a slot in arrival order; False (no slot) as soon as ``give_up()`` is true."""
        ticket = object()
        with self._cv:
            self._queue.append(ticket)
            try:
                while not (self.busy < self.n and self._queue[0] is ticket):
                    if give_up():
                        return False
                    self._cv.wait(poll)
                self.busy += 1
                return True
            finally:
                self._queue.remove(ticket)
                self._cv.notify_all()  # the next in the queue may go (or see that it moved up)

    def release(self) -> None:
        with self._cv:
            self.busy -= 1
            self._cv.notify_all()


_slots: TrainingSlots | None = None


@contextlib.contextmanager
def training_slot(give_up: Callable[[], bool] = lambda: False, poll: float = SLOT_POLL):
    """Admission control: at most ``cores()`` sessions train at the same moment; the others wait here for
    a slot, first come first served, asking ``give_up()`` every ``poll`` seconds so that a click (Pause, a
    slider) is served at once instead of after the wait. Yields True with a slot held (released on leaving
    the block), False when ``give_up()`` said so first.

    Why: with 30 sessions training at once, 30 threads took turns on the GIL between NumPy calls and each
    kept an OpenBLAS buffer touched; the server did ~1 core of work on 2 cores. A few at a time, each batch
    runs at full speed, and the waiting sessions cost nothing."""
    global _slots
    if _slots is None:
        with _lock:
            if _slots is None:
                _slots = TrainingSlots(cores())
    slots = _slots
    if not slots.acquire(give_up, poll):
        yield False
        return
    try:
        yield True
    finally:
        slots.release()


def saturated(sessions: int | None = None, n_cores: int | None = None) -> bool:
    """True when each training session gets less than a quarter of a core."""
    sessions = training_sessions() if sessions is None else sessions
    n_cores = cores() if n_cores is None else n_cores
    return sessions >= SATURATED_PER_CORE * n_cores


def saturation_notice(sessions: int | None = None, n_cores: int | None = None) -> str | None:
    """The sentence a training page shows when the server is crowded, else None."""
    sessions = training_sessions() if sessions is None else sessions
    if not saturated(sessions, n_cores):
        return None
    return _("{count} people are training on this server right now; epochs will be slower. "
             "Pause when you are reading, to leave the cores to the others.", count=sessions)


def current_session_id() -> str | None:
    """The id of the Streamlit session running this script, None outside a Streamlit run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def budget_for_this_tick(base_seconds: float) -> float:
    """The hook for ``ui.live``: count this session as training and return its tick budget."""
    sid = current_session_id()
    n = note_tick(sid) if sid is not None else training_sessions()
    collect_now_and_then()
    return tick_budget(base_seconds, n)


def collect_now_and_then() -> None:
    """Start (once per process) a daemon thread that runs a full garbage collection every
    ``COLLECT_EVERY`` seconds."""
    global _collector
    if _collector is not None and _collector.is_alive():
        return
    with _lock:
        if _collector is None or not _collector.is_alive():
            _collector = threading.Thread(target=_collect_forever, name="nnlib-gc", daemon=True)
            _collector.start()


def _collect_forever() -> None:
    while True:
        time.sleep(COLLECT_EVERY)
        collect()


def collect() -> None:
    """Drop the closed sessions whose reconnect time (``server.disconnectedSessionTTL``) has passed,
    run one full garbage collection, then hand the freed heap back to the OS (``ui.heap.release``;
    a no-op without glibc; and Arrow's allocator's, ``ui.heap.release_arrow``): without it the memory of
    closed sessions stays in the process's heap."""
    expire_closed_sessions()
    gc.collect()
    heap.release_arrow()  # ~1 ms: the pages of Arrow's (mimalloc's) heaps left by ended script runs
    if training_sessions() == 0:  # quiet: also the free tops of the arenas (a few ms)
        heap.release()
    else:
        heap.trim()


def expire_closed_sessions() -> int:
    """Remove the expired entries of Streamlit's store of disconnected sessions; returns how many.

    Streamlit keeps a closed tab's session (its model, optimizer, history, pins) for
    ``server.disconnectedSessionTTL`` seconds so that a phone that slept can reconnect to it, in a
    ``cachetools.TTLCache`` that drops expired entries only when it is next written to, i.e. when some
    other session disconnects. On a server that has gone quiet after a lecture nothing disconnects any
    more, and the memory never came back. A Streamlit internal: if a release renames it, nothing happens."""
    try:
        from streamlit.runtime import Runtime

        cache = Runtime.instance()._session_mgr._session_storage._cache
        held = getattr(cache, "_data", cache)  # len(cache) already leaves out the expired entries
        before = len(held)
        cache.expire()
        return before - len(held)
    except Exception:  # noqa: BLE001 - no runtime (AppTest, bare mode) or another Streamlit layout
        return 0


_modules_seen = 0  # len(sys.modules) when configure_process last set the BLAS threads

MALLOC_ARENAS = 1  # glibc's default is 8 per core: one per script thread, each keeping freed memory


def configure_process() -> None:
    """Once per server process (the entry script calls it on every run; it returns at once unless
    modules were imported since the last call):

    - one BLAS thread (``threadpoolctl``), for every BLAS library loaded so far (scikit-learn's SciPy
      brings its own OpenBLAS, loaded when a page first needs it): the lessons' matrices are small, and a
      second BLAS thread only fights Streamlit and the other visitors for the cores (full-batch training
      was up to 10x slower on a busy box). ``threadpool_limits`` costs ~2.5 ms; it ran on every script run;
    - at most ``MALLOC_ARENAS`` glibc malloc arenas. Every script run is a new thread, and glibc gives
      threads arenas of their own (up to 8 per core), each holding on to the memory its sessions freed.
      Arenas that exist already stay (Streamlit's own threads have made some by the first script run), so
      this only limits the ones that come next (``MALLOC_ARENA_MAX=1`` at the server's start, as the
      Dockerfile sets it, limits them all). The free memory those arenas keep is handed back by
      ``ui.heap.release`` after every collection;
    - the collector thread (``collect_now_and_then``)."""
    global _modules_seen
    if len(sys.modules) == _modules_seen:
        return
    with _lock:
        first = _modules_seen == 0
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
        if first and not os.environ.get("MALLOC_ARENA_MAX"):  # an operator's own setting wins
            heap.limit_arenas(MALLOC_ARENAS)
        _modules_seen = len(sys.modules)
    collect_now_and_then()


def show_saturation_notice() -> None:
    """On a training page: one line saying the server is crowded, when it is."""
    text = saturation_notice()
    if text:
        import streamlit as st

        st.caption(f":material/groups: {text}")
