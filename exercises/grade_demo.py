"""Grade a whole demo class with the real nbgrader: `make grade-demo`.

Copies the course into a scratch directory (default ``_build/grade-demo``), builds and releases every assignment,
submits a class of generated example students for each (the reference, the blank release, the authors' wrong
answers, an answer that merely calls nnlib, one that tampers with the checks; for the first assignment also an
endless loop, a kernel that dies, memory exhaustion and a corrupt file), autogrades each assignment in one call,
generates the feedback, exports the grades and draws where the class struggles, then prints where it all is.
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "exercises"))  # the submissions are made by the test suite's harness
sys.path.insert(0, str(REPO / "exercises" / "course_admin"))

from course_harness import (  # noqa: E402
    ASSIGNMENTS,
    Assignment,
    fill,
    make_course,
    nbgrader,
    release_notebook,
    submit,
)
from struggles import report  # noqa: E402

# The one demo submission that cannot be graded: nbgrader reports it and exits with status 1 (the others are graded).
UNREADABLE = "fault_corrupt_file"


def _faulty_students(assignment, release):
    first = assignment.functions[0]
    body = dict(assignment.solutions)
    return {
        "fault_endless_loop": fill(release, {**body, first: "while True:\n    pass"}),
        "fault_memory_hog": fill(release, {**body, first: "hog = []\nwhile True:\n    hog.append(np.ones(2**24))"}),
        "fault_kernel_dies": fill(release, {**body, first: "import os\n\nos._exit(1)"}),
        "fault_corrupt_file": '{"cells": [ not JSON',
    }


def _run(course, *args):
    """Run one nbgrader command and print its time."""
    started = time.perf_counter()
    result = nbgrader(course, *args, env={"COURSE_CELL_TIMEOUT": "5"})
    print(f"  nbgrader {' '.join(args)}: {time.perf_counter() - started:.1f} s")
    return result


def _autograde(course, name, students):
    """Autograde the class; return the problems (an empty list when every readable submission was graded)."""
    result = _run(course, "autograde", name)
    autograded = Path(course) / "autograded"
    ungraded = sorted(student for student in students if not (autograded / student / name / f"{name}.ipynb").exists())
    expected = [UNREADABLE] if UNREADABLE in students else []
    if ungraded == expected and result.returncode == (1 if expected else 0):
        graded = len(students) - len(expected)
        note = f"; {UNREADABLE} is not a notebook, reported as expected" if expected else ""
        print(f"  graded {graded}/{len(students)}{note}")
        return []
    print(result.stdout)
    return [f"{name}: autograde exited with {result.returncode}, not graded: {', '.join(ungraded) or 'none'}"]


def _succeeds(course, *args):
    """Run one nbgrader command that must succeed; return the problems (its output is printed if it failed)."""
    result = _run(course, *args)
    if result.returncode == 0:
        return []
    print(result.stdout)
    return [f"nbgrader {' '.join(args)} exited with {result.returncode}"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="*", help=f"some of {', '.join(ASSIGNMENTS)} (default: all)")
    parser.add_argument("--out", default=str(REPO / "_build" / "grade-demo"), help="scratch course directory")
    options = parser.parse_args(argv)
    unknown = sorted(set(options.assignment) - set(ASSIGNMENTS))
    if unknown:
        parser.error(f"no such assignment: {', '.join(unknown)}")
    out = Path(options.out)
    shutil.rmtree(out, ignore_errors=True)
    names = options.assignment or ASSIGNMENTS
    course = make_course(out, names)
    started, problems = time.perf_counter(), []
    for index, name in enumerate(names):
        print(f"{name}:")
        if _run(course, "generate_assignment", name, "--force").returncode:
            sys.exit(f"generate_assignment {name} failed")
        assignment, release = Assignment(course, name), release_notebook(course, name)
        written = {grade_id: "The bias is the threshold moved to the other side." for grade_id in assignment.manual}
        class_ = {
            student: release if bodies is None else fill(release, bodies, written)
            for student, (bodies, _lost) in assignment.students().items()
        }
        if index == 0:
            class_.update(_faulty_students(assignment, release))
        for student, notebook in class_.items():
            submit(course, name, student, notebook)
        print(f"  {len(class_)} students: {', '.join(class_)}")
        problems += _autograde(course, name, class_)
        problems += _succeeds(course, "generate_feedback", name)
    problems += _succeeds(course, "export", "--to=grades.csv")
    print(f"\nGraded {len(names)} assignments in {time.perf_counter() - started:.0f} s.")
    print(f"Grades (CSV, one row per student and assignment): {course / 'grades.csv'}")
    struggles = report(f"sqlite:///{course / 'gradebook.db'}", course / "struggles")[0].parent
    print(f"Where the class struggles (CSV, one PNG per assignment): {struggles}")
    print(f"Feedback (HTML): {course / 'feedback'}/<student>/<assignment>/<assignment>.html")
    print(f"Gradebook: {course / 'gradebook.db'}  (to browse it: cd {course} && jupyter lab, Formgrader tab)")
    if problems:
        sys.exit("Problems:\n" + "\n".join(problems))


if __name__ == "__main__":
    main()
