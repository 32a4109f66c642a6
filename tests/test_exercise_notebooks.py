"""The exercise notebooks (exercises/*.ipynb): up to date with nnlib.exercises, and each one runs
offline in a real Jupyter kernel — with the reference solution it passes, as shipped it fails."""

import json
import re
import sys
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_exercise_notebooks as make  # noqa: E402

from nnlib.exercises import EXERCISES  # noqa: E402

NOTEBOOKS = sorted((ROOT / "exercises").glob("*.ipynb"))


def test_one_notebook_per_exercise_and_all_up_to_date():
    assert [p.name for p in NOTEBOOKS] == [make.path_of(i, n).name for i, n in enumerate(EXERCISES, start=1)]
    assert make.main(["--check"]) == 0


def _run(path: Path, answer: str | None) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    if answer is not None:
        cell = next(c for c in nb.cells if make.ANSWER_TAG in c.metadata.get("tags", []))
        cell.source = answer
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    texts = []
    for c in nb.cells:
        for out in c.get("outputs", []):
            texts.append(out.get("text", "") or json.dumps(out.get("data", {})))
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_passes_with_the_reference_solution(path):
    name = re.sub(r"^\d+_", "", path.stem)
    out = "\n".join(_run(path, EXERCISES[name].solution))
    assert re.search(rf"{name}: All \d+ checks passed\.", out), out[:2000]
    assert EXERCISES[name].hints[0] in out  # the hint cells print the hints
    assert "def " in out or "class " in out  # nnlib's own source is printed at the end


def test_notebook_as_shipped_runs_and_reports_the_unfinished_stub():
    out = "\n".join(_run(NOTEBOOKS[3], None))  # the Dense exercise
    assert "checks failed" in out and "got None" in out
