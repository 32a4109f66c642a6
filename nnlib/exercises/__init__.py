"""Exercises: students write the pieces (a derivative, a backward pass, an optimizer step) and
the grader checks them at once, in a notebook or in the app.

>>> from nnlib.exercises import check, hint
>>> def sigmoid(z): ...
>>> def sigmoid_derivative(s): ...
>>> print(check("sigmoid", globals()))   # or check("sigmoid", some_module) / check("dense", Dense)

``check(name, student)`` runs the student's code on fixed-seed random cases (a batch of 1, odd
sizes, float32 and float64), compares values and gradients with nnlib's own reference and
with central differences (``nnlib.gradcheck``), and returns a ``Verdict``: which output is
wrong, at which index, expected vs got, and a diagnosis of the classic mistakes (see
``verdict.MISTAKES``). ``grade_source(name, code)`` runs source text first — in this
process, so only for code you trust; the app runs student code through ``sandbox.run``
instead, in a separate, time- and memory-limited process.

Pure NumPy: no Streamlit, no Jupyter needed.
"""

from __future__ import annotations

import contextlib
import io

from .catalog import EXERCISES, Exercise
from .grading import Grader, StudentError, raised
from .verdict import MISTAKES, N_, Msg, SubCheck, Verdict

OUTPUT_LIMIT = 2000  # characters of the student's printed output kept in a verdict

__all__ = ["EXERCISES", "MISTAKES", "Exercise", "Msg", "SubCheck", "Verdict", "check", "exercise",
           "grade_source", "hint", "names"]


def names() -> list[str]:
    """The exercises' names, in course order."""
    return list(EXERCISES)


def exercise(name: str) -> Exercise:
    """The exercise called ``name``; ``ValueError`` naming the known ones otherwise."""
    if name not in EXERCISES:
        raise ValueError(f"name must be one of {names()}, got {name!r}")
    return EXERCISES[name]


def check(name: str, student) -> Verdict:
    """Grade ``student`` (a dict such as ``globals()``, a module, a class or an object holding
    the exercise's functions) on exercise ``name``. Never raises for the student's mistakes:
    exceptions in their code become failed sub-checks with the message and line."""
    ex = exercise(name)
    g = Grader(name)
    try:
        ex.check(student, g)
    except StudentError as err:
        g.verdict.error = err.msg
    except (MemoryError, RecursionError, KeyboardInterrupt):
        raise
    except Exception as err:  # noqa: BLE001 - the student's code, called while checking a gradient
        g.verdict.error = raised(err, name)
    return g.verdict


def hint(name: str, step: int = 1) -> str:
    """Hint number ``step`` (from 1) of exercise ``name``."""
    hints = exercise(name).hints
    if not 1 <= step <= len(hints):
        raise ValueError(f"step must be between 1 and {len(hints)}, got {step!r}")
    return hints[step - 1]


def grade_source(name: str, code: str) -> Verdict:
    """Run ``code`` (Python source) in a fresh namespace, then ``check`` it. What it prints is
    captured into ``Verdict.output``. Runs in *this* process: see ``sandbox.run`` for code
    you do not trust."""
    exercise(name)
    out = io.StringIO()
    namespace: dict = {"__name__": "__student__"}
    try:
        compiled = compile(code, "<your code>", "exec")
    except SyntaxError as err:
        return Verdict(name, error=Msg(N_("SyntaxError at line {line}: {message}"),
                                       {"line": err.lineno, "message": str(err.msg)}))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            exec(compiled, namespace)  # noqa: S102 - grading is running the student's code
            verdict = check(name, namespace)
        except (MemoryError, RecursionError, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - an error at the top level of the student's code
            verdict = Verdict(name, error=raised(err, "your code"))
    text = out.getvalue()
    verdict.output = text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + "…"
    return verdict
