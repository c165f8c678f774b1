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


def test_a_hint_is_not_named_where_two_mistakes_give_the_same_value():
    hints = {"forgot the bias": 4.5, "subtracted the bias": 4.5, "squared it": 25.0}
    message = _message(lambda: course_checks.expect_close(4.5, 5.0, "f", hints=hints))
    assert "bias" not in message
    assert "squared it" in _message(lambda: course_checks.expect_close(25.0, 5.0, "f", hints=hints))


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        (10.0, 5.0),  # one number is always some multiple of another
        (np.array([2.0, 2.0, 2.0]), np.array([1.0, 1.0, 1.0])),  # one distinct value
        (np.array([4.0, 2.0, 9.0]), np.array([1.0, 2.0, 3.0])),  # ratios differ
        (np.array([-1.0, -2.0, 3.0]), np.array([1.0, 2.0, 3.0])),  # only some signs wrong
    ],
)
def test_no_constant_factor_or_sign_hint_without_several_values_sharing_it(got, expected):
    message = _message(lambda: course_checks.expect_close(got, expected, "f"))
    assert "times the expected" not in message and "wrong sign" not in message


def test_expect_call_checks_the_inputs_first_then_names_the_mistake_computed_on_these_inputs():
    def weighted_sum_in_place(x, w, b):
        w *= 2
        return np.dot(w, x) + b

    x, w = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    message = _message(lambda: course_checks.expect_call(weighted_sum_in_place, (x, w, 0.5), -1.0, "ws"))
    assert "changed its input w" in message and "expected" not in message
    assert np.array_equal(w, [1.0, -2.0]), "the check does not hide what the function did"

    hints = {"The bias seems missing.": lambda x, w, b: np.dot(w, x), "Subtracted.": lambda x, w, b: np.dot(w, x) - b}
    no_bias = lambda x, w, b: np.dot(w, x)  # noqa: E731
    message = _message(
        lambda: course_checks.expect_call(no_bias, (x, np.array([0.5, -1.0]), 0.5), -1.0, "ws", hints=hints)
    )
    assert "bias seems missing" in message and "Subtracted" not in message
    # With b = 0 both mistakes give the right value... and with equal values neither hint is named.
    same = {"A.": lambda x, w, b: np.dot(w, x) + 1, "B.": lambda x, w, b: np.dot(w, x) + 1}
    message = _message(
        lambda: course_checks.expect_call(no_bias, (x, np.array([0.5, -1.0]), -1.0), -2.5, "ws", hints=same)
    )
    assert "hint: A." not in message and "hint: B." not in message
    assert course_checks.expect_call(np.add, (1.0, 2.0), 3.0, "add") is None, "a cell ending with it displays nothing"


def test_expect_raises_names_the_expected_and_the_actual_exception():
    def raises_type_error(x):
        raise TypeError("bad operand")

    message = _message(lambda: course_checks.expect_raises(ValueError, raises_type_error, (1,), "f(1)"))
    assert "expected ValueError, got TypeError" in message and "bad operand" in message
    message = _message(lambda: course_checks.expect_raises(ValueError, abs, (-2,), "abs(-2)"))
    assert "nothing was raised" in message and "2" in message

    def raises_value_error(x):
        raise ValueError("shape (3,) does not fit")

    assert course_checks.expect_raises(ValueError, raises_value_error, (1,), "f", mentions=["(3,)"]) is None
    assert "lacks ['(4, 1)']" in _message(
        lambda: course_checks.expect_raises(ValueError, raises_value_error, (1,), "f", mentions=["(4, 1)"])
    )


def test_no_line_of_a_failure_is_longer_than_what_nbgrader_validate_shows():
    what = "layer_forward_loop(x, W, b) with W = [[1, 2, 0], [-1, 0, 3]], b = [[0.5], [-1]], x = [[1], [2], [3]]"
    message = _message(lambda: course_checks.expect_close(np.arange(40.0), np.arange(40.0) + 1, what, hints={what: 0}))
    assert max(len(line) for line in message.splitlines()) <= 78, message
    assert "layer_forward_loop(x, W, b)" in message.splitlines()[0]


def test_in_jupyter_a_failure_shows_the_test_line_and_the_message_not_the_helpers():
    import linecache

    cell = "x = 1\ncourse_checks.expect_close(2.0, 1.0, 'f(1)')\n"
    filename = "<ipython-input-7>"
    linecache.cache[filename] = (len(cell), None, cell.splitlines(True), filename)
    try:
        exec(compile(cell, filename, "exec"), {"course_checks": course_checks})
    except course_checks.CheckFailed as error:
        shown = error._render_traceback_()
    assert shown[:2] == ["Check failed at line 2 of the cell:", "    course_checks.expect_close(2.0, 1.0, 'f(1)')"]
    assert shown[2] == "f(1) is wrong." and not any("course_checks/" in line or "_fail" in line for line in shown)


def test_a_passing_test_cell_says_so_in_one_line(capsys):
    import types

    course_checks._report_passed(types.SimpleNamespace(success=False))  # forget the checks of earlier tests
    course_checks.expect_close(1.0, 1.0, "f")
    course_checks.expect(True, "never shown")
    cell = '"""f on hand-computed values.\n\nMore words."""\nexpect_close(f(1), 1, "f")'
    course_checks._report_passed(types.SimpleNamespace(success=True, info=types.SimpleNamespace(raw_cell=cell)))
    assert capsys.readouterr().out == "Passed (2 checks): f on hand-computed values.\n"
    course_checks._report_passed(types.SimpleNamespace(success=True, info=types.SimpleNamespace(raw_cell="1 + 1")))
    assert capsys.readouterr().out == "", "a cell without checks prints nothing"
    course_checks.expect(True, "run by a helper, not by the cell itself")
    course_checks._report_passed(types.SimpleNamespace(success=True, info=types.SimpleNamespace(raw_cell="save()")))
    assert capsys.readouterr().out == ""


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
