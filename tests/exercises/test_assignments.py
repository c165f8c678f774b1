"""End-to-end tests of every assignment with the real nbgrader and real kernels, data-driven.

For each assignment (exercises/source/<a>/<a>.md + wrong_answers/a<a>.py) the `graded` fixture releases it,
submits the reference, the blank release, the author's wrong answers, an answer that merely calls nnlib and one
that tampers with the checks, and grades them all in one `nbgrader autograde` call.
"""

import re

import nbformat
import pytest
from course_harness import ASSIGNMENTS, COURSE, Assignment, visible_text
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath


def _mismatches(graded, student):
    bodies, lost = graded.students[student]
    expected = graded.assignment.expected_scores(lost)
    got = graded.grades[student]
    assert got is not None, f"{student} was not graded:\n{graded.autograde_log[-3000:]}"
    return {
        grade_id: (expected[grade_id], got.get(grade_id))
        for grade_id in expected
        if expected[grade_id] != got.get(grade_id)
    }


def test_autograde_run_succeeds(graded):
    assert graded.autograde_status == 0, graded.autograde_log[-3000:]
    assert set(graded.grades) == set(graded.students)


def test_release_has_no_solutions_and_no_hidden_tests(graded):
    released = graded.course / "release" / graded.name
    assert sorted(path.name for path in released.iterdir()) == [f"{graded.name}.ipynb"], "only the notebook is released"
    text = "\n".join(cell.source for cell in graded.release.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "check_hidden", "MARK SCHEME"):
        assert marker not in text
    secret_lines = [line for body in graded.assignment.solutions.values() for line in body.splitlines()]
    for cell in graded.assignment.source.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            secret_lines += cell.source.split("### BEGIN HIDDEN TESTS")[1].splitlines()
    public = {f"{function}," for function in graded.assignment.functions}  # a graded function named as an argument
    leaked = [
        line.strip()
        for line in secret_lines
        if len(line.strip()) > 12 and line.strip() in text and line.strip() not in public
    ]
    assert not leaked, f"solution or hidden-test lines in the release: {leaked}"


def test_reference_gets_full_marks(graded):
    assert _mismatches(graded, "reference") == {}


def test_blank_release_scores_zero_on_every_autograded_cell(graded):
    assert _mismatches(graded, "blank") == {}
    assert set(graded.grades["blank"]) >= set(graded.assignment.points), "every cell was graded"


def test_each_wrong_answer_loses_exactly_its_functions_points(graded):
    wrong = [student for student in graded.students if student.startswith("wrong_")]
    assert wrong
    failures = {student: _mismatches(graded, student) for student in wrong}
    assert not any(failures.values()), f"grade id: (expected, got) per student: {failures}"


def test_merely_calling_nnlib_loses_every_test_of_the_function(graded):
    assert graded.assignment.hidden, "every graded function has hidden tests"
    assert _mismatches(graded, "calls_nnlib") == {}


def test_tampering_with_numpy_and_nnlib_scores_zero(graded):
    assert _mismatches(graded, "tamper") == {}


def test_validate_passes_the_reference_and_fails_the_blank_release(graded):
    reports = re.split(r"Validating '", graded.validate_log)[1:]
    by_student = {report.split("/submitted/")[1].split("/")[0]: report for report in reports}
    assert "Success! Your notebook passes all the tests." in by_student["reference"], graded.validate_log[-3000:]
    assert "VALIDATION FAILED" in by_student["blank"], graded.validate_log[-3000:]


def test_validate_shows_each_failure_whole_and_short(graded):
    """The failure messages of a wrong submission: not cut at nbgrader's line width, no traceback through
    course_checks, and the line of the test cell that failed."""
    reports = re.split(r"Validating '", graded.validate_log)[1:]
    by_student = {report.split("/submitted/")[1].split("/")[0]: report for report in reports}
    if "wrong_1" not in by_student:
        pytest.skip("a wrong submission is validated for the first assignment only")
    report = by_student["wrong_1"]
    errors = [part.split("=" * 20)[0] for part in report.split("The error was:")[1:]]
    assert "VALIDATION FAILED" in report and errors, report[-3000:]
    for error in errors:
        assert "Check failed at line" in error and "course_checks" not in error, error
        assert not [line for line in error.splitlines() if line.endswith("...")], f"a line was cut:\n{error}"


