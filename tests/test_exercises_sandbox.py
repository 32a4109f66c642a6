"""nnlib.exercises.sandbox: student code runs in a separate, limited process and only the verdict
comes back; an endless loop and a 10 GB allocation end as clear verdicts, not a frozen server."""

import sys
import time

import pytest

from nnlib.exercises import exercise, grade_source, sandbox
from nnlib.exercises.sandbox import Limits

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
FAST = Limits(wall_s=8, cpu_s=3, memory_mb=1024)


def test_a_correct_solution_passes_in_the_sandbox():
    v = sandbox.run("dense", exercise("dense").solution, FAST)
    assert v.passed, str(v)


def test_the_sandbox_gives_the_same_verdict_as_grading_in_process():
    code = exercise("softmax_ce").solution.replace("return (softmax(z) - y) / len(z)", "return softmax(z) - y")
    assert str(sandbox.run("softmax_ce", code, FAST)) == str(grade_source("softmax_ce", code))


def test_an_endless_loop_is_stopped_within_the_limit():
    start = time.monotonic()
    v = sandbox.run("relu", "while True:\n    pass\n", FAST)
    elapsed = time.monotonic() - start
    assert not v.passed and "took too long" in str(v.error)
    assert elapsed < FAST.wall_s + 5


def test_a_loop_that_sleeps_is_stopped_by_the_wall_clock():
    """Sleeping uses no CPU time: the wall-clock timeout kills it (and its process group)."""
    start = time.monotonic()
    v = sandbox.run("relu", "import time\ntime.sleep(60)\n", Limits(wall_s=2, cpu_s=3))
    assert "Stopped after 2 seconds" in str(v.error)
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("code", ["import numpy as np\nx = np.ones(10 * 1024**3 // 8)\n",
                                  "x = [0] * (10 * 1024**3)\n",
                                  "x = bytearray(10 * 1024**3)\n"])
def test_a_10_gb_allocation_is_refused_with_a_clear_message(code):
    v = sandbox.run("relu", code, FAST)
    assert not v.passed and "more memory than the 1024 MB allowed" in str(v.error)


def test_the_child_sees_no_secrets_from_the_server_environment(monkeypatch):
    monkeypatch.setenv("NNLIB_TEST_SECRET", "hunter2")
    code = "import os\nprint('secret:', os.environ.get('NNLIB_TEST_SECRET'))\n" + exercise("relu").solution
    v = sandbox.run("relu", code, FAST)
    assert v.passed and "secret: None" in v.output and "hunter2" not in v.output


def test_exit_and_crashes_become_verdicts():
    assert "ended the grading" in str(sandbox.run("relu", "import sys\nsys.exit(0)\n", FAST).error)
    assert "exit code 3" in str(sandbox.run("relu", "import sys\nsys.exit(3)\n", FAST).error)
    crash = sandbox.run("relu", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", FAST)
    assert not crash.passed and crash.error is not None
    deep = sandbox.run("relu", "def f(n):\n    return f(n + 1)\nf(0)\n", FAST)
    assert not deep.passed


def test_the_parent_process_is_untouched():
    """The limits are set in the child only: the app's process keeps its own."""
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    sandbox.run("relu", "import numpy as np\nnp.ones(10 * 1024**3 // 8)\n", FAST)
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="name must be one of"):
        sandbox.run("nope", "")
    with pytest.raises(ValueError, match="code must be at most"):
        sandbox.run("relu", "#" * (sandbox.MAX_CODE + 1))
    with pytest.raises(ValueError, match="code must be a str"):
        sandbox.run("relu", b"x = 1")
