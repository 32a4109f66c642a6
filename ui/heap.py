"""Giving freed memory back to the operating system (glibc's malloc), so that a server's memory comes
back after a class has left (issue 17). Everywhere else (macOS, musl) the glibc functions here are no-ops;
``release_arrow`` (Arrow's own allocator) works everywhere.

Why it is needed. Every Streamlit script run is a new thread, and glibc serves threads from several
*arenas* (up to 8 per core), each a heap of its own. What a session frees goes back to its arena, not
to the system. ``malloc_trim(0)`` returns the free pages *inside* every arena, but not the free space at
the *top* of a thread's arena: glibc gives that back only when a large block is freed in that arena
and the top has grown past ``M_TRIM_THRESHOLD``, which rises with use to 64 MB. After a class of 30,
seven arenas each kept up to tens of MB of free top resident, 11–17 % above the memory before the
class (``benchmarks/class_load.py``).

``release()`` does what glibc would do if the threshold were low, for every arena, once: it lowers the
threshold for a moment, starts one short thread per arena (a new thread is given an idle arena first),
and in each frees a block in that arena, which makes glibc trim that arena's top. Then it raises the
threshold again, to ``TRIM_THRESHOLD``; setting it stops glibc adjusting its thresholds, so both stay fixed
from then on (``MMAP_THRESHOLD`` says at what, and why). Lowering the threshold for good would trim at every
freed batch while training (measured: 20–36 % slower epochs). ``ui.load`` calls it every 20 s while nobody
is training.

Source for the behaviour: glibc ``malloc/malloc.c`` (``mtrim``, ``_int_free``, ``heap_trim``) and
``mallopt(3)``.

Arrow's allocator, too. Streamlit turns every chart's and table's data into Arrow bytes, and pyarrow's
wheels allocate those from their own allocator, mimalloc, not from glibc. mimalloc gives every thread a heap;
when a script-run thread ends, its heap is *abandoned* and its freed pages stay mapped until some thread
reclaims them. After a class of 30 that was 10–31 MB (of the 19–42 MB still above the baseline once the
sessions were released; ``benchmarks/smaps_diff.py``). ``release_arrow()`` hands most of them back (-1 to +13 MB
left); ``ui.load``'s collector calls it every 20 s.
"""

from __future__ import annotations

import ctypes
import re
import sys
import threading

M_TRIM_THRESHOLD = -1  # mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
LOW_TRIM_THRESHOLD = 128 << 10  # bytes: glibc's default, in force only while release() runs
PROBE_BYTES = 256 << 10  # a block freed in each arena; above 64 KB, glibc checks its arena's top then
EXTRA_THREADS = 4  # more threads than arenas, so that the round robin among busy arenas reaches them all
# Setting the trim threshold fixes glibc's two thresholds for good (they otherwise grow as freed mappings
# show larger blocks). Fixed at what glibc itself had reached in the middle of a class of 30 on the MNIST
# page (probed: 7–9 MB; twice that for trimming, its own ratio). Fixed at 4 or 32 MB instead, 30 sessions
# trained 15–25 % slower (benchmarks/class_load.py).
MMAP_THRESHOLD = 8 << 20  # bytes
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # bytes

_lock = threading.Lock()


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt, libc.malloc_info  # noqa: B018 - glibc only
    except (OSError, AttributeError):
        return None
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.open_memstream.restype = ctypes.c_void_p
    libc.fclose.argtypes = [ctypes.c_void_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    return libc


_LIBC = _libc()


def available() -> bool:
    """True under glibc (Linux, the Docker image, Community Cloud)."""
    return _LIBC is not None


def limit_arenas(n: int) -> bool:
    """``mallopt(M_ARENA_MAX, n)``: arenas made from now on are at most ``n`` (those that exist stay).
    False where there is no glibc, or it refuses."""
    return _LIBC is not None and bool(_LIBC.mallopt(M_ARENA_MAX, n))


def arena_count() -> int:
    """How many malloc arenas the process has (``malloc_info``'s ``<heap>`` entries); 0 without glibc."""
    if _LIBC is None:
        return 0
    buf, size = ctypes.c_char_p(), ctypes.c_size_t()
    stream = _LIBC.open_memstream(ctypes.byref(buf), ctypes.byref(size))
    if not stream:
        return 0
    _LIBC.malloc_info(0, stream)
    _LIBC.fclose(stream)
    try:
        return len(re.findall(rb'<heap nr="', ctypes.string_at(buf, size.value)))
    finally:
        _LIBC.free(ctypes.cast(buf, ctypes.c_void_p))


def trim() -> bool:
    """``malloc_trim(0)``: the free pages inside every arena go back to the system (not their tops)."""
    return _LIBC is not None and bool(_LIBC.malloc_trim(0))


def release() -> int:
    """Give the process's free heap memory back to the system: the free top of every arena, then the
    free pages inside them (``malloc_trim``). Returns the number of probe threads used (0: no glibc).

    glibc adjusts its mmap and trim thresholds as the program runs (a freed mapping raises them); setting
    the trim threshold, as this does, fixes both for good, at ``MMAP_THRESHOLD`` and ``TRIM_THRESHOLD``.
    Takes a few milliseconds; safe while other threads allocate, but meant for a quiet server."""
    if _LIBC is None:
        return 0
    with _lock:
        n = arena_count() + EXTRA_THREADS
        _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        _LIBC.mallopt(M_TRIM_THRESHOLD, LOW_TRIM_THRESHOLD)
        try:
            barrier = threading.Barrier(n, timeout=5)

            def free_one_block():
                block = _LIBC.malloc(PROBE_BYTES)  # in this thread's arena: all n threads hold one at once
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass
                _LIBC.free(block)  # a large free: glibc trims the top of this arena

            threads = [threading.Thread(target=free_one_block, name="nnlib-heap", daemon=True) for _ in range(n)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            _LIBC.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        trim()
    return n


def release_arrow() -> bool:
    """Give back the free memory that Arrow's default memory pool (``pyarrow.default_memory_pool()``:
    mimalloc in pyarrow's wheels, else jemalloc or the system's malloc) keeps, including the pages of the heaps
    that exited threads left behind: ``MemoryPool.release_unused()`` (mimalloc: ``mi_collect(true)``). False,
    and nothing done, while pyarrow is not imported (it is not imported here for this), or when the pool is the
    system's malloc (``release`` and ``trim`` cover that).

    mimalloc collects the calling thread's heap (reclaiming abandoned ones into it) and does nothing in a
    thread that has never allocated through it, so this allocates one small buffer first. Takes about a
    millisecond; safe while other threads allocate. Works on any platform."""
    pa = sys.modules.get("pyarrow")
    if pa is None or not hasattr(pa, "default_memory_pool"):  # not imported, or half imported
        return False
    pool = pa.default_memory_pool()
    if pool.backend_name == "system":  # glibc's malloc (ARROW_DEFAULT_MEMORY_POOL=system): release() covers it
        return False
    pa.allocate_buffer(1, memory_pool=pool)  # this thread's heap in the pool, which release_unused collects
    pool.release_unused()
    return True