def test_feedback_never_shows_hidden_test_code(graded):
    assert graded.feedback_status == 0, graded.feedback_log[-3000:]
    hidden_lines = set()
    for cell in graded.assignment.source.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
            hidden_lines |= {line.strip() for line in hidden.splitlines() if len(line.strip()) > 12}
    hidden_lines -= {f"{function}," for function in graded.assignment.functions}  # a graded function as an argument
    pages = sorted((graded.course / "feedback").glob(f"*/{graded.name}/*.html"))
    assert {page.parts[-3] for page in pages} == set(graded.students)
    for page in pages:
        text = visible_text(page.read_text())
        assert "BEGIN HIDDEN TESTS" not in text and "check_hidden(" not in text, page
        shown = [line for line in hidden_lines if line in text]
        assert not shown, f"{page} shows hidden test lines: {shown}"
    # A failed hidden test still explains itself: the message, not the code.
    wrong_page = (graded.course / "feedback" / "tamper" / graded.name / f"{graded.name}.html").read_text()
    assert "hidden case" in visible_text(wrong_page) or "differs from the reference" in visible_text(wrong_page)


class _FormulaCounter(IPythonRenderer):
    """nbconvert's own Markdown parser, counting the formulas it hands to the renderer."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def block_math(self, body):
        self.count += 1
        return super().block_math(body)

    def inline_math(self, body):
        self.count += 1
        return super().inline_math(body)

    def latex_environment(self, name, body):
        self.count += 1
        return super().latex_environment(name, body)


def test_feedback_writes_every_formula_as_mathml_and_loads_nothing_from_the_network(graded):
    """nbgrader's feedback template loads MathJax from a CDN, so a learner reading the page offline saw raw TeX."""
    page = (graded.course / "feedback" / "reference" / graded.name / f"{graded.name}.html").read_text()
    graded_notebook = nbformat.read(
        graded.course / "autograded" / "reference" / graded.name / f"{graded.name}.ipynb", 4
    )
    remote = re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//[^>]*>", page)
    assert not remote, f"the feedback page loads {remote}"
    counter = _FormulaCounter()
    for cell in graded_notebook.cells:
        if cell.cell_type == "markdown":
            MarkdownWithMath(renderer=counter).render(cell.source)
    assert counter.count > 0 and page.count("<math ") == counter.count, (counter.count, page.count("<math "))


def test_csv_export_has_one_row_per_student_with_the_right_total(graded):
    rows = [row for row in graded.rows if row["assignment"] == graded.name]
    assert sorted(row["student_id"] for row in rows) == sorted(graded.students)
    for row in rows:
        _bodies, lost = graded.students[row["student_id"]]
        expected = sum(graded.assignment.expected_scores(lost).values())
        assert float(row["raw_score"]) == pytest.approx(expected), row
        total = sum(graded.assignment.points.values()) + sum(graded.assignment.manual.values())
        assert float(row["max_score"]) == pytest.approx(total), row


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_assignment_follows_the_course_rules(name):
    """Counts and the wrong-answers file, without running anything (fast)."""
    assignment = Assignment(COURSE, name)
    assert 3 <= len(assignment.functions) <= 8, assignment.functions
    assert assignment.manual, "at least one manually graded written answer"
    wrong = assignment.wrong_answers()
    assert sorted(wrong) == sorted(assignment.functions), "wrong answers for every graded function, and only those"
    for function, answers in wrong.items():
        assert len(answers) >= 5, f"{function}: at least five wrong answers"
        ids = assignment.ids_of(function)
        assert ids and ids & assignment.hidden, f"{function}: visible and hidden test cells"
        for answer, (body, lost) in answers.items():
            assert body.strip() and set(lost) and set(lost) <= ids, f"{function}/{answer}: loses {lost}, not in {ids}"
        assignment.reference_of(function)


def test_the_course_has_enough_graded_functions():
    total = sum(len(Assignment(COURSE, name).functions) for name in ASSIGNMENTS)
    assert total >= 3 * len(ASSIGNMENTS)
    if len(ASSIGNMENTS) == 8:
        assert total >= 30
