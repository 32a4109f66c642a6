"""The exercise grader (nnlib.exercises): it passes the reference solutions, and it catches each
classic mistake — one deliberately wrong solution per mistake — with the right diagnosis."""

import json

import numpy as np
import pytest

import nnlib
from nnlib.exercises import EXERCISES, MISTAKES, Verdict, check, exercise, grade_source, hint, names

COURSE_ORDER = ["sigmoid", "neuron_forward", "neuron_backward", "dense", "relu", "bce", "softmax_ce",
                "momentum", "adam"]


def test_at_least_eight_exercises_in_course_order():
    assert names() == COURSE_ORDER
    for ex in EXERCISES.values():
        assert "$" in ex.statement  # a formula
        assert len(ex.hints) >= 2 and ex.starter.strip() and ex.solution.strip()
        assert ex.reference_objects()  # the nnlib source that is the library's solution


@pytest.mark.parametrize("name", COURSE_ORDER)
def test_reference_solution_passes_every_check(name):
    v = grade_source(name, exercise(name).solution)
    assert v.passed, str(v)
    assert len(v.checks) >= 8
    text = " ".join(str(c.label) for c in v.checks)
    assert "float32" in text and "float64" in text  # both precisions are exercised


@pytest.mark.parametrize("name", COURSE_ORDER)
def test_starter_stub_fails_with_a_readable_message(name):
    v = grade_source(name, exercise(name).starter)
    assert not v.passed
    first = v.failed[0] if v.failed else None
    message = str(v.error or first.detail)
    assert "None" in message or "not defined" in message, str(v)


def test_check_accepts_a_module_like_object_and_a_class():
    ns = {}
    exec(exercise("dense").solution, ns)
    assert check("dense", ns["Dense"]).passed
    assert check("dense", ns).passed

    class Student:
        sigmoid = staticmethod(nnlib.sigmoid)

        @staticmethod
        def sigmoid_derivative(s):
            return s * (1 - s)

    assert check("sigmoid", Student).passed


def test_post_002_numbers_are_the_ones_checked():
    """A gradient a hair off the post's numbers fails the post's sub-check, with both values shown."""
    code = exercise("neuron_backward").solution.replace("return dW, db", "return dW + 1e-6, db")
    v = grade_source("neuron_backward", code)
    post = next(c for c in v.checks if "post 002" in str(c.label) and str(c.label).startswith("dW"))
    assert not post.passed and "-0.17444809" in str(post.detail)


def _wrong(name: str, old: str, new: str) -> Verdict:
    code = exercise(name).solution
    assert old in code, old
    return grade_source(name, code.replace(old, new))


# (exercise, replace, with, diagnosis code, words the diagnosis must contain)
MISTAKE_CASES = [
    ("softmax_ce", "return (softmax(z) - y) / len(z)", "return softmax(z) - y", "batch_size", "batch size"),
    ("bce", "return (p - y) / (p * (1 - p)) / p.size", "return (p - y) / (p * (1 - p))", "batch_size",
     "batch size"),
    ("dense", "self.dW = self.x.T @ grad", "self.dW = grad.T @ self.x", "transposed", "transpose"),
    ("neuron_forward", "return 1 / (1 + np.exp(-(x @ W + b)))", "return 1 / (1 + np.exp(-(W.T @ x.T + b)))",
     "transposed", "x @ W"),
    ("dense", "self.db = grad.sum(axis=0)", "self.db = grad", "missing_sum", "summed over the batch"),
    ("neuron_backward", "db = np.sum(delta, axis=0)", "db = delta", "missing_sum", "summed over the batch"),
    ("softmax_ce", "return (softmax(z) - y) / len(z)",
     "s = softmax(z)\n    return s * (1 - s) * (-y / s) / len(z)", "diagonal_softmax", "diag(s) − s sᵀ"),
    ("neuron_backward", "delta = -2 * (y - y_hat)", "delta = 2 * (y - y_hat)", "sign", "wrong sign"),
    ("momentum", "p_new = p - lr * v_new", "p_new = p + lr * v_new", "sign", "wrong sign"),
    ("sigmoid", "return s * (1 - s)", "return sigmoid(s) * (1 - sigmoid(s))", "from_input", "from the input"),
    ("neuron_backward", "y_hat * (1 - y_hat)", "(x @ W + b) * (1 - (x @ W + b))", "from_input", "from the input"),
    ("relu", "return np.maximum(z, 0)", "z[z < 0] = 0\n    return z", "in_place", "in place"),
    ("momentum", "p_new = p - lr * v_new", "p -= lr * v_new\n    p_new = p", "in_place", "in place"),
    ("bce", "    p = np.clip(p, EPS, 1 - EPS)\n    return -np.mean", "    return -np.mean", "nan_log", "Clip p"),
    ("bce", "    p = np.clip(p, EPS, 1 - EPS)\n    return (p - y)", "    return (p - y)", "nan_log", "Clip p"),
    ("dense", "return grad @ self.W.T", "return grad @ self.W", "shape_mismatch", "inner sizes must agree"),
    # more mistakes the grader names
    ("softmax_ce", "e = np.exp(z - z.max(axis=1, keepdims=True))", "e = np.exp(z)", "overflow", "maximum"),
    ("softmax_ce", "e.sum(axis=1, keepdims=True)", "e.sum(axis=0, keepdims=True)", "axis", "wrong axis"),
    ("adam", "m_hat = m_new / (1 - beta1**t)", "m_hat = m_new", "no_bias_correction", "bias-corrected"),
    ("neuron_forward", "return np.mean((y - y_hat) ** 2)", "return np.sum((y - y_hat) ** 2)", "loss_sum", "mean"),
    ("neuron_backward", "dW = x.T @ delta", "dW = x.T @ delta / len(x)", "post_sum", "sum over the rows"),
    ("dense", "self.dW = self.x.T @ grad", "self.dW = self.x.T @ grad / len(grad)", "batch_size_twice",
     "divided out twice"),
    ("relu", "return grad * (z > 0)", "return (z > 0) * 1.0", "mask_only", "chain rule"),
    ("momentum", "v_new = momentum * v + g", "v_new = momentum * v + lr * g\n    p_new = p - v_new\n    return "
     "p_new, v_new", "momentum_form", "PyTorch"),
]


