"""The grader's verdict: one ``SubCheck`` per output and test case, each with what was
expected, what came back, where they first differ and (when the difference has a known
shape) a diagnosis of the classic mistake behind it.

Messages are English templates with named placeholders plus their values (``Msg``), so a
UI can translate the template and fill it in; ``str(verdict)`` gives the English report a
notebook prints. Verdicts travel as JSON (``to_dict`` / ``from_dict``) out of the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: marks a template for extraction
    return message


@dataclass(frozen=True)
class Msg:
    """A message template (``"{name} must be ..."``) and the values of its placeholders."""

    template: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    def to_dict(self) -> dict:
        return {"template": self.template, "params": self.params}

    @classmethod
    def from_dict(cls, d: dict | None) -> Msg | None:
        return None if d is None else cls(str(d["template"]), dict(d.get("params") or {}))


# The classic mistakes the grader recognises: code -> what to tell the student.
MISTAKES = {
    "batch_size": N_("The gradient is not divided by the batch size: every entry is n = {n} times too large."),
    "batch_size_twice": N_("Every entry is n = {n} times too small: the batch size is divided out twice (the "
                           "incoming gradient already carries the 1/n of the mean)."),
    "post_sum": N_("Every entry is n = {n} times too small: this exercise follows post 002, whose gradient is a "
                   "sum over the rows (no 1/n)."),
    "transposed": N_("The product is transposed: the result has the shape (or the values) of the transpose of "
                     "{output}, which has shape {shape}. Check the order of the matrix product, e.g. x @ W rather "
                     "than W @ x, x.T @ grad rather than grad.T @ x, grad @ W.T rather than grad @ W."),
    "shape_mismatch": N_("A matrix product failed on its shapes: write each array's shape next to it; in a @ b "
                         "the inner sizes must agree, e.g. x @ W is (n, in) @ (in, out), grad @ W.T is "
                         "(n, out) @ (out, in)."),
    "missing_sum": N_("{output} must be summed over the batch (axis 0): you returned one row per sample, shape "
                      "{got_shape}, instead of shape {shape}."),
    "diagonal_softmax": N_("This is the diagonal-only softmax derivative s(1 − s): the softmax Jacobian is "
                           "diag(s) − s sᵀ, and with cross-entropy everything cancels to (s − onehot) / n."),
    "sign": N_("Every entry has the wrong sign: check y − ŷ against ŷ − y, or p -= … against p += …."),
    "from_input": N_("This is the derivative taken from the input: the function receives the output s = σ(z), "
                     "so the derivative is s (1 − s), not σ(s)(1 − σ(s))."),
    "in_place": N_("Your code changed its input {arg} in place (e.g. with x[...] = …, x += … or x -= …). Work "
                   "on a copy or build a new array: the caller still needs the original values."),
    "nan_log": N_("NaN or infinity where p is exactly 0 or 1: log(0) is −∞. Clip p to [ε, 1 − ε] with "
                  "ε = 1e-10 before the log and before dividing by p (1 − p)."),
    "overflow": N_("NaN or infinity for large logits: exp(1000) overflows. Subtract each row's maximum before "
                   "the exp; the softmax does not change."),
    "no_bias_correction": N_("The moments are not bias-corrected: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ (t counts "
                             "steps from 1), otherwise the first steps are far too small."),
    "loss_sum": N_("The loss is a sum over the n = {n} entries, not their mean: divide by n."),
    "axis": N_("The softmax is normalised over the wrong axis: each row must sum to 1 (axis=1, keepdims=True)."),
    "momentum_form": N_("This is the other momentum convention, v = μv + lr·g: here v = μv + g and p -= lr·v "
                        "(PyTorch's form, the one nnlib uses)."),
    "mask_only": N_("You returned the mask [z > 0] itself: multiply it by the incoming gradient (chain rule)."),
    "chain_rule": N_("The incoming gradient is not multiplied in (chain rule): dL/dz = dL/da · f′(z)."),
}


@dataclass
class SubCheck:
    """One comparison: ``passed``, what was compared (``label``), and on failure the
    ``detail`` (where, expected vs got) and a ``diagnosis`` of the likely ``mistake``."""

    label: Msg
    passed: bool
    detail: Msg | None = None
    diagnosis: Msg | None = None
    mistake: str | None = None

    def to_dict(self) -> dict:
        return {"label": self.label.to_dict(), "passed": self.passed,
                "detail": None if self.detail is None else self.detail.to_dict(),
                "diagnosis": None if self.diagnosis is None else self.diagnosis.to_dict(),
                "mistake": self.mistake}

    @classmethod
    def from_dict(cls, d: dict) -> SubCheck:
        return cls(Msg.from_dict(d["label"]), bool(d["passed"]), Msg.from_dict(d.get("detail")),
                   Msg.from_dict(d.get("diagnosis")), d.get("mistake"))


@dataclass
class Verdict:
    """The grader's answer for one exercise. ``error`` is set when the code could not be
    graded at all (it did not run, a function is missing, the time or memory ran out)."""

    name: str
    checks: list[SubCheck] = field(default_factory=list)
    error: Msg | None = None
    output: str = ""  # what the student's code printed (cut short), shown under the verdict

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[SubCheck]:
        return [c for c in self.checks if not c.passed]

    @property
    def mistakes(self) -> list[str]:
        """Codes of the classic mistakes diagnosed, first seen first (see ``MISTAKES``)."""
        seen = []
        for c in self.checks:
            if c.mistake and c.mistake not in seen:
                seen.append(c.mistake)
        return seen

    def summary(self) -> Msg:
        if self.error is not None:
            return self.error
        if self.passed:
            return Msg(N_("All {n} checks passed."), {"n": len(self.checks)})
        return Msg(N_("{failed} of {n} checks failed."), {"failed": len(self.failed), "n": len(self.checks)})

    def __str__(self) -> str:
        lines = [f"{self.name}: {self.summary()}"]
        for c in self.checks:
            lines.append(f"  {'PASS' if c.passed else 'FAIL'}  {c.label}")
            if c.detail is not None:
                lines.append(f"        {c.detail}")
            if c.diagnosis is not None:
                lines.append(f"        Diagnosis: {c.diagnosis}")
        if self.output:
            lines.append("Your code printed:\n" + self.output)
        return "\n".join(lines)

    _repr_pretty_ = None  # set below: IPython shows the report, not the dataclass fields

    def to_dict(self) -> dict:
        return {"name": self.name, "checks": [c.to_dict() for c in self.checks],
                "error": None if self.error is None else self.error.to_dict(), "output": self.output}

    @classmethod
    def from_dict(cls, d: dict) -> Verdict:
        return cls(str(d["name"]), [SubCheck.from_dict(c) for c in d.get("checks", [])],
                   Msg.from_dict(d.get("error")), str(d.get("output", "")))


def _pretty(self, printer, cycle):
    printer.text(str(self))


Verdict._repr_pretty_ = _pretty


# -- comparing arrays ---------------------------------------------------------------------------

def tolerances(dtype) -> tuple[float, float]:
    """(rtol, atol) for results computed in ``dtype``: float32 keeps about 7 digits."""
    return (1e-4, 1e-5) if np.dtype(dtype) == np.float32 else (1e-7, 1e-10)


def close(got, expected, dtype=np.float64) -> bool:
    """Same shape and all entries within the tolerances of ``dtype`` (NaN never matches)."""
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape or not np.all(np.isfinite(e)):
        return False
    rtol, atol = tolerances(dtype)
    scale = float(np.max(np.abs(e), initial=0.0))
    return bool(np.allclose(g, e, rtol=rtol, atol=atol * max(scale, 1.0)))


def fmt(v) -> str:
    return f"{float(v):.8g}"


def first_difference(got, expected, dtype=np.float64) -> Msg | None:
    """None if ``got`` matches ``expected``; else where and how it differs (shape, NaN, the
    first entry out of tolerance with both values)."""
    if got is None:
        return Msg(N_("got None: the function returns nothing (is a return statement missing?)"))
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return Msg(N_("expected an array of numbers, got {got}"), {"got": repr(got)[:80]})
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return Msg(N_("expected shape {shape}, got shape {got_shape}"),
                   {"shape": str(e.shape), "got_shape": str(g.shape)})
    rtol, atol = tolerances(dtype)
    scale = max(float(np.max(np.abs(e), initial=0.0)), 1.0)
    bad = ~np.isclose(g, e, rtol=rtol, atol=atol * scale)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    index = str(idx[0]) if len(idx) == 1 else str(list(idx))
    return Msg(N_("{count} of {total} entries differ; first at index {index}: expected {expected}, got {got}"),
               {"count": int(bad.sum()), "total": int(bad.size), "index": index,
                "expected": fmt(e[idx]), "got": fmt(g[idx])})


def generic_diagnosis(got, expected, *, n: int | None = None, dtype=np.float64,
                      batch_twice: str = "batch_size_twice") -> str | None:
    """A mistake code that explains ``got`` from ``expected`` by its shape alone: a factor
    n or 1/n (the batch size), a flipped sign, a transpose. None when nothing fits."""
    if got is None:
        return None
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    e = np.asarray(expected, dtype=np.float64)
    if e.ndim == 2 and g.shape == e.T.shape and close(g, e.T, dtype) and (g.shape != e.shape or not close(g, e)):
        return "transposed"
    if g.shape != e.shape or not np.all(np.isfinite(g)) or not np.any(np.abs(e) > 1e-12):
        return None
    if close(g, -e, dtype):
        return "sign"
    if n and n > 1:
        if close(g, e * n, dtype):
            return "batch_size"
        if close(g, e / n, dtype):
            return batch_twice
    return None
