"""The parallel grading command on a class of 24: a second run started beside the first is refused, a worker and then
the coordinator are killed mid-run, the command is run again, and every submission ends up graded exactly once with
the scores of a serial run; a submission changed afterwards is graded again, alone."""

import re
import types

import pytest
from class_harness import (
    complete,
    counted_twice,
    kill,
    kill_a_worker,
    ledger,
    make_class,
    mismatches,
    start_grading,
    wait_for,
)
from course_harness import release_notebook, submit

STUDENTS = 24


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    course, assignment, expected = make_class(tmp_path_factory.mktemp("parallel"), STUDENTS)
    name = assignment.name
    first = start_grading(course, name, "--workers", "2")
    wait_for(first, lambda: complete(course) >= 2)
    rival = start_grading(course, name, "--workers", "1")
    rival_log = rival.communicate(timeout=120)[0]
    kill_a_worker(first)
    after_worker_death = complete(course)
    wait_for(first, lambda: complete(course) >= after_worker_death + 3)  # the pool was replaced and goes on
    first_log = kill(first)
    killed_at = complete(course)
    second = start_grading(course, name, "--workers", "2")
    second_log = second.communicate(timeout=900)[0]
    return types.SimpleNamespace(
        course=course,
        name=name,
        assignment=assignment,
        expected=expected,
        killed_at=killed_at,
        first_log=first_log,
        first_pid=first.pid,
        rival=rival,
        rival_log=rival_log,
        second=second,
        second_log=second_log,
    )


def test_the_rerun_grades_only_what_the_killed_run_left(interrupted):
    assert interrupted.second.returncode == 0, interrupted.second_log
    assert 0 < interrupted.killed_at < STUDENTS, interrupted.first_log
    left = STUDENTS - interrupted.killed_at
    summary = interrupted.second_log.splitlines()
    assert any(line.startswith(f"graded {left} of {left} submissions") for line in summary), interrupted.second_log
    assert f"{interrupted.killed_at} of {STUDENTS} already graded" in interrupted.second_log


def test_a_second_run_beside_the_first_is_refused_naming_it(interrupted):
    assert interrupted.rival.returncode != 0, interrupted.rival_log
    assert f"another grading run is under way in {interrupted.course}" in interrupted.rival_log
    assert f"(process {interrupted.first_pid})" in interrupted.rival_log


def test_every_submission_is_graded_exactly_once_with_the_scores_of_a_serial_run(interrupted):
    states = {}
    for row in ledger(interrupted.course):
        if row.state in ("graded", "unreadable"):
            states[row.student] = row.state
    assert set(states) == set(interrupted.expected)
    assert counted_twice(interrupted.course) == {}
    assert mismatches(interrupted.course, interrupted.name, interrupted.expected) == {}


def test_the_corrupt_file_scores_zero_and_the_summary_says_why(interrupted):
    """The rerun's summary names every corrupt file, also one found by the killed run (whose summary was lost)."""
    corrupt = [student for student in interrupted.expected if student.endswith("_corrupt")]
    assert corrupt
    for student in corrupt:
        named = rf"unreadable, scored 0( \(found by an earlier run\))?: {student}'s {interrupted.name}: "
        assert re.search(named + rf"{interrupted.name}\.ipynb: NotJSONError", interrupted.second_log), (
            interrupted.second_log
        )


def test_a_submission_changed_after_its_grading_is_graded_again_alone(interrupted):
    course, name = interrupted.course, interrupted.name
    student = next(student for student in interrupted.expected if student.endswith("_reference"))
    submit(course, name, student, release_notebook(course, name))  # resubmits the blank release
    again = start_grading(course, name, "--workers", "1")
    log = again.communicate(timeout=600)[0]
    assert again.returncode == 0, log
    assert "graded 1 of 1 submissions" in log and f"{STUDENTS - 1} of {STUDENTS} already graded" in log, log
    blank = interrupted.assignment.expected_scores(set(interrupted.assignment.points))
    assert mismatches(course, name, {student: blank}) == {}
    assert counted_twice(course) == {}