@pytest.mark.parametrize(("name", "old", "new", "mistake", "words"), MISTAKE_CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in MISTAKE_CASES])
def test_each_classic_mistake_is_caught_with_its_diagnosis(name, old, new, mistake, words):
    v = _wrong(name, old, new)
    assert not v.passed
    assert mistake in v.mistakes, str(v)
    diagnosed = next(c for c in v.checks if c.mistake == mistake)
    assert not diagnosed.passed and words in str(diagnosed.diagnosis)
    assert words in str(v)  # the printed report a notebook shows carries the diagnosis


def test_every_named_mistake_is_exercised_by_a_wrong_solution():
    assert {c[3] for c in MISTAKE_CASES} >= set(MISTAKES) - {"chain_rule"}


def test_the_wrong_entry_is_located_with_expected_and_got():
    v = _wrong("dense", "return grad @ self.W.T", "out = grad @ self.W.T\n        out[0, 0] += 1\n        return out")
    bad = next(c for c in v.failed if str(c.label).startswith("backward(grad)"))
    detail = str(bad.detail)
    assert "first at index [0, 0]" in detail and "expected" in detail and "got" in detail
    assert bad.mistake is None  # a bug with no known shape gets no made-up diagnosis


def test_in_place_mistake_names_the_argument():
    v = _wrong("relu", "return np.maximum(z, 0)", "z[z < 0] = 0\n    return z")
    c = next(c for c in v.checks if c.mistake == "in_place")
    assert "relu" in str(c.label) and "z" in str(c.diagnosis)
    # relu's values are still right: only the in-place sub-check fails
    assert all(c.passed for c in v.checks if str(c.label).startswith("relu(z)"))


def test_errors_in_student_code_are_reported_with_the_line():
    v = grade_source("sigmoid", "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
                                "def sigmoid_derivative(s):\n    raise RuntimeError('oops')\n")
    assert not v.passed
    failed = str(v.failed[0].detail)
    assert "RuntimeError" in failed and "line 5" in failed and "oops" in failed
    syntax = grade_source("sigmoid", "def sigmoid(z) return z")
    assert syntax.error is not None and "SyntaxError at line 1" in str(syntax.error)
    missing = grade_source("sigmoid", "def sigmoid(z):\n    return z\n")
    assert "Define a function named sigmoid_derivative" in str(missing.error)


def test_printed_output_is_captured_and_cut_short():
    v = grade_source("relu", exercise("relu").solution + "print('x' * 5000)\n")
    assert v.passed and v.output.startswith("xxx") and len(v.output) <= 2001


def test_central_differences_catch_a_gradient_inconsistent_with_the_forward_pass():
    """A student whose forward pass is (wrongly) 2x the sigmoid but whose derivative is s(1-s):
    the value check fails and so does the central-difference check of the pair."""
    code = exercise("sigmoid").solution.replace("return 1 / (1 + np.exp(-z))", "return 2 / (1 + np.exp(-z))")
    v = grade_source("sigmoid", code)
    grad = [c for c in v.checks if "central differences" in str(c.label)]
    assert grad and not any(c.passed for c in grad)


def test_verdict_round_trips_through_json():
    v = _wrong("softmax_ce", "return (softmax(z) - y) / len(z)", "return softmax(z) - y")
    back = Verdict.from_dict(json.loads(json.dumps(v.to_dict())))
    assert str(back) == str(v) and back.mistakes == v.mistakes and back.passed == v.passed


def test_grading_is_deterministic():
    code = exercise("adam").solution.replace("m_hat = m_new / (1 - beta1**t)", "m_hat = m_new")
    assert str(grade_source("adam", code)) == str(grade_source("adam", code))


def test_bad_names_and_hint_steps_raise_value_errors():
    with pytest.raises(ValueError, match="name must be one of"):
        check("nope", {})
    with pytest.raises(ValueError, match="step must be between 1 and 3"):
        hint("sigmoid", 4)
    assert "np.exp" in hint("sigmoid", 1)


def test_adam_reference_matches_nnlib_over_steps():
    """The grader's reference is nnlib's own optimizer: a correct step agrees for t = 1..3."""
    ns = {}
    exec(exercise("adam").solution, ns)
    p = np.array([1.0, -2.0])
    pairs = [(p.copy(), np.zeros(2))]
    opt = nnlib.Adam(pairs, lr=0.01)
    m = v = np.zeros(2)
    for t, g in enumerate([np.array([0.5, -1.0]), np.array([0.1, 0.2]), np.array([-0.3, 0.0])], start=1):
        pairs[0][1][...] = g
        opt.step()
        p, m, v = ns["adam_step"](p, g, m, v, t, 0.01, 0.9, 0.999, 1e-8)
        np.testing.assert_allclose(p, pairs[0][0], rtol=1e-12)
