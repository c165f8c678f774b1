"""The learner's own library (course_checks.mine): save what passes its visible tests, use it per function."""

import json
import linecache

import numpy as np
import pytest
from course_checks import mine

import nnlib.activations

GOOD_SIGMOID = '''def sigmoid(Z):
    """My sigmoid."""
    return 0.5 * (1 + np.tanh(Z / 2))
'''
WRONG_RELU_DERIVATIVE = '''def relu_derivative(Z):
    """Mine: >= where the course says >."""
    return (Z >= 0).astype(float)
'''
TESTS = {
    "test_sigmoid_examples": "expect_close(sigmoid(np.array([0.0, 2.0])), np.array([0.5, 0.8807970779778823]), 'x')",
    "test_relu_derivative_examples": (
        "expect_close(relu_derivative(np.array([-1.0, 0.0, 2.0])), np.array([0.0, 0.0, 1.0]), 'x')"
    ),
}


def _cell(kind, source, **meta):
    return {"cell_type": kind, "metadata": {"nbgrader": meta} if meta else {}, "source": source}


def _notebook(folder):
    cells = [_cell("code", "import numpy as np", locked=True, grade_id="setup")]
    for name, source in (("sigmoid", GOOD_SIGMOID), ("relu_derivative", WRONG_RELU_DERIVATIVE)):
        cells.append(_cell("code", source, solution=True, grade_id=name))
        test_id = f"test_{name}_examples"
        cells.append(_cell("code", TESTS[test_id], grade=True, grade_id=test_id, points=1))
    cells.append(_cell("markdown", "My answer.", solution=True, grade_id="written"))
    path = folder / "04_activations.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _define(namespace, source, filename):
    """Define a function as IPython does for a cell: its source stays readable (linecache)."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


@pytest.fixture
def course(tmp_path, monkeypatch):
    folder = tmp_path / "04_activations"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("MYNNLIB", raising=False)
    namespace = {"np": np, "expect_close": __import__("course_checks").expect_close}
    _define(namespace, GOOD_SIGMOID, "<cell sigmoid>")
    _define(namespace, WRONG_RELU_DERIVATIVE, "<cell relu_derivative>")
    return folder, _notebook(folder), namespace


def test_save_keeps_only_the_functions_that_pass_their_visible_tests(course, capsys):
    folder, _notebook_path, namespace = course
    assert mine.save_mine(namespace) == ["sigmoid"]
    library = folder.parent / "mynnlib.py"
    text = library.read_text()
    assert "def sigmoid(Z):" in text and "relu_derivative" not in text
    out = capsys.readouterr().out
    assert (
        "Saved to your library" in out
        and "Not saved (a visible test fails, or not written yet): relu_derivative" in out
    )
    compile(text, str(library), "exec")  # a valid Python file


def test_a_later_assignment_uses_yours_where_present_and_nnlib_elsewhere(course, capsys):
    folder, _notebook_path, namespace = course
    mine.save_mine(namespace)
    later = {"np": np, "sigmoid": nnlib.activations.sigmoid, "relu": nnlib.activations.relu}
    assert mine.use_mine(later) == ["sigmoid"]
    assert later["sigmoid"].__module__ != "nnlib.activations" and later["sigmoid"].__doc__ == "My sigmoid."
    assert later["relu"] is nnlib.activations.relu
    np.testing.assert_allclose(later["sigmoid"](np.array([0.0, 2.0])), [0.5, 0.8807970779778823])
    out = capsys.readouterr().out
    assert "From your library" in out and "sigmoid" in out and "From nnlib: relu." in out


def test_saving_again_replaces_the_old_version_and_keeps_the_others(course):
    folder, notebook, namespace = course
    library = folder.parent / "mynnlib.py"
    library.write_text("import numpy as np\n\n\ndef weighted_sum(x, w, b):\n    return np.dot(w, x) + b\n")
    fixed = WRONG_RELU_DERIVATIVE.replace("Mine: >= where the course says >.", "Fixed.").replace(">=", ">")
    _define(namespace, fixed, "<cell relu_derivative, fixed>")
    assert mine.save_mine(namespace, notebook) == ["sigmoid", "relu_derivative"]
    saved = mine._read_library(library)
    assert sorted(saved) == ["relu_derivative", "sigmoid", "weighted_sum"]
    assert "Fixed." in saved["relu_derivative"]


def test_without_a_library_or_a_notebook_nothing_changes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MYNNLIB", raising=False)
    namespace = {"sigmoid": nnlib.activations.sigmoid}
    assert mine.use_mine(namespace) == [] and namespace["sigmoid"] is nnlib.activations.sigmoid
    assert mine.save_mine(namespace) == []
    out = capsys.readouterr().out
    assert "every imported function is nnlib's" in out and "Nothing saved" in out
    assert not (tmp_path.parent / "mynnlib.py").exists()


def test_the_library_file_can_be_chosen(course, monkeypatch, tmp_path):
    _folder, _notebook_path, namespace = course
    monkeypatch.setenv("MYNNLIB", str(tmp_path / "elsewhere.py"))
    assert mine.save_mine(namespace) == ["sigmoid"]
    assert "def sigmoid" in (tmp_path / "elsewhere.py").read_text()


def test_saved_functions_call_each_other_and_find_other_names_in_nnlib(tmp_path, capsys):
    library = tmp_path / "mynnlib.py"
    library.write_text(
        "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z))\n\n\n"
        "def uses_mine_and_nnlib(Z):\n    return sigmoid(Z) + relu(Z)\n"
    )
    later = {"sigmoid": nnlib.activations.sigmoid}
    assert mine.use_mine(later, library) == ["sigmoid"]
    loaded = later["sigmoid"]
    helper = loaded.__globals__["uses_mine_and_nnlib"]
    assert helper.__globals__["sigmoid"] is loaded  # your own sigmoid, not nnlib's
    assert helper.__globals__["relu"] is nnlib.activations.relu  # not in the notebook: nnlib's
    np.testing.assert_allclose(helper(np.array([0.0, 2.0])), [0.5, 2 + 1 / (1 + np.exp(-2.0))])
