"""AppTest: the Exercises page. A correct and a wrong submission for every exercise show the right
verdict; an endless loop and a huge allocation end with a clear message; on a hosted server the
editor is off unless the deployer turns it on; hints, reset, progress and the lecturer's reveal."""

import time

import apptools
import pytest

from nnlib.exercises import EXERCISES, exercise

PAGE = "pages/exercises.py"

# one classic mistake per exercise: (replace, with, words of its diagnosis)
WRONG = {
    "sigmoid": ("return s * (1 - s)", "return sigmoid(s) * (1 - sigmoid(s))", "from the input"),
    "neuron_forward": ("return np.mean((y - y_hat) ** 2)", "return np.sum((y - y_hat) ** 2)", "not their mean"),
    "neuron_backward": ("db = np.sum(delta, axis=0)", "db = delta", "summed over the batch"),
    "dense": ("self.dW = self.x.T @ grad", "self.dW = grad.T @ self.x", "transposed"),
    "relu": ("return np.maximum(z, 0)", "z[z < 0] = 0\n    return z", "in place"),
    "bce": ("    p = np.clip(p, EPS, 1 - EPS)\n    return -np.mean", "    return -np.mean", "Clip p"),
    "softmax_ce": ("return (softmax(z) - y) / len(z)", "s = softmax(z)\n    return s * (1 - s) * (-y / s) / len(z)",
                   "diagonal-only"),
    "momentum": ("p_new = p - lr * v_new", "p_new = p + lr * v_new", "wrong sign"),
    "adam": ("m_hat = m_new / (1 - beta1**t)", "m_hat = m_new", "bias-corrected"),
}


def unescape(text: str) -> str:
    return text.replace("\\", "")


def open_exercise(name: str, query: dict | None = None):
    at = apptools.open_page(PAGE, {"ex": name, **(query or {})})
    assert not at.exception
    return at


def submit(at, name: str, code: str):
    at.session_state[f"ex.{name}.code"] = code
    at.button(key=f"ex.{name}.check").click().run(timeout=120)
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return " ".join(unescape(e.value) for e in elements)


def test_every_exercise_is_listed_in_course_order_and_wrong_cases_cover_them():
    at = open_exercise("sigmoid")
    assert at.selectbox(key="ex.ex").options == [f"{i} · {e.title}" for i, e in enumerate(EXERCISES.values(), 1)]
    assert set(WRONG) == set(EXERCISES)
    assert "Exercise 1 · The sigmoid and its derivative" in at.header[0].value
    assert any("\\sigma" in m.value for m in at.markdown)  # the statement's formula


@pytest.mark.parametrize("name", list(EXERCISES))
def test_correct_and_wrong_submission_show_the_right_verdict(name):
    at = open_exercise(name)
    assert f"Exercise {list(EXERCISES).index(name) + 1}" in at.header[0].value
    submit(at, name, exercise(name).solution)
    assert "checks passed" in texts(at.success) and not at.error
    old, new, words = WRONG[name]
    submit(at, name, exercise(name).solution.replace(old, new))
    assert not at.success and "checks failed" in texts(at.error)
    red = [m.value for m in at.markdown if m.value.startswith(":red[")]
    assert red  # the failing sub-checks, in red
    assert words in texts(at.info)  # the diagnosis of the classic mistake


def test_an_endless_loop_is_stopped_with_a_clear_message():
    at = open_exercise("relu")
    start = time.monotonic()
    submit(at, "relu", "while True:\n    pass\n")
    assert time.monotonic() - start < 30  # the page's limit is 5 CPU seconds, 10 s wall clock
    assert "took too long" in texts(at.error)
    submit(at, "relu", exercise("relu").solution)  # the page still works afterwards
    assert "checks passed" in texts(at.success)


def test_a_10_gb_allocation_is_stopped_with_a_clear_message():
    at = open_exercise("dense")
    submit(at, "dense", "import numpy as np\nbig = np.ones((10 * 1024**3) // 8)\n")
    assert "more memory than the 1024 MB allowed" in texts(at.error)


