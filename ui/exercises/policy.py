"""Whether this server runs student code, and with which limits. Plain Python (no Streamlit).

Running code typed into a web page is a security decision. By default the exercises run
student code only where the app is local (``streamlit run`` on the student's own machine);
on a shared or hosted server (``ui.mnist_setup.is_hosted``) the editor is off unless the
deployer sets ``NNLIB_EXERCISES_RUN_CODE=1`` (``0`` turns it off everywhere). Where it runs,
it runs in ``nnlib.exercises.sandbox``: a separate process with time and memory limits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from nnlib.exercises.sandbox import DEFAULT_LIMITS, Limits
from ui.mnist_setup import is_hosted

RUN_CODE_ENV = "NNLIB_EXERCISES_RUN_CODE"
ON, OFF = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
NOTEBOOKS = Path(__file__).resolve().parents[2] / "exercises"


def run_code_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """True where student code may run: the setting decides, else only a local app."""
    environ = os.environ if environ is None else environ
    flag = environ.get(RUN_CODE_ENV, "").strip().lower()
    if flag in ON:
        return True
    if flag in OFF:
        return False
    return not is_hosted(environ)


def limits() -> Limits:
    return DEFAULT_LIMITS


def notebook_path(number: int, name: str) -> Path:
    """exercises/NN_<name>.ipynb (written by scripts/make_exercise_notebooks.py)."""
    return NOTEBOOKS / f"{number:02d}_{name}.ipynb"
