"""Grade a whole demo class with the real nbgrader: `make grade-demo`.

Copies the course into a scratch directory (default ``_build/grade-demo``), builds and releases every assignment,
submits a class of generated example students for each (the reference, the blank release, the authors' wrong
answers, an answer that merely calls nnlib, one that tampers with the checks; for the first assignment also an
endless loop, a kernel that dies, memory exhaustion and a corrupt file), autogrades each assignment in one call,
generates the feedback and exports the grades, then prints where the CSV and the feedback are.
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "exercises"))  # the submissions are made by the test suite's harness

from course_harness import ASSIGNMENTS, Assignment, fill, make_course, nbgrader, release_notebook, submit  # noqa: E402


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
    started = time.perf_counter()
    result = nbgrader(course, *args, env={"COURSE_CELL_TIMEOUT": "5"})
    print(f"  nbgrader {' '.join(args)}: {time.perf_counter() - started:.1f} s (exit {result.returncode})")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "_build" / "grade-demo"), help="scratch course directory")
    options = parser.parse_args(argv)
    out = Path(options.out)
    shutil.rmtree(out, ignore_errors=True)
    course = make_course(out, ASSIGNMENTS)
    started = time.perf_counter()
    for index, name in enumerate(ASSIGNMENTS):
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
        _run(course, "autograde", name)  # errors for the faulty students are expected; the others are graded
        _run(course, "generate_feedback", name)
    _run(course, "export", "--to=grades.csv")
    print(f"\nGraded {len(ASSIGNMENTS)} assignments in {time.perf_counter() - started:.0f} s.")
    print(f"Grades (CSV, one row per student and assignment): {course / 'grades.csv'}")
    print(f"Feedback (HTML): {course / 'feedback'}/<student>/<assignment>/<assignment>.html")
    print(f"Gradebook: {course / 'gradebook.db'}  (inspect with: cd {course} && nbgrader formgrader)")


if __name__ == "__main__":
    main()
