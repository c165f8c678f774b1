"""Chapter k may import only the nnlib modules of chapters 1..k (nnlib.CHAPTER_MODULES), so that nothing is used
before the book has explained it. The imports are read from each chapter's code cells with ``ast``."""

import pytest
from booktools import chapter_files, chapter_number, code_cell_sources, nnlib_imports, python_source

from nnlib import CHAPTER_MODULES

CHAPTERS = chapter_files()


def allowed_modules(chapter):
    """The nnlib modules chapter ``chapter`` may import: those of chapters 1..chapter."""
    return {module for k, modules in CHAPTER_MODULES.items() if k <= chapter for module in modules}


def introduced_in(module):
    return next((k for k, modules in CHAPTER_MODULES.items() if module in modules), None)


def import_violations(chapter, cell_sources):
    """One message per nnlib import that chapter ``chapter`` may not make."""
    allowed = allowed_modules(chapter)
    messages = []
    for cell, source in enumerate(cell_sources):
        for module, line in nnlib_imports(python_source(source)):
            if module == "" or module in allowed:
                continue
            where = f"code cell {cell}, line {line}: nnlib.{module}"
            later = introduced_in(module)
            if later is None:
                messages.append(f"{where} belongs to no chapter (valid: {', '.join(sorted(allowed))})")
            else:
                messages.append(f"{where} is introduced in chapter {later}, after chapter {chapter}")
    return messages


def test_there_are_eight_chapters_one_per_entry_of_chapter_modules():
    assert [chapter_number(path) for path in CHAPTERS] == sorted(CHAPTER_MODULES)


@pytest.mark.parametrize("path", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_imports_only_its_own_and_earlier_modules(path):
    violations = import_violations(chapter_number(path), code_cell_sources(path))
    assert not violations, f"{path.name} imports modules it may not use yet:\n" + "\n".join(violations)


# The checker itself: each form of import is seen, and only the forbidden ones are reported.


@pytest.mark.parametrize(
    "source",
    [
        "from nnlib.optimizers import Adam",
        "import nnlib.optimizers",
        "import nnlib.optimizers as opt",
        "from nnlib import optimizers",
        "from nnlib import neuron, optimizers",
        "import importlib\nadam = importlib.import_module('nnlib.optimizers').Adam",
        "def train():\n    from nnlib.optimizers import Adam\n    return Adam",
        "%time from nnlib.optimizers import Adam",
    ],
)
def test_a_later_chapters_module_is_reported_in_any_form(source):
    (message,) = import_violations(2, [source])
    assert "nnlib.optimizers is introduced in chapter 8, after chapter 2" in message


@pytest.mark.parametrize(
    "source",
    [
        "from nnlib.layer import init_layer\nfrom nnlib.neuron import step",
        "import nnlib",
        "from nnlib import CHAPTER_MODULES",
        "import numpy as np\nfrom nnlib import datasets",
        "%matplotlib inline\nfrom nnlib.plotting import plot_decision_boundary",
        "text = 'from nnlib.optimizers import Adam'",  # a string, not an import
    ],
)
def test_own_and_earlier_modules_are_allowed(source):
    assert import_violations(2, [source]) == []


def test_a_private_module_is_reported():
    (message,) = import_violations(8, ["from nnlib._validation import lookup"])
    assert "nnlib._validation belongs to no chapter" in message


def test_the_cell_and_line_are_named():
    (message,) = import_violations(1, ["x = 1", "import numpy\n\nfrom nnlib.losses import accuracy"])
    assert message.startswith("code cell 1, line 3: nnlib.losses")
