"""Fixtures of the exercise tests: one graded temporary course per assignment (see course_harness)."""

import subprocess
import types

import pytest
from course_harness import (
    ASSIGNMENTS,
    NBGRADER,
    Assignment,
    export_rows,
    fill,
    grades,
    make_course,
    nbgrader,
    release_notebook,
    submit,
)


def _validate(course, paths):
    """Start ``nbgrader validate`` on the paths (runs beside autograde: 2 cores)."""
    return subprocess.Popen(
        [NBGRADER, "validate", *map(str, paths)],
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="session", params=ASSIGNMENTS)
def graded(request, tmp_path_factory):
    """A course with one assignment released, all derived students submitted, autograded, validated, with
    feedback and the CSV export. Everything for one assignment costs one call of each nbgrader command."""
    name = request.param
    course = make_course(tmp_path_factory.mktemp(f"course_{name}"), [name])
    generated = nbgrader(course, "generate_assignment", name, "--force")
    assert generated.returncode == 0, generated.stdout
    assignment = Assignment(course, name)
    release = release_notebook(course, name)
    # The first wrong answer of every function, graded end to end; all of them lose exactly their declared cells
    # in-process too (test_wrong_answers_caught.py), at a fraction of the time.
    students = assignment.students(wrong_submissions=1)
    written = {grade_id: "The bias is minus the threshold." for grade_id in assignment.manual}
    paths = {
        student: submit(course, name, student, release if bodies is None else fill(release, bodies, written))
        for student, (bodies, _lost) in students.items()
    }
    # A wrong submission is validated too, for one assignment: what a learner reads when Validate fails.
    shown = [paths["wrong_1"]] if name == ASSIGNMENTS[0] and "wrong_1" in paths else []
    validation = _validate(course, [paths["reference"], paths["blank"], *shown])
    autograded = nbgrader(course, "autograde", name)
    validated = validation.communicate(timeout=600)[0]
    feedback = nbgrader(course, "generate_feedback", name)
    return types.SimpleNamespace(
        name=name,
        course=course,
        assignment=assignment,
        release=release,
        students=students,
        autograde_log=autograded.stdout,
        autograde_status=autograded.returncode,
        validate_log=validated,
        feedback_log=feedback.stdout,
        feedback_status=feedback.returncode,
        grades={student: grades(course, name, student) for student in students},
        rows=export_rows(course),
    )
