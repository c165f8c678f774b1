"""Faulty submissions, graded in one `nbgrader autograde` call with a short cell timeout, beside a control.

An endless loop, a process that kills itself, memory exhaustion, deleted or edited test cells and a corrupt file
must each cost only what they break, without hanging or stopping the run for the other students.
"""

import sys
import types
from pathlib import Path

import nbformat
import pytest
from course_harness import ASSIGNMENTS, Assignment, fill, grades, make_course, nbgrader, release_notebook, submit

TIMEOUT = 3  # seconds per cell, instead of the course's 30


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    name = ASSIGNMENTS[0]
    course = make_course(tmp_path_factory.mktemp("faults"), [name])
    assert nbgrader(course, "generate_assignment", name, "--force").returncode == 0
    assignment = Assignment(course, name)
    release = release_notebook(course, name)
    first, second = assignment.functions[:2]
    body = dict(assignment.solutions)
    wrong_body, wrong_lost = next(iter(assignment.wrong_answers()[first].values()))

    edited = fill(release, {**body, first: wrong_body})
    kept = []
    for cell in edited.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id in assignment.ids_of(first):
            continue  # deleted test cells
        if grade_id in assignment.ids_of(second):
            cell.source = '"""Edited by the student."""\nraise RuntimeError("a test cell the student broke")'
        kept.append(cell)
    edited.cells = kept

    students = {
        "control": (fill(release, body), set()),
        "endless_loop": (fill(release, {**body, first: "while True:\n    pass"}), assignment.ids_of(first)),
        "memory_hog": (
            # 512 MB of address space at a time, never written: the limit is reached at once, however loaded the
            # machine (writing the pages outlasted the 3-second cell limit when the test suite ran beside it).
            fill(release, {**body, first: "hog = []\nwhile True:\n    hog.append(np.empty(2**26))"}),
            assignment.ids_of(first),
        ),
        "tests_deleted_or_edited": (edited, set(wrong_lost)),
        "kernel_dies": (fill(release, {**body, first: "import os\n\nos._exit(1)"}), assignment.ids_of(first)),
        "corrupt_file": ('{"cells": [ this is not JSON', None),
    }
    for student, (notebook, _lost) in students.items():
        submit(course, name, student, notebook)
    result = nbgrader(course, "autograde", name, env={"COURSE_CELL_TIMEOUT": str(TIMEOUT)})
    return types.SimpleNamespace(
        course=course,
        name=name,
        assignment=assignment,
        students=students,
        log=result.stdout,
        grades={student: grades(course, name, student) for student in students},
        first=first,
    )


@pytest.mark.parametrize("student", ["control", "endless_loop", "memory_hog", "tests_deleted_or_edited", "kernel_dies"])
def test_a_fault_costs_only_the_cells_it_breaks(faults, student):
    expected = faults.assignment.expected_scores(faults.students[student][1])
    assert faults.grades[student] is not None, f"{student} not graded:\n{faults.log[-3000:]}"
    got = {grade_id: faults.grades[student].get(grade_id) for grade_id in expected}
    assert got == expected


def test_the_endless_loop_was_cut_by_the_timeout_and_the_learner_is_told(faults):
    message = _test_output(faults, "endless_loop", sorted(faults.assignment.ids_of(faults.first))[0])
    assert "did not finish within the time limit" in message or "no answer within" in message, message


def test_a_process_that_kills_itself_costs_its_function_and_the_feedback_says_where_it_stopped(faults):
    assert "kernel_dies, " in faults.log and "execution stopped" in faults.log, faults.log[-3000:]
    first_test = sorted(faults.assignment.ids_of(faults.first))[0]
    assert "process running your code ended" in _test_output(faults, "kernel_dies", first_test)


def test_memory_exhaustion_is_named(faults):
    message = _test_output(faults, "memory_hog", sorted(faults.assignment.ids_of(faults.first))[0])
    assert "MemoryError" in message or "memory limit" in message, message


def _test_output(faults, student, grade_id):
    path = faults.course / "autograded" / student / faults.name / f"{faults.name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "\n".join(line for output in cell.outputs for line in output.get("traceback", []))


def _reported(log, student):
    return any("error processing assignment" in line and f"/{student}/" in line for line in log.splitlines())


def test_a_corrupt_notebook_is_reported_for_that_student_only(faults):
    scores = faults.grades["corrupt_file"]
    assert scores is None or not any(scores.values())
    assert _reported(faults.log, "corrupt_file")
    assert not _reported(faults.log, "control")
    graded = [student for student, scores in faults.grades.items() if scores is not None]
    assert {"control", "endless_loop", "memory_hog", "tests_deleted_or_edited"} <= set(graded)


def test_without_the_sandbox_autograde_fails_naming_what_is_missing_and_records_no_grade(tmp_path):
    name = ASSIGNMENTS[0]
    course = make_course(tmp_path / "no_sandbox", [name])
    assert nbgrader(course, "generate_assignment", name, "--force").returncode == 0
    assignment = Assignment(course, name)
    submit(course, name, "ada", fill(release_notebook(course, name), assignment.solutions))
    venv_only = str(Path(sys.executable).parent)  # no /usr/bin: bwrap cannot be found
    result = nbgrader(course, "autograde", name, env={"PATH": venv_only})
    assert result.returncode != 0 and "bubblewrap is not installed" in result.stdout, result.stdout[-3000:]
    assert not grades(course, name, "ada") or not any(grades(course, name, "ada").values())
