"""The machinery every exercise's checks share: call the student's code safely, compare its
outputs with nnlib's reference and with central differences, and record sub-checks."""

from __future__ import annotations

import traceback
from collections.abc import Callable

import numpy as np

from ..gradcheck import noise_floor, numerical_grad, rel_error
from .verdict import MISTAKES, N_, Msg, SubCheck, Verdict, close, first_difference, generic_diagnosis

GRADCHECK_TOL = 1e-5  # a correct float64 gradient scores about 1e-7 or below; a bug about 1


class StudentError(Exception):
    """The student's code raised, or returned something unusable; carries the message."""

    def __init__(self, msg: Msg):
        super().__init__(str(msg))
        self.msg = msg


def lookup(student, name: str, kind: str = "function"):
    """``student.<name>`` from a dict (``globals()``), a module, a class or any object."""
    if isinstance(student, dict):
        obj = student.get(name)
    else:
        obj = getattr(student, name, None)
        if obj is None and getattr(student, "__name__", None) == name:
            obj = student  # check("dense", Dense): the object is the thing itself
    if obj is None or not callable(obj):
        template = N_("Define a class named {name}.") if kind == "class" else N_("Define a function named {name}.")
        raise StudentError(Msg(template, {"name": name}))
    return obj


def raised(err: BaseException, fn_name: str) -> Msg:
    """"Your code raised …", with the line of the student's code when it is known."""
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == "<your code>":
            line = frame.lineno
    text = str(err)
    text = text if len(text) <= 300 else text[:300] + "…"
    if line is None:
        return Msg(N_("{fn} raised {type}: {message}"), {"fn": fn_name, "type": type(err).__name__, "message": text})
    return Msg(N_("{fn} raised {type} at line {line} of your code: {message}"),
               {"fn": fn_name, "type": type(err).__name__, "line": line, "message": text})


def case_label(dtype, **shapes) -> str:
    """"float32, x (5, 4)": the test case, in symbols (nothing to translate)."""
    parts = [np.dtype(dtype).name] + [f"{k} {tuple(v)}" for k, v in shapes.items()]
    return ", ".join(parts)


