"""The gradebook on PostgreSQL: Debian's server started in a temporary data directory (as ``nobody`` when the
tests run as root: PostgreSQL refuses root), the course's ``c.CourseDirectory.db_url`` set to its SQLAlchemy URL,
the assignment generated and graded into it by the grading command, the grades read back; a second run finds
everything graded. ``make postgres`` installs the server (Debian's ``postgresql``)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from class_harness import counted_twice, make_class, mismatches, start_grading
from course_harness import nbgrader
from nbgrader.api import Gradebook

# `make test-extended`, not `make test`: an instructor's engines end to end (an exchange round, the formgrader in
# a browser, PostgreSQL, Dask), minutes of CI time that the 20-minute budget cannot hold.
pytestmark = pytest.mark.extended

STUDENTS = 4


def _as_server_user(argv):
    """``argv`` run as ``nobody`` when we are root (PostgreSQL refuses to run as root), as ourselves otherwise."""
    return ["runuser", "-u", "nobody", "--", *argv] if os.geteuid() == 0 else list(argv)


@pytest.fixture(scope="module")
def postgres():
    """The SQLAlchemy URL of a fresh database ``gradebook`` on a server that listens only on a Unix socket."""
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert initdb, "PostgreSQL's server is not installed: run `make postgres` (Debian's postgresql)"
    server = initdb[-1].parent
    # Not under pytest's tmp_path: its parent folders are closed to other users, and the server may run as nobody.
    folder = Path(tempfile.mkdtemp(prefix="course-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody", "nogroup")
    data = folder / "data"

    def run(*argv):
        result = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(argv)}:\n{result.stdout}\n{result.stderr}"

    try:
        run(str(server / "initdb"), "-D", str(data), "--auth=trust", "-E", "UTF8", "--no-instructions")
        options = f"-c listen_addresses='' -k {folder} -c fsync=off"
        run(str(server / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "server.log"), "-o", options, "start")
        run(str(server / "createdb"), "-h", str(folder), "gradebook")
        user = "nobody" if os.geteuid() == 0 else ""
        yield f"postgresql+psycopg://{user}@/gradebook?host={folder}"
    finally:
        stop = [str(server / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(_as_server_user(stop), capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_class_is_graded_into_postgresql_and_read_back(postgres, tmp_path):
    course, assignment, expected = make_class(tmp_path / "course", STUDENTS, db_url=postgres)
    name = assignment.name
    graded = start_grading(course, name, "--workers", "2")
    log = graded.communicate(timeout=600)[0]
    assert graded.returncode == 0, log
    assert not (course / "gradebook.db").exists(), "the grades went to SQLite"
    with Gradebook(postgres, "nn-from-scratch") as gradebook:
        assert {submission.student.id for submission in gradebook.assignment_submissions(name)} == set(expected)
    assert mismatches(course, name, expected, db_url=postgres) == {}

    again = start_grading(course, name)
    log = again.communicate(timeout=600)[0]
    assert again.returncode == 0 and f"{STUDENTS} of {STUDENTS} already graded" in log, log
    assert counted_twice(course, postgres) == {}
    exported = nbgrader(course, "export", "--to=grades.csv")
    assert exported.returncode == 0, exported.stdout
    assert len((course / "grades.csv").read_text().splitlines()) == STUDENTS + 1
