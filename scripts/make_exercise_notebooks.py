"""Write exercises/NN_<name>.ipynb, one Jupyter notebook per exercise, from nnlib.exercises.

    python scripts/make_exercise_notebooks.py          # rewrite the notebooks
    python scripts/make_exercise_notebooks.py --check  # exit 1 if a notebook is out of date

The notebooks are generated, never edited by hand: the statement, starter, hints and grader
all come from ``nnlib.exercises.catalog``. They run offline; ``check(...)`` is the same grader
the app uses. tests/test_exercise_notebooks.py executes each with the reference solution.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnlib.exercises import EXERCISES  # noqa: E402

OUT = ROOT / "exercises"
ANSWER_TAG = "answer"  # the cell the student edits (tests put the reference solution there)

SETUP = '''\
# Finds nnlib: installed, or in the checkout this notebook sits in (exercises/ is one level down).
import pathlib
import sys

try:
    import nnlib
except ImportError:
    here = pathlib.Path.cwd().resolve()
    root = next((p for p in [here, *here.parents] if (p / "nnlib" / "exercises").is_dir()), None)
    if root is None:
        raise ImportError("nnlib not found: open this notebook inside the nnlib checkout "
                          "(its exercises/ folder), or pip install the checkout first") from None
    sys.path.insert(0, str(root))

from nnlib.exercises import check, hint'''


def _cell(kind: str, source: str, tags: list[str] | None = None) -> dict:
    cell = {"cell_type": kind, "metadata": {"tags": tags} if tags else {}, "source": source.splitlines(True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(number: int, name: str) -> dict:
    ex = EXERCISES[name]
    reference = ", ".join(f"`{d.replace(':', '.')}`" for d in ex.reference)
    cells = [
        _cell("markdown", f"# Exercise {number} · {ex.title}\n\n{ex.statement}\n\n"
                          f"Lesson: *{ex.lesson}* in the app. Run the cells in order: write your code in the "
                          "cell marked **Your code**, then run **Check**. Stuck? Run the hints one at a time."),
        _cell("code", SETUP),
        _cell("markdown", "## Your code"),
        _cell("code", ex.starter.rstrip("\n"), [ANSWER_TAG]),
        _cell("markdown", "## Check\n\nRuns your code on random shapes (a batch of 1, odd sizes, float32 and "
                          "float64) against nnlib and against central differences."),
        _cell("code", f'print(check("{name}", globals()))'),
        _cell("markdown", "## Hints, one step at a time"),
        *[_cell("code", f'print(hint("{name}", {i}))') for i in range(1, len(ex.hints) + 1)],
        _cell("markdown", f"## The library's own solution\n\nnlib's source: {reference}. To print it:"),
        _cell("code", f'import inspect\n\nfrom nnlib.exercises import exercise\n\n'
                      f'for obj in exercise("{name}").reference_objects():\n'
                      f'    print(inspect.getsource(obj))'),
    ]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                         "name": "python3"},
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def path_of(number: int, name: str) -> Path:
    return OUT / f"{number:02d}_{name}.ipynb"


def render(nb: dict) -> str:
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i:02d}"  # stable ids: regenerating changes nothing
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook differs from its source")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    stale = []
    for number, name in enumerate(EXERCISES, start=1):
        path, text = path_of(number, name), render(notebook(number, name))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run scripts/make_exercise_notebooks.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
