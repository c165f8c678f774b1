"""The learner's environment, built as a learner builds it: a fresh venv, requirements-learner.txt and the course's
package from the registry (pip's cache is reused). In it, one chapter runs, and so do the visible tests of a
released assignment (with the reference answers filled in); torch, JAX, nbgrader, the grading code and the exercise
sources are absent. The cost is the install (pip, about 100 packages): 9 minutes in all on two cores shared with
a dozen other processes, 6 of them pip's; marked ``learner_env``.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "exercises"))  # the course harness: build and release an assignment
from course_harness import Assignment, fill, make_course, nbgrader, release_notebook  # noqa: E402

pytestmark = pytest.mark.learner_env  # `-m "not learner_env"` leaves these out of a quick local run

CHAPTER = "01_neuron"
ASSIGNMENT = "01_neuron"
# What the package is built from: exactly what pyproject.toml names, nothing else of the repository.
PACKAGE_FILES = ["pyproject.toml", "README.md", "nnlib", "exercises/course_checks", "jupyterlab-settings"]

# Runs in the learner's venv: executes a notebook (.ipynb, or MyST .md through jupytext) in its own folder and fails
# on the first cell that raises.
RUN_NOTEBOOK = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import jupytext
    import nbclient

    path = Path(sys.argv[1])
    notebook = jupytext.read(path)
    resources = {"metadata": {"path": str(path.parent)}}
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3", resources=resources).execute()
    print("ran", len(notebook.cells), "cells of", path.name)
    """
)

# Runs in the learner's venv: where nnlib comes from, and which forbidden modules can be imported.
INSPECT = textwrap.dedent(
    """
    import importlib.util
    import json
    import sys

    import course_checks
    import nnlib

    forbidden = ["torch", "jax", "jaxlib", "nbgrader", "course_grader", "tensorflow", "keras"]
    print(json.dumps({
        "prefix": sys.prefix,
        "nnlib": nnlib.__file__,
        "course_checks": course_checks.__file__,
        "importable": [name for name in forbidden if importlib.util.find_spec(name) is not None],
    }))
    """
)


def _run(command, cwd, timeout=900):
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    """(python of the fresh learner venv, its folder)."""
    root = tmp_path_factory.mktemp("learner")
    source = root / "source"
    for name in PACKAGE_FILES:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(
            REPO / name,
            source / name,
            **({"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}),
        )
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=root)
    python = venv / "bin" / "python"
    # --no-compile: no .pyc for the ~100 packages up front (a third of the install's CPU time); imports compile.
    requirements = REPO / "requirements-learner.txt"
    _run([python, "-m", "pip", "install", "--quiet", "--no-compile", "-r", requirements, source], cwd=root)
    return python, venv


def test_a_chapter_runs(learner, tmp_path):
    python, _ = learner
    for name in (f"{CHAPTER}.md", "_figures.py"):  # a chapter and the helper its figures import, nothing else
        shutil.copy(REPO / "chapters" / name, tmp_path / name)
    (tmp_path / "run_notebook.py").write_text(RUN_NOTEBOOK)
    assert f"of {CHAPTER}.md" in _run([python, tmp_path / "run_notebook.py", tmp_path / f"{CHAPTER}.md"], cwd=tmp_path)


def test_a_released_assignment_runs_with_its_visible_tests(learner, tmp_path):
    python, _ = learner
    course = make_course(tmp_path / "course", [ASSIGNMENT])
    assert nbgrader(course, "generate_assignment", ASSIGNMENT, "--force").returncode == 0
    release = release_notebook(course, ASSIGNMENT)
    first = next(cell for cell in release.cells if cell.cell_type == "code")
    assert "course_checks" in first.source, first.source  # the import that failed where the package was missing
    answered = fill(release, Assignment(course, ASSIGNMENT).solutions)
    learner_folder = tmp_path / "learner"  # the notebook alone, as a learner downloads it
    learner_folder.mkdir()
    notebook = learner_folder / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(json.dumps(answered))
    (tmp_path / "run_notebook.py").write_text(RUN_NOTEBOOK)
    assert f"of {ASSIGNMENT}.ipynb" in _run([python, tmp_path / "run_notebook.py", notebook], cwd=learner_folder)


def test_nothing_of_the_maintainer_or_the_instructor_is_installed(learner, tmp_path):
    python, venv = learner
    found = json.loads(_run([python, "-c", INSPECT], cwd=tmp_path))
    assert found["importable"] == [], f"in the learner's environment: {found['importable']}"
    for module in ("nnlib", "course_checks"):
        assert Path(found[module]).is_relative_to(venv), f"{module} comes from {found[module]}, not the venv"
    # An assignment's source or release by name, or a hidden test: a line importing course_grader.hidden, which
    # every hidden test cell starts with (course_checks/build.py names that line only inside a message).
    hidden_test = re.compile(r"^\s*from course_grader import hidden", re.MULTILINE)
    assignments = {path.name for path in (REPO / "exercises" / "source").iterdir()}
    leaks = [
        path
        for path in venv.rglob("*")
        if path.suffix in (".py", ".md", ".ipynb")
        and (
            "exercises" in path.parts or path.stem in assignments or hidden_test.search(path.read_text(errors="ignore"))
        )
    ]
    assert not leaks, f"exercise sources in the learner's environment: {leaks[:5]}"


def test_jupyterlab_opens_markdown_as_a_notebook(learner):
    _, venv = learner
    overrides = json.loads((venv / "share/jupyter/lab/settings/overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == viewers["myst"] == "Jupytext Notebook"
    # The viewer of that name comes from jupytext's JupyterLab extension, installed with it.
    assert (venv / "share/jupyter/labextensions/jupyterlab-jupytext/package.json").exists()
