"""instructor.md's workflow as written, through nbgrader's exchange on one machine, the way a JupyterHub course runs.

The instructor releases 01_neuron to an exchange folder; a student, another course member with its own home
(as root: the user ``nobody``; otherwise the same user with another ``HOME``), fetches it, answers
it and submits; the instructor collects, autogrades, grades the written answer by hand, generates and releases
the feedback; the student fetches it; the instructor exports. Every step is the documented nbgrader command.
Also here: the release refuses a notebook built from an older ``.md``, and zip_collect takes the documented
file names.
"""

import csv
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest
from course_grader.workflow import MARKING_NOTE_HEADING
from course_harness import NBGRADER, Assignment, fill, grades, make_course, nbgrader, release_notebook

# `make test-extended`, not `make test`: an instructor's engines end to end (an exchange round, the formgrader in
# a browser, PostgreSQL, Dask), minutes of CI time that the 20-minute budget cannot hold.
pytestmark = pytest.mark.extended

NAME = "01_neuron"
COURSE_ID = "nn-from-scratch"
STUDENT_UID = 65534 if os.geteuid() == 0 else os.geteuid()
STUDENT = pwd.getpwuid(STUDENT_UID).pw_name  # the exchange names a submission by its user's login name
WRITTEN = "The threshold moves to the left side: w . x - theta > 0, so b = -theta."
MANUAL_SCORE = 1.5


