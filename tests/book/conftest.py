"""Fixtures of the book tests, and the hook that makes pytest run the chapters with nbval.

nbval only collects ``.ipynb`` files, and the chapters are MyST Markdown. ``test_chapter_notebooks.py`` is
therefore collected by ``ChapterNotebooks`` below, which yields one nbval notebook per ``chapters/NN_*.md``,
read with jupytext. Each chapter runs from the top in a fresh kernel, one test per code cell; a cell that
raises fails its test. The outputs it prints are compared with the outputs of the book build's own run of the
chapter: a chapter must print the same thing every time it runs, because the book's text quotes those numbers.
Memory addresses and timings are masked first (nbval_sanitize.cfg), and a cell tagged ``nbval-ignore-output``
(random timings, progress bars) is only run, not compared. Figures (image/png) are not compared. A cell tagged
``skip-execution``, which the book does not run, is skipped; ``raises-exception`` expects the error it shows.
"""

from collections import defaultdict
from pathlib import Path

import pytest
from booktools import ROOT, chapter_files, get_book_build, read_notebook
from nbval.plugin import IPyNbCell, IPyNbFile, find_comment_markers, find_metadata_tags

SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")


def pytest_addoption(parser):
    # Read when pytest starts in tests/book (`pytest tests/book --book-build=_build`).
    parser.addoption(
        "--book-build",
        metavar="DIR",
        default=None,
        help="reuse the book build in DIR (holding html/ and jupyter_execute/, e.g. _build after `make book`) "
        "instead of building the book; refused if any source is newer than the build",
    )


@pytest.fixture(scope="session")
def book_build(pytestconfig):
    """The session's book build (built on first use); see booktools.get_book_build."""
    return get_book_build(pytestconfig)


@pytest.fixture(scope="session")
def book_html(book_build):
    """The built HTML site; fails the test if the build did not produce one."""
    if not (book_build.html / "index.html").is_file():
        pytest.fail("The book did not build (see test_book_build.py):\n" + "\n".join(book_build.problems()[:40]))
    return book_build.html


def pytest_pycollect_makemodule(module_path, parent):
    if module_path.name == "test_chapter_notebooks.py":
        return ChapterNotebooks.from_parent(parent, path=module_path)
    return None


class ChapterNotebooks(pytest.File):
    """Stands for test_chapter_notebooks.py: one nbval notebook per chapter."""

    def collect(self):
        for chapter in chapter_files():
            yield MarkdownNotebook.from_parent(self, path=chapter)


class MarkdownNotebook(IPyNbFile):
    """nbval's notebook collector for a MyST Markdown chapter.

    The cells come from jupytext; their reference outputs, which a Markdown file does not store, come from the
    book build's execution of the same chapter and are attached when the notebook's kernel starts.
    """

    def collect(self):
        self.nb = read_notebook(self.path)
        code_cells = [cell for cell in self.nb.cells if cell.cell_type == "code"]
        for number, cell in enumerate(code_cells):
            options = defaultdict(bool, find_metadata_tags(cell.metadata))  # tags such as nbval-ignore-output
            options.update(find_comment_markers(cell.source))  # comments such as # NBVAL_IGNORE_OUTPUT
            options.setdefault("check", self.compare_outputs)
            if "skip-execution" in cell.metadata.get("tags", []):
                options["skip"] = True  # the book does not run it either (myst-nb's tag)
            yield IPyNbCell.from_parent(self, name=f"Cell {number}", cell_num=number, cell=cell, options=options)

    def get_sanitize_files(self):
        return [str(SANITIZE_FILE), *super().get_sanitize_files()]

    def setup(self):
        super().setup()
        self._attach_reference_outputs()

    def _attach_reference_outputs(self):
        build = get_book_build(self.config)
        executed = build.executed / self.path.relative_to(ROOT).with_suffix(".ipynb")
        if not executed.is_file():
            self.warn(pytest.PytestWarning(f"{executed} is missing: the cells of {self.path.name} only run."))
            return
        import nbformat

        reference = [cell for cell in nbformat.read(executed, as_version=4).cells if cell.cell_type == "code"]
        ours = [cell for cell in self.nb.cells if cell.cell_type == "code"]
        if [cell.source for cell in reference] != [cell.source for cell in ours]:
            self.warn(pytest.PytestWarning(f"{executed} has other cells than {self.path.name}: not compared."))
            return
        for cell, ref in zip(ours, reference, strict=True):
            cell.outputs = ref.outputs
            cell.execution_count = ref.execution_count
