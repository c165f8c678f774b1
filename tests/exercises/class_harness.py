"""A generated class for the parallel grading tests and the load test: many submissions of one assignment, the
grading command (``course_grader.coordinator``) run as the instructor runs it, and what its ledger recorded.

The expected scores are the harness's (``Assignment.expected_scores``): what a serial ``nbgrader autograde`` gives
each kind of submission, which ``test_assignments.py`` checks for every assignment.
"""

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import sqlalchemy as sa
from course_harness import ASSIGNMENTS, Assignment, fill, make_course, nbgrader, release_notebook, submit
from nbgrader.api import Gradebook, MissingEntry

CORRUPT = '{"cells": [ not JSON'


def faulty_bodies(assignment):
    """{kind: (answer bodies, grade ids lost)} of the faults: an endless loop, memory exhaustion, a dying kernel."""
    first = assignment.functions[0]
    lost = assignment.ids_of(first)
    body = dict(assignment.solutions)
    return {
        "endless_loop": ({**body, first: "while True:\n    pass"}, lost),
        "memory_hog": ({**body, first: "hog = []\nwhile True:\n    hog.append(np.ones(2**26))"}, lost),
        "kernel_dies": ({**body, first: "import os\n\nos._exit(1)"}, lost),
    }


def make_class(directory, count, fault_every=None, name=ASSIGNMENTS[0], db_url=None):
    """A course with ``count`` submissions of ``name``; returns (course, assignment, {student: expected
    {grade id: score}}). The submissions cycle through the harness's students (reference, blank, wrong answers,
    calls nnlib, tampers) and a corrupt file; with ``fault_every``, every ``fault_every``-th one is instead the
    next of the faults (an endless loop, memory exhaustion, a dying kernel). ``db_url``: the gradebook's SQLAlchemy
    URL, set in the course's nbgrader_config.py (default: nbgrader's, gradebook.db in the course).
    """
    course = make_course(directory, [name])
    if db_url:
        with open(course / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    generated = nbgrader(course, "generate_assignment", name, "--force")
    assert generated.returncode == 0, generated.stdout
    assignment = Assignment(course, name)
    release = release_notebook(course, name)
    kinds = {
        kind: (release if bodies is None else fill(release, bodies), lost)
        for kind, (bodies, lost) in assignment.students().items()
    }
    kinds["corrupt"] = (CORRUPT, set(assignment.points))
    faults = {kind: (fill(release, bodies), lost) for kind, (bodies, lost) in faulty_bodies(assignment).items()}
    ordinary, faulty = itertools.cycle(kinds), itertools.cycle(faults)
    expected = {}
    for index in range(count):
        is_fault = fault_every and (index + 1) % fault_every == 0
        kind = next(faulty) if is_fault else next(ordinary)
        notebook, lost = (faults if is_fault else kinds)[kind]
        student = f"s{index + 1:03d}_{kind}"
        submit(course, name, student, notebook)
        expected[student] = assignment.expected_scores(lost)
    return course, assignment, expected


def start_grading(course, *args, env=None):
    """Start ``python -m course_grader.coordinator`` in the course directory (output merged, no progress bar)."""
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    environment.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "course_grader.coordinator", *args, "--no-progress"],
        cwd=course,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def gradebook_url(course, db_url=None):
    return db_url or f"sqlite:///{Path(course) / 'gradebook.db'}"


def ledger(course, db_url=None):
    """The ledger's rows (assignment, student, sha256, state, ...) in the order they were written."""
    engine = sa.create_engine(gradebook_url(course, db_url))
    try:
        if not sa.inspect(engine).has_table("course_grader_ledger"):
            return []
        with engine.connect() as connection:
            return list(connection.execute(sa.text("SELECT * FROM course_grader_ledger ORDER BY id")))
    finally:
        engine.dispose()


def complete(course):
    """How many submissions have a complete ledger record."""
    return sum(row.state in ("graded", "unreadable") for row in ledger(course))


def wait_for(process, condition, timeout=900):
    """Wait until ``condition()`` holds while ``process`` runs; fail if it ended first or the time ran out."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the grading ended before the kill:\n{process.stdout.read()[-3000:]}"
        assert time.monotonic() < deadline, "the grading did not get there in time"
        time.sleep(0.5)  # each look opens the gradebook: few of them, so that the writer is never kept waiting


def kill_a_worker(coordinator):
    """SIGKILL one of the coordinator's worker processes (one that is not multiprocessing's resource tracker)."""
    for child in psutil.Process(coordinator.pid).children():
        command = " ".join(child.cmdline())
        if "spawn_main" in command and "resource_tracker" not in command:
            child.send_signal(signal.SIGKILL)
            return child.pid
    raise AssertionError("the coordinator has no worker process to kill")


def kill(process):
    """SIGKILL the grading command and return its output so far. A worker that outlived it would hold that output
    open: then this fails after 60 s, naming the orphaned workers, instead of waiting forever."""
    process.send_signal(signal.SIGKILL)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        orphans = [
            worker.pid
            for worker in psutil.process_iter(["ppid", "cmdline"])
            if worker.info["ppid"] == 1 and "--multiprocessing-fork" in (worker.info["cmdline"] or [])
        ]
        raise AssertionError(
            f"the killed grading command's output is still held open; orphaned workers: {orphans}"
        ) from None
    return output


def grades(course, name, student, db_url=None):
    """{grade id: score} of one graded submission, from the gradebook (None if it was not graded)."""
    with Gradebook(gradebook_url(course, db_url)) as gradebook:
        try:
            notebook = gradebook.find_submission_notebook(name, name, student)
        except MissingEntry:
            return None
        return {grade.name: grade.score for grade in notebook.grades}


def mismatches(course, name, expected, db_url=None):
    """{student: {grade id: (got, expected)}} of every autograded score that differs from the expected one."""
    found = {}
    for student, want in expected.items():
        got = grades(course, name, student, db_url) or {}
        wrong = {grade_id: (got.get(grade_id), score) for grade_id, score in want.items() if got.get(grade_id) != score}
        if wrong:
            found[student] = wrong
    return found


def counted_twice(course, db_url=None):
    """Submissions (student, sha256) with more than one complete record in the ledger."""
    seen = {}
    for row in ledger(course, db_url):
        if row.state in ("graded", "unreadable"):
            seen[(row.student, row.sha256)] = seen.get((row.student, row.sha256), 0) + 1
    return {key: n for key, n in seen.items() if n > 1}
