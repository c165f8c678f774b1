"""course_checks' messages and hints, the checker's hidden checks in-process, the build's authoring rules."""

import course_checks
import numpy as np
import pytest
from course_checks.build import AuthoringError, to_nbgrader
from course_grader import hidden


def _message(call):
    with pytest.raises(AssertionError) as failure:
        call()
    return str(failure.value)


def test_expect_close_explains_a_difference():
    message = _message(lambda: course_checks.expect_close(np.array([1.0, 2.5, 3.0]), np.array([1.0, 2.0, 3.0]), "f(x)"))
    assert "f(x) is wrong" in message and "expected:" in message and "got:" in message
    assert "first difference at index (1,): expected 2.0, got 2.5" in message


@pytest.mark.parametrize(
    ("got", "hint"),
    [
        (-np.array([1.0, 2.0, 3.0]), "wrong sign"),
        (4 * np.array([1.0, 2.0, 3.0]), "4 times the expected"),
        (np.ones((3, 3)), "broadcasts to (n, n)"),
        (np.array([[1.0, 2.0, 3.0]]).T.T.reshape(3, 1).T, "Same number of entries"),
        (np.array([1.0, np.inf, 3.0]), "overflowing exp"),
    ],
)
def test_expect_close_hints_at_the_usual_mistakes(got, hint):
    assert hint in _message(lambda: course_checks.expect_close(got, np.array([1.0, 2.0, 3.0]), "f"))


def test_transposed_results_are_named():
    expected = np.arange(6.0).reshape(2, 3)
    assert "transposed" in _message(lambda: course_checks.expect_close(expected.T, expected, "f"))


def test_author_hints_show_only_when_they_apply():
    hints = {"forgot the bias": 4.5, "one number for many examples": lambda got: np.ndim(got) == 0}
    message = _message(lambda: course_checks.expect_close(4.5, 5.0, "f", hints=hints))
    assert "forgot the bias" in message and "one number" in message
    assert "forgot the bias" not in _message(lambda: course_checks.expect_close(1.0, 5.0, "f", hints=hints))


def test_dtype_and_integer_rules():
    assert "dtype" in _message(
        lambda: course_checks.expect_close(np.ones(2), np.ones(2, np.float32), "f", check_dtype=True)
    )
    assert "integer" in _message(lambda: course_checks.expect_close(17.0, 17, "f"))
    course_checks.expect_close({"W": np.ones(2), "n": (3, 4)}, {"W": np.ones(2), "n": (3, 4)}, "dicts")
    assert "['W']" in _message(lambda: course_checks.expect_close({"W": np.zeros(2)}, {"W": np.ones(2)}, "f"))


def test_expect_replaces_a_bare_assert():
    course_checks.expect(True, "never shown")
    assert _message(lambda: course_checks.expect(False, "what went wrong")) == "what went wrong"


def _good_step(z):
    z = np.asarray(z)
    return (z > 0).astype(z.dtype)


CASES = [hidden.case(np.array([-1.0, 0.0, 2.0])), hidden.case(np.ones(3, np.float32), label="f32")]


def test_check_hidden_accepts_a_right_answer_and_explains_wrong_ones_without_the_reference_values():
    hidden.check_hidden(_good_step, "nnlib.neuron.step", CASES)
    message = _message(lambda: hidden.check_hidden(lambda z: np.where(z >= 0, 1.0, 0.0), "nnlib.neuron.step", CASES))
    assert "hidden case 1" in message and "index (1,)" in message and "1 of 3 values differ" in message
    assert "expected" not in message, "a hidden case never shows a reference value"
    message = _message(lambda: hidden.check_hidden(lambda z: (z > 0) * 1.0, "nnlib.neuron.step", CASES))
    assert "hidden case 2 (f32)" in message and "float32" in message


def test_check_hidden_catches_modified_inputs_and_overflow_warnings():
    def modifies(z):
        z[...] = _good_step(z)
        return z

    assert "modified its input" in _message(lambda: hidden.check_hidden(modifies, "nnlib.neuron.step", CASES))

    def naive_sigmoid(Z):
        return 1 / (1 + np.exp(-Z))

    big = [hidden.case(np.array([-1000.0, 0.0, 1000.0]))]
    assert "overflow" in _message(lambda: hidden.check_hidden(naive_sigmoid, "nnlib.activations.sigmoid", big))


def test_the_reference_gets_copies_of_the_arguments():
    x = np.array([-1.0, 2.0])
    assert np.array_equal(hidden.reference("nnlib.neuron.step", x), [0.0, 1.0]) and np.array_equal(x, [-1.0, 2.0])
    with pytest.raises(ValueError, match="Course bug"):
        hidden.reference("os.system", "true")


def _notebook(*cells):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    for kind, spec, source in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if spec:
            cell.metadata["nbgrader"] = spec
        notebook.cells.append(cell)
    return notebook


SETUP = ("code", {"kind": "locked", "id": "setup"}, "from course_checks import expect_close")
ANSWER = (
    "code",
    {"kind": "answer", "id": "f"},
    "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION",
)


@pytest.mark.parametrize(
    ("cell", "rule"),
    [
        (("code", {"kind": "tests", "id": "test_f_x", "points": 1}, "expect_close(f(1), 1, 'f')"), "docstring"),
        (("code", {"kind": "tests", "id": "test_f_x", "points": 1}, '"""Doc."""\nassert f(1) == 1'), "bare assert"),
        (("code", {"kind": "tests", "id": "check_f", "points": 1}, '"""Doc."""'), "test_<function>_<property>"),
        (("code", {"kind": "tests", "id": "test_f_x"}, '"""Doc."""'), "points"),
        (
            ("code", {"kind": "tests", "id": "test_f_x", "points": 1}, '"""D."""\n### BEGIN HIDDEN TESTS\nf(1)\n'),
            "check_hidden",
        ),
    ],
)
def test_the_build_enforces_the_authoring_rules(cell, rule):
    with pytest.raises(AuthoringError, match=rule.replace("(", r"\(").replace(")", r"\)")):
        to_nbgrader(_notebook(SETUP, ANSWER, cell))


def test_the_build_writes_nbgrader_metadata():
    test = ("code", {"kind": "tests", "id": "test_f_values", "points": 2}, '"""Doc."""\nexpect_close(f(1), 1, "f")')
    written = ("md", {"kind": "written", "id": "why", "points": 1}, "Because.")
    notebook = to_nbgrader(_notebook(SETUP, ANSWER, test, written))
    metas = [cell.metadata["nbgrader"] for cell in notebook.cells]
    assert [(m["grade"], m["solution"], m["locked"]) for m in metas] == [
        (False, False, True),
        (False, True, False),
        (True, False, True),
        (True, True, False),
    ]
    assert metas[2]["points"] == 2 and all(m["schema_version"] == 3 for m in metas)
    with pytest.raises(AuthoringError, match="first nbgrader cell"):
        to_nbgrader(_notebook(ANSWER, SETUP))
