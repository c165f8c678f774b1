"""The learner's own library: the functions you wrote in the assignments, kept in ``mynnlib.py`` for the later ones.

Learner's Jupyter only. At the end of an assignment, ``save_mine(globals())`` runs the visible test cells of the
notebook (read from ``NN_name.ipynb`` in the current folder) against your functions, and saves the source of every
graded function whose visible tests all pass into ``mynnlib.py``, in the folder that holds the assignment folders
(the parent of the notebook's folder; the environment variable ``MYNNLIB`` names another file). A later assignment
calls ``use_mine(globals())`` after its imports: every ``nnlib`` function it imported is replaced by your own
version of the same name where ``mynnlib.py`` has one, and it prints which functions are yours.

Grading never uses this: the checker runs only the locked cells, with the reference ``nnlib``; the sandboxed
process running your code skips these cells, and holds no ``mynnlib.py`` anyway. Without a notebook file or a
library file both functions only say so.
"""

import ast
import contextlib
import importlib
import inspect
import io
import json
import os
import types
from pathlib import Path

import numpy as np

LIBRARY = "mynnlib.py"
_HEADER = '''"""My own nnlib: the functions I wrote in the course's assignments, saved when they passed their visible
tests.

Written by course_checks.mine.save_mine; loaded by use_mine(globals()) in the later assignments' notebooks: the
other names a function uses come from this file, else from the notebook, else from nnlib.
"""

import numpy as np
'''


def library_path():
    """Where your library lives: ``$MYNNLIB``, else ``mynnlib.py`` in the parent of the current folder."""
    return Path(os.environ.get("MYNNLIB") or Path.cwd().parent / LIBRARY)


def _read_library(path):
    """{function name: source} of the functions defined at the top level of the library file (empty if none)."""
    if not path.is_file():
        return {}
    text = path.read_text()
    tree = ast.parse(text)
    return {node.name: ast.get_source_segment(text, node) for node in tree.body if isinstance(node, ast.FunctionDef)}


def _write_library(path, functions):
    body = "\n\n".join(source.rstrip() + "\n" for source in functions.values())
    path.write_text(_HEADER + "\n\n" + body)


def _nnlib_value(name):
    """The nnlib function (or constant) called ``name``, from the first chapter's module that defines it, or None."""
    import nnlib

    for modules in nnlib.CHAPTER_MODULES.values():
        for module_name in modules:
            module = importlib.import_module(f"nnlib.{module_name}")
            if name in vars(module):
                return vars(module)[name]
    return None


def use_mine(namespace, path=None):
    """Replace each nnlib function of ``namespace`` (a notebook's ``globals()``) by your own version from the library.

    Your functions live together in one namespace, so that they call each other (your ``train`` calls your
    ``network_backward``); any other name they use comes from the notebook, else from the nnlib module that
    defines it. Prints which functions are yours and which are nnlib's; returns the names of yours.
    """
    path = library_path() if path is None else Path(path)
    imported = sorted(
        name
        for name, value in namespace.items()
        if isinstance(value, types.FunctionType) and value.__module__.startswith("nnlib.")
    )
    saved = _read_library(path)
    library = {"__name__": "mynnlib", "np": np}
    for source in saved.values():
        exec(compile(source, str(path), "exec"), library)
    used = {node.id for source in saved.values() for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    for name in sorted(used - set(library)):
        value = namespace[name] if name in namespace else _nnlib_value(name)
        if value is not None:
            library[name] = value
    yours = [name for name in imported if name in saved]
    for name in yours:
        namespace[name] = library[name]
    if not saved:
        print(f"No library at {path} yet: every imported function is nnlib's.")
    else:
        print(f"From your library {path}: {', '.join(yours) or 'none of the functions imported here'}.")
        others = [name for name in imported if name not in saved]
        if others:
            print(f"From nnlib: {', '.join(others)}.")
    return yours


def _notebook_cells(notebook):
    """(graded function names, {test id: source}) of an nbgrader notebook file."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    functions, tests = [], {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and meta.get("solution"):
            functions.append(meta["grade_id"])
        elif cell["cell_type"] == "code" and meta.get("grade"):
            tests[meta["grade_id"]] = source
    return functions, tests


def _tests_of(function, functions, tests):
    longer = [other for other in functions if other != function and other.startswith(function + "_")]
    return [
        source
        for test_id, source in tests.items()
        if test_id.startswith(f"test_{function}_") and not any(test_id.startswith(f"test_{o}_") for o in longer)
    ]


def _passes(sources, namespace):
    """True when every test cell runs without an exception (in a copy of the notebook's namespace, quietly)."""
    for source in sources:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(source, "<visible test>", "exec"), dict(namespace))
        except Exception:
            return False
    return True


def save_mine(namespace, notebook=None, path=None):
    """Save the graded functions of this notebook that pass all their visible tests into your library.

    ``notebook`` is the notebook file (default: the only ``*.ipynb`` of the current folder). A function saved
    before is replaced by the new version; functions of other assignments stay. Prints what was saved and what was
    not (and why); returns the names saved.
    """
    path = library_path() if path is None else Path(path)
    if notebook is None:
        found = sorted(Path.cwd().glob("*.ipynb"))
        if len(found) != 1:
            print("Nothing saved: run this cell in the assignment's folder, next to its only notebook.")
            return []
        notebook = found[0]
    functions, tests = _notebook_cells(notebook)
    library, saved, skipped = _read_library(path), [], []
    for name in functions:
        function = namespace.get(name)
        if not isinstance(function, types.FunctionType) or not _passes(_tests_of(name, functions, tests), namespace):
            skipped.append(name)
            continue
        try:
            library[name] = inspect.getsource(function)
        except (OSError, TypeError):  # defined where no source is kept (exec of a string)
            skipped.append(name)
            continue
        saved.append(name)
    if saved:
        _write_library(path, library)
        print(f"Saved to your library {path}: {', '.join(saved)}.")
    if skipped:
        print(f"Not saved (a visible test fails, or not written yet): {', '.join(skipped)}.")
    return saved