def test_hosted_server_turns_the_editor_off_and_offers_the_notebook(monkeypatch):
    monkeypatch.setenv("NNLIB_HOSTED", "1")
    monkeypatch.delenv("NNLIB_EXERCISES_RUN_CODE", raising=False)
    at = open_exercise("dense")
    assert not [b for b in at.button if b.key == "ex.dense.check"]
    assert "security risk" in texts(at.warning)
    downloads = at.get("download_button")
    assert [d.key for d in downloads] == ["ex.dense.download"]  # the file itself: tests/e2e
    assert any("class Dense" in c.value for c in at.code)  # the starter is still shown
    at.button(key="ex.dense.hint").click().run()
    assert "Hint 1" in texts(at.info)  # hints and the solution work without running code


def test_the_deployer_can_turn_the_editor_on_when_hosted(monkeypatch):
    monkeypatch.setenv("NNLIB_HOSTED", "1")
    monkeypatch.setenv("NNLIB_EXERCISES_RUN_CODE", "1")
    at = open_exercise("relu")
    submit(at, "relu", exercise("relu").solution)
    assert "checks passed" in texts(at.success)


def test_hints_come_one_step_at_a_time_and_reset_restores_the_starter():
    at = open_exercise("sigmoid")
    for step in (1, 2, 3):
        at.button(key="ex.sigmoid.hint").click().run()
        assert f"Hint {step}" in texts(at.info)
    assert at.button(key="ex.sigmoid.hint").disabled
    submit(at, "sigmoid", "def sigmoid(z):\n    return z\n")
    assert at.error
    at.button(key="ex.sigmoid.reset").click().run()
    assert at.session_state["ex.sigmoid.code"] == exercise("sigmoid").starter
    assert not at.error and "Hint 1" not in texts(at.info)


def test_progress_is_kept_per_exercise_in_the_session():
    at = open_exercise("relu")
    submit(at, "relu", exercise("relu").solution)
    assert at.session_state["ex.progress"]["relu"] == {"tries": 1, "passed": True}
    at.selectbox(key="ex.ex").select_index(0).run()
    assert "Exercise 1" in at.header[0].value
    options = at.selectbox(key="ex.ex").options
    assert options[4].startswith("✓ 5 ·") and not options[0].startswith("✓")
    assert "1 of 9 solved" in str(at.get("progress")[0].proto)
    at.selectbox(key="ex.ex").select_index(4).run()  # back to the solved one: its code and verdict are kept
    assert at.session_state["ex.relu.code"] == exercise("relu").solution
    assert "checks passed" in texts(at.success)


def test_the_solution_is_hidden_until_asked_and_lecture_mode_reveals_it():
    at = open_exercise("dense")
    assert not any("self.dW = self.x.T @ grad" in c.value for c in at.code)
    at.toggle(key="ex.dense.solution").set_value(True).run()
    assert any("self.dW = self.x.T @ grad" in c.value for c in at.code)
    at.toggle(key="ex.dense.source").set_value(True).run()
    assert any("def backward(self, grad" in c.value and "np.matmul" in c.value for c in at.code)  # nnlib's source
    lecture = open_exercise("dense", {"lecture": "1"})
    assert lecture.toggle(key="ex.dense.solution").label == "Reveal the solution (lecturer)"


def test_a_verdict_says_when_the_code_changed_since_the_check():
    at = open_exercise("relu")
    submit(at, "relu", exercise("relu").solution)
    assert not any("has changed since this check" in c.value for c in at.caption)
    at.session_state["ex.relu.code"] = exercise("relu").solution + "# edited\n"
    at.run()
    assert any("has changed since this check" in c.value for c in at.caption)
    assert "checks passed" in texts(at.success)  # the last verdict stays, marked as older


def test_without_the_editor_component_a_text_box_takes_the_code(monkeypatch):
    """If streamlit-code-editor is missing, the page falls back to st.text_area: typed code is graded."""
    import sys

    monkeypatch.setitem(sys.modules, "code_editor", None)  # `from code_editor import ...` raises ImportError
    at = open_exercise("sigmoid")
    box = at.text_area[0]
    assert box.value == exercise("sigmoid").starter
    box.input(exercise("sigmoid").solution).run()
    at.button(key="ex.sigmoid.check").click().run(timeout=120)
    assert "checks passed" in texts(at.success)
