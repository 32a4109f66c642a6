"""Grade untrusted code in a separate, limited process: ``run(name, code)``.

The child is ``python -m nnlib.exercises.sandbox``: it reads ``{"name", "code"}`` as JSON on
stdin, lowers its own limits (``resource.setrlimit``: address space, CPU seconds, file size,
no new processes), runs the code and the grader, and writes the verdict as JSON on stdout.
The parent gives it a clean environment (no secrets, no session), a wall-clock timeout after
which the child's whole process group is killed, and reads at most ``MAX_OUTPUT`` bytes back.
So an infinite loop or a 10 GB allocation ends as a verdict with a clear message, and the
app's process never runs the student's code.

This is a resource guard, not a security boundary against a determined attacker (the child
can still read files the server can read): that is why the app runs student code only where
it runs locally, unless its deployer turns it on (see the README).

Limits are POSIX (Linux, macOS); on Windows only the wall-clock timeout applies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .verdict import N_, Msg, Verdict

ROOT = Path(__file__).resolve().parents[2]  # the checkout: the child imports nnlib from here
MAX_OUTPUT = 1_000_000  # bytes of the child's stdout read back (a verdict is a few kB)
MAX_CODE = 100_000  # characters of code accepted


@dataclass(frozen=True)
class Limits:
    """``wall_s``: seconds before the child is killed; ``cpu_s``: CPU seconds (RLIMIT_CPU);
    ``memory_mb``: address space (RLIMIT_AS), NumPy itself needs about 200 MB of it."""

    wall_s: float = 10.0
    cpu_s: int = 5
    memory_mb: int = 1024


DEFAULT_LIMITS = Limits()


def run(name: str, code: str, limits: Limits = DEFAULT_LIMITS) -> Verdict:
    """Grade ``code`` on exercise ``name`` in a child process and return its verdict. Never
    raises for anything the code does; ``ValueError`` for an unknown ``name`` or code that is
    not a string or is longer than ``MAX_CODE``."""
    from . import exercise

    exercise(name)
    if not isinstance(code, str):
        raise ValueError(f"code must be a str, got {type(code).__name__}")
    if len(code) > MAX_CODE:
        raise ValueError(f"code must be at most {MAX_CODE} characters, got {len(code)}")
    request = json.dumps({"name": name, "code": code, "cpu_s": limits.cpu_s, "memory_mb": limits.memory_mb})
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LANG": "C.UTF-8",
           "PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-I", "-c", _BOOT, str(ROOT)], stdin=subprocess.PIPE,
                                stdout=out, stderr=err, env=env, cwd=tempfile.gettempdir(),
                                start_new_session=True)
        try:
            proc.stdin.write(request.encode())
            proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            proc.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return Verdict(name, error=Msg(N_("Stopped after {seconds} seconds: your code took too long (an "
                                              "endless loop?). Nothing else was affected."),
                                           {"seconds": f"{limits.wall_s:g}"}))
        out.seek(0)
        raw = out.read(MAX_OUTPUT)
        err.seek(0)
        tail = err.read(MAX_OUTPUT).decode(errors="replace")[-2000:]
    return _verdict(name, proc.returncode, raw, tail, limits)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the child and anything it started
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()


def _verdict(name: str, returncode: int, raw: bytes, stderr: str, limits: Limits) -> Verdict:
    try:
        return Verdict.from_dict(json.loads(raw.decode()))
    except (ValueError, KeyError, TypeError):
        pass
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL) or "MemoryError" in stderr:
        if "MemoryError" in stderr:
            return _memory_verdict(name, limits)
        return Verdict(name, error=Msg(N_("Stopped after {seconds} seconds of computing: your code took too "
                                          "long (an endless loop?)."), {"seconds": limits.cpu_s}))
    if returncode == 0:
        return Verdict(name, error=Msg(N_("Your code ended the grading before it finished (sys.exit, os.fork or "
                                          "a write to the process's own output?).")))
    return Verdict(name, error=Msg(N_("Your code stopped the grader (exit code {code}). {detail}"),
                                   {"code": returncode, "detail": stderr.strip().splitlines()[-1][:300]
                                    if stderr.strip() else ""}))


def _memory_verdict(name: str, limits: Limits) -> Verdict:
    return Verdict(name, error=Msg(N_("Stopped: your code asked for more memory than the {mb} MB allowed "
                                      "(a huge array?). Nothing else was affected."), {"mb": limits.memory_mb}))


# The child's first lines: find nnlib in the checkout given as argv[1] (-I ignores PYTHONPATH).
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from nnlib.exercises.sandbox import main; main()"


def _limit(cpu_s: int, memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: only the parent's wall-clock timeout applies
        return
    mem = memory_mb * 1024 * 1024
    for what, value in ((resource.RLIMIT_AS, mem), (resource.RLIMIT_CPU, cpu_s),
                        (resource.RLIMIT_FSIZE, 10 * 1024 * 1024), (getattr(resource, "RLIMIT_NPROC", None), 0),
                        (resource.RLIMIT_CORE, 0)):
        if what is None:
            continue
        soft, hard = resource.getrlimit(what)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(what, (value, value) if what != resource.RLIMIT_CPU else (value, value + 1))
        except (ValueError, OSError):
            pass


def main() -> None:
    """The child: request JSON on stdin, verdict JSON on stdout."""
    request = json.loads(sys.stdin.read())
    name = str(request["name"])
    limits = Limits(cpu_s=int(request["cpu_s"]), memory_mb=int(request["memory_mb"]))
    import numpy  # noqa: F401 - imported before the limits: its own start-up is not the student's

    from . import grade_source

    stdout = sys.stdout
    sys.stdout = sys.stderr  # anything printed outside grade_source's capture never reaches the verdict pipe
    _limit(limits.cpu_s, limits.memory_mb)
    try:
        verdict = grade_source(name, str(request["code"]))
    except MemoryError:
        verdict = _memory_verdict(name, limits)
    except RecursionError:
        verdict = Verdict(name, error=Msg(N_("Stopped: your code recursed too deeply (a function calling itself "
                                             "without end?).")))
    stdout.write(json.dumps(verdict.to_dict()))
    stdout.flush()


if __name__ == "__main__":
    main()