def _student(home, *args):
    """Run an nbgrader command as the student: another user if we are root, always in another home."""
    prefix = (
        [] if STUDENT_UID == os.geteuid() else ["setpriv", f"--reuid={STUDENT_UID}", "--regid=65534", "--clear-groups"]
    )
    result = subprocess.run(
        [*prefix, NBGRADER, *args, f"--course={COURSE_ID}", f"--Exchange.root={home.parent / 'exchange'}"],
        cwd=home,
        env={**os.environ, "HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout
    return result.stdout


def _instructor(course, *args):
    result = nbgrader(course, *args)
    assert result.returncode == 0, result.stdout
    return result.stdout


@pytest.fixture(scope="module")
def machine():
    """A folder the student's user can enter: the course, the exchange and the student's home live in it."""
    root = Path(tempfile.mkdtemp(prefix="exchange-round-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def exchange_round(machine):
    course = make_course(machine / "course", [NAME])
    with open(course / "nbgrader_config.py", "a") as config:  # as on a hub: the exchange folder of the course
        config.write(f"\nc.Exchange.root = {str(machine / 'exchange')!r}\n")
    exchange = machine / "exchange"  # made by the hub's administrator, open to every course member
    exchange.mkdir()
    exchange.chmod(0o777)
    home = machine / "home"
    home.mkdir()
    os.chown(home, STUDENT_UID, -1)
    logs = {}
    logs["generate"] = _instructor(course, "generate_assignment", NAME, "--force")
    logs["release"] = _instructor(course, "release_assignment", NAME)

    logs["fetch"] = _student(home, "fetch_assignment", NAME)
    fetched = home / NAME / f"{NAME}.ipynb"
    assignment = Assignment(course, NAME)
    answered = fill(
        nbformat.read(fetched, as_version=4), assignment.solutions, dict.fromkeys(assignment.manual, WRITTEN)
    )
    nbformat.write(answered, fetched)
    logs["submit"] = _student(home, "submit", NAME)

    logs["collect"] = _instructor(course, "collect", NAME)
    logs["autograde"] = _instructor(course, "autograde", NAME)
    autograded = grades(course, NAME, STUDENT)
    waiting = _waiting_for_a_grader(course)
    before = _export(course)
    _grade_by_hand(course, assignment)
    logs["feedback"] = _instructor(course, "generate_feedback", NAME)
    logs["release_feedback"] = _instructor(course, "release_feedback", NAME)
    logs["fetch_feedback"] = _student(home, "fetch_feedback", NAME)
    after = _export(course)
    return {
        "course": course,
        "home": home,
        "assignment": assignment,
        "autograded": autograded,
        "waiting": waiting,
        "before": before,
        "after": after,
        "logs": logs,
    }


def _waiting_for_a_grader(course):
    """The student's grade cells that nbgrader marks as needing a manual grade."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(NAME, NAME, STUDENT)
        return {grade.name for grade in notebook.grades if grade.needs_manual_grade}


def _grade_by_hand(course, assignment):
    """What the formgrader's score box does: the written answer's manual score, in the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for grade_id in assignment.manual:
            grade = gradebook.find_grade(grade_id, NAME, NAME, STUDENT)
            grade.manual_score = MANUAL_SCORE
            grade.needs_manual_grade = False
        gradebook.db.commit()


def _export(course):
    _instructor(course, "export", "--to=grades.csv")
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_the_student_fetches_the_release_and_the_instructor_collects_the_submission(exchange_round):
    course = exchange_round["course"]
    assert (exchange_round["home"] / NAME / f"{NAME}.ipynb").exists()
    submitted = course / "submitted" / STUDENT / NAME / f"{NAME}.ipynb"
    assert submitted.exists(), exchange_round["logs"]["collect"]
    written = [
        cell.source
        for cell in nbformat.read(submitted, as_version=4).cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") in exchange_round["assignment"].manual
    ]
    assert written == [WRITTEN] * len(exchange_round["assignment"].manual)


def test_the_autograded_scores_are_full_marks_and_the_written_answer_waits_for_a_grader(exchange_round):
    assignment = exchange_round["assignment"]
    scores = exchange_round["autograded"]
    assert {grade_id: scores[grade_id] for grade_id in assignment.points} == assignment.expected_scores(set())
    assert exchange_round["waiting"] == set(assignment.manual)


def test_the_manual_grade_reaches_the_export(exchange_round):
    before, after = exchange_round["before"][STUDENT], exchange_round["after"][STUDENT]
    assignment = exchange_round["assignment"]
    automatic = sum(assignment.points.values())
    assert float(before["raw_score"]) == automatic
    assert float(after["raw_score"]) == automatic + MANUAL_SCORE * len(assignment.manual)
    assert float(after["max_score"]) == automatic + sum(assignment.manual.values())


def test_the_student_fetches_feedback_with_the_manual_score_and_no_hidden_test_or_marking_note(exchange_round):
    pages = list((exchange_round["home"] / NAME / "feedback").glob(f"*/{NAME}.html"))
    assert len(pages) == 1, exchange_round["logs"]["fetch_feedback"]
    page = pages[0].read_text()
    assert "BEGIN HIDDEN TESTS" not in page and "check_hidden" not in page
    assert MARKING_NOTE_HEADING not in page and "Marking (instructors)" not in page
    assert f"{MANUAL_SCORE}" in page


def test_a_clean_run_prints_no_warning(exchange_round):
    for step, log in exchange_round["logs"].items():
        noise = [line for line in log.splitlines() if "WARNING" in line or "Warning" in line]
        assert not noise, (step, noise)


def _copy(exchange_round, tmp_path):
    """A copy of the released course of the round (no second generate_assignment: each costs seconds)."""
    return Path(shutil.copytree(exchange_round["course"], tmp_path / "course", symlinks=True))


def test_the_release_refuses_a_notebook_built_from_an_older_md(exchange_round, tmp_path):
    course = _copy(exchange_round, tmp_path)
    source = course / "source" / NAME / f"{NAME}.md"
    source.write_text(source.read_text().replace("That is all.", "That is all, for now."))
    refused = nbgrader(course, "generate_assignment", NAME, "--force")
    assert refused.returncode != 0
    assert f"python -m course_checks.build {NAME}" in refused.stdout
    assert not (course / "release" / NAME / f"{NAME}.ipynb").exists()


def test_zip_collect_takes_the_documented_file_names(exchange_round, tmp_path):
    course = _copy(exchange_round, tmp_path)
    archive = course / "downloaded" / NAME / "archive"
    archive.mkdir(parents=True)
    release = release_notebook(course, NAME)
    for student in ("ada", "alan_turing"):
        nbformat.write(release, archive / f"{student}_{NAME}.ipynb")
    collected = nbgrader(course, "zip_collect", NAME)
    assert collected.returncode == 0, collected.stdout
    for student in ("ada", "alan_turing"):
        assert (course / "submitted" / student / NAME / f"{NAME}.ipynb").exists(), collected.stdout