class Grader:
    """Collects the sub-checks of one exercise into a ``Verdict``."""

    def __init__(self, name: str):
        self.verdict = Verdict(name)
        self._changed: dict[str, str | None] = {}  # function -> first argument it modified

    def add(self, label: Msg, passed: bool, detail: Msg | None = None, mistake: str | None = None,
            **params) -> bool:
        diagnosis = None
        if mistake is not None:
            diagnosis = Msg(MISTAKES[mistake], params)
        self.verdict.checks.append(SubCheck(label, passed, detail, diagnosis, mistake))
        return passed

    def call(self, fn: Callable, fn_name: str, args: dict, case: str):
        """``fn(*args.values())``, noting whether it modified an argument in place. A raise
        becomes a failed sub-check and a ``StudentError`` (the rest of the case is skipped)."""
        before = {k: v.copy() for k, v in args.items() if isinstance(v, np.ndarray)}
        try:
            with np.errstate(all="ignore"):
                result = fn(*args.values())
        except (MemoryError, RecursionError, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - the student's code may raise anything
            msg = raised(err, fn_name)
            text = str(err)
            mistake = "shape_mismatch" if isinstance(err, ValueError) and ("matmul" in text or "not aligned" in text
                                                                           or "broadcast" in text) else None
            self.add(Msg(N_("{fn} runs ({case})"), {"fn": fn_name, "case": case}), False, msg, mistake)
            raise StudentError(msg) from None
        if fn_name not in self._changed or self._changed[fn_name] is None:
            self._changed[fn_name] = next((k for k, v in before.items()
                                           if not np.array_equal(v, args[k], equal_nan=True)), None)
        return result

    def inputs_unchanged(self) -> None:
        """One sub-check per function called: it left its inputs as they were."""
        for fn_name, arg in self._changed.items():
            label = Msg(N_("{fn} leaves its inputs unchanged"), {"fn": fn_name})
            if arg is None:
                self.add(label, True)
            else:
                self.add(label, False, Msg(N_("{arg} was modified"), {"arg": arg}), "in_place", arg=arg)

    def compare(self, output: str, case: str, got, expected, *, dtype=np.float64, n: int | None = None,
                variants: dict | None = None, nonfinite: str | None = None, batch_twice: str = "batch_size_twice",
                **params) -> bool:
        """``got`` against ``expected``; on a mismatch, the first wrong entry and a diagnosis:
        the first of ``variants`` (mistake code -> what that mistake computes) that ``got``
        matches, else ``nonfinite`` if ``got`` holds NaN/inf, else a factor n, sign or transpose."""
        label = Msg(N_("{output} ({case})"), {"output": output, "case": case})
        detail = first_difference(got, expected, dtype)
        if detail is None:
            return self.add(label, True)
        mistake = None
        for code, wrong in (variants or {}).items():
            if wrong is not None and close(got, wrong, dtype):
                mistake = code
                break
        if mistake is None and nonfinite and _has_nonfinite(got):
            mistake = nonfinite
        if mistake is None:
            mistake = generic_diagnosis(got, expected, n=n, dtype=dtype, batch_twice=batch_twice)
        fill = {"n": n, "output": output, "shape": str(np.shape(expected)), "got_shape": str(np.shape(got)),
                **params}
        return self.add(label, False, detail, mistake, **fill)

    def gradcheck(self, output: str, case: str, analytic, f: Callable[[], float], arr: np.ndarray,
                  n: int | None = None) -> bool:
        """The student's gradient ``analytic`` against central differences of the scalar ``f``
        in ``arr`` (``nnlib.gradcheck.numerical_grad``), as a max relative error."""
        label = Msg(N_("{output} against central differences ({case})"), {"output": output, "case": case})
        try:
            with np.errstate(all="ignore"):
                scale = abs(f())
                numeric = numerical_grad(f, arr).reshape(arr.shape)
        except (MemoryError, RecursionError, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001
            return self.add(label, False, raised(err, output))
        try:
            a = np.asarray(analytic, dtype=np.float64).reshape(arr.shape)
        except (TypeError, ValueError):
            return self.add(label, False, Msg(N_("expected shape {shape}, got shape {got_shape}"),
                                              {"shape": str(arr.shape), "got_shape": str(np.shape(analytic))}))
        err = rel_error(a, numeric, noise_floor(scale))
        if err < GRADCHECK_TOL:
            return self.add(label, True)
        detail = Msg(N_("max relative error {error} (a correct gradient scores below {tol})"),
                     {"error": f"{err:.2e}", "tol": f"{GRADCHECK_TOL:g}"})
        mistake = generic_diagnosis(a, numeric, n=n)
        return self.add(label, False, detail, mistake, n=n, output=output, shape=str(arr.shape),
                        got_shape=str(np.shape(analytic)))


def _has_nonfinite(got) -> bool:
    if got is None:
        return False
    try:
        return not np.all(np.isfinite(np.asarray(got, dtype=np.float64)))
    except (TypeError, ValueError):
        return False


def as_shape(got, shape: tuple) -> np.ndarray | object:
    """``got`` reshaped to ``shape`` when it holds the same number of entries (a bias gradient
    of shape (1, k), (k,) or a bare number for k = 1 are all accepted); as is otherwise."""
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return got
    return arr.reshape(shape) if arr.size == int(np.prod(shape)) else arr


def missing_sum(got, expected_rows: np.ndarray) -> np.ndarray | None:
    """The per-sample rows the student returned summed over the batch, when ``got`` holds one
    row per sample (the "forgot to sum db over the batch" mistake); None otherwise."""
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    n, k = expected_rows.shape
    if n > 1 and arr.size == n * k and close(arr.reshape(n, k), expected_rows):
        return arr  # matching the rows: a "variant" equal to got itself
    return None
