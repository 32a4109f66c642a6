"""ui.heap: memory freed by many short-lived threads (Streamlit's script runs) goes back to the system.

Each case runs in a fresh Python process, so that the arenas and thresholds are this test's own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui import heap

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not heap.available(), reason="glibc only (Linux)")

# 12 threads, 4 at a time, each allocating and touching 24 MB in 1 MB blocks, then freeing them: as after a
# class, every arena keeps its freed top (the thresholds are set to the values glibc's dynamic thresholds
# reach by themselves once a 32 MB array has been freed: mmap 32 MB, trim 64 MB).
SCRIPT = """
import ctypes, sys, threading
sys.path.insert(0, {root!r})
from ui import heap
libc = heap._LIBC
libc.mallopt(heap.M_MMAP_THRESHOLD, 32 << 20)
libc.mallopt(heap.M_TRIM_THRESHOLD, 64 << 20)

def anon_mb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024

def session():
    blocks = [libc.malloc(1 << 20) for _ in range(24)]
    for b in blocks:
        ctypes.memset(b, 1, 1 << 20)
    for b in blocks:
        libc.free(b)

before = anon_mb()
for _ in range(3):
    threads = [threading.Thread(target=session) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
libc.malloc_trim(0)
trimmed = anon_mb()
{action}
print(before, trimmed, anon_mb(), heap.arena_count())
"""


def run(action: str) -> tuple[float, float, float, int]:
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(root=str(ROOT), action=action)],
                         capture_output=True, text=True, check=True, timeout=60)
    before, trimmed, after, arenas = out.stdout.split()
    return float(before), float(trimmed), float(after), int(arenas)


def test_malloc_trim_alone_keeps_the_free_tops_of_thread_arenas():
    before, trimmed, after, arenas = run("")
    assert arenas >= 3  # the threads were given arenas of their own
    assert trimmed - before > 20  # what this module is for: malloc_trim leaves tens of MB resident


def test_release_gives_the_free_tops_back():
    before, trimmed, after, arenas = run("print('threads', heap.release(), file=sys.stderr)")
    assert trimmed - before > 20
    assert after - before < 5, (before, trimmed, after)


def test_release_leaves_live_memory_alone():
    action = "keep = [libc.malloc(1 << 20) for _ in range(30)]\n[ctypes.memset(b, 2, 1 << 20) for b in keep]\n" \
             "heap.release()\nassert all(ctypes.string_at(b, 4) == b'\\x02' * 4 for b in keep)"
    before, trimmed, after, arenas = run(action)
    assert after - before > 25  # the 30 MB still held stay resident (and intact)


def test_arena_count_is_at_least_one_here():
    assert heap.arena_count() >= 1


# 60 short threads, 30 at a time, each turning tables into Arrow bytes as Streamlit does for every chart
# (pandas -> pyarrow.Table -> IPC stream, from pyarrow's default pool), then ending: as the script runs of a
# class do. Prints RssAnon before, after the threads and glibc's release (pandas' blocks are glibc's), and after
# release_arrow() in another thread.
ARROW_SCRIPT = """
import sys, threading
sys.path.insert(0, {root!r})
import numpy as np, pandas as pd, pyarrow as pa
from ui import heap

def anon_mb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024

def session(seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        df = pd.DataFrame({{"epoch": np.arange(2000), "loss": rng.random(2000), "accuracy": rng.random(2000)}})
        table = pa.Table.from_pandas(df)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        assert sink.getvalue().size > 48000

session(0)  # once first (modules and caches of pandas' conversion, loaded once)
heap.release()
before = anon_mb()
for wave in range(2):
    threads = [threading.Thread(target=session, args=(30 * wave + k + 1,)) for k in range(30)]
    [t.start() for t in threads]
    [t.join() for t in threads]
heap.release()
held = anon_mb()
result = []
collector = threading.Thread(target=lambda: result.append(heap.release_arrow()))  # as ui.load's collector
collector.start()
collector.join()
print(pa.default_memory_pool().backend_name, result[0], before, held, anon_mb())
"""


def test_release_arrow_gives_back_what_ended_threads_left_in_arrows_pool():
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}  # pyarrow's own default
    out = subprocess.run([sys.executable, "-c", ARROW_SCRIPT.format(root=str(ROOT))],
                         capture_output=True, text=True, check=True, timeout=120, env=env)
    backend, released, before, held, after = out.stdout.split()
    before, held, after = float(before), float(held), float(after)
    assert released == "True"
    if backend == "mimalloc":  # pyarrow's wheels: the ended threads' heaps stay mapped until collected
        assert held - before > 15, (before, held, after)  # glibc's release alone does not reach them
        assert after - before < 0.2 * (held - before), (before, held, after)  # measured: 41 MB held, 3.5 after
    else:
        assert after - before < 8, (backend, before, held, after)


def test_release_arrow_does_nothing_without_pyarrow():
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from ui import heap; " \
           "print(heap.release_arrow(), 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["False", "False"]


def test_release_arrow_leaves_a_system_pool_to_release_and_trim():
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import pyarrow as pa; from ui import heap; " \
           "print(pa.default_memory_pool().backend_name, heap.release_arrow())"
    env = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, env=env)
    assert out.stdout.split() == ["system", "False"]
