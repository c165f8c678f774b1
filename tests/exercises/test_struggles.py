"""exercises/course_admin/struggles.py on a small graded class: a gradebook with known scores, written directly."""

import csv
import importlib.util
import os
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "exercises" / "course_admin" / "struggles.py"
NAME = "01_toy"
# grade cell -> points; the functions are `weighted_sum` and `weighted_sum_batch` (a prefix of the other's name).
CELLS = {
    "test_weighted_sum_examples": 1,
    "test_weighted_sum_reference": 2,
    "test_weighted_sum_batch_examples": 1,
    "bias_as_threshold": 2,
}
# student -> scores in CELLS order (None: the written answer is not graded yet)
CLASS = {
    "s1": [1, 2, 1, 2],
    "s2": [1, 0, 1, 1],
    "s3": [0, 0, 0, 0],
    "s4": [1, 2, 0, None],
}


def _load():
    spec = importlib.util.spec_from_file_location("struggles", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gradebook(db_url):
    """nbgrader's Gradebook; creating one runs the venv's alembic, found on PATH."""
    from nbgrader.api import Gradebook

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        return Gradebook(db_url)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("struggles")
    db_url = f"sqlite:///{folder / 'gradebook.db'}"
    with _gradebook(db_url) as gradebook:
        gradebook.update_or_create_assignment(NAME)
        gradebook.update_or_create_notebook(NAME, NAME)
        for answer, kind in (
            ("weighted_sum", "code"),
            ("weighted_sum_batch", "code"),
            ("bias_as_threshold", "markdown"),
        ):
            gradebook.update_or_create_solution_cell(answer, NAME, NAME)
            gradebook.update_or_create_source_cell(answer, NAME, NAME, cell_type=kind, source="")
        for cell, points in CELLS.items():
            kind = "markdown" if cell == "bias_as_threshold" else "code"
            gradebook.update_or_create_grade_cell(cell, NAME, NAME, max_score=points, cell_type=kind)
        for student, scores in CLASS.items():
            gradebook.add_student(student)
            gradebook.add_submission(NAME, student)
            for cell, score in zip(CELLS, scores, strict=True):
                grade = gradebook.find_grade(cell, NAME, NAME, student)
                if cell == "bias_as_threshold":  # as the formgrader records a manual score
                    grade.manual_score = score
                else:
                    grade.auto_score = score
                grade.needs_manual_grade = score is None
        gradebook.db.commit()
    paths = _load().report(db_url, folder / "out")
    return {path.name: path for path in paths}


def _rows(path):
    with open(path, newline="") as handle:
        return {row.get("cell") or row["function"]: row for row in csv.DictReader(handle)}


def test_the_failing_share_of_each_test_cell(report):
    rows = _rows(report["test_cells.csv"])
    assert {cell: (row["failing"], row["failing_share"]) for cell, row in rows.items()} == {
        "test_weighted_sum_examples": ("1", "0.25"),
        "test_weighted_sum_reference": ("2", "0.5"),
        "test_weighted_sum_batch_examples": ("2", "0.5"),
        "bias_as_threshold": ("2", "0.667"),
    }
    assert rows["test_weighted_sum_batch_examples"]["function"] == "weighted_sum_batch"
    assert rows["bias_as_threshold"]["ungraded"] == "1"


def test_the_score_distribution_of_each_function(report):
    rows = _rows(report["functions.csv"])
    summary = {
        name: (row["points"], row["mean_score"], row["full_marks"], row["some_points"], row["no_points"])
        for name, row in rows.items()
    }
    assert summary == {
        "weighted_sum": ("3.0", "1.75", "2", "1", "1"),
        "weighted_sum_batch": ("1.0", "0.5", "2", "0", "2"),
        "bias_as_threshold": ("2.0", "1.0", "1", "1", "1"),
    }


def test_one_figure_per_assignment(report):
    assert report[f"{NAME}.png"].read_bytes().startswith(b"\x89PNG")


def test_a_missing_gradebook_is_reported_not_created(tmp_path):
    with pytest.raises(SystemExit, match="run nbgrader autograde"):
        _load().report(f"sqlite:///{tmp_path / 'gradebook.db'}", tmp_path / "out")
    assert not (tmp_path / "gradebook.db").exists()
