"""Build a temporary copy of the nbgrader course, make student submissions, run nbgrader, read the grades.

Data-driven: an assignment is its ``exercises/source/<a>/<a>.md`` plus ``wrong_answers/a<a>.py``; everything
else (the reference, the blank release, the generic "calls nnlib" and "tampers" answers) is derived here.
"""

import csv
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jupytext
import nbformat
from course_checks.build import (
    HIDDEN_BEGIN,
    SOLUTION_BEGIN,
    SOLUTION_END,
    assignments,
    build_assignment,
    to_nbgrader,
)

import nnlib

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "exercises"
WRONG_ANSWERS = Path(__file__).resolve().parent / "wrong_answers"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
ASSIGNMENTS = assignments(COURSE)
STUB = "# YOUR CODE HERE\n"


def make_course(directory, names):
    """A fresh course in ``directory`` with the given assignments, their notebooks built; return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE / "nbgrader_config.py", directory)
    for name in names:
        (directory / "source" / name).mkdir(parents=True)
        shutil.copy(COURSE / "source" / name / f"{name}.md", directory / "source" / name)
        build_assignment(name, directory)
    return directory


def nbgrader(course, *args, env=None, timeout=900):
    """Run one nbgrader command in ``course``; return the CompletedProcess (output in .stdout, merged)."""
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    environment.update(env or {})
    return subprocess.run(
        [NBGRADER, *args],
        cwd=course,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


# ---------------------------------------------------------------------------------------------------------------
# Reading the source notebook.
class Assignment:
    """What the suite needs to know about one assignment, read from its built source notebook."""

    def __init__(self, course, name):
        self.name = name
        self.source = to_nbgrader(jupytext.read(Path(course) / "source" / name / f"{name}.md", fmt="md:myst"))
        self.functions, self.solutions, self.points, self.hidden, self.manual = [], {}, {}, set(), {}
        for cell in self.source.cells:
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if meta.get("solution") and cell.cell_type == "code":
                self.functions.append(grade_id)
                self.solutions[grade_id] = cell.source.split(SOLUTION_BEGIN + "\n")[1].split(SOLUTION_END)[0]
            elif meta.get("solution"):
                self.manual[grade_id] = meta["points"]
            elif meta.get("grade"):
                self.points[grade_id] = meta["points"]
                if HIDDEN_BEGIN in cell.source:
                    self.hidden.add(grade_id)

    def ids_of(self, function):
        """The autograded test ids of one graded function (test_<function>_<property>)."""
        others = [f for f in self.functions if f != function and f.startswith(function + "_")]
        return {
            grade_id
            for grade_id in self.points
            if grade_id.startswith(f"test_{function}_")
            and not any(grade_id.startswith(f"test_{other}_") for other in others)
        }

    def wrong_answers(self):
        """The author's WRONG_ANSWERS dict from wrong_answers/a<name>.py."""
        path = WRONG_ANSWERS / f"a{self.name}.py"
        spec = importlib.util.spec_from_file_location(f"wrong_answers_{self.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.WRONG_ANSWERS

    def reference_of(self, function):
        """(module name, signature) of the nnlib function of that name (chapters 1..8)."""
        for modules in nnlib.CHAPTER_MODULES.values():
            for module_name in modules:
                module = importlib.import_module(f"nnlib.{module_name}")
                value = getattr(module, function, None)
                if inspect.isfunction(value) and value.__module__ == module.__name__:
                    return module.__name__, inspect.signature(value)
        raise LookupError(f"{self.name}: graded function {function} has no nnlib counterpart")

    def calls_nnlib_body(self, function):
        module, signature = self.reference_of(function)
        arguments = ", ".join(f"{name}={name}" for name in signature.parameters)
        return f"import {module}\n\nreturn {module}.{function}({arguments})\n"

    def tamper_body(self, function):
        module, _ = self.reference_of(function)
        return textwrap.dedent(
            f"""
            import numpy
            import numpy.testing
            import {module}

            numpy.testing.assert_allclose = lambda *args, **kwargs: None
            numpy.testing.assert_array_equal = lambda *args, **kwargs: None
            numpy.allclose = lambda *args, **kwargs: True
            numpy.array_equal = lambda *args, **kwargs: True
            {module}.{function}.__code__ = (lambda *args, **kwargs: 0.0).__code__
            {module}.{function} = lambda *args, **kwargs: 0.0
            return 0.0
            """
        )

    def students(self, wrong_submissions=None):
        """{student id: (answer bodies by function or None for the blank release, grade ids it must lose)}.

        Wrong submission k holds the k-th wrong answer of every function; ``wrong_submissions`` keeps the first
        that many (all when None)."""
        all_ids = set(self.points)
        wrong = self.wrong_answers() if (WRONG_ANSWERS / f"a{self.name}.py").exists() else {}
        students = {"reference": (dict(self.solutions), set()), "blank": (None, all_ids)}
        depth = max((len(answers) for answers in wrong.values()), default=0)
        if wrong_submissions is not None:
            depth = min(depth, wrong_submissions)
        for k in range(depth):
            bodies, lost = dict(self.solutions), set()
            for function, answers in wrong.items():
                if k < len(answers):
                    body, ids = list(answers.values())[k]
                    bodies[function] = body
                    lost |= set(ids)
            students[f"wrong_{k + 1}"] = (bodies, lost)
        # The sandbox holds no module that defines a function of this assignment: calling it fails everywhere.
        students["calls_nnlib"] = ({f: self.calls_nnlib_body(f) for f in self.functions}, all_ids)
        students["tamper"] = ({f: self.tamper_body(f) for f in self.functions}, all_ids)
        return students

    def expected_scores(self, lost):
        return {grade_id: (0.0 if grade_id in lost else float(points)) for grade_id, points in self.points.items()}


# ---------------------------------------------------------------------------------------------------------------
# Making submissions.
def fill(release, bodies, written=None):
    """A copy of the release notebook with the answer bodies (and written answers) filled in."""
    notebook = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in (bodies or {}):
            head, stub = cell.source.split(STUB)
            indent = head[len(head.rstrip(" ")) :]
            body = textwrap.indent(textwrap.dedent(bodies[grade_id]).strip("\n") + "\n", indent)
            cell.source = head.rstrip(" ") + body.rstrip("\n")
        elif cell.cell_type == "markdown" and grade_id in (written or {}):
            cell.source = written[grade_id]
    return notebook


def submit(course, assignment, student, notebook):
    """Place ``notebook`` (a NotebookNode, or raw text) in submitted/<student>/<assignment>/."""
    folder = Path(course) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{assignment}.ipynb"
    if isinstance(notebook, str):
        path.write_text(notebook)
    else:
        nbformat.write(notebook, path)
    return path


def release_notebook(course, assignment):
    return nbformat.read(Path(course) / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def grades(course, assignment, student):
    """{grade id: score} of one autograded submission, from the gradebook (None if it was not graded)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gradebook:
        try:
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
        except MissingEntry:
            return None
        return {grade.name: grade.score for grade in notebook.grades}


def export_rows(course):
    """The rows of ``nbgrader export`` (grades.csv) as dicts."""
    result = nbgrader(course, "export", "--to=grades.csv")
    assert result.returncode == 0, result.stdout
    with open(Path(course) / "grades.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def visible_text(html):
    """The text a reader sees in an HTML page (tags removed, entities decoded)."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))
