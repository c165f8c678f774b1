"""Build the nbgrader source notebooks from their MyST Markdown form, checking the authoring rules.

    python -m course_checks.build                  # every assignment
    python -m course_checks.build 01_neuron        # some of them
    python -m course_checks.build --course DIR     # another copy of the course (default: this exercises/)

Reads ``source/<assignment>/<assignment>.md`` and writes ``source/<assignment>/<assignment>.ipynb`` next to it.
Each nbgrader cell carries a short ``nbgrader`` option that this script expands into nbgrader's metadata:

    code cell      :nbgrader: {kind: locked, id: setup}                       read-only, not graded
    code cell      :nbgrader: {kind: answer, id: weighted_sum}                the learner's code, not graded
    code cell      :nbgrader: {kind: tests, id: test_weighted_sum_examples, points: 1}
    markdown cell  +++ {"nbgrader": {"kind": "written", "id": "bias_as_threshold", "points": 2}}

Raises ``AuthoringError`` naming the cell when a rule of ``exercises/AUTHORING.md`` is broken.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

import jupytext
import nbformat

COURSE = Path(__file__).resolve().parent.parent
KINDS = {
    "locked": {"grade": False, "locked": True, "solution": False},
    "answer": {"grade": False, "locked": False, "solution": True},
    "tests": {"grade": True, "locked": True, "solution": False},
    "written": {"grade": True, "locked": False, "solution": True},
}
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


class AuthoringError(ValueError):
    """A source notebook breaks an authoring rule."""


def _check_tests(grade_id, source, answers, where):
    if not grade_id.startswith("test_") or not any(grade_id.startswith(f"test_{name}_") for name in answers):
        raise AuthoringError(f"{where}: a test id is test_<function>_<property> for an answer cell above it.")
    tree = ast.parse(source)
    if not (tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant)):
        raise AuthoringError(f"{where}: a test cell starts with a docstring saying what it checks.")
    if any(isinstance(node, ast.Assert) for node in ast.walk(tree)):
        raise AuthoringError(f"{where}: no bare assert; use course_checks.expect or expect_close.")
    if HIDDEN_BEGIN in source:
        after = source.split(HIDDEN_END)[-1] if HIDDEN_END in source else ""
        if after.strip():
            raise AuthoringError(f"{where}: hidden tests come last in a test cell (nothing after {HIDDEN_END}).")
        hidden = source.split(HIDDEN_BEGIN)[1]
        compares = "hidden.check_hidden(" in hidden or "hidden.reference(" in hidden
        if "from course_grader import hidden" not in hidden or not compares:
            raise AuthoringError(
                f"{where}: the hidden block imports `from course_grader import hidden` and calls hidden.check_hidden "
                "(or hidden.reference)."
            )


def to_nbgrader(notebook, name="notebook"):
    """Expand the short ``nbgrader`` options of ``notebook`` in place, checking the rules; return it."""
    seen, answers = set(), []
    for index, cell in enumerate(notebook.cells):
        spec = cell.metadata.get("nbgrader")
        if spec is None:
            if SOLUTION_BEGIN in cell.source or HIDDEN_BEGIN in cell.source:
                raise AuthoringError(f"{name}, cell {index}: solution or hidden-test markers outside nbgrader cells.")
            continue
        grade_id, kind = spec.get("id"), spec.get("kind")
        where = f"{name}, cell {index} ({grade_id})"
        if kind not in KINDS or not isinstance(grade_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", grade_id):
            raise AuthoringError(f"{where}: nbgrader needs kind in {sorted(KINDS)} and a snake_case id.")
        if grade_id in seen:
            raise AuthoringError(f"{where}: the id {grade_id} is used twice.")
        if not seen and (kind != "locked" or "import course_checks" not in cell.source.replace("from ", "import ")):
            raise AuthoringError(f"{where}: the first nbgrader cell is a locked cell importing course_checks.")
        seen.add(grade_id)
        if (kind == "written") != (cell.cell_type == "markdown"):
            raise AuthoringError(f"{where}: written answers are markdown cells, the other kinds code cells.")
        if kind == "answer":
            if SOLUTION_BEGIN not in cell.source or SOLUTION_END not in cell.source:
                raise AuthoringError(f"{where}: an answer cell holds {SOLUTION_BEGIN} ... {SOLUTION_END}.")
            answers.append(grade_id)
        if kind == "tests":
            _check_tests(grade_id, cell.source, answers, where)
        points = spec.get("points", 0)
        if KINDS[kind]["grade"] and not (isinstance(points, int) and points > 0):
            raise AuthoringError(f"{where}: a graded cell needs integer points > 0.")
        metadata = {**KINDS[kind], "grade_id": grade_id, "schema_version": 3, "task": False}
        if metadata["grade"]:
            metadata["points"] = points
        cell.metadata["nbgrader"] = metadata
        if kind in ("locked", "tests"):
            cell.metadata["deletable"] = False
            cell.metadata["editable"] = False
    return notebook


def build_assignment(assignment, course=COURSE):
    """Write ``source/<assignment>/<assignment>.ipynb`` from its ``.md``; return the notebook's path."""
    source = Path(course) / "source" / assignment / f"{assignment}.md"
    notebook = to_nbgrader(jupytext.read(source, fmt="md:myst"), name=str(source))
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    target = source.with_suffix(".ipynb")
    nbformat.write(notebook, target)
    return target


def assignments(course=COURSE):
    """Names of the assignments that have a text source, in order."""
    return sorted(path.parent.name for path in Path(course).glob("source/*/*.md") if path.stem == path.parent.name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="*", help="assignment names (default: all)")
    parser.add_argument("--course", default=str(COURSE), help="course directory (default: %(default)s)")
    options = parser.parse_args(argv)
    for assignment in options.assignment or assignments(options.course):
        try:
            print(build_assignment(assignment, options.course))
        except AuthoringError as error:
            sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
