"""How `make test` shares the suite between its two pytest-xdist workers (``--dist loadgroup``).

An expensive fixture is built once per worker that uses it, so the tests sharing one are kept on one worker:
the whole book (one build, which nbval also reads its reference outputs from), each assignment's graded course
(the session fixture ``graded``, one per assignment) and each other test module (its module fixtures).
"""

from pathlib import Path

import pytest

BOOK_TESTS = Path(__file__).parent / "book"
CHAPTERS = Path(__file__).parent.parent / "chapters"  # nbval's items are the chapters' cells (tests/book/conftest.py)


def _group(item):
    if BOOK_TESTS in item.path.parents or item.path.parent == CHAPTERS:
        return "book"
    params = getattr(item, "callspec", None)
    if params is not None and "graded" in params.params:
        return f"graded-{params.params['graded']}"
    return item.path.as_posix()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the node ids
def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))
